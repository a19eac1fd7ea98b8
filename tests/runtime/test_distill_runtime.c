/* test_distill_runtime.c — the distill detector inside the whole engine, on
 * small generated streams (tests/unit/distill_streams.h) merged in time
 * order: harvesters are actioned early, people (writing in English or in
 * Chinese), coding agents and translation services are not, a benchmark
 * run with "think step by step" is at most reviewed; renaming every account
 * and changing every user agent gives the same decisions; and the engine's
 * per-account memory with the distill detector stays within its budget. */
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
#include "detect/detector.h"
#include "detect/distill.h"
#include "engine/engine.h"
#include "intel/intel.h"
#include "policy/policy.h"
#include "rt_fixture.h"
#include "../unit/distill_streams.h"

/* the link detector is off: a user agent shared by every account is linking
 * evidence by design (README "Clusters"), and this test is about distill */
static const char *const policy_yaml =
    "detectors:\n  link:\n    enabled: false\n"
    "rules:\n"
    "  - {code: \"*\", min_score: 0.5, action: review}\n"
    "  - {code: \"distill.*\", min_score: 0.8, action: throttle}\n"
    "  - {code: \"distill.*\", min_score: 0.95, action: block}\n";

struct rig {
    struct warden_policy *pol;
    struct warden_intel *intel;
    struct warden_engine *e;
};

static void rig_up(struct rig *r)
{
    char err[512];
    memset(r, 0, sizeof *r);
    r->pol = rt_fixture_policy(policy_yaml);
    assert_int_equal(warden_intel_open(&r->intel, &r->pol->intel, err, sizeof err), 0);
    struct warden_engine_opts o = {.policy = r->pol, .intel = r->intel, .max_accounts = 10000};
    assert_int_equal(warden_engine_new(&r->e, &o, err, sizeof err), 0);
}

static void rig_down(struct rig *r)
{
    warden_engine_free(r->e);
    warden_intel_free(r->intel);
    warden_policy_free(r->pol);
}

#define NACCT 64
static const struct {
    enum ds_kind kind;
    int n;           /* accounts */
    unsigned events; /* requests each */
} mix[] = {
    {DS_HARVESTER, 4, 1200}, {DS_PARAPHRASE, 4, 400}, {DS_PERSON, 20, 120},
    {DS_PERSON_ZH, 20, 120}, {DS_AGENT, 6, 400},      {DS_TRANSLATE, 3, 1500},
    {DS_EVAL_COT, 3, 400},
};

struct acct {
    struct ds_stream s;
    enum ds_kind kind;
    unsigned left;
    char id[48], ua[48];
    char line[4096];
    int64_t ts; /* time of the pending line */
};

/* Run the mix; names[i] / ua style chosen by `naming`. Fills action[i]
 * (enum warden_action) and served[i] (requests before the first action). */
static void run_mix(int naming, int *action, uint64_t *served, int *kind, int *n)
{
    struct rig r;
    rig_up(&r);
    static struct acct a[NACCT];
    int k = 0;
    for (size_t m = 0; m < sizeof mix / sizeof mix[0]; m++)
        for (int j = 0; j < mix[m].n; j++, k++) {
            if (naming == 0) {
                snprintf(a[k].id, sizeof a[k].id, "acct_%02d_%d", k, (int)mix[m].kind);
                snprintf(a[k].ua, sizeof a[k].ua, "Anthropic/Python 0.%d.0", 30 + k);
            } else {
                snprintf(a[k].id, sizeof a[k].id, "%llu",
                         (unsigned long long)(1000003ULL * (uint64_t)(k + 17)));
                snprintf(a[k].ua, sizeof a[k].ua, "curl/8.5.0");
            }
            ds_init(&a[k].s, mix[m].kind, (uint64_t)k + 1, 1795421702000LL + k * 7919LL, a[k].id,
                    a[k].ua);
            a[k].kind = mix[m].kind;
            a[k].left = mix[m].events;
            a[k].ts = a[k].s.t;
            ds_next_line(&a[k].s, a[k].line, sizeof a[k].line);
        }
    *n = k;
    char why[256];
    for (;;) { /* merge by time */
        int best = -1;
        int64_t bt = 0;
        for (int i = 0; i < k; i++) {
            if (!a[i].left) continue;
            if (best < 0 || a[i].ts < bt) {
                best = i;
                bt = a[i].ts;
            }
        }
        if (best < 0) break;
        struct warden_event ev;
        assert_int_equal(
            warden_event_decode(a[best].line, strlen(a[best].line), &ev, why, sizeof why), 0);
        warden_engine_process(r.e, &ev);
        if (--a[best].left) {
            a[best].ts = a[best].s.t;
            ds_next_line(&a[best].s, a[best].line, sizeof a[best].line);
        }
    }
    warden_engine_drain(r.e);
    for (int i = 0; i < k; i++) {
        action[i] = WARDEN_ALLOW;
        served[i] = 0;
        kind[i] = (int)a[i].kind;
        for (size_t v = 0; v < warden_engine_n_verdicts(r.e); v++) {
            const struct warden_verdict *vd = warden_engine_verdict_at(r.e, v);
            if (strcmp(vd->account_id, a[i].id) == 0) {
                action[i] = (int)vd->action;
                served[i] = vd->first_action_event ? vd->first_action_event - 1 : 0;
            }
        }
    }
    rig_down(&r);
}

static void decisions_on_a_mixed_stream(void **st)
{
    (void)st;
    int action[NACCT], kind[NACCT], n;
    uint64_t served[NACCT];
    run_mix(0, action, served, kind, &n);
    int zh_actioned = 0, en_actioned = 0;
    for (int i = 0; i < n; i++) {
        switch (kind[i]) {
        case DS_HARVESTER:
            assert_true(action[i] >= WARDEN_THROTTLE);
            assert_true(served[i] <= 50);
            break;
        case DS_PARAPHRASE:
            assert_true(action[i] >= WARDEN_REVIEW);
            assert_true(served[i] <= 50);
            break;
        case DS_PERSON:
            en_actioned += action[i] != WARDEN_ALLOW;
            break;
        case DS_PERSON_ZH:
            zh_actioned += action[i] != WARDEN_ALLOW;
            break;
        case DS_EVAL_COT:
            assert_true(action[i] <= WARDEN_REVIEW);
            break;
        default: /* agents, translation */
            assert_int_equal(action[i], WARDEN_ALLOW);
            break;
        }
    }
    /* people writing in Chinese are actioned no more often than in English */
    assert_true(zh_actioned <= en_actioned);
    assert_int_equal(en_actioned, 0);
}

static void renaming_identifiers_changes_nothing(void **st)
{
    (void)st;
    int a0[NACCT], a1[NACCT], k0[NACCT], k1[NACCT], n0, n1;
    uint64_t s0[NACCT], s1[NACCT];
    run_mix(0, a0, s0, k0, &n0);
    run_mix(1, a1, s1, k1, &n1);
    assert_int_equal(n0, n1);
    for (int i = 0; i < n0; i++) {
        assert_int_equal(a0[i], a1[i]);
        assert_int_equal(s0[i], s1[i]);
    }
}

static void account_budget_with_distill(void **st)
{
    (void)st;
    struct rig r;
    rig_up(&r);
    size_t budget = warden_engine_account_budget(r.e);
    /* the engine's own 512 bytes plus the distill detector's documented budget */
    assert_true(budget <= 512 + WARDEN_DISTILL_BUDGET);
    rig_down(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decisions_on_a_mixed_stream),
        cmocka_unit_test(renaming_identifiers_changes_nothing),
        cmocka_unit_test(account_budget_with_distill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
