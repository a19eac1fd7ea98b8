/* snapshot.h — an engine shard's state in a snapshot (the runtime's
 * warden_runtime_save/load write and read the whole file, runtime.h).
 *
 * What one shard's section holds, in this order:
 *   - its newest event time;
 *   - its cluster ids (strings; accounts refer to them by position);
 *   - the verdicts of its actioned accounts: account, organisation, action,
 *     score, reasons (codes as strings), cluster id, first action, events;
 *   - the de-duplication window (both generations of request-id hashes);
 *   - every tracked account, least recently seen first: the engine's header
 *     (hash, action, events, newest time, score), its recent finding codes
 *     (strings) and cluster, its id when the engine keeps ids, and each
 *     detector's slice as raw bytes, in the order of the detector list.
 * The detector list (name, state_size, state_version) is written once per
 * file (warden_engine_snap_dets); reading it against the running detectors
 * decides, per saved slice, whether it is copied (same name, size and
 * version, or the size and version the detector's slice grew from at its
 * end: copied into its start) or skipped (another size or version: the slice starts zeroed,
 * with one warning; a detector not running: skipped silently), and warns
 * once about each running detector the snapshot does not have.
 *
 * Loading goes into engines that have processed nothing. With the same
 * shard count a saved shard goes into the engine of the same index and is
 * restored exactly (a save after a load writes the same bytes); with
 * another count every account and verdict goes to the engine its account
 * hash picks (warden_runtime_shard_index) and the de-duplication window is
 * given to every engine. Reason codes are matched to the running
 * detectors' declared codes; a code none declares is kept as a copy. */
#ifndef WARDEN_ENGINE_SNAPSHOT_H
#define WARDEN_ENGINE_SNAPSHOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_engine;
struct warden_detector;
struct warden_snapwriter;
struct warden_snapreader;

/* How the saved detector slices map onto the running engine. */
struct warden_snap_det {
    uint32_t size;  /* bytes of the slice in the file */
    int64_t offset; /* in the running engine's account slot; -1: skip */
};
struct warden_snap_dets {
    struct warden_snap_det *d;
    size_t n;
};

/* The detector list of e (every shard runs the same). */
void warden_engine_snap_dets(const struct warden_engine *e, struct warden_snapwriter *w);
/* Read a detector list against e's detectors; warnings on stderr unless
 * quiet. Free with warden_engine_snap_dets_free. */
void warden_engine_snap_read_dets(const struct warden_engine *e, struct warden_snapreader *r,
                                  struct warden_snap_dets *out, bool quiet);
void warden_engine_snap_dets_free(struct warden_snap_dets *m);

/* One shard's state (the section is the caller's). Returns accounts written. */
uint64_t warden_engine_snap_save(struct warden_engine *e, struct warden_snapwriter *w);
/* Read one saved shard into es[0..m-1] (m == 1: exactly into es[0]; else by
 * account hash). Errors go to the reader (warden_snap_failed). Returns
 * accounts read. */
uint64_t warden_engine_snap_load(struct warden_engine *const *es, size_t m,
                                 const struct warden_snap_dets *dets, struct warden_snapreader *r);

/* The detectors an engine runs, with their contexts (for their save/load
 * hooks). */
size_t warden_engine_n_detectors(const struct warden_engine *e);
const struct warden_detector *warden_engine_detector(const struct warden_engine *e, size_t i,
                                                     void **ctx);
int64_t warden_engine_now(const struct warden_engine *e);

#endif
