/* snapshot.c — an engine shard's state written to and read from a snapshot
 * (see snapshot.h for what is kept and how it is matched on load). */
#include "engine/snapshot.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/snapio.h"
#include "core/xalloc.h"
#include "engine/engine_impl.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ID 4096 /* longest account, organisation or cluster id read back */
#define MAX_CODE 256

/* ---- detector list ---- */

void warden_engine_snap_dets(const struct warden_engine *e, struct warden_snapwriter *w)
{
    warden_snap_put_u32(w, (uint32_t)e->n_dets);
    for (size_t i = 0; i < e->n_dets; i++) {
        const struct warden_detector *d = e->dets[i].d;
        warden_snap_put_str(w, d->name, strlen(d->name));
        warden_snap_put_u32(w, (uint32_t)d->state_size);
        warden_snap_put_u32(w, d->state_version);
    }
}

void warden_engine_snap_read_dets(const struct warden_engine *e, struct warden_snapreader *r,
                                  struct warden_snap_dets *out, bool quiet)
{
    memset(out, 0, sizeof *out);
    uint32_t n = warden_snap_get_u32(r);
    if (n > 4096) {
        warden_snap_fail(r, "detector list of %u entries", n);
        return;
    }
    out->d = warden_xcalloc(n ? n : 1, sizeof *out->d);
    bool *found = warden_xcalloc(e->n_dets ? e->n_dets : 1, sizeof *found);
    for (uint32_t k = 0; k < n && !warden_snap_failed(r); k++) {
        char name[MAX_CODE];
        warden_snap_get_str(r, name, sizeof name);
        uint32_t size = warden_snap_get_u32(r), version = warden_snap_get_u32(r);
        if (warden_snap_failed(r)) break;
        if (size > (1u << 20)) {
            warden_snap_fail(r, "detector '%s': per-account state of %u bytes", name, size);
            break;
        }
        out->d[k] = (struct warden_snap_det){size, -1};
        out->n = k + 1;
        for (size_t i = 0; i < e->n_dets; i++) {
            const struct warden_detector *d = e->dets[i].d;
            if (strcmp(d->name, name) != 0 || found[i]) continue;
            found[i] = true;
            if (d->state_size == size && d->state_version == version)
                out->d[k].offset = (int64_t)e->dets[i].offset;
            else if (d->state_grew_from.size && d->state_grew_from.size == size &&
                     d->state_grew_from.version == version && size < d->state_size)
                out->d[k].offset = (int64_t)e->dets[i].offset; /* the start of today's slice */
            else if (!quiet)
                warden_warn("state snapshot: detector '%s' kept %u bytes per account (version %u), "
                            "it now keeps %zu (version %u): its per-account state starts empty",
                            name, size, version, d->state_size, d->state_version);
            break;
        }
    }
    for (size_t i = 0; i < e->n_dets && !warden_snap_failed(r); i++)
        if (!found[i] && !quiet)
            warden_warn("state snapshot: detector '%s' is not in the snapshot: its per-account "
                        "state starts empty",
                        e->dets[i].d->name);
    free(found);
}

void warden_engine_snap_dets_free(struct warden_snap_dets *m)
{
    free(m->d);
    m->d = NULL;
    m->n = 0;
}

/* ---- saving ---- */

static void put_cstr(struct warden_snapwriter *w, const char *s)
{
    warden_snap_put_u8(w, s != NULL);
    if (s) warden_snap_put_str(w, s, strlen(s));
}

static void save_verdict(struct warden_snapwriter *w, const struct warden_verdict *v)
{
    warden_snap_put_str(w, v->account_id, strlen(v->account_id));
    put_cstr(w, v->org_id);
    warden_snap_put_u8(w, (uint8_t)v->action);
    warden_snap_put_f64(w, v->score);
    warden_snap_put_u32(w, (uint32_t)v->n_reasons);
    for (size_t i = 0; i < v->n_reasons; i++) {
        warden_snap_put_str(w, v->reasons[i].code, strlen(v->reasons[i].code));
        warden_snap_put_f64(w, v->reasons[i].score);
        warden_snap_put_u8(w, v->reasons[i].action);
    }
    put_cstr(w, v->cluster_id);
    warden_snap_put_i64(w, v->first_action_ts);
    warden_snap_put_u64(w, v->first_action_event);
    warden_snap_put_u64(w, v->events);
    warden_snap_put_u8(w, v->allowlisted);
}

static void save_account(struct warden_engine *e, struct warden_snapwriter *w,
                         struct warden_acct *a)
{
    warden_snap_put_u64(w, a->hash);
    warden_snap_put_u8(w, a->action);
    warden_snap_put_u8(w, a->flags);
    warden_snap_put_u64(w, a->events);
    warden_snap_put_i64(w, a->last_ts);
    warden_snap_put_f64(w, a->score);
    const struct acct_extra *x = warden_engine_extra(a);
    warden_snap_put_u32(w, x->cluster);
    uint8_t nr = 0;
    while (nr < RECENT_CODES && x->recent[nr]) nr++;
    warden_snap_put_u8(w, nr);
    for (uint8_t i = 0; i < nr; i++) {
        warden_snap_put_str(w, x->recent[i], strlen(x->recent[i]));
        warden_snap_put_f64(w, x->recent_score[i]);
    }
    const char *id = e->ids ? e->ids[warden_acct_table_index(e->accts, a)] : NULL;
    put_cstr(w, id);
    for (size_t i = 0; i < e->n_dets; i++)
        warden_snap_put_bytes(w, warden_acct_state(a, e->dets[i].offset), e->dets[i].d->state_size);
}

uint64_t warden_engine_snap_save(struct warden_engine *e, struct warden_snapwriter *w)
{
    warden_snap_put_i64(w, e->now_ms);
    warden_snap_put_u32(w, (uint32_t)e->n_clusters);
    for (size_t i = 0; i < e->n_clusters; i++)
        warden_snap_put_str(w, e->clusters[i], strlen(e->clusters[i]));
    warden_snap_put_u32(w, (uint32_t)e->n_verdicts);
    for (size_t i = 0; i < e->n_verdicts; i++) save_verdict(w, e->verdicts[i]);
    warden_dedup_save(e->dedup, w);
    uint64_t n = warden_acct_table_count(e->accts);
    warden_snap_put_u64(w, n);
    for (struct warden_acct *a = warden_acct_table_oldest(e->accts); a;
         a = warden_acct_table_newer(e->accts, a))
        save_account(e, w, a);
    return n;
}

/* ---- loading ---- */

/* The static code a detector declares, else a copy the engine keeps. */
static const char *code_ref(struct warden_engine *e, const char *s)
{
    for (size_t i = 0; i < e->n_dets; i++)
        for (const char *const *c = e->dets[i].d->codes; c && *c; c++)
            if (strcmp(*c, s) == 0) return *c;
    for (size_t i = 0; i < e->n_codes; i++)
        if (strcmp(e->codes[i], s) == 0) return e->codes[i];
    e->codes = warden_xrealloc(e->codes, (e->n_codes + 1) * sizeof *e->codes);
    return e->codes[e->n_codes++] = warden_xstrdup(s);
}

static char *get_cstr(struct warden_snapreader *r)
{
    if (!warden_snap_get_u8(r)) return NULL;
    char buf[MAX_ID];
    warden_snap_get_str(r, buf, sizeof buf);
    return warden_snap_failed(r) ? NULL : warden_xstrdup(buf);
}

static void free_verdict(struct warden_verdict *v)
{
    free(v->account_id);
    free(v->org_id);
    free(v->cluster_id);
    free(v);
}

static struct warden_verdict *load_verdict(struct warden_engine *e, struct warden_snapreader *r)
{
    struct warden_verdict *v = warden_xcalloc(1, sizeof *v);
    char buf[MAX_ID];
    warden_snap_get_str(r, buf, sizeof buf);
    v->account_id = warden_xstrdup(buf);
    v->org_id = get_cstr(r);
    v->action = (enum warden_action)warden_snap_get_u8(r);
    v->score = warden_snap_get_f64(r);
    uint32_t nr = warden_snap_get_u32(r);
    if (nr > WARDEN_MAX_REASONS || v->action > WARDEN_BLOCK) {
        warden_snap_fail(r, "verdict of '%s': bad action or %u reasons", v->account_id, nr);
        nr = 0;
    }
    for (uint32_t i = 0; i < nr && !warden_snap_failed(r); i++) {
        char code[MAX_CODE];
        warden_snap_get_str(r, code, sizeof code);
        double score = warden_snap_get_f64(r);
        uint8_t act = warden_snap_get_u8(r);
        if (warden_snap_failed(r)) break;
        v->reasons[v->n_reasons++] =
            (struct warden_reason){code_ref(e, code), score, act > WARDEN_BLOCK ? 0 : act};
    }
    v->cluster_id = get_cstr(r);
    v->first_action_ts = warden_snap_get_i64(r);
    v->first_action_event = warden_snap_get_u64(r);
    v->events = warden_snap_get_u64(r);
    v->allowlisted = warden_snap_get_u8(r) != 0;
    if (warden_snap_failed(r)) {
        free_verdict(v);
        return NULL;
    }
    return v;
}

static void add_verdict(struct warden_engine *e, struct warden_verdict *v)
{
    uint64_t h = warden_hash64(v->account_id, strlen(v->account_id));
    if (warden_u64map_get(&e->vmap, h)) { /* twice in one file: keep the first */
        free_verdict(v);
        return;
    }
    if (e->n_verdicts == e->cap_verdicts) {
        e->cap_verdicts = e->cap_verdicts ? e->cap_verdicts * 2 : 64;
        e->verdicts = warden_xrealloc(e->verdicts, e->cap_verdicts * sizeof *e->verdicts);
    }
    e->verdicts[e->n_verdicts++] = v;
    warden_u64map_put(&e->vmap, h, (uint32_t)e->n_verdicts);
}

static void load_account(struct warden_engine *const *es, size_t m,
                         const struct warden_snap_dets *dets, char *const *clusters,
                         uint32_t n_clusters, struct warden_snapreader *r)
{
    uint64_t h = warden_snap_get_u64(r);
    uint8_t action = warden_snap_get_u8(r), flags = warden_snap_get_u8(r);
    uint64_t events = warden_snap_get_u64(r);
    int64_t last_ts = warden_snap_get_i64(r);
    double score = warden_snap_get_f64(r);
    uint32_t cluster = warden_snap_get_u32(r);
    uint8_t nr = warden_snap_get_u8(r);
    if (warden_snap_failed(r)) return;
    if (cluster > n_clusters || nr > RECENT_CODES || action > WARDEN_BLOCK) {
        warden_snap_fail(r, "account %016llx: cluster %u of %u, %u recent codes, action %u",
                         (unsigned long long)h, cluster, n_clusters, nr, action);
        return;
    }
    char codes[RECENT_CODES][MAX_CODE];
    double scores[RECENT_CODES];
    for (uint8_t i = 0; i < nr; i++) {
        warden_snap_get_str(r, codes[i], sizeof codes[i]);
        scores[i] = warden_snap_get_f64(r);
    }
    char *id = get_cstr(r);
    if (warden_snap_failed(r)) {
        free(id);
        return;
    }
    struct warden_engine *e = es[m == 1 ? 0 : h % m];
    bool is_new;
    struct warden_acct *a = warden_acct_table_get(e->accts, h, &is_new);
    a->action = action;
    a->flags = flags;
    a->events = events;
    a->last_ts = last_ts;
    a->score = score;
    a->verdict = e->n_verdicts ? warden_u64map_get(&e->vmap, h) : 0;
    struct acct_extra *x = warden_engine_extra(a);
    memset(x, 0, sizeof *x);
    x->cluster = cluster ? warden_engine_cluster_intern(e, clusters[cluster - 1]) : 0;
    for (uint8_t i = 0; i < nr; i++) {
        x->recent[i] = code_ref(e, codes[i]);
        x->recent_score[i] = scores[i];
    }
    if (e->ids) {
        size_t i = warden_acct_table_index(e->accts, a);
        free(e->ids[i]);
        e->ids[i] = id;
        id = NULL;
    }
    free(id);
    for (size_t k = 0; k < dets->n; k++) {
        if (dets->d[k].offset < 0)
            warden_snap_skip(r, dets->d[k].size);
        else
            warden_snap_get_bytes(r, warden_acct_state(a, (size_t)dets->d[k].offset),
                                  dets->d[k].size);
    }
}

uint64_t warden_engine_snap_load(struct warden_engine *const *es, size_t m,
                                 const struct warden_snap_dets *dets, struct warden_snapreader *r)
{
    int64_t now = warden_snap_get_i64(r);
    for (size_t i = 0; i < m; i++)
        if (now > es[i]->now_ms) es[i]->now_ms = now;
    uint32_t nc = warden_snap_get_u32(r);
    char **clusters = NULL;
    uint32_t got = 0;
    for (uint32_t i = 0; i < nc && !warden_snap_failed(r); i++) {
        char buf[MAX_ID];
        warden_snap_get_str(r, buf, sizeof buf);
        if (warden_snap_failed(r)) break;
        if ((got & (got - 1)) == 0) /* grown at powers of two: never by the count read */
            clusters = warden_xrealloc(clusters, (got ? got * 2 : 1) * sizeof *clusters);
        clusters[got++] = warden_xstrdup(buf);
        if (m == 1) warden_engine_cluster_intern(es[0], buf); /* same order: same indices */
    }
    uint32_t nv = warden_snap_get_u32(r);
    for (uint32_t i = 0; i < nv && !warden_snap_failed(r); i++) {
        struct warden_verdict *v = load_verdict(es[0], r);
        if (!v) break;
        size_t t = m == 1 ? 0 : warden_hash64(v->account_id, strlen(v->account_id)) % m;
        if (t && v->n_reasons) /* codes belong to the engine that keeps the verdict */
            for (size_t k = 0; k < v->n_reasons; k++)
                v->reasons[k].code = code_ref(es[t], v->reasons[k].code);
        add_verdict(es[t], v);
    }
    struct warden_dedup **dd = warden_xcalloc(m, sizeof *dd);
    for (size_t i = 0; i < m; i++) dd[i] = es[i]->dedup;
    if (!warden_snap_failed(r)) warden_dedup_load(dd, m, r);
    free(dd);
    uint64_t na = warden_snap_get_u64(r), k = 0;
    for (; k < na && !warden_snap_failed(r); k++) load_account(es, m, dets, clusters, got, r);
    for (uint32_t i = 0; i < got; i++) free(clusters[i]);
    free(clusters);
    return k;
}

/* ---- detectors ---- */

size_t warden_engine_n_detectors(const struct warden_engine *e)
{
    return e->n_dets;
}

const struct warden_detector *warden_engine_detector(const struct warden_engine *e, size_t i,
                                                     void **ctx)
{
    if (i >= e->n_dets) return NULL;
    if (ctx) *ctx = e->dets[i].ctx;
    return e->dets[i].d;
}

int64_t warden_engine_now(const struct warden_engine *e)
{
    return e->now_ms;
}
