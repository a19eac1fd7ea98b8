/* detector.h — the detector interface.
 *
 * A detector is one `const struct warden_detector` value in its own file
 * (detect_<name>.c), listed once in detect/registry.c. The engine gives each
 * detector a fixed-size slice of every tracked account's state (state_size
 * bytes, zeroed when the account is first seen or re-admitted after eviction),
 * its read-only config struct (declared by conf_table, filled from the
 * policy's `detectors.<name>:` section), and an emitter for findings.
 *
 * observe() is called once per event, on the hot path: no allocation, no
 * locks, no I/O. A detector emits a finding when something becomes true (a
 * threshold crossed), not on every event. Evidence is a JSON object the
 * detector writes with the jbuf helpers; its keys are documented in the
 * detector's header comment.
 *
 * Cross-account work (linking, clusters): a detector may emit a finding for
 * any account by id (warden_emit_finding_for), also from flush(), where
 * there is no current event; it may set and read an account's cluster id
 * (warden_emit_set_cluster / warden_emit_cluster), which then travels with
 * every finding and verdict of that account. State that spans accounts
 * (keyed by a network, a payment fingerprint, a template sketch) lives in
 * the detector's context: one per engine shard, unless the detector shares
 * one object between the shards of a process through share() (the runtime
 * hands every shard the same slot; the detector locks), as the link
 * detector does. An account belongs to one shard (by account hash): a
 * detector names accounts in findings and cluster ids only from the shard
 * that sees their events. Across machines, identifier-keyed state is a
 * linking stage partitioned by identifier (README "Clusters"). evict() is called when an account
 * leaves the table, with its state still intact, so a detector can hand on
 * what it must not lose (e.g. fold it into identifier-keyed state). */
#ifndef WARDEN_DETECT_DETECTOR_H
#define WARDEN_DETECT_DETECTOR_H
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/counters.h"
#include "core/event.h"
#include "core/jbuf.h"
#include "core/verdict.h"
#include "detect/distill.h"
#include "policy/policy.h"

struct warden_policy;
struct warden_registry;
struct warden_intel;
struct warden_snapwriter;
struct warden_snapreader;

/* The per-event memo: what several detectors derive from the same event,
 * computed once. The engine owns one, points struct warden_emit's memo at
 * it and clears it before each event's first observe(); a detector reads it
 * through the warden_emit_* accessor below, never directly. */
struct warden_event_memo {
    bool text_ready;                 /* text holds the current event's */
    struct warden_distill_text text; /* its prompt's text view (distill.h) */
};

/* Handed to observe()/flush(); the engine stamps ts, account and detector. */
/* Reasons that do not count as an account's own evidence for cross-account
 * rules (action_of's ignore_prefix): what linking gave it (cluster.*), and
 * distill.crowd_frame, whose evidence is the account's own signals released
 * by what other accounts sent under its frame (detect_distill.c). */
#define WARDEN_NOT_OWN_EVIDENCE "cluster.|distill.crowd_frame"

struct warden_emit {
    void (*finding)(struct warden_emit *em, const char *code, double score,
                    const char *evidence_json);
    void *engine;
    const struct warden_event *ev; /* the event being observed (NULL in flush and evict) */
    const char *detector;
    struct warden_jbuf scratch; /* reusable buffer for evidence; reset before each use */
    void (*finding_for)(struct warden_emit *em, const char *account_id, size_t len,
                        const char *code, double score, const char *evidence_json);
    void (*set_cluster)(struct warden_emit *em, const char *account_id, size_t len,
                        const char *cluster_id);
    const char *(*cluster_of)(struct warden_emit *em, const char *account_id, size_t len);
    int64_t now_ms; /* event time: the newest event the engine has processed */
    /* An account's strongest action from reasons whose code does not start
     * with ignore_prefix (several prefixes separated by '|'; NULL: all
     * reasons); WARDEN_ALLOW when it has no verdict. Lets a cross-account
     * detector tell accounts actioned on their own evidence from those its
     * own findings actioned (no feedback loop): WARDEN_NOT_OWN_EVIDENCE. */
    enum warden_action (*action_of)(struct warden_emit *em, const char *account_id, size_t len,
                                    const char *ignore_prefix);
    /* The same, from reasons whose code starts with prefix only (and not
     * with ignore_prefix): e.g. the action an account's harvesting evidence
     * alone gives it. NULL: not kept. */
    enum warden_action (*action_from)(struct warden_emit *em, const char *account_id, size_t len,
                                      const char *prefix, const char *ignore_prefix);
    /* The highest score of an account's findings whose code starts with
     * prefix and not with ignore_prefix (0 when none): evidence held below
     * every rule, which a cross-account detector may pool. NULL: not kept. */
    double (*score_from)(struct warden_emit *em, const char *account_id, size_t len,
                         const char *prefix, const char *ignore_prefix);
    /* The engine's counters, for a detector's own (register once, by name). */
    struct warden_counters *counters;
    /* A cluster record for the sinks (clusters.jsonl, cases.db), from flush(). */
    void (*cluster_record)(struct warden_emit *em, const struct warden_cluster_record *c);
    /* The per-event memo (above); NULL: none (a detector driven directly). */
    struct warden_event_memo *memo;
    /* An account whose requests a detector counts apart (an end-user lane
     * of distill: no event of its own reaches the engine) has read `events`
     * requests, the newest at ts_ms; call before a finding for it, so its
     * verdict counts them. NULL: not kept. */
    void (*events_for)(struct warden_emit *em, const char *account_id, size_t len, uint64_t events,
                       int64_t ts_ms);
};

/* The prompt text view (warden_distill_text_scan) of ev, the event being
 * observed: tokenized by the first detector that asks for it (distill on
 * every event, link on an account's first prompts), taken from the memo by
 * the others. Without a memo, or for another event, it is computed into
 * *own. The result is valid until the next event. */
static inline const struct warden_distill_text *warden_emit_text(struct warden_emit *em,
                                                                 const struct warden_event *ev,
                                                                 struct warden_distill_text *own)
{
    struct warden_event_memo *m = em->memo;
    if (!m || ev != em->ev) {
        warden_distill_text_scan(own, ev);
        return own;
    }
    if (!m->text_ready) {
        warden_distill_text_scan(&m->text, ev);
        m->text_ready = true;
    }
    return &m->text;
}

static inline void warden_emit_finding(struct warden_emit *em, const char *code, double score,
                                       const char *evidence_json)
{
    em->finding(em, code, score, evidence_json);
}

/* A finding for a named account (any time, also from flush()). */
static inline void warden_emit_finding_for(struct warden_emit *em, const char *account_id,
                                           size_t len, const char *code, double score,
                                           const char *evidence_json)
{
    em->finding_for(em, account_id, len, code, score, evidence_json);
}

static inline void warden_emit_events_for(struct warden_emit *em, const char *account_id,
                                          size_t len, uint64_t events, int64_t ts_ms)
{
    if (em->events_for) em->events_for(em, account_id, len, events, ts_ms);
}

/* Put an account in a cluster (cluster_id is copied; NULL removes it). */
static inline void warden_emit_set_cluster(struct warden_emit *em, const char *account_id,
                                           size_t len, const char *cluster_id)
{
    em->set_cluster(em, account_id, len, cluster_id);
}

/* An account's cluster id, or NULL. */
static inline const char *warden_emit_cluster(struct warden_emit *em, const char *account_id,
                                              size_t len)
{
    return em->cluster_of(em, account_id, len);
}

struct warden_detector {
    const char *name;
    const char *description;
    const struct warden_conf_key *conf_table; /* may be NULL: no settings */
    size_t conf_size;                         /* sizeof the config struct */
    size_t state_size;                        /* per-account bytes */
    /* Build the detector's shared context; conf is its filled config struct. */
    int (*init)(void **ctx, const struct warden_policy *policy, const void *conf);
    void (*observe)(void *ctx, const struct warden_event *ev, void *state, struct warden_emit *em);
    /* End of input: emit anything pending (may be NULL). Findings go through
     * warden_emit_finding_for(): there is no current event. */
    void (*flush)(void *ctx, struct warden_emit *em);
    void (*free)(void *ctx);
    /* The account (account_hash) leaves the table; state is its slice, still
     * intact and zeroed after the call. May be NULL. */
    void (*evict)(void *ctx, uint64_t account_hash, void *state, struct warden_emit *em);
    /* The account registry (formats.md §2) and the IP intelligence, once
     * after init() when the run has a registry, before any event: for
     * detectors that derive state from every account at load (sign-up
     * bursts, shared payment instruments, sign-up addresses). Both outlive
     * the context; intel may be NULL. Returns 0, or non-zero to refuse the
     * run. May be NULL. */
    int (*attach_registry)(void *ctx, const struct warden_registry *reg,
                           const struct warden_intel *intel);
    /* Every reason code the detector may emit, NULL-terminated: a policy rule
     * whose code matches none of any detector's is refused at load (a typo
     * such as "velocty.*" would otherwise never fire). */
    const char *const *codes;
    /* Several engine shards in one process (runtime.h): *slot is the same
     * for this detector in every shard, NULL at first. A detector whose
     * state must span shards (identifier-keyed linking) puts a shared
     * object there on the first call and takes it (a reference) on the
     * others; it does its own locking. Called after init(), before
     * attach_registry(). May be NULL. */
    void (*share)(void *ctx, void **slot);
    /* State snapshots (engine/snapshot.h). The per-account slice is saved
     * and restored as raw bytes, keyed by name, state_size and
     * state_version: it must hold no pointers (an index, a hash or a short
     * inline copy instead: a pointer would dangle in the next process) and
     * state_version goes up whenever the meaning of its bytes changes, so
     * an old snapshot starts the slice zeroed instead of misreading it. */
    uint32_t state_version;
    /* The slice grew at its end: a slice saved with .size bytes at
     * .version (an older state_version) is the start of today's and loads
     * into it, the rest zeroed (the fields added start as a new account's).
     * The detector's own sections (save, save_process) saved at .version
     * are passed to load and load_process too: they must read them (or
     * return 1). {0, 0}: it never did. */
    struct {
        uint32_t size, version;
    } state_grew_from;
    /* Mutable context state that spans accounts (identifier-keyed tables),
     * written into and read from the detector's own snapshot section
     * (core/snapio.h). save returns 0 or a negative WARDEN_E* code. load
     * returns 0; 1 when the saved state does not fit this context (another
     * table size: decided before changing anything, the context stays as
     * init() left it, the caller warns once and skips the rest); or a
     * negative code when it is malformed. A context shared by the shards
     * (share()) is saved once, from the first shard. Both may be NULL:
     * nothing but the per-account slices is kept. */
    int (*save)(void *ctx, struct warden_snapwriter *w);
    int (*load)(void *ctx, struct warden_snapreader *r);
    /* Tables one per-shard detector keeps for the whole process (found
     * through the policy object the shards share, not through share()):
     * saved once, from the first shard's context, in a section of their
     * own, and loaded into the first shard's context whatever shard count
     * saved them (the per-shard sections above are skipped when it
     * differs). shards: the loading runtime's shard count, for state that
     * names the shard that sees an account (warden_hash64(id) % shards).
     * Return codes as save and load. Both may be NULL. */
    int (*save_process)(void *ctx, struct warden_snapwriter *w);
    int (*load_process)(void *ctx, struct warden_snapreader *r, unsigned shards);
    /* A hint, no effect on results: ev will be observed soon. Stage 0 comes
     * before enrichment (only the event's own fields and account_hash are
     * set; state is NULL), stage 1 once IP intelligence, registry and the
     * account slot are in (state: the account's slice, read only), a few
     * detectors' observe() ahead of its own (engine.c). A detector whose state outside the
     * per-account slice is a cache miss (a large table hit at random) starts fetching it in stage
     * 0, and in stage 1 what that first fetch leads to, so that the misses overlap with other
     * detectors' work. May be NULL. */
    void (*prefetch)(void *ctx, const struct warden_event *ev, const void *state, int stage);
};

/* The registry (detect/registry.c). */
extern const struct warden_detector *const warden_detectors[];
extern const size_t warden_n_detectors;
/* Index of a detector by name, or -1. */
int warden_detector_index(const char *name);
/* Every registered detector's settings, for the policy loader (index as in
 * the registry). */
const struct warden_detector_settings *warden_detector_settings(size_t *n);
/* Load a policy against the registered detectors (policy.h,
 * warden_policy_load_with); print its reference (`warden config --dump`). */
int warden_policy_load(struct warden_policy **out, const char *path, char *err, size_t errlen);
void warden_policy_dump(FILE *out);
/* Check the policy's rules against the reason codes the given detectors
 * (NULL: the registry's) declare: a rule whose code matches none of them
 * (a typo such as "velocty.*") is an error, "FILE:LINE:COL: rules[i].code:
 * ..." in err and WARDEN_ECONFIG; with lenient, a warning on stderr and 0.
 * Nothing is checked when no detector declares codes. */
int warden_policy_check_codes(const struct warden_policy *p,
                              const struct warden_detector *const *dets, size_t n, bool lenient,
                              char *err, size_t errlen);

#endif
