/* metrics.c — the backtest's numbers: per label and kind, precision and
 * recall of actioned and enforced, benign false-positive rates, requests
 * served before the first action, cluster coverage, the score's ROC and
 * precision-recall curve.
 * Definitions are in backtest.h. */
#include "backtest/backtest.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const warden_bt_delay_bucket_names[WARDEN_BT_DELAY_BUCKETS] = {
    "0", "1-9", "10-49", "50-99", "100-499", "500-999", "1000-4999", ">=5000"};

static int delay_bucket(double d)
{
    static const double upper[] = {0, 9, 49, 99, 499, 999, 4999};
    for (int i = 0; i < 7; i++)
        if (d <= upper[i]) return i;
    return 7;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double warden_bt_percentile(double *v, size_t n, double p)
{
    if (n == 0) return -1;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)ceil(p * (double)n);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return v[rank - 1];
}

struct vref {
    const char *id;
    const struct warden_bt_verdict *v;
};

static int cmp_vref(const void *a, const void *b)
{
    return strcmp(((const struct vref *)a)->id, ((const struct vref *)b)->id);
}

static bool is_benign(const char *label)
{
    return strcmp(label, "benign") == 0;
}

/* accumulation per group */
struct acc {
    char *name;
    char *kind; /* clusters: kind of their first account */
    bool benign;
    size_t accounts, actioned, enforced, never;
    double *served;
    size_t nserved;
    struct warden_bt_reason *reasons; /* all leading reasons seen */
    size_t nreasons;
};

static void count_reason(struct acc *a, const char *code)
{
    for (size_t i = 0; i < a->nreasons; i++)
        if (strcmp(a->reasons[i].code, code) == 0) {
            a->reasons[i].accounts++;
            return;
        }
    a->reasons = warden_xrealloc(a->reasons, (a->nreasons + 1) * sizeof *a->reasons);
    a->reasons[a->nreasons].code = warden_xstrdup(code);
    a->reasons[a->nreasons].accounts = 1;
    a->nreasons++;
}

static int cmp_reason(const void *a, const void *b)
{
    const struct warden_bt_reason *x = a, *y = b;
    if (x->accounts != y->accounts) return x->accounts > y->accounts ? -1 : 1;
    return strcmp(x->code, y->code);
}

static struct acc *acc_get(struct acc **v, size_t *n, const char *name, bool benign)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].name, name) == 0) return &(*v)[i];
    *v = warden_xrealloc(*v, (*n + 1) * sizeof **v);
    struct acc *a = &(*v)[(*n)++];
    memset(a, 0, sizeof *a);
    a->name = warden_xstrdup(name);
    a->benign = benign;
    return a;
}

static int cmp_acc(const void *a, const void *b)
{
    const struct acc *x = a, *y = b;
    if (x->benign != y->benign) return x->benign ? 1 : -1; /* attacks first */
    return strcmp(x->name, y->name);
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : -1;
}

static void finish_groups(struct acc *v, size_t n, const struct warden_bt_result *r,
                          struct warden_bt_group **out, size_t *nout)
{
    qsort(v, n, sizeof *v, cmp_acc);
    *out = warden_xcalloc(n ? n : 1, sizeof **out);
    *nout = n;
    for (size_t i = 0; i < n; i++) {
        struct warden_bt_group *g = &(*out)[i];
        g->name = v[i].name;
        g->benign = v[i].benign;
        g->accounts = v[i].accounts;
        g->actioned = v[i].actioned;
        g->enforced = v[i].enforced;
        g->never_actioned = v[i].never;
        g->precision_actioned = g->recall_actioned = g->precision_enforced = g->recall_enforced =
            -1;
        g->fpr_actioned = g->fpr_enforced = -1;
        if (g->benign) {
            g->fpr_actioned = ratio(g->actioned, g->accounts);
            g->fpr_enforced = ratio(g->enforced, g->accounts);
        } else {
            g->recall_actioned = ratio(g->actioned, g->accounts);
            g->recall_enforced = ratio(g->enforced, g->accounts);
            g->precision_actioned = ratio(g->actioned, g->actioned + r->fp_actioned);
            g->precision_enforced = ratio(g->enforced, g->enforced + r->fp_enforced);
        }
        if (v[i].nreasons) qsort(v[i].reasons, v[i].nreasons, sizeof *v[i].reasons, cmp_reason);
        for (size_t k = 0; k < v[i].nreasons; k++) {
            if (k < WARDEN_BT_MAX_REASONS)
                g->reasons[g->nreasons++] = v[i].reasons[k];
            else
                free(v[i].reasons[k].code);
        }
        free(v[i].reasons);
        g->served_p50 = warden_bt_percentile(v[i].served, v[i].nserved, 0.5);
        g->served_p90 = warden_bt_percentile(v[i].served, v[i].nserved, 0.9);
        free(v[i].served);
    }
    free(v);
}

struct scored {
    double score;
    bool positive;
};

static int cmp_scored_desc(const void *a, const void *b)
{
    double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;
    return x > y ? -1 : x < y;
}

/* ROC and precision-recall at every distinct score (an account counts as
 * flagged at or above it), AUC and average precision, in one pass. */
static void curves(const struct scored *s, size_t n, struct warden_bt_result *r)
{
    r->roc = warden_xcalloc(n + 2, sizeof *r->roc);
    r->pr = warden_xcalloc(n + 1, sizeof *r->pr);
    r->nroc = r->npr = 0;
    r->roc[r->nroc++] = (struct warden_bt_rocpt){INFINITY, 0, 0};
    size_t tp = 0, fp = 0;
    double auc = 0, ap = 0, px = 0, py = 0;
    for (size_t i = 0; i < n;) {
        double t = s[i].score;
        while (i < n && s[i].score == t) {
            if (s[i].positive)
                tp++;
            else
                fp++;
            i++;
        }
        double x = r->negatives ? (double)fp / (double)r->negatives : 0;
        double y = r->positives ? (double)tp / (double)r->positives : 0;
        double precision = (double)tp / (double)(tp + fp);
        auc += (x - px) * (y + py) / 2;
        ap += (y - py) * precision;
        px = x;
        py = y;
        r->roc[r->nroc++] = (struct warden_bt_rocpt){t, x, y};
        r->pr[r->npr++] = (struct warden_bt_prpt){t, precision, y};
    }
    r->auc = (r->positives && r->negatives) ? auc : -1;
    r->average_precision = r->positives ? ap : -1;
}

int warden_bt_score(const struct warden_bt_input *in, struct warden_bt_result *r)
{
    memset(r, 0, sizeof *r);
    struct vref *vr = warden_xcalloc(in->nverdicts + 1, sizeof *vr);
    for (size_t i = 0; i < in->nverdicts; i++) {
        vr[i].id = in->verdicts[i].account_id;
        vr[i].v = &in->verdicts[i];
    }
    qsort(vr, in->nverdicts, sizeof *vr, cmp_vref);
    struct acc *labels = NULL, *kinds = NULL, *clusters = NULL;
    size_t nl = 0, nk = 0, nc = 0;
    struct scored *sc = warden_xcalloc(in->ntruth + 1, sizeof *sc);
    double *all_served = warden_xcalloc(in->ntruth + 1, sizeof *all_served);
    size_t nall = 0, matched = 0;
    const struct warden_bt_verdict **vof = warden_xcalloc(in->ntruth + 1, sizeof *vof);
    /* first pass: totals (benign false positives are needed for precision) */
    for (size_t i = 0; i < in->ntruth; i++) {
        const struct warden_bt_truth *t = &in->truth[i];
        struct vref key = {t->account_id, NULL};
        struct vref *hit = bsearch(&key, vr, in->nverdicts, sizeof *vr, cmp_vref);
        const struct warden_bt_verdict *v = hit ? hit->v : NULL;
        vof[i] = v;
        bool pos = !is_benign(t->label);
        bool act = v && v->action >= WARDEN_BT_REVIEW;
        bool enf = v && v->action >= WARDEN_BT_THROTTLE;
        r->accounts++;
        if (v) matched++;
        if (pos)
            r->positives++;
        else
            r->negatives++;
        if (act && pos) r->tp_actioned++;
        if (act && !pos) r->fp_actioned++;
        if (enf && pos) r->tp_enforced++;
        if (enf && !pos) r->fp_enforced++;
        sc[i].score = v ? v->score : 0;
        sc[i].positive = pos;
        const char *kind = t->kind ? t->kind : t->label;
        struct acc *groups[2] = {acc_get(&labels, &nl, t->label, !pos),
                                 acc_get(&kinds, &nk, kind, !pos)};
        for (int g = 0; g < 2; g++) {
            struct acc *a = groups[g];
            a->accounts++;
            if (act) a->actioned++;
            if (enf) a->enforced++;
            if (pos && !act) a->never++;
            if (act && v->reason) count_reason(a, v->reason);
            if (pos && act && v->first_action_event > 0) {
                a->served = warden_xrealloc(a->served, (a->nserved + 1) * sizeof(double));
                a->served[a->nserved++] = (double)(v->first_action_event - 1);
            }
        }
        if (pos && act && v->first_action_event > 0) {
            double d = (double)(v->first_action_event - 1);
            all_served[nall++] = d;
            r->delay_hist[delay_bucket(d)]++;
        }
        if (t->cluster) {
            struct acc *c = acc_get(&clusters, &nc, t->cluster, !pos);
            if (!c->kind) c->kind = warden_xstrdup(kind);
            c->accounts++;
            if (act) c->actioned++;
        }
    }
    r->with_verdict = matched;
    r->unknown_verdicts = in->nverdicts - matched;
    r->precision_actioned = ratio(r->tp_actioned, r->tp_actioned + r->fp_actioned);
    r->recall_actioned = ratio(r->tp_actioned, r->positives);
    r->precision_enforced = ratio(r->tp_enforced, r->tp_enforced + r->fp_enforced);
    r->recall_enforced = ratio(r->tp_enforced, r->positives);
    r->fpr_actioned = ratio(r->fp_actioned, r->negatives);
    r->fpr_enforced = ratio(r->fp_enforced, r->negatives);
    r->served_p50 = warden_bt_percentile(all_served, nall, 0.5);
    r->served_p90 = warden_bt_percentile(all_served, nall, 0.9);
    finish_groups(labels, nl, r, &r->labels, &r->nlabels);
    finish_groups(kinds, nk, r, &r->kinds, &r->nkinds);
    /* clusters */
    r->clusters = warden_xcalloc(nc ? nc : 1, sizeof *r->clusters);
    r->nclusters = nc;
    double cov = 0;
    for (size_t i = 0; i < nc; i++) {
        struct warden_bt_cluster *c = &r->clusters[i];
        c->name = clusters[i].name;
        c->kind = clusters[i].kind;
        c->accounts = clusters[i].accounts;
        c->actioned = clusters[i].actioned;
        c->coverage = ratio(c->actioned, c->accounts);
        cov += c->coverage;
        if (c->actioned == c->accounts) r->clusters_full++;
        if (c->actioned == 0) r->clusters_untouched++;
    }
    free(clusters);
    r->cluster_mean_coverage = nc ? cov / (double)nc : -1;
    warden_bt_cross_account(in, vof, r);
    warden_bt_wrong_accounts(in, vof, r);
    warden_bt_tells(in, vof, r);
    free(vof);
    qsort(sc, in->ntruth, sizeof *sc, cmp_scored_desc);
    curves(sc, in->ntruth, r);
    r->meta = &in->meta;
    free(sc);
    free(all_served);
    free(vr);
    return 0;
}

void warden_bt_result_fini(struct warden_bt_result *r)
{
    for (int pass = 0; pass < 2; pass++) {
        struct warden_bt_group *v = pass ? r->kinds : r->labels;
        size_t n = pass ? r->nkinds : r->nlabels;
        for (size_t i = 0; i < n; i++) {
            free(v[i].name);
            for (size_t k = 0; k < v[i].nreasons; k++) free(v[i].reasons[k].code);
        }
    }
    for (size_t i = 0; i < r->nclusters; i++) {
        free(r->clusters[i].name);
        free(r->clusters[i].kind);
    }
    free(r->labels);
    free(r->kinds);
    free(r->clusters);
    free(r->roc);
    free(r->pr);
    warden_bt_wrong_fini(r);
    warden_bt_cross_fini(&r->cross);
    free(r->tells);
    memset(r, 0, sizeof *r);
}
