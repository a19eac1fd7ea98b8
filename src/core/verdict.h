/* verdict.h — what the engine decides, as every layer sees it: actions,
 * findings (formats.md §5), verdicts (§4), action changes (the audit trail)
 * and the decision returned for each event.
 *
 * These are plain types with no behaviour, in the lowest layer so that the
 * engine that produces them and the sinks that write them (io, store, later
 * HTTP and Kafka) include the same definitions without including each
 * other. */
#ifndef WARDEN_CORE_VERDICT_H
#define WARDEN_CORE_VERDICT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum warden_action { WARDEN_ALLOW = 0, WARDEN_REVIEW, WARDEN_THROTTLE, WARDEN_BLOCK };

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
    char *cluster_id; /* NULL until a cross-account detector sets one */
    int64_t first_action_ts;
    uint64_t first_action_event;
    uint64_t events;
    bool allowlisted;
    bool end_user; /* decided by the end user's own verdict (ACCOUNT/END_USER), stronger than
                      the account's */
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

/* An account's action changed (the audit trail): stronger as findings come;
 * weaker or stronger when a new policy decides its evidence again
 * (warden_engine_rederive). */
struct warden_action_change {
    int64_t ts_ms;
    const struct warden_verdict *verdict;
    enum warden_action from, to;
    const char *code; /* the reason that caused it */
    double score;
    bool shadow;
};

/* A linked-account cluster at the end of a run (clusters.jsonl, the
 * clusters table of cases.db; docs/clusters.md). */
struct warden_cluster_record {
    const char *cluster_id;
    uint64_t members;       /* accounts ever joined (evicted ones included) */
    const char *const *ids; /* member account ids, up to a cap */
    size_t n_ids;
    const char *const *kinds;   /* edge kind names */
    const uint64_t *kind_edges; /* joining edges that carried each kind */
    size_t n_kinds;
    uint64_t edges;    /* joining edges */
    uint64_t actioned; /* members actioned on their own evidence */
    uint64_t enforced; /* of those, throttled or blocked */
    uint64_t harvest;  /* members actioned on their own harvesting evidence (distill.*) */
    double score;
    enum warden_action action; /* what cluster.linked_to_actioned gives its members */
};

/* The decision for one event, returned as it is processed, so that a server
 * can answer the request that carried it. `decided` is the account's action
 * after this event (what the policy decided); `enforced` is what a gateway
 * should do: `allow` in shadow mode or for allowlisted traffic. `reasons`
 * point into the account's verdict and stay valid until the next event is
 * processed by the same engine. */
struct warden_decision {
    enum warden_action decided, enforced;
    double score;
    const struct warden_reason *reasons;
    size_t n_reasons;
    const char *cluster_id; /* NULL when the account is in no cluster */
    bool duplicate;         /* request_id seen before: not processed again */
    bool late;              /* older than the watermark: counted, windows untouched */
    bool shadow;            /* the policy is in shadow mode */
    bool allowlisted;
    bool end_user; /* decided by the end user's own verdict (ACCOUNT/END_USER), stronger than
                      the account's */
};

/* What every output line says about the run that wrote it (formats.md §4-5,
 * v1.1): whether the policy was in shadow mode (decided and recorded, not
 * enforced), which policy decided (SHA-256 of its file) and which run. */
struct warden_run_info {
    const char *run_id;
    const char *policy_sha256;
    bool shadow;
};

const char *warden_action_name(enum warden_action a);
/* Returns 0 and sets *a, or WARDEN_EINVAL. */
int warden_action_parse(const char *s, enum warden_action *a);

#endif
