/* engine.c — one worker of the pipeline (see engine.h).
 *
 * Hot path per event: one hash of the account id, one IP table lookup, one
 * registry lookup, one account-table probe, then each enabled detector's
 * observe() on its own state slice. Nothing allocates unless a detector
 * emits a finding, which is rare by design (findings mark transitions). */
#include "engine/engine.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "engine/acct_table.h"
#include "engine/dedup.h"
#include "engine/org_screening.h"
#include "intel/intel.h"
#include "registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECENT_CODES 4

/* Engine-private per-account data, stored at the start of each slot's state. */
struct acct_extra {
    const char *recent[RECENT_CODES]; /* recent finding codes before any action */
    double recent_score[RECENT_CODES];
};

struct det_run {
    const struct warden_detector *d;
    void *ctx;
    size_t offset; /* of its state slice in the account slot */
};

struct warden_engine {
    const struct warden_policy *policy;
    const struct warden_intel *intel;
    const struct warden_registry *registry;
    const struct warden_org_screening *screening;
    struct warden_sinks sinks;
    struct warden_acct_table *accts;
    struct det_run *dets;
    size_t n_dets;
    struct warden_emit emit;
    struct warden_acct *cur; /* account of the event being observed */

    struct warden_verdict **verdicts;
    size_t n_verdicts, cap_verdicts;
    /* hash → verdict index + 1, open addressing, grows */
    uint64_t *vmap_keys;
    uint32_t *vmap_vals;
    size_t vmap_mask, vmap_count;

    struct warden_dedup *dedup;
    char **ids; /* with keep_ids: account id per slot index */
    uint64_t events, duplicates, findings;
};

static const struct warden_ipinfo no_ipinfo = {"", 0, 0, "", ""};

/* ---- verdict map ---- */

static size_t vmap_slot(const struct warden_engine *e, uint64_t h)
{
    size_t pos = (size_t)(h ^ (h >> 31)) & e->vmap_mask;
    while (e->vmap_vals[pos] && e->vmap_keys[pos] != h) pos = (pos + 1) & e->vmap_mask;
    return pos;
}

static void vmap_put(struct warden_engine *e, uint64_t h, uint32_t v)
{
    if ((e->vmap_count + 1) * 2 > e->vmap_mask + 1) {
        size_t old_n = e->vmap_mask + 1;
        uint64_t *ok = e->vmap_keys;
        uint32_t *ov = e->vmap_vals;
        e->vmap_mask = old_n * 2 - 1;
        e->vmap_keys = warden_xcalloc(old_n * 2, sizeof(uint64_t));
        e->vmap_vals = warden_xcalloc(old_n * 2, sizeof(uint32_t));
        for (size_t i = 0; i < old_n; i++)
            if (ov[i]) {
                size_t p = vmap_slot(e, ok[i]);
                e->vmap_keys[p] = ok[i];
                e->vmap_vals[p] = ov[i];
            }
        free(ok);
        free(ov);
    }
    size_t p = vmap_slot(e, h);
    if (!e->vmap_vals[p]) e->vmap_count++;
    e->vmap_keys[p] = h;
    e->vmap_vals[p] = v;
}

static uint32_t vmap_get(const struct warden_engine *e, uint64_t h)
{
    size_t p = vmap_slot(e, h);
    return e->vmap_vals[p];
}

/* ---- reasons ---- */

static void add_reason(struct warden_verdict *v, const char *code, double score,
                       enum warden_action act)
{
    for (size_t i = 0; i < v->n_reasons; i++) {
        if (strcmp(v->reasons[i].code, code) == 0) {
            if (score > v->reasons[i].score) v->reasons[i].score = score;
            if (act > v->reasons[i].action) v->reasons[i].action = (uint8_t)act;
            goto sort;
        }
    }
    if (v->n_reasons < WARDEN_MAX_REASONS) {
        v->reasons[v->n_reasons++] = (struct warden_reason){code, score, (uint8_t)act};
    }
sort:
    /* most important first: by the action each led to, then by score */
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

static struct warden_verdict *new_verdict(struct warden_engine *e, struct warden_acct *a,
                                          const struct warden_event *ev)
{
    struct warden_verdict *v = warden_xcalloc(1, sizeof *v);
    v->account_id = warden_xstrndup(ev->account_id.p, ev->account_id.n);
    if (ev->account && ev->account->org_id)
        v->org_id = warden_xstrdup(ev->account->org_id);
    else if (ev->org_id.p)
        v->org_id = warden_xstrndup(ev->org_id.p, ev->org_id.n);
    v->first_action_ts = ev->ts_ms;
    v->first_action_event = a->events;
    v->events = a->events;
    if (e->n_verdicts == e->cap_verdicts) {
        e->cap_verdicts = e->cap_verdicts ? e->cap_verdicts * 2 : 64;
        e->verdicts = warden_xrealloc(e->verdicts, e->cap_verdicts * sizeof *e->verdicts);
    }
    e->verdicts[e->n_verdicts++] = v;
    a->verdict = (uint32_t)e->n_verdicts;
    vmap_put(e, a->hash, a->verdict);
    struct acct_extra *x = warden_acct_state(a, 0);
    for (size_t i = 0; i < RECENT_CODES && x->recent[i]; i++)
        add_reason(v, x->recent[i], x->recent_score[i], WARDEN_ALLOW);
    return v;
}

static void on_finding(struct warden_emit *em, const char *code, double score,
                       const char *evidence_json)
{
    struct warden_engine *e = em->engine;
    const struct warden_event *ev = em->ev;
    struct warden_acct *a = e->cur;
    if (!ev || !a) return; /* findings outside an event need an account: not supported */
    if (score < 0) score = 0;
    if (score > 1) score = 1;
    e->findings++;

    enum warden_action act = warden_policy_decide(e->policy, code, score);
    bool allowlisted = warden_policy_allowlisted(e->policy, ev);
    if (allowlisted) act = WARDEN_ALLOW;
    a->score = 1.0 - (1.0 - a->score) * (1.0 - score);

    if (e->sinks.finding) {
        struct warden_finding f = {ev->ts_ms,
                                   ev->account_id.p,
                                   ev->account_id.n,
                                   em->detector,
                                   code,
                                   score,
                                   NULL,
                                   evidence_json ? evidence_json : "{}",
                                   act};
        e->sinks.finding(e->sinks.ctx, &f);
    }

    struct warden_verdict *v = a->verdict ? e->verdicts[a->verdict - 1] : NULL;
    if (!v && act == WARDEN_ALLOW) {
        struct acct_extra *x = warden_acct_state(a, 0);
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
    if (!v) v = new_verdict(e, a, ev);
    if (allowlisted) v->allowlisted = true;
    add_reason(v, code, score, act);
    if (act > v->action || (act == v->action && a->score > v->score)) {
        enum warden_action from = v->action;
        v->score = a->score;
        if (act > v->action) {
            v->action = act;
            a->action = (uint8_t)act;
            if (e->sinks.action) {
                struct warden_action_change c = {ev->ts_ms,        v, from, act, code, score,
                                                 e->policy->shadow};
                e->sinks.action(e->sinks.ctx, &c);
            }
        }
    }
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
    e->dets = warden_xcalloc(warden_n_detectors, sizeof *e->dets);
    size_t off = (sizeof(struct acct_extra) + 7) & ~(size_t)7;
    for (size_t i = 0; i < warden_n_detectors; i++) {
        const struct warden_detector *d = warden_detectors[i];
        if (i < e->policy->n_detectors && !e->policy->detector_enabled[i]) continue;
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
    }
    size_t cap = opts->max_accounts ? opts->max_accounts : WARDEN_ENGINE_DEFAULT_ACCOUNTS;
    e->accts = warden_acct_table_new(cap, off);
    if (opts->keep_ids) e->ids = warden_xcalloc(cap, sizeof(char *));
    e->dedup =
        warden_dedup_new(opts->dedup_window ? opts->dedup_window : WARDEN_ENGINE_DEFAULT_DEDUP);
    e->emit.finding = on_finding;
    e->emit.engine = e;
    warden_jbuf_init(&e->emit.scratch);
    e->vmap_mask = 1023;
    e->vmap_keys = warden_xcalloc(1024, sizeof(uint64_t));
    e->vmap_vals = warden_xcalloc(1024, sizeof(uint32_t));
    *out = e;
    return 0;
}

void warden_engine_free(struct warden_engine *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n_dets; i++)
        if (e->dets[i].d->free && e->dets[i].ctx) e->dets[i].d->free(e->dets[i].ctx);
    free(e->dets);
    if (e->ids)
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
    free(e->vmap_keys);
    free(e->vmap_vals);
    warden_jbuf_fini(&e->emit.scratch);
    free(e);
}

bool warden_engine_process(struct warden_engine *e, struct warden_event *ev)
{
    if (ev->request_id.n &&
        warden_dedup_seen(e->dedup, warden_hash64(ev->request_id.p, ev->request_id.n))) {
        e->duplicates++;
        return false;
    }
    e->events++;
    ev->account_hash = warden_hash64(ev->account_id.p, ev->account_id.n);
    ev->ipinfo = e->intel ? warden_intel_lookup(e->intel, &ev->ip) : &no_ipinfo;
    if (e->registry) {
        ev->account = warden_registry_account(e->registry, ev->account_id.p, ev->account_id.n);
        if (ev->account && ev->account->org)
            ev->org = ev->account->org;
        else if (ev->org_id.p)
            ev->org = warden_registry_org(e->registry, ev->org_id.p, ev->org_id.n);
        if (ev->org && e->screening)
            ev->org_screen = warden_org_screening_get(e->screening, ev->org);
        if (ev->account && e->screening)
            ev->account_screen = warden_org_screening_account(e->screening, ev->account);
    }
    bool is_new;
    struct warden_acct *a = warden_acct_table_get(e->accts, ev->account_hash, &is_new);
    if (is_new && e->ids) {
        size_t i = warden_acct_table_index(e->accts, a);
        free(e->ids[i]);
        e->ids[i] = warden_xstrndup(ev->account_id.p, ev->account_id.n);
    }
    if (is_new) {
        /* re-admitted after eviction: pick up its verdict and count */
        uint32_t v = e->n_verdicts ? vmap_get(e, ev->account_hash) : 0;
        if (v) {
            a->verdict = v;
            a->events = e->verdicts[v - 1]->events;
            a->action = (uint8_t)e->verdicts[v - 1]->action;
            a->score = e->verdicts[v - 1]->score;
        }
    }
    a->events++;
    a->last_ts = ev->ts_ms;
    if (a->verdict) e->verdicts[a->verdict - 1]->events = a->events;
    ev->account_seq = a->events;

    e->cur = a;
    e->emit.ev = ev;
    for (size_t i = 0; i < e->n_dets; i++) {
        struct det_run *r = &e->dets[i];
        e->emit.detector = r->d->name;
        r->d->observe(r->ctx, ev, warden_acct_state(a, r->offset), &e->emit);
    }
    e->cur = NULL;
    e->emit.ev = NULL;
    return true;
}

void warden_engine_drain(struct warden_engine *e)
{
    e->cur = NULL;
    e->emit.ev = NULL;
    for (size_t i = 0; i < e->n_dets; i++) {
        struct det_run *r = &e->dets[i];
        e->emit.detector = r->d->name;
        if (r->d->flush) r->d->flush(r->ctx, &e->emit);
    }
}

void warden_engine_stats(const struct warden_engine *e, struct warden_engine_stats *st)
{
    memset(st, 0, sizeof *st);
    st->events = e->events;
    st->duplicates = e->duplicates;
    st->findings = e->findings;
    st->accounts_tracked = warden_acct_table_count(e->accts);
    st->accounts_evicted = warden_acct_table_evictions(e->accts);
    st->accounts_actioned = e->n_verdicts;
    for (size_t i = 0; i < e->n_verdicts; i++) st->actions[e->verdicts[i]->action]++;
    st->account_slot_bytes = warden_acct_table_slot_bytes(e->accts);
    st->account_table_bytes = warden_acct_table_bytes(e->accts);
}

size_t warden_engine_n_verdicts(const struct warden_engine *e)
{
    return e->n_verdicts;
}

const struct warden_verdict *warden_engine_verdict_at(const struct warden_engine *e, size_t i)
{
    return i < e->n_verdicts ? e->verdicts[i] : NULL;
}

size_t warden_engine_account_budget(const struct warden_engine *e)
{
    return warden_acct_table_slot_bytes(e->accts) + 16;
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
        memset(&v, 0, sizeof v);
        v.account_id = e->ids[i];
        v.action = WARDEN_ALLOW;
        v.score = a->score;
        v.events = a->events;
        const struct acct_extra *x = warden_acct_state(a, 0);
        for (size_t k = 0; k < RECENT_CODES && x->recent[k]; k++)
            add_reason(&v, x->recent[k], x->recent_score[k], WARDEN_ALLOW);
        fn(ctx, &v);
    }
}
