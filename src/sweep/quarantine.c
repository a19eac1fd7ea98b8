/* quarantine.c — move banned findings aside with a manifest, and put them back
 * (see quarantine.h). The manifest is written (and fsync'ed) before anything
 * moves and rewritten after, with each item's state. */
#include "sweep/quarantine.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/fsops.h"
#include "sweep/pathenc.h"
#include "sweep/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WRAPPER_MARK "# warden-sweep-wrapper"

struct qitem {
    const struct warden_sweep_item *it;
    char *abs; /* absolute host path */
    struct warden_sweep_ftree tree;
    struct timespec parent_times[2];
    bool wrapper;
    const char *state; /* "pending", "moved", "failed", "restored" */
};

/* A policy file written to disable a tool (catalogue `disable:`), with the
 * directories created for it, so that restore can take them away again. */
struct created {
    char *abs;
    char sha256[65];
    char **dirs; /* outermost first */
    size_t ndirs;
    char *top_parent;         /* the existing directory that received the first new entry */
    struct timespec times[2]; /* its atime and mtime before, put back on restore */
};

static json_t *ftree_json(const struct warden_sweep_ftree *t)
{
    json_t *a = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const struct warden_sweep_fentry *e = &t->v[i];
        char *h = warden_sweep_hex(e->sub, e->sub_len);
        char ty[2] = {e->type, 0};
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "sub_hex", h, "type", ty, "mode",
                              (json_int_t)e->mode, "uid", (json_int_t)e->uid, "gid",
                              (json_int_t)e->gid, "atime_ns", (json_int_t)e->atime_ns, "mtime_ns",
                              (json_int_t)e->mtime_ns, "size", (json_int_t)e->size);
        free(h);
        if (e->type == 'f') json_object_set_new(o, "sha256", json_string(e->sha256));
        if (e->target) {
            char *th = warden_sweep_hex(e->target, strlen(e->target));
            json_object_set_new(o, "target_hex", json_string(th));
            free(th);
        }
        json_array_append_new(a, o);
    }
    return a;
}

static int write_manifest(int qfd, const char *root, struct qitem *q, size_t n,
                          const struct created *cr, size_t ncr,
                          const struct warden_sweep_catalogue *c, char *err, size_t errlen)
{
    json_t *m = json_object();
    char tbuf[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    bool ex;
    char *rs = warden_sweep_path_show(root, strlen(root), &ex);
    json_object_set_new(m, "format", json_string("warden.sweep.quarantine"));
    json_object_set_new(m, "version", json_integer(1));
    json_object_set_new(m, "created", json_string(tbuf));
    json_object_set_new(m, "root", json_string(rs));
    free(rs);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        char *h = warden_sweep_hex(q[i].abs, strlen(q[i].abs));
        char *show = warden_sweep_path_show(q[i].abs, strlen(q[i].abs), &ex);
        json_t *o = json_pack(
            "{s:I,s:s,s:s,s:s,s:s,s:b,s:s,s:I,s:I}", "id", (json_int_t)i, "tool",
            c->tools[q[i].it->tool].id, "kind", warden_sweep_kind_name(q[i].it->kind), "path", show,
            "path_hex", h, "wrapper", q[i].wrapper, "state", q[i].state, "parent_atime_ns",
            (json_int_t)q[i].parent_times[0].tv_sec * 1000000000 + q[i].parent_times[0].tv_nsec,
            "parent_mtime_ns",
            (json_int_t)q[i].parent_times[1].tv_sec * 1000000000 + q[i].parent_times[1].tv_nsec);
        json_object_set_new(o, "entries", ftree_json(&q[i].tree));
        json_array_append_new(items, o);
        free(h);
        free(show);
    }
    json_object_set_new(m, "items", items);
    json_t *ca = json_array();
    for (size_t i = 0; i < ncr; i++) {
        char *h = warden_sweep_hex(cr[i].abs, strlen(cr[i].abs));
        json_t *dirs = json_array();
        for (size_t k = 0; k < cr[i].ndirs; k++) {
            char *dh = warden_sweep_hex(cr[i].dirs[k], strlen(cr[i].dirs[k]));
            json_array_append_new(dirs, json_string(dh));
            free(dh);
        }
        char *tp = warden_sweep_hex(cr[i].top_parent, strlen(cr[i].top_parent));
        json_array_append_new(
            ca, json_pack("{s:s,s:s,s:o,s:s,s:I,s:I}", "path_hex", h, "sha256", cr[i].sha256,
                          "dirs_hex", dirs, "top_parent_hex", tp, "top_parent_atime_ns",
                          (json_int_t)cr[i].times[0].tv_sec * 1000000000 + cr[i].times[0].tv_nsec,
                          "top_parent_mtime_ns",
                          (json_int_t)cr[i].times[1].tv_sec * 1000000000 + cr[i].times[1].tv_nsec));
        free(tp);
        free(h);
    }
    json_object_set_new(m, "created_files", ca);
    char *txt = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(m);
    int rc = 0;
    int fd = openat(qfd, "manifest.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(txt), off = 0;
    if (fd < 0) rc = -errno;
    while (!rc && off < len) {
        ssize_t w = write(fd, txt + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            rc = -errno;
        else
            off += (size_t)w;
    }
    if (!rc && fsync(fd) != 0) rc = -errno;
    if (fd >= 0 && close(fd) != 0 && !rc) rc = -errno;
    if (!rc && renameat(qfd, "manifest.json.tmp", qfd, "manifest.json") != 0) rc = -errno;
    if (!rc) fsync(qfd);
    free(txt);
    if (rc) {
        snprintf(err, errlen, "cannot write the manifest: %s", strerror(-rc));
        unlinkat(qfd, "manifest.json.tmp", 0);
        return WARDEN_EIO;
    }
    return 0;
}

static int mkdir_p(const char *dir)
{
    char *p = warden_xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) rc = -errno;
        *s = '/';
        if (rc) break;
    }
    if (!rc && mkdir(p, 0700) != 0 && errno != EEXIST) rc = -errno;
    free(p);
    return rc;
}

static int write_wrapper(int pfd, const char *name, const struct warden_sweep_tool *t,
                         const struct warden_sweep_fentry *top)
{
    int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
    if (fd < 0) return -errno;
    char *s = warden_xasprintf("#!/bin/sh\n" WRAPPER_MARK " (%s)\n"
                               "echo '%s is disabled on this machine by organisation policy "
                               "(moved aside by warden sweep; ask IT to restore it).' >&2\n"
                               "exit 126\n",
                               t->id, t->name);
    size_t len = strlen(s);
    int rc = write(fd, s, len) == (ssize_t)len ? 0 : -EIO;
    free(s);
    if (fchown(fd, (uid_t)top->uid, (gid_t)top->gid) != 0) { /* best effort */
    }
    if (fchmod(fd, 0755) != 0 && !rc) rc = -errno;
    close(fd);
    return rc;
}

/* Write tool's disabling policy file under root unless something is already
 * there; record what was created in cr. 0 when written. */
static int write_disable(const char *root, const struct warden_sweep_tool *t, struct created *cr,
                         FILE *log)
{
    bool slash_root = strcmp(root, "/") == 0;
    char *abs = slash_root ? warden_xstrdup(t->disable_path)
                           : warden_xasprintf("%s%s", root, t->disable_path);
    size_t base = slash_root ? 0 : strlen(root); /* abs[base] is the '/' before the path */
    /* walk down from the root without following symlinks, creating what is
     * missing; the first directory that receives something new has its times
     * recorded, so that restore can put them back */
    int cur = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool have_top = false, ok = cur >= 0;
    int fd = -1;
    char *comp = abs + base + 1;
    while (ok) {
        char *sl = strchr(comp, '/');
        if (!sl) break;
        *sl = '\0';
        int nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0 && errno == ENOENT) {
            struct stat sb;
            if (!have_top && fstat(cur, &sb) == 0) {
                cr->times[0] = sb.st_atim;
                cr->times[1] = sb.st_mtim;
                cr->top_parent =
                    warden_xstrndup(abs, comp == abs + 1 ? 1 : (size_t)(comp - abs - 1));
                have_top = true;
            }
            if (mkdirat(cur, comp, 0755) == 0) {
                cr->dirs = warden_xrealloc(cr->dirs, sizeof *cr->dirs * (cr->ndirs + 1));
                cr->dirs[cr->ndirs++] = warden_xstrdup(abs);
            }
            nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        *sl = '/';
        close(cur);
        cur = nfd;
        ok = cur >= 0;
        comp = sl + 1;
    }
    if (ok && faccessat(cur, comp, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        fprintf(log, "warden sweep: %s exists; not writing %s's disabling policy there\n", abs,
                t->id);
        ok = false;
        errno = EEXIST;
    } else if (ok) {
        struct stat sb;
        if (!have_top && fstat(cur, &sb) == 0) {
            cr->times[0] = sb.st_atim;
            cr->times[1] = sb.st_mtim;
            cr->top_parent = warden_xstrndup(abs, comp == abs + 1 ? 1 : (size_t)(comp - abs - 1));
            have_top = true;
        }
        fd = openat(cur, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        size_t len = strlen(t->disable_content);
        ok = fd >= 0 && write(fd, t->disable_content, len) == (ssize_t)len;
        if (fd >= 0 && fchmod(fd, 0644) != 0) ok = false;
        if (fd >= 0 && close(fd) != 0) ok = false;
        if (!ok) {
            fprintf(log, "warden sweep: could not write %s: %s\n", abs, strerror(errno));
            if (fd >= 0) unlinkat(cur, comp, 0);
        }
    }
    if (cur >= 0) close(cur);
    if (!ok) {
        if (errno != EEXIST && fd < 0)
            fprintf(log, "warden sweep: could not write %s: %s\n", abs, strerror(errno));
        for (size_t k = cr->ndirs; k-- > 0;) {
            rmdir(cr->dirs[k]);
            free(cr->dirs[k]);
        }
        free(cr->dirs);
        free(cr->top_parent);
        free(abs);
        memset(cr, 0, sizeof *cr);
        return -1;
    }
    cr->abs = abs;
    struct warden_sweep_sha256 h;
    warden_sweep_sha256_init(&h);
    warden_sweep_sha256_update(&h, t->disable_content, strlen(t->disable_content));
    warden_sweep_sha256_hex(&h, cr->sha256);
    fprintf(log, "warden sweep: wrote %s to disable %s\n", abs, t->id);
    return 0;
}

/* Undo write_disable from the manifest's "created_files" list. */
static void remove_created(json_t *m, FILE *log)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(m, "created_files"), i, o)
    {
        const char *ph = json_string_value(json_object_get(o, "path_hex"));
        const char *sha = json_string_value(json_object_get(o, "sha256"));
        char *abs = ph ? warden_sweep_unhex(ph, NULL) : NULL;
        if (!abs || !sha) {
            free(abs);
            continue;
        }
        const char *name;
        int pfd = warden_sweep_open_parent(abs, &name);
        int fd = pfd >= 0 ? openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
        char hex[65] = "";
        if (fd >= 0) {
            if (warden_sweep_sha256_fd(fd, hex) != 0) hex[0] = '\0';
            close(fd);
            if (strcmp(hex, sha) == 0)
                unlinkat(pfd, name, 0);
            else
                fprintf(log, "warden sweep: %s changed since the quarantine wrote it; left\n", abs);
        }
        if (pfd >= 0) close(pfd);
        json_t *dirs = json_object_get(o, "dirs_hex");
        for (size_t k = json_array_size(dirs); k-- > 0;) {
            const char *dh = json_string_value(json_array_get(dirs, k));
            char *d = dh ? warden_sweep_unhex(dh, NULL) : NULL;
            if (d) rmdir(d);
            free(d);
        }
        const char *tph = json_string_value(json_object_get(o, "top_parent_hex"));
        char *tp = tph ? warden_sweep_unhex(tph, NULL) : NULL;
        json_int_t pa = json_integer_value(json_object_get(o, "top_parent_atime_ns"));
        json_int_t pm = json_integer_value(json_object_get(o, "top_parent_mtime_ns"));
        if (tp && (pa || pm)) {
            struct timespec ts[2] = {{(time_t)(pa / 1000000000), (long)(pa % 1000000000)},
                                     {(time_t)(pm / 1000000000), (long)(pm % 1000000000)}};
            utimensat(AT_FDCWD, tp, ts, AT_SYMLINK_NOFOLLOW);
        }
        free(tp);
        free(abs);
    }
    json_object_set_new(m, "created_files", json_array());
}

static bool is_ancestor(const char *a, const char *b)
{
    size_t al = strlen(a);
    return strncmp(a, b, al) == 0 && b[al] == '/';
}

int warden_sweep_quarantine(const struct warden_sweep_result *r,
                            const struct warden_sweep_catalogue *c,
                            const struct warden_sweep_policy *p, const char *dir, FILE *log,
                            char *err, size_t errlen)
{
    struct qitem *q = NULL;
    size_t n = 0, ncreated = 0;
    struct created *created = NULL;
    int rc = 0, qfd = -1, dfd = -1;
    /* select: banned, not env files (shell rc files are never moved), not nested */
    for (size_t i = 0; i < r->n_items; i++) {
        const struct warden_sweep_item *it = &r->items[i];
        if (warden_sweep_policy_status(p, c->tools[it->tool].id) != WARDEN_SWEEP_BANNED) continue;
        if (it->kind == WARDEN_SWEEP_ENV) {
            bool ex;
            char *s = warden_sweep_path_show(it->rel, strlen(it->rel), &ex);
            fprintf(log,
                    "warden sweep: not moving /%s (sets %s's API key variable): edit it by "
                    "hand\n",
                    s, c->tools[it->tool].id);
            free(s);
            continue;
        }
        q = warden_xrealloc(q, sizeof *q * (n + 1));
        memset(&q[n], 0, sizeof q[n]);
        q[n].it = it;
        q[n].abs = strcmp(r->root, "/") == 0 ? warden_xasprintf("/%s", it->rel)
                                             : warden_xasprintf("%s/%s", r->root, it->rel);
        q[n].state = "pending";
        n++;
    }
    bool *inside = warden_xcalloc(n ? n : 1, sizeof *inside);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n && !inside[i]; j++)
            if (i != j && is_ancestor(q[j].abs, q[i].abs)) inside[i] = true;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (inside[i])
            free(q[i].abs);
        else
            q[w++] = q[i];
    }
    free(inside);
    n = w;
    if (!n) {
        fprintf(log, "warden sweep: nothing to quarantine\n");
        goto out;
    }
    int mk = mkdir_p(dir);
    if (mk) {
        snprintf(err, errlen, "quarantine directory %s: %s (nothing was moved)", dir,
                 strerror(-mk));
        rc = WARDEN_EIO;
        goto out;
    }
    qfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (qfd < 0) {
        snprintf(err, errlen, "quarantine directory %s: %s (nothing was moved)", dir,
                 strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    if (faccessat(qfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        snprintf(err, errlen, "%s already holds a quarantine (manifest.json); use a new directory",
                 dir);
        rc = WARDEN_EEXIST;
        goto out;
    }
    /* record everything before moving anything */
    for (size_t i = 0; i < n; i++) {
        const char *name;
        int pfd = warden_sweep_open_parent(q[i].abs, &name);
        struct stat ps;
        int sr = pfd < 0 ? -errno : warden_sweep_ftree_scan(pfd, name, &q[i].tree);
        if (pfd >= 0 && fstat(pfd, &ps) == 0) {
            q[i].parent_times[0] = ps.st_atim;
            q[i].parent_times[1] = ps.st_mtim;
        }
        if (pfd >= 0) close(pfd);
        if (sr) {
            snprintf(err, errlen, "%s: %s (nothing was moved)", q[i].abs, strerror(-sr));
            rc = WARDEN_EIO;
            goto out;
        }
        const struct warden_sweep_footprint *fp =
            q[i].it->fp >= 0 ? &c->tools[q[i].it->tool].fps[q[i].it->fp] : NULL;
        q[i].wrapper = fp && fp->wrapper && q[i].tree.v[0].type != 'd';
    }
    if ((rc = write_manifest(qfd, r->root, q, n, NULL, 0, c, err, errlen))) {
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, " (nothing was moved)");
        goto out;
    }
    int mfd = openat(qfd, WARDEN_SWEEP_QUARANTINE_MARK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (mfd >= 0) close(mfd);
    if (mkdirat(qfd, "data", 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s/data: %s (nothing was moved)", dir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    dfd = openat(qfd, "data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        snprintf(err, errlen, "%s/data: %s (nothing was moved)", dir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name;
        char why[512] = "";
        char id[32];
        snprintf(id, sizeof id, "%zu", i);
        int pfd = warden_sweep_open_parent(q[i].abs, &name);
        int mr = pfd < 0 ? -errno
                         : warden_sweep_move_tree(pfd, name, dfd, id, &q[i].tree, why, sizeof why);
        bool ex;
        char *show = warden_sweep_path_show(q[i].abs, strlen(q[i].abs), &ex);
        if (mr) {
            q[i].state = "failed";
            fprintf(log, "warden sweep: could not quarantine %s: %s\n", show,
                    why[0] ? why : strerror(-mr));
            if (!rc) {
                snprintf(err, errlen, "%s: %s", show, why[0] ? why : strerror(-mr));
                rc = WARDEN_EIO;
            }
        } else {
            q[i].state = "moved";
            warden_sweep_ftree_apply(dfd, id, &q[i].tree);
            if (q[i].wrapper &&
                write_wrapper(pfd, name, &c->tools[q[i].it->tool], &q[i].tree.v[0]) != 0)
                q[i].wrapper = false;
            fprintf(log, "warden sweep: quarantined %s%s\n", show,
                    q[i].wrapper ? " (wrapper left in its place)" : "");
        }
        free(show);
        if (pfd >= 0) close(pfd);
    }
    /* disabling policy files, where the catalogue has one and none exists yet */
    for (size_t i = 0; i < n; i++) {
        int t = q[i].it->tool;
        const struct warden_sweep_tool *tl = &c->tools[t];
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (q[j].it->tool == t && !strcmp(q[j].state, "moved")) first = false;
        if (!first || strcmp(q[i].state, "moved") != 0 || !tl->disable_path) continue;
        struct created cr;
        memset(&cr, 0, sizeof cr);
        if (write_disable(r->root, tl, &cr, log) == 0) {
            created = warden_xrealloc(created, sizeof *created * (ncreated + 1));
            created[ncreated++] = cr;
        }
    }
    char merr[256];
    if (write_manifest(qfd, r->root, q, n, created, ncreated, c, merr, sizeof merr))
        fprintf(log, "warden sweep: warning: %s; the first manifest still lists every item\n",
                merr);
out:
    for (size_t i = 0; i < n; i++) {
        free(q[i].abs);
        warden_sweep_ftree_fini(&q[i].tree);
    }
    free(q);
    for (size_t i = 0; i < ncreated; i++) {
        free(created[i].abs);
        for (size_t k = 0; k < created[i].ndirs; k++) free(created[i].dirs[k]);
        free(created[i].dirs);
        free(created[i].top_parent);
    }
    free(created);
    if (dfd >= 0) close(dfd);
    if (qfd >= 0) close(qfd);
    return rc;
}

/* ---- restore ---- */

static int tree_from_json(json_t *a, struct warden_sweep_ftree *t)
{
    memset(t, 0, sizeof *t);
    if (!json_is_array(a) || json_array_size(a) == 0) return WARDEN_EFORMAT;
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o)
    {
        const char *sub_hex = json_string_value(json_object_get(o, "sub_hex"));
        const char *ty = json_string_value(json_object_get(o, "type"));
        if (!sub_hex || !ty || strlen(ty) != 1) return WARDEN_EFORMAT;
        t->v = warden_xrealloc(t->v, sizeof *t->v * (t->n + 1));
        struct warden_sweep_fentry *e = &t->v[t->n++];
        memset(e, 0, sizeof *e);
        if (sub_hex[0]) {
            e->sub = warden_sweep_unhex(sub_hex, &e->sub_len);
            if (!e->sub) return WARDEN_EFORMAT;
        } else {
            e->sub = warden_xstrdup("");
        }
        e->type = ty[0];
        e->mode = (unsigned)json_integer_value(json_object_get(o, "mode"));
        e->uid = (long)json_integer_value(json_object_get(o, "uid"));
        e->gid = (long)json_integer_value(json_object_get(o, "gid"));
        e->atime_ns = (int64_t)json_integer_value(json_object_get(o, "atime_ns"));
        e->mtime_ns = (int64_t)json_integer_value(json_object_get(o, "mtime_ns"));
        e->size = (uint64_t)json_integer_value(json_object_get(o, "size"));
        const char *sh = json_string_value(json_object_get(o, "sha256"));
        if (e->type == 'f') {
            if (!sh || strlen(sh) != 64) return WARDEN_EFORMAT;
            memcpy(e->sha256, sh, 65);
        }
        const char *th = json_string_value(json_object_get(o, "target_hex"));
        if (th && !(e->target = warden_sweep_unhex(th, NULL))) return WARDEN_EFORMAT;
    }
    return 0;
}

/* Whether name in pfd is a wrapper this tool wrote. */
static bool is_our_wrapper(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    return strstr(buf, WRAPPER_MARK) != NULL;
}

int warden_sweep_restore(const char *manifest, FILE *log, char *err, size_t errlen)
{
    json_error_t je;
    json_t *m = json_load_file(manifest, 0, &je);
    if (!m) {
        snprintf(err, errlen, "%s:%d: %s", manifest, je.line, je.text);
        return WARDEN_EPARSE;
    }
    const char *fmt = json_string_value(json_object_get(m, "format"));
    json_t *items = json_object_get(m, "items");
    if (!fmt || strcmp(fmt, "warden.sweep.quarantine") != 0 || !json_is_array(items)) {
        snprintf(err, errlen, "%s: not a warden sweep quarantine manifest", manifest);
        json_decref(m);
        return WARDEN_EFORMAT;
    }
    char *mdir = warden_xstrdup(manifest);
    char *sl = strrchr(mdir, '/');
    if (sl)
        *sl = '\0';
    else
        strcpy(mdir, ".");
    int qfd = open(mdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int dfd = qfd >= 0 ? openat(qfd, "data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    int rc = 0;
    bool changed = false;
    if (dfd < 0) {
        snprintf(err, errlen, "%s/data: %s", mdir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    remove_created(m, log);
    changed = true;
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        const char *state = json_string_value(json_object_get(o, "state"));
        const char *ph = json_string_value(json_object_get(o, "path_hex"));
        json_int_t id = json_integer_value(json_object_get(o, "id"));
        bool wrapper = json_is_true(json_object_get(o, "wrapper"));
        char ids[32];
        snprintf(ids, sizeof ids, "%lld", (long long)id);
        char *abs = ph ? warden_sweep_unhex(ph, NULL) : NULL;
        struct warden_sweep_ftree t;
        int fr = tree_from_json(json_object_get(o, "entries"), &t);
        char why[512] = "";
        int ir = 0;
        bool ex;
        char *show = abs ? warden_sweep_path_show(abs, strlen(abs), &ex) : warden_xstrdup("?");
        if (!abs || fr || !state) {
            snprintf(why, sizeof why, "item %zu of the manifest is malformed", i);
            ir = WARDEN_EFORMAT;
        } else if (strcmp(state, "restored") == 0 || strcmp(state, "failed") == 0) {
            /* failed: never left its place */
        } else if (faccessat(dfd, ids, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
            /* pending but never moved (interrupted quarantine): nothing to do */
            if (strcmp(state, "moved") == 0) {
                snprintf(why, sizeof why, "quarantined copy %s/data/%s is missing", mdir, ids);
                ir = WARDEN_EIO;
            }
        } else {
            const char *name;
            int pfd = warden_sweep_open_parent(abs, &name);
            if (pfd < 0) {
                snprintf(why, sizeof why, "parent directory: %s", strerror(errno));
                ir = WARDEN_EIO;
            } else {
                struct stat sb;
                if (fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
                    if (wrapper && S_ISREG(sb.st_mode) && is_our_wrapper(pfd, name)) {
                        unlinkat(pfd, name, 0);
                    } else {
                        snprintf(why, sizeof why,
                                 "something new exists at the original path; left in quarantine");
                        ir = WARDEN_EEXIST;
                    }
                }
                if (!ir && warden_sweep_ftree_verify(dfd, ids, &t, why, sizeof why) != 0)
                    ir = WARDEN_EIO;
                if (!ir && warden_sweep_move_tree(dfd, ids, pfd, name, &t, why, sizeof why) != 0)
                    ir = WARDEN_EIO;
                if (!ir) {
                    int ar = warden_sweep_ftree_apply(pfd, name, &t);
                    if (ar) {
                        snprintf(why, sizeof why, "restoring owner/mode/times: %s", strerror(-ar));
                        ir = WARDEN_EIO;
                    }
                    json_int_t pa = json_integer_value(json_object_get(o, "parent_atime_ns"));
                    json_int_t pm = json_integer_value(json_object_get(o, "parent_mtime_ns"));
                    struct timespec ts[2] = {{(time_t)(pa / 1000000000), (long)(pa % 1000000000)},
                                             {(time_t)(pm / 1000000000), (long)(pm % 1000000000)}};
                    if (pa || pm) futimens(pfd, ts);
                    json_object_set_new(o, "state", json_string("restored"));
                    changed = true;
                    fprintf(log, "warden sweep: restored %s\n", show);
                }
                close(pfd);
            }
        }
        if (ir) {
            fprintf(log, "warden sweep: cannot restore %s: %s\n", show, why);
            if (!rc) {
                snprintf(err, errlen, "%s: %s", show, why);
                rc = ir;
            }
        }
        free(show);
        free(abs);
        warden_sweep_ftree_fini(&t);
    }
    if (changed) {
        char *tmp = warden_xasprintf("%s.tmp", manifest);
        if (json_dump_file(m, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0)
            rename(tmp, manifest);
        free(tmp);
    }
out:
    if (dfd >= 0) close(dfd);
    if (qfd >= 0) close(qfd);
    free(mdir);
    json_decref(m);
    return rc;
}
