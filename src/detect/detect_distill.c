/* detect_distill.c — distillation: the eight per-account signals of
 * distill.h combined into one calibrated account score.
 *
 * Each event updates every signal's state (distill_template.c,
 * distill_sweep.c, distill_elicit.c, distill_shape.c, distill_cadence.c,
 * distill_pivot.c, distill_fanout.c; distill_yield.c reads the shape
 * counts). Once the
 * account has min_events requests, the account
 * score (computed at every request up to the 64th, then at every 8th) is a
 * logistic combination
 *
 *     p = 1 / (1 + exp(-(bias + sum_i w_i * s_i + w_x * s_elicit * s_template)))
 *
 * (s_i in 0..1; the one interaction term is a reasoning request that is part
 * of a reused frame, as harvesting wrappers are; the parts of three signals
 * that read one trait — thinking alone, big budgets and long answers, answer
 * yield: a heavy reasoning-model user — add at most answer_trait_cap
 * together and count as one strong signal) whose bias and weights are
 * policy data (`detectors.distill.*`, shown by
 * `warden config --dump`). With the default weights no single signal can
 * reach the review level on its own (bias + the largest weight < 0), two
 * strong signals reach review, and enforcement needs three or more: one
 * heavy but ordinary trait (long answers, a template, a night-shift
 * scheduler) never blocks anyone. Sustained behaviour is required before
 * enforcement: until the account has been active in enforce_hours distinct
 * clock hours and has enforce_events requests, p is capped at review_cap
 * (below the usual throttle level), so a benchmark run of a few hundred
 * items in one hour can be reviewed, never throttled. How the weights were
 * set, and on which data, is in docs/distillation.md.
 *
 * A newcomer in an enforced harvester's frame (distill_prior.h): an account
 * whose recurring frame matches the frame of an account throttled or
 * blocked on its own evidence is scored from prior_min_events requests
 * instead of min_events (a hydra's pipeline carrying on from a fresh
 * account); its findings then say prior_frame: true.
 *
 * A harvest split over accounts of one sitting each (distill_crowd.h): an
 * account held for its one sitting of new payloads is released when others
 * brought never-seen lines under its recurring frame in crowd_min_sittings
 * account-sittings and crowd_min_share of its own framed prompts were
 * never-seen; its finding is then distill.crowd_frame (evidence
 * crowd_released, crowd_frame_sittings, lead_signal), which cross-account
 * rules do not count as its own evidence (WARDEN_NOT_OWN_EVIDENCE). An
 * account that qualified but for its frame's count is released later, when
 * the frame gets there, even after its last request (crowd_late: the score
 * it was held at, held_at_ms, crowd_frame_sittings, payloads.crowd_framed and
 * crowd_new).
 *
 * The detector emits `distill.<signal>` — the code of the signal with the
 * largest contribution — with score p when p first reaches emit_min and
 * again each time it rises by emit_step (an analyst sees the escalation) or
 * by less to a score the policy's rules give a stronger action. Below
 * emit_min, one finding is reported when the score first reaches
 * suspect_min after new payloads in min_novel_sittings sittings (evidence
 * below_emit_min): it acts on nothing under the example policy, and the
 * link detector pools such evidence across a cluster's members
 * (cluster.harvest_pooled).
 * Evidence: score, capped (bool), bias, active_hours,
 * elicitation_in_template (the interaction's contribution), answer_trait
 * (total, cap, counted: the one-trait parts before and after the cap; when
 * the cap binds, the contributions below add up to more than the score's
 * log-odds by total - counted), request_id (the
 * request at which it fired, when the gateway gives one) and, per signal
 * (template_reuse, capability_sweep, reasoning_elicitation, harvest_shape,
 * machine_cadence, model_pivot, answer_yield, agent_fanout): value, weight, contribution (w x
 * value, in log-odds) and the signal's own counts (see each signal's file).
 *
 * Memory: sizeof(struct warden_distill_state) per account (see distill.h);
 * the elicitation patterns (Hyperscan database and scratch) and the model
 * table per worker. */
#include "detect/detector.h"
#include "detect/distill.h"
#include "detect/distill_prior.h"
#include "detect/distill_crowd.h"
#include "core/datadir.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "core/snapio.h"
#include "core/hash.h"
#include "policy/policy.h"
#include "registry/registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    SIG_TEMPLATE,
    SIG_SWEEP,
    SIG_ELICIT,
    SIG_SHAPE,
    SIG_CADENCE,
    SIG_PIVOT,
    SIG_YIELD,
    SIG_FANOUT,
    NSIG
};

static const char *const sig_name[NSIG] = {
    "template_reuse",  "capability_sweep", "reasoning_elicitation", "harvest_shape",
    "machine_cadence", "model_pivot",      "answer_yield",          "agent_fanout"};
static const char *const sig_code[NSIG] = {
    "distill.template_reuse", "distill.capability_sweep", "distill.reasoning_elicitation",
    "distill.harvest_shape",  "distill.machine_cadence",  "distill.model_pivot",
    "distill.answer_yield",   "distill.agent_fanout"};

struct distill_conf {
    char *patterns;
    int64_t min_events, enforce_events, enforce_hours;
    double bias, w[NSIG], w_framed;
    double review_cap, emit_min, emit_step, suspect_min;
    int64_t template_max_hamming, thinking_min_budget, big_budget, elicit_min_answer;
    double out_ratio;
    int64_t long_answer;
    int64_t new_model_days, history_days;
    bool calibration_trace;
    int64_t novel_sitting_s, min_novel_sittings;
    int64_t enforce_signals, enforce_sittings;
    double strong_contribution;
    double answer_trait_cap;
    int64_t prior_min_events, prior_days, prior_max_hamming, prior_frames;
    int64_t end_user_lanes;
    bool lanes_undeclared;
    double reseller_cap;
    int64_t crowd_min_sittings, crowd_parts, crowd_frames, crowd_days;
    double crowd_min_share;
    int64_t fanout_per_hour, fanout_min_hours, fanout_full_hours, fanout_hour_cap_hours;
};

#define C(f) offsetof(struct distill_conf, f)
static const struct warden_conf_key distill_conf_table[] = {
    {"patterns", WARDEN_CONF_STRING, "distill/elicitation.tsv", C(patterns),
     "reasoning-elicitation patterns (PATTERN<TAB>COMMENT per line); relative paths resolve "
     "against $WARDEN_DATA_DIR, ./data, then the source tree's data/",
     0, 0},
    {"min_events", WARDEN_CONF_INT, "8", C(min_events),
     "requests of an account before it is scored", 1, 1e9},
    {"bias", WARDEN_CONF_DOUBLE, "-5.0", C(bias),
     "logistic combination: intercept (log-odds with every signal at 0)", -50, 50},
    {"w_template_reuse", WARDEN_CONF_DOUBLE, "1.5", C(w[SIG_TEMPLATE]),
     "weight of distill.template_reuse (log-odds at signal 1)", -50, 50},
    {"w_capability_sweep", WARDEN_CONF_DOUBLE, "0", C(w[SIG_SWEEP]),
     "weight of distill.capability_sweep", -50, 50},
    {"w_reasoning_elicitation", WARDEN_CONF_DOUBLE, "4.5", C(w[SIG_ELICIT]),
     "weight of distill.reasoning_elicitation", -50, 50},
    {"w_harvest_shape", WARDEN_CONF_DOUBLE, "4.5", C(w[SIG_SHAPE]),
     "weight of distill.harvest_shape", -50, 50},
    {"w_machine_cadence", WARDEN_CONF_DOUBLE, "1.5", C(w[SIG_CADENCE]),
     "weight of distill.machine_cadence", -50, 50},
    {"w_model_pivot", WARDEN_CONF_DOUBLE, "3.0", C(w[SIG_PIVOT]), "weight of distill.model_pivot",
     -50, 50},
    {"w_answer_yield", WARDEN_CONF_DOUBLE, "1.8", C(w[SIG_YIELD]),
     "weight of distill.answer_yield (many long answers to short new questions)", -50, 50},
    {"w_agent_fanout", WARDEN_CONF_DOUBLE, "2.5", C(w[SIG_FANOUT]),
     "weight of distill.agent_fanout (new agent sessions opened faster than people open them, "
     "hour after hour)",
     -50, 50},
    {"fanout_per_hour", WARDEN_CONF_INT, "30", C(fanout_per_hour),
     "new tool sessions (turns = 1, tools declared, not a repeat) in one clock hour that make it "
     "a busy hour (agent fan-out)",
     1, 65535},
    {"fanout_min_hours", WARDEN_CONF_INT, "2", C(fanout_min_hours),
     "busy-hour equivalents (sessions of busy hours / fanout_per_hour) at or below which agent "
     "fan-out is 0",
     0, 65535},
    {"fanout_full_hours", WARDEN_CONF_INT, "8", C(fanout_full_hours),
     "busy-hour equivalents from which agent fan-out is 1", 1, 65535},
    {"fanout_hour_cap_hours", WARDEN_CONF_INT, "3", C(fanout_hour_cap_hours),
     "most busy-hour equivalents one clock hour counts (a spike of sessions, however fast, "
     "adds at most this much)",
     1, 2184},
    {"w_elicitation_in_template", WARDEN_CONF_DOUBLE, "2.0", C(w_framed),
     "weight of reasoning_elicitation x template_reuse (the reasoning request is part of a "
     "reused frame, as in a harvesting wrapper)",
     -50, 50},
    {"review_cap", WARDEN_CONF_DOUBLE, "0.79", C(review_cap),
     "highest score before the account's behaviour is sustained (see enforce_*)", 0, 1},
    {"enforce_hours", WARDEN_CONF_INT, "12", C(enforce_hours),
     "distinct clock hours (UTC hour of day) with activity before the score may pass review_cap", 0,
     24},
    {"enforce_events", WARDEN_CONF_INT, "30", C(enforce_events),
     "requests before the score may pass review_cap", 0, 1e9},
    {"emit_min", WARDEN_CONF_DOUBLE, "0.5", C(emit_min), "lowest score that emits a finding", 0, 1},
    {"emit_step", WARDEN_CONF_DOUBLE, "0.1", C(emit_step),
     "a new finding when the score has risen this much since the last (or by less to a "
     "score a policy rule gives a stronger action)",
     0.001, 1},
    {"suspect_min", WARDEN_CONF_DOUBLE, "0.3", C(suspect_min),
     "a score from which, below emit_min, one finding is still reported (evidence "
     "below_emit_min), once new payloads came in min_novel_sittings sittings: sub-threshold "
     "harvesting evidence that the link detector pools across a cluster; below every rule of "
     "the example policy; 0: never",
     0, 1},
    {"template_max_hamming", WARDEN_CONF_INT, "12", C(template_max_hamming),
     "SimHash bits two frames may differ by and still be one template", 0, 32},
    {"thinking_min_budget", WARDEN_CONF_INT, "8192", C(thinking_min_budget),
     "max_tokens from which a request with thinking on counts as eliciting reasoning", 0, 1e9},
    {"elicit_min_answer", WARDEN_CONF_INT, "256", C(elicit_min_answer),
     "output tokens below which a request matching an elicitation pattern brought no reasoning "
     "back and is not counted (requests without usage always count; 0 = count every match)",
     0, 1e9},
    {"big_budget", WARDEN_CONF_INT, "16000", C(big_budget),
     "max_tokens counted as near the output ceiling (harvest shape)", 1, 1e9},
    {"out_ratio", WARDEN_CONF_DOUBLE, "6", C(out_ratio),
     "output/input token ratio counted as a long answer to a short question", 0.1, 1e6},
    {"long_answer", WARDEN_CONF_INT, "1000", C(long_answer),
     "output tokens from which an answer counts as long (harvest shape)", 0, 1e9},
    {"new_model_days", WARDEN_CONF_INT, "7", C(new_model_days),
     "a model first seen this many days ago or less is new (model pivot)", 1, 3650},
    {"history_days", WARDEN_CONF_INT, "2", C(history_days),
     "a model counts as new only if first seen this long after the stream began", 0, 3650},
    {"calibration_trace", WARDEN_CONF_BOOL, "false", C(calibration_trace),
     "calibration only: emit every account's signals at 10, 20, 30, 50, 100, 200, 400, ... "
     "requests whatever the score (use with `rules: []`; see docs/distillation.md)",
     0, 0},
    {"novel_sitting_s", WARDEN_CONF_INT, "1800", C(novel_sitting_s),
     "a new payload this many seconds or more after the start of the previous sitting starts "
     "another sitting (see min_novel_sittings)",
     1, 1e9},
    {"min_novel_sittings", WARDEN_CONF_INT, "2", C(min_novel_sittings),
     "sittings with new (never sent before) prompts before the score may reach emit_min: a "
     "benchmark run is one sitting of a fixed item set, re-run later with the same items; "
     "harvesting brings new payloads sitting after sitting (0 = off)",
     0, 65535},
    {"enforce_signals", WARDEN_CONF_INT, "3", C(enforce_signals),
     "independent signals, each contributing at least strong_contribution, that also lift "
     "review_cap once new payloads came in enforce_sittings sittings (0 = only enforce_hours and "
     "enforce_events lift it)",
     0, 6},
    {"enforce_sittings", WARDEN_CONF_INT, "3", C(enforce_sittings),
     "sittings with new payloads before enforce_signals strong signals lift review_cap", 1, 65535},
    {"strong_contribution", WARDEN_CONF_DOUBLE, "1.0", C(strong_contribution),
     "log-odds contribution (weight x value) from which a signal counts as strong", 0, 50},
    {"answer_trait_cap", WARDEN_CONF_DOUBLE, "3.0", C(answer_trait_cap),
     "most log-odds the reasoning-model trait may add, counted once: thinking alone (in "
     "reasoning_elicitation), big budgets and long answers (in harvest_shape) and answer_yield "
     "are one trait of every heavy reasoning-model user; together they count as one signal",
     0, 50},
    {"prior_min_events", WARDEN_CONF_INT, "3", C(prior_min_events),
     "requests from which an account is scored when one of its recurring frames matches the frame "
     "of an account throttled or blocked while harvesting (a hydra's pipeline carrying on from a "
     "fresh account; same weights, caps and holds; 0 = off; see distill_prior.h)",
     0, 1e9},
    {"prior_days", WARDEN_CONF_INT, "30", C(prior_days),
     "days an enforced account's frames stay a prior for newcomers", 1, 3650},
    {"prior_max_hamming", WARDEN_CONF_INT, "6", C(prior_max_hamming),
     "SimHash bits a newcomer's frame may differ by from an enforced account's frame", 0, 32},
    {"prior_frames", WARDEN_CONF_INT, "16384", C(prior_frames),
     "entries in the table of enforced accounts' frames (16 bytes each, 4 per frame; the "
     "oldest is replaced)",
     64, 1e9},
    {"end_user_lanes", WARDEN_CONF_INT, "8192", C(end_user_lanes),
     "end users scored apart per shard, each as the account ACCOUNT/END_USER (a lane: 864 "
     "bytes; a new end user replaces the one of the 8 lanes of its set seen least recently, "
     "each request a lane scored counting as 30 minutes more recent, up to 256; 0 = off)",
     0, 1 << 22},
    {"lanes_undeclared", WARDEN_CONF_BOOL, "true", C(lanes_undeclared),
     "score in lanes the end users of accounts that are not declared resellers too (an app "
     "passing its users' ids in end_user): the end user who harvests gets a verdict of its own; "
     "the account is still scored on all of its traffic",
     0, 0},
    {"reseller_cap", WARDEN_CONF_DOUBLE, "0.79", C(reseller_cap),
     "highest score of a declared reseller's own account from its end users' requests while "
     "they are scored apart (end_user_lanes > 0), or from requests without an end_user id: the "
     "end user who harvests is acted on, the platform reviewed",
     0, 1},
    {"crowd_min_sittings", WARDEN_CONF_INT, "4", C(crowd_min_sittings),
     "account-sittings, across accounts, that brought payloads no account had sent before under "
     "one of an account's recurring frames, from which the account is released from the "
     "min_novel_sittings hold, if it brought such payloads itself (a harvest split over many "
     "accounts of one sitting each; users of an evaluation harness re-send the benchmark's "
     "items; see distill_crowd.h; 0 = off)",
     0, 65535},
    {"crowd_min_share", WARDEN_CONF_DOUBLE, "0.9", C(crowd_min_share),
     "share of the account's framed prompts that must carry a line no account sent before for "
     "crowd_min_sittings to release it (a harvester's items are new to everyone; a harness user "
     "re-sends items others ran)",
     0, 1},
    {"crowd_parts", WARDEN_CONF_INT, "4194304", C(crowd_parts),
     "lines of framed prompts remembered per generation to tell payloads no account sent before "
     "(two generations, about 1.25 bytes per line each; a line sent once is forgotten after two "
     "generations: size it to the framed lines of the period over which a benchmark's items "
     "should be known as re-sent; the counter distill.crowd.rotations counts generations)",
     1024, 1LL << 32},
    {"crowd_frames", WARDEN_CONF_INT, "65536", C(crowd_frames),
     "entries in the table of frames' sittings with new payloads (16 bytes each, 4 per frame; the "
     "least recently credited is replaced)",
     64, 1e9},
    {"crowd_days", WARDEN_CONF_INT, "30", C(crowd_days),
     "days after its last credited sitting a frame's count starts over", 1, 3650},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

struct distill_ctx {
    struct distill_conf conf;
    bool own_conf;
    const struct warden_policy *policy; /* its rules: a rise that changes the action is reported */
    struct warden_distill_matcher *m;
    struct warden_distill_models models;
    struct warden_distill_prior *prior; /* frames of enforced accounts (NULL: off) */
    struct warden_distill_crowd *crowd; /* frames' new payloads across accounts (NULL: off) */
    bool crowd_saver;                   /* this context created it: keeps its counters */
    unsigned crowd_owner;               /* this context's number for released accounts */
    bool counters_set;
    unsigned cid_rotations; /* counter distill.crowd.rotations (crowd_saver only) */
    struct lane *lanes;     /* end users scored apart (NULL: off) */
    size_t lane_sets;       /* power of two; LANE_WAYS lanes each */
};

/* ---- end-user lanes ----
 * A platform serves its own end users through one account (a declared
 * reseller, registry `reseller`, or any app that passes its users' ids in
 * `end_user`), so the account's behaviour mixes theirs and one end user who
 * harvests is diluted among the others. Each end user (event `end_user`) is
 * also scored on its own, in a lane: the same state, signals, holds and
 * thresholds as an account, its findings made for the account
 * ACCOUNT/END_USER, so the policy acts on that end user (its verdict). A
 * declared reseller's own score from its end users' requests is capped at
 * reseller_cap (judge); an undeclared account keeps its whole score (an
 * operation that makes up end-user ids must not thereby cap its own).
 * lanes_undeclared false keeps lanes to declared resellers. Lanes live in a
 * fixed table per shard (end_user_lanes, 8-way sets; a new end user replaces
 * the lane of its set with the least to lose, lane_keep, starting over) and
 * are saved in state snapshots with the shard's other state (distill_save). */
#define LANE_WAYS 8
#define LANE_ID_MAX 256
struct lane {
    uint64_t key; /* 0: empty */
    int64_t last_ms;
    /* an end user's lane: 1 once it was throttled or blocked; an account's
     * rest lane (below): how many of its end users' lanes were */
    uint32_t enforced;
    uint32_t unused;
    struct warden_distill_state st;
};

/* The rest lane of an account that is not a declared reseller and passes
 * end_user ids: the same state over its requests other than those of end
 * users actioned in their lanes (review or worse) or whose lanes score as
 * harvesting (emit_min or more, before any hold); every end user's first
 * min_events requests, before its lane is scored, are in it. Once an end
 * user's lane is actioned, the account's own score is capped at the higher
 * of reseller_cap and its rest lane's score: the harvest that end user
 * brought is acted on in the lane, and the account is enforced only if the
 * rest of its traffic harvests too (an operation making up end-user ids
 * that change before min_events sets nothing apart; one carrying on under
 * new ids after a lane was blocked leaves min_events of each in the rest).
 * Keyed apart from every end user's lane by REST_SALT. */
#define REST_SALT 0x52455354a5a5a5a5ULL

/* Which lane of a full set a new end user replaces: the least recently seen,
 * each request the lane has scored counting as LANE_KEEP_MS more recent (up
 * to LANE_KEEP_N of them). Most end users of an app send a few requests and
 * leave; one who harvests sends hundreds, and a plain least-recently-seen
 * rule would restart that lane whenever a handful of one-off users passed
 * through its set during a pause (its evidence lost). */
#define LANE_KEEP_MS (30 * 60000LL)
#define LANE_KEEP_N 256
static int64_t lane_keep(const struct lane *l)
{
    uint32_t n = l->st.n < LANE_KEEP_N ? l->st.n : LANE_KEEP_N;
    return l->last_ms + (int64_t)n * LANE_KEEP_MS;
}

/* The lane of key (an end user's, or an account's rest lane), made when
 * make is set (replacing the lane of its set with the least to lose),
 * else NULL when there is none. */
static struct lane *lane_find(struct distill_ctx *c, uint64_t key, int64_t ts_ms, bool make)
{
    if (!key) key = 1;
    struct lane *set = &c->lanes[((key >> 7) & (c->lane_sets - 1)) * LANE_WAYS];
    struct lane *v = &set[0];
    for (int w = 0; w < LANE_WAYS; w++) {
        if (set[w].key == key) {
            v = &set[w];
            goto found;
        }
        if (!set[w].key || (v->key && lane_keep(&set[w]) < lane_keep(v))) v = &set[w];
    }
    if (!make) return NULL;
    memset(v, 0, sizeof *v);
    v->key = key;
found:
    if (ts_ms > v->last_ms) v->last_ms = ts_ms;
    return v;
}

static uint64_t account_key(const struct warden_event *ev)
{
    return warden_hash64(ev->account_id.p, ev->account_id.n) * 0x9e3779b97f4a7c15ULL;
}

static struct lane *lane_of(struct distill_ctx *c, const struct warden_event *ev)
{
    return lane_find(c, account_key(ev) ^ warden_hash64(ev->end_user.p, ev->end_user.n), ev->ts_ms,
                     true);
}

static struct lane *rest_of(struct distill_ctx *c, const struct warden_event *ev, bool make)
{
    return lane_find(c, account_key(ev) ^ REST_SALT, ev->ts_ms, make);
}

static void distill_free(void *vctx)
{
    struct distill_ctx *c = vctx;
    if (!c) return;
    warden_distill_matcher_free(c->m);
    warden_distill_prior_free(c->prior);
    warden_distill_crowd_free(c->crowd);
    free(c->lanes);
    if (c->own_conf) warden_conf_fini(distill_conf_table, &c->conf);
    free(c);
}

static int distill_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    struct distill_ctx *c = warden_xcalloc(1, sizeof *c);
    c->policy = policy;
    if (conf) {
        memcpy(&c->conf, conf, sizeof c->conf);
    } else {
        warden_conf_defaults(distill_conf_table, &c->conf);
        c->own_conf = true;
    }
    char *path =
        warden_data_path(NULL, c->conf.patterns ? c->conf.patterns : "distill/elicitation.tsv");
    char err[512];
    int rc = warden_distill_matcher_new(&c->m, path, err, sizeof err);
    free(path);
    if (rc) {
        warden_err("distill: %s", err);
        distill_free(c);
        return rc;
    }
    if (c->conf.prior_min_events > 0 && !warden_distill_prior_is_off())
        c->prior = warden_distill_prior_new(policy, (size_t)c->conf.prior_frames);
    if (c->conf.crowd_min_sittings > 0 && c->conf.min_novel_sittings > 0 &&
        !warden_distill_crowd_is_off())
        c->crowd = warden_distill_crowd_new(policy, (size_t)c->conf.crowd_parts,
                                            (size_t)c->conf.crowd_frames, &c->crowd_saver);
    if (c->crowd) c->crowd_owner = warden_distill_crowd_owner(c->crowd);
    if (c->conf.end_user_lanes > 0) {
        size_t sets = 1;
        while (sets * LANE_WAYS < (size_t)c->conf.end_user_lanes) sets <<= 1;
        c->lane_sets = sets;
        c->lanes = warden_xcalloc(sets * LANE_WAYS, sizeof *c->lanes);
    }
    *vctx = c;
    return 0;
}

/* Before min_events: is the account's recurring frame an enforced one's? */
static bool early_by_prior(struct distill_ctx *c, const struct warden_distill_state *s,
                           const struct warden_event *ev)
{
    const struct distill_conf *k = &c->conf;
    return c->prior && k->prior_min_events > 0 && s->n >= (uint32_t)k->prior_min_events &&
           warden_distill_prior_match(c->prior, &s->tpl, (int)k->prior_max_hamming, ev->ts_ms,
                                      k->prior_days * 86400000);
}

/* After a finding: an account throttled or blocked on its own evidence
 * (reasons other than cluster.*) lends its frames to newcomers. */
static void record_if_enforced(struct distill_ctx *c, const struct warden_distill_state *s,
                               const struct warden_event *ev, struct warden_emit *em,
                               const char *id, size_t len)
{
    if (!c->prior || !em->action_of) return;
    if (em->action_of(em, id, len, WARDEN_NOT_OWN_EVIDENCE) < WARDEN_THROTTLE) return;
    warden_distill_prior_record(c->prior, &s->tpl, ev->ts_ms, id, len);
}

/* The share of the account's payloads that were new (for an agent account,
 * of its sessions' tasks): agent fan-out counts only these. */
static double new_task_share(const struct warden_distill_state *s)
{
    return 1 - warden_distill_novelty_repeat_share(&s->novelty);
}

static void signal_evidence(int i, const struct distill_conf *k,
                            const struct warden_distill_state *s, struct warden_jbuf *b)
{
    switch (i) {
    case SIG_TEMPLATE:
        warden_distill_template_evidence(&s->tpl, b);
        break;
    case SIG_SWEEP:
        warden_distill_sweep_evidence(&s->sweep, b);
        break;
    case SIG_ELICIT:
        warden_distill_elicit_evidence(&s->elicit, b);
        break;
    case SIG_SHAPE:
        warden_distill_shape_evidence(&s->shape, b);
        break;
    case SIG_CADENCE:
        warden_distill_cadence_evidence(&s->cad, b);
        break;
    case SIG_PIVOT:
        warden_distill_pivot_evidence(&s->pivot, b);
        break;
    case SIG_YIELD:
        warden_distill_yield_evidence(&s->shape, b);
        break;
    default:
        warden_distill_fanout_evidence(&s->fanout, k->fanout_per_hour, new_task_share(s), b);
        break;
    }
}

/* The prompt's frames that recur in the account (a template slot of the
 * same end within max_hamming bits holding at least two prompts), as the
 * prompt's own sketches: up to two (head, tail). */
static int recurring_frames(const struct warden_distill_template *tpl,
                            const struct warden_distill_text *t, int max_hamming, uint64_t sk[2],
                            uint8_t end[2])
{
    int n = 0;
    if (!t->prompt_hash || t->ntokens < 4) return 0;
    for (uint8_t e = 1; e <= 2; e++) {
        uint64_t x = e == 1 ? t->head_sketch : t->tail_sketch;
        for (int i = 0; i < WARDEN_DISTILL_TSLOTS; i++)
            if (tpl->count[i] >= 2 && tpl->end[i] == e &&
                warden_distill_hamming(tpl->sketch[i], x) <= max_hamming) {
                sk[n] = x;
                end[n++] = e;
                break;
            }
    }
    return n;
}

/* Hashes of a prompt's lines, blank lines skipped and blanks trimmed: the
 * first CROWD_LINES/2 and the last CROWD_LINES/2 (every line of a shorter
 * prompt). Each line on its own, so an item sent with another instruction
 * line appended, or in another frame, is recognised line by line. */
#define CROWD_LINES 16
static int crowd_lines(const char *p, size_t n, uint64_t *out)
{
    enum { HALF = CROWD_LINES / 2 };
    size_t ring_a[HALF], ring_b[HALF];
    int k = 0, nring = 0;
    for (size_t at = 0; at < n;) {
        const char *q = memchr(p + at, '\n', n - at);
        size_t e = q ? (size_t)(q - p) : n, a = at, b = e;
        at = e + 1;
        while (a < b && (p[a] == ' ' || p[a] == '\t' || p[a] == '\r')) a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t' || p[b - 1] == '\r')) b--;
        if (a == b) continue;
        if (k < HALF) {
            out[k++] = warden_hash64(p + a, b - a);
        } else { /* the last lines: hashed at the end */
            ring_a[nring % HALF] = a;
            ring_b[nring % HALF] = b;
            nring++;
        }
    }
    for (int i = nring > HALF ? nring - HALF : 0; i < nring; i++)
        out[k++] = warden_hash64(p + ring_a[i % HALF], ring_b[i % HALF] - ring_a[i % HALF]);
    return k;
}

/* Across accounts (distill_crowd.h): remember a framed prompt's lines, count
 * the account's framed prompts and those with a line no account sent before,
 * and credit the account's current sitting to its frames once, at the first
 * such prompt in it. */
static void crowd_observe(struct distill_ctx *c, const struct warden_event *ev,
                          const struct warden_distill_text *t, struct warden_distill_state *s)
{
    const struct distill_conf *k = &c->conf;
    uint64_t sk[2];
    uint8_t end[2];
    int nf = recurring_frames(&s->tpl, t, (int)k->template_max_hamming, sk, end);
    if (!nf) return;
    uint64_t lines[CROWD_LINES];
    int nl = crowd_lines(ev->prompt.p, ev->prompt.n, lines);
    if (!nl) return;
    struct warden_distill_novelty *nv = &s->novelty;
    bool credit = nv->sittings > 0 && nv->crowd_sitting != nv->sittings;
    bool fresh = warden_distill_crowd_observe(
        c->crowd, lines, nl, sk, end, nf, credit, ev->ts_ms, (int)k->template_max_hamming,
        k->crowd_days * 86400000, (uint32_t)k->crowd_min_sittings);
    if (s->crowd_framed == UINT16_MAX) {
        s->crowd_framed /= 2;
        s->crowd_new /= 2;
    }
    s->crowd_framed++;
    s->crowd_new += fresh;
    if (fresh && credit) {
        nv->crowd_sitting = nv->sittings;
        if (nv->crowd_credits < UINT16_MAX) nv->crowd_credits++;
    }
}

static void update(struct distill_ctx *c, const struct warden_event *ev,
                   const struct warden_distill_text *t, struct warden_distill_state *s)
{
    const struct distill_conf *k = &c->conf;
    bool repeat = warden_distill_template_update(&s->tpl, t, (int)k->template_max_hamming);
    warden_distill_fanout_update(&s->fanout, ev, repeat, k->fanout_per_hour,
                                 k->fanout_per_hour * k->fanout_hour_cap_hours);
    warden_distill_sweep_update(&s->sweep, t);
    warden_distill_elicit_update(&s->elicit, c->m, ev, t, k->thinking_min_budget,
                                 k->elicit_min_answer);
    warden_distill_shape_update(&s->shape, ev, k->big_budget, k->out_ratio, k->long_answer);
    warden_distill_cadence_update(&s->cad, ev->ts_ms);
    warden_distill_pivot_update(&s->pivot, &c->models, ev, k->new_model_days * 86400,
                                k->history_days * 86400);
    /* an agent's payloads are its sessions' tasks, not its tools' outputs
     * (distill_novelty.c) */
    enum warden_distill_payload how = WARDEN_PAYLOAD_LINES;
    if (ev->tools != WARDEN_NOINT && ev->tools > 0 && ev->turns != WARDEN_NOINT) {
        if (ev->turns == 1)
            how = WARDEN_PAYLOAD_TASK;
        else if (ev->turns > 1 && s->fanout.starts > 0)
            how = WARDEN_PAYLOAD_TOOL_OUTPUT;
    }
    warden_distill_novelty_update(&s->novelty, ev, k->novel_sitting_s * 1000, how);
    if (c->crowd && ev->prompt.n) crowd_observe(c, ev, t, s);
    if (s->n < UINT32_MAX) s->n++;
}

/* A request into an account's rest lane: as update(), without the crowd
 * (the account's own update counted the request there). */
static void rest_update(struct distill_ctx *c, const struct warden_event *ev,
                        const struct warden_distill_text *t, struct warden_distill_state *s)
{
    struct warden_distill_crowd *crowd = c->crowd;
    c->crowd = NULL;
    update(c, ev, t, s);
    c->crowd = crowd;
}

/* A held account that qualifies but for its frame's count: remembered in
 * the crowd table, to be released if the frame gets there after it left. */
static void crowd_wait(struct distill_ctx *c, const struct warden_distill_state *s,
                       const struct warden_event *ev, const char *lane, size_t lane_len, double p)
{
    int top = -1;
    for (int i = 0; i < WARDEN_DISTILL_TSLOTS; i++)
        if (s->tpl.count[i] >= 2 && (top < 0 || s->tpl.count[i] > s->tpl.count[top])) top = i;
    const char *id = lane ? lane : ev->account_id.p;
    size_t len = lane ? lane_len : ev->account_id.n;
    if (top < 0 || len > WARDEN_CROWD_ID_MAX) return;
    struct warden_distill_crowd_wait w = {.sketch = s->tpl.sketch[top],
                                          .ts_ms = ev->ts_ms ? ev->ts_ms : 1,
                                          .score = (float)p,
                                          .framed = s->crowd_framed,
                                          .fresh = s->crowd_new,
                                          .len = (uint16_t)len,
                                          .end = s->tpl.end[top],
                                          .owner = (uint8_t)c->crowd_owner};
    memcpy(w.id, id, len);
    warden_distill_crowd_wait(c->crowd, &w);
}

/* Accounts of this shard released after they left: their findings now,
 * with the score they were held at (capped as it was). */
static void crowd_report(struct distill_ctx *c, struct warden_emit *em)
{
    struct warden_distill_crowd_wait out[8];
    int n;
    if (!em->finding_for) return;
    while ((n = warden_distill_crowd_take(c->crowd, c->crowd_owner, out, 8)) > 0) {
        for (int i = 0; i < n; i++) {
            struct warden_jbuf *b = &em->scratch;
            warden_jbuf_reset(b);
            warden_jbuf_obj_open(b);
            warden_jbuf_kv_num(b, "score", out[i].score);
            warden_jbuf_kv_bool(b, "crowd_released", true);
            warden_jbuf_kv_bool(b, "crowd_late", true);
            warden_jbuf_kv_int(b, "crowd_frame_sittings", out[i].sittings);
            warden_jbuf_kv_int(b, "held_at_ms", out[i].ts_ms);
            warden_jbuf_key(b, "payloads");
            warden_jbuf_obj_open(b);
            warden_jbuf_kv_int(b, "crowd_framed", out[i].framed);
            warden_jbuf_kv_int(b, "crowd_new", out[i].fresh);
            warden_jbuf_obj_close(b);
            warden_jbuf_obj_close(b);
            warden_emit_finding_for(em, out[i].id, out[i].len, "distill.crowd_frame", out[i].score,
                                    warden_jbuf_str(b));
        }
        if (n < 8) break;
    }
}

/* A rise smaller than emit_step that reaches a stronger action under the
 * policy's rules (a score from 0.93 to 0.99 crossing a block threshold at
 * 0.95) is reported too: the verdict follows the score. */
static bool stronger(const struct distill_ctx *c, bool released, int lead, double p, float last)
{
    if (!c->policy || p <= (double)last) return false;
    const char *code = released ? "distill.crowd_frame" : sig_code[lead];
    return warden_policy_decide(c->policy, code, p) >
           warden_policy_decide(c->policy, code, (double)last);
}

/* What judge() weighs: the signals, the combined score and what capped it. */
struct scored {
    double v[NSIG];
    double p, framed, trait, trait_counted;
    int lead, strong, hours;
    bool capped, no_text;
};

/* The combined score of state s, capped while it is not sustained or no
 * prompt text was ever read. */
static void score(const struct distill_ctx *c, const struct warden_distill_state *s,
                  struct scored *o)
{
    const struct distill_conf *k = &c->conf;
    double *v = o->v;
    v[SIG_TEMPLATE] = warden_distill_template_score(&s->tpl);
    v[SIG_SWEEP] = warden_distill_sweep_score(&s->sweep);
    v[SIG_ELICIT] = warden_distill_elicit_score(&s->elicit);
    v[SIG_SHAPE] = warden_distill_shape_score(&s->shape);
    v[SIG_CADENCE] = warden_distill_cadence_score(&s->cad);
    v[SIG_PIVOT] = warden_distill_pivot_score(&s->pivot);
    v[SIG_YIELD] = warden_distill_yield_score(&s->shape);
    v[SIG_FANOUT] = warden_distill_fanout_score(&s->fanout, k->fanout_per_hour, k->fanout_min_hours,
                                                k->fanout_full_hours, new_task_share(s));
    double framed = k->w_framed * v[SIG_ELICIT] * v[SIG_TEMPLATE];
    double z = k->bias + framed;
    int lead = 0, strong = 0;
    /* one trait, counted once: a reasoning model used with big budgets
     * brings thinking, big budgets and long answers at once, which three
     * signals would otherwise each count (a heavy reasoning-model user would
     * look like three strong signals) */
    double part[NSIG] = {0};
    part[SIG_ELICIT] = k->w[SIG_ELICIT] * warden_distill_elicit_thinking_part(&s->elicit);
    part[SIG_SHAPE] = k->w[SIG_SHAPE] * warden_distill_shape_answer_part(&s->shape);
    part[SIG_YIELD] = k->w[SIG_YIELD] * v[SIG_YIELD];
    double trait = part[SIG_ELICIT] + part[SIG_SHAPE] + part[SIG_YIELD];
    double trait_counted = trait > k->answer_trait_cap ? k->answer_trait_cap : trait;
    z -= trait - trait_counted;
    strong += trait_counted >= k->strong_contribution;
    for (int i = 0; i < NSIG; i++) {
        z += k->w[i] * v[i];
        if (k->w[i] * v[i] > k->w[lead] * v[lead]) lead = i;
        strong += k->w[i] * v[i] - part[i] >= k->strong_contribution;
    }
    double p = 1.0 / (1.0 + exp(-z));
    int hours = warden_distill_cadence_hours(&s->cad);
    /* sustained: active over enough clock hours and requests, or several
     * independent strong signals with new payloads over several sittings */
    bool sustained = (hours >= k->enforce_hours && s->n >= (uint32_t)k->enforce_events) ||
                     (k->enforce_signals > 0 && strong >= k->enforce_signals &&
                      s->novelty.sittings >= k->enforce_sittings);
    bool capped = false;
    if (!sustained && p > k->review_cap) {
        p = k->review_cap;
        capped = true;
    }
    /* no prompt text ever read (a gateway that does not log it): a re-run of
     * an evaluation cannot be told from new payloads, so the account is
     * reviewed, not enforced, on this evidence */
    bool no_text = s->novelty.checked == 0;
    if (no_text && p > k->review_cap) {
        p = k->review_cap;
        capped = true;
    }
    o->p = p;
    o->framed = framed;
    o->trait = trait;
    o->trait_counted = trait_counted;
    o->lead = lead;
    o->strong = strong;
    o->hours = hours;
    o->capped = capped;
    o->no_text = no_text;
}

/* Score the account (lane NULL) or the end-user lane "ACCOUNT/END_USER"
 * (lane, len) whose state is s, and make a finding when it is due; *scored
 * (when not NULL) gets the combined score if it was computed. */
static void judge(struct distill_ctx *c, const struct warden_event *ev,
                  struct warden_distill_state *s, struct warden_emit *em, const char *lane,
                  size_t lane_len, double *scored)
{
    const struct distill_conf *k = &c->conf;
    bool prior = s->n < (uint32_t)k->min_events;
    if (prior && !early_by_prior(c, s, ev)) return;
    /* the combination: every request up to 64, then every 8th (saves work on
     * heavy accounts; a later escalation comes at most 7 requests later) */
    if (s->n > 64 && (s->n & 7) != 0 && !k->calibration_trace) return;

    struct scored sc;
    score(c, s, &sc);
    if (scored) *scored = sc.p; /* the combined score before the holds (NULL: not wanted) */
    const double *v = sc.v;
    double p = sc.p, framed = sc.framed, trait = sc.trait, trait_counted = sc.trait_counted;
    int lead = sc.lead, strong = sc.strong, hours = sc.hours;
    bool capped = sc.capped, no_text = sc.no_text;
    /* a declared reseller whose end users are scored apart: the lane of the
     * end user who harvests is acted on, the platform only reviewed. A
     * declared reseller's request without an end-user id mixes its users
     * with no way to tell which of them harvests: the platform is reviewed
     * on it too, never enforced, and the evidence says the id is missing */
    bool reseller = !lane && ev->account && ev->account->reseller;
    bool anonymous = reseller && !ev->end_user.n;
    bool platform = reseller && (anonymous || c->lanes);
    if (platform && p > k->reseller_cap) {
        p = k->reseller_cap;
        capped = true;
    }
    /* an account that is not a declared reseller, one of whose end users is
     * throttled or blocked in a lane: enforced only if the rest of its
     * traffic harvests too (rest lane, above) */
    uint32_t lanes_enforced = 0;
    double rest_p = -1;
    if (!lane && !reseller && c->lanes && s->elicit.end_users && p > k->reseller_cap) {
        struct lane *r = rest_of(c, ev, false);
        if (r && r->enforced) {
            struct scored rs;
            score(c, &r->st, &rs);
            lanes_enforced = r->enforced;
            rest_p = rs.p;
            double cap = rs.p > k->reseller_cap ? rs.p : k->reseller_cap;
            if (p > cap) {
                p = cap;
                capped = true;
            }
        }
    }
    /* a burst of new items in one sitting is a benchmark run as much as a
     * harvest: below emit_min until new payloads arrived in another sitting */
    /* ... unless others brought new payloads under the account's frame in
     * sittings of their own, and the account brought some too: a harvest
     * split over accounts of one sitting each (distill_crowd.h) */
    bool held = false, released = false, qualifies = false, below = false;
    uint32_t crowd = 0;
    if (s->novelty.sittings < k->min_novel_sittings && p >= k->emit_min) {
        /* the account's own framed payloads must be new to everyone too:
         * a user of a harness re-sends items others ran before */
        qualifies = c->crowd && s->novelty.crowd_credits > 0 &&
                    s->crowd_new >= k->crowd_min_share * s->crowd_framed;
        if (qualifies)
            crowd = warden_distill_crowd_sittings(c->crowd, &s->tpl, (int)k->template_max_hamming,
                                                  ev->ts_ms, k->crowd_days * 86400000);
        if (c->crowd && crowd >= (uint32_t)k->crowd_min_sittings) {
            released = true;
        } else {
            if (qualifies) crowd_wait(c, s, ev, lane, lane_len, p);
            p = k->emit_min * 0.99;
            held = true;
        }
    }
    if (k->calibration_trace) {
        /* one snapshot at 10, 20, 30, 50 requests, then at each doubling from 100 */
        uint32_t n = s->n;
        bool at = n == 10 || n == 20 || n == 30 || n == 50 ||
                  (n >= 100 && n % 100 == 0 && !((n / 100) & (n / 100 - 1)));
        if (!at) return;
    } else {
        float *last = released ? &s->crowd_emitted : &s->last_emitted;
        if (p < k->emit_min) {
            /* below every rule: reported once, for pooling across accounts
             * (the link detector), when the account's own new payloads say
             * harvest and not one sitting's benchmark run */
            if (!(k->suspect_min > 0 && p >= k->suspect_min && *last == 0 && !lane &&
                  s->novelty.sittings >= k->min_novel_sittings))
                return;
            below = true;
        } else if (*last >= k->emit_min && p < (double)*last + k->emit_step &&
                   !stronger(c, released, lead, p, *last)) {
            return;
        }
        *last = (float)p;
    }

    /* released by the crowd: a code of its own, which cross-account rules do
     * not count as the account's own evidence (WARDEN_NOT_OWN_EVIDENCE) */
    const char *code = released ? "distill.crowd_frame" : sig_code[lead];
    struct warden_jbuf *b = &em->scratch;
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_num(b, "score", p);
    if (released) warden_jbuf_kv_str(b, "lead_signal", sig_name[lead]);
    warden_jbuf_kv_bool(b, "capped", capped);
    warden_jbuf_kv_bool(b, "held", held);
    if (below) warden_jbuf_kv_bool(b, "below_emit_min", true);
    warden_jbuf_kv_num(b, "bias", k->bias);
    warden_jbuf_kv_int(b, "active_hours", hours);
    warden_jbuf_kv_int(b, "strong_signals", strong);
    warden_jbuf_kv_num(b, "elicitation_in_template", framed);
    warden_jbuf_key(b, "answer_trait");
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_num(b, "total", trait);
    warden_jbuf_kv_num(b, "cap", k->answer_trait_cap);
    warden_jbuf_kv_num(b, "counted", trait_counted);
    warden_jbuf_obj_close(b);
    if (prior) warden_jbuf_kv_bool(b, "prior_frame", true);
    if (no_text) warden_jbuf_kv_bool(b, "no_prompt_text", true);
    if (released) {
        warden_jbuf_kv_bool(b, "crowd_released", true);
        warden_jbuf_kv_int(b, "crowd_frame_sittings", crowd);
    }
    if (platform) warden_jbuf_kv_bool(b, "reseller_platform", true);
    if (anonymous) warden_jbuf_kv_bool(b, "end_user_missing", true);
    if (lanes_enforced) {
        warden_jbuf_kv_int(b, "end_users_enforced", lanes_enforced);
        warden_jbuf_kv_num(b, "rest_score", rest_p);
    }
    if (lane) {
        warden_jbuf_key(b, "lane");
        warden_jbuf_obj_open(b);
        warden_jbuf_key(b, "account");
        warden_jbuf_str_val(b, ev->account_id.p, ev->account_id.n);
        warden_jbuf_key(b, "end_user");
        warden_jbuf_str_val(b, ev->end_user.p, ev->end_user.n);
        warden_jbuf_obj_close(b);
    }
    if (ev->request_id.p && ev->request_id.n) {
        warden_jbuf_key(b, "request_id");
        warden_jbuf_str_val(b, ev->request_id.p, ev->request_id.n);
    }
    warden_jbuf_key(b, "signals");
    warden_jbuf_obj_open(b);
    for (int i = 0; i < NSIG; i++) {
        warden_jbuf_key(b, sig_name[i]);
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_num(b, "value", v[i]);
        warden_jbuf_kv_num(b, "weight", k->w[i]);
        warden_jbuf_kv_num(b, "contribution", k->w[i] * v[i]);
        signal_evidence(i, k, s, b);
        warden_jbuf_obj_close(b);
    }
    warden_jbuf_obj_close(b);
    warden_jbuf_key(b, "payloads");
    warden_jbuf_obj_open(b);
    warden_distill_novelty_evidence(&s->novelty, b);
    if (c->crowd) {
        warden_jbuf_kv_int(b, "crowd_credits", s->novelty.crowd_credits);
        warden_jbuf_kv_int(b, "crowd_framed", s->crowd_framed);
        warden_jbuf_kv_int(b, "crowd_new", s->crowd_new);
    }
    warden_jbuf_obj_close(b);
    warden_jbuf_obj_close(b);
    if (lane) {
        warden_emit_events_for(em, lane, lane_len, s->n, ev->ts_ms);
        warden_emit_finding_for(em, lane, lane_len, code, p, warden_jbuf_str(b));
        if (!k->calibration_trace) record_if_enforced(c, s, ev, em, lane, lane_len);
        return;
    }
    warden_emit_finding(em, code, p, warden_jbuf_str(b));
    if (!k->calibration_trace) record_if_enforced(c, s, ev, em, ev->account_id.p, ev->account_id.n);
}

static void distill_observe(void *vctx, const struct warden_event *ev, void *vstate,
                            struct warden_emit *em)
{
    struct distill_ctx *c = vctx;
    struct warden_distill_state *s = vstate;
    if (!c->counters_set && em->counters) {
        c->counters_set = true;
        /* each shard's own table of end-user lanes (summed over the shards) */
        if (c->lanes)
            em->counters->v[warden_counter_register(
                em->counters, "distill.lanes.memory_bytes",
                "bytes of the end-user lanes (fixed: end_user_lanes per shard)")] +=
                c->lane_sets * LANE_WAYS * sizeof *c->lanes;
        /* the process's table: counted once, by the shard that made it */
        if (c->crowd && c->crowd_saver) {
            em->counters->v[warden_counter_register(
                em->counters, "distill.crowd.memory_bytes",
                "bytes of the table of frames' new payloads across accounts (fixed)")] =
                warden_distill_crowd_memory_bytes(c->crowd);
            c->cid_rotations = warden_counter_register(
                em->counters, "distill.crowd.rotations",
                "generations of the crowd's line filter retired (a line sent once is forgotten "
                "after two: see crowd_parts)");
        }
    }
    if (c->crowd && c->crowd_saver && em->counters)
        em->counters->v[c->cid_rotations] = warden_distill_crowd_rotations(c->crowd);
    if (c->crowd) crowd_report(c, em);
    struct warden_distill_text own;
    const struct warden_distill_text *t = warden_emit_text(em, ev, &own);
    update(c, ev, t, s);
    bool declared = ev->account && ev->account->reseller;
    /* an end user, scored apart too: a declared reseller's, and (lanes_undeclared) that of
     * any account that passes end_user ids; scored before the account, whose cap depends on
     * it */
    if (c->lanes && ev->end_user.n && (declared || c->conf.lanes_undeclared) &&
        ev->account_id.n + 1 + ev->end_user.n <= LANE_ID_MAX) {
        char id[LANE_ID_MAX];
        size_t len = ev->account_id.n + 1 + ev->end_user.n;
        memcpy(id, ev->account_id.p, ev->account_id.n);
        id[ev->account_id.n] = '/';
        memcpy(id + ev->account_id.n + 1, ev->end_user.p, ev->end_user.n);
        struct lane *l = lane_of(c, ev);
        update(c, ev, t, &l->st);
        double lane_p = -1;
        judge(c, ev, &l->st, em, id, len, &lane_p);
        if (!declared) {
            s->elicit.end_users = 1;
            bool first = !l->enforced && em->action_of &&
                         em->action_of(em, id, len, WARDEN_NOT_OWN_EVIDENCE) >= WARDEN_REVIEW;
            if (first) l->enforced = 1;
            /* a lane scored as harvesting, before any hold: its requests are kept out of
             * the rest from then on (the rest still has its first min_events) */
            bool suspect = false;
            if (!l->enforced && l->st.n >= (uint32_t)c->conf.min_events) {
                if (lane_p < 0) { /* judge() skipped it (every 8th request past 64) */
                    struct scored ls;
                    score(c, &l->st, &ls);
                    lane_p = ls.p;
                }
                suspect = lane_p >= c->conf.emit_min;
            }
            bool enforced = l->enforced || suspect;
            /* l is not used below: making the rest lane may replace it */
            struct lane *r = rest_of(c, ev, true);
            if (first && r->enforced < UINT32_MAX) r->enforced++;
            if (!enforced) rest_update(c, ev, t, &r->st);
        }
    } else if (c->lanes && s->elicit.end_users && !declared) {
        struct lane *r = rest_of(c, ev, true);
        rest_update(c, ev, t, &r->st);
    }
    judge(c, ev, s, em, NULL, 0, NULL);
}

/* End of a run: accounts of this shard released after their last request. */
static void distill_flush(void *vctx, struct warden_emit *em)
{
    struct distill_ctx *c = vctx;
    if (c->crowd) crowd_report(c, em);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const distill_codes[] = {
    "distill.template_reuse",        "distill.capability_sweep",
    "distill.reasoning_elicitation", "distill.harvest_shape",
    "distill.machine_cadence",       "distill.model_pivot",
    "distill.answer_yield",          "distill.agent_fanout",
    "distill.crowd_frame",           NULL};

/* Snapshots: when this shard first saw each model (pivot), then the frames
 * of enforced accounts (distill_prior.h), then the end-user lanes (a fixed
 * table of pointer-free entries keyed by their first 8 bytes). Bits of the
 * size word say what follows (snapshots written before the prior table or
 * the lanes have none, and their per-account state stays valid). A table
 * of another size here starts over: the lanes, as the frames, are
 * evidence to come, not decisions taken. */
#define PRIOR_FOLLOWS 0x80000000u
#define LANES_FOLLOWS 0x40000000u
#define CROWD_FOLLOWS 0x20000000u /* last: its section skips to the end when it does not fit */
/* The shard's own state: its model table and its end-user lanes. The
 * process's tables (the prior, the crowd) go in distill_save_process; a
 * snapshot from before carries them here and is still read. */
static int distill_save(void *vctx, struct warden_snapwriter *w)
{
    struct distill_ctx *c = vctx;
    warden_snap_put_u32(w, (uint32_t)sizeof c->models | (c->lanes ? LANES_FOLLOWS : 0));
    warden_snap_put_bytes(w, &c->models, sizeof c->models);
    if (c->lanes) warden_snap_put_table(w, c->lanes, c->lane_sets * LANE_WAYS, sizeof *c->lanes);
    return 0;
}

/* The prior's frames, when a section carries them; *rest false when the
 * prior is off here and the rest of the section was skipped with it
 * (prior_min_events 0: frames, lanes and the crowd start over). */
static int load_prior_part(struct distill_ctx *c, struct warden_snapreader *r, bool *rest)
{
    *rest = c->prior != NULL;
    if (!c->prior) {
        warden_snap_section_skip(r);
        return 0;
    }
    return warden_distill_prior_load(c->prior, r);
}

/* The crowd table, the last part of a section; shards > 0: hand its
 * waiting accounts to the shards that see them in this process. */
static int load_crowd_part(struct distill_ctx *c, struct warden_snapreader *r, unsigned shards)
{
    if (!c->crowd) { /* off here: the frames' counts start over */
        warden_snap_section_skip(r);
        return 0;
    }
    int rc = warden_distill_crowd_load(c->crowd, r);
    if (rc == 0 && shards) warden_distill_crowd_reown(c->crowd, shards);
    return rc < 0 ? rc : 0;
}

static int distill_load(void *vctx, struct warden_snapreader *r)
{
    struct distill_ctx *c = vctx;
    struct warden_distill_models m;
    uint32_t size = warden_snap_get_u32(r);
    if ((size & ~(PRIOR_FOLLOWS | LANES_FOLLOWS | CROWD_FOLLOWS)) != sizeof m)
        return warden_snap_failed(r) ? WARDEN_EFORMAT : 1;
    warden_snap_get_bytes(r, &m, sizeof m);
    if (warden_snap_failed(r)) return WARDEN_EFORMAT;
    if (m.n > WARDEN_DISTILL_MODELS) {
        warden_snap_fail(r, "distill: %u models", m.n);
        return WARDEN_EFORMAT;
    }
    c->models = m;
    if (size & PRIOR_FOLLOWS) { /* a snapshot from before the process section */
        bool rest;
        int rc = load_prior_part(c, r, &rest);
        if (rc || !rest) return rc;
    }
    if (size & LANES_FOLLOWS) {
        int rc = c->lanes ? warden_snap_get_table(r, c->lanes, c->lane_sets * LANE_WAYS,
                                                  sizeof *c->lanes)
                          : 1;
        if (rc < 0) return rc;
        if (rc == 1) { /* lanes off or another size: they start over */
            if (c->lanes)
                warden_warn("state snapshot: distill: the end-user lanes of declared resellers "
                            "start empty (saved with another table or lane size)");
            warden_snap_section_skip(r);
            return 0;
        }
    }
    return size & CROWD_FOLLOWS ? load_crowd_part(c, r, 0) : 0;
}

/* The tables every shard of the process shares: the frames of enforced
 * harvesters (the prior) and the crowd table, saved once, and kept when
 * the process restarts with another shard count (the crowd's waiting
 * accounts handed to the shard that sees them then). */
static int distill_save_process(void *vctx, struct warden_snapwriter *w)
{
    struct distill_ctx *c = vctx;
    bool crowd = c->crowd != NULL;
    warden_snap_put_u32(w, (c->prior ? PRIOR_FOLLOWS : 0) | (crowd ? CROWD_FOLLOWS : 0));
    if (c->prior) warden_distill_prior_save(c->prior, w);
    if (crowd) warden_distill_crowd_save(c->crowd, w);
    return 0;
}

static int distill_load_process(void *vctx, struct warden_snapreader *r, unsigned shards)
{
    struct distill_ctx *c = vctx;
    uint32_t flags = warden_snap_get_u32(r);
    if (warden_snap_failed(r)) return WARDEN_EFORMAT;
    if (flags & ~(PRIOR_FOLLOWS | CROWD_FOLLOWS)) {
        warden_snap_fail(r, "distill: process tables flagged %#x", flags);
        return WARDEN_EFORMAT;
    }
    if (flags & PRIOR_FOLLOWS) {
        bool rest;
        int rc = load_prior_part(c, r, &rest);
        if (rc || !rest) return rc;
    }
    return flags & CROWD_FOLLOWS ? load_crowd_part(c, r, shards) : 0;
}
const struct warden_detector warden_detect_distill = {
    .name = "distill",
    .description = "distillation: template reuse, capability sweep, reasoning elicitation, "
                   "harvest shape, machine cadence, model pivot and answer yield, combined per "
                   "account",
    .conf_table = distill_conf_table,
    .conf_size = sizeof(struct distill_conf),
    .state_size = sizeof(struct warden_distill_state),
    .init = distill_init,
    .observe = distill_observe,
    .flush = distill_flush,
    .free = distill_free,
    .codes = distill_codes,
    /* 2: word hashes eight bytes a step (distill_text.c); the sketches of
     * version 1 would not match the new ones */
    .state_version = 3,
    .state_grew_from = {offsetof(struct warden_distill_state, fanout), 2},
    .save = distill_save,
    .load = distill_load,
    .save_process = distill_save_process,
    .load_process = distill_load_process,
};
