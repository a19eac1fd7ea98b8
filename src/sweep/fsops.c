/* fsops.c — symlink-safe tree recording, copying, checking and removal (fsops.h). */
#include "sweep/fsops.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/inspect.h"
#include "core/sha256.h"
#include "sweep/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 512

int warden_sweep_open_parent(const char *abs, const char **name)
{
    const char *slash = strrchr(abs, '/');
    if (!slash || abs[0] != '/' || !slash[1]) {
        errno = EINVAL;
        return -1;
    }
    *name = slash + 1;
    int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return -1;
    char *rel = warden_xstrndup(abs + 1, (size_t)(slash - abs - (slash > abs ? 1 : 0)));
    if (slash == abs) rel[0] = '\0';
    int fd = warden_walk_open_beneath(rootfd, rel, O_RDONLY | O_DIRECTORY);
    int e = errno;
    free(rel);
    close(rootfd);
    errno = e;
    return fd;
}

/* Open the directory holding path (relative to atfd) beneath atfd, without
 * symlinks; *last gets the final component. */
static int open_entry_parent(int atfd, const char *path, const char **last)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *last = path;
        return fcntl(atfd, F_DUPFD_CLOEXEC, 0);
    }
    *last = slash + 1;
    char *pre = warden_xstrndup(path, (size_t)(slash - path));
    int fd = warden_walk_open_beneath(atfd, pre, O_RDONLY | O_DIRECTORY);
    int e = errno;
    free(pre);
    errno = e;
    return fd;
}

static char *join(const char *a, const char *b, size_t bl)
{
    size_t al = strlen(a);
    char *s = warden_xmalloc(al + bl + 2);
    memcpy(s, a, al);
    size_t k = al;
    if (bl) {
        if (al) s[k++] = '/';
        memcpy(s + k, b, bl);
        k += bl;
    }
    s[k] = '\0';
    return s;
}

static int64_t ns(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static char *read_link(int atfd, const char *name, size_t hint)
{
    size_t cap = hint + 2 > 64 ? hint + 2 : 64;
    for (;;) {
        char *b = warden_xmalloc(cap);
        ssize_t n = readlinkat(atfd, name, b, cap);
        if (n < 0) {
            free(b);
            return NULL;
        }
        if ((size_t)n < cap) {
            b[n] = '\0';
            return b;
        }
        free(b);
        cap *= 2;
    }
}

static int hash_file(int atfd, const char *name, char hex[65])
{
    int fd = warden_sweep_open_noatime(atfd, name);
    if (fd < 0) return -errno;
    int rc = warden_sha256_fd(fd, hex);
    close(fd);
    return rc;
}

/* Call fn for every entry of the directory name in atfd (without following a
 * symlink), with the entry's path below the tree's top, at depth + 1. */
static int each_child(int atfd, const char *name, const char *sub,
                      int (*fn)(int dfd, const char *nm, const char *sub, void *arg, int depth),
                      void *arg, int depth)
{
    int fd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int e = -errno;
        if (fd >= 0) close(fd);
        return e;
    }
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        const char *nm = de->d_name;
        if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) continue;
        char *s = join(sub, nm, strlen(nm));
        rc = fn(dirfd(d), nm, s, arg, depth + 1);
        free(s);
    }
    closedir(d);
    return rc;
}

static int scan_child(int dfd, const char *nm, const char *sub, void *arg, int depth);

static int scan_rec(int atfd, const char *name, const char *sub, size_t sub_len,
                    struct warden_sweep_ftree *t, int depth)
{
    struct stat sb;
    if (depth > MAX_DEPTH) return -ELOOP;
    if (fstatat(atfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    t->v = warden_xrealloc(t->v, sizeof *t->v * (t->n + 1));
    struct warden_sweep_fentry *e = &t->v[t->n++];
    memset(e, 0, sizeof *e);
    e->sub = warden_xstrndup(sub, sub_len);
    e->sub_len = sub_len;
    e->mode = (unsigned)sb.st_mode;
    e->uid = (long)sb.st_uid;
    e->gid = (long)sb.st_gid;
    e->atime_ns = ns(sb.st_atim);
    e->mtime_ns = ns(sb.st_mtim);
    if (S_ISREG(sb.st_mode)) {
        e->type = 'f';
        e->size = (uint64_t)sb.st_size;
        return hash_file(atfd, name, e->sha256);
    }
    if (S_ISLNK(sb.st_mode)) {
        e->type = 'l';
        e->target = read_link(atfd, name, (size_t)sb.st_size);
        return e->target ? 0 : -errno;
    }
    if (!S_ISDIR(sb.st_mode)) {
        e->type = 'o';
        return 0;
    }
    e->type = 'd';
    return each_child(atfd, name, sub, scan_child, t, depth);
}

static int scan_child(int dfd, const char *nm, const char *sub, void *arg, int depth)
{
    return scan_rec(dfd, nm, sub, strlen(sub), arg, depth);
}

int warden_sweep_ftree_scan(int atfd, const char *name, struct warden_sweep_ftree *t)
{
    memset(t, 0, sizeof *t);
    return scan_rec(atfd, name, "", 0, t, 0);
}

void warden_sweep_ftree_fini(struct warden_sweep_ftree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].sub);
        free(t->v[i].target);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

struct timespec warden_sweep_ts(int64_t ns)
{
    int64_t sec = ns / 1000000000, rem = ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        sec--;
    }
    return (struct timespec){(time_t)sec, (long)rem};
}

static bool same_type(char type, mode_t m)
{
    switch (type) {
    case 'f':
        return S_ISREG(m);
    case 'd':
        return S_ISDIR(m);
    case 'l':
        return S_ISLNK(m);
    default:
        return S_ISCHR(m) || S_ISBLK(m) || S_ISFIFO(m) || S_ISSOCK(m);
    }
}

int warden_sweep_ftree_verify(int atfd, const char *name, const struct warden_sweep_ftree *t,
                              bool meta, char *why, size_t whylen)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct warden_sweep_fentry *e = &t->v[i];
        char *full = join(name, e->sub, e->sub_len);
        const char *last;
        int pfd = open_entry_parent(atfd, full, &last);
        struct stat sb;
        int rc = 0;
        if (pfd < 0 || fstatat(pfd, last, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            snprintf(why, whylen, "entry %zu is missing (%s)", i, strerror(errno));
            rc = -EIO;
        } else if (!same_type(e->type, sb.st_mode)) {
            snprintf(why, whylen, "entry %zu changed type", i);
            rc = -EIO;
        } else if (meta && ((!S_ISLNK(sb.st_mode) && (unsigned)sb.st_mode != e->mode) ||
                            (long)sb.st_uid != e->uid || (long)sb.st_gid != e->gid)) {
            snprintf(why, whylen,
                     "entry %zu: owner or mode on disk (%ld:%ld %o) differs from the manifest "
                     "(%ld:%ld %o)",
                     i, (long)sb.st_uid, (long)sb.st_gid, (unsigned)sb.st_mode, e->uid, e->gid,
                     e->mode);
            rc = -EIO;
        } else if (e->type == 'f') {
            char hex[65];
            if ((uint64_t)sb.st_size != e->size || hash_file(pfd, last, hex) != 0 ||
                strcmp(hex, e->sha256) != 0) {
                snprintf(why, whylen, "entry %zu: content differs from its SHA-256", i);
                rc = -EIO;
            }
        } else if (e->type == 'l') {
            char *tg = read_link(pfd, last, (size_t)sb.st_size);
            if (!tg || !e->target || strcmp(tg, e->target) != 0) {
                snprintf(why, whylen, "entry %zu: symlink target differs", i);
                rc = -EIO;
            }
            free(tg);
        }
        if (pfd >= 0) close(pfd);
        free(full);
        if (rc) return rc;
    }
    return 0;
}

/* Owner, then mode (chown clears set-id bits), then times, all through fd. */
static int meta_fd(int fd, uid_t uid, gid_t gid, unsigned mode, const struct timespec ts[2])
{
    int rc = 0;
    if (fchown(fd, uid, gid) != 0) rc = -errno;
    if (fchmod(fd, mode & 07777) != 0 && !rc) rc = -errno;
    if (futimens(fd, ts) != 0 && !rc) rc = -errno;
    return rc;
}

/* A symlink's owner and times: by descriptor where the kernel allows it
 * (fchownat on an O_PATH descriptor), times by name without following. The
 * descriptor is checked to be a symlink first. */
static int meta_link(int pfd, const char *last, uid_t uid, gid_t gid, const struct timespec ts[2])
{
    int fd = openat(pfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) != 0)
        rc = -errno;
    else if (!S_ISLNK(sb.st_mode))
        rc = -ESTALE;
    else if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
        rc = -errno;
    else if (utimensat(pfd, last, ts, AT_SYMLINK_NOFOLLOW) != 0)
        rc = -errno;
    close(fd);
    return rc;
}

/* Apply e to last in pfd through a descriptor of the object itself, opened
 * without following a symlink and checked to be of e's type (-ESTALE if the
 * name now holds something else): nothing is ever applied through a name that
 * a symlink could redirect. Devices, FIFOs and sockets are reached through
 * an O_PATH descriptor and /proc/self/fd, never opened. */
static int apply_one(int pfd, const char *last, const struct warden_sweep_fentry *e)
{
    struct timespec ts[2] = {warden_sweep_ts(e->atime_ns), warden_sweep_ts(e->mtime_ns)};
    if (e->type == 'l') return meta_link(pfd, last, (uid_t)e->uid, (gid_t)e->gid, ts);
    int flags = e->type == 'd'   ? O_RDONLY | O_DIRECTORY
                : e->type == 'f' ? O_RDONLY | O_NONBLOCK | O_NOCTTY
                                 : O_PATH;
    int fd = openat(pfd, last, flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) != 0) {
        rc = -errno;
    } else if (!same_type(e->type, sb.st_mode) || (sb.st_mode & S_IFMT) != (e->mode & S_IFMT)) {
        rc = -ESTALE;
    } else if (e->type != 'o') {
        rc = meta_fd(fd, (uid_t)e->uid, (gid_t)e->gid, e->mode, ts);
    } else {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (fchownat(fd, "", (uid_t)e->uid, (gid_t)e->gid, AT_EMPTY_PATH) != 0) rc = -errno;
        if (chmod(proc, e->mode & 07777) != 0 && !rc) rc = -errno;
        if (utimensat(AT_FDCWD, proc, ts, 0) != 0 && !rc) rc = -errno;
    }
    close(fd);
    return rc;
}

int warden_sweep_ftree_apply(int atfd, const char *name, const struct warden_sweep_ftree *t)
{
    int first = 0;
    for (size_t k = t->n; k-- > 0;) {
        const struct warden_sweep_fentry *e = &t->v[k];
        char *full = join(name, e->sub, e->sub_len);
        const char *last;
        int pfd = open_entry_parent(atfd, full, &last);
        int rc = pfd < 0 ? -errno : apply_one(pfd, last, e);
        if (pfd >= 0) close(pfd);
        free(full);
        if (rc && !first) first = rc;
    }
    return first;
}

static int copy_rec(int sdir, const char *src, int ddir, const char *dst, bool meta, int depth)
{
    struct stat sb;
    if (depth > MAX_DEPTH) return -ELOOP;
    if (fstatat(sdir, src, &sb, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    struct timespec ts[2] = {sb.st_atim, sb.st_mtim};
    if (S_ISREG(sb.st_mode)) {
        int in = warden_sweep_open_noatime(sdir, src);
        if (in < 0) return -errno;
        int out = openat(ddir, dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0) {
            int e = -errno;
            close(in);
            return e;
        }
        int rc = 0;
        char *buf = warden_xmalloc(1 << 17);
        for (;;) {
            ssize_t r = read(in, buf, 1 << 17);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                rc = -errno;
                break;
            }
            if (r == 0) break;
            for (ssize_t off = 0; off < r;) {
                ssize_t w = write(out, buf + off, (size_t)(r - off));
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) {
                    rc = -errno;
                    break;
                }
                off += w;
            }
            if (rc) break;
        }
        free(buf);
        close(in);
        if (fsync(out) != 0 && !rc) rc = -errno;
        if (!rc && meta) rc = meta_fd(out, sb.st_uid, sb.st_gid, sb.st_mode, ts);
        if (close(out) != 0 && !rc) rc = -errno;
        return rc;
    }
    if (S_ISLNK(sb.st_mode)) {
        char *tg = read_link(sdir, src, (size_t)sb.st_size);
        if (!tg) return -errno;
        int rc = symlinkat(tg, ddir, dst) == 0 ? 0 : -errno;
        free(tg);
        return rc || !meta ? rc : meta_link(ddir, dst, sb.st_uid, sb.st_gid, ts);
    }
    if (!S_ISDIR(sb.st_mode)) return -ENOTSUP; /* devices, fifos, sockets: not copied */
    if (mkdirat(ddir, dst, 0700) != 0) return -errno;
    int sfd = openat(sdir, src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int dfd = openat(ddir, dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int rc = 0;
    DIR *d = sfd >= 0 ? fdopendir(sfd) : NULL;
    if (!d || dfd < 0) {
        rc = -errno;
        if (sfd >= 0 && !d) close(sfd);
    } else {
        struct dirent *de;
        while (!rc && (de = readdir(d))) {
            const char *nm = de->d_name;
            if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) continue;
            rc = copy_rec(dirfd(d), nm, dfd, nm, true, depth + 1);
        }
    }
    if (d) closedir(d);
    if (dfd >= 0) {
        fsync(dfd);
        if (!rc && meta) rc = meta_fd(dfd, sb.st_uid, sb.st_gid, sb.st_mode, ts);
        close(dfd);
    }
    return rc;
}

int warden_sweep_copy_tree(int sdir, const char *src, int ddir, const char *dst, bool top_meta)
{
    return copy_rec(sdir, src, ddir, dst, top_meta, 0);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp((*(const struct warden_sweep_fentry *const *)a)->sub,
                  (*(const struct warden_sweep_fentry *const *)b)->sub);
}

struct subset {
    struct warden_sweep_fentry **idx;
    size_t n;
    char *why;
    size_t whylen;
};

static int subset_child(int dfd, const char *nm, const char *sub, void *arg, int depth);

static int subset_rec(int atfd, const char *name, const char *sub, const struct subset *ss,
                      int depth)
{
    struct stat sb;
    if (depth > MAX_DEPTH) return -ELOOP;
    if (fstatat(atfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT ? 0 : -errno;
    struct warden_sweep_fentry key = {.sub = (char *)sub}, *kp = &key;
    struct warden_sweep_fentry **hit = bsearch(&kp, ss->idx, ss->n, sizeof *ss->idx, cmp_entry);
    if (!hit || !same_type((*hit)->type, sb.st_mode)) {
        snprintf(ss->why, ss->whylen, "'%s' is not what the quarantine recorded", sub);
        return -EEXIST;
    }
    if (!S_ISDIR(sb.st_mode)) return 0;
    return each_child(atfd, name, sub, subset_child, (void *)ss, depth);
}

static int subset_child(int dfd, const char *nm, const char *sub, void *arg, int depth)
{
    return subset_rec(dfd, nm, sub, arg, depth);
}

int warden_sweep_ftree_subset(int atfd, const char *name, const struct warden_sweep_ftree *t,
                              char *why, size_t whylen)
{
    struct subset ss = {warden_xmalloc((t->n + 1) * sizeof *ss.idx), t->n, why, whylen};
    for (size_t i = 0; i < t->n; i++) ss.idx[i] = &t->v[i];
    qsort(ss.idx, ss.n, sizeof *ss.idx, cmp_entry);
    int rc = subset_rec(atfd, name, "", &ss, 0);
    free(ss.idx);
    return rc;
}

int warden_sweep_check_owner(int fd, const char *what, bool private_dir, char *err, size_t errlen)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", what, strerror(errno));
        return WARDEN_EIO;
    }
    if (sb.st_uid != geteuid() && sb.st_uid != 0) {
        snprintf(err, errlen, "%s is owned by uid %ld, not by you or root: refused", what,
                 (long)sb.st_uid);
        return WARDEN_EPERM;
    }
    if (sb.st_mode & (private_dir ? 077 : 022)) {
        snprintf(err, errlen, "%s has mode %04o (%s): refused", what, sb.st_mode & 07777,
                 private_dir ? "must be private to its owner" : "writable by others");
        return WARDEN_EPERM;
    }
    return 0;
}

static int remove_rec(int atfd, const char *name, int depth);

static int remove_child(int dfd, const char *nm, const char *sub, void *arg, int depth)
{
    (void)sub;
    (void)arg;
    return remove_rec(dfd, nm, depth);
}

static int remove_rec(int atfd, const char *name, int depth)
{
    if (depth > MAX_DEPTH) return -ELOOP;
    if (unlinkat(atfd, name, 0) == 0) return 0;
    if (errno != EISDIR && errno != EPERM) return errno == ENOENT ? 0 : -errno;
    int rc = each_child(atfd, name, "", remove_child, NULL, depth);
    if (rc) return rc;
    return unlinkat(atfd, name, AT_REMOVEDIR) == 0 ? 0 : -errno;
}

int warden_sweep_remove_tree(int atfd, const char *name)
{
    return remove_rec(atfd, name, 0);
}

int warden_sweep_move_tree(int sdir, const char *src, int ddir, const char *dst,
                           const struct warden_sweep_ftree *t, char *why, size_t whylen)
{
    if (renameat(sdir, src, ddir, dst) == 0) return 0;
    if (errno != EXDEV) {
        int e = errno;
        snprintf(why, whylen, "rename: %s", strerror(e));
        return -e;
    }
    int rc = warden_sweep_copy_tree(sdir, src, ddir, dst, true);
    if (rc) {
        snprintf(why, whylen, "copy across filesystems: %s", strerror(-rc));
        warden_sweep_remove_tree(ddir, dst);
        return rc;
    }
    if ((rc = warden_sweep_ftree_verify(ddir, dst, t, false, why, whylen))) {
        warden_sweep_remove_tree(ddir, dst);
        return rc;
    }
    if ((rc = warden_sweep_remove_tree(sdir, src))) {
        snprintf(why, whylen, "copied, but removing the original failed: %s", strerror(-rc));
        return rc;
    }
    return 0;
}
