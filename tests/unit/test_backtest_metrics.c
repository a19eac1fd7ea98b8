/* test_backtest_metrics.c — backtest metrics on hand-made truth and verdict
 * files (tests/data/backtest) whose answers were worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/backtest.h"

#define EPS 1e-9
#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < EPS)

static const struct warden_bt_group *group(const struct warden_bt_group *v, size_t n,
                                           const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0) return &v[i];
    return NULL;
}

static void load(struct warden_bt_input *in)
{
    memset(in, 0, sizeof *in);
    assert_int_equal(warden_bt_load_truth(in, "tests/data/backtest/truth.jsonl"), 0);
    assert_int_equal(warden_bt_load_verdicts(in, "tests/data/backtest/verdicts.jsonl"), 0);
}

static char *text_report(const struct warden_bt_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    warden_bt_report_text(f, r);
    fclose(f);
    return buf;
}

/* the HTML report of r written to path, read into page, and removed */
static void html_report(const char *path, const struct warden_bt_result *r, char *page, size_t cap)
{
    assert_int_equal(warden_bt_report_html(path, r), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(page, 1, cap - 1, f);
    page[n] = '\0';
    fclose(f);
    remove(path);
}

static void test_totals(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    load(&in);
    assert_int_equal(in.ntruth, 10);
    assert_int_equal(in.nverdicts, 7);
    assert_int_equal(in.bad_lines, 2); /* "not json", action "maybe" */
    warden_bt_score(&in, &r);
    assert_int_equal(r.accounts, 10);
    assert_int_equal(r.positives, 6);
    assert_int_equal(r.negatives, 4);
    assert_int_equal(r.with_verdict, 6);
    assert_int_equal(r.unknown_verdicts, 1);
    assert_int_equal(r.tp_actioned, 4);
    assert_int_equal(r.fp_actioned, 1);
    assert_int_equal(r.tp_enforced, 3);
    assert_int_equal(r.fp_enforced, 0);
    assert_near(r.precision_actioned, 0.8);
    assert_near(r.recall_actioned, 4.0 / 6);
    assert_near(r.precision_enforced, 1.0);
    assert_near(r.recall_enforced, 0.5);
    assert_near(r.fpr_actioned, 0.25);
    assert_near(r.fpr_enforced, 0.0);
    /* served before action over actioned attackers: 0, 10, 20, 100 */
    assert_near(r.served_p50, 10);
    assert_near(r.served_p90, 100);
    size_t hist[WARDEN_BT_DELAY_BUCKETS] = {1, 0, 2, 0, 1, 0, 0, 0};
    for (int i = 0; i < WARDEN_BT_DELAY_BUCKETS; i++) assert_int_equal(r.delay_hist[i], hist[i]);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
}

static void test_groups(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    load(&in);
    warden_bt_score(&in, &r);
    const struct warden_bt_group *d = group(r.labels, r.nlabels, "distillation");
    assert_non_null(d);
    assert_int_equal(d->accounts, 4);
    assert_int_equal(d->actioned, 3);
    assert_int_equal(d->enforced, 2);
    assert_int_equal(d->never_actioned, 1);
    assert_near(d->recall_actioned, 0.75);
    assert_near(d->precision_actioned, 0.75); /* 3 / (3 + 1 benign) */
    assert_near(d->precision_enforced, 1.0);
    assert_near(d->recall_enforced, 0.5);
    assert_near(d->served_p50, 20);
    assert_near(d->served_p90, 100);
    const struct warden_bt_group *rs = group(r.labels, r.nlabels, "restricted");
    assert_non_null(rs);
    assert_near(rs->recall_actioned, 0.5);
    assert_near(rs->precision_actioned, 0.5);
    assert_near(rs->served_p50, 0);
    /* a truth line without kind is grouped under its label */
    const struct warden_bt_group *rk = group(r.kinds, r.nkinds, "restricted");
    assert_non_null(rk);
    assert_int_equal(rk->accounts, 1);
    assert_int_equal(rk->actioned, 0);
    const struct warden_bt_group *b = group(r.kinds, r.nkinds, "benign.batch_pipeline");
    assert_non_null(b);
    assert_true(b->benign);
    assert_near(b->fpr_actioned, 0.5);
    assert_near(b->fpr_enforced, 0.0);
    assert_near(b->recall_actioned, -1);
    /* leading reasons of actioned accounts, most frequent first */
    const struct warden_bt_group *h = group(r.kinds, r.nkinds, "distillation.hydra");
    assert_int_equal(h->nreasons, 2);
    assert_string_equal(h->reasons[0].code, "link.shared_ip");
    assert_int_equal(h->reasons[0].accounts, 2);
    assert_string_equal(h->reasons[1].code, "distill.template_reuse");
    assert_int_equal(b->nreasons, 1);
    assert_string_equal(b->reasons[0].code, "distill.template_reuse");
    const struct warden_bt_group *bi = group(r.kinds, r.nkinds, "benign.individual");
    assert_near(bi->fpr_actioned, 0.0); /* an "allow" verdict is not an action */
    /* attack groups are listed before benign ones */
    assert_false(r.labels[0].benign);
    assert_true(r.labels[r.nlabels - 1].benign);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
}

static void test_clusters_and_roc(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    load(&in);
    warden_bt_score(&in, &r);
    assert_int_equal(r.nclusters, 2);
    for (size_t i = 0; i < r.nclusters; i++) {
        if (strcmp(r.clusters[i].name, "c1") == 0) {
            assert_int_equal(r.clusters[i].accounts, 3);
            assert_near(r.clusters[i].coverage, 1.0);
            assert_string_equal(r.clusters[i].kind, "distillation.hydra");
        } else {
            assert_near(r.clusters[i].coverage, 0.0);
        }
    }
    assert_near(r.cluster_mean_coverage, 0.5);
    assert_int_equal(r.clusters_full, 1);
    assert_int_equal(r.clusters_untouched, 1);
    /* scores .95 .9 .8 .6 (P) .4 .1 (N), then 0 for 2 N and 2 P */
    assert_int_equal(r.nroc, 8);
    assert_near(r.roc[4].fpr, 0.0);
    assert_near(r.roc[4].tpr, 4.0 / 6);
    assert_near(r.roc[7].fpr, 1.0);
    assert_near(r.roc[7].tpr, 1.0);
    assert_near(r.auc, 0.75);
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
}

static void test_percentile(void **state)
{
    (void)state;
    double v[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assert_near(warden_bt_percentile(v, 10, 0.5), 5);
    assert_near(warden_bt_percentile(v, 10, 0.9), 9);
    assert_near(warden_bt_percentile(v, 1, 0.9), 1);
    assert_near(warden_bt_percentile(v, 0, 0.5), -1);
    assert_int_equal(warden_bt_action_parse("throttle"), WARDEN_BT_THROTTLE);
    assert_int_equal(warden_bt_action_parse("ban"), -1);
}

static void test_reports(void **state)
{
    (void)state;
    struct warden_bt_input in;
    struct warden_bt_result r;
    load(&in);
    warden_bt_score(&in, &r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    warden_bt_report_json(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "\"precision_actioned\":0.8,"));
    assert_non_null(strstr(buf, "\"roc_auc\":0.75,"));
    assert_non_null(strstr(buf, "\"10-49\":2"));
    free(buf);
    buf = text_report(&r);
    assert_non_null(strstr(buf, "distillation.hydra"));
    free(buf);
    const char *tmp = getenv("WARDEN_TMP");
    char path[512];
    snprintf(path, sizeof path, "%s/bt_report_test.html", tmp ? tmp : "/tmp");
    if (tmp) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmp);
        assert_int_equal(system(cmd), 0);
    }
    char page[65536];
    html_report(path, &r, page, sizeof page);
    assert_non_null(strstr(page, "<svg"));
    assert_non_null(strstr(page, "AUC 0.750"));
    assert_null(strstr(page, "<script"));
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
}

static void write_lines(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Recall by the tells a truth line gives: each account in the first class
 * its tells reach (a restricted zone, card or e-mail; else hours; else the
 * locale; else none), counted per kind; lines without tells (and benign
 * ones) are not counted, unknown tell names are ignored. */
static void test_tells(void **state)
{
    (void)state;
    char truth[] = "/tmp/warden-bt-tells-truth-XXXXXX", verd[] = "/tmp/warden-bt-tells-v-XXXXXX";
    close(mkstemp(truth));
    close(mkstemp(verd));
    write_lines(
        truth,
        "{\"account_id\":\"t1\",\"label\":\"circumvention\",\"kind\":\"circumvention.tunnel_vpn\","
        "\"tells\":[\"hours\",\"card\"]}\n"
        "{\"account_id\":\"t2\",\"label\":\"circumvention\",\"kind\":\"circumvention.tunnel_vpn\","
        "\"tells\":[\"hours\",\"locale\"]}\n"
        "{\"account_id\":\"t3\",\"label\":\"circumvention\",\"kind\":\"circumvention.tunnel_vpn\","
        "\"tells\":[\"locale\",\"shoe_size\"]}\n"
        "{\"account_id\":\"t4\",\"label\":\"circumvention\",\"kind\":\"circumvention.tunnel_vpn\","
        "\"tells\":[]}\n"
        "{\"account_id\":\"t5\",\"label\":\"circumvention\",\"kind\":\"circumvention.direct\","
        "\"tells\":[\"tz\"]}\n"
        "{\"account_id\":\"t6\",\"label\":\"circumvention\",\"kind\":\"circumvention.direct\"}\n"
        "{\"account_id\":\"b1\",\"label\":\"benign\",\"kind\":\"benign.individual\","
        "\"tells\":[\"tz\"]}\n");
    write_lines(verd, "{\"account_id\":\"t1\",\"action\":\"block\",\"score\":0.9}\n"
                      "{\"account_id\":\"t2\",\"action\":\"review\",\"score\":0.5}\n"
                      "{\"account_id\":\"t3\",\"action\":\"allow\",\"score\":0.1}\n"
                      "{\"account_id\":\"t5\",\"action\":\"throttle\",\"score\":0.7}\n");
    struct warden_bt_input in;
    memset(&in, 0, sizeof in);
    assert_int_equal(warden_bt_load_truth(&in, truth), 0);
    assert_int_equal(warden_bt_load_verdicts(&in, verd), 0);
    struct warden_bt_result r;
    warden_bt_score(&in, &r);
    assert_int_equal(r.ntells, 2);
    const struct warden_bt_tell_row *d = &r.tells[0], *v = &r.tells[1]; /* by name */
    assert_string_equal(d->kind, "circumvention.direct");
    assert_string_equal(v->kind, "circumvention.tunnel_vpn");
    assert_int_equal(d->accounts[0], 1); /* t6 has no tells: not counted */
    assert_int_equal(d->enforced[0], 1);
    size_t want_acc[4] = {1, 1, 1, 1}, want_act[4] = {1, 1, 0, 0}, want_enf[4] = {1, 0, 0, 0};
    for (int c = 0; c < WARDEN_BT_TELL_CLASSES; c++) {
        assert_int_equal(v->accounts[c], want_acc[c]);
        assert_int_equal(v->actioned[c], want_act[c]);
        assert_int_equal(v->enforced[c], want_enf[c]);
    }
    char *buf = text_report(&r);
    assert_non_null(strstr(buf, "truth tells"));
    assert_non_null(strstr(buf, "1/1 (1)"));
    free(buf);
    char html[] = "/tmp/warden-bt-tells-html-XXXXXX";
    close(mkstemp(html));
    char page[65536];
    html_report(html, &r, page, sizeof page);
    assert_non_null(
        strstr(page, "<td>circumvention.tunnel_vpn</td><td>1 / 1 (1)</td><td>1 / 1 (0)"));
    warden_bt_result_fini(&r);
    warden_bt_input_fini(&in);
    remove(truth);
    remove(verd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totals),           cmocka_unit_test(test_groups),
        cmocka_unit_test(test_clusters_and_roc), cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_reports),          cmocka_unit_test(test_tells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
