/* manifest.h — the quarantine manifest, read and validated before restore acts.
 *
 * Restore runs as root and must not be turned against the machine by a
 * manifest, whoever wrote it. Every field is checked here, before anything on
 * disk is touched: the root is absolute and every item, created file and
 * directory lies strictly beneath it (paths are kept relative to the root and
 * contain no empty, "." or ".." component); every entry below an item has a
 * relative path whose parent is an earlier directory entry of that item;
 * types are f/d/l/o and agree with the mode's file-type bits; owners fit a
 * uid_t; files carry a SHA-256 and symlinks a target; a created file's
 * directories and top parent are its ancestors. Unknown states, duplicate
 * ids and duplicate entries are refused. The MAC (mac.h) is checked by the
 * caller; this parser is also what the fuzz harness drives. */
#ifndef WARDEN_SWEEP_MANIFEST_H
#define WARDEN_SWEEP_MANIFEST_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep/fsops.h"

#define WARDEN_SWEEP_MANIFEST_VERSION 2
#define WARDEN_SWEEP_MANIFEST_FORMAT "warden.sweep.quarantine"

enum warden_sweep_mstate {
    WARDEN_SWEEP_PENDING, /* recorded, not (known to be) moved: an interrupted quarantine */
    WARDEN_SWEEP_MOVED,   /* in DIR/data/ID */
    WARDEN_SWEEP_FAILED,  /* never left its place */
    WARDEN_SWEEP_RESTORED,
};

struct warden_sweep_mitem {
    long id;                        /* also its name in DIR/data */
    char *rel;                      /* path below the root */
    const char *tool;               /* borrowed from the JSON */
    enum warden_sweep_mstate state; /* updated by restore */
    bool wrapper;
    int64_t parent_atime_ns, parent_mtime_ns;
    struct warden_sweep_ftree tree;
    json_t *obj; /* the item's JSON object (borrowed), to record its state */
};

struct warden_sweep_mcreated {
    char *rel; /* the file, below the root */
    char sha256[65];
    const char *tool; /* borrowed */
    char **dirs;      /* directories created for it, outermost first, below the root */
    size_t ndirs;
    char *top_parent; /* below the root ("" for the root itself) */
    int64_t top_atime_ns, top_mtime_ns;
    bool done; /* removed (or found changed and left) by restore */
};

struct warden_sweep_manifest {
    json_t *json; /* owned reference */
    char *root;   /* absolute, no trailing '/' unless "/" */
    struct warden_sweep_mitem *items;
    size_t n_items;
    struct warden_sweep_mcreated *created;
    size_t n_created;
};

/* Validate m (a reference is taken) into out. 0, or WARDEN_EFORMAT with the
 * first problem in err; out is always safe to pass to _fini. */
int warden_sweep_manifest_parse(json_t *m, struct warden_sweep_manifest *out, char *err,
                                size_t errlen);
void warden_sweep_manifest_fini(struct warden_sweep_manifest *mf);
const char *warden_sweep_mstate_name(enum warden_sweep_mstate s);
/* Whether p[0..n) is a clean relative path: non-empty, no leading or
 * trailing '/', no empty, "." or ".." component, no NUL. */
bool warden_sweep_rel_ok(const char *p, size_t n);

#endif
