/* fsops.h — careful file-tree primitives for quarantine and restore.
 *
 * Moving other people's files as root must not be redirected by a symlink
 * planted in a parent directory, must keep every byte and attribute, and must
 * work across filesystems. These helpers open parents beneath "/" without
 * following symlinks, record a tree's metadata and checksums, copy a tree
 * with its owners, modes and times, and remove a tree without following
 * symlinks. */
#ifndef WARDEN_SWEEP_FSOPS_H
#define WARDEN_SWEEP_FSOPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct warden_sweep_fentry {
    char *sub; /* path below the item ("" for the item itself), raw bytes */
    size_t sub_len;
    char type; /* 'f' file, 'd' directory, 'l' symlink, 'o' other */
    unsigned mode;
    long uid, gid;
    int64_t atime_ns, mtime_ns;
    uint64_t size;
    char sha256[65]; /* files only, else "" */
    char *target;    /* symlinks only */
};

struct warden_sweep_ftree {
    struct warden_sweep_fentry *v; /* pre-order: a directory before its contents */
    size_t n;
};

/* Open the directory holding abs (an absolute path) without following any
 * symlink on the way; *name points at abs's last component. -1 and errno on
 * failure. */
int warden_sweep_open_parent(const char *abs, const char **name);
/* Record name in atfd and everything beneath it (checksums read with
 * O_NOATIME). 0 or -errno. */
int warden_sweep_ftree_scan(int atfd, const char *name, struct warden_sweep_ftree *t);
void warden_sweep_ftree_fini(struct warden_sweep_ftree *t);
/* Check the tree at name in atfd against t (types, sizes, checksums, link
 * targets; with meta also owners and modes); 0, or -EIO with the first
 * difference in why. */
int warden_sweep_ftree_verify(int atfd, const char *name, const struct warden_sweep_ftree *t,
                              bool meta, char *why, size_t whylen);
/* Whether everything at name in atfd (what is left of a tree an interrupted
 * move was deleting) is listed in t with the same type; 0, or -EEXIST with
 * the first stranger in why. */
int warden_sweep_ftree_subset(int atfd, const char *name, const struct warden_sweep_ftree *t,
                              char *why, size_t whylen);
/* Apply t's owners, modes and times to the tree at name in atfd, deepest
 * entries first, each through a descriptor of the object opened without
 * following symlinks and checked to be of the recorded type. 0 or -errno. */
int warden_sweep_ftree_apply(int atfd, const char *name, const struct warden_sweep_ftree *t);
/* Copy the tree src (in sdir) to dst (in ddir, must not exist), keeping
 * owners, modes and times, each set through the new object's descriptor; the
 * top's own metadata only with top_meta (else it stays root's, 0700/0600, so
 * nobody else can reach inside until the caller has checked it). 0 or -errno. */
int warden_sweep_copy_tree(int sdir, const char *src, int ddir, const char *dst, bool top_meta);
/* Whether fd (a quarantine directory, manifest, or data directory) can be
 * trusted: owned by the invoking user or root and writable by nobody else
 * (private_dir: no access at all for others). 0, or WARDEN_EPERM/EIO with
 * the reason, naming `what`, in err. */
int warden_sweep_check_owner(int fd, const char *what, bool private_dir, char *err, size_t errlen);
/* Nanoseconds since the epoch as a timespec (tv_nsec in 0..999999999). */
struct timespec warden_sweep_ts(int64_t ns);
/* Remove a tree without following symlinks. 0 or -errno. */
int warden_sweep_remove_tree(int atfd, const char *name);
/* Move src (in sdir) to dst (in ddir): rename, or copy + verify against t +
 * remove when they are on different filesystems. 0 or -errno. */
int warden_sweep_move_tree(int sdir, const char *src, int ddir, const char *dst,
                           const struct warden_sweep_ftree *t, char *why, size_t whylen);

#endif
