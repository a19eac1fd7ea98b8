/* restore.c — put back what a quarantine moved (see quarantine.h), as root,
 * without letting the manifest or a racing user turn it against the machine.
 *
 * Before anything is touched: the quarantine directory and the manifest must
 * belong to the invoking user or root and be writable by nobody else, the
 * data directory must be private, the manifest must carry a valid MAC under
 * the key in the quarantine directory (mac.h) and pass every check in
 * manifest.h (everything strictly beneath the root it was made for, clean
 * relative paths, types consistent). Then, per item, every path is opened
 * beneath the root's descriptor with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS); the quarantined copy is verified against the manifest
 * (types, sizes, SHA-256, link targets, and owners and modes, which the
 * quarantine applied there) and its times are applied while it is still in
 * the private data directory, through descriptors of each object; only then
 * is it renamed into place (RENAME_NOREPLACE), so nothing is ever applied
 * through a path a user can swap for a symlink. Across filesystems the copy
 * is built and verified inside a private staging directory next to the
 * target, then renamed into place.
 *
 * Interrupted runs: an item still "pending" (a quarantine killed before it
 * recorded the move) is undone whatever the state on disk: never moved; moved
 * but not recorded; copied and partly deleted (the remains, if they are only
 * recorded objects, are removed and the verified copy put back); or copied
 * partly (the copy is removed, the intact original stays). An item "moved"
 * whose original path already holds exactly the recorded tree (a restore
 * killed after its rename) is completed. A stale staging directory is
 * removed. So `--restore` again finishes or undoes any interrupted quarantine
 * or restore. A tool's disabling policy file is removed only once all of the
 * tool's items are back; an item whose metadata could not be applied stays in
 * quarantine and is not reported as restored. */
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/disable.h"
#include "sweep/fsops.h"
#include "sweep/mac.h"
#include "sweep/manifest.h"
#include "sweep/pathenc.h"
#include "sweep/quarantine.h"
#include "sweep/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX_BYTES ((size_t)1 << 30)

struct rctx {
    int qfd, dfd, rootfd;
    struct warden_sweep_manifest mf;
    FILE *log;
};

static json_t *load_manifest(int fd, const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > MANIFEST_MAX_BYTES) {
        snprintf(err, errlen, "%s: not a regular file of at most 1 GiB", path);
        return NULL;
    }
    size_t n = (size_t)sb.st_size, off = 0;
    char *buf = warden_xmalloc(n + 1);
    while (off < n) {
        ssize_t r = read(fd, buf + off, n - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        off += (size_t)r;
    }
    json_error_t je;
    json_t *m = off == n ? json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!m)
        snprintf(err, errlen, "%s:%d: %s", path, off == n ? je.line : 0,
                 off == n ? je.text : "short read");
    free(buf);
    return m;
}

/* Open the directory holding rel beneath the root; *last is rel's last part. */
static int open_parent(const struct rctx *c, const char *rel, const char **last)
{
    const char *sl = strrchr(rel, '/');
    *last = sl ? sl + 1 : rel;
    char *pre = sl ? warden_xstrndup(rel, (size_t)(sl - rel)) : warden_xstrdup("");
    int fd = warden_walk_open_beneath(c->rootfd, pre, O_RDONLY | O_DIRECTORY);
    int e = errno;
    free(pre);
    errno = e;
    return fd;
}

/* Whether name in pfd is a wrapper this tool wrote (a small regular file). */
static bool is_our_wrapper(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat sb;
    char buf[256];
    ssize_t n = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size < 4096
                    ? read(fd, buf, sizeof buf - 1)
                    : -1;
    close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    return strstr(buf, WARDEN_SWEEP_WRAPPER_MARK) != NULL;
}

/* Across filesystems: build the copy inside a private directory next to the
 * target (only root can enter it, so nobody can swap anything inside while it
 * is copied and checked), then rename it into place. */
static int copy_back(struct rctx *c, struct warden_sweep_mitem *it, const char *id, int pfd,
                     const char *name, const char *stage, char *why, size_t wl)
{
    if (mkdirat(pfd, stage, 0700) != 0) {
        snprintf(why, wl, "staging directory: %s", strerror(errno));
        return WARDEN_EIO;
    }
    int sfd = openat(pfd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int rc =
        sfd < 0 ? WARDEN_EIO : warden_sweep_check_owner(sfd, "staging directory", true, why, wl);
    if (sfd < 0) snprintf(why, wl, "staging directory: %s", strerror(errno));
    int cr = rc ? 0 : warden_sweep_copy_tree(c->dfd, id, sfd, "item", true);
    if (!rc && cr) {
        snprintf(why, wl, "copy across filesystems: %s", strerror(-cr));
        rc = WARDEN_EIO;
    }
    if (!rc && warden_sweep_ftree_verify(sfd, "item", &it->tree, true, why, wl)) rc = WARDEN_EIO;
    if (!rc && warden_sweep_ftree_apply(sfd, "item", &it->tree)) {
        snprintf(why, wl, "restoring times of the copy: %s", strerror(errno));
        rc = WARDEN_EIO;
    }
    if (!rc && renameat2(sfd, "item", pfd, name, RENAME_NOREPLACE) != 0) {
        snprintf(why, wl, "%s",
                 errno == EEXIST ? "something new appeared at the original path" : strerror(errno));
        rc = errno == EEXIST ? WARDEN_EEXIST : WARDEN_EIO;
    }
    if (sfd >= 0) {
        warden_sweep_remove_tree(sfd, "item");
        close(sfd);
    }
    unlinkat(pfd, stage, AT_REMOVEDIR);
    if (!rc) warden_sweep_remove_tree(c->dfd, id);
    return rc;
}

/* An item in data/ID whose original path is free (or was freed): verify it
 * there, apply its times there, then move it into place. */
static int put_back(struct rctx *c, struct warden_sweep_mitem *it, const char *id, int pfd,
                    const char *name, const char *stage, char *why, size_t wl)
{
    if (warden_sweep_ftree_verify(c->dfd, id, &it->tree, true, why, wl)) return WARDEN_EIO;
    int ar = warden_sweep_ftree_apply(c->dfd, id, &it->tree);
    if (ar) {
        snprintf(why, wl, "restoring owner/mode/times: %s; left in quarantine", strerror(-ar));
        return WARDEN_EIO;
    }
    if (renameat2(c->dfd, id, pfd, name, RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST) {
            snprintf(why, wl, "something new appeared at the original path; left in quarantine");
            return WARDEN_EEXIST;
        }
        if (errno != EXDEV) {
            snprintf(why, wl, "rename: %s", strerror(errno));
            return WARDEN_EIO;
        }
        int rc = copy_back(c, it, id, pfd, name, stage, why, wl);
        if (rc) return rc;
    }
    struct timespec ts[2] = {warden_sweep_ts(it->parent_atime_ns),
                             warden_sweep_ts(it->parent_mtime_ns)};
    if (it->parent_atime_ns || it->parent_mtime_ns) futimens(pfd, ts);
    it->state = WARDEN_SWEEP_RESTORED;
    return 0;
}

/* Both data/ID and the original path exist. */
static int reconcile(struct rctx *c, struct warden_sweep_mitem *it, const char *id, int pfd,
                     const char *name, const char *stage, char *why, size_t wl)
{
    char tmp[256];
    if (it->state == WARDEN_SWEEP_MOVED) {
        /* a restore killed after its rename: the original already holds the tree */
        if (warden_sweep_ftree_verify(pfd, name, &it->tree, true, tmp, sizeof tmp) == 0) {
            warden_sweep_remove_tree(c->dfd, id);
            it->state = WARDEN_SWEEP_RESTORED;
            return 0;
        }
        snprintf(why, wl, "something new exists at the original path; left in quarantine");
        return WARDEN_EEXIST;
    }
    /* pending: a quarantine killed while copying across filesystems */
    if (warden_sweep_ftree_verify(c->dfd, id, &it->tree, true, tmp, sizeof tmp) == 0) {
        /* the copy is complete: what is at the original path is what the
         * deletion left, and must hold nothing the quarantine did not record */
        if (warden_sweep_ftree_subset(pfd, name, &it->tree, tmp, sizeof tmp)) {
            snprintf(why, wl, "interrupted quarantine: %s; left in quarantine", tmp);
            return WARDEN_EEXIST;
        }
        int rr = warden_sweep_remove_tree(pfd, name);
        if (rr) {
            snprintf(why, wl, "interrupted quarantine: removing the remains: %s", strerror(-rr));
            return WARDEN_EIO;
        }
        return put_back(c, it, id, pfd, name, stage, why, wl);
    }
    /* the copy is incomplete: the original must be intact; drop the copy */
    if (warden_sweep_ftree_verify(pfd, name, &it->tree, true, tmp, sizeof tmp)) {
        snprintf(why, wl,
                 "interrupted quarantine: neither the original nor the quarantined copy is "
                 "complete (%s); both left",
                 tmp);
        return WARDEN_EIO;
    }
    warden_sweep_remove_tree(c->dfd, id);
    it->state = WARDEN_SWEEP_FAILED;
    return 0;
}

static int restore_item(struct rctx *c, struct warden_sweep_mitem *it, char *why, size_t wl)
{
    char id[32], stage[64];
    snprintf(id, sizeof id, "%ld", it->id);
    snprintf(stage, sizeof stage, ".warden-restore-%ld", it->id);
    const char *name;
    int pfd = open_parent(c, it->rel, &name);
    if (pfd < 0) {
        snprintf(why, wl, "parent directory: %s", strerror(errno));
        return WARDEN_EIO;
    }
    struct stat sb;
    bool have_data = c->dfd >= 0 && fstatat(c->dfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    bool have_orig = fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    int rc = 0;
    if (have_data && fstatat(pfd, stage, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        /* from a restore killed while copying: only a private directory of
         * ours is removed, never what a user put there under that name */
        if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() || (sb.st_mode & 077)) {
            snprintf(why, wl, "%s exists and is not a staging directory of warden's; left", stage);
            close(pfd);
            return WARDEN_EEXIST;
        }
        warden_sweep_remove_tree(pfd, stage);
    }
    if (!have_data) {
        if (it->state == WARDEN_SWEEP_PENDING) {
            it->state = WARDEN_SWEEP_FAILED; /* never moved */
        } else if (have_orig &&
                   warden_sweep_ftree_verify(pfd, name, &it->tree, true, why, wl) == 0) {
            it->state = WARDEN_SWEEP_RESTORED; /* put back by a restore killed after */
        } else {
            snprintf(why, wl, "the quarantined copy data/%s is missing", id);
            rc = WARDEN_EIO;
        }
    } else {
        if (have_orig && it->wrapper && is_our_wrapper(pfd, name) && unlinkat(pfd, name, 0) == 0)
            have_orig = false;
        rc = have_orig ? reconcile(c, it, id, pfd, name, stage, why, wl)
                       : put_back(c, it, id, pfd, name, stage, why, wl);
    }
    close(pfd);
    return rc;
}

static int save_manifest(struct rctx *c, const char *base, const unsigned char *key)
{
    for (size_t i = 0; i < c->mf.n_items; i++)
        json_object_set_new(c->mf.items[i].obj, "state",
                            json_string(warden_sweep_mstate_name(c->mf.items[i].state)));
    json_t *keep = json_array();
    json_t *cr = json_object_get(c->mf.json, "created_files");
    for (size_t i = 0; i < c->mf.n_created; i++)
        if (!c->mf.created[i].done) json_array_append(keep, json_array_get(cr, i));
    json_object_set_new(c->mf.json, "created_files", keep);
    warden_sweep_manifest_sign(c->mf.json, key);
    char *tmp = warden_xasprintf("%s.tmp", base);
    unlinkat(c->qfd, tmp, 0);
    int fd = openat(c->qfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = fd < 0 || json_dumpfd(c->mf.json, fd, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
             fsync(fd) != 0;
    if (fd >= 0 && close(fd) != 0) rc = 1;
    if (!rc && renameat(c->qfd, tmp, c->qfd, base) != 0) rc = 1;
    if (rc) unlinkat(c->qfd, tmp, 0);
    free(tmp);
    return rc ? WARDEN_EIO : 0;
}

static int open_root(const char *root)
{
    int slash = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (slash < 0 || strcmp(root, "/") == 0) return slash;
    int fd = warden_walk_open_beneath(slash, root + 1, O_RDONLY | O_DIRECTORY);
    int e = errno;
    close(slash);
    errno = e;
    return fd;
}

static bool is_back(const struct warden_sweep_mitem *it)
{
    return it->state == WARDEN_SWEEP_RESTORED || it->state == WARDEN_SWEEP_FAILED;
}

/* Whether the item at rel is, or contains, the path p. */
static bool holds(const char *rel, const char *p)
{
    size_t l = strlen(rel);
    return strncmp(rel, p, l) == 0 && (p[l] == '\0' || p[l] == '/');
}

static bool holds_created(const struct warden_sweep_manifest *mf,
                          const struct warden_sweep_mitem *it)
{
    for (size_t k = 0; k < mf->n_created; k++)
        if (holds(it->rel, mf->created[k].rel)) return true;
    return false;
}

static void restore_one(struct rctx *c, struct warden_sweep_mitem *it, int *rc, char *err,
                        size_t errlen)
{
    if (is_back(it)) return;
    bool ex;
    char *show = warden_sweep_path_show(it->rel, strlen(it->rel), &ex);
    enum warden_sweep_mstate was = it->state;
    char why[512] = "";
    int ir = restore_item(c, it, why, sizeof why);
    if (ir) {
        fprintf(c->log, "warden sweep: cannot restore /%s: %s\n", show, why);
        if (!*rc) {
            snprintf(err, errlen, "/%s: %s", show, why);
            *rc = ir;
        }
    } else if (it->state == WARDEN_SWEEP_RESTORED) {
        fprintf(c->log, "warden sweep: restored /%s%s\n", show,
                was == WARDEN_SWEEP_PENDING ? " (interrupted quarantine undone)" : "");
    } else {
        fprintf(c->log, "warden sweep: /%s never left its place (interrupted quarantine)\n", show);
    }
    free(show);
}

int warden_sweep_restore(const char *manifest, FILE *log, char *err, size_t errlen)
{
    struct rctx c = {.qfd = -1, .dfd = -1, .rootfd = -1, .log = log};
    char *mdir = warden_xstrdup(manifest);
    char *sl = strrchr(mdir, '/');
    const char *base = sl ? manifest + (sl - mdir) + 1 : manifest;
    if (sl == mdir)
        mdir[1] = '\0';
    else if (sl)
        *sl = '\0';
    else
        strcpy(mdir, ".");
    unsigned char key[WARDEN_SWEEP_KEY_LEN];
    json_t *m = NULL;
    int rc = 0, mfd = -1;
    c.qfd = open(mdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c.qfd < 0) {
        snprintf(err, errlen, "%s: %s", mdir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    if ((rc = warden_sweep_check_owner(c.qfd, "the quarantine directory", false, err, errlen)))
        goto out;
    mfd = openat(c.qfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (mfd < 0) {
        snprintf(err, errlen, "%s: %s", manifest, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    if ((rc = warden_sweep_check_owner(mfd, "the manifest", false, err, errlen))) goto out;
    if (!(m = load_manifest(mfd, manifest, err, errlen))) {
        rc = WARDEN_EPARSE;
        goto out;
    }
    int kr = warden_sweep_key_read(c.qfd, key);
    if (kr) {
        snprintf(err, errlen, "%s/%s: %s (the key must be a file of its own, mode 0600)", mdir,
                 WARDEN_SWEEP_KEY_FILE, kr == -EPERM ? "refused" : strerror(-kr));
        rc = WARDEN_EPERM;
        goto out;
    }
    if (json_integer_value(json_object_get(m, "version")) == WARDEN_SWEEP_MANIFEST_VERSION &&
        !warden_sweep_manifest_mac_ok(m, key)) {
        snprintf(err, errlen,
                 "%s was modified since the quarantine wrote it (MAC mismatch): refused", manifest);
        rc = WARDEN_EPERM;
        goto out;
    }
    char why[512];
    if ((rc = warden_sweep_manifest_parse(m, &c.mf, why, sizeof why))) {
        snprintf(err, errlen, "%s: %s", manifest, why);
        goto out;
    }
    c.dfd = openat(c.qfd, "data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (c.dfd < 0 && errno != ENOENT) { /* ENOENT: killed before anything moved */
        snprintf(err, errlen, "%s/data: %s", mdir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    if (c.dfd >= 0 && (rc = warden_sweep_check_owner(c.dfd, "the quarantine's data directory", true,
                                                     err, errlen)))
        goto out;
    c.rootfd = open_root(c.mf.root);
    if (c.rootfd < 0) {
        snprintf(err, errlen, "root %s: %s (opened without following symlinks)", c.mf.root,
                 strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    /* items holding a tool's disabling file (its directory was quarantined
     * and the quarantine wrote the file there again) go last, after the file
     * is removed; the file goes only once every other item of the tool is back */
    for (size_t i = 0; i < c.mf.n_items; i++)
        if (!holds_created(&c.mf, &c.mf.items[i]))
            restore_one(&c, &c.mf.items[i], &rc, err, errlen);
    for (size_t i = 0; i < c.mf.n_created; i++) {
        struct warden_sweep_mcreated *cf = &c.mf.created[i];
        size_t left = 0;
        for (size_t k = 0; k < c.mf.n_items; k++)
            if (strcmp(c.mf.items[k].tool, cf->tool) == 0 && !is_back(&c.mf.items[k]) &&
                !holds_created(&c.mf, &c.mf.items[k]))
                left++;
        if (left) {
            fprintf(log, "warden sweep: keeping /%s: %s still has %zu item(s) in quarantine\n",
                    cf->rel, cf->tool, left);
            continue;
        }
        warden_sweep_disable_remove(c.rootfd, cf, log);
        cf->done = true;
    }
    for (size_t i = 0; i < c.mf.n_items; i++) {
        struct warden_sweep_mitem *it = &c.mf.items[i];
        if (!holds_created(&c.mf, it)) continue;
        bool blocked = false;
        for (size_t k = 0; k < c.mf.n_created; k++)
            if (!c.mf.created[k].done && holds(it->rel, c.mf.created[k].rel)) blocked = true;
        if (!blocked)
            restore_one(&c, it, &rc, err, errlen);
        else if (!is_back(it) && !rc) {
            snprintf(err, errlen, "/%s: waits for the other items of its tool", it->rel);
            rc = WARDEN_EEXIST;
        }
    }
    if (save_manifest(&c, base, key))
        fprintf(log, "warden sweep: warning: could not rewrite %s with the new states\n", manifest);
out:
    if (mfd >= 0) close(mfd);
    if (c.rootfd >= 0) close(c.rootfd);
    if (c.dfd >= 0) close(c.dfd);
    if (c.qfd >= 0) close(c.qfd);
    warden_sweep_manifest_fini(&c.mf);
    json_decref(m);
    free(mdir);
    return rc;
}
