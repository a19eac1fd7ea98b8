/* disable.c — write and remove a tool's disabling policy file (see disable.h). */
#include "sweep/disable.h"
#include "core/xalloc.h"
#include "sweep/fsops.h"
#include "sweep/pathenc.h"
#include "core/sha256.h"
#include "sweep/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void warden_sweep_created_fini(struct warden_sweep_created *cr)
{
    free(cr->abs);
    for (size_t k = 0; k < cr->ndirs; k++) free(cr->dirs[k]);
    free(cr->dirs);
    free(cr->top_parent);
    memset(cr, 0, sizeof *cr);
}

int warden_sweep_disable_plan(const char *root, const struct warden_sweep_tool *t,
                              struct warden_sweep_created *cr, FILE *log)
{
    memset(cr, 0, sizeof *cr);
    bool slash_root = strcmp(root, "/") == 0;
    char *abs = slash_root ? warden_xstrdup(t->disable_path)
                           : warden_xasprintf("%s%s", root, t->disable_path);
    size_t base = slash_root ? 0 : strlen(root);
    int cur = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool missing = false, ok = cur >= 0;
    char *comp = abs + base + 1;
    struct stat sb;
    while (ok) {
        char *sl = strchr(comp, '/');
        if (!sl) break;
        *sl = '\0';
        if (!missing) {
            int nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (nfd < 0 && errno == ENOENT) {
                missing = true; /* cur receives the first new directory */
                ok = fstat(cur, &sb) == 0;
                cr->times[0] = sb.st_atim;
                cr->times[1] = sb.st_mtim;
                cr->top_parent =
                    warden_xstrndup(abs, comp == abs + 1 ? 1 : (size_t)(comp - abs - 1));
            } else if (nfd < 0) {
                ok = false;
            } else {
                close(cur);
                cur = nfd;
            }
        }
        if (missing) {
            cr->dirs = warden_xrealloc(cr->dirs, sizeof *cr->dirs * (cr->ndirs + 1));
            cr->dirs[cr->ndirs++] = warden_xstrdup(abs);
        }
        *sl = '/';
        comp = sl + 1;
    }
    if (ok && !missing) {
        if (faccessat(cur, comp, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
            fprintf(log, "warden sweep: %s exists; not writing %s's disabling policy there\n", abs,
                    t->id);
            ok = false;
        } else if ((ok = fstat(cur, &sb) == 0)) {
            cr->times[0] = sb.st_atim;
            cr->times[1] = sb.st_mtim;
            cr->top_parent = warden_xstrndup(abs, comp == abs + 1 ? 1 : (size_t)(comp - abs - 1));
        }
    }
    if (cur >= 0) close(cur);
    cr->abs = abs;
    if (!ok) {
        warden_sweep_created_fini(cr);
        return -1;
    }
    struct warden_sha256 h;
    warden_sha256_init(&h);
    warden_sha256_update(&h, t->disable_content, strlen(t->disable_content));
    warden_sha256_hex(&h, cr->sha256);
    return 0;
}

/* The temporary name a disabling file is written under before it is
 * renamed into place (same directory). false when it would be too long. */
static bool tmp_name(char *buf, size_t n, const char *name)
{
    int w = snprintf(buf, n, ".%s.warden-tmp", name);
    return w > 0 && (size_t)w < n;
}

/* Rename tmp to name in directory dfd unless name exists (EEXIST). */
static int place(int dfd, const char *tmp, const char *name)
{
    if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    /* a filesystem without RENAME_NOREPLACE: link, then drop the temporary
     * name (restore takes a file with both names as its own) */
    if (linkat(dfd, tmp, dfd, name, 0) != 0) return -1;
    unlinkat(dfd, tmp, 0);
    return 0;
}

/* Write tool's disabling policy file under root unless something is already
 * there; record what was created in cr. 0 when written. */
int warden_sweep_disable_write(const char *root, const struct warden_sweep_tool *t,
                               struct warden_sweep_created *cr, FILE *log)
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
        /* written beside its name and renamed into place, so that a kill
         * leaves either no file or the whole file there (and at most the
         * temporary name, which restore removes too) */
        char tmp[NAME_MAX + 1];
        ok = tmp_name(tmp, sizeof tmp, comp);
        if (ok) unlinkat(cur, tmp, 0); /* left by a quarantine killed here before */
        fd = ok ? openat(cur, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) : -1;
        size_t len = strlen(t->disable_content);
        ok = fd >= 0 && write(fd, t->disable_content, len) == (ssize_t)len;
        if (fd >= 0 && fchmod(fd, 0644) != 0) ok = false;
        if (fd >= 0 && fsync(fd) != 0) ok = false;
        if (fd >= 0 && close(fd) != 0) ok = false;
        bool exists = false; /* the name appeared since the check above */
        if (ok && place(cur, tmp, comp) != 0) {
            ok = false;
            exists = errno == EEXIST;
            if (exists)
                fprintf(log, "warden sweep: %s exists; not writing %s's disabling policy there\n",
                        abs, t->id);
        }
        if (!ok) {
            if (!exists) /* the temporary name too: a directory left there says EEXIST */
                fprintf(log, "warden sweep: could not write %s: %s\n", abs, strerror(errno));
            if (fd >= 0) unlinkat(cur, tmp, 0);
            fd = 0; /* reported */
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
    struct warden_sha256 h;
    warden_sha256_init(&h);
    warden_sha256_update(&h, t->disable_content, strlen(t->disable_content));
    warden_sha256_hex(&h, cr->sha256);
    fprintf(log, "warden sweep: wrote %s to disable %s\n", abs, t->id);
    return 0;
}

/* Open the directory holding rel (below rootfd) beneath the root without
 * symlinks; *last gets rel's final component. */
static int open_parent_beneath(int rootfd, const char *rel, const char **last)
{
    const char *sl = strrchr(rel, '/');
    *last = sl ? sl + 1 : rel;
    char *pre = sl ? warden_xstrndup(rel, (size_t)(sl - rel)) : warden_xstrdup("");
    int fd = warden_walk_open_beneath(rootfd, pre, O_RDONLY | O_DIRECTORY);
    free(pre);
    return fd;
}

void warden_sweep_disable_remove(int rootfd, const struct warden_sweep_mcreated *c, FILE *log)
{
    const char *name;
    int pfd = open_parent_beneath(rootfd, c->rel, &name);
    char tmp[NAME_MAX + 1];
    if (pfd >= 0 && tmp_name(tmp, sizeof tmp, name)) { /* a write killed before its rename */
        struct stat tb;
        if (fstatat(pfd, tmp, &tb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(tb.st_mode))
            unlinkat(pfd, tmp, 0);
    }
    int fd = pfd >= 0 ? openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
    if (fd >= 0) {
        struct stat sb;
        char hex[65] = "";
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1 ||
            warden_sha256_fd(fd, hex) != 0)
            hex[0] = '\0';
        close(fd);
        if (strcmp(hex, c->sha256) == 0)
            unlinkat(pfd, name, 0);
        else
            fprintf(log, "warden sweep: /%s changed since the quarantine wrote it; left\n", c->rel);
    }
    if (pfd >= 0) close(pfd);
    for (size_t k = c->ndirs; k-- > 0;) {
        int dfd = open_parent_beneath(rootfd, c->dirs[k], &name);
        if (dfd >= 0) {
            unlinkat(dfd, name, AT_REMOVEDIR); /* only when empty */
            close(dfd);
        }
    }
    int tfd = warden_walk_open_beneath(rootfd, c->top_parent, O_RDONLY | O_DIRECTORY);
    if (tfd >= 0) {
        struct timespec ts[2] = {warden_sweep_ts(c->top_atime_ns),
                                 warden_sweep_ts(c->top_mtime_ns)};
        futimens(tfd, ts);
        close(tfd);
    }
}
