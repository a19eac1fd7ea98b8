/* clusters.c — the backtest's cross-account numbers: how much of each hydra
 * cluster is actioned, whether the slow-and-low members that only a
 * cross-account view can catch are, how fast a newcomer to a known cluster
 * is, and — the other side — how many benign accounts the verdicts put in
 * clusters, by kind, with the kinds built to share identifiers with
 * strangers (carrier NAT, a SaaS vendor's end users, corporate egress,
 * webmail users) shown apart. Definitions in backtest.h. */
#include "backtest/backtest.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SLOW_MIN 15
#define SLOW_MAX 40

/* The simulator's benign kinds that share identifiers without belonging
 * together (docs/sim.md): reported apart. */
static const char *const lookalikes[] = {"benign.cgnat", "benign.saas_end_users",
                                         "benign.corporate_egress", "benign.individual"};

struct row {
    const char *key; /* what rows are grouped by */
    const struct warden_bt_truth *t;
    const struct warden_bt_verdict *v;
};

static const char *kind_of(const struct warden_bt_truth *t)
{
    return t->kind ? t->kind : t->label;
}

/* By key, then kind (accounts of one kind are adjacent within a group). */
static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(kind_of(x->t), kind_of(y->t));
}

static bool benign(const struct warden_bt_truth *t)
{
    return strcmp(t->label, "benign") == 0;
}

static bool actioned(const struct warden_bt_verdict *v)
{
    return v && v->action >= WARDEN_BT_REVIEW;
}

static double events_of(const struct warden_bt_verdict *v)
{
    return v && v->events > 0 ? (double)v->events : 0;
}

/* Rows of the accounts that pass `want`, grouped (sorted) by key(). */
static size_t rows(const struct warden_bt_input *in, const struct warden_bt_verdict *const *v,
                   bool (*want)(const struct warden_bt_truth *, const struct warden_bt_verdict *),
                   const char *(*key)(const struct warden_bt_truth *,
                                      const struct warden_bt_verdict *),
                   struct row *out)
{
    size_t n = 0;
    for (size_t i = 0; i < in->ntruth; i++)
        if (want(&in->truth[i], v[i]))
            out[n++] = (struct row){key(&in->truth[i], v[i]), &in->truth[i], v[i]};
    qsort(out, n, sizeof *out, cmp_row);
    return n;
}

/* End of the group of rows starting at s. */
static size_t group_end(const struct row *r, size_t n, size_t s)
{
    size_t e = s;
    while (e < n && strcmp(r[e].key, r[s].key) == 0) e++;
    return e;
}

static bool attack_in_cluster(const struct warden_bt_truth *t, const struct warden_bt_verdict *v)
{
    (void)v;
    return !benign(t) && t->cluster;
}
static const char *truth_cluster(const struct warden_bt_truth *t, const struct warden_bt_verdict *v)
{
    (void)v;
    return t->cluster;
}
static bool attack(const struct warden_bt_truth *t, const struct warden_bt_verdict *v)
{
    (void)v;
    return !benign(t);
}
static const char *kind_key(const struct warden_bt_truth *t, const struct warden_bt_verdict *v)
{
    (void)v;
    return kind_of(t);
}
static bool clustered(const struct warden_bt_truth *t, const struct warden_bt_verdict *v)
{
    (void)t;
    return v && v->cluster_id;
}
static const char *verdict_cluster(const struct warden_bt_truth *t,
                                   const struct warden_bt_verdict *v)
{
    (void)t;
    return v->cluster_id;
}
static bool is_benign_row(const struct warden_bt_truth *t, const struct warden_bt_verdict *v)
{
    (void)v;
    return benign(t);
}

static void clusters_90(struct warden_bt_cross *x, const struct row *r, size_t n)
{
    for (size_t s = 0, e; s < n; s = e) {
        e = group_end(r, n, s);
        size_t act = 0;
        for (size_t k = s; k < e; k++) act += actioned(r[k].v);
        x->attack_clusters++;
        if (10 * act >= 9 * (e - s)) x->clusters_90++;
    }
}

static void slow_and_low(struct warden_bt_cross *x, const struct row *r, size_t n)
{
    double *ev = warden_xcalloc(n + 1, sizeof *ev);
    size_t used = 0;
    for (size_t s = 0, e; s < n; s = e) {
        e = group_end(r, n, s);
        for (size_t k = s; k < e; k++) ev[k - s] = events_of(r[k].v);
        double med = warden_bt_percentile(ev, e - s, 0.5);
        if (med < SLOW_MIN || med > SLOW_MAX) continue;
        for (size_t k = s; k < e; k++) {
            x->slow_accounts++;
            x->slow_actioned += actioned(r[k].v);
        }
        int w = snprintf(x->slow_kinds + used, sizeof x->slow_kinds - used, "%s%s", used ? "," : "",
                         r[s].key);
        if (w > 0 && (size_t)w < sizeof x->slow_kinds - used) used += (size_t)w;
    }
    x->slow_recall = x->slow_accounts ? (double)x->slow_actioned / (double)x->slow_accounts : -1;
    free(ev);
}

static bool is_joiner(const struct warden_bt_truth *t)
{
    return strcmp(kind_of(t), "distillation.joiner") == 0;
}

/* Requests a joiner was served before its first action (all it sent when never actioned). */
static double served_of(const struct warden_bt_verdict *v, bool *act)
{
    *act = actioned(v) && v->first_action_event > 0;
    return *act ? (double)(v->first_action_event - 1) : events_of(v);
}

static void joiners(struct warden_bt_cross *x, const struct row *r, size_t n)
{
    double *served = warden_xcalloc(n + 1, sizeof *served);
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (!is_joiner(r[k].t)) continue;
        bool act;
        served[m++] = served_of(r[k].v, &act);
        x->joiners++;
        x->joiners_actioned += act;
    }
    x->joiner_p50 = warden_bt_percentile(served, m, 0.5);
    x->joiner_p90 = warden_bt_percentile(served, m, 0.9);
    free(served);
}

/* Joiners whose first request came after their truth cluster's first action
 * (rows grouped by truth cluster; first_ts known only when events were read). */
static void late_joiners(struct warden_bt_cross *x, const struct row *r, size_t n)
{
    double *served = warden_xcalloc(n + 1, sizeof *served);
    size_t m = 0;
    for (size_t s = 0, e; s < n; s = e) {
        e = group_end(r, n, s);
        int64_t first_act = 0;
        for (size_t k = s; k < e; k++) {
            const struct warden_bt_verdict *v = r[k].v;
            if (actioned(v) && v->first_action_ts > 0 &&
                (first_act == 0 || v->first_action_ts < first_act))
                first_act = v->first_action_ts;
        }
        if (first_act == 0) continue;
        for (size_t k = s; k < e; k++) {
            if (!is_joiner(r[k].t) || r[k].t->first_ts <= first_act) continue;
            bool act;
            served[m++] = served_of(r[k].v, &act);
            x->late_joiners++;
            x->late_joiners_actioned += act;
        }
    }
    x->late_joiner_p50 = warden_bt_percentile(served, m, 0.5);
    x->late_joiner_p90 = warden_bt_percentile(served, m, 0.9);
    free(served);
}

/* Benign accounts of each kind, and how many of them are in clusters. */
static void benign_kinds(struct warden_bt_cross *x, const struct row *r, size_t n)
{
    x->benign = warden_xcalloc(n + 1, sizeof *x->benign);
    for (size_t s = 0, e; s < n; s = e) {
        e = group_end(r, n, s);
        struct warden_bt_benign_kind *b = &x->benign[x->nbenign++];
        b->kind = warden_xstrdup(r[s].key);
        for (size_t i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++)
            b->lookalike |= strcmp(lookalikes[i], b->kind) == 0;
        b->accounts = e - s;
    }
}

static struct warden_bt_benign_kind *benign_kind(struct warden_bt_cross *x, const char *kind)
{
    for (size_t i = 0; i < x->nbenign; i++)
        if (strcmp(x->benign[i].kind, kind) == 0) return &x->benign[i];
    return NULL;
}

/* Clusters of the verdicts: benign-only or mixed; distinct clusters per benign kind. */
static void formed(struct warden_bt_cross *x, const struct row *r, size_t n)
{
    for (size_t s = 0, e; s < n; s = e) {
        e = group_end(r, n, s);
        size_t nb = 0;
        for (size_t k = s; k < e; k++) {
            if (!benign(r[k].t)) continue;
            nb++;
            struct warden_bt_benign_kind *b = benign_kind(x, kind_of(r[k].t));
            if (!b) continue;
            b->clustered++;
            /* the first account of its kind in this cluster (kinds are adjacent) */
            b->clusters += k == s || strcmp(kind_of(r[k - 1].t), b->kind) != 0;
        }
        x->benign_clustered += nb;
        if (nb && nb == e - s) x->benign_only_clusters++;
        if (nb && nb < e - s) x->mixed_clusters++;
    }
}

void warden_bt_cross_account(const struct warden_bt_input *in,
                             const struct warden_bt_verdict *const *v, struct warden_bt_result *r)
{
    struct warden_bt_cross *x = &r->cross;
    memset(x, 0, sizeof *x);
    struct row *rw = warden_xcalloc(in->ntruth + 1, sizeof *rw);
    size_t n = rows(in, v, attack_in_cluster, truth_cluster, rw);
    clusters_90(x, rw, n);
    x->late_known = in->first_seen;
    late_joiners(x, rw, n);
    n = rows(in, v, attack_in_cluster, kind_key, rw); /* members of attack clusters */
    slow_and_low(x, rw, n);
    n = rows(in, v, attack, kind_key, rw);
    joiners(x, rw, n);
    n = rows(in, v, is_benign_row, kind_key, rw);
    benign_kinds(x, rw, n);
    n = rows(in, v, clustered, verdict_cluster, rw);
    formed(x, rw, n);
    free(rw);
}

void warden_bt_cross_fini(struct warden_bt_cross *x)
{
    for (size_t i = 0; i < x->nbenign; i++) free(x->benign[i].kind);
    free(x->benign);
    memset(x, 0, sizeof *x);
}
