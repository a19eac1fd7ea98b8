/* engine.h — the pipeline: event → enrichment → detectors → policy → sinks.
 *
 * One engine is one worker: it owns its account table and its detectors'
 * mutable contexts; the policy, IP table and registry it reads are shared and
 * read-only. Sources (files, stdin, later HTTP and Kafka) decode an event and
 * hand it to warden_engine_process(); the same engine runs behind every
 * source. Findings and action changes go to the sink callbacks as they
 * happen; verdicts of actioned accounts are kept until the end of the run
 * (warden_engine_verdict_at). warden_engine_drain() flushes every detector
 * synchronously, so tests can check results without sleeping. */
#ifndef WARDEN_ENGINE_ENGINE_H
#define WARDEN_ENGINE_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "policy/policy.h"

struct warden_intel;
struct warden_registry;
struct warden_org_screening;

#define WARDEN_MAX_REASONS 16

struct warden_reason {
    const char *code; /* static string owned by the detector */
    double score;     /* highest score seen for this code */
    uint8_t action;   /* action this code led to */
};

/* One actioned account (formats.md §4). */
struct warden_verdict {
    char *account_id;
    char *org_id; /* may be NULL */
    enum warden_action action;
    double score;
    struct warden_reason reasons[WARDEN_MAX_REASONS];
    size_t n_reasons;
    char *cluster_id; /* NULL until a linking detector sets one */
    int64_t first_action_ts;
    uint64_t first_action_event;
    uint64_t events;
    bool allowlisted;
};

/* A finding as the sinks see it (formats.md §5). */
struct warden_finding {
    int64_t ts_ms;
    const char *account_id; /* not NUL-terminated: account_id_len */
    size_t account_id_len;
    const char *detector;
    const char *code;
    double score;
    const char *cluster_id; /* may be NULL */
    const char *evidence_json;
    enum warden_action action; /* what the policy made of it */
};

/* An account's action got stronger (the audit trail). */
struct warden_action_change {
    int64_t ts_ms;
    const struct warden_verdict *verdict;
    enum warden_action from, to;
    const char *code; /* the reason that caused it */
    double score;
    bool shadow;
};

struct warden_sinks {
    void (*finding)(void *ctx, const struct warden_finding *f);
    void (*action)(void *ctx, const struct warden_action_change *c);
    void *ctx;
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
};

#define WARDEN_ENGINE_DEFAULT_ACCOUNTS 1000000
#define WARDEN_ENGINE_DEFAULT_DEDUP 1000000

struct warden_engine_stats {
    uint64_t events, duplicates, findings, accounts_tracked, accounts_evicted, accounts_actioned;
    uint64_t actions[4]; /* accounts by strongest action */
    size_t account_slot_bytes, account_table_bytes;
};

struct warden_engine;

/* Returns 0, or an error code with a reason in err (a detector failed to start). */
int warden_engine_new(struct warden_engine **out, const struct warden_engine_opts *opts, char *err,
                      size_t errlen);
void warden_engine_free(struct warden_engine *e);
/* Process one decoded event (enriches it in place). Returns false, and does
 * nothing else, when its request_id repeats one seen within the
 * de-duplication window (the event is a duplicate). */
bool warden_engine_process(struct warden_engine *e, struct warden_event *ev);
/* End of input: flush every detector synchronously. */
void warden_engine_drain(struct warden_engine *e);
void warden_engine_stats(const struct warden_engine *e, struct warden_engine_stats *st);
size_t warden_engine_n_verdicts(const struct warden_engine *e);
const struct warden_verdict *warden_engine_verdict_at(const struct warden_engine *e, size_t i);
/* With keep_ids: call fn with an "allow" verdict for every tracked account
 * that has no verdict of its own (formats.md §4, "every account seen"). Its
 * reasons are the findings that led to no action; first_action_* are unset. */
void warden_engine_all_verdicts(const struct warden_engine *e,
                                void (*fn)(void *ctx, const struct warden_verdict *v), void *ctx);
/* Per-account budget in bytes (slot + index), for documentation and tests. */
size_t warden_engine_account_budget(const struct warden_engine *e);

#endif
