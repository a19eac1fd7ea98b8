/* match.c — screening a name: candidates from the token index, then the
 * scorer (score.c) on the best of them, then adjustments.
 *
 * Candidates are list names sharing a token, a one-typo variant, a joined pair
 * of tokens, a consonant skeleton or an acronym with the query (index.c); a
 * name written in Han characters is also looked up and scored in its other
 * readings (Korean, Japanese), keeping the best. Adjustments: legal-form class
 * agreement, country, domain and identifier agreement, all weights from the
 * policy (conf.c); a near sibling stays below match_threshold whatever the
 * adjustments (score.c). */
#include "screen/internal.h"

#include "core/error.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct warden_screen_scratch {
    void *tl;
    struct acc {         /* per list name, 8 bytes: the lists' records fit a core's L2 cache */
        uint16_t tstamp; /* look-up group that last touched it (this query: see found) */
        float acc;
    } * acc;
    /* one bit per list name: found by this query (its acc record is current).
     * 43,000 names take 5.4 KB, which stays in the L1 cache: reading a common
     * word's postings for names already found tests these bits instead of
     * each name's record, which was a cache miss for most of them */
    uint64_t *found;
    uint16_t tgen; /* restarts per query */
    float best;    /* the largest acc so far */
    uint32_t *touched;
    size_t n_touched, cap_touched, n_names;
    struct plan *plan; /* a query's look-up groups (gen_name), allocated on first use */
};

static inline bool found_bit(const struct warden_screen_scratch *w, uint32_t id)
{
    return (w->found[id >> 6] >> (id & 63)) & 1;
}

struct warden_screen_scratch *warden_screen_scratch_new(const struct warden_screen *s)
{
    struct warden_screen_scratch *w = warden_xcalloc(1, sizeof *w);
    w->tl = warden_normalizer_translit_new(s->nz);
    w->n_names = s->n_names;
    w->acc = warden_xcalloc(s->n_names + 1, sizeof *w->acc);
    w->found = warden_xcalloc(s->n_names / 64 + 1, sizeof *w->found);
    w->cap_touched = 1024;
    w->touched = warden_xmalloc(w->cap_touched * sizeof *w->touched);
    return w;
}

void *warden_screen_scratch_translit(struct warden_screen_scratch *w)
{
    return w->tl;
}

void warden_screen_scratch_free(struct warden_screen_scratch *w)
{
    if (!w) return;
    warden_normalizer_translit_free(w->tl);
    free(w->acc);
    free(w->found);
    free(w->touched);
    free(w->plan);
    free(w);
}

/* Legal forms: the same class adds legal_form_bonus; another class of the
 * same family (Ltd / Inc / GmbH: legal_families.tsv) takes legal_form_penalty;
 * another family (a company / a foundation or cooperative) makes near
 * siblings (*sibling), reported for review. */
static double legal_adj(const struct warden_screen *s, uint32_t la, uint32_t lb, bool *sibling)
{
    if (!la || !lb) return 0;
    if (la & lb) return s->conf.legal_form_bonus;
    if (!(warden_normalizer_legal_family(s->nz, la) & lb) && s->conf.sibling_review)
        *sibling = true;
    return -s->conf.legal_form_penalty;
}

/* ---- candidate generation ----
 *
 * A query's index keys come in groups (a token with its one-typo and skeleton
 * variants; a join of two tokens; an acronym): a list name gains a group's
 * weight once when any of its keys finds it. Groups are looked up heaviest
 * first. A name not yet found can gain at most the weight of the groups still
 * to come; once that is under min_share of the best name's weight so far, it
 * could not reach the scorer (match.c drops candidates under min_share of the
 * best), so the remaining groups only add to names already found: a long
 * posting list is then probed name by name (postings are sorted by name id)
 * instead of read whole. The index slots of a group's keys are prefetched
 * before they are probed. The result is the same as reading every list. */

#define CAND_MIN_SHARE 0.35f /* candidates under this share of the best are not scored */
#define GROUP_KEYS 48
#define ACRONYM_RANK 0.99f /* an acronym look-up's weight, in the query's whole weight */

struct group {
    uint64_t key[GROUP_KEYS];
    float wt[GROUP_KEYS];
    int n;
};

/* a group as gen_name plans it: the weight still to come from it on, and the
 * longest posting list it reads */
struct plan {
    struct group g;
    float rest;
    size_t cap;
};
/* acronym groups (a token each, the name's initials), joins, tokens */
#define PLAN_MAX (3 * WARDEN_NORM_MAX_TOK + WARDEN_ACRONYM_KEYS)

static void gadd(struct group *g, const char *k, size_t n, int ns, float wt)
{
    if (g->n < GROUP_KEYS) {
        g->key[g->n] = warden_screen_key(k, n, ns);
        g->wt[g->n++] = wt;
    }
}

/* how far ahead a posting list's accumulators are fetched: the records of
 * names far apart in the lists miss the cache, and waiting for each in turn
 * was most of the look-up time */
#define ACC_AHEAD 12

static void touch(struct warden_screen_scratch *w, const uint32_t *p, size_t n, float wt)
{
    for (size_t i = 0; i < n; i++) {
        if (i + ACC_AHEAD < n) __builtin_prefetch(&w->acc[p[i + ACC_AHEAD]]);
        uint32_t id = p[i];
        struct acc *a = &w->acc[id];
        if (!found_bit(w, id)) {
            w->found[id >> 6] |= 1ull << (id & 63);
            a->acc = 0;
            a->tstamp = 0;
            if (w->n_touched == w->cap_touched) {
                w->cap_touched *= 2;
                w->touched = warden_xrealloc(w->touched, w->cap_touched * sizeof *w->touched);
            }
            w->touched[w->n_touched++] = id;
        }
        if (a->tstamp != w->tgen) {
            a->tstamp = w->tgen;
            a->acc += wt;
            if (a->acc > w->best) w->best = a->acc;
        }
    }
}

static void bump(struct warden_screen_scratch *w, struct acc *a, float wt)
{
    if (a->tstamp != w->tgen) {
        a->tstamp = w->tgen;
        a->acc += wt;
        if (a->acc > w->best) w->best = a->acc;
    }
}

/* names already found that are in the postings p[0..n) (sorted by id) */
static void touch_found(struct warden_screen_scratch *w, const uint32_t *p, size_t n, float wt)
{
    size_t probes = 1;
    for (size_t m = n; m > 1; m >>= 1) probes++;
    if (w->n_touched * probes < n) {
        for (size_t t = 0; t < w->n_touched; t++) {
            uint32_t id = w->touched[t];
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (p[mid] < id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < n && p[lo] == id) bump(w, &w->acc[id], wt);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (found_bit(w, p[i])) bump(w, &w->acc[p[i]], wt);
}

/* look up one group: new names only while they could still matter (rest: the
 * weight of this group and those after it) */
static void look_group(const struct warden_screen *s, struct warden_screen_scratch *w,
                       const struct group *g, float rest, size_t cap, const struct group *next)
{
    /* the next group's index slots are fetched while this one is read: the
     * index is too large for the caches and each slot a miss */
    for (int k = 0; next && k < next->n; k++) warden_screen_prefetch(s, next->key[k]);
    if (!g->n) return;
    bool grow = rest >= CAND_MIN_SHARE * w->best;
    w->tgen++;
    for (int k = 0; k < g->n; k++) {
        size_t n;
        const uint32_t *p = warden_screen_postings(s, g->key[k], &n);
        if (!p || n > cap) continue;
        if (grow)
            touch(w, p, n, g->wt[k]);
        else
            touch_found(w, p, n, g->wt[k]);
    }
}

/* A name with Hangul is read by ICU as Revised Romanization writes it (g, d,
 * b, j, an initial l); the lists write McCune-Reischauer or a company's own
 * spelling (k, t, p, ch, r: 광선 gwangseon = Kwangson, 대동 daedong =
 * Taedong, 국민 gugmin = Kookmin). Latin names' skeletons are looked up for
 * the word as read, with its first consonant voiceless, and with every one
 * voiceless (score.c compares the sound classes). */
static void korean_keys(struct group *g, const char *t, size_t n, float wt)
{
    char v[WARDEN_NORM_TOKLEN * 4], sk[WARDEN_NORM_TOKLEN * 4];
    for (int mode = 0; mode < 3; mode++) {
        size_t k = 0;
        for (size_t i = 0; i < n && k + 2 < sizeof v; i++) {
            char c = t[i];
            if (mode == 2 || (mode == 1 && i == 0)) {
                if (c == 'g')
                    c = 'k';
                else if (c == 'd')
                    c = 't';
                else if (c == 'b')
                    c = 'p';
                else if (c == 'l' && i == 0)
                    c = 'r';
                else if (c == 'j')
                    v[k++] = 'c', c = 'h';
            }
            v[k++] = c;
        }
        size_t l = warden_skeleton(v, k, sk, sizeof sk);
        if (l >= 2) gadd(g, sk, l, WARDEN_NS_SKEL_LATIN, wt * 0.8f);
    }
}

/* a token's group: itself, its one-typo look-ups and its consonant skeleton */
static void token_group(const struct warden_screen *s, const struct warden_tl *q, int i,
                        struct group *g)
{
    const char *t = q->t[i];
    size_t n = q->len[i];
    g->n = 0;
    gadd(g, t, n, WARDEN_NS_FUZZY, q->w[i]);
    /* one-typo look-ups for words the lists do not know or hardly use; a
     * well-known word is taken as spelt right (its variants would flood) */
    uint32_t id = q->id[i];
    if (n >= 5 && n <= 40 && (id == UINT32_MAX || s->toks[id].df < 16)) {
        char buf[WARDEN_NORM_TOKLEN];
        for (size_t k = 0; k < n; k++) {
            if (k && t[k] == t[k - 1]) continue;
            memcpy(buf, t, k);
            memcpy(buf + k, t + k + 1, n - k - 1);
            gadd(g, buf, n - 1, WARDEN_NS_FUZZY, q->w[i]);
        }
    }
    char sk[WARDEN_NORM_TOKLEN * 2];
    size_t l = warden_skeleton(t, n, sk, sizeof sk);
    if (l >= 2) {
        gadd(g, sk, l, WARDEN_NS_SKEL_ABJAD, q->w[i] * 0.8f);
        if (q->abjad) gadd(g, sk, l, WARDEN_NS_SKEL_LATIN, q->w[i] * 0.8f);
    }
    if (q->script & WARDEN_SCRIPT_HANGUL) korean_keys(g, t, n, q->w[i]);
    /* a word the lists do not know may be a word with a legal form written
     * joined to it ("kraslesinvestcjsc"): the word alone too (score.c) */
    if (id == UINT32_MAX && n >= 7)
        for (int suffix = 0; suffix <= 1; suffix++) {
            uint32_t cls;
            size_t a = warden_normalizer_legal_affix(s->nz, t, n, suffix, &cls);
            if (a) gadd(g, suffix ? t : t + a, n - a, WARDEN_NS_FUZZY, q->w[i]);
        }
}

/* the group of tokens i and i+1 joined ("hua wei" -> "huawei") */
static void join_group(const struct warden_tl *q, int i, struct group *g)
{
    g->n = 0;
    if (i + 1 >= q->n) return;
    char j[WARDEN_NORM_TOKLEN * 2], sk[WARDEN_NORM_TOKLEN * 2];
    size_t a = q->len[i], b = q->len[i + 1];
    memcpy(j, q->t[i], a);
    memcpy(j + a, q->t[i + 1], b);
    float wj = q->w[i] > q->w[i + 1] ? q->w[i] : q->w[i + 1];
    gadd(g, j, a + b, WARDEN_NS_FUZZY, wj);
    size_t l = warden_skeleton(j, a + b, sk, sizeof sk);
    if (l >= 2) {
        gadd(g, sk, l, WARDEN_NS_SKEL_ABJAD, wj * 0.8f);
        if (q->abjad) gadd(g, sk, l, WARDEN_NS_SKEL_LATIN, wj * 0.8f);
    }
    if (q->script & WARDEN_SCRIPT_HANGUL) korean_keys(g, j, a + b, wj);
}

/* candidates for a whole name: each short token as the initials of a listed
 * name ("NIOC" finds "National Iranian Oil Company") and the name's own
 * initials as a listed acronym (an acronym shared by many names says little:
 * only short postings are taken), then every token and join, heaviest first */
static void gen_name(const struct warden_screen *s, struct warden_screen_scratch *w,
                     const struct warden_tl *q, size_t cap)
{
    w->best = 0;
    size_t acap = cap < 32 ? cap : 32;
    float wt = 0;
    for (int i = 0; i < q->n; i++) wt += q->w[i];
    /* a name found through initials alone ranks just below one that shares
     * every word of the query (on a tie the K best are cut by name id) */
    float wa = wt * ACRONYM_RANK;
    /* the weight still to come: acronym groups (each up to wt) are looked up
     * first, so what follows them is the tokens' and joins' weight */
    float rest = 0;
    int order[WARDEN_NORM_MAX_TOK];
    for (int i = 0; i < q->n; i++) {
        float wj = i + 1 < q->n ? (q->w[i] > q->w[i + 1] ? q->w[i] : q->w[i + 1]) : 0;
        rest += q->w[i] + wj;
        int k = i;
        while (k > 0 && q->w[order[k - 1]] < q->w[i]) order[k] = order[k - 1], k--;
        order[k] = i;
    }
    /* the groups are made first, then looked up in order */
    if (!w->plan) w->plan = warden_xmalloc(PLAN_MAX * sizeof *w->plan);
    struct plan *pl = w->plan;
    int np = 0;
    for (int i = 0; i < q->n; i++) {
        if (q->len[i] < 3 || q->len[i] > 8 || q->minor[i]) continue;
        uint32_t id = q->id[i];
        if (id != UINT32_MAX && s->toks[id].df >= 16) continue; /* a common word */
        pl[np].g.n = 0;
        gadd(&pl[np].g, q->t[i], q->len[i], WARDEN_NS_ACRONYM, wa);
        pl[np].rest = rest + wt, pl[np++].cap = acap;
    }
    char keys[WARDEN_ACRONYM_KEYS][WARDEN_NORM_TOKLEN];
    int nk = warden_screen_acronym_keys(q, keys);
    for (int k = 0; k < nk; k++) {
        pl[np].g.n = 0;
        gadd(&pl[np].g, keys[k], strlen(keys[k]), WARDEN_NS_FUZZY, wa);
        pl[np].rest = rest + wt, pl[np++].cap = acap;
    }
    /* joins first: their postings are short (few names hold the joined word)
     * and they lift the best names early, so that the common words at the end
     * of the token order only add to names already found */
    for (int i = 0; i + 1 < q->n; i++) {
        join_group(q, i, &pl[np].g);
        pl[np].rest = rest, pl[np++].cap = cap;
        rest -= q->w[i] > q->w[i + 1] ? q->w[i] : q->w[i + 1];
    }
    for (int o = 0; o < q->n; o++) {
        int i = order[o];
        token_group(s, q, i, &pl[np].g);
        pl[np].rest = rest, pl[np++].cap = cap;
        rest -= q->w[i];
    }
    for (int k = 0; np && k < pl[0].g.n; k++) warden_screen_prefetch(s, pl[0].g.key[k]);
    for (int k = 0; k < np; k++)
        look_group(s, w, &pl[k].g, pl[k].rest, pl[k].cap, k + 1 < np ? &pl[k + 1].g : NULL);
}

/* ---- adjustments ---- */

static bool domain_covers(const char *listed, const char *q)
{
    size_t ll = strlen(listed), lq = strlen(q);
    if (lq < ll) return false;
    if (strcasecmp(q + lq - ll, listed) != 0) return false;
    return lq == ll || q[lq - ll - 1] == '.' || q[lq - ll - 1] == '@';
}

static size_t alnum_upper(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        if (isalnum((unsigned char)*s)) out[k++] = (char)toupper((unsigned char)*s);
    out[k] = '\0';
    return k;
}

static void adjust(const struct warden_screen *s, const struct warden_screen_query *q,
                   const char *qcc, const struct warden_screen_entity *e,
                   struct warden_screen_match *m)
{
    m->adj_country = m->adj_domain = m->adj_id = 0;
    bool has_cc = false, cc_ok = false, dom = false, idok = false;
    char qid[128] = "";
    if (q->id) alnum_upper(q->id, qid, sizeof qid);
    for (uint32_t i = 0; i < e->n_attrs; i++) {
        const struct warden_screen_attr *a = &e->attrs[i];
        if (a->type == WARDEN_SCREEN_ATTR_COUNTRY && strlen(a->value) == 2) {
            has_cc = true;
            if (qcc[0] && strcmp(a->value, qcc) == 0) cc_ok = true;
        } else if (q->domain && (a->type == WARDEN_SCREEN_ATTR_DOMAIN) &&
                   domain_covers(a->value, q->domain)) {
            dom = true;
        } else if (q->domain && a->type == WARDEN_SCREEN_ATTR_EMAIL &&
                   strcasecmp(a->value, q->domain) == 0) {
            dom = true;
        } else if (qid[0] && a->type == WARDEN_SCREEN_ATTR_ID) {
            const char *v = strrchr(a->value, ':');
            char lid[128];
            alnum_upper(v ? v + 1 : a->value, lid, sizeof lid);
            if (strlen(lid) >= 4 && strcmp(lid, qid) == 0) idok = true;
        }
    }
    if (qcc[0] && has_cc) m->adj_country = cc_ok ? s->conf.country_bonus : -s->conf.country_penalty;
    if (dom) m->adj_domain = s->conf.domain_bonus;
    if (idok) m->adj_id = s->conf.id_bonus;
    m->corroborated = cc_ok || dom || idok;
}

/* ---- public ---- */

static int cmp_match(const void *a, const void *b)
{
    const struct warden_screen_match *x = a, *y = b;
    return x->score > y->score ? -1 : (x->score < y->score);
}

/* a name in its usual form, then in its other readings (Han): how many */
static int forms(const struct warden_screen *s, struct warden_screen_scratch *w, const char *name,
                 struct warden_tl out[3])
{
    struct warden_norm_name nn;
    warden_normalize_name(s->nz, w->tl, name, &nn);
    warden_tl_from_norm(s, &nn, &out[0]);
    int n = 1;
    for (int alt = 1; alt <= 2; alt++)
        if (warden_normalize_name_alt(s->nz, w->tl, name, alt, &nn))
            warden_tl_from_norm(s, &nn, &out[n++]);
    return n;
}

#define WARDEN_SCREEN_PICKS 100 /* matches kept per query at most (max_results' limit) */

struct cand {
    float acc;
    uint32_t name;
};

/* Whether listed name id holds one of the query's distinctive words as it
 * is (the same token of the lists' dictionary). */
static bool holds_query_word(const struct warden_screen *s, const struct warden_tl *q, uint32_t id)
{
    const struct warden_screen_name_rec *r = &s->names[id];
    for (int i = 0; i < q->n; i++) {
        if (q->id[i] == UINT32_MAX || q->minor[i]) continue;
        for (unsigned k = 0; k < r->n_tok; k++)
            if (s->name_toks[r->tok0 + k] == q->id[i]) return true;
    }
    return false;
}

/* Whether name id is among the K candidates of top[0..K). */
static bool in_heap(const struct cand *top, size_t K, uint32_t id)
{
    for (size_t j = 0; j < K; j++)
        if (top[j].name == id) return true;
    return false;
}

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->acc != y->acc) return x->acc > y->acc ? -1 : 1;
    return x->name < y->name ? -1 : (x->name > y->name);
}

/* The K best candidates for one form of the query, by accumulated weight (a
 * bounded min-heap), appended to out[base..] best first, their acc relative to
 * the best; names already in out[0..base) are skipped. Returns how many. */
static size_t select_candidates(const struct warden_screen *s, struct warden_screen_scratch *w,
                                const struct warden_tl *q, size_t K, struct cand *out, size_t base)
{
    for (size_t i = 0; i < w->n_touched; i++) /* the previous query's names */
        w->found[w->touched[i] >> 6] = 0;
    w->tgen = 0;
    w->n_touched = 0;
    size_t cap = s->n_names / 40 + 64;
    gen_name(s, w, q, cap);
    if (w->n_touched == 0) gen_name(s, w, q, SIZE_MAX);
    struct cand *top = out + base;
    size_t nt = 0;
    for (size_t i = 0; i < w->n_touched; i++) {
        uint32_t id = w->touched[i];
        struct cand c = {w->acc[id].acc, id};
        if (nt == K && cmp_cand(&c, &top[0]) >= 0) continue; /* not better than the worst */
        size_t k;
        if (nt < K) {
            k = nt++;
            while (k && cmp_cand(&top[(k - 1) / 2], &c) < 0) {
                top[k] = top[(k - 1) / 2];
                k = (k - 1) / 2;
            }
            top[k] = c;
        } else {
            k = 0;
            for (;;) {
                size_t l = 2 * k + 1, r = l + 1, m = k;
                const struct cand *mv = &c;
                if (l < nt && cmp_cand(&top[l], mv) > 0) m = l, mv = &top[l];
                if (r < nt && cmp_cand(&top[r], mv) > 0) m = r, mv = &top[r];
                if (m == k) break;
                top[k] = top[m];
                k = m;
            }
            top[k] = c;
        }
    }
    /* names tied with the K-th: the cut between them would be by name id, so
     * they are all scored (up to 4K, and 160 a form); past that, those that
     * hold the query's words as they are before those found through one-typo
     * keys and skeletons ("Gorge Limited" ties with every name holding
     * "george", and GORGE LIMITED itself, late in the lists, was cut: of the
     * 2,994 SDN entities' own names, the one that did not match itself) */
    if (nt == K && K) {
        float last = top[0].acc; /* the heap's root: the worst kept */
        size_t most = 4 * K < 160 ? 4 * K : 160;
        /* every tie, in id order, when they fit (the common case) */
        size_t i = 0;
        for (; i < w->n_touched && nt < most; i++) {
            uint32_t id = w->touched[i];
            if (w->acc[id].acc != last) continue;
            if (!in_heap(top, K, id)) top[nt++] = (struct cand){last, id};
        }
        bool cut = false;
        for (; i < w->n_touched && !cut; i++) {
            uint32_t id = w->touched[i];
            if (w->acc[id].acc != last) continue;
            cut = !in_heap(top, K, id);
        }
        /* some left out: again, holders of the query's words first (a touched
         * name comes once a pass; the two passes take apart holders and not) */
        for (int pass = 0; cut && pass < 2; pass++) {
            if (pass == 0) nt = K;
            for (i = 0; i < w->n_touched && nt < most; i++) {
                uint32_t id = w->touched[i];
                if (w->acc[id].acc != last || holds_query_word(s, q, id) != (pass == 0)) continue;
                if (!in_heap(top, K, id)) top[nt++] = (struct cand){last, id};
            }
        }
    }
    for (size_t i = 1; i < nt; i++) /* a few: insertion sort */
        for (size_t j = i; j > 0 && cmp_cand(&top[j - 1], &top[j]) > 0; j--) {
            struct cand t = top[j];
            top[j] = top[j - 1];
            top[j - 1] = t;
        }
    float best = nt ? top[0].acc : 1;
    size_t n = 0;
    for (size_t i = 0; i < nt; i++) {
        bool dup = false;
        for (size_t j = 0; j < base && !dup; j++) dup = out[j].name == top[i].name;
        if (dup) continue;
        top[n] = top[i];
        top[n++].acc = best > 0 ? top[i].acc / best : 0;
    }
    return n;
}

int warden_screen_name(const struct warden_screen *s, struct warden_screen_scratch *w,
                       const struct warden_screen_query *q, struct warden_screen_match *out,
                       size_t max)
{
    if (!q || !q->name) return WARDEN_EINVAL;
    struct warden_screen_scratch *own = NULL;
    if (!w) w = own = warden_screen_scratch_new(s);
    struct warden_tl qts[3];
    int nalt = forms(s, w, q->name, qts);
    const struct warden_tl *qt0 = &qts[0];
    char qcc[3] = "";
    if (q->country && *q->country &&
        !warden_normalizer_country(s->nz, w->tl, q->country, strlen(q->country), qcc))
        qcc[0] = '\0';
    int found = 0;
    if (qt0->n == 0 || max == 0) goto out;
    /* each form of the name (usual, other readings) brings its own best
     * candidates: another reading's junk must not crowd out the usual one's */
    size_t K = (size_t)s->conf.max_candidates;
    if (K > 160) K = 160;
    struct cand top[3 * 160];
    size_t nt = 0;
    for (int k = 0; k < nalt; k++) nt += select_candidates(s, w, &qts[k], K, top, nt);
    /* score; keep the best name per entity (up to max) in out, each with its
     * explanation from the one scoring (out[k] is picks[k]'s match) */
    struct pick {
        double score;
        uint32_t name;
    } picks[WARDEN_SCREEN_PICKS];
    size_t np = 0, maxp = max < WARDEN_SCREEN_PICKS ? max : WARDEN_SCREEN_PICKS;
    struct warden_screen_match mt[2]; /* the best form's explanation, the one being scored */
    for (size_t c = 0; c < nt; c++) {
        /* far weaker word overlap than its form's best candidate cannot score close */
        if (top[c].acc < CAND_MIN_SHARE) continue;
        const struct warden_screen_name_rec *r = &s->names[top[c].name];
        const struct warden_screen_entity *e = &s->ents[r->entity];
        struct warden_tl a, b, b0;
        double ns = -1;
        int bm = 0;
        bool sib = false, capped = false;
        uint32_t ql = qt0->legal; /* with a legal form found misspelt by the scorer */
        warden_tl_from_rec(s, r, &b0);
        b0.person = e->kind == WARDEN_SCREEN_KIND_PERSON;
        /* a full record (its kind known): the list gives the names it
         * knows; an alias-only entry (the 2025 SDN aliases without their
         * primary file) may lack its full name */
        b0.listed = e->kind != WARDEN_SCREEN_KIND_UNKNOWN;
        for (int k = 0; k < nalt; k++) {
            warden_tl_copy(&a, &qts[k]);
            struct warden_tl *pb = &b0;
            if (k + 1 < nalt) { /* the scorer changes b: keep b0 for the next form */
                warden_tl_copy(&b, &b0);
                pb = &b;
            }
            struct warden_screen_match *m = &mt[ns < 0 ? bm : 1 - bm];
            double x = warden_name_score(s, &a, pb, m);
            if (x > ns) {
                ns = x, bm = (int)(m - mt), sib = a.sibling, capped = a.capped;
                ql = qt0->legal | (a.legal & ~qts[k].legal);
            }
        }
        if (ns < s->conf.review_threshold - 0.2) continue;
        struct warden_screen_match *cur = &mt[bm];
        cur->name_score = ns;
        cur->adj_legal = legal_adj(s, ql, r->legal, &sib);
        /* a name held below a match is not lifted by agreeing legal forms
         * ("CGI Sverige AB" is not "C.I. Glos's International S.A." for
         * both being companies); a country, domain or identifier may */
        if (capped && cur->adj_legal > 0) cur->adj_legal = 0;
        cur->adj_country = cur->adj_domain = cur->adj_id = 0;
        cur->corroborated = false;
        if (qcc[0] || (q->domain && *q->domain) || (q->id && *q->id)) adjust(s, q, qcc, e, cur);
        /* one short word shared ("Cone" / "CONE S.A."): a country that disagrees says more */
        if (cur->adj_country < 0 && cur->short_word)
            cur->adj_country = -s->conf.country_penalty_short;
        double sc = ns + cur->adj_legal + cur->adj_country + cur->adj_domain + cur->adj_id;
        if (sib) sc = warden_sibling_cap(s, sc);
        sc = sc < 0 ? 0 : sc > 1 ? 1 : sc;
        if (sc < s->conf.review_threshold) continue;
        struct pick p = {sc, top[c].name};
        int dup = -1;
        for (size_t k = 0; k < np; k++)
            if (s->names[picks[k].name].entity == r->entity) dup = (int)k;
        size_t slot = SIZE_MAX;
        if (dup >= 0) {
            if (sc > picks[dup].score) slot = (size_t)dup;
        } else if (np < maxp) {
            slot = np++;
        } else {
            size_t mi = 0;
            for (size_t k = 1; k < np; k++)
                if (picks[k].score < picks[mi].score) mi = k;
            if (sc > picks[mi].score) slot = mi;
        }
        if (slot == SIZE_MAX) continue;
        picks[slot] = p;
        cur->entity = e;
        cur->matched_name = r->raw;
        cur->score = sc;
        cur->is_match = sc >= s->conf.match_threshold;
        out[slot] = *cur;
    }
    found = (int)np;
    qsort(out, (size_t)found, sizeof *out, cmp_match);
out:
    warden_screen_scratch_free(own);
    return found;
}

double warden_screen_compare(const struct warden_screen *s, struct warden_screen_scratch *w,
                             const char *x, const char *y, bool *is_match)
{
    struct warden_screen_scratch *own = NULL;
    if (!w) w = own = warden_screen_scratch_new(s);
    /* each name in its usual form and, for Han characters, its other readings */
    struct warden_tl ta[3], tb[3];
    int na = forms(s, w, x, ta), nb = forms(s, w, y, tb);
    double sc = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++) {
            struct warden_tl a, b;
            warden_tl_copy(&a, &ta[i]);
            warden_tl_copy(&b, &tb[j]);
            double v = warden_name_score(s, &a, &b, NULL);
            bool sib = a.sibling;
            double lg = legal_adj(s, a.legal, b.legal, &sib);
            v += a.capped && lg > 0 ? 0 : lg;
            if (sib) v = warden_sibling_cap(s, v);
            if (v > sc) sc = v;
        }
    sc = sc < 0 ? 0 : sc > 1 ? 1 : sc;
    if (is_match) *is_match = sc >= s->conf.match_threshold;
    warden_screen_scratch_free(own);
    return sc;
}

size_t warden_screen_normalize(const struct warden_screen *s, struct warden_screen_scratch *w,
                               const char *name, char *out, size_t outlen, char *legal,
                               size_t legallen)
{
    struct warden_norm_name nn;
    warden_normalize_name(s->nz, w ? w->tl : NULL, name, &nn);
    struct warden_tl t;
    warden_tl_from_norm(s, &nn, &t);
    warden_tl_str(&t, out, outlen);
    if (legal) warden_normalizer_legal_str(s->nz, nn.legal, legal, legallen);
    return strlen(out);
}

int warden_screen_domain(const struct warden_screen *s, const char *d,
                         const struct warden_screen_entity **out, size_t max)
{
    char buf[512];
    size_t k = 0;
    const char *p = d;
    while (*p == ' ') p++;
    if (strncasecmp(p, "http://", 7) == 0)
        p += 7;
    else if (strncasecmp(p, "https://", 8) == 0)
        p += 8;
    for (; *p && *p != '/' && *p != ' ' && k + 1 < sizeof buf; p++)
        buf[k++] = (char)tolower((unsigned char)*p);
    buf[k] = '\0';
    int n = 0;
    /* full e-mail address first, then the host and each parent domain */
    const char *host = strchr(buf, '@') ? strchr(buf, '@') + 1 : buf;
    const char *cands[16];
    int nc = 0;
    if (host != buf) cands[nc++] = buf;
    for (const char *h = host; h && nc < 16; h = strchr(h, '.') ? strchr(h, '.') + 1 : NULL) {
        if (!strchr(h, '.')) break; /* never a bare TLD */
        cands[nc++] = h;
    }
    for (int c = 0; c < nc; c++) {
        const uint32_t *v = warden_smap_get(&s->domains, cands[c], strlen(cands[c]));
        if (!v) continue;
        for (uint32_t a = *v; a != UINT32_MAX && (size_t)n < max; a = s->dom_next[a]) {
            /* an e-mail address on a list restricts that address, not its domain */
            if (s->attrs[a].type == WARDEN_SCREEN_ATTR_EMAIL && cands[c] != buf) continue;
            const struct warden_screen_entity *e = &s->ents[s->attr_ent[a]];
            bool dup = false;
            for (int i = 0; i < n; i++) dup |= out[i] == e;
            if (!dup) out[n++] = e;
        }
    }
    return n;
}
