/* test_detect_distill.c — the distill detector as a whole, on generated
 * streams (distill_streams.h): harvesters are found early, look-alikes
 * (people in English or Chinese, coding agents, translation services) are
 * not, an evaluation run with "think step by step" is held at review, no
 * single signal can reach the review level with the default weights, the
 * evidence shows every signal's contribution and no prompt text, renaming
 * every identifier changes nothing, and disorder does not break it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/event_decode.h"
#include "policy/policy.h"
#include "detect/detector.h"
#include "detect/distill.h"
#include "distill_streams.h"

struct cap {
    int n;
    int first_at; /* request number of the first finding */
    double max_score;
    double scores[4096];
    char code[64];
    char evidence[8192];
    unsigned at; /* requests fed so far */
};

static void capture(struct warden_emit *em, const char *code, double score, const char *ev)
{
    struct cap *c = em->engine;
    if (c->n == 0) c->first_at = (int)c->at;
    if (c->n < 4096) c->scores[c->n] = score;
    c->n++;
    if (score > c->max_score) c->max_score = score;
    snprintf(c->code, sizeof c->code, "%s", code);
    snprintf(c->evidence, sizeof c->evidence, "%s", ev);
}

static const struct warden_detector *det(void)
{
    int i = warden_detector_index("distill");
    assert_true(i >= 0);
    return warden_detectors[i];
}

static bool no_text; /* run_stream_with: drop the prompt and system text, as gateways that do
                        not log prompts do */

/* Feed n requests of one stream through a fresh detector (under policy,
 * with conf; NULL: defaults) and state. */
static void run_stream_with(struct cap *c, const struct warden_policy *policy, const void *conf,
                            enum ds_kind kind, uint64_t seed, unsigned n, const char *account,
                            const char *ua, bool disorder)
{
    void *ctx;
    assert_int_equal(det()->init(&ctx, policy, conf), 0);
    void *state = calloc(1, det()->state_size);
    memset(c, 0, sizeof *c);
    struct warden_emit em = {.finding = capture, .engine = c, .detector = "distill"};
    warden_jbuf_init(&em.scratch);
    struct ds_stream s;
    ds_init(&s, kind, seed, 1795421702000LL, account, ua);
    char line[4096], prev[4096], why[256];
    prev[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        ds_next_line(&s, line, sizeof line);
        /* disorder: every 7th request arrives after the next one */
        if (disorder && i % 7 == 0 && !prev[0]) {
            memcpy(prev, line, sizeof line);
            continue;
        }
        for (int k = 0; k < 2; k++) {
            char *l = k == 0 ? line : prev;
            if (k == 1 && !prev[0]) break;
            struct warden_event ev;
            assert_int_equal(warden_event_decode(l, strlen(l), &ev, why, sizeof why), 0);
            ev.account_hash = 42;
            if (no_text) ev.prompt = ev.system = (struct warden_str){0};
            em.ev = &ev;
            c->at++;
            det()->observe(ctx, &ev, state, &em);
            if (k == 1) prev[0] = '\0';
        }
    }
    warden_jbuf_fini(&em.scratch);
    free(state);
    det()->free(ctx);
}

static void run_stream(struct cap *c, enum ds_kind kind, uint64_t seed, unsigned n,
                       const char *account, const char *ua, bool disorder)
{
    run_stream_with(c, NULL, NULL, kind, seed, n, account, ua, disorder);
}

static double conf_default(const char *key)
{
    const struct warden_conf_key *k = warden_conf_find(det()->conf_table, key);
    assert_non_null(k);
    return atof(k->def);
}

static void state_within_budget(void **st)
{
    (void)st;
    assert_true(det()->state_size <= WARDEN_DISTILL_BUDGET);
    assert_true(sizeof(struct warden_distill_state) == det()->state_size);
}

static void no_single_signal_reaches_review(void **st)
{
    (void)st;
    static const char *const w[] = {
        "w_template_reuse",  "w_capability_sweep", "w_reasoning_elicitation", "w_harvest_shape",
        "w_machine_cadence", "w_model_pivot",      "w_answer_yield",          "w_agent_fanout"};
    double bias = conf_default("bias"), emit_min = conf_default("emit_min");
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        double p = 1.0 / (1.0 + exp(-(bias + conf_default(w[i]))));
        assert_true(p < emit_min);
    }
    /* long answers count in two signals (harvest shape and answer yield):
     * that trait alone, both at their maximum, is never enforced (throttle
     * from 0.8 in examples/policy.yaml) */
    double p =
        1.0 /
        (1.0 + exp(-(bias + conf_default("w_harvest_shape") + conf_default("w_answer_yield"))));
    assert_true(p < 0.8);
    /* the reasoning-model trait (thinking, big budgets, long answers, yield)
     * counts at most answer_trait_cap, and with the request format at its
     * most harvest-like (0.35 of harvest shape) still stays below review */
    p = 1.0 / (1.0 + exp(-(bias + conf_default("answer_trait_cap") +
                           0.35 * conf_default("w_harvest_shape"))));
    assert_true(p < emit_min);
    /* agent sessions opened all day long with the reasoning-model trait:
     * review, not enforcement */
    p = 1.0 /
        (1.0 + exp(-(bias + conf_default("answer_trait_cap") + conf_default("w_agent_fanout"))));
    assert_true(p >= emit_min && p < 0.8);
}

static void harvester_found_early_and_escalates(void **st)
{
    (void)st;
    struct cap c;
    run_stream(&c, DS_HARVESTER, 1, 1500, "a1", "python-httpx/0.28.1", false);
    assert_true(c.n >= 1);
    assert_true(c.first_at <= 50);
    assert_true(c.scores[0] >= 0.5);
    assert_true(c.max_score >= 0.9); /* sustained over more than 12 clock hours */
    assert_non_null(strstr(c.code, "distill."));
    /* every signal's contribution is in the evidence; no prompt text is */
    assert_non_null(strstr(c.evidence, "\"contribution\""));
    assert_non_null(strstr(c.evidence, "\"reasoning_elicitation\""));
    assert_null(strstr(c.evidence, "Question"));
    assert_null(strstr(c.evidence, "reasoning before"));
    for (size_t i = 0; i < sizeof ds_en / sizeof ds_en[0]; i++)
        assert_null(strstr(c.evidence, ds_en[i]));
}

static void paraphrasing_jittered_harvester_found(void **st)
{
    (void)st;
    struct cap c;
    run_stream(&c, DS_PARAPHRASE, 2, 400, "a2", "OpenAI/Python 1.54.3", false);
    assert_true(c.n >= 1);
    assert_true(c.first_at <= 50);
}

static void people_and_agents_not_flagged(void **st)
{
    (void)st;
    struct cap c;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_stream(&c, DS_PERSON, seed, 300, "p", "Mozilla/5.0", false);
        assert_int_equal(c.n, 0);
        run_stream(&c, DS_PERSON_ZH, seed, 300, "p", "Mozilla/5.0", false);
        assert_int_equal(c.n, 0);
        run_stream(&c, DS_AGENT, seed, 600, "p", "Anthropic/Python 0.39.0", false);
        assert_int_equal(c.n, 0);
        run_stream(&c, DS_TRANSLATE, seed, 1500, "p", "Go-http-client/2.0", false);
        assert_int_equal(c.n, 0);
    }
}

/* Thinking on, big budgets, long answers to short new questions, every day:
 * one trait (a heavy reasoning-model user), counted once (answer_trait_cap),
 * not three strong signals; never reported. */
static void heavy_reasoning_user_not_flagged(void **st)
{
    (void)st;
    struct cap c;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_stream(&c, DS_REASONER, seed, 1200, "r", "Mozilla/5.0", false);
        assert_int_equal(c.n, 0);
    }
}

/* An agent harness over a task list: every request in an application's
 * format (tools, cache reads, turns, no wording asking for reasoning), so
 * only the rate of new sessions, hour after hour, tells it from a coding
 * agent's user: with agent_fanout it is reported (here its clockwork pace
 * around the clock adds machine_cadence), without it never. */
static void agent_harness_reviewed_on_fanout(void **st)
{
    (void)st;
    struct cap c;
    run_stream(&c, DS_HARNESS, 7, 9000, "h", "python-httpx/0.28.1", false);
    assert_true(c.n >= 1);
    assert_true(c.max_score >= 0.5);
    assert_non_null(strstr(c.evidence, "\"agent_fanout\":{\"value\":1,"));
    assert_non_null(strstr(c.evidence, "\"cache_apart\":true"));
    assert_null(strstr(c.evidence, "exit status"));
    void *conf = calloc(1, det()->conf_size);
    warden_conf_defaults(det()->conf_table, conf);
    const struct warden_conf_key *k = warden_conf_find(det()->conf_table, "w_agent_fanout");
    assert_non_null(k);
    *(double *)((char *)conf + k->offset) = 0;
    run_stream_with(&c, NULL, conf, DS_HARNESS, 7, 9000, "h", "python-httpx/0.28.1", false);
    assert_true(c.max_score < conf_default("emit_min")); /* at most the one below emit_min */
    assert_true(c.n <= 1);
    warden_conf_fini(det()->conf_table, conf);
    free(conf);
}

/* An evaluation team re-running an agentic benchmark: the same tasks on four
 * days at a harness's pace (fan-out and thinking at full), but every run
 * runs the tools again, so its tool loops bring new text. Tool outputs are
 * not payloads: the tasks are, and they came in one sitting, so nothing is
 * reported. The harness above, whose tasks are new, is. */
static void agent_eval_reruns_not_reported(void **st)
{
    (void)st;
    struct cap c;
    run_stream(&c, DS_AGENT_EVAL, 5, 4 * 900, "ae", "python-httpx/0.28.1", false);
    if (c.n)
        fprintf(stderr, "first at %d max %.3f %s %s\n", c.first_at, c.max_score, c.code,
                c.evidence);
    assert_int_equal(c.n, 0);
}

/* Evidence held below every rule is reported once, from suspect_min, for
 * the link detector to pool across a cluster (below_emit_min), and never
 * again until the score reaches emit_min; suspect_min 0 reports none. (The
 * person, agent, translation and heavy-reasoning streams above report
 * nothing, this one included.) */
static void held_evidence_reported_once_for_pooling(void **st)
{
    (void)st;
    struct cap c;
    void *conf = calloc(1, det()->conf_size);
    warden_conf_defaults(det()->conf_table, conf);
    const struct warden_conf_key *k = warden_conf_find(det()->conf_table, "w_agent_fanout");
    *(double *)((char *)conf + k->offset) = 0;
    run_stream_with(&c, NULL, conf, DS_HARNESS, 7, 9000, "h", "python-httpx/0.28.1", false);
    assert_int_equal(c.n, 1);
    assert_true(c.scores[0] >= conf_default("suspect_min") &&
                c.scores[0] < conf_default("emit_min"));
    assert_non_null(strstr(c.evidence, "\"below_emit_min\":true"));
    k = warden_conf_find(det()->conf_table, "suspect_min");
    *(double *)((char *)conf + k->offset) = 0;
    run_stream_with(&c, NULL, conf, DS_HARNESS, 7, 9000, "h", "python-httpx/0.28.1", false);
    assert_int_equal(c.n, 0);
    warden_conf_fini(det()->conf_table, conf);
    free(conf);
    /* a harvester that goes on to review: the one below it first, then the
     * finding at emit_min and its escalation as before */
    run_stream(&c, DS_HARVESTER, 1, 1500, "a1", "python-httpx/0.28.1", false);
    assert_true(c.n >= 2);
    for (int i = 1; i < c.n && i < 4096; i++) assert_true(c.scores[i] >= conf_default("emit_min"));
}

/* A gateway that does not log prompt text: the harvester is still found
 * from the request's shape, its answers and its pace (the sittings count
 * activity instead of new payloads) and reviewed; people, coding agents and
 * a one-sitting evaluation run still are not reported. */
static void found_without_prompt_text(void **st)
{
    (void)st;
    struct cap c;
    no_text = true;
    run_stream(&c, DS_HARVESTER, 1, 1500, "a1", "python-httpx/0.28.1", false);
    assert_true(c.n >= 1);
    /* reviewed, not enforced: without the payloads a re-run of an evaluation
     * cannot be told from new items */
    assert_true(c.max_score >= 0.5 && c.max_score < 0.8);
    assert_non_null(strstr(c.evidence, "\"no_prompt_text\":true"));
    assert_non_null(strstr(c.evidence, "\"checked\":0"));
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_stream(&c, DS_PERSON, seed, 300, "p", "Mozilla/5.0", false);
        assert_int_equal(c.n, 0);
        run_stream(&c, DS_AGENT, seed, 600, "p", "Anthropic/Python 0.39.0", false);
        assert_int_equal(c.n, 0);
        run_stream(&c, DS_REASONER, seed, 1200, "r", "Mozilla/5.0", false);
        assert_int_equal(c.n, 0);
    }
    run_stream(&c, DS_EVAL_COT, 3, 500, "e", "python-requests/2.32.3", false);
    assert_int_equal(c.n, 0);
}

static int text_back(void **st)
{
    (void)st;
    no_text = false;
    return 0;
}

static void eval_run_not_reported(void **st)
{
    (void)st;
    struct cap c;
    run_stream(&c, DS_EVAL_COT, 3, 500, "e", "python-requests/2.32.3", false);
    /* a benchmark run in one burst (one sitting of new items) is not reported */
    assert_int_equal(c.n, 0);
}

static void strong_signals_over_sittings_enforced(void **st)
{
    (void)st;
    struct cap c;
    /* 36 requests in 6 sessions: few clock hours, far from enforce_hours */
    run_stream(&c, DS_SESSION_HARVEST, 5, 36, "s", "python-httpx/0.28.1", false);
    assert_true(c.n >= 1);
    assert_true(c.max_score > 0.8);
    assert_non_null(strstr(c.evidence, "\"capped\":false"));
    assert_null(strstr(c.evidence, "\"strong_signals\":0"));
    assert_null(strstr(c.evidence, "\"strong_signals\":1,"));
    assert_null(strstr(c.evidence, "\"strong_signals\":2,"));
}

static void identifiers_do_not_matter(void **st)
{
    (void)st;
    struct cap a, b;
    run_stream(&a, DS_PARAPHRASE, 9, 600, "acct_tEoSIusphsNjWW56BGQ4RrBW", "OpenAI/Python 1.54.3",
               false);
    run_stream(&b, DS_PARAPHRASE, 9, 600, "x", "curl/8.5.0", false);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.first_at, b.first_at);
    for (int i = 0; i < a.n && i < 4096; i++) assert_true(fabs(a.scores[i] - b.scores[i]) < 1e-12);
}

static void disorder_does_not_break_it(void **st)
{
    (void)st;
    struct cap c;
    run_stream(&c, DS_HARVESTER, 4, 1500, "d", "python-httpx/0.28.1", true);
    assert_true(c.n >= 1);
    assert_true(c.first_at <= 60);
    assert_true(c.max_score >= 0.9);
    assert_non_null(strstr(c.evidence, "\"late\":"));
    assert_null(strstr(c.evidence, "\"late\":0"));
}

/* A rise smaller than emit_step is reported when the policy's rules give
 * the new score a stronger action: with a step of 0.3 the findings would
 * stop short of the block rule at 0.95 (examples/policy.yaml); under the
 * policy the verdict follows the score to it. */
static void rise_to_a_stronger_action_reported(void **st)
{
    (void)st;
    struct warden_policy *p = NULL;
    char err[256];
    assert_int_equal(warden_policy_load(&p, "examples/policy.yaml", err, sizeof err), 0);
    int idx = warden_detector_index("distill");
    void *conf = malloc(det()->conf_size);
    memcpy(conf, warden_policy_detector_conf(p, (size_t)idx), det()->conf_size);
    const struct warden_conf_key *k = warden_conf_find(det()->conf_table, "emit_step");
    assert_non_null(k);
    *(double *)((char *)conf + k->offset) = 0.3;
    struct cap without, with;
    run_stream_with(&without, NULL, conf, DS_HARVESTER, 1, 1500, "a1", "python-httpx/0.28.1",
                    false);
    run_stream_with(&with, p, conf, DS_HARVESTER, 1, 1500, "a1", "python-httpx/0.28.1", false);
    assert_true(without.max_score < 0.95); /* the steps of 0.3 skip it */
    assert_true(with.max_score >= 0.95);
    assert_true(warden_policy_decide(p, with.code, with.max_score) == WARDEN_BLOCK);
    assert_true(with.n > without.n && with.n <= without.n + 3); /* throttle, block: no more */
    free(conf);
    warden_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_within_budget),
        cmocka_unit_test(no_single_signal_reaches_review),
        cmocka_unit_test(heavy_reasoning_user_not_flagged),
        cmocka_unit_test(harvester_found_early_and_escalates),
        cmocka_unit_test(paraphrasing_jittered_harvester_found),
        cmocka_unit_test(people_and_agents_not_flagged),
        cmocka_unit_test(eval_run_not_reported),
        cmocka_unit_test(agent_harness_reviewed_on_fanout),
        cmocka_unit_test(agent_eval_reruns_not_reported),
        cmocka_unit_test(held_evidence_reported_once_for_pooling),
        cmocka_unit_test_teardown(found_without_prompt_text, text_back),
        cmocka_unit_test(strong_signals_over_sittings_enforced),
        cmocka_unit_test(identifiers_do_not_matter),
        cmocka_unit_test(disorder_does_not_break_it),
        cmocka_unit_test(rise_to_a_stronger_action_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
