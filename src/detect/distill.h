/* distill.h — the distillation signals, shared by detect_distill.c and tests.
 *
 * Design. Distillation is seen through eight weak per-account signals, each
 * a separate module (distill_<signal>.c) that owns a fixed-size state struct
 * (answer yield reads the harvest shape's) and three functions: update (one
 * event, O(prompt length), no allocation), score (0..1 from the state) and
 * evidence (counts and ratios for an analyst, never prompt text). One
 * detector, `distill` (detect_distill.c), owns all the states in its
 * per-account slice, updates them on every event and combines their scores
 * into one calibrated account score (a logistic combination whose weights
 * are policy data, see detect_distill.c). The finding it emits carries the
 * reason code of the signal that contributed most (distill.template_reuse,
 * distill.capability_sweep, distill.reasoning_elicitation,
 * distill.harvest_shape, distill.machine_cadence, distill.model_pivot,
 * distill.answer_yield, distill.agent_fanout) and every signal's value and
 * contribution in its evidence. One detector rather than eight because the
 * detector interface gives each detector its own state slice and no way to
 * read another's: the combination needs all of them at once.
 *
 * Prompt text is read once per event by warden_distill_text_scan() into
 * hashes (token hashes, head/tail sketches, a whole-prompt hash); no signal
 * keeps a pointer into the event or any text. Tokens are runs of letters and
 * digits (ASCII case-folded; other scripts' letters as they are) and, for
 * scripts written without spaces (CJK ideographs, kana, Hangul, Thai),
 * each character: no language is favoured or penalised by the tokenizer.
 *
 * Payload novelty (distill_novelty.c) is not a signal: it gates the
 * finding (a burst of new items in one sitting, as in a benchmark run, is not
 * reported until new items come in another sitting).
 * Across accounts, a frame under which others brought never-seen payloads
 * in sittings of their own releases that gate (distill_crowd.h).
 *
 * Memory per account: sizeof(struct warden_distill_state), 848 bytes,
 * asserted <= WARDEN_DISTILL_BUDGET in the unit tests; `warden scan` prints
 * the engine's per-account memory with every detector. */
#ifndef WARDEN_DETECT_DISTILL_H
#define WARDEN_DETECT_DISTILL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/jbuf.h"

#define WARDEN_DISTILL_BUDGET 2048 /* bytes per account, all signals together */

/* ---- per-event text view (distill_text.c) ---- */

#define WARDEN_DISTILL_EDGE 8     /* tokens at each end that make a frame */
#define WARDEN_DISTILL_CONTENT 24 /* content tokens per prompt for the sweep */

struct warden_distill_text {
    uint64_t prompt_hash;              /* whole prompt (0: no prompt) */
    uint64_t system_hash;              /* whole system prompt (0: none) */
    uint64_t head_sketch, tail_sketch; /* SimHash of the first/last tokens, position-weighted */
    uint32_t ntokens;                  /* tokens read (all of them unless the prompt is long) */
    uint32_t ncontent;
    uint32_t content[WARDEN_DISTILL_CONTENT]; /* hashes of content tokens (>= 4 letters, or CJK
                                                 character pairs), spread over the prompt */
};

/* Tokenize ev->prompt (and hash ev->system) into t. */
void warden_distill_text_scan(struct warden_distill_text *t, const struct warden_event *ev);
/* Bits set in x. Without -mpopcnt (the default x86-64 target), GCC's
 * __builtin_popcountll is a call into libgcc (__popcountdi2, 0.6 % of a scan
 * profile); this is the branch-free SWAR count instead (Hacker's Delight
 * 5-1), inlined: about twelve operations. With -mpopcnt (or on arm64) the
 * builtin is one instruction and is used. */
static inline int warden_distill_popcount(uint64_t x)
{
#if defined(__POPCNT__) || defined(__aarch64__)
    return __builtin_popcountll(x);
#else
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/* Number of differing bits. */
static inline int warden_distill_hamming(uint64_t a, uint64_t b)
{
    return warden_distill_popcount(a ^ b);
}

/* ---- distill.template_reuse (distill_template.c) ---- */

#define WARDEN_DISTILL_TSLOTS 8
#define WARDEN_DISTILL_BLOOM_WORDS 8 /* 512 bits per generation */

struct warden_distill_template {
    uint64_t sketch[WARDEN_DISTILL_TSLOTS];
    uint16_t count[WARDEN_DISTILL_TSLOTS];
    uint16_t distinct[WARDEN_DISTILL_TSLOTS];      /* of those, prompts not seen recently */
    uint8_t end[WARDEN_DISTILL_TSLOTS];            /* 1 head (same opening), 2 tail (same ending) */
    uint64_t bloom[2][WARDEN_DISTILL_BLOOM_WORDS]; /* recent prompt hashes, two generations */
    uint16_t bloom_n;                              /* inserts into the current generation */
    uint8_t bloom_cur;
    uint8_t cursor; /* where the next victim search starts */
    uint32_t n, repeats;
};
/* Returns true when the prompt was seen recently (a repeat). */
bool warden_distill_template_update(struct warden_distill_template *s,
                                    const struct warden_distill_text *t, int max_hamming);
double warden_distill_template_score(const struct warden_distill_template *s);
void warden_distill_template_evidence(const struct warden_distill_template *s,
                                      struct warden_jbuf *b);

/* ---- distill.capability_sweep (distill_sweep.c) ---- */

#define WARDEN_DISTILL_SWEEP_WORDS 8  /* 512 feature buckets */
#define WARDEN_DISTILL_SWEEP_BATCH 32 /* prompts per coverage measurement */

struct warden_distill_sweep {
    uint64_t cov[WARDEN_DISTILL_SWEEP_WORDS]; /* buckets hit in the current batch */
    uint32_t ntok;                            /* content tokens in the current batch */
    uint16_t nprompts;                        /* prompts in the current batch */
    uint16_t batches;                         /* complete batches measured */
    float coverage; /* running mean over batches of (buckets hit / expected if all distinct) */
    float last;     /* the newest batch's value */
};
void warden_distill_sweep_update(struct warden_distill_sweep *s,
                                 const struct warden_distill_text *t);
double warden_distill_sweep_score(const struct warden_distill_sweep *s);
void warden_distill_sweep_evidence(const struct warden_distill_sweep *s, struct warden_jbuf *b);

/* ---- distill.reasoning_elicitation (distill_elicit.c, Hyperscan) ---- */

struct warden_distill_matcher; /* compiled patterns, shared read-only; scratch per worker */
/* Load and compile the pattern file (format in data/distill/README.md). */
int warden_distill_matcher_new(struct warden_distill_matcher **out, const char *path, char *err,
                               size_t errlen);
void warden_distill_matcher_free(struct warden_distill_matcher *m);
/* Does the text match any pattern? Sets *id to the first matching pattern's id. */
bool warden_distill_matcher_match(struct warden_distill_matcher *m, const char *p, size_t n,
                                  unsigned *id);
size_t warden_distill_matcher_count(const struct warden_distill_matcher *m);

struct warden_distill_elicit {
    uint64_t sys_hash; /* the last system prompt scanned, and whether it matched */
    uint32_t n, text, thinking, either;
    uint16_t last_pattern; /* id+1 of the newest matching pattern */
    uint8_t sys_match;
    uint8_t end_users;      /* not this signal's: set when the account (not a declared reseller)
                               passed an end_user id scored in a lane (detect_distill.c), so its
                               requests also feed its rest lane; in what was padding */
    uint32_t short_answers; /* matched requests whose answer was shorter than min_answer (not
                               counted in text: no reasoning came back) */
};
/* thinking_min_budget: max_tokens at or above which `thinking` counts;
 * min_answer: output tokens below which a matching request brought back no
 * reasoning and is not counted (0 = count every match; requests without
 * usage always count). */
void warden_distill_elicit_update(struct warden_distill_elicit *s, struct warden_distill_matcher *m,
                                  const struct warden_event *ev,
                                  const struct warden_distill_text *t, int64_t thinking_min_budget,
                                  int64_t min_answer);
double warden_distill_elicit_score(const struct warden_distill_elicit *s);
/* The part of the score owed to thinking alone (no text match): the
 * reasoning-model trait, which detect_distill.c counts once with the answer
 * lengths (see warden_distill_shape_answer_part). */
double warden_distill_elicit_thinking_part(const struct warden_distill_elicit *s);
void warden_distill_elicit_evidence(const struct warden_distill_elicit *s, struct warden_jbuf *b);

/* ---- distill.harvest_shape (distill_shape.c) ---- */

struct warden_distill_shape {
    uint32_t n, single, tools, cache, big_budget, usage, long_out;
    /* 1 once a request of the account read more from the cache than its
     * input_tokens: its gateway reports input without the cache reads
     * (Anthropic's usage), not with them (OpenAI's). Fits the padding before
     * the cadence state: the per-account size and snapshots are unchanged. */
    uint32_t cache_apart;
};
void warden_distill_shape_update(struct warden_distill_shape *s, const struct warden_event *ev,
                                 int64_t big_budget, double out_ratio, int64_t long_answer);
double warden_distill_shape_score(const struct warden_distill_shape *s);
/* The part of the score owed to big budgets and long answers (the rest is
 * the request format: single-turn, no tools, no cache). */
double warden_distill_shape_answer_part(const struct warden_distill_shape *s);
void warden_distill_shape_evidence(const struct warden_distill_shape *s, struct warden_jbuf *b);

/* ---- distill.answer_yield (distill_yield.c; reads the harvest shape counts) ---- */

double warden_distill_yield_score(const struct warden_distill_shape *s);
void warden_distill_yield_evidence(const struct warden_distill_shape *s, struct warden_jbuf *b);

/* ---- distill.machine_cadence (distill_cadence.c) ---- */

struct warden_distill_cadence {
    int64_t first_ts, last_ts;
    float gap_mean, gap_m2; /* exponentially weighted mean / second moment of gaps (s) */
    uint32_t gaps, late, n, concurrent;
    uint16_t hour[24];   /* requests per UTC hour of day (halved when one saturates) */
    uint32_t hours_seen; /* bit h: some request in UTC hour h */
    /* gaps inside runs (under a run break apart): exponentially weighted
     * mean / second moment, the current run and the longest (in gaps) */
    float run_mean, run_m2;
    uint16_t run_len, run_best;
};
void warden_distill_cadence_update(struct warden_distill_cadence *s, int64_t ts_ms);
double warden_distill_cadence_score(const struct warden_distill_cadence *s);
/* Distinct UTC clock hours with activity (0..24). */
int warden_distill_cadence_hours(const struct warden_distill_cadence *s);
void warden_distill_cadence_evidence(const struct warden_distill_cadence *s, struct warden_jbuf *b);

/* ---- distill.model_pivot (distill_pivot.c) ---- */

#define WARDEN_DISTILL_MODELS 16
/* Models this worker has seen and when first (shared by its accounts). */
struct warden_distill_models {
    uint64_t hash[WARDEN_DISTILL_MODELS];
    int64_t first_ts[WARDEN_DISTILL_MODELS];
    int64_t stream_start;
    unsigned n;
};
struct warden_distill_pivot {
    int64_t first_ts; /* account's first event */
    int64_t pivot_ts; /* account's first request to the new model */
    uint64_t pivot_model;
    uint32_t before;           /* requests before the pivot */
    uint32_t day_new, day_all; /* in the 24 h from pivot_ts: on the new model / in all */
};
/* new_model_s: a model first seen this recently is new; history_s: the
 * stream (and the account) must be older than this for a pivot to count. */
void warden_distill_pivot_update(struct warden_distill_pivot *s, struct warden_distill_models *m,
                                 const struct warden_event *ev, int64_t new_model_s,
                                 int64_t history_s);
double warden_distill_pivot_score(const struct warden_distill_pivot *s);
void warden_distill_pivot_evidence(const struct warden_distill_pivot *s, struct warden_jbuf *b);

/* ---- distill.agent_fanout (distill_fanout.c) ---- */

struct warden_distill_fanout {
    uint32_t starts;        /* new tool sessions (turns = 1, tools declared, not a repeat) */
    uint32_t hour;          /* clock hour (ts / 3,600,000) of cur */
    uint16_t cur;           /* new tool sessions in that hour */
    uint16_t peak;          /* most in one hour */
    uint16_t busy;          /* hours that reached per_hour */
    uint16_t busy_sessions; /* sessions of busy hours, at most hour_cap of each (saturates;
                               0 in a snapshot saved before it was kept) */
};
/* repeat: the prompt was a recent repeat (warden_distill_template_update);
 * hour_cap: most sessions one busy hour counts in busy_sessions. */
void warden_distill_fanout_update(struct warden_distill_fanout *s, const struct warden_event *ev,
                                  bool repeat, int64_t per_hour, int64_t hour_cap);
/* Busy-hour equivalents (busy_sessions / per_hour, at least busy) mapped
 * min_hours .. full_hours to 0 .. 1, times new_share: the share of the
 * account's payloads that were new (1 minus the novelty repeat share, which
 * for an account with tool sessions is its tasks' share): tasks sent again,
 * however long ago, are not new sessions. */
double warden_distill_fanout_score(const struct warden_distill_fanout *s, int64_t per_hour,
                                   int64_t min_hours, int64_t full_hours, double new_share);
void warden_distill_fanout_evidence(const struct warden_distill_fanout *s, int64_t per_hour,
                                    double new_share, struct warden_jbuf *b);

/* ---- payload novelty over time (distill_novelty.c) ---- */

#define WARDEN_DISTILL_NOVEL_SET 64 /* sampled prompt fingerprints per account */

struct warden_distill_novelty {
    uint32_t fp[WARDEN_DISTILL_NOVEL_SET]; /* high halves of sampled prompt-part hashes */
    int64_t sitting_ts;                    /* start (ms) of the newest sitting with new payloads */
    uint32_t checked, repeats;             /* prompts read / with every part sent before (estimates:
                                              each checked prompt weighted by 1 / its chance of
                                              being checked) */
    uint16_t sittings;                     /* sittings in which new payloads arrived */
    uint8_t level;                         /* a part is sampled when its fingerprint has this
                                              many low zero bits */
    uint8_t nfp;
    /* across accounts (distill_crowd.h): the sitting last credited to the
     * account's frames for payloads no account had sent, and how many were */
    uint16_t crowd_sitting;
    uint16_t crowd_credits;
};
/* How a request's prompt is read as a payload. */
enum warden_distill_payload {
    WARDEN_PAYLOAD_LINES,      /* by its lines (a re-sent item under another instruction
                                  line is a repeat) */
    WARDEN_PAYLOAD_TASK,       /* whole: the task opening an agent's tool session */
    WARDEN_PAYLOAD_TOOL_OUTPUT /* not a payload: a tool loop's newest turn, on an account
                                  that opens tool sessions (nothing checked or counted) */
};
/* Returns true when a part of the prompt was checked and never sent before.
 * A new payload at least sitting_ms after the newest sitting began starts
 * another sitting. */
bool warden_distill_novelty_update(struct warden_distill_novelty *s, const struct warden_event *ev,
                                   int64_t sitting_ms, enum warden_distill_payload how);
/* Estimated number of distinct prompt parts (lines) the account has sent. */
double warden_distill_novelty_distinct(const struct warden_distill_novelty *s);
double warden_distill_novelty_repeat_share(const struct warden_distill_novelty *s);
void warden_distill_novelty_evidence(const struct warden_distill_novelty *s, struct warden_jbuf *b);

/* ---- everything, one account ---- */

struct warden_distill_state {
    struct warden_distill_template tpl;
    struct warden_distill_sweep sweep;
    struct warden_distill_elicit elicit;
    struct warden_distill_shape shape;
    struct warden_distill_cadence cad;
    struct warden_distill_pivot pivot;
    float last_emitted; /* score of the newest finding */
    uint32_t n;
    struct warden_distill_novelty
        novelty; /* added after the first six signals: gates the finding */
    /* across accounts (distill_crowd.h): the account's framed prompts, and
     * those with a line no account had sent before (both halved at 65,535) */
    uint16_t crowd_framed, crowd_new;
    float crowd_emitted; /* score of the newest distill.crowd_frame finding (apart from
                            last_emitted: the account's own code is reported afresh once it
                            leaves the hold by itself) */
    /* added in state version 3, at the end: a version-2 slice is its prefix */
    struct warden_distill_fanout fanout;
};

#endif
