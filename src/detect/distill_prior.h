/* distill_prior.h — frames of enforced harvesters, a prior for newcomers.
 *
 * Why. A hydra operation's harvesting pipeline wraps every item in the same
 * frame. When one of its accounts is throttled or blocked, the pipeline
 * carries on from a fresh account (new card, new network, new sign-up), and
 * the newcomer's prompts come in the banned account's frame from its first
 * request. A frame is not a link (docs/clusters.md "Tried and not kept":
 * public chain-of-thought frames are shared by evaluation harnesses too),
 * but it is a prior: an account whose recurring frame matches the frame of
 * an account enforced while harvesting has its per-account distillation
 * evidence judged from its prior_min_events-th request instead of
 * min_events, with the same weights, caps, holds and thresholds. Nothing
 * else changes: an evaluation run in one sitting is still held below
 * emit_min (distill.h, payload novelty), a benchmark is never throttled
 * before it is sustained, and an account with no distillation traits has
 * nothing to judge however early it is judged.
 *
 * The table. Frames (64-bit SimHash of a prompt's head or tail tokens,
 * distill_text.c) are stored once per 16-bit LSH band in a 4-way
 * set-associative table keyed by (band, band value, end), so a look-up is 4
 * probes, no scan; a match needs an equal band and at most max_hamming
 * differing bits over the whole sketch. Entries expire after ttl; a full set
 * replaces its oldest entry. Fixed memory: 16 bytes per entry. One table
 * serves every shard of a process (found by the policy object they share);
 * a mutex guards it (taken at
 * most once per request for an account's first min_events requests, and
 * when an enforced account's finding is emitted). Saved in state snapshots
 * once, in the distill detector's process section (detector.h
 * save_process), whatever the shard count; snapshots from before carry it
 * in each shard's section, and loading merges, so loading it once per
 * shard is the same as once. */
#ifndef WARDEN_DETECT_DISTILL_PRIOR_H
#define WARDEN_DETECT_DISTILL_PRIOR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/distill.h"

struct warden_distill_prior;
struct warden_snapwriter;
struct warden_snapreader;

/* The table of the contexts built from one policy object (key; the shards
 * of a process share theirs), created with about `entries` entries (a
 * power of two, at least 64) by the first caller; every caller frees. */
struct warden_distill_prior *warden_distill_prior_new(const void *key, size_t entries);
/* Drops one reference; frees on the last. NULL is ignored. */
void warden_distill_prior_free(struct warden_distill_prior *p);
size_t warden_distill_prior_memory_bytes(const struct warden_distill_prior *p);

/* One frame sketch (end: 1 head, 2 tail) seen at ts_ms. */
void warden_distill_prior_add(struct warden_distill_prior *p, uint64_t sketch, uint8_t end,
                              int64_t ts_ms);
/* Is a frame within max_hamming bits of sketch (same end, one equal band)
 * stored and younger than ttl_ms at now_ms? */
bool warden_distill_prior_has(struct warden_distill_prior *p, uint64_t sketch, uint8_t end,
                              int max_hamming, int64_t now_ms, int64_t ttl_ms);

/* An enforced account's (acct, len) recurring frames: its template slots
 * with at least 3 prompts and a tenth of its prompts. Into p, or, in remote
 * mode, to the remote's publish(). */
void warden_distill_prior_record(struct warden_distill_prior *p,
                                 const struct warden_distill_template *t, int64_t now_ms,
                                 const char *acct, size_t len);
/* Does one of an account's recurring frames (a slot with at least 2
 * prompts) match an enforced account's? */
bool warden_distill_prior_match(struct warden_distill_prior *p,
                                const struct warden_distill_template *t, int max_hamming,
                                int64_t now_ms, int64_t ttl_ms);

/* A process whose shards see only some of the accounts (a Kafka worker)
 * must not keep enforced frames to itself: a table local to one worker
 * would make a newcomer's verdict depend on which worker owns the enforced
 * account (partition assignment), not on the traffic. A worker with the
 * linking stage runs in remote mode: record() hands each frame to
 * publish() (the worker sends it to the stage, which sends it to every
 * events partition's notices), and every worker adds the frames it is
 * sent to its table (warden_distill_prior_find, warden_distill_prior_add),
 * its own included, so all of them hold the same frames. A worker without
 * the linking stage turns the prior off before its engines are built. */
void warden_distill_prior_off(bool off);
bool warden_distill_prior_is_off(void);
struct warden_distill_prior_remote {
    void (*publish)(void *ctx, const char *acct, size_t len, uint64_t sketch, uint8_t end,
                    int64_t ts_ms);
    void *ctx;
};
/* Tables record into r from now on (NULL: into themselves). r must outlive them. */
void warden_distill_prior_remote(const struct warden_distill_prior_remote *r);
/* The table of the contexts built from `key` (a new reference: free it), or
 * NULL when none was built (the distill detector off, or its prior). */
struct warden_distill_prior *warden_distill_prior_find(const void *key);

/* The table's frames into a snapshot section, and back: into an empty
 * table of the saved size exactly as they were, otherwise merged as frames
 * seen at their saved times. load returns 0 or WARDEN_EFORMAT (the reader
 * then says why). */
void warden_distill_prior_save(struct warden_distill_prior *p, struct warden_snapwriter *w);
int warden_distill_prior_load(struct warden_distill_prior *p, struct warden_snapreader *r);

#endif
