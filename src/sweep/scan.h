/* scan.h — `warden sweep`: find the footprints of catalogued tools under a root.
 *
 * One parallel walk of the root; every entry goes through the matcher; a
 * match is verified (package.json name, magic bytes, symlink target) and
 * described (version, size, owner, mode, atime/mtime). A matched directory is
 * not descended by the walk: it is measured by a private recursive pass that
 * also reports the footprints nested in it (a credential inside ~/.claude).
 * Files that may export API keys are read line by line for variable names
 * only. Credential files are never opened. */
#ifndef WARDEN_SWEEP_SCAN_H
#define WARDEN_SWEEP_SCAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sweep/catalogue.h"
#include "sweep/users.h"
#include "sweep/walk.h"

struct warden_sweep_envhit {
    int tool;
    char *var;
    int line;
};

struct warden_sweep_item {
    int tool, fp; /* fp = -1 for an env-file hit */
    enum warden_sweep_kind kind;
    char *rel; /* relative to the root, no leading '/' */
    enum warden_walk_type type;
    uint64_t size;        /* bytes; for a directory, everything beneath */
    uint64_t nfiles;      /* 1 for a file; entries beneath for a directory */
    int64_t atime, mtime; /* seconds; for a directory, the latest beneath */
    unsigned mode;
    long uid, gid;
    char *version;                   /* or NULL */
    char *link_target;               /* or NULL */
    struct warden_sweep_envhit *env; /* variables set (names and lines only) */
    size_t n_env;
    int user;    /* index into users, -1 for system */
    bool nested; /* inside another finding's directory */
};

struct warden_sweep_opts {
    const char *root;
    const char *users; /* NULL or "all", or one name */
    const char *os;    /* catalogue OS; NULL for linux */
    int threads, max_depth;
    bool exec_version;    /* run found binaries with --version (execver.h) */
    const char *skip_abs; /* an absolute path never to enter (the quarantine), or NULL */
    /* test hook, passed to the walk */
    void (*before_open)(void *ctx, const char *rel);
    void *hook_ctx;
};

struct warden_sweep_result {
    char *root; /* canonical absolute root */
    struct warden_sweep_users users;
    struct warden_sweep_item *items; /* sorted by user, tool, path */
    size_t n_items;
    struct warden_walk_stats walk;
    double seconds;
};

/* Run a sweep. Returns 0, WARDEN_EIO (root unreadable) or WARDEN_ENOENT
 * (--users NAME has no home under root), with a message in err. */
int warden_sweep_run(const struct warden_sweep_catalogue *c, const struct warden_sweep_opts *o,
                     struct warden_sweep_result **out, char *err, size_t errlen);
void warden_sweep_result_free(struct warden_sweep_result *r);

#endif
