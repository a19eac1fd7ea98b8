/* stats.h — the server's own measurements, internal to serve/: requests by
 * endpoint and status, the latency histogram (atomics, shared by every HTTP
 * thread) and per-shard decision counts by action and reason (plain
 * integers, written under the shard's lock). metrics.c renders them with
 * the engine's named counters as Prometheus text. */
#ifndef WARDEN_SERVE_STATS_H
#define WARDEN_SERVE_STATS_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "core/counters.h"
#include "core/verdict.h"
#include "serve/case_writer.h"

enum warden_serve_ep {
    WSE_DECIDE,
    WSE_EVENTS,
    WSE_AUTHZ,
    WSE_EXT_AUTHZ,
    WSE_HEALTH,
    WSE_READY,
    WSE_METRICS,
    WSE_RELOAD,
    WSE_CASES,
    WSE_CONSOLE,
    WSE_SCREEN,
    WSE_LITELLM,
    WSE_OTHER,
    WSE_N
};
extern const char *const warden_serve_ep_names[WSE_N];

#define WARDEN_SERVE_N_CODES 11
extern const unsigned warden_serve_codes[WARDEN_SERVE_N_CODES]; /* last: any other */
#define WARDEN_SERVE_N_BUCKETS 12
extern const double warden_serve_buckets[WARDEN_SERVE_N_BUCKETS]; /* seconds */

struct warden_serve_stats {
    atomic_uint_fast64_t requests[WSE_N][WARDEN_SERVE_N_CODES];
    atomic_uint_fast64_t lat_bucket[WARDEN_SERVE_N_BUCKETS + 1]; /* last: +Inf */
    atomic_uint_fast64_t lat_count, lat_sum_ns;
    atomic_uint_fast64_t reloads_ok, reloads_failed;
    /* accounts a reload decided again under the new rules, by direction */
    atomic_uint_fast64_t rederived_raised, rederived_lowered;
    /* shard locks (lockwait.c): takers that found the lock held, the time
     * they waited, the longest single wait */
    atomic_uint_fast64_t lock_contended, lock_wait_ns, lock_wait_max_ns;
    /* background snapshots (snapshots.c): the pause with every shard lock
     * held (the cut), last and longest; snapshots written and failed */
    atomic_uint_fast64_t snap_pause_last_ns, snap_pause_max_ns, snaps_ok, snaps_failed;
};

/* Take a shard lock; a taker that finds it held is counted and its wait
 * timed (the uncontended path reads no clock). stats may be NULL. */
void warden_serve_lock_shard(struct warden_serve_stats *s, pthread_mutex_t *m);
/* Raise *max to v when v is larger. */
void warden_serve_stat_max(atomic_uint_fast64_t *max, uint64_t v);

#define WARDEN_SERVE_MAX_REASONS 64
struct warden_serve_shard_stats {
    uint64_t decisions[4];                        /* by enforced action */
    const char *reason[WARDEN_SERVE_MAX_REASONS]; /* static codes, by pointer */
    uint64_t reason_n[WARDEN_SERVE_MAX_REASONS];
    unsigned n_reasons;
};

void warden_serve_stats_request(struct warden_serve_stats *s, enum warden_serve_ep ep,
                                unsigned code, uint64_t ns);
void warden_serve_shard_stats_add(struct warden_serve_shard_stats *s,
                                  const struct warden_decision *d);

/* Everything /metrics shows, gathered by the server under its locks. */
struct warden_serve_snapshot {
    const struct warden_serve_stats *stats;
    struct warden_serve_shard_stats shards; /* summed */
    struct warden_counters counters;        /* runtime and engines, by name */
    uint64_t accounts_tracked, in_flight;
    bool has_cases;                        /* the case writer runs (cases_record) */
    struct warden_case_writer_stats cases; /* its counts */
};
void warden_serve_metrics_render(FILE *out, const struct warden_serve_snapshot *snap);

#endif
