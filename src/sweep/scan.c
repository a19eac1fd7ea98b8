/* scan.c — run a sweep: walk, match, verify, measure, attribute (see scan.h). */
#include "sweep/scan.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/inspect.h"
#include "sweep/match.h"
#include "sweep/quarantine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CAND 16
#define MAX_NEST_DEPTH 256

struct ctx {
    const struct warden_sweep_catalogue *c;
    struct warden_sweep_matcher *m, *envm;
    struct warden_sweep_users *users;
    bool all_users;
    char *skip_rel;        /* quarantine directory inside the root, or NULL */
    const char *exec_root; /* the root when --exec-version, else NULL */
    pthread_mutex_t mu;
    struct warden_sweep_item *items;
    size_t n_items;
    uint64_t nested_errors;
};

struct totals {
    uint64_t size, nfiles;
    int64_t atime, mtime;
};

static void add_item(struct ctx *x, struct warden_sweep_item *it)
{
    pthread_mutex_lock(&x->mu);
    x->items = warden_xrealloc(x->items, sizeof *x->items * (x->n_items + 1));
    x->items[x->n_items++] = *it;
    pthread_mutex_unlock(&x->mu);
}

static void describe(struct warden_sweep_item *it, const struct stat *sb)
{
    it->size = S_ISDIR(sb->st_mode) ? 0 : (uint64_t)sb->st_size;
    it->nfiles = S_ISDIR(sb->st_mode) ? 0 : 1;
    it->atime = (int64_t)sb->st_atim.tv_sec;
    it->mtime = (int64_t)sb->st_mtim.tv_sec;
    it->mode = (unsigned)sb->st_mode;
    it->uid = (long)sb->st_uid;
    it->gid = (long)sb->st_gid;
    it->type = S_ISDIR(sb->st_mode)   ? WARDEN_WALK_DIR
               : S_ISREG(sb->st_mode) ? WARDEN_WALK_FILE
               : S_ISLNK(sb->st_mode) ? WARDEN_WALK_LINK
                                      : WARDEN_WALK_OTHER;
}

static void measure(struct ctx *x, int parentfd, const char *name, char *rel, size_t rel_len,
                    int depth, struct totals *tot);

/* Whether fd holds exactly the tool's disabling policy text. */
static bool same_content(int fd, const char *text)
{
    size_t len = strlen(text);
    char *buf = warden_xmalloc(len + 2);
    ssize_t n = read(fd, buf, len + 1);
    bool same = n == (ssize_t)len && memcmp(buf, text, len) == 0;
    free(buf);
    return same;
}

/* A policy file that a quarantine wrote to disable the tool (catalogue
 * `disable:`), or the directory holding only that file, is the tool disabled,
 * not a footprint of it. */
static bool is_disabling_policy(const struct warden_sweep_tool *t, int atfd, const char *name,
                                const char *rel, size_t rel_len, const struct stat *sb)
{
    if (!t->disable_path) return false;
    const char *dp = t->disable_path + 1;
    const char *slash = strrchr(dp, '/');
    if (S_ISREG(sb->st_mode) && strcmp(rel, dp) == 0) {
        int fd = warden_sweep_open_noatime(atfd, name);
        bool r = fd >= 0 && same_content(fd, t->disable_content);
        if (fd >= 0) close(fd);
        return r;
    }
    if (!S_ISDIR(sb->st_mode) || !slash || (size_t)(slash - dp) != rel_len ||
        memcmp(rel, dp, rel_len) != 0)
        return false;
    int dfd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0) close(dfd);
        return false;
    }
    int entries = 0;
    bool only = true;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        entries++;
        if (strcmp(de->d_name, slash + 1) != 0) only = false;
    }
    if (only && entries == 1) {
        int fd = warden_sweep_open_noatime(dirfd(d), slash + 1);
        only = fd >= 0 && same_content(fd, t->disable_content);
        if (fd >= 0) close(fd);
    } else {
        only = false;
    }
    closedir(d);
    return only;
}

/* Match one entry (name in dirfd, path rel; sbp its lstat, or NULL to stat
 * it here) against the footprints and env files. Returns true when it became
 * a footprint finding; a matched directory is measured (reporting the
 * findings nested in it) and its totals go to *dir_tot. */
static bool consider(struct ctx *x, int dirfd, const char *name, size_t name_len, char *rel,
                     size_t rel_len, const struct stat *sbp, bool nested, int depth,
                     struct totals *dir_tot)
{
    int cand[MAX_CAND];
    size_t n = warden_sweep_match(x->m, rel, rel_len, name, name_len, cand, MAX_CAND);
    int ecand[4];
    size_t ne = 0;
    if (!sbp || S_ISREG(sbp->st_mode))
        ne = warden_sweep_match(x->envm, rel, rel_len, name, name_len, ecand, 4);
    if (!n && !ne) return false;
    struct stat sbuf;
    if (!sbp) {
        if (fstatat(dirfd, name, &sbuf, AT_SYMLINK_NOFOLLOW) != 0) return false;
        sbp = &sbuf;
    }
    int user = warden_sweep_users_owner_of(x->users, rel, rel_len);
    if (!x->all_users && user < 0) return false;
    bool found = false;
    int last_fp = -1, last_tool = -1;
    for (size_t i = 0; i < n && !found; i++) {
        const struct warden_sweep_pattern *p = &x->c->pats[cand[i]];
        if (p->tool == last_tool && p->fp == last_fp) continue;
        last_tool = p->tool;
        last_fp = p->fp;
        if (is_disabling_policy(&x->c->tools[p->tool], dirfd, name, rel, rel_len, sbp)) continue;
        struct warden_sweep_item it;
        memset(&it, 0, sizeof it);
        if (!warden_sweep_verify(x->c, p->tool, p->fp, dirfd, name, rel, sbp, x->exec_root, &it))
            continue;
        it.tool = p->tool;
        it.fp = p->fp;
        it.kind = x->c->tools[p->tool].fps[p->fp].kind;
        it.rel = warden_xstrndup(rel, rel_len);
        it.user = user;
        it.nested = nested;
        describe(&it, sbp);
        if (S_ISDIR(sbp->st_mode)) {
            struct totals t = {0, 0, it.atime, it.mtime};
            measure(x, dirfd, name, rel, rel_len, depth, &t);
            it.size = t.size;
            it.nfiles = t.nfiles;
            it.atime = t.atime;
            it.mtime = t.mtime;
            if (dir_tot) *dir_tot = t;
        }
        add_item(x, &it);
        found = true;
    }
    if (ne && S_ISREG(sbp->st_mode)) {
        struct warden_sweep_envhit *hits = NULL;
        size_t nh = warden_sweep_env_scan(x->c, dirfd, name, &hits);
        /* one finding per tool whose variables the file sets */
        for (size_t i = 0; i < nh; i++) {
            if (!hits[i].var) continue;
            int tool = hits[i].tool;
            struct warden_sweep_item it;
            memset(&it, 0, sizeof it);
            it.tool = tool;
            it.fp = -1;
            it.kind = WARDEN_SWEEP_ENV;
            it.rel = warden_xstrndup(rel, rel_len);
            it.user = user;
            it.nested = nested;
            describe(&it, sbp);
            for (size_t j = i; j < nh; j++) {
                if (!hits[j].var || hits[j].tool != tool) continue;
                it.env = warden_xrealloc(it.env, sizeof *it.env * (it.n_env + 1));
                it.env[it.n_env++] = hits[j];
                hits[j].var = NULL;
            }
            add_item(x, &it);
        }
        free(hits);
    }
    return found;
}

/* Sum a directory's contents and report the footprints nested in it. rel is
 * a buffer of PATH_MAX bytes holding the directory's path (rel_len long). */
static void measure(struct ctx *x, int parentfd, const char *name, char *rel, size_t rel_len,
                    int depth, struct totals *tot)
{
    if (depth > MAX_NEST_DEPTH) return;
    int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT) __atomic_add_fetch(&x->nested_errors, 1, __ATOMIC_RELAXED);
        return;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) continue;
        size_t nl = strlen(nm);
        if (rel_len + 1 + nl >= PATH_MAX) continue;
        rel[rel_len] = '/';
        memcpy(rel + rel_len + 1, nm, nl + 1);
        size_t cl = rel_len + 1 + nl;
        struct stat sb;
        if (fstatat(dirfd(d), nm, &sb, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (sb.st_atim.tv_sec > tot->atime) tot->atime = sb.st_atim.tv_sec;
        if (sb.st_mtim.tv_sec > tot->mtime) tot->mtime = sb.st_mtim.tv_sec;
        if (S_ISDIR(sb.st_mode)) {
            struct totals sub = {0, 0, 0, 0};
            if (!consider(x, dirfd(d), nm, nl, rel, cl, &sb, true, depth + 1, &sub))
                measure(x, dirfd(d), nm, rel, cl, depth + 1, &sub);
            tot->size += sub.size;
            tot->nfiles += sub.nfiles;
            if (sub.atime > tot->atime) tot->atime = sub.atime;
            if (sub.mtime > tot->mtime) tot->mtime = sub.mtime;
        } else {
            tot->size += (uint64_t)sb.st_size;
            tot->nfiles++;
            consider(x, dirfd(d), nm, nl, rel, cl, &sb, true, depth + 1, NULL);
        }
        rel[rel_len] = '\0';
    }
    closedir(d);
}

static enum warden_walk_verdict on_entry(void *ctxp, const struct warden_walk_entry *e)
{
    struct ctx *x = ctxp;
    if (e->type == WARDEN_WALK_DIR) {
        if (x->skip_rel && strcmp(e->rel, x->skip_rel) == 0) return WARDEN_WALK_PRUNE;
        /* an earlier quarantine's data (its directory holds the marker file) */
        if (e->name_len == 4 && memcmp(e->name, "data", 4) == 0 &&
            faccessat(e->dirfd, WARDEN_SWEEP_QUARANTINE_MARK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            return WARDEN_WALK_PRUNE;
        if (!x->all_users)
            for (size_t i = 0; i < x->users->n; i++)
                if (!x->users->v[i].selected && x->users->v[i].home_len == e->rel_len &&
                    memcmp(x->users->v[i].home, e->rel, e->rel_len) == 0)
                    return WARDEN_WALK_PRUNE;
    }
    if (e->type == WARDEN_WALK_OTHER) return WARDEN_WALK_CONTINUE;
    /* the common case, no pattern matches: decide without copying the path */
    int cand[MAX_CAND];
    if (!warden_sweep_match(x->m, e->rel, e->rel_len, e->name, e->name_len, cand, MAX_CAND) &&
        (e->type != WARDEN_WALK_FILE ||
         !warden_sweep_match(x->envm, e->rel, e->rel_len, e->name, e->name_len, cand, MAX_CAND)))
        return WARDEN_WALK_CONTINUE;
    char rel[PATH_MAX];
    if (e->rel_len >= PATH_MAX) return WARDEN_WALK_CONTINUE;
    memcpy(rel, e->rel, e->rel_len + 1);
    bool found =
        consider(x, e->dirfd, e->name, e->name_len, rel, e->rel_len, NULL, false, e->depth, NULL);
    return found && e->type == WARDEN_WALK_DIR ? WARDEN_WALK_PRUNE : WARDEN_WALK_CONTINUE;
}

static int cmp_item(const void *a, const void *b, void *arg)
{
    const struct warden_sweep_item *x = a, *y = b;
    (void)arg;
    /* users in their list order (selected), system last */
    long ux = x->user < 0 ? LONG_MAX : x->user, uy = y->user < 0 ? LONG_MAX : y->user;
    if (ux != uy) return ux < uy ? -1 : 1;
    if (x->tool != y->tool) return x->tool - y->tool;
    return strcmp(x->rel, y->rel);
}

static char *canonical_maybe_missing(const char *p)
{
    char *r = realpath(p, NULL);
    if (r) return r;
    char *copy = warden_xstrdup(p);
    char *slash = strrchr(copy, '/');
    char *out = NULL;
    if (slash && slash[1]) {
        *slash = '\0';
        char *pr = realpath(slash == copy ? "/" : copy, NULL);
        if (pr) {
            out = warden_xasprintf("%s/%s", strcmp(pr, "/") == 0 ? "" : pr, slash + 1);
            free(pr);
        }
    } else if (!slash) {
        char *cwd = realpath(".", NULL);
        if (cwd) {
            out = warden_xasprintf("%s/%s", cwd, copy);
            free(cwd);
        }
    }
    free(copy);
    return out;
}

int warden_sweep_run(const struct warden_sweep_catalogue *c, const struct warden_sweep_opts *o,
                     struct warden_sweep_result **out, char *err, size_t errlen)
{
    *out = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *root = realpath(o->root ? o->root : "/", NULL);
    if (!root) {
        snprintf(err, errlen, "root '%s': %s", o->root ? o->root : "/", strerror(errno));
        return WARDEN_EIO;
    }
    struct warden_sweep_result *r = warden_xcalloc(1, sizeof *r);
    r->root = root;
    int rc = warden_sweep_users_load(&r->users, root, o->users);
    if (rc == WARDEN_ENOENT) {
        snprintf(err, errlen, "user '%s' has no home under %s", o->users, root);
        warden_sweep_result_free(r);
        return rc;
    }
    if (rc) {
        snprintf(err, errlen, "root '%s': %s", root, strerror(errno));
        warden_sweep_result_free(r);
        return rc;
    }
    struct ctx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.users = &r->users;
    x.all_users = !o->users || strcmp(o->users, "all") == 0;
    x.exec_root = o->exec_version ? root : NULL;
    x.m = warden_sweep_matcher_new(c->pats, c->n_pats, &r->users);
    x.envm = warden_sweep_matcher_new(c->env_pats, c->n_env_pats, &r->users);
    pthread_mutex_init(&x.mu, NULL);
    if (o->skip_abs) {
        char *q = canonical_maybe_missing(o->skip_abs);
        size_t rl = strlen(root);
        if (q && strcmp(root, "/") == 0 && q[0] == '/' && q[1])
            x.skip_rel = warden_xstrdup(q + 1);
        else if (q && strncmp(q, root, rl) == 0 && q[rl] == '/')
            x.skip_rel = warden_xstrdup(q + rl + 1);
        free(q);
    }
    struct warden_walk_opts wo = {.threads = o->threads,
                                  .max_depth = o->max_depth,
                                  .entry = on_entry,
                                  .before_open = o->before_open,
                                  .ctx = &x,
                                  .hook_ctx = o->hook_ctx};
    rc = warden_walk(root, &wo, &r->walk);
    r->walk.errors += x.nested_errors;
    if (rc) snprintf(err, errlen, "root '%s': cannot read", root);
    warden_sweep_matcher_free(x.m);
    warden_sweep_matcher_free(x.envm);
    pthread_mutex_destroy(&x.mu);
    free(x.skip_rel);
    r->items = x.items;
    r->n_items = x.n_items;
    if (r->n_items > 1) qsort_r(r->items, r->n_items, sizeof *r->items, cmp_item, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc) {
        warden_sweep_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void warden_sweep_result_free(struct warden_sweep_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_items; i++) {
        struct warden_sweep_item *it = &r->items[i];
        free(it->rel);
        free(it->version);
        free(it->link_target);
        for (size_t j = 0; j < it->n_env; j++) free(it->env[j].var);
        free(it->env);
    }
    free(r->items);
    warden_sweep_users_fini(&r->users);
    warden_walk_stats_fini(&r->walk);
    free(r->root);
    free(r);
}
