/* test_engine.c — the whole engine in-process: events in, findings and
 * verdicts out, with the real policy loader, the real IP table and the real
 * detectors; warden_engine_drain() instead of sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/event_decode.h"
#include "engine/engine.h"
#include "intel/intel.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "rt_fixture.h"

struct rig {
    struct warden_policy *pol;
    struct warden_intel *intel;
    struct warden_engine *e;
    int findings, actions, shadow_actions;
    char last_code[64];
};

static void on_finding(void *ctx, const struct warden_finding *f)
{
    struct rig *r = ctx;
    r->findings++;
    snprintf(r->last_code, sizeof r->last_code, "%s", f->code);
}

static void on_action(void *ctx, const struct warden_action_change *c)
{
    struct rig *r = ctx;
    r->actions++;
    r->shadow_actions += c->shadow;
}

static void rig_up(struct rig *r, const char *yaml, size_t max_accounts)
{
    char err[512];
    memset(r, 0, sizeof *r);
    r->pol = rt_fixture_policy(yaml);
    assert_int_equal(warden_intel_open(&r->intel, &r->pol->intel, err, sizeof err), 0);
    struct warden_engine_opts o = {.policy = r->pol,
                                   .intel = r->intel,
                                   .max_accounts = max_accounts,
                                   .sinks = {on_finding, on_action, r}};
    assert_int_equal(warden_engine_new(&r->e, &o, err, sizeof err), 0);
}

static void rig_down(struct rig *r)
{
    warden_engine_free(r->e);
    warden_intel_free(r->intel);
    warden_policy_free(r->pol);
}

static void feed(struct rig *r, const char *account, const char *ip, int64_t ts_ms)
{
    char line[512], why[256];
    int n = snprintf(line, sizeof line, "{\"ts\":%lld,\"account_id\":\"%s\",\"ip\":\"%s\"}",
                     (long long)ts_ms, account, ip);
    struct warden_event ev;
    assert_int_equal(warden_event_decode(line, (size_t)n, &ev, why, sizeof why), 0);
    warden_engine_process(r->e, &ev);
}

static const struct warden_verdict *verdict_of(struct rig *r, const char *account)
{
    for (size_t i = 0; i < warden_engine_n_verdicts(r->e); i++) {
        const struct warden_verdict *v = warden_engine_verdict_at(r->e, i);
        if (strcmp(v->account_id, account) == 0) return v;
    }
    return NULL;
}

static void velocity_burst_actioned_slow_account_not(void **st)
{
    (void)st;
    struct rig r;
    rig_up(&r, "detectors:\n  velocity:\n    max_requests_short: 50\n", 0);
    for (int i = 0; i < 100; i++) feed(&r, "burst", "81.2.69.1", 1795421702000LL + i * 100);
    for (int i = 0; i < 100; i++) feed(&r, "slow", "81.2.69.2", 1795421702000LL + i * 60000);
    warden_engine_drain(r.e);
    const struct warden_verdict *v = verdict_of(&r, "burst");
    assert_non_null(v);
    assert_int_equal(v->first_action_event, 51);
    assert_int_equal(v->events, 100);
    assert_string_equal(v->reasons[0].code, "velocity.request_rate");
    assert_null(verdict_of(&r, "slow"));
    rig_down(&r);
}

static void restricted_ip_blocks_unless_allowlisted(void **st)
{
    (void)st;
    struct rig r;
    rig_up(&r,
           "jurisdictions:\n  restricted: [KP]\n  ip_action: block\n"
           "allowlist:\n  accounts: [internal]\n",
           0);
    feed(&r, "kp", "175.45.176.10", 1795421702000LL);
    feed(&r, "internal", "175.45.176.11", 1795421702000LL);
    feed(&r, "de", "81.2.69.1", 1795421702000LL);
    warden_engine_drain(r.e);
    const struct warden_verdict *v = verdict_of(&r, "kp");
    assert_non_null(v);
    assert_int_equal(v->action, WARDEN_BLOCK);
    assert_string_equal(v->reasons[0].code, "geo.restricted_jurisdiction");
    assert_null(verdict_of(&r, "internal")); /* finding recorded, no action */
    assert_null(verdict_of(&r, "de"));
    assert_int_equal(r.findings, 2);
    assert_int_equal(r.actions, 1);
    rig_down(&r);
}

static void shadow_mode_marks_actions(void **st)
{
    (void)st;
    struct rig r;
    rig_up(&r, "shadow: true\njurisdictions:\n  restricted: [KP]\n", 0);
    feed(&r, "kp", "175.45.176.10", 1795421702000LL);
    warden_engine_drain(r.e);
    assert_int_equal(r.actions, 1);
    assert_int_equal(r.shadow_actions, 1);
    rig_down(&r);
}

static void evicted_actioned_account_keeps_verdict(void **st)
{
    (void)st;
    struct rig r;
    rig_up(&r, "jurisdictions:\n  restricted: [KP]\n", 10);
    feed(&r, "kp", "175.45.176.10", 1795421702000LL);
    char name[32];
    for (int i = 0; i < 1000; i++) { /* push "kp" out of the 10-slot table */
        snprintf(name, sizeof name, "filler%d", i);
        feed(&r, name, "81.2.69.1", 1795421702000LL + i);
    }
    feed(&r, "kp", "81.2.69.1", 1795421802000LL);
    warden_engine_drain(r.e);
    struct warden_engine_stats s;
    warden_engine_stats(r.e, &s);
    assert_true(s.accounts_evicted >= 990);
    assert_int_equal(s.accounts_tracked, 10);
    const struct warden_verdict *v = verdict_of(&r, "kp");
    assert_non_null(v);
    assert_int_equal(v->events, 2); /* count carried across eviction */
    assert_int_equal(v->first_action_event, 1);
    rig_down(&r);
}

/* A detector fed from outside between events (as the link detector applies
 * a linking stage's notice): its flush actions an account by id. */
static void notice_flush(void *ctx, struct warden_emit *em)
{
    (void)ctx;
    warden_emit_finding_for(em, "newcomer", 8, "test.notice", 0.9, "{}");
}

static void notice_observe(void *ctx, const struct warden_event *ev, void *state,
                           struct warden_emit *em)
{
    (void)ctx, (void)ev, (void)state, (void)em;
}

static const struct warden_detector notice_detector = {
    .name = "test_notice", .observe = notice_observe, .flush = notice_flush};

static void actioned_before_its_first_event(void **st)
{
    (void)st;
    struct rig r;
    char err[512];
    memset(&r, 0, sizeof r);
    r.pol = rt_fixture_policy("rules:\n  - code: \"test.notice\"\n    action: review\n");
    assert_int_equal(warden_intel_open(&r.intel, &r.pol->intel, err, sizeof err), 0);
    const struct warden_detector *dets[] = {&notice_detector};
    struct warden_engine_opts o = {.policy = r.pol,
                                   .intel = r.intel,
                                   .sinks = {on_finding, on_action, &r},
                                   .detectors = dets,
                                   .n_detectors = 1};
    assert_int_equal(warden_engine_new(&r.e, &o, err, sizeof err), 0);
    warden_engine_flush_detector(r.e, &notice_detector);
    assert_int_equal(r.actions, 1);
    feed(&r, "newcomer", "81.2.69.1", 1795421702000LL);
    feed(&r, "newcomer", "81.2.69.1", 1795421703000LL);
    const struct warden_verdict *v = verdict_of(&r, "newcomer");
    assert_non_null(v);
    assert_int_equal(v->action, WARDEN_REVIEW);
    assert_int_equal(v->first_action_event, 1); /* served nothing before the action */
    assert_int_equal(v->events, 2);
    rig_down(&r);
}

/* Findings held below every rule are readable by a later detector on the
 * same event (score_from), before the account has a verdict (the findings
 * kept before any action) and after, by prefix and ignoring a prefix. */
static double seen_low, seen_all, seen_ignored;

static void low_observe(void *ctx, const struct warden_event *ev, void *state,
                        struct warden_emit *em)
{
    (void)ctx, (void)state;
    int64_t n = ev->ts_ms % 10;
    if (n == 1) warden_emit_finding(em, "test.low", 0.3, "{}");
    if (n == 2) warden_emit_finding(em, "test.high", 0.9, "{}");
}

static void reader_observe(void *ctx, const struct warden_event *ev, void *state,
                           struct warden_emit *em)
{
    (void)ctx, (void)state;
    seen_low = em->score_from(em, ev->account_id.p, ev->account_id.n, "test.low", NULL);
    seen_all = em->score_from(em, ev->account_id.p, ev->account_id.n, "test.", NULL);
    seen_ignored = em->score_from(em, ev->account_id.p, ev->account_id.n, "test.", "test.high");
}

static const struct warden_detector low_detector = {.name = "test_low", .observe = low_observe};
static const struct warden_detector reader_detector = {.name = "test_reader",
                                                       .observe = reader_observe};

static void findings_below_rules_readable(void **st)
{
    (void)st;
    struct rig r;
    char err[512];
    memset(&r, 0, sizeof r);
    r.pol = rt_fixture_policy("rules:\n  - code: \"test.high\"\n    action: review\n");
    assert_int_equal(warden_intel_open(&r.intel, &r.pol->intel, err, sizeof err), 0);
    const struct warden_detector *dets[] = {&low_detector, &reader_detector};
    struct warden_engine_opts o = {.policy = r.pol,
                                   .intel = r.intel,
                                   .sinks = {on_finding, on_action, &r},
                                   .detectors = dets,
                                   .n_detectors = 2};
    assert_int_equal(warden_engine_new(&r.e, &o, err, sizeof err), 0);
    feed(&r, "a1", "81.2.69.1", 1795421702000LL); /* nothing yet */
    assert_true(seen_low == 0 && seen_all == 0);
    feed(&r, "a1", "81.2.69.1", 1795421703001LL); /* test.low 0.3: no rule, no verdict */
    assert_null(verdict_of(&r, "a1"));
    assert_true(seen_low > 0.29 && seen_low < 0.31);
    assert_true(seen_all > 0.29 && seen_all < 0.31);
    feed(&r, "a2", "81.2.69.2", 1795421704000LL); /* another account: its own */
    assert_true(seen_low == 0);
    feed(&r, "a1", "81.2.69.1", 1795421705002LL); /* test.high 0.9: reviewed */
    assert_non_null(verdict_of(&r, "a1"));
    assert_true(seen_low > 0.29 && seen_low < 0.31); /* kept into the verdict */
    assert_true(seen_all > 0.89);
    assert_true(seen_ignored > 0.29 && seen_ignored < 0.31);
    rig_down(&r);
}

static void million_accounts_memory_within_budget(void **st)
{
    (void)st;
    struct rig r;
    /* the engine's own budget; the distill detector's is tested in test_distill_runtime.c */
    rig_up(&r, "detectors:\n  velocity:\n    enabled: true\n  distill:\n    enabled: false\n",
           1000000);
    char name[32];
    for (int i = 0; i < 1000000; i++) {
        snprintf(name, sizeof name, "a%d", i);
        feed(&r, name, "81.2.69.1", 1795421702000LL + i);
    }
    struct warden_engine_stats s;
    warden_engine_stats(r.e, &s);
    assert_int_equal(s.accounts_tracked, 1000000);
    assert_int_equal(s.accounts_evicted, 0);
    size_t budget = warden_engine_account_budget(r.e);
    assert_true(budget <= 776); /* documented per-account budget (README, docs/circumvention.md) */
    assert_true(s.account_table_bytes <= budget * 1000000 + 4096);
    rig_down(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(velocity_burst_actioned_slow_account_not),
        cmocka_unit_test(restricted_ip_blocks_unless_allowlisted),
        cmocka_unit_test(shadow_mode_marks_actions),
        cmocka_unit_test(evicted_actioned_account_keeps_verdict),
        cmocka_unit_test(actioned_before_its_first_event),
        cmocka_unit_test(findings_below_rules_readable),
        cmocka_unit_test(million_accounts_memory_within_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
