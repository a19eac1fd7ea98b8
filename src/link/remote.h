/* remote.h — the link detector split across processes (the Kafka
 * deployment, README "Kafka deployment"; kafka/link_wire.c carries these
 * structures on the topics).
 *
 *   worker (link detector, remote mode) ── observations ──► linking stage
 *        ▲                                  (key: identifier)   (the link state, src/link/)
 *        └────────── membership notices (key: account) ◄────────────┘
 *
 * In one process the link detector feeds identifiers into the link table
 * shared by the shards and reads each account's cluster back at once. In
 * remote mode (warden_detect_link_remote(), before the engines are built) it
 * extracts the same identifiers and the account's own action changes and
 * hands them to publish() instead; the link table of the process then holds
 * only each account's template slots. The linking stage (one context made by
 * warden_link_stage_new(), the same configuration and registry linking as in
 * one process) applies observations in the order it consumes them and
 * reports, per account, what the single-process detector would hand on at
 * that account's next look: a cluster change and the level of
 * cluster.linked_to_actioned due. A worker applies a notice to the account
 * it owns by flushing the link detector of that account's shard with the
 * notice set (warden_runtime_flush_detector()): the cluster id and the
 * cluster.* findings go through the engine and the policy as in one
 * process.
 *
 * Implemented in detect/detect_link.c (it shares the detector's
 * configuration, identifier extraction and findings). */
#ifndef WARDEN_LINK_REMOTE_H
#define WARDEN_LINK_REMOTE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/link.h"

/* One observation: account used identifier (kind, key), or (kind -1) its
 * own action, on evidence other than cluster.*, reached level, or (kind
 * WARDEN_LINK_OBS_RESTRICTED) it connected directly from a restricted
 * jurisdiction, or (kind WARDEN_LINK_OBS_FRAME) it was throttled or blocked
 * for harvesting in the prompt frame whose sketch is key, level its end (1
 * head, 2 tail): the stage sends the frame to every events partition's
 * notices, so every worker's distill prior holds it (distill_prior.h).
 * Prompt frames travel as sketches, not bands: (kind WARDEN_LINK_OBS_SENT)
 * the account sent a prompt whose end `level` has sketch key (counted among
 * the frame's senders), (kind WARDEN_LINK_TEMPLATE) its template slot of
 * that end and sketch recurred and is published: the stage derives the
 * bands and weighs them with the frame's senders, as one process does. */
#define WARDEN_LINK_OBS_RESTRICTED (-2)
#define WARDEN_LINK_OBS_FRAME (-3)
#define WARDEN_LINK_OBS_SENT (-4)
struct warden_link_obs {
    const char *account_id;
    size_t len;
    uint32_t org; /* hash of the account's declared organisation, 0: none */
    int64_t ts_ms;
    int kind;     /* enum warden_link_kind, -1: own action, -2: restricted reach */
    uint64_t key; /* identifier key (kind >= 0); level 4: 1 when the account signed up
                     through a public anonymizer's exit (the stage has no IP intelligence) */
    int level;    /* kind -1: 1 reviewed, 2 throttled or blocked, 3 actioned on its own harvesting
                     evidence (distill.*), 4 harvesting evidence of its own from suspect_min */
};

/* What an account is due (the single-process detector's decision). */
struct warden_link_notice {
    const char *account_id;
    size_t len;
    bool set_cluster; /* its cluster changed since it was last handed on */
    int linked;       /* 0, or cluster.linked_to_actioned to emit: 1 review level, 2 enforced */
    bool linked_restricted; /* cluster.linked_restricted to emit */
    bool pooled;            /* cluster.harvest_pooled to emit */
    struct warden_link_cluster info;
    /* the observation of this very account joined it (evidence of the finding) */
    bool joined;
    int via;      /* kind of the identifier that joined it */
    uint64_t key; /* that identifier */
    unsigned kinds;
    double distinct, pair_weight;
    /* a frame of an enforced harvester for the distill prior, not a notice
     * to the account: sketch in key, its end (1 head, 2 tail), when */
    bool frame;
    uint8_t frame_end;
    int64_t ts_ms;
};

struct warden_link_remote {
    void (*publish)(void *ctx, const struct warden_link_obs *o);
    void *ctx;
    /* set by the caller around warden_runtime_flush_detector(): the notice
     * the flush applies (NULL: the flush does nothing) */
    const struct warden_link_notice *notice;
};

/* Link detectors built from now on run in remote mode with r (NULL: back
 * to one process). r must outlive them. */
void warden_detect_link_remote(struct warden_link_remote *r);
extern const struct warden_detector warden_detect_link;

/* ---- the linking stage ---- */

struct warden_policy;
struct warden_registry;
struct warden_link_stage;
/* The policy's detectors.link settings, the registry linked as in one
 * process (may be NULL). 0 or WARDEN_ECONFIG with err. */
int warden_link_stage_new(struct warden_link_stage **out, const struct warden_policy *pol,
                          const struct warden_registry *reg, char *err, size_t errlen);
void warden_link_stage_free(struct warden_link_stage *s);
/* Apply one observation of an account whose events are in partition
 * `partition`; notify() gets every notice due (the account's, and after a
 * join or an action every member's whose partition is known), in order. */
void warden_link_stage_apply(
    struct warden_link_stage *s, const struct warden_link_obs *o, int partition,
    void (*notify)(void *ctx, const struct warden_link_notice *n, int partition), void *ctx);
void warden_link_stage_stats(struct warden_link_stage *s, struct warden_link_stats *st);
/* What the membership topic told an account, folded from its notices in
 * order (warden_link_told_fold, from 0): WARDEN_LINK_TOLD_CLUSTER (a cluster
 * id), the cluster.linked_to_actioned level (WARDEN_LINK_TOLD_LEVEL bits),
 * WARDEN_LINK_TOLD_RESTRICTED, WARDEN_LINK_TOLD_POOLED; never 0 once a
 * notice was folded in (WARDEN_LINK_TOLD_SEEN), so it can be a u64map value. */
#define WARDEN_LINK_TOLD_CLUSTER 0x01u
#define WARDEN_LINK_TOLD_LEVEL 0x06u /* level << 1 */
#define WARDEN_LINK_TOLD_RESTRICTED 0x08u
#define WARDEN_LINK_TOLD_POOLED 0x10u
#define WARDEN_LINK_TOLD_SEEN 0x80u
uint32_t warden_link_told_fold(uint32_t told, const struct warden_link_notice *n);
/* A stage that rebuilt its state (a restart, a rebalance) replays the
 * linking topic with its notices held back: they were handed on when the
 * records first came. What the rebuilt state owes beyond that (a registry
 * that now names an account the first run did not know, so the replay joined
 * it) would never be told. Call once the replay is done: notify() gets, for
 * every account whose partition is known, what its marks hold beyond what
 * told(ctx, id, len) says the membership topic told it (a cluster id when it
 * was told none, a higher linked level, linked_restricted, pooled); none for
 * the others. A cluster renumbered by the replay's order is not told again,
 * and what an account was told is taken into its marks (a replay in another
 * order may reach it later: it is not told again then). Returns the notices
 * given to notify(). */
size_t warden_link_stage_resync(
    struct warden_link_stage *s, uint32_t (*told)(void *ctx, const char *id, size_t len),
    void (*notify)(void *ctx, const struct warden_link_notice *n, int partition), void *ctx);
/* The stage's cluster records (clusters.jsonl's, formats.md): put() gets
 * every cluster whose record changed since this stage last handed it on
 * (every cluster, the first time), then gone() the id of every cluster it
 * handed on that no longer exists (joined into another, or its members all
 * replaced in the table). Call between observations. */
struct warden_cluster_record;
void warden_link_stage_clusters(struct warden_link_stage *s,
                                void (*put)(void *ctx, const struct warden_cluster_record *r),
                                void (*gone)(void *ctx, const char *cluster_id), void *ctx);
/* The same for the link detector of one process (warden serve):
 * detector_ctx is its context on any shard (warden_engine_detector_ctx; the
 * shards share one link table). Call from one thread; the link table's lock
 * is taken while the clusters are walked. */
void warden_detect_link_records(void *detector_ctx,
                                void (*put)(void *ctx, const struct warden_cluster_record *r),
                                void (*gone)(void *ctx, const char *cluster_id), void *ctx);

#endif
