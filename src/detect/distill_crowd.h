/* distill_crowd.h — a frame's new payloads across accounts.
 *
 * Why. Payload novelty (distill_novelty.c) holds an account's score below
 * the finding level until new payloads came in two separate sittings: a
 * benchmark run is one sitting of a fixed item set. A hydra operation that
 * splits its harvest over many accounts, each sending a few dozen items in
 * one sitting and never again, is held forever by that rule, one account
 * at a time. Across accounts the two differ: the harvest brings payloads
 * that no account ever sent before, under one frame, sitting after sitting
 * and account after account; the users of an evaluation harness send a
 * benchmark's items, which the benchmark's earlier runs already brought.
 *
 * What is counted. A prompt is framed when one of its frames (the SimHash
 * of its first or last tokens, distill_text.c) recurs in the sending account
 * (its template slot holds at least two prompts). Its lines (blank ones
 * skipped; the first 8 and the last 8) are looked up and remembered here;
 * a line no account sent before makes the prompt new. Per frame, the table
 * counts credited sittings: an account's sitting (distill_novelty.c) is
 * credited to the prompt's frames once, at its first new framed prompt.
 * The account counts its framed prompts and the new ones. An account still
 * held for want of a second sitting is released (detect_distill.c) when it
 * was credited itself, at least crowd_min_share of its framed prompts were
 * new (a harness user re-sends items others ran), and one of its recurring
 * frames has at least crowd_min_sittings credited sittings (others brought
 * new payloads under it in sittings of their own). Its score is still its
 * own signals, capped at review until sustained; the finding's code is
 * distill.crowd_frame, which cross-account rules do not count as the
 * account's own evidence (WARDEN_NOT_OWN_EVIDENCE, detector.h): a released
 * account is reviewed, never joined to a cluster or made a prior on it.
 * A ring's first members run before their frame has the count, and stop:
 * an account that qualifies but for the count is remembered (up to
 * WARDEN_CROWD_WAITING, the oldest replaced) and released when a credit
 * brings its frame to the count, even if it never comes back (evidence
 * crowd_late, with the score it was held at); the shard that sees its
 * events reports it, at its next event or its flush.
 *
 * Limits. The first account to run a benchmark nobody ran before, under a
 * frame harvesters use too (public chain-of-thought wording), looks like a
 * member of a split harvest and is reviewed. Harvesters who re-send some
 * items on purpose lower their new share, at the cost of paying for
 * answers they have; a ring running all its accounts in one half hour
 * gives its frame one credited sitting per account all the same.
 *
 * How. "Never seen from anyone" is a blocked Bloom filter (one 64-byte
 * block per line, 6 bits in it) over 64-bit line hashes, in two
 * generations: a line is looked up in both and set in the current one;
 * when the current one has taken `parts` insertions, the older is cleared
 * and becomes current, so lines still being sent stay and a line sent once
 * is forgotten after two generations. A false positive (a new line taken
 * for seen, about 1 % at capacity) only withholds a credit. Frames live in a
 * 4-way set-associative table stored once per 16-bit LSH band of the sketch,
 * as distill_prior.c does (a look-up is 4 sets, no scan): an entry keeps a
 * sketch, its credited sittings and when it was last credited; a credit
 * goes to the entry within max_hamming bits of the prompt's sketch in each
 * band (or a new entry, replacing the least recently credited of its set),
 * and a frame's count is the largest of its bands'. Entries not credited
 * for ttl are stale and start over. No text is kept, in memory or in
 * snapshots: filter bits and frame sketches (as with any Bloom filter, a
 * guessed line can be tested for having been sent).
 *
 * One table serves every shard of a process (found by the policy object
 * they share); a mutex guards it, taken once per framed prompt. Memory is
 * fixed at creation (warden_distill_crowd_memory_bytes, the counter
 * distill.crowd.memory_bytes: about 1.25 bytes per line of capacity per
 * generation, 16 bytes per frame entry). Saved in state snapshots once, in
 * the distill detector's process section (detector.h save_process), and
 * kept across a change of shard count (warden_distill_crowd_reown). Process-local: a Kafka worker
 * sees only its partitions' accounts, so its view of a frame would depend on partition assignment;
 * workers turn it off (warden_distill_crowd_off). */
#ifndef WARDEN_DETECT_DISTILL_CROWD_H
#define WARDEN_DETECT_DISTILL_CROWD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/distill.h"

struct warden_distill_crowd;
struct warden_snapwriter;
struct warden_snapreader;

/* The table of the contexts built from one policy object (key), created by
 * the first caller with room for `parts` part insertions per generation
 * and about `frames` frame entries; every caller frees. *created says
 * whether this call made it. */
struct warden_distill_crowd *warden_distill_crowd_new(const void *key, size_t parts, size_t frames,
                                                      bool *created);
void warden_distill_crowd_free(struct warden_distill_crowd *c);
size_t warden_distill_crowd_memory_bytes(const struct warden_distill_crowd *c);

/* Generations of the line filter retired since the table was made: how
 * often `parts` insertions came (a line sent once is forgotten after two
 * generations; size `parts` to the lines of the period a benchmark's items
 * should be recognised as re-sent). */
uint64_t warden_distill_crowd_rotations(const struct warden_distill_crowd *c);

/* Off for the whole process (Kafka workers) before engines are built. */
void warden_distill_crowd_off(bool off);
bool warden_distill_crowd_is_off(void);

/* An account held for want of its frame's count, remembered so that it is
 * released when the frame gets there later, even if it never comes back
 * (a ring's first members stop before their frame's pattern shows). The
 * release is handed to the shard that sees the account's events (owner),
 * which reports it at its next event or at its flush. */
#define WARDEN_CROWD_ID_MAX 256
#define WARDEN_CROWD_WAITING                                                                       \
    512 /* accounts remembered, in 8-way sets by id (the oldest of a set replaced) */
struct warden_distill_crowd_wait {
    uint64_t sketch;   /* its recurring frame (the slot with most prompts) */
    int64_t ts_ms;     /* when it was last held; 0: empty */
    float score;       /* its score then (capped as it was) */
    uint32_t sittings; /* released: the frame's count then */
    uint16_t framed, fresh;
    uint16_t len;
    uint8_t end;
    uint8_t owner;
    uint8_t released; /* waiting for its owner to report it */
    char id[WARDEN_CROWD_ID_MAX];
};
/* A number for each context (shard) sharing the table. */
unsigned warden_distill_crowd_owner(struct warden_distill_crowd *c);
/* Remember (or refresh) a held account; one entry per account id. */
void warden_distill_crowd_wait(struct warden_distill_crowd *c,
                               const struct warden_distill_crowd_wait *w);
/* Released accounts of this owner, moved into out (up to max); how many. */
int warden_distill_crowd_take(struct warden_distill_crowd *c, unsigned owner,
                              struct warden_distill_crowd_wait *out, int max);

/* One framed prompt at ts_ms: its lines' hashes (nparts), the sketches of
 * its recurring frames (nframes; end 1 head, 2 tail). Every line is
 * remembered. Returns true when a line was never seen before; then, when
 * credit is set, each frame is credited one sitting. A credit that brings
 * a frame to min_sittings releases the accounts waiting for that frame
 * (warden_distill_crowd_take). */
bool warden_distill_crowd_observe(struct warden_distill_crowd *c, const uint64_t *parts, int nparts,
                                  const uint64_t *sketch, const uint8_t *end, int nframes,
                                  bool credit, int64_t ts_ms, int max_hamming, int64_t ttl_ms,
                                  uint32_t min_sittings);

/* The most credited sittings of the account's recurring frames (template
 * slots with at least two prompts) at now_ms. */
uint32_t warden_distill_crowd_sittings(struct warden_distill_crowd *c,
                                       const struct warden_distill_template *t, int max_hamming,
                                       int64_t now_ms, int64_t ttl_ms);

/* Filter and frames into a snapshot section, and back (into a table of the
 * same sizes; another size starts over: returns 1, the section skipped).
 * load returns 0, 1 or WARDEN_EFORMAT. */
void warden_distill_crowd_save(struct warden_distill_crowd *c, struct warden_snapwriter *w);
int warden_distill_crowd_load(struct warden_distill_crowd *c, struct warden_snapreader *r);
/* After a load into a process of `shards` shards: every waiting account is
 * handed to the shard that sees its events (warden_hash64(id) % shards, as
 * the runtime partitions accounts), whatever shard count saved it. */
void warden_distill_crowd_reown(struct warden_distill_crowd *c, unsigned shards);

#endif
