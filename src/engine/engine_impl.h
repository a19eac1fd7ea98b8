/* engine_impl.h — the engine's private layout, for the files of engine/
 * only (engine.c, snapshot.c): the engine struct, its per-account header
 * and its detector runs. Nothing outside engine/ includes this. */
#ifndef WARDEN_ENGINE_ENGINE_IMPL_H
#define WARDEN_ENGINE_ENGINE_IMPL_H
#include "core/counters.h"
#include "core/event_fields.h"
#include "core/u64map.h"
#include "detect/detector.h"
#include "engine/acct_table.h"
#include "engine/dedup.h"
#include "engine/engine.h"

#define RECENT_CODES 4

/* Engine-private per-account data, stored at the start of each slot's state. */
struct acct_extra {
    const char *recent[RECENT_CODES]; /* recent finding codes before any action */
    double recent_score[RECENT_CODES];
    uint32_t cluster; /* index + 1 into the engine's cluster ids; 0 = none */
    uint32_t pad;
};

/* Counter ids, registered in warden_engine_new. */
enum {
    C_EVENTS,
    C_DUPLICATES,
    C_LATE,
    C_FINDINGS,
    C_EVICTED,
    C_FINDINGS_OTHER,
    C_UNREGISTERED,
    C_N
};

struct det_run {
    const struct warden_detector *d;
    void *ctx;
    size_t offset; /* of its state slice in the account slot */
};

struct warden_engine {
    const struct warden_policy *policy;
    const struct warden_intel *intel;
    const struct warden_registry *registry;
    const struct warden_org_screening *screening;
    struct warden_sinks sinks;
    struct warden_acct_table *accts;
    struct det_run *dets;
    size_t n_dets;
    struct warden_emit emit;
    struct warden_event_memo memo; /* emit.memo: cleared before each event's detectors */
    struct warden_acct *cur;       /* account of the event being observed */

    struct warden_verdict **verdicts;
    size_t n_verdicts, cap_verdicts;
    struct warden_u64map vmap; /* account hash -> verdict index + 1 */

    char **clusters; /* interned cluster ids */
    size_t n_clusters, cap_clusters;
    struct warden_u64map cmap; /* hash of a cluster id -> index + 1 */

    struct warden_dedup *dedup;
    char **ids; /* with keep_ids: account id per slot index */
    struct warden_counters counters;
    unsigned cid[C_N];
    unsigned cid_field[WARDEN_F_N]; /* engine.events_with.FIELD (core/event_fields.h) */
    int64_t now_ms;                 /* newest event time processed */
    char **codes; /* reason codes read from a snapshot that no detector declares */
    size_t n_codes;
};

static inline struct acct_extra *warden_engine_extra(struct warden_acct *a)
{
    return warden_acct_state(a, 0);
}

/* Index + 1 of a cluster id, interned on first use. */
uint32_t warden_engine_cluster_intern(struct warden_engine *e, const char *id);

#endif
