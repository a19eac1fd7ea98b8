/* engine.c — one worker of the pipeline (see engine.h).
 *
 * Hot path per event: one hash of the account id, one IP table lookup, one
 * registry lookup, one account-table probe, then each enabled detector's
 * observe() on its own state slice. Nothing allocates unless a detector
 * emits a finding, which is rare by design (findings mark transitions). */
#include "engine/engine.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "engine/acct_table.h"
#include "engine/dedup.h"
#include "engine/engine_impl.h"
#include "intel/intel.h"
#include "registry/registry.h"
#include "screen/org_screening.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const counter_names[C_N][2] = {
    {"engine.events", "events processed"},
    {"engine.duplicates", "requests skipped: request_id seen within the de-duplication window"},
    {"engine.late", "events processed after the watermark (windows untouched)"},
    {"engine.findings", "findings emitted by detectors"},
    {"engine.accounts_evicted", "accounts evicted from the account table"},
    {"engine.findings_cross_account", "findings emitted for an account other than the event's"},
    {"engine.events_unregistered",
     "events of accounts the account registry does not hold (with a registry loaded)"},
};

static const struct warden_ipinfo no_ipinfo = {"", 0, 0, "", ""};

static inline struct acct_extra *extra(struct warden_acct *a)
{
    return warden_acct_state(a, 0);
}

static const char *cluster_name(const struct warden_engine *e, uint32_t idx)
{
    return idx ? e->clusters[idx - 1] : NULL;
}

uint32_t warden_engine_cluster_intern(struct warden_engine *e, const char *id)
{
    uint64_t h = warden_hash64(id, strlen(id));
    uint32_t v = warden_u64map_get(&e->cmap, h);
    if (v) return v;
    if (e->n_clusters == e->cap_clusters) {
        e->cap_clusters = e->cap_clusters ? e->cap_clusters * 2 : 64;
        e->clusters = warden_xrealloc(e->clusters, e->cap_clusters * sizeof *e->clusters);
    }
    e->clusters[e->n_clusters++] = warden_xstrdup(id);
    warden_u64map_put(&e->cmap, h, (uint32_t)e->n_clusters);
    return (uint32_t)e->n_clusters;
}

/* ---- reasons ---- */

/* Most important first: by the action each led to, then by score. */
static void sort_reasons(struct warden_verdict *v)
{
    for (size_t i = 1; i < v->n_reasons; i++) {
        struct warden_reason r = v->reasons[i];
        size_t j = i;
        while (j > 0 &&
               (v->reasons[j - 1].action < r.action ||
                (v->reasons[j - 1].action == r.action && v->reasons[j - 1].score < r.score))) {
            v->reasons[j] = v->reasons[j - 1];
            j--;
        }
        v->reasons[j] = r;
    }
}

static void add_reason(struct warden_verdict *v, const char *code, double score,
                       enum warden_action act)
{
    for (size_t i = 0; i < v->n_reasons; i++) {
        if (strcmp(v->reasons[i].code, code) == 0) {
            if (score > v->reasons[i].score) v->reasons[i].score = score;
            if (act > v->reasons[i].action) v->reasons[i].action = (uint8_t)act;
            sort_reasons(v);
            return;
        }
    }
    if (v->n_reasons < WARDEN_MAX_REASONS) {
        v->reasons[v->n_reasons++] = (struct warden_reason){code, score, (uint8_t)act};
    }
    sort_reasons(v);
}

static struct warden_verdict *new_verdict(struct warden_engine *e, struct warden_acct *a,
                                          const char *account_id, size_t len, const char *org_id,
                                          int64_t ts_ms)
{
    struct warden_verdict *v = warden_xcalloc(1, sizeof *v);
    v->account_id = warden_xstrndup(account_id, len);
    if (org_id) v->org_id = warden_xstrdup(org_id);
    v->first_action_ts = ts_ms;
    /* An account actioned before any event of its own (a linking stage's
     * notice that reached its worker first) has its first request served
     * under the action: event 1. */
    v->first_action_event = a->events ? a->events : 1;
    v->events = a->events;
    struct acct_extra *x = extra(a);
    if (x->cluster) v->cluster_id = warden_xstrdup(cluster_name(e, x->cluster));
    if (e->n_verdicts == e->cap_verdicts) {
        e->cap_verdicts = e->cap_verdicts ? e->cap_verdicts * 2 : 64;
        e->verdicts = warden_xrealloc(e->verdicts, e->cap_verdicts * sizeof *e->verdicts);
    }
    e->verdicts[e->n_verdicts++] = v;
    a->verdict = (uint32_t)e->n_verdicts;
    warden_u64map_put(&e->vmap, a->hash, a->verdict);
    for (size_t i = 0; i < RECENT_CODES && x->recent[i]; i++)
        add_reason(v, x->recent[i], x->recent_score[i], WARDEN_ALLOW);
    return v;
}

/* Where a finding is about: the account, how to name it, and when. */
struct subject {
    struct warden_acct *a;
    const char *id;
    size_t len;
    const char *org_id; /* for a new verdict; may be NULL */
    int64_t ts_ms;
    bool allowlisted;
};

static void record_finding(struct warden_engine *e, const struct subject *su, const char *detector,
                           const char *code, double score, const char *evidence_json)
{
    struct warden_acct *a = su->a;
    if (score < 0) score = 0;
    if (score > 1) score = 1;
    warden_counter_inc(&e->counters, e->cid[C_FINDINGS]);

    enum warden_action act = warden_policy_decide(e->policy, code, score);
    if (su->allowlisted || warden_policy_allowlisted_reason(e->policy, su->id, su->len, code))
        act = WARDEN_ALLOW;
    a->score = 1.0 - (1.0 - a->score) * (1.0 - score);

    if (e->sinks.finding) {
        struct warden_finding f = {su->ts_ms,
                                   su->id,
                                   su->len,
                                   detector,
                                   code,
                                   score,
                                   cluster_name(e, extra(a)->cluster),
                                   evidence_json ? evidence_json : "{}",
                                   act};
        e->sinks.finding(e->sinks.ctx, &f);
    }

    struct warden_verdict *v = a->verdict ? e->verdicts[a->verdict - 1] : NULL;
    if (!v && act == WARDEN_ALLOW) {
        struct acct_extra *x = extra(a);
        size_t i = 0;
        while (i < RECENT_CODES && x->recent[i] && strcmp(x->recent[i], code) != 0) i++;
        if (i == RECENT_CODES) {
            memmove(x->recent, x->recent + 1, sizeof(x->recent[0]) * (RECENT_CODES - 1));
            memmove(x->recent_score, x->recent_score + 1, sizeof(double) * (RECENT_CODES - 1));
            i = RECENT_CODES - 1;
            x->recent[i] = NULL;
        }
        if (!x->recent[i] || score > x->recent_score[i]) x->recent_score[i] = score;
        x->recent[i] = code;
        return;
    }
    if (!v) v = new_verdict(e, a, su->id, su->len, su->org_id, su->ts_ms);
    if (su->allowlisted) v->allowlisted = true;
    add_reason(v, code, score, act);
    if (act > v->action || (act == v->action && a->score > v->score)) {
        enum warden_action from = v->action;
        v->score = a->score;
        if (act > v->action) {
            v->action = act;
            a->action = (uint8_t)act;
            if (e->sinks.action) {
                struct warden_action_change c = {su->ts_ms,        v, from, act, code, score,
                                                 e->policy->shadow};
                e->sinks.action(e->sinks.ctx, &c);
            }
        }
    }
}

static void on_finding(struct warden_emit *em, const char *code, double score,
                       const char *evidence_json)
{
    struct warden_engine *e = em->engine;
    const struct warden_event *ev = em->ev;
    if (!ev || !e->cur) {
        warden_err("detector '%s' emitted %s outside an event: use warden_emit_finding_for()",
                   em->detector, code);
        return;
    }
    const char *org_id = NULL;
    char *org_tmp = NULL;
    if (ev->account && ev->account->org_id)
        org_id = ev->account->org_id;
    else if (ev->org_id.p)
        org_id = org_tmp = warden_xstrndup(ev->org_id.p, ev->org_id.n);
    struct subject su = {e->cur, ev->account_id.p, ev->account_id.n,
                         org_id, ev->ts_ms,        warden_policy_allowlisted(e->policy, ev)};
    record_finding(e, &su, em->detector, code, score, evidence_json);
    free(org_tmp);
}

/* Find or admit an account named by id, restoring a verdict it had. */
static struct warden_acct *account_by_id(struct warden_engine *e, const char *id, size_t len,
                                         uint64_t h);

static void on_finding_for(struct warden_emit *em, const char *account_id, size_t len,
                           const char *code, double score, const char *evidence_json)
{
    struct warden_engine *e = em->engine;
    const struct warden_event *ev = em->ev;
    if (ev && e->cur && len == ev->account_id.n && memcmp(account_id, ev->account_id.p, len) == 0) {
        on_finding(em, code, score, evidence_json);
        return;
    }
    warden_counter_inc(&e->counters, e->cid[C_FINDINGS_OTHER]);
    uint64_t h = warden_hash64(account_id, len);
    struct warden_acct *a = account_by_id(e, account_id, len, h);
    const struct warden_account *acc =
        e->registry ? warden_registry_account(e->registry, account_id, len) : NULL;
    const char *org_id = acc ? acc->org_id : NULL;
    struct subject su = {
        a,      account_id, len,
        org_id, e->now_ms,  warden_policy_allowlisted_account(e->policy, account_id, len, org_id)};
    record_finding(e, &su, em->detector, code, score, evidence_json);
}

static void on_events_for(struct warden_emit *em, const char *account_id, size_t len,
                          uint64_t events, int64_t ts_ms)
{
    struct warden_engine *e = em->engine;
    struct warden_acct *a = account_by_id(e, account_id, len, warden_hash64(account_id, len));
    if (events > a->events) a->events = events;
    if (ts_ms > a->last_ts) a->last_ts = ts_ms;
    if (a->verdict) e->verdicts[a->verdict - 1]->events = a->events;
}

static void on_set_cluster(struct warden_emit *em, const char *account_id, size_t len,
                           const char *cluster_id)
{
    struct warden_engine *e = em->engine;
    uint64_t h = warden_hash64(account_id, len);
    struct warden_acct *a = account_by_id(e, account_id, len, h);
    uint32_t c = cluster_id ? warden_engine_cluster_intern(e, cluster_id) : 0;
    extra(a)->cluster = c;
    if (a->verdict) {
        struct warden_verdict *v = e->verdicts[a->verdict - 1];
        free(v->cluster_id);
        v->cluster_id = c ? warden_xstrdup(cluster_name(e, c)) : NULL;
    }
}

static const char *on_cluster_of(struct warden_emit *em, const char *account_id, size_t len)
{
    return warden_engine_cluster(em->engine, account_id, len);
}

static bool has_prefix(const char *code, const char *prefixes)
{
    for (const char *p = prefixes;;) { /* prefixes separated by '|' */
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n && strncmp(code, p, n) == 0) return true;
        if (!bar) return false;
        p = bar + 1;
    }
}

static enum warden_action on_action_from(struct warden_emit *em, const char *account_id, size_t len,
                                         const char *prefix, const char *ignore_prefix)
{
    struct warden_engine *e = em->engine;
    const struct warden_event *ev = em->ev;
    const struct warden_verdict *v;
    if (ev && e->cur && len == ev->account_id.n && memcmp(account_id, ev->account_id.p, len) == 0)
        v = e->cur->verdict ? e->verdicts[e->cur->verdict - 1] : NULL;
    else
        v = warden_engine_verdict(e, account_id, len);
    if (!v) return WARDEN_ALLOW;
    if (!ignore_prefix && !prefix) return v->action;
    enum warden_action best = WARDEN_ALLOW;
    for (size_t i = 0; i < v->n_reasons; i++) {
        if (v->reasons[i].action <= (uint8_t)best) continue;
        const char *code = v->reasons[i].code;
        if (prefix && !has_prefix(code, prefix)) continue;
        if (ignore_prefix && has_prefix(code, ignore_prefix)) continue;
        best = (enum warden_action)v->reasons[i].action;
    }
    return best;
}

static double on_score_from(struct warden_emit *em, const char *account_id, size_t len,
                            const char *prefix, const char *ignore_prefix)
{
    struct warden_engine *e = em->engine;
    const struct warden_event *ev = em->ev;
    const struct warden_verdict *v;
    bool cur =
        ev && e->cur && len == ev->account_id.n && memcmp(account_id, ev->account_id.p, len) == 0;
    if (cur)
        v = e->cur->verdict ? e->verdicts[e->cur->verdict - 1] : NULL;
    else
        v = warden_engine_verdict(e, account_id, len);
    double best = 0;
    if (!v && cur) { /* findings below every rule before any action: the recent ones */
        const struct acct_extra *x = extra(e->cur);
        for (size_t i = 0; i < RECENT_CODES && x->recent[i]; i++)
            if (x->recent_score[i] > best && (!prefix || has_prefix(x->recent[i], prefix)) &&
                (!ignore_prefix || !has_prefix(x->recent[i], ignore_prefix)))
                best = x->recent_score[i];
        return best;
    }
    for (size_t i = 0; v && i < v->n_reasons; i++) {
        const char *code = v->reasons[i].code;
        if (v->reasons[i].score <= best || (prefix && !has_prefix(code, prefix)) ||
            (ignore_prefix && has_prefix(code, ignore_prefix)))
            continue;
        best = v->reasons[i].score;
    }
    return best;
}

static enum warden_action on_action_of(struct warden_emit *em, const char *account_id, size_t len,
                                       const char *ignore_prefix)
{
    return on_action_from(em, account_id, len, NULL, ignore_prefix);
}

static void on_cluster_record(struct warden_emit *em, const struct warden_cluster_record *c)
{
    struct warden_engine *e = em->engine;
    if (e->sinks.cluster) e->sinks.cluster(e->sinks.ctx, c);
}

static void on_evict(void *ctx, struct warden_acct *a)
{
    struct warden_engine *e = ctx;
    warden_counter_inc(&e->counters, e->cid[C_EVICTED]);
    const struct warden_event *ev = e->emit.ev;
    const char *det = e->emit.detector;
    e->emit.ev = NULL;
    for (size_t i = 0; i < e->n_dets; i++) {
        struct det_run *r = &e->dets[i];
        if (!r->d->evict) continue;
        e->emit.detector = r->d->name;
        r->d->evict(r->ctx, a->hash, warden_acct_state(a, r->offset), &e->emit);
    }
    e->emit.ev = ev;
    e->emit.detector = det;
}

int warden_engine_new(struct warden_engine **out, const struct warden_engine_opts *opts, char *err,
                      size_t errlen)
{
    struct warden_engine *e = warden_xcalloc(1, sizeof *e);
    e->policy = opts->policy;
    e->intel = opts->intel;
    e->registry = opts->registry;
    e->screening = opts->screening;
    e->sinks = opts->sinks;
    warden_counters_init(&e->counters);
    for (int i = 0; i < C_N; i++)
        e->cid[i] = warden_counter_register(&e->counters, counter_names[i][0], counter_names[i][1]);
    for (unsigned f = 0; f < WARDEN_F_N; f++)
        e->cid_field[f] = warden_counter_register(&e->counters, warden_event_field_info(f)->counter,
                                                  warden_event_field_info(f)->help);
    warden_u64map_init(&e->vmap);
    warden_u64map_init(&e->cmap);
    const struct warden_detector *const *list =
        opts->detectors ? opts->detectors : warden_detectors;
    size_t n_list = opts->detectors ? opts->n_detectors : warden_n_detectors;
    e->dets = warden_xcalloc(n_list ? n_list : 1, sizeof *e->dets);
    size_t off = (sizeof(struct acct_extra) + 7) & ~(size_t)7;
    for (size_t k = 0; k < n_list; k++) {
        const struct warden_detector *d = list[k];
        int idx = opts->detectors ? warden_detector_index(d->name) : (int)k;
        size_t i = idx < 0 ? SIZE_MAX : (size_t)idx;
        if (!opts->detectors && i < e->policy->n_detectors && !e->policy->detector_enabled[i])
            continue;
        struct det_run *r = &e->dets[e->n_dets];
        r->d = d;
        r->offset = off;
        off += (d->state_size + 7) & ~(size_t)7;
        const void *conf = i < e->policy->n_detectors ? e->policy->detector_conf[i] : NULL;
        if (d->init && d->init(&r->ctx, e->policy, conf) != 0) {
            snprintf(err, errlen, "detector '%s' failed to start", d->name);
            e->n_dets++;
            warden_engine_free(e);
            return WARDEN_ECONFIG;
        }
        e->n_dets++;
        if (opts->shared && d->share) d->share(r->ctx, &opts->shared[k]);
        if (e->registry && d->attach_registry &&
            d->attach_registry(r->ctx, e->registry, e->intel) != 0) {
            snprintf(err, errlen, "detector '%s' refused the account registry", d->name);
            warden_engine_free(e);
            return WARDEN_ECONFIG;
        }
    }
    size_t cap = opts->max_accounts ? opts->max_accounts : WARDEN_ENGINE_DEFAULT_ACCOUNTS;
    e->accts = warden_acct_table_new(cap, off);
    warden_acct_table_on_evict(e->accts, on_evict, e);
    if (opts->keep_ids) e->ids = warden_xcalloc(cap, sizeof(char *));
    e->dedup =
        warden_dedup_new(opts->dedup_window ? opts->dedup_window : WARDEN_ENGINE_DEFAULT_DEDUP);
    e->emit.finding = on_finding;
    e->emit.finding_for = on_finding_for;
    e->emit.events_for = on_events_for;
    e->emit.set_cluster = on_set_cluster;
    e->emit.cluster_of = on_cluster_of;
    e->emit.action_of = on_action_of;
    e->emit.action_from = on_action_from;
    e->emit.score_from = on_score_from;
    e->emit.cluster_record = on_cluster_record;
    e->emit.memo = &e->memo;
    e->emit.counters = &e->counters;
    e->emit.engine = e;
    warden_jbuf_init(&e->emit.scratch);
    *out = e;
    return 0;
}

void warden_engine_free(struct warden_engine *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n_dets; i++)
        if (e->dets[i].d->free && e->dets[i].ctx) e->dets[i].d->free(e->dets[i].ctx);
    free(e->dets);
    if (e->ids && e->accts)
        for (size_t i = 0; i < warden_acct_table_capacity(e->accts); i++) free(e->ids[i]);
    free(e->ids);
    warden_acct_table_free(e->accts);
    warden_dedup_free(e->dedup);
    for (size_t i = 0; i < e->n_verdicts; i++) {
        free(e->verdicts[i]->account_id);
        free(e->verdicts[i]->org_id);
        free(e->verdicts[i]->cluster_id);
        free(e->verdicts[i]);
    }
    free(e->verdicts);
    for (size_t i = 0; i < e->n_clusters; i++) free(e->clusters[i]);
    free(e->clusters);
    for (size_t i = 0; i < e->n_codes; i++) free(e->codes[i]);
    free(e->codes);
    warden_u64map_fini(&e->vmap);
    warden_u64map_fini(&e->cmap);
    warden_jbuf_fini(&e->emit.scratch);
    free(e);
}

/* Admit (or find) an account by hash; a re-admitted account picks up its
 * verdict and event count. */
static struct warden_acct *admit(struct warden_engine *e, uint64_t h, const char *id, size_t len)
{
    bool is_new;
    struct warden_acct *a = warden_acct_table_get(e->accts, h, &is_new);
    if (!is_new) return a;
    if (e->ids) {
        size_t i = warden_acct_table_index(e->accts, a);
        free(e->ids[i]);
        e->ids[i] = warden_xstrndup(id, len);
    }
    uint32_t v = e->n_verdicts ? warden_u64map_get(&e->vmap, h) : 0;
    if (v) {
        const struct warden_verdict *vd = e->verdicts[v - 1];
        a->verdict = v;
        a->events = vd->events;
        a->action = (uint8_t)vd->action;
        a->score = vd->score;
        if (vd->cluster_id) extra(a)->cluster = warden_engine_cluster_intern(e, vd->cluster_id);
    }
    return a;
}

static struct warden_acct *account_by_id(struct warden_engine *e, const char *id, size_t len,
                                         uint64_t h)
{
    struct warden_acct *a = warden_acct_table_find(e->accts, h);
    if (a) return a;
    /* admitting may evict the current event's account: keep it out of reach */
    struct warden_acct *cur = e->cur;
    a = admit(e, h, id, len);
    if (cur == a) e->cur = NULL;
    return a;
}

static void fill_decision(const struct warden_engine *e, const struct warden_acct *a,
                          const struct warden_event *ev, struct warden_decision *d)
{
    memset(d, 0, sizeof d[0]);
    d->shadow = e->policy->shadow;
    d->late = ev->late;
    if (!a) return;
    d->decided = (enum warden_action)a->action;
    d->score = a->score;
    const struct warden_verdict *v = a->verdict ? e->verdicts[a->verdict - 1] : NULL;
    if (v) {
        d->reasons = v->reasons;
        d->n_reasons = v->n_reasons;
        d->allowlisted = v->allowlisted;
    }
    d->cluster_id = cluster_name(
        e, ((const struct acct_extra *)warden_acct_state((struct warden_acct *)a, 0))->cluster);
    /* the end user's own verdict, when stronger: a detector that scores end
     * users apart (distill's lanes) makes findings for ACCOUNT/END_USER, and
     * the request of that end user is decided by them */
    char id[256];
    size_t n = ev->account_id.n + 1 + ev->end_user.n;
    if (ev->end_user.n && n <= sizeof id) {
        memcpy(id, ev->account_id.p, ev->account_id.n);
        id[ev->account_id.n] = '/';
        memcpy(id + ev->account_id.n + 1, ev->end_user.p, ev->end_user.n);
        const struct warden_acct *u = warden_acct_table_find(e->accts, warden_hash64(id, n));
        if (u && u->action > a->action) {
            d->decided = (enum warden_action)u->action;
            d->score = u->score;
            const struct warden_verdict *uv = u->verdict ? e->verdicts[u->verdict - 1] : NULL;
            d->reasons = uv ? uv->reasons : NULL;
            d->n_reasons = uv ? uv->n_reasons : 0;
            d->end_user = true;
        }
    }
    if (!d->allowlisted) d->allowlisted = warden_policy_allowlisted(e->policy, ev);
    d->enforced = d->allowlisted ? WARDEN_ALLOW : warden_policy_enforced(e->policy, d->decided);
}

/* Detector i's prefetch hint (detector.h) for this stage; a is the
 * account's slot in stage 1, NULL in stage 0. Stage 0 of every detector
 * comes before enrichment; stage 1 of detector i just before the observe()
 * of detector i - PREFETCH_LEAD (before the first observe() for the first
 * ones), so that what stage 0 started has arrived and what stage 1 starts
 * has the work of PREFETCH_LEAD detectors to arrive in. */
#define PREFETCH_LEAD 3

static inline void prefetch_det(const struct warden_engine *e, size_t i,
                                const struct warden_event *ev, struct warden_acct *a, int stage)
{
    const struct det_run *r = &e->dets[i];
    if (r->d->prefetch)
        r->d->prefetch(r->ctx, ev, a ? warden_acct_state(a, r->offset) : NULL, stage);
}

static inline void prefetch_dets(const struct warden_engine *e, const struct warden_event *ev)
{
    for (size_t i = 0; i < e->n_dets; i++) prefetch_det(e, i, ev, NULL, 0);
}

/* warden_engine_decide() with the account id's hash ah and the request id's
 * rh (0 = no request id) given. */
static bool decide_hashed(struct warden_engine *e, struct warden_event *ev, uint64_t ah,
                          uint64_t rh, struct warden_decision *d)
{
    /* the account's index cell is a cache miss: start it now, to overlap
     * with the de-duplication window's and the IP table's */
    warden_acct_table_prefetch(e->accts, ah);
    if (ev->request_id.n && warden_dedup_seen(e->dedup, rh)) {
        warden_counter_inc(&e->counters, e->cid[C_DUPLICATES]);
        if (d) {
            fill_decision(e, warden_acct_table_find(e->accts, ah), ev, d);
            d->duplicate = true;
        }
        return false;
    }
    warden_counter_inc(&e->counters, e->cid[C_EVENTS]);
    for (uint32_t m = warden_event_fields_present(ev); m; m &= m - 1)
        warden_counter_inc(&e->counters, e->cid_field[__builtin_ctz(m)]);
    if (ev->late) warden_counter_inc(&e->counters, e->cid[C_LATE]);
    if (ev->ts_ms > e->now_ms) e->now_ms = ev->ts_ms;
    e->emit.now_ms = e->now_ms;
    ev->account_hash = ah;
    prefetch_dets(e, ev);
    ev->ipinfo = e->intel ? warden_intel_lookup(e->intel, &ev->ip) : &no_ipinfo;
    if (e->registry) {
        ev->account = warden_registry_account(e->registry, ev->account_id.p, ev->account_id.n);
        if (!ev->account) warden_counter_inc(&e->counters, e->cid[C_UNREGISTERED]);
        if (ev->account && ev->account->org)
            ev->org = ev->account->org;
        else if (ev->org_id.p)
            ev->org = warden_registry_org(e->registry, ev->org_id.p, ev->org_id.n);
        if (ev->org && e->screening)
            ev->org_screen = warden_org_screening_get(e->screening, ev->org);
        if (ev->account && e->screening)
            ev->account_screen = warden_org_screening_account(e->screening, ev->account);
    }
    struct warden_acct *a = admit(e, ev->account_hash, ev->account_id.p, ev->account_id.n);
    a->events++;
    a->last_ts = ev->ts_ms;
    if (a->verdict) e->verdicts[a->verdict - 1]->events = a->events;
    ev->account_seq = a->events;

    e->cur = a;
    e->emit.ev = ev;
    e->memo.text_ready = false;
    for (size_t i = 0; i < e->n_dets; i++) {
        struct det_run *r = &e->dets[i];
        /* stage 1 of detector i + PREFETCH_LEAD (of 0..PREFETCH_LEAD first) */
        for (size_t k = i ? i + PREFETCH_LEAD : 0; k <= i + PREFETCH_LEAD && k < e->n_dets; k++)
            prefetch_det(e, k, ev, a, 1);
        e->emit.detector = r->d->name;
        r->d->observe(r->ctx, ev, warden_acct_state(a, r->offset), &e->emit);
        if (!e->cur) break; /* a cross-account finding evicted this account (table of 1) */
    }
    if (d) fill_decision(e, e->cur, ev, d);
    e->cur = NULL;
    e->emit.ev = NULL;
    return true;
}

void warden_engine_prefetch(const struct warden_engine *e, uint64_t account_hash,
                            uint64_t request_hash, int stage)
{
    if (stage == 0) {
        warden_acct_table_prefetch(e->accts, account_hash);
        if (request_hash) warden_dedup_prefetch(e->dedup, request_hash);
    } else {
        warden_acct_table_prefetch_slot(e->accts, account_hash);
    }
}

bool warden_engine_decide(struct warden_engine *e, struct warden_event *ev,
                          struct warden_decision *d)
{
    uint64_t ah = warden_hash64(ev->account_id.p, ev->account_id.n);
    uint64_t rh = ev->request_id.n ? warden_hash64(ev->request_id.p, ev->request_id.n) : 0;
    return decide_hashed(e, ev, ah, rh, d);
}

bool warden_engine_process(struct warden_engine *e, struct warden_event *ev)
{
    return warden_engine_decide(e, ev, NULL);
}

bool warden_engine_process_hashed(struct warden_engine *e, struct warden_event *ev,
                                  uint64_t request_hash)
{
    return decide_hashed(e, ev, ev->account_hash, ev->request_id.n ? request_hash : 0, NULL);
}

void warden_engine_drain(struct warden_engine *e)
{
    e->cur = NULL;
    e->emit.ev = NULL;
    e->emit.now_ms = e->now_ms;
    for (size_t i = 0; i < e->n_dets; i++) {
        struct det_run *r = &e->dets[i];
        e->emit.detector = r->d->name;
        if (r->d->flush) r->d->flush(r->ctx, &e->emit);
    }
}

void *warden_engine_detector_ctx(const struct warden_engine *e, const struct warden_detector *d)
{
    for (size_t i = 0; i < e->n_dets; i++)
        if (e->dets[i].d == d) return e->dets[i].ctx;
    return NULL;
}

void warden_engine_flush_detector(struct warden_engine *e, const struct warden_detector *d)
{
    for (size_t i = 0; i < e->n_dets; i++) {
        struct det_run *r = &e->dets[i];
        if (r->d != d || !r->d->flush) continue;
        e->cur = NULL;
        e->emit.ev = NULL;
        e->emit.now_ms = e->now_ms;
        e->emit.detector = r->d->name;
        r->d->flush(r->ctx, &e->emit);
    }
}

void warden_engine_stats(const struct warden_engine *e, struct warden_engine_stats *st)
{
    memset(st, 0, sizeof *st);
    st->events = e->counters.v[e->cid[C_EVENTS]];
    st->duplicates = e->counters.v[e->cid[C_DUPLICATES]];
    st->late = e->counters.v[e->cid[C_LATE]];
    st->findings = e->counters.v[e->cid[C_FINDINGS]];
    st->accounts_tracked = warden_acct_table_count(e->accts);
    st->accounts_evicted = warden_acct_table_evictions(e->accts);
    st->accounts_actioned = e->n_verdicts;
    for (size_t i = 0; i < e->n_verdicts; i++) st->actions[e->verdicts[i]->action]++;
    st->account_slot_bytes = warden_acct_table_slot_bytes(e->accts);
    st->account_table_bytes = warden_acct_table_bytes(e->accts);
}

const struct warden_counters *warden_engine_counters(const struct warden_engine *e)
{
    return &e->counters;
}

size_t warden_engine_n_verdicts(const struct warden_engine *e)
{
    return e->n_verdicts;
}

const struct warden_verdict *warden_engine_verdict_at(const struct warden_engine *e, size_t i)
{
    return i < e->n_verdicts ? e->verdicts[i] : NULL;
}

const struct warden_verdict *warden_engine_verdict(const struct warden_engine *e,
                                                   const char *account_id, size_t len)
{
    uint32_t v = warden_u64map_get(&e->vmap, warden_hash64(account_id, len));
    return v ? e->verdicts[v - 1] : NULL;
}

void warden_engine_lift(struct warden_engine *e, const char *account_id, size_t len)
{
    uint64_t h = warden_hash64(account_id, len);
    uint32_t v = warden_u64map_get(&e->vmap, h);
    if (v) e->verdicts[v - 1]->action = WARDEN_ALLOW;
    struct warden_acct *a = warden_acct_table_find(e->accts, h);
    if (a) a->action = (uint8_t)WARDEN_ALLOW;
}

size_t warden_engine_rederive(struct warden_engine *e, int64_t ts_ms, size_t *raised,
                              size_t *lowered)
{
    size_t changed = 0;
    for (size_t i = 0; i < e->n_verdicts; i++) {
        struct warden_verdict *v = e->verdicts[i];
        /* an account allowlisted when its findings came (by its network,
         * say) keeps its reasons' allow: the event is not here to ask again */
        if (v->allowlisted) continue;
        size_t idlen = strlen(v->account_id);
        enum warden_action old_max = WARDEN_ALLOW, new_max = WARDEN_ALLOW;
        for (size_t k = 0; k < v->n_reasons; k++)
            if ((enum warden_action)v->reasons[k].action > old_max)
                old_max = (enum warden_action)v->reasons[k].action;
        /* lifted by an analyst: below what its reasons gave. Its reasons
         * keep what they gave at the lift unless the rules now give more,
         * so a lift survives a policy relaxed and made strict again */
        bool lifted = v->action < old_max;
        bool any = false;
        for (size_t k = 0; k < v->n_reasons; k++) {
            struct warden_reason *r = &v->reasons[k];
            enum warden_action na = warden_policy_decide(e->policy, r->code, r->score);
            if (na != WARDEN_ALLOW &&
                warden_policy_allowlisted_reason(e->policy, v->account_id, idlen, r->code))
                na = WARDEN_ALLOW;
            if (lifted && na < (enum warden_action)r->action) na = (enum warden_action)r->action;
            if (na > new_max) new_max = na;
            if (na != (enum warden_action)r->action) {
                r->action = (uint8_t)na;
                any = true;
            }
        }
        if (!any) continue;
        sort_reasons(v);
        /* the change of the rules moves the action; a lift stays unless the
         * rules now give more than they gave when it was lifted */
        enum warden_action from = v->action, to = from;
        if (new_max < old_max && to > new_max) to = new_max;
        if (new_max > old_max && to < new_max) to = new_max;
        if (to == from) continue;
        v->action = to;
        struct warden_acct *a =
            warden_acct_table_find(e->accts, warden_hash64(v->account_id, idlen));
        if (a) a->action = (uint8_t)to;
        changed++;
        if (to > from && raised) (*raised)++;
        if (to < from && lowered) (*lowered)++;
        if (e->sinks.action) {
            struct warden_action_change c = {
                ts_ms, v, from, to, v->reasons[0].code, v->score, e->policy->shadow};
            e->sinks.action(e->sinks.ctx, &c);
        }
    }
    return changed;
}

const char *warden_engine_cluster(const struct warden_engine *e, const char *account_id, size_t len)
{
    uint64_t h = warden_hash64(account_id, len);
    struct warden_acct *a = warden_acct_table_find(e->accts, h);
    if (a) return cluster_name(e, extra(a)->cluster);
    const struct warden_verdict *v = warden_engine_verdict(e, account_id, len);
    return v ? v->cluster_id : NULL;
}

size_t warden_engine_account_budget(const struct warden_engine *e)
{
    return warden_acct_table_slot_bytes(e->accts) + 16;
}

/* The "allow" verdict of tracked account a, which has none of its own: its
 * reasons are the findings that led to no action. */
static void allow_verdict(const struct warden_engine *e, const struct warden_acct *a,
                          const char *account_id, struct warden_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->account_id = (char *)account_id;
    v->action = WARDEN_ALLOW;
    v->score = a->score;
    v->events = a->events;
    const struct acct_extra *x = extra((struct warden_acct *)a);
    v->cluster_id = (char *)cluster_name(e, x->cluster);
    for (size_t k = 0; k < RECENT_CODES && x->recent[k]; k++)
        add_reason(v, x->recent[k], x->recent_score[k], WARDEN_ALLOW);
}

void warden_engine_all_verdicts(const struct warden_engine *e,
                                void (*fn)(void *ctx, const struct warden_verdict *v), void *ctx)
{
    if (!e->ids) return;
    size_t n = warden_acct_table_count(e->accts);
    for (size_t i = 0; i < n; i++) {
        struct warden_acct *a = warden_acct_table_at(e->accts, i);
        if (a->verdict || !e->ids[i]) continue;
        struct warden_verdict v;
        allow_verdict(e, a, e->ids[i], &v);
        fn(ctx, &v);
    }
}

bool warden_engine_unactioned(const struct warden_engine *e, const char *account_id, size_t len,
                              struct warden_verdict *v, int64_t *last_ts)
{
    struct warden_acct *a = warden_acct_table_find(e->accts, warden_hash64(account_id, len));
    if (!a || a->verdict) return false;
    allow_verdict(e, a, account_id, v);
    if (last_ts) *last_ts = a->last_ts;
    return true;
}
