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
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
 * targets); 0, or -EIO with the first difference in why. */
int warden_sweep_ftree_verify(int atfd, const char *name, const struct warden_sweep_ftree *t,
                              char *why, size_t whylen);
/* Apply t's owners, modes and times to the tree at name in atfd, deepest
 * entries first. 0 or -errno. */
int warden_sweep_ftree_apply(int atfd, const char *name, const struct warden_sweep_ftree *t);
/* Copy the tree src (in sdir) to dst (in ddir, must not exist), keeping
 * owners, modes and times. 0 or -errno. */
int warden_sweep_copy_tree(int sdir, const char *src, int ddir, const char *dst);
/* Remove a tree without following symlinks. 0 or -errno. */
int warden_sweep_remove_tree(int atfd, const char *name);
/* Move src (in sdir) to dst (in ddir): rename, or copy + verify against t +
 * remove when they are on different filesystems. 0 or -errno. */
int warden_sweep_move_tree(int sdir, const char *src, int ddir, const char *dst,
                           const struct warden_sweep_ftree *t, char *why, size_t whylen);

#endif
