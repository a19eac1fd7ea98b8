/* quarantine.c — move banned findings aside with a manifest (see quarantine.h).
 * The manifest is written (and fsync'ed) before anything moves and rewritten
 * after, with each item's state; restore.c reads it. */
#include "sweep/quarantine.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/disable.h"
#include "sweep/fsops.h"
#include "sweep/mac.h"
#include "sweep/manifest.h"
#include "sweep/pathenc.h"
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct qitem {
    const struct warden_sweep_item *it;
    char *abs; /* absolute host path */
    struct warden_sweep_ftree tree;
    struct timespec parent_times[2];
    bool wrapper;
    const char *state; /* "pending", "moved", "failed", "restored" */
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
                          const struct warden_sweep_created *cr, size_t ncr,
                          const struct warden_sweep_catalogue *c,
                          const unsigned char key[WARDEN_SWEEP_KEY_LEN], char *err, size_t errlen)
{
    json_t *m = json_object();
    char tbuf[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    bool ex;
    char *rs = warden_sweep_path_show(root, strlen(root), &ex);
    char *rh = warden_sweep_hex(root, strlen(root));
    json_object_set_new(m, "format", json_string(WARDEN_SWEEP_MANIFEST_FORMAT));
    json_object_set_new(m, "version", json_integer(WARDEN_SWEEP_MANIFEST_VERSION));
    json_object_set_new(m, "created", json_string(tbuf));
    json_object_set_new(m, "root", json_string(rs));
    json_object_set_new(m, "root_hex", json_string(rh));
    free(rs);
    free(rh);
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
            ca, json_pack("{s:s,s:s,s:s,s:o,s:s,s:I,s:I}", "path_hex", h, "sha256", cr[i].sha256,
                          "tool", cr[i].tool, "dirs_hex", dirs, "top_parent_hex", tp,
                          "top_parent_atime_ns",
                          (json_int_t)cr[i].times[0].tv_sec * 1000000000 + cr[i].times[0].tv_nsec,
                          "top_parent_mtime_ns",
                          (json_int_t)cr[i].times[1].tv_sec * 1000000000 + cr[i].times[1].tv_nsec));
        free(tp);
        free(h);
    }
    json_object_set_new(m, "created_files", ca);
    warden_sweep_manifest_sign(m, key);
    char *txt = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(m);
    int rc = 0;
    unlinkat(qfd, "manifest.json.tmp", 0);
    int fd = openat(qfd, "manifest.json.tmp", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0600);
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
    char *s = warden_xasprintf("#!/bin/sh\n" WARDEN_SWEEP_WRAPPER_MARK " (%s)\n"
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
    struct warden_sweep_created *created = NULL;
    int rc = 0, qfd = -1, dfd = -1;
    unsigned char key[WARDEN_SWEEP_KEY_LEN];
    /* the root as restore will open it: absolute, no symlink, no "." or "..",
     * no trailing '/' (a root that cannot be resolved is refused below) */
    char *root = realpath(r->root, NULL);
    if (!root) {
        snprintf(err, errlen, "root %s: %s (nothing was moved)", r->root, strerror(errno));
        return WARDEN_EIO;
    }
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
        q[n].abs = strcmp(root, "/") == 0 ? warden_xasprintf("/%s", it->rel)
                                          : warden_xasprintf("%s/%s", root, it->rel);
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
    if ((rc = warden_sweep_check_owner(qfd, "the quarantine directory", false, err, errlen))) {
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, " (anyone could replace its manifest; nothing was moved)");
        goto out;
    }
    if (faccessat(qfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        snprintf(err, errlen, "%s already holds a quarantine (manifest.json); use a new directory",
                 dir);
        rc = WARDEN_EEXIST;
        goto out;
    }
    int kr = warden_sweep_key_create(qfd, key);
    if (kr) {
        snprintf(err, errlen, "%s/%s: %s (nothing was moved)", dir, WARDEN_SWEEP_KEY_FILE,
                 strerror(-kr));
        rc = WARDEN_EIO;
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
    if ((rc = write_manifest(qfd, root, q, n, NULL, 0, c, key, err, errlen))) {
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
    /* disabling policy files, where the catalogue has one and none exists yet:
     * planned and recorded in the manifest before they are written, so that a
     * quarantine killed in between leaves nothing a restore does not know of */
    struct warden_sweep_created *plan = NULL;
    size_t nplan = 0;
    for (size_t i = 0; i < n; i++) {
        int t = q[i].it->tool;
        const struct warden_sweep_tool *tl = &c->tools[t];
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (q[j].it->tool == t && !strcmp(q[j].state, "moved")) first = false;
        if (!first || strcmp(q[i].state, "moved") != 0 || !tl->disable_path) continue;
        struct warden_sweep_created cr;
        if (warden_sweep_disable_plan(root, tl, &cr, log) == 0) {
            plan = warden_xrealloc(plan, sizeof *plan * (nplan + 1));
            cr.tool = tl->id;
            plan[nplan++] = cr;
        }
    }
    char merr[256];
    if (nplan && write_manifest(qfd, root, q, n, plan, nplan, c, key, merr, sizeof merr)) {
        fprintf(log, "warden sweep: %s; disabling policy files not written\n", merr);
        for (size_t k = 0; k < nplan; k++) warden_sweep_created_fini(&plan[k]);
        nplan = 0;
    }
    for (size_t k = 0; k < nplan; k++) {
        const struct warden_sweep_tool *tl =
            &c->tools[warden_sweep_catalogue_find(c, plan[k].tool)];
        struct warden_sweep_created cr;
        memset(&cr, 0, sizeof cr);
        if (warden_sweep_disable_write(root, tl, &cr, log) == 0) {
            created = warden_xrealloc(created, sizeof *created * (ncreated + 1));
            cr.tool = tl->id;
            created[ncreated++] = cr;
        }
        warden_sweep_created_fini(&plan[k]);
    }
    free(plan);
    if (write_manifest(qfd, root, q, n, created, ncreated, c, key, merr, sizeof merr))
        fprintf(log, "warden sweep: warning: %s; the first manifest still lists every item\n",
                merr);
out:
    free(root);
    for (size_t i = 0; i < n; i++) {
        free(q[i].abs);
        warden_sweep_ftree_fini(&q[i].tree);
    }
    free(q);
    for (size_t i = 0; i < ncreated; i++) warden_sweep_created_fini(&created[i]);
    free(created);
    if (dfd >= 0) close(dfd);
    if (qfd >= 0) close(qfd);
    return rc;
}
