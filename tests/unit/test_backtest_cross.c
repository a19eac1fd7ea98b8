/* test_backtest_cross.c — the backtest's cross-account metrics on hand-made
 * truth and every-account verdict files (tests/data/backtest/cross_*.jsonl)
 * whose answers were worked out by hand:
 *   clusters   h1 9/10 actioned (counts, 90 %), h2 4/5, s1 3/4, h3 2/3:
 *              1 of 4 attack clusters at >= 90 %
 *   slow-low   distillation.slow_low sends 20, 30, 35, 50 requests (median
 *              30, nearest rank): it qualifies, 3 of 4 actioned; hydra (200
 *              each) and joiners (50, 60, 12: median 50) do not; nor does a
 *              circumvention account of 25 requests, never actioned: it is
 *              in no cluster
 *   joiners    served 2 (first action at event 3), 0 (event 1), 12 (never
 *              actioned: all 12 it sent): median 2, p90 12
 *   late       cluster h3 is first actioned at 01:00 (j1); by the events
 *              (cross_events.jsonl, out of time order) j1 starts at 00:40,
 *              j2 at 02:00, j3 at 03:00: j2 and j3 are late joiners, j2
 *              actioned (0 served), j3 not (12): median 0, p90 12
 *   benign     cgnat g1, g2 in k9 and g3 in k10 (3 of 4 in 2 clusters),
 *              eval_harness e1 in k1 with attacker h1a (mixed): 4 benign
 *              accounts clustered, 2 benign-only clusters, 1 mixed */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/backtest.h"

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static const struct warden_bt_benign_kind *bkind(const struct warden_bt_cross *x, const char *k)
{
    for (size_t i = 0; i < x->nbenign; i++)
        if (strcmp(x->benign[i].kind, k) == 0) return &x->benign[i];
    return NULL;
}

static void score(struct warden_bt_input *in, struct warden_bt_result *r)
{
    memset(in, 0, sizeof *in);
    assert_int_equal(warden_bt_load_truth(in, "tests/data/backtest/cross_truth.jsonl"), 0);
    assert_int_equal(warden_bt_load_verdicts(in, "tests/data/backtest/cross_verdicts.jsonl"), 0);
    assert_int_equal(in->bad_lines, 0);
    assert_int_equal(warden_bt_score(in, r), 0);
}

static void clusters_slow_low_joiners(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    score(&in, &r);
    const struct warden_bt_cross *x = &r.cross;
    assert_int_equal(x->attack_clusters, 4);
    assert_int_equal(x->clusters_90, 1);
    assert_string_equal(x->slow_kinds, "distillation.slow_low");
    assert_int_equal(x->slow_accounts, 4);
    assert_int_equal(x->slow_actioned, 3);
    assert_near(x->slow_recall, 0.75);
    assert_int_equal(x->joiners, 3);
    assert_int_equal(x->joiners_actioned, 2);
    assert_near(x->joiner_p50, 2);
    assert_near(x->joiner_p90, 12);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
}

static void late_joiners(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    /* without the events: unknown, not zero */
    score(&in, &r);
    assert_false(r.cross.late_known);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    warden_bt_report_text(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "late joiners (first request after their cluster's first action): "
                                "unknown without the events"));
    free(buf);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);

    memset(&in, 0, sizeof in);
    assert_int_equal(warden_bt_load_truth(&in, "tests/data/backtest/cross_truth.jsonl"), 0);
    assert_int_equal(warden_bt_load_verdicts(&in, "tests/data/backtest/cross_verdicts.jsonl"), 0);
    char *files[] = {"tests/data/backtest/cross_events.jsonl"};
    assert_int_equal(warden_bt_first_seen(&in, files, 1), 0);
    assert_int_equal(warden_bt_score(&in, &r), 0);
    const struct warden_bt_cross *x = &r.cross;
    assert_true(x->late_known);
    assert_int_equal(x->late_joiners, 2);
    assert_int_equal(x->late_joiners_actioned, 1);
    assert_near(x->late_joiner_p50, 0);
    assert_near(x->late_joiner_p90, 12);
    f = open_memstream(&buf, &len);
    warden_bt_report_json(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "\"late_joiners\":2,\"late_joiners_actioned\":1,"));
    free(buf);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);

    /* a missing events file is an error */
    memset(&in, 0, sizeof in);
    assert_int_equal(warden_bt_load_truth(&in, "tests/data/backtest/cross_truth.jsonl"), 0);
    char *missing[] = {"tests/data/backtest/no_such_events.jsonl"};
    assert_true(warden_bt_first_seen(&in, missing, 1) < 0);
    assert_false(in.first_seen);
    warden_bt_input_fini(&in);
}

static void benign_clusters_formed(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    score(&in, &r);
    const struct warden_bt_cross *x = &r.cross;
    assert_int_equal(x->benign_clustered, 4);
    assert_int_equal(x->benign_only_clusters, 2);
    assert_int_equal(x->mixed_clusters, 1);
    assert_int_equal(x->nbenign, 4);
    const struct warden_bt_benign_kind *g = bkind(x, "benign.cgnat");
    assert_non_null(g);
    assert_true(g->lookalike);
    assert_int_equal(g->accounts, 4);
    assert_int_equal(g->clustered, 3);
    assert_int_equal(g->clusters, 2);
    const struct warden_bt_benign_kind *e = bkind(x, "benign.eval_harness");
    assert_false(e->lookalike);
    assert_int_equal(e->clustered, 1);
    assert_int_equal(e->clusters, 1);
    const struct warden_bt_benign_kind *ind = bkind(x, "benign.individual");
    assert_true(ind->lookalike);
    assert_int_equal(ind->accounts, 2);
    assert_int_equal(ind->clustered, 0);
    /* the reports carry them */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    warden_bt_report_json(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "\"clusters_90\":1,"));
    assert_non_null(strstr(buf, "\"slow_low_recall\":0.75,"));
    assert_non_null(strstr(buf, "\"joiner_served_p50\":2,"));
    assert_non_null(strstr(buf, "\"mixed_clusters\":1,"));
    assert_non_null(strstr(buf, "{\"kind\":\"benign.cgnat\",\"lookalike\":true,\"accounts\":4,"
                                "\"clustered\":3,\"clusters\":2}"));
    free(buf);
    f = open_memstream(&buf, &len);
    warden_bt_report_text(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "attack clusters with >= 90 % of accounts actioned: 1 of 4"));
    assert_non_null(strstr(buf, "recall 0.750 (3/4)"));
    assert_non_null(strstr(buf, "benign.cgnat 3/4 in 2 clusters"));
    free(buf);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clusters_slow_low_joiners),
        cmocka_unit_test(late_joiners),
        cmocka_unit_test(benign_clusters_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
