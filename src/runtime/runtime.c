/* runtime.c — the pipeline wired once (see runtime.h). */
#include "runtime/runtime.h"
#include "core/error.h"
#include "core/event_decode.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/snapio.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "engine/snapshot.h"
#include "intel/intel.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "registry/registry.h"
#include "runtime/coverage.h"
#include "runtime/reorder.h"
#include "runtime/sorter.h"
#include "screen/org_screening.h"
#include "screen/screen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sink_ref {
    const struct warden_sink_type *type;
    void *self;
};

enum { RC_LINES, RC_REJECTS, RC_FORCED, RC_EMPTY_INPUTS, RC_SORTED, RC_SORT_RUNS, RC_N };
static const char *const rt_counter_names[RC_N][2] = {
    {"runtime.lines", "input lines read"},
    {"runtime.rejects", "input lines rejected (reported with file, line and reason)"},
    {"runtime.reorder_forced",
     "events released before the watermark because the reorder buffer was full"},
    {"runtime.inputs_without_events",
     "inputs without one good event (an empty file, or e.g. a CSV given as events)"},
    {"runtime.inputs_sorted", "inputs put in time order before they were run (sorter.h)"},
    {"runtime.sort_runs", "sorted runs written to temporary files while sorting inputs"},
};

struct warden_runtime {
    struct warden_runtime_conf conf;
    struct warden_policy *pol;
    struct warden_intel *intel;
    struct warden_registry *reg;
    struct warden_screen *screen;
    struct warden_org_screening *orgscr;
    struct warden_engine **shards;
    unsigned n_shards;
    struct sink_ref *sinks;
    size_t n_sinks;
    struct warden_reorder *reorder;
    struct warden_counters counters;
    unsigned cid[RC_N];
    int64_t max_seen;        /* newest timestamp seen (INT64_MIN before any) */
    size_t rederived[3];     /* the last load: accounts decided again, raised, lowered */
    int64_t released;        /* timestamp of the newest event released to the engine */
    int64_t *shard_max_seen; /* per shard, for warden_runtime_decide_shard() */
    uint64_t *shard_judged;  /* inline decisions per shard, for the field notice */
    uint64_t notice_at;      /* a shard's share of conf.field_notice_events; 0 = never */
    atomic_bool noticed;     /* the field notice was given */
    void **shared;           /* per detector, state its shards share (detector.h share()) */
    uint64_t rejects;
};

/* ---- fan-out from the engines to the sinks ---- */

static void fan_finding(void *ctx, const struct warden_finding *f)
{
    struct warden_runtime *rt = ctx;
    for (size_t i = 0; i < rt->n_sinks; i++)
        if (rt->sinks[i].type->finding) rt->sinks[i].type->finding(rt->sinks[i].self, f);
}

static void fan_action(void *ctx, const struct warden_action_change *c)
{
    struct warden_runtime *rt = ctx;
    for (size_t i = 0; i < rt->n_sinks; i++)
        if (rt->sinks[i].type->action) rt->sinks[i].type->action(rt->sinks[i].self, c);
}

static void fan_cluster(void *ctx, const struct warden_cluster_record *c)
{
    struct warden_runtime *rt = ctx;
    for (size_t i = 0; i < rt->n_sinks; i++)
        if (rt->sinks[i].type->cluster) rt->sinks[i].type->cluster(rt->sinks[i].self, c);
}

static void fan_reject(struct warden_runtime *rt, const char *origin, uint64_t line,
                       const char *reason)
{
    rt->rejects++;
    warden_counter_inc(&rt->counters, rt->cid[RC_REJECTS]);
    for (size_t i = 0; i < rt->n_sinks; i++)
        if (rt->sinks[i].type->reject)
            rt->sinks[i].type->reject(rt->sinks[i].self, origin, line, reason);
}

/* ---- set-up ---- */

static int load_screening(struct warden_runtime *rt, char *err, size_t errlen)
{
    const struct warden_policy *pol = rt->pol;
    struct warden_screen_conf sc_conf = pol->screen;
    if (sc_conf.restricted_jurisdictions.n == 0) sc_conf.restricted_jurisdictions = pol->restricted;
    char why[512];
    /* the compiled file when screen.compiled names one, else the sources */
    int rc = warden_screen_open(&rt->screen, &sc_conf, why, sizeof why);
    if (rc == 0) rc = warden_org_screening_build(&rt->orgscr, rt->screen, rt->reg, why, sizeof why);
    if (rc) {
        snprintf(err, errlen, "screening: %s", why);
        return WARDEN_ECONFIG;
    }
    if (!rt->conf.quiet)
        fprintf(stderr,
                "warden: screened %zu organisations (%zu restricted, %zu possible matches for "
                "review) and %zu accounts' e-mail domains (%zu listed)\n",
                warden_registry_n_orgs(rt->reg), warden_org_screening_restricted(rt->orgscr),
                warden_org_screening_possible(rt->orgscr), warden_registry_n_accounts(rt->reg),
                warden_org_screening_domain_hits(rt->orgscr));
    return 0;
}

int warden_runtime_new(struct warden_runtime **out, const struct warden_runtime_conf *conf,
                       char *err, size_t errlen)
{
    struct warden_runtime *rt = warden_xcalloc(1, sizeof *rt);
    rt->conf = *conf;
    if (rt->conf.lateness_ms < 0) rt->conf.lateness_ms = WARDEN_RUNTIME_DEFAULT_LATENESS_MS;
    if (!rt->conf.reorder_max_bytes)
        rt->conf.reorder_max_bytes = WARDEN_RUNTIME_DEFAULT_REORDER_BYTES;
    rt->n_shards = conf->shards ? conf->shards : 1;
    rt->max_seen = rt->released = INT64_MIN;
    warden_counters_init(&rt->counters);
    for (int i = 0; i < RC_N; i++)
        rt->cid[i] =
            warden_counter_register(&rt->counters, rt_counter_names[i][0], rt_counter_names[i][1]);
    rt->reorder = warden_reorder_new();
    char why[512];
    int rc;
    if ((rc = warden_policy_load(&rt->pol, conf->policy_path, why, sizeof why)) ||
        (rc = warden_policy_check_codes(rt->pol, conf->detectors, conf->n_detectors,
                                        conf->lenient_codes, why, sizeof why))) {
        snprintf(err, errlen, "%s", why);
        goto fail;
    }
    rt->pol->review_allow = conf->review_allow;
    if ((rc = warden_intel_open(&rt->intel, &rt->pol->intel, why, sizeof why))) {
        snprintf(err, errlen, "IP intelligence: %s", why);
        rc = WARDEN_ECONFIG;
        goto fail;
    }
    if (conf->accounts_path || conf->orgs_path) {
        if ((rc = warden_registry_load(&rt->reg, conf->accounts_path, conf->orgs_path, why,
                                       sizeof why))) {
            snprintf(err, errlen, "%s", why);
            rc = WARDEN_ECONFIG;
            goto fail;
        }
    }
    if (rt->reg && rt->pol->screen.enabled &&
        (warden_registry_n_orgs(rt->reg) > 0 || warden_registry_n_accounts(rt->reg) > 0)) {
        if ((rc = load_screening(rt, err, errlen))) goto fail;
    }
    rt->shards = warden_xcalloc(rt->n_shards, sizeof *rt->shards);
    rt->shard_max_seen = warden_xcalloc(rt->n_shards, sizeof *rt->shard_max_seen);
    for (unsigned i = 0; i < rt->n_shards; i++) rt->shard_max_seen[i] = INT64_MIN;
    rt->shard_judged = warden_xcalloc(rt->n_shards, sizeof *rt->shard_judged);
    if (conf->field_notice_events)
        rt->notice_at =
            conf->field_notice_events / rt->n_shards ? conf->field_notice_events / rt->n_shards : 1;
    /* one slot per detector of the list run; the detectors own what they put there */
    rt->shared = warden_xcalloc((conf->detectors ? conf->n_detectors : warden_n_detectors) + 1,
                                sizeof *rt->shared);
    for (unsigned i = 0; i < rt->n_shards; i++) {
        struct warden_engine_opts eo = {
            .policy = rt->pol,
            .intel = rt->intel,
            .registry = rt->reg,
            .screening = rt->orgscr,
            .max_accounts = conf->max_accounts,
            .dedup_window = conf->dedup_window,
            .keep_ids = conf->keep_ids,
            .sinks = {fan_finding, fan_action, rt, fan_cluster},
            .detectors = conf->detectors,
            .n_detectors = conf->n_detectors,
            .shared = rt->shared,
        };
        if ((rc = warden_engine_new(&rt->shards[i], &eo, err, errlen))) goto fail;
    }
    *out = rt;
    return 0;
fail:
    warden_runtime_free(rt);
    return rc ? rc : WARDEN_ECONFIG;
}

void warden_runtime_free(struct warden_runtime *rt)
{
    if (!rt) return;
    for (size_t i = 0; i < rt->n_sinks; i++)
        if (rt->sinks[i].type->free) rt->sinks[i].type->free(rt->sinks[i].self);
    free(rt->sinks);
    for (unsigned i = 0; rt->shards && i < rt->n_shards; i++) warden_engine_free(rt->shards[i]);
    free(rt->shards);
    free(rt->shard_max_seen);
    free(rt->shard_judged);
    free(rt->shared);
    warden_reorder_free(rt->reorder);
    warden_org_screening_free(rt->orgscr);
    warden_screen_free(rt->screen);
    warden_registry_free(rt->reg);
    warden_intel_free(rt->intel);
    warden_policy_free(rt->pol);
    free(rt);
}

const struct warden_policy *warden_runtime_policy(const struct warden_runtime *rt)
{
    return rt->pol;
}

void warden_runtime_add_sink(struct warden_runtime *rt, const struct warden_sink_type *type,
                             void *self)
{
    rt->sinks = warden_xrealloc(rt->sinks, (rt->n_sinks + 1) * sizeof *rt->sinks);
    rt->sinks[rt->n_sinks++] = (struct sink_ref){type, self};
}

/* ---- processing ---- */

/* Once per runtime, when a shard has judged its share of
 * field_notice_events: which optional fields none of its events carried
 * (its own counters: the caller holds the shard). */
static void field_notice(struct warden_runtime *rt, size_t shard)
{
    if (!rt->notice_at || ++rt->shard_judged[shard] != rt->notice_at) return;
    if (atomic_exchange(&rt->noticed, true)) return;
    warden_coverage_notice(warden_engine_counters(rt->shards[shard]), rt->reg);
}

bool warden_runtime_decide(struct warden_runtime *rt, struct warden_event *ev,
                           struct warden_decision *d)
{
    if (rt->max_seen != INT64_MIN && ev->ts_ms < rt->max_seen - rt->conf.lateness_ms)
        ev->late = true;
    if (ev->ts_ms > rt->max_seen) rt->max_seen = ev->ts_ms;
    size_t shard = warden_runtime_shard_index(rt, ev);
    bool fresh = warden_engine_decide(rt->shards[shard], ev, d);
    field_notice(rt, shard);
    return fresh;
}

size_t warden_runtime_shard_index(const struct warden_runtime *rt, const struct warden_event *ev)
{
    if (rt->n_shards == 1) return 0;
    return warden_hash64(ev->account_id.p, ev->account_id.n) % rt->n_shards;
}

bool warden_runtime_decide_shard(struct warden_runtime *rt, size_t shard, struct warden_event *ev,
                                 struct warden_decision *d)
{
    int64_t *ms = &rt->shard_max_seen[shard];
    if (*ms != INT64_MIN && ev->ts_ms < *ms - rt->conf.lateness_ms) ev->late = true;
    if (ev->ts_ms > *ms) *ms = ev->ts_ms;
    bool fresh = warden_engine_decide(rt->shards[shard], ev, d);
    field_notice(rt, shard);
    return fresh;
}

/* The next events to be released are known: start fetching the state they
 * will need (the account's index cell and de-duplication cells two events
 * ahead, its slot one event ahead, once the index cell is in), so that
 * these cache misses overlap with the work on this one. */
static void look_ahead(struct warden_runtime *rt)
{
    uint64_t a, q;
    if (warden_reorder_ahead(rt->reorder, 1, &a, &q))
        warden_engine_prefetch(rt->shards[a % rt->n_shards], a, q, 0);
    if (warden_reorder_ahead(rt->reorder, 0, &a, &q))
        warden_engine_prefetch(rt->shards[a % rt->n_shards], a, q, 1);
}

/* Process a held event on its shard: its ids were hashed when it was
 * decoded (fill), so the engine does not hash them again. */
static void process_held(struct warden_runtime *rt, struct warden_held *h)
{
    size_t i = rt->n_shards == 1 ? 0 : h->ev.account_hash % rt->n_shards;
    warden_engine_process_hashed(rt->shards[i], &h->ev, h->request_hash);
}

/* Release one held event to its shard. */
static void release(struct warden_runtime *rt, struct warden_held *h)
{
    if (h->ev.ts_ms > rt->released) rt->released = h->ev.ts_ms;
    look_ahead(rt);
    process_held(rt, h);
    warden_reorder_put(rt->reorder, h);
}

/* Release what the watermark has passed, and the oldest while over the byte limit. */
static void advance(struct warden_runtime *rt)
{
    int64_t ts, wm = rt->max_seen - rt->conf.lateness_ms;
    while (warden_reorder_peek_ts(rt->reorder, &ts)) {
        bool due = ts <= wm;
        bool full = warden_reorder_bytes(rt->reorder) > rt->conf.reorder_max_bytes;
        if (!due && !full) break;
        if (!due) warden_counter_inc(&rt->counters, rt->cid[RC_FORCED]);
        release(rt, warden_reorder_pop(rt->reorder));
    }
}

/* Take a decoded event: late ones go straight through, flagged; the others wait. */
static void admit(struct warden_runtime *rt, struct warden_held *h, size_t len)
{
    if (rt->released != INT64_MIN && h->ev.ts_ms < rt->released) {
        h->ev.late = true;
        process_held(rt, h);
        warden_reorder_put(rt->reorder, h);
        return;
    }
    if (h->ev.ts_ms > rt->max_seen) rt->max_seen = h->ev.ts_ms;
    warden_reorder_push(rt->reorder, h, len);
    advance(rt);
}

struct input {
    void *self;
    struct warden_sorter *sorter;
    struct warden_held *head; /* next decoded event, or NULL at the end */
    size_t head_len;
    struct warden_raw_line raw;
    bool done;
    uint64_t lines, good;
};

/* Decode the input's next good line into a pooled record. Returns 0, or a
 * negative code on a read error. */
static int fill(struct warden_runtime *rt, struct input *in, char *err, size_t errlen)
{
    char why[256];
    in->head = NULL;
    while (!in->done) {
        int rc = warden_sorter_next(in->sorter, &in->raw, err, errlen);
        if (rc < 0) return rc;
        if (rc == 0) {
            in->done = true;
            if (!in->good) warden_counter_inc(&rt->counters, rt->cid[RC_EMPTY_INPUTS]);
            break;
        }
        in->lines++;
        warden_counter_inc(&rt->counters, rt->cid[RC_LINES]);
        if (in->raw.too_long) {
            snprintf(why, sizeof why, "line too long (%zu bytes)", in->raw.len);
            fan_reject(rt, in->raw.origin, in->raw.lineno, why);
            continue;
        }
        /* decoded in the source's buffer; only the values are kept */
        struct warden_held *h = warden_reorder_get(rt->reorder, in->raw.len);
        if (warden_event_decode(in->raw.line, in->raw.len, &h->ev, why, sizeof why)) {
            fan_reject(rt, in->raw.origin, in->raw.lineno, why);
            warden_reorder_put(rt->reorder, h);
            continue;
        }
        size_t sn = warden_event_move_strings(&h->ev, h->buf);
        h->ev.account_hash = warden_hash64(h->ev.account_id.p, h->ev.account_id.n);
        h->request_hash =
            h->ev.request_id.n ? warden_hash64(h->ev.request_id.p, h->ev.request_id.n) : 0;
        h->ev.src_name = in->raw.origin;
        h->ev.src_line = in->raw.lineno;
        in->good++;
        in->head = h;
        in->head_len = sn;
        break;
    }
    return 0;
}

static void report(struct warden_runtime *rt, const struct warden_source_type *type,
                   const struct input *in, warden_progress_fn progress, void *pctx, bool done)
{
    struct warden_progress p = {in->raw.origin, 0, 0, 0, 0, done};
    if (type->progress) type->progress(in->self, &p.pos, &p.size);
    warden_sorter_progress(in->sorter, &p.pos, &p.size); /* a sorted input: lines handed out */
    for (unsigned i = 0; i < rt->n_shards; i++) {
        struct warden_engine_stats st;
        warden_engine_stats(rt->shards[i], &st);
        p.events += st.events;
        p.accounts += st.accounts_tracked;
    }
    progress(pctx, &p);
}

int warden_runtime_run(struct warden_runtime *rt, const struct warden_source_type *type,
                       const char *const *inputs, size_t n, warden_progress_fn progress, void *pctx,
                       char *err, size_t errlen)
{
    struct input *in = warden_xcalloc(n ? n : 1, sizeof *in);
    int rc = 0;
    struct warden_sorter_conf sc = {(enum warden_order)rt->conf.order,
                                    rt->conf.lateness_ms,
                                    0,
                                    rt->conf.sort_memory,
                                    rt->conf.max_line,
                                    rt->conf.sort_tmpdir};
    for (size_t i = 0; i < n; i++) {
        if ((rc = type->open(&in[i].self, inputs[i], rt->conf.max_line, err, errlen))) {
            rc = WARDEN_EIO;
            goto out;
        }
        struct stat st;
        bool file = strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0 && S_ISREG(st.st_mode);
        in[i].sorter = warden_sorter_new(type, in[i].self, file ? inputs[i] : NULL, &sc);
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = fill(rt, &in[i], err, errlen))) goto out;
    uint64_t count = 0;
    for (;;) {
        /* the input whose next event is earliest (the first on ties) */
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (in[i].head && (best == n || in[i].head->ev.ts_ms < in[best].head->ev.ts_ms))
                best = i;
        if (best == n) break;
        struct input *b = &in[best];
        admit(rt, b->head, b->head_len);
        if ((rc = fill(rt, b, err, errlen))) goto out;
        if (progress && b->done) report(rt, type, b, progress, pctx, true);
        if (progress && (++count & 0xFFFF) == 0) report(rt, type, b, progress, pctx, false);
    }
    struct warden_held *h;
    while ((h = warden_reorder_pop(rt->reorder)) != NULL) release(rt, h);
out:
    for (size_t i = 0; i < n; i++) {
        if (in[i].head) warden_reorder_put(rt->reorder, in[i].head);
        if (in[i].sorter) {
            uint64_t runs = 0;
            if (warden_sorter_sorted(in[i].sorter, &runs)) {
                warden_counter_inc(&rt->counters, rt->cid[RC_SORTED]);
                warden_counter_add(&rt->counters, rt->cid[RC_SORT_RUNS], runs);
            }
            warden_sorter_free(in[i].sorter);
        }
        if (in[i].self) type->close(in[i].self);
    }
    free(in);
    return rc;
}

/* ---- end of run ---- */

struct vlist {
    const struct warden_verdict **v;
    struct warden_verdict **owned; /* allow verdicts copied out of the engines */
    size_t n, cap, n_owned;
};

static void vlist_add(struct vlist *l, const struct warden_verdict *v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = warden_xrealloc(l->v, l->cap * sizeof *l->v);
        l->owned = warden_xrealloc(l->owned, l->cap * sizeof *l->owned);
    }
    l->v[l->n++] = v;
}

static void collect_allow(void *ctx, const struct warden_verdict *v)
{
    struct vlist *l = ctx;
    struct warden_verdict *c = warden_xmalloc(sizeof *c);
    *c = *v;
    c->account_id = warden_xstrdup(v->account_id);
    c->cluster_id = v->cluster_id ? warden_xstrdup(v->cluster_id) : NULL;
    vlist_add(l, c);
    l->owned[l->n_owned++] = c;
}

static int cmp_verdict(const void *a, const void *b)
{
    const struct warden_verdict *x = *(const struct warden_verdict *const *)a;
    const struct warden_verdict *y = *(const struct warden_verdict *const *)b;
    return strcmp(x->account_id, y->account_id);
}

void warden_runtime_flush_detector(struct warden_runtime *rt, size_t shard,
                                   const struct warden_detector *d)
{
    if (shard < rt->n_shards) warden_engine_flush_detector(rt->shards[shard], d);
}

int warden_runtime_finish(struct warden_runtime *rt, char *err, size_t errlen)
{
    struct warden_held *h;
    while ((h = warden_reorder_pop(rt->reorder)) != NULL) release(rt, h);
    for (unsigned i = 0; i < rt->n_shards; i++) warden_engine_drain(rt->shards[i]);

    struct vlist l = {0};
    struct warden_run_totals t = {0};
    t.rejects = rt->rejects;
    for (unsigned s = 0; s < rt->n_shards; s++) {
        const struct warden_engine *e = rt->shards[s];
        size_t nv = warden_engine_n_verdicts(e);
        for (size_t i = 0; i < nv; i++) vlist_add(&l, warden_engine_verdict_at(e, i));
        warden_engine_all_verdicts(e, collect_allow, &l);
        struct warden_engine_stats st;
        warden_engine_stats(e, &st);
        t.events += st.events;
        t.late += st.late;
        t.accounts += st.accounts_tracked;
        t.actioned += st.accounts_actioned;
    }
    if (l.n > 1) qsort(l.v, l.n, sizeof *l.v, cmp_verdict); /* l.v is NULL when empty */
    for (size_t i = 0; i < l.n; i++)
        for (size_t k = 0; k < rt->n_sinks; k++)
            if (rt->sinks[k].type->verdict) rt->sinks[k].type->verdict(rt->sinks[k].self, l.v[i]);
    for (size_t i = 0; i < l.n_owned; i++) {
        free(l.owned[i]->account_id);
        free(l.owned[i]->cluster_id);
        free(l.owned[i]);
    }
    free(l.owned);
    free(l.v);
    int rc = 0;
    for (size_t k = 0; k < rt->n_sinks && !rc; k++)
        if (rt->sinks[k].type->commit)
            rc = rt->sinks[k].type->commit(rt->sinks[k].self, &t, err, errlen);
    return rc;
}

void warden_runtime_counters(const struct warden_runtime *rt, struct warden_counters *out)
{
    warden_counters_init(out);
    warden_counters_merge(out, &rt->counters);
    for (unsigned i = 0; i < rt->n_shards; i++)
        warden_counters_merge(out, warden_engine_counters(rt->shards[i]));
}

size_t warden_runtime_n_shards(const struct warden_runtime *rt)
{
    return rt->n_shards;
}

void warden_runtime_lift_shard(struct warden_runtime *rt, size_t shard, const char *account_id,
                               size_t len)
{
    if (shard < rt->n_shards) warden_engine_lift(rt->shards[shard], account_id, len);
}

const struct warden_engine *warden_runtime_shard(const struct warden_runtime *rt, size_t i)
{
    return i < rt->n_shards ? rt->shards[i] : NULL;
}

/* ---- state snapshots (runtime.h; sections: META, SHRD per shard, DCTX per
 * detector context, END) ---- */

#define TAG_META WARDEN_SNAP_TAG('M', 'E', 'T', 'A')
#define TAG_SHARD WARDEN_SNAP_TAG('S', 'H', 'R', 'D')
#define TAG_CTX WARDEN_SNAP_TAG('D', 'C', 'T', 'X')
#define CTX_SHARED UINT32_MAX
#define CTX_PROCESS (UINT32_MAX - 1) /* a per-shard detector's process-wide tables */
#define MAX_SHARDS 65536

/* A detector context written once for every shard (shared through share()). */
static bool ctx_shared(const struct warden_detector *d)
{
    return d->share != NULL;
}

static int save_ctx(struct warden_snapwriter *w, const struct warden_detector *d, void *ctx,
                    uint32_t shard, char *err, size_t errlen)
{
    warden_snap_section_begin(w, TAG_CTX);
    warden_snap_put_str(w, d->name, strlen(d->name));
    warden_snap_put_u32(w, d->state_version);
    warden_snap_put_u32(w, shard);
    int rc = shard == CTX_PROCESS ? d->save_process(ctx, w) : d->save(ctx, w);
    warden_snap_section_end(w);
    if (rc)
        snprintf(err, errlen, "detector '%s' could not save its state: %s", d->name,
                 warden_strerror(rc));
    return rc;
}

int warden_runtime_save_ex(struct warden_runtime *rt, FILE *f, struct warden_runtime_snapinfo *info,
                           char *err, size_t errlen)
{
    struct warden_held *h;
    while ((h = warden_reorder_pop(rt->reorder)) != NULL) release(rt, h);
    bool one = info && info->one_shard;
    if (one && info->shard >= rt->n_shards) {
        snprintf(err, errlen, "no shard %u of %u", info->shard, rt->n_shards);
        return WARDEN_EINVAL;
    }
    unsigned first = one ? info->shard : 0, end = one ? info->shard + 1 : rt->n_shards;
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, TAG_META);
    warden_snap_put_u32(w, end - first);
    warden_snap_put_u64(w, info ? info->position : 0);
    warden_snap_put_i64(w, one ? rt->shard_max_seen[first] : rt->max_seen);
    warden_snap_put_i64(w, rt->released);
    for (unsigned i = first; i < end; i++) warden_snap_put_i64(w, rt->shard_max_seen[i]);
    warden_engine_snap_dets(rt->shards[0], w);
    warden_snap_section_end(w);
    uint64_t accounts = 0;
    int rc = 0;
    for (unsigned i = first; i < end && !rc; i++) {
        /* with a lock: the shard is copied into memory while held, and
         * written to f after, so it is not held for the disk's time */
        bool held = info && info->lock_shard;
        char *mem = NULL;
        size_t len = 0;
        FILE *mf = held ? open_memstream(&mem, &len) : NULL;
        struct warden_snapwriter *sw = mf ? warden_snap_writer_sections(mf) : w;
        if (held) info->lock_shard(info->lock_ctx, i, true);
        warden_snap_section_begin(sw, TAG_SHARD);
        warden_snap_put_u32(sw, i - first);
        accounts += warden_engine_snap_save(rt->shards[i], sw);
        warden_snap_section_end(sw);
        for (size_t k = 0; k < warden_engine_n_detectors(rt->shards[i]) && !rc; k++) {
            void *ctx;
            const struct warden_detector *d = warden_engine_detector(rt->shards[i], k, &ctx);
            if (d->save && !ctx_shared(d)) rc = save_ctx(sw, d, ctx, i - first, err, errlen);
        }
        if (held) info->lock_shard(info->lock_ctx, i, false);
        if (mf) {
            int mrc = warden_snap_writer_end(sw);
            if (fclose(mf) != 0 && !mrc) mrc = WARDEN_EIO;
            if (!mrc) warden_snap_put_raw(w, mem, len);
            if (mrc && !rc) {
                snprintf(err, errlen, "copying shard %u into memory failed", i);
                rc = mrc;
            }
            free(mem);
        }
    }
    for (size_t k = 0; k < warden_engine_n_detectors(rt->shards[0]) && !rc && !one; k++) {
        void *ctx;
        const struct warden_detector *d = warden_engine_detector(rt->shards[0], k, &ctx);
        if (d->save && ctx_shared(d)) rc = save_ctx(w, d, ctx, CTX_SHARED, err, errlen);
    }
    for (size_t k = 0; k < warden_engine_n_detectors(rt->shards[first]) && !rc; k++) {
        void *ctx;
        const struct warden_detector *d = warden_engine_detector(rt->shards[first], k, &ctx);
        if (d->save_process && !ctx_shared(d)) rc = save_ctx(w, d, ctx, CTX_PROCESS, err, errlen);
    }
    uint64_t bytes = warden_snap_written(w);
    int wrc = warden_snap_writer_finish(w);
    if (!rc && wrc) {
        snprintf(err, errlen, "writing the snapshot failed: %s", strerror(errno));
        rc = wrc;
    }
    if (info) {
        info->newest_ms = one ? rt->shard_max_seen[first] : rt->max_seen;
        info->shards = end - first;
        info->accounts = accounts;
        info->bytes = bytes + 16; /* and the END block */
    }
    return rc;
}

int warden_runtime_save(struct warden_runtime *rt, FILE *f, char *err, size_t errlen)
{
    return warden_runtime_save_ex(rt, f, NULL, err, errlen);
}

/* one: a one-shard file, whose shard 0 goes to shard base (partition 0
 * too: base alone cannot tell); else the file's shards are the runtime's. */
static void load_ctx(struct warden_runtime *rt, struct warden_snapreader *r, bool *warned, bool one,
                     unsigned base)
{
    char name[256];
    warden_snap_get_str(r, name, sizeof name);
    uint32_t version = warden_snap_get_u32(r), shard = warden_snap_get_u32(r);
    if (warden_snap_failed(r)) return;
    const struct warden_detector *d = NULL;
    void *ctx = NULL;
    for (size_t k = 0; k < warden_engine_n_detectors(rt->shards[0]); k++) {
        const struct warden_detector *x = warden_engine_detector(rt->shards[0], k, &ctx);
        if (strcmp(x->name, name) == 0) {
            d = x;
            break;
        }
    }
    const char *skip = NULL;
    bool process = shard == CTX_PROCESS, own = shard != CTX_SHARED && !process;
    if (!d || (process ? !d->load_process : !d->load))
        skip = ""; /* not running here: nothing to say */
    else if (version != d->state_version &&
             !(d->state_grew_from.size && version == d->state_grew_from.version))
        skip = "it was saved by another version of the detector";
    else if (own && !one && warden_snap_layout(r)->saved_shards != rt->n_shards)
        skip = "per-shard state cannot be re-partitioned over another shard count";
    else if (own && shard + base >= rt->n_shards)
        warden_snap_fail(r, "detector '%s': state of shard %u of %u", name, shard, rt->n_shards);
    if (!skip && !warden_snap_failed(r)) {
        unsigned into = process ? base : shard + base; /* that shard's own context */
        if (shard != CTX_SHARED)
            for (size_t k = 0; k < warden_engine_n_detectors(rt->shards[into]); k++)
                if (warden_engine_detector(rt->shards[into], k, &ctx) == d) break;
        int rc = process ? d->load_process(ctx, r, rt->n_shards) : d->load(ctx, r);
        if (rc == 1)
            skip = "it does not fit this configuration (table sizes) or this build (entry layout)";
        if (rc < 0 && !warden_snap_failed(r))
            warden_snap_fail(r, "detector '%s' refused its saved state: %s", name,
                             warden_strerror(rc));
    }
    if (skip && !warden_snap_failed(r)) {
        if (skip[0] && !*warned && !rt->conf.quiet)
            warden_warn("state snapshot: detector '%s': its %s state starts empty: %s", name,
                        own ? "per-shard" : "cross-account", skip);
        if (skip[0]) *warned = true;
        warden_snap_section_skip(r);
    }
}

/* Loaded state was decided under the policy of the runtime that saved it,
 * which need not be this one's (a reload, a snapshot from before a policy
 * change): each held verdict is decided again under this policy
 * (warden_engine_rederive), at the newest event time of its shard. */
static void rederive(struct warden_runtime *rt, unsigned from, unsigned to)
{
    size_t changed = 0, raised = 0, lowered = 0;
    for (unsigned i = from; i < to; i++) {
        int64_t ts = rt->shard_max_seen[i] != INT64_MIN ? rt->shard_max_seen[i] : 0;
        changed += warden_engine_rederive(rt->shards[i], ts, &raised, &lowered);
    }
    rt->rederived[0] = changed;
    rt->rederived[1] = raised;
    rt->rederived[2] = lowered;
    if (changed && !rt->conf.quiet)
        warden_warn("state: %zu account(s) decided again under this policy's rules: %zu raised, "
                    "%zu lowered (the state was saved under other rules)",
                    changed, raised, lowered);
}

int warden_runtime_load_ex(struct warden_runtime *rt, FILE *f, struct warden_runtime_snapinfo *info,
                           char *err, size_t errlen)
{
    long start = ftell(f);
    int rc = warden_snap_verify(f, err, errlen);
    if (rc) return rc;
    if (start < 0 || fseek(f, start, SEEK_SET) != 0) {
        snprintf(err, errlen, "cannot read the snapshot twice (not seekable): %s", strerror(errno));
        return WARDEN_EIO;
    }
    struct warden_snapreader *r = warden_snap_reader_new(f);
    warden_snap_section_enter(r, TAG_META);
    uint32_t n = warden_snap_get_u32(r);
    uint64_t position = warden_snap_get_u64(r);
    int64_t max_seen = warden_snap_get_i64(r), released = warden_snap_get_i64(r);
    if (!warden_snap_failed(r) && (n == 0 || n > MAX_SHARDS))
        warden_snap_fail(r, "snapshot of %u shards", n);
    int64_t *sms = warden_xcalloc(warden_snap_failed(r) ? 1 : n, sizeof *sms);
    for (uint32_t i = 0; i < n && !warden_snap_failed(r); i++) sms[i] = warden_snap_get_i64(r);
    struct warden_snap_dets dets = {0};
    if (!warden_snap_failed(r))
        warden_engine_snap_read_dets(rt->shards[0], r, &dets, rt->conf.quiet);
    warden_snap_section_leave(r);
    bool one = info && info->one_shard;
    if (one && !warden_snap_failed(r) && (n != 1 || info->shard >= rt->n_shards))
        warden_snap_fail(r, "a snapshot of %u shards for shard %u of %u", n, info->shard,
                         rt->n_shards);
    unsigned base = one ? info->shard : 0;
    struct warden_snap_layout lay = {n, one ? 1 : rt->n_shards};
    warden_snap_set_layout(r, &lay);
    bool same = one || n == rt->n_shards, warned = false;
    uint32_t seen = 0;
    uint64_t accounts = 0;
    while (!warden_snap_failed(r)) {
        uint32_t tag = warden_snap_next(r);
        if (tag == TAG_SHARD) {
            warden_snap_section_enter(r, TAG_SHARD);
            uint32_t i = warden_snap_get_u32(r);
            if (!warden_snap_failed(r) && i != seen)
                warden_snap_fail(r, "shard %u where shard %u was expected", i, seen);
            if (warden_snap_failed(r)) break;
            accounts += same ? warden_engine_snap_load(&rt->shards[i + base], 1, &dets, r)
                             : warden_engine_snap_load(rt->shards, rt->n_shards, &dets, r);
            warden_snap_section_leave(r);
            seen++;
        } else if (tag == TAG_CTX) {
            warden_snap_section_enter(r, TAG_CTX);
            load_ctx(rt, r, &warned, one, base);
            warden_snap_section_leave(r);
        } else if (tag == WARDEN_SNAP_END) {
            warden_snap_section_enter(r, WARDEN_SNAP_END);
            warden_snap_section_leave(r);
            break;
        } else if (tag) {
            char tn[5];
            warden_snap_fail(r, "unknown section %s", warden_snap_tag_name(tag, tn));
        }
    }
    if (!warden_snap_failed(r) && seen != n)
        warden_snap_fail(r, "the snapshot announces %u shards and holds %u", n, seen);
    rc = 0;
    if (warden_snap_failed(r)) {
        snprintf(err, errlen, "%s", warden_snap_error(r));
        rc = WARDEN_EFORMAT;
    } else if (one) {
        rt->shard_max_seen[base] = sms[0];
        info->position = position;
        info->newest_ms = max_seen;
        info->shards = n;
        info->accounts = accounts;
    } else {
        rt->max_seen = max_seen;
        rt->released = released;
        int64_t top = INT64_MIN;
        for (uint32_t i = 0; i < n; i++)
            if (sms[i] > top) top = sms[i];
        for (unsigned i = 0; i < rt->n_shards; i++) rt->shard_max_seen[i] = same ? sms[i] : top;
        if (info) {
            info->position = position;
            info->newest_ms = max_seen;
            info->shards = n;
            info->accounts = accounts;
        }
    }
    free(sms);
    warden_engine_snap_dets_free(&dets);
    warden_snap_reader_free(r);
    if (!rc) rederive(rt, one ? base : 0, one ? base + 1 : rt->n_shards);
    return rc;
}

size_t warden_runtime_rederived(const struct warden_runtime *rt, size_t *raised, size_t *lowered)
{
    if (raised) *raised = rt->rederived[1];
    if (lowered) *lowered = rt->rederived[2];
    return rt->rederived[0];
}

int warden_runtime_load(struct warden_runtime *rt, FILE *f, char *err, size_t errlen)
{
    return warden_runtime_load_ex(rt, f, NULL, err, errlen);
}

int warden_runtime_save_file_ex(struct warden_runtime *rt, const char *path,
                                struct warden_runtime_snapinfo *info, char *err, size_t errlen)
{
    size_t n = strlen(path);
    char *tmp = warden_xmalloc(n + 16);
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path,
                 strerror(errno));
        free(tmp);
        return WARDEN_EIO;
    }
    FILE *f = fdopen(fd, "wb");
    char why[512] = "";
    int rc = f ? warden_runtime_save_ex(rt, f, info, why, sizeof why) : WARDEN_EIO;
    if (!f) {
        snprintf(why, sizeof why, "%s", strerror(errno));
        close(fd);
    } else {
        if (!rc && (fflush(f) != 0 || fsync(fd) != 0)) {
            snprintf(why, sizeof why, "fsync: %s", strerror(errno));
            rc = WARDEN_EIO;
        }
        if (fclose(f) != 0 && !rc) {
            snprintf(why, sizeof why, "close: %s", strerror(errno));
            rc = WARDEN_EIO;
        }
    }
    if (!rc && rename(tmp, path) != 0) {
        snprintf(why, sizeof why, "rename: %s", strerror(errno));
        rc = WARDEN_EIO;
    }
    if (rc) {
        unlink(tmp);
        snprintf(err, errlen, "%s: %s", path, why);
    } else {
        /* the rename itself must reach the disk: fsync the directory */
        char *dir = warden_xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = 0;
        else if (slash)
            *slash = 0;
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    free(tmp);
    return rc;
}

int warden_runtime_save_file(struct warden_runtime *rt, const char *path, char *err, size_t errlen)
{
    return warden_runtime_save_file_ex(rt, path, NULL, err, errlen);
}

int warden_runtime_load_file_ex(struct warden_runtime *rt, const char *path,
                                struct warden_runtime_snapinfo *info, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? WARDEN_ENOENT : WARDEN_EIO;
    }
    char why[512] = "";
    int rc = warden_runtime_load_ex(rt, f, info, why, sizeof why);
    fclose(f);
    if (rc) snprintf(err, errlen, "%s: %s", path, why);
    return rc;
}

int warden_runtime_load_file(struct warden_runtime *rt, const char *path, char *err, size_t errlen)
{
    return warden_runtime_load_file_ex(rt, path, NULL, err, errlen);
}

const struct warden_intel *warden_runtime_intel(const struct warden_runtime *rt)
{
    return rt->intel;
}

const struct warden_screen *warden_runtime_screen(const struct warden_runtime *rt)
{
    return rt->screen;
}

const struct warden_registry *warden_runtime_registry(const struct warden_runtime *rt)
{
    return rt->reg;
}
