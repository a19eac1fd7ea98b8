/* engine.h — one worker of the pipeline: event → enrichment → detectors → policy.
 *
 * One engine is one shard: it owns its account table, its detectors' mutable
 * contexts, its counters and the verdicts of its actioned accounts; the
 * policy, IP table, registry and screening it reads are shared and
 * read-only. The runtime (runtime/) decodes events, puts them in event-time
 * order and hands each to warden_engine_decide(), which returns the event's
 * decision; findings and action changes go to the sink callbacks as they
 * happen. warden_engine_drain() flushes every detector synchronously, so
 * tests can check results without sleeping.
 *
 * Detectors may emit findings for an account other than the current event's
 * (and from flush(), where there is no event) and set an account's cluster
 * id (detector.h). Such a finding is handled like any other: the policy
 * decides, the verdict records it, the sinks see it with the account's
 * cluster id. An account named that way that this engine does not track is
 * admitted; with several shards it must belong to this shard (runtime.h). */
#ifndef WARDEN_ENGINE_ENGINE_H
#define WARDEN_ENGINE_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counters.h"
#include "core/event.h"
#include "core/verdict.h"
#include "policy/policy.h"

struct warden_intel;
struct warden_registry;
struct warden_org_screening;
struct warden_detector;

struct warden_sinks {
    void (*finding)(void *ctx, const struct warden_finding *f);
    void (*action)(void *ctx, const struct warden_action_change *c);
    void *ctx;
    void (*cluster)(void *ctx, const struct warden_cluster_record *c); /* may be NULL */
};

struct warden_engine_opts {
    const struct warden_policy *policy;           /* required */
    const struct warden_intel *intel;             /* may be NULL: no IP enrichment */
    const struct warden_registry *registry;       /* may be NULL */
    const struct warden_org_screening *screening; /* may be NULL: no restricted-party checks */
    size_t max_accounts;                          /* account table capacity; 0 = default */
    size_t dedup_window; /* request ids remembered for de-duplication; 0 = default */
    bool keep_ids;       /* remember every tracked account's id, for warden_engine_all_verdicts */
    struct warden_sinks sinks;
    /* The detectors to run; NULL: the registry's, as the policy enables them.
     * A detector given here gets the policy's settings for its name, if any. */
    const struct warden_detector *const *detectors;
    size_t n_detectors;
    /* Several shards: one slot per detector (its position in the list run),
     * the same array for every shard, for detectors' share() hook; NULL:
     * nothing is shared. */
    void **shared;
};

#define WARDEN_ENGINE_DEFAULT_ACCOUNTS 1000000
#define WARDEN_ENGINE_DEFAULT_DEDUP 1000000

struct warden_engine_stats {
    uint64_t events, duplicates, late, findings, accounts_tracked, accounts_evicted,
        accounts_actioned;
    uint64_t actions[4]; /* accounts by strongest action */
    size_t account_slot_bytes, account_table_bytes;
};

struct warden_engine;

/* Returns 0, or an error code with a reason in err (a detector failed to start). */
int warden_engine_new(struct warden_engine **out, const struct warden_engine_opts *opts, char *err,
                      size_t errlen);
void warden_engine_free(struct warden_engine *e);
/* Process one decoded event (enriches it in place) and, when d is not NULL,
 * fill in its decision. Returns false, and does nothing else, when its
 * request_id repeats one seen within the de-duplication window (the event is
 * a duplicate; d->duplicate is set and d->decided is the account's action). */
bool warden_engine_decide(struct warden_engine *e, struct warden_event *ev,
                          struct warden_decision *d);
/* A hint, no effect on results: an event whose account id and request id
 * hash (warden_hash64; 0 = no request id) to these will be processed soon.
 * Stage 0 starts fetching the account's index cell and the de-duplication
 * window's cells; stage 1, an event or so later, once the index cell has
 * arrived, the account's slot. A caller that holds events before processing
 * them (the runtime's reorder buffer) hides these cache misses this way. */
void warden_engine_prefetch(const struct warden_engine *e, uint64_t account_hash,
                            uint64_t request_hash, int stage);
/* warden_engine_decide() without the decision. */
bool warden_engine_process(struct warden_engine *e, struct warden_event *ev);
/* warden_engine_process() for a caller that hashed the event's ids already
 * (the runtime, when it decoded the event): ev->account_hash holds
 * warden_hash64 of account_id, request_hash that of request_id (0 = none),
 * so neither is hashed again. */
bool warden_engine_process_hashed(struct warden_engine *e, struct warden_event *ev,
                                  uint64_t request_hash);
/* End of input: flush every detector synchronously. */
void warden_engine_drain(struct warden_engine *e);
/* Flush one detector of the list run (no-op when it is not in it): a
 * detector fed from outside between events (the link detector applying a
 * linking stage's notice, link/remote.h). Not an end of input. */
void warden_engine_flush_detector(struct warden_engine *e, const struct warden_detector *d);
/* The context detector d runs with on this engine, or NULL when it does not run here. */
void *warden_engine_detector_ctx(const struct warden_engine *e, const struct warden_detector *d);
void warden_engine_stats(const struct warden_engine *e, struct warden_engine_stats *st);
/* The engine's counters ("engine.events", "engine.findings", ...). */
const struct warden_counters *warden_engine_counters(const struct warden_engine *e);
size_t warden_engine_n_verdicts(const struct warden_engine *e);
const struct warden_verdict *warden_engine_verdict_at(const struct warden_engine *e, size_t i);
/* The verdict of an account, or NULL when it was never actioned. */
const struct warden_verdict *warden_engine_verdict(const struct warden_engine *e,
                                                   const char *account_id, size_t len);
/* Lift an account's action to allow (a dismissal on review): its verdict
 * keeps its reasons, and a later finding may action it again unless the
 * policy's review allowlist exempts that reason. No-op for an unknown account. */
void warden_engine_lift(struct warden_engine *e, const char *account_id, size_t len);
/* Decide every held verdict's reasons again under the engine's policy (its
 * state came from a runtime with another policy: a reload, a snapshot).
 * Each reason's action becomes what the rules now give its score; where
 * that moves the strongest, the account's action follows (lowered when the
 * rules give less than before, raised when they give more; an analyst's
 * lift stays otherwise), with an action change at ts_ms through the
 * sinks, its reason the strongest remaining. Accounts allowlisted when
 * their findings came are left alone. The same policy changes nothing.
 * Returns the accounts whose action changed (and counts raised/lowered,
 * each may be NULL). */
size_t warden_engine_rederive(struct warden_engine *e, int64_t ts_ms, size_t *raised,
                              size_t *lowered);
/* An account's cluster id, or NULL. */
const char *warden_engine_cluster(const struct warden_engine *e, const char *account_id,
                                  size_t len);
/* With keep_ids: call fn with an "allow" verdict for every tracked account
 * that has no verdict of its own (formats.md §4, "every account seen"). Its
 * reasons are the findings that led to no action; first_action_* are unset. */
void warden_engine_all_verdicts(const struct warden_engine *e,
                                void (*fn)(void *ctx, const struct warden_verdict *v), void *ctx);
/* An account the engine tracks but never actioned: its "allow" verdict as
 * warden_engine_all_verdicts gives it (account_id points at the id given;
 * needs no keep_ids) and its newest event time; false when the account is
 * not tracked (never seen, or evicted) or holds a verdict of its own. */
bool warden_engine_unactioned(const struct warden_engine *e, const char *account_id, size_t len,
                              struct warden_verdict *v, int64_t *last_ts);
/* Per-account budget in bytes (slot + index), for documentation and tests. */
size_t warden_engine_account_budget(const struct warden_engine *e);

#endif
