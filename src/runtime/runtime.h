/* runtime.h — the pipeline, wired once: configuration → policy, IP
 * intelligence, registry and screening → engine shards → sinks, with event
 * time.
 *
 *   sources (io/source.h) ─► decode ─► reorder buffer ─► engine shard ─► sinks (io/sink.h)
 *                            rejects   (watermark)       (by account     findings, actions,
 *                            ─► sinks                     hash)           verdicts, rejects
 *
 * Every command that runs detection goes through here: `warden scan` and
 * `warden backtest` (runtime/scan.c), the benchmarks, and later the HTTP
 * server and the Kafka workers; only the sources and sinks differ.
 *
 * Event time. Events need not arrive in time order (several gateway nodes,
 * files or partitions interleave; clocks skew). warden_runtime_run() merges
 * its inputs by timestamp and holds events in a bounded reorder buffer
 * until the watermark — the newest timestamp seen minus the allowed
 * lateness (default 60 s) — passes them, so detectors see each account's
 * events in event time. An event older than what was already released is
 * late: it is still counted for its account and seen by detectors that keep
 * no windows, flagged ev->late so windowed state ignores it, and counted
 * ("runtime.late") in the summary. When the buffer holds more than its byte
 * limit, the oldest events are released early ("runtime.reorder_forced").
 * warden_runtime_decide() processes one event at once (inline decisions);
 * it flags an event late when it is older than the watermark.
 *
 * Shards. Account state is partitioned by account hash over `shards`
 * engines; each shard owns its accounts, detector contexts and counters, so
 * a worker thread per shard needs no locks. State keyed by something other
 * than the account (networks, payment fingerprints, template sketches) is
 * shared by the shards of a process when a detector asks for it (one slot
 * per detector handed to every shard, detector.h share(); the detector
 * locks); across machines it belongs to a linking stage keyed by that
 * identifier, whose cluster membership flows back to the shards through
 * warden_emit_set_cluster(). */
#ifndef WARDEN_RUNTIME_RUNTIME_H
#define WARDEN_RUNTIME_RUNTIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/counters.h"
#include "core/event.h"
#include "core/verdict.h"
#include "io/sink.h"
#include "io/source.h"

struct warden_policy;
struct warden_engine;
struct warden_detector;
struct warden_review_allow;

struct warden_runtime_conf {
    const char *policy_path;   /* NULL: built-in policy */
    const char *accounts_path; /* may be NULL */
    const char *orgs_path;     /* may be NULL */
    size_t max_accounts;       /* per shard; 0 = default */
    size_t dedup_window;       /* 0 = default */
    size_t max_line;           /* longest accepted line; 0 = default */
    bool keep_ids;             /* for every-account verdicts */
    int64_t lateness_ms;       /* allowed lateness; < 0 = default (60 s) */
    size_t reorder_max_bytes;  /* 0 = default (256 MiB) */
    /* Whether warden_runtime_run() sorts an input by time before running it
     * (sorter.h): auto (the default) sorts a regular file found out of
     * order beyond the lateness, sort every input, stream none. */
    int order;               /* enum warden_order */
    size_t sort_memory;      /* lines held per chunk while sorting; 0 = 256 MiB */
    const char *sort_tmpdir; /* runs written there; NULL: $TMPDIR, else /tmp */
    unsigned shards;         /* 0 = 1 */
    bool quiet;              /* no informational messages on stderr */
    bool lenient_codes;      /* a rule matching no detector's reason code only warns */
    /* Inline decisions (warden_runtime_decide, _decide_shard): after about
     * this many events the runtime logs once which optional event fields
     * none of them carried and what goes without each (coverage.h); 0 =
     * never. A shard's share: the first shard to judge field_notice_events /
     * shards events reports from its own counters. */
    uint64_t field_notice_events;
    /* (account, reason) pairs dismissed on review (policy/review_allow.h),
     * handed to the policy; not owned; may be NULL. */
    const struct warden_review_allow *review_allow;
    /* Detectors to run instead of the registry's (tests, embedders); NULL = registry. */
    const struct warden_detector *const *detectors;
    size_t n_detectors;
};

#define WARDEN_RUNTIME_DEFAULT_LATENESS_MS 60000
#define WARDEN_RUNTIME_DEFAULT_REORDER_BYTES ((size_t)256 << 20)

struct warden_runtime;

/* Load everything the configuration names and build the shards. Returns 0,
 * WARDEN_ECONFIG (policy, lists, registry: err says which and where) or
 * another WARDEN_E* code. */
int warden_runtime_new(struct warden_runtime **out, const struct warden_runtime_conf *conf,
                       char *err, size_t errlen);
void warden_runtime_free(struct warden_runtime *rt);
const struct warden_policy *warden_runtime_policy(const struct warden_runtime *rt);
/* Add a sink; the runtime takes ownership of self (freed with the runtime). */
void warden_runtime_add_sink(struct warden_runtime *rt, const struct warden_sink_type *type,
                             void *self);

/* One decoded event now (inline): process it and fill in its decision.
 * Returns false for a duplicate request. */
bool warden_runtime_decide(struct warden_runtime *rt, struct warden_event *ev,
                           struct warden_decision *d);

/* Concurrent inline decisions (the HTTP server). The shard an event belongs
 * to, by account hash; then warden_runtime_decide_shard() processes it on
 * that shard with that shard's own watermark, touching nothing another
 * shard uses. Calls for one shard must be serialised by the caller (a lock
 * or a thread per shard); calls for different shards may run at once, as
 * long as the runtime has no sinks (sinks are shared). */
size_t warden_runtime_shard_index(const struct warden_runtime *rt, const struct warden_event *ev);
bool warden_runtime_decide_shard(struct warden_runtime *rt, size_t shard, struct warden_event *ev,
                                 struct warden_decision *d);

/* Flush one detector on one shard (warden_engine_flush_detector), serialised
 * with that shard's decisions by the caller: the Kafka worker applies the
 * linking stage's notices this way (link/remote.h). */
void warden_runtime_flush_detector(struct warden_runtime *rt, size_t shard,
                                   const struct warden_detector *d);

/* Lift an account's action on its shard (warden_engine_lift), e.g. after a
 * dismissal on review; serialised with that shard's decisions by the caller. */
void warden_runtime_lift_shard(struct warden_runtime *rt, size_t shard, const char *account_id,
                               size_t len);

struct warden_progress {
    const char *origin; /* input being read */
    uint64_t pos, size; /* bytes of it read and in all (0 unknown) */
    uint64_t events;    /* events processed so far */
    uint64_t accounts;  /* accounts tracked */
    bool done;          /* the input is finished */
};
typedef void (*warden_progress_fn)(void *ctx, const struct warden_progress *p);

/* Read every input of a source type (n names: paths, "-", ...) merged by
 * event time, decode, report bad lines to the sinks, process. progress (may
 * be NULL) is called now and then and at the end of each input. Returns 0,
 * or WARDEN_EIO with err set when an input cannot be opened or read. */
int warden_runtime_run(struct warden_runtime *rt, const struct warden_source_type *type,
                       const char *const *inputs, size_t n, warden_progress_fn progress, void *pctx,
                       char *err, size_t errlen);
/* End of input: flush detectors, give the sinks every verdict sorted by
 * account id (with keep_ids, an allow verdict for every other account
 * seen), and commit them. Returns 0 or the first sink's error.
 *
 * Verdict memory. The engines keep one verdict per actioned account (its
 * action, reasons, first action, account id), beside the account table and
 * surviving an account's eviction from it, so that an evicted account is
 * still actioned when it comes back and still in verdicts.jsonl. That is
 * bounded by the accounts actioned, not by events or accounts seen: about
 * 480 bytes each with its id (bench_scan prints the figure), 48 MB for
 * 100,000 actioned accounts. They are not spilled to the store (cases.db
 * has them too, but the end-of-run list is built from memory). */
int warden_runtime_finish(struct warden_runtime *rt, char *err, size_t errlen);

/* Counters of every shard and of the runtime, summed by name. */
void warden_runtime_counters(const struct warden_runtime *rt, struct warden_counters *out);
size_t warden_runtime_n_shards(const struct warden_runtime *rt);
const struct warden_engine *warden_runtime_shard(const struct warden_runtime *rt, size_t i);
/* The IP table and the restricted-party lists the runtime loaded (read-only;
 * the lists are NULL when no registry was screened): what a run's key names
 * besides its inputs and policy (runtime/scan.c). */
struct warden_intel;
struct warden_screen;
const struct warden_intel *warden_runtime_intel(const struct warden_runtime *rt);
const struct warden_screen *warden_runtime_screen(const struct warden_runtime *rt);

/* ---- state snapshots (core/snapio.h has the file format) ----
 *
 * A snapshot holds what the runtime needs to go on deciding as if it had
 * never stopped: every shard's accounts, verdicts, clusters and
 * de-duplication window (engine/snapshot.h), the detectors' cross-account
 * contexts (their save/load hooks; one shared by the shards, such as the
 * link state, once), the watermarks, and a caller's 64-bit position. It
 * never holds prompt text: per-account state is sketches, hashes and
 * counts. Counters are not kept (they count what this process did).
 *
 * Held events: saving first releases every event the reorder buffer holds
 * to its shard (as the end of a run does). Keeping them would write their
 * string values (prompts among them) into the file; releasing them early
 * only costs what a full buffer costs, a late event later being flagged.
 *
 * Loading goes into a runtime that has processed nothing. A snapshot made
 * with N shards loads into M: accounts are re-partitioned by account hash;
 * per-shard detector contexts (not shared) are then dropped with a warning.
 * The file is read twice: once to check every block's checksum and that it
 * ends where it should, then to apply it, so a truncated or corrupted file
 * is refused (WARDEN_EFORMAT, with the reason in err) before any state
 * changes. Should a checked file still be malformed inside (a bug, a
 * forged checksum), the error is returned and the runtime must be freed.
 * f must be seekable (a file, fmemopen).
 *
 * The state was decided under the policy of the runtime that saved it;
 * loading decides every held verdict again under this runtime's rules
 * (warden_engine_rederive): a rule relaxed since lowers the accounts it had
 * actioned, a stricter one raises them, each change through the sinks as an
 * action change; the same rules change nothing. */
struct warden_runtime_snapinfo {
    uint64_t position; /* opaque, the caller's (a Kafka offset): saved, returned on load */
    int64_t newest_ms; /* out: newest event time seen (the watermark is this - lateness) */
    unsigned shards;   /* out: shards the snapshot was made with */
    uint64_t accounts; /* out: accounts written or read */
    uint64_t bytes;    /* out: bytes written (save) */
    /* save: called before and after each shard's copy (lock = true, then
     * false), e.g. to hold the shard's lock; may be NULL. */
    void (*lock_shard)(void *ctx, size_t shard, bool lock);
    void *lock_ctx;
    /* One shard alone (the Kafka worker's partition hand-off): save writes
     * only shard `shard` (its accounts, verdicts, de-duplication window,
     * watermark and its own detector contexts, as a 1-shard snapshot, but
     * not the contexts the shards share, such as the link state); load
     * reads such a file into shard `shard`, which must have processed
     * nothing, and leaves the other shards and the runtime's watermark. */
    bool one_shard;
    unsigned shard;
};
int warden_runtime_save(struct warden_runtime *rt, FILE *f, char *err, size_t errlen);
int warden_runtime_load(struct warden_runtime *rt, FILE *f, char *err, size_t errlen);
int warden_runtime_save_ex(struct warden_runtime *rt, FILE *f, struct warden_runtime_snapinfo *info,
                           char *err, size_t errlen);
int warden_runtime_load_ex(struct warden_runtime *rt, FILE *f, struct warden_runtime_snapinfo *info,
                           char *err, size_t errlen);
/* Atomically: a temporary file in the same directory, fsync, rename over
 * path, fsync the directory; a crash leaves the old file or the new one. */
int warden_runtime_save_file(struct warden_runtime *rt, const char *path, char *err, size_t errlen);
int warden_runtime_save_file_ex(struct warden_runtime *rt, const char *path,
                                struct warden_runtime_snapinfo *info, char *err, size_t errlen);
/* WARDEN_ENOENT (err set) when path does not exist; errors name the file. */
int warden_runtime_load_file(struct warden_runtime *rt, const char *path, char *err, size_t errlen);
int warden_runtime_load_file_ex(struct warden_runtime *rt, const char *path,
                                struct warden_runtime_snapinfo *info, char *err, size_t errlen);
/* After a load: the accounts whose action the load decided again under this
 * runtime's policy (the state was saved under other rules:
 * warden_engine_rederive), and how many were raised and lowered. A load logs
 * them as a warning unless the runtime is quiet. */
size_t warden_runtime_rederived(const struct warden_runtime *rt, size_t *raised, size_t *lowered);

/* The account/organisation registry the runtime loaded, or NULL. */
struct warden_registry;
const struct warden_registry *warden_runtime_registry(const struct warden_runtime *rt);

#endif
