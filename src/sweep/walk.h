/* walk.h — a parallel, bounded, symlink-safe directory walk.
 *
 * The sweep must look at every file of a machine quickly, without ever
 * leaving the scanned root: symlinks are reported but never followed, each
 * directory is opened beneath the root with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) (plain openat+O_NOFOLLOW when the kernel lacks it),
 * pseudo-filesystems (proc, sysfs, cgroup, devpts, ...) are skipped, and an
 * optional depth bound stops descent. Directories are shared between worker
 * threads through one queue; the callback runs concurrently and decides, for
 * each directory entry, whether to descend. Entries that vanish between
 * listing and use are counted, not errors; unreadable directories are
 * recorded with their errno and the walk goes on. */
#ifndef WARDEN_SWEEP_WALK_H
#define WARDEN_SWEEP_WALK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum warden_walk_type { WARDEN_WALK_FILE, WARDEN_WALK_DIR, WARDEN_WALK_LINK, WARDEN_WALK_OTHER };

struct warden_walk_entry {
    const char *rel; /* path relative to the root, no leading '/', NUL-terminated */
    size_t rel_len;
    const char *name; /* last component (points into rel) */
    size_t name_len;
    enum warden_walk_type type;
    int depth;  /* 1 for entries directly in the root */
    int dirfd;  /* open directory holding the entry (valid during the call) */
    int worker; /* 0..threads-1 */
};

enum warden_walk_verdict { WARDEN_WALK_CONTINUE = 0, WARDEN_WALK_PRUNE = 1 };

struct warden_walk_error {
    char *rel; /* "" for the root itself */
    int err;   /* errno */
};

struct warden_walk_stats {
    uint64_t files, dirs, links, other;
    uint64_t vanished;              /* entries that disappeared mid-walk */
    uint64_t skipped_fs;            /* pseudo-filesystem mount points not entered */
    uint64_t errors;                /* directories that could not be read */
    struct warden_walk_error *errv; /* the first up to 1000 errors */
    size_t n_errv;
};

struct warden_walk_opts {
    int threads;   /* 0: a default from the CPU count */
    int max_depth; /* 0: unbounded */
    /* Called for every entry, concurrently from several threads. For a
     * directory, PRUNE stops descent into it. May be NULL (count only). */
    enum warden_walk_verdict (*entry)(void *ctx, const struct warden_walk_entry *e);
    /* Test hook: called (on a worker) just before a directory is opened. */
    void (*before_open)(void *hook_ctx, const char *rel);
    void *ctx, *hook_ctx;
};

/* Walk the tree under root. Returns 0 (per-directory problems are in stats)
 * or WARDEN_EIO when the root itself cannot be opened. Free stats with
 * warden_walk_stats_fini. */
int warden_walk(const char *root, const struct warden_walk_opts *o, struct warden_walk_stats *st);
void warden_walk_stats_fini(struct warden_walk_stats *st);
/* Open rel (a directory or file) beneath rootfd without following symlinks:
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), or, where the kernel lacks
 * it (or WARDEN_NO_OPENAT2 is set, for the tests), one component at a time
 * with O_NOFOLLOW and ".." refused. */
int warden_walk_open_beneath(int rootfd, const char *rel, int flags);
/* Whether a statfs f_type is a pseudo-filesystem the walk never enters. */
bool warden_walk_pseudo_fs(long f_type);

#endif
