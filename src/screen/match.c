/* match.c — screening a name: candidates from the token index, then a scorer
 * that explains itself.
 *
 * Scorer: both names are reduced to core tokens (normalize.c). Adjacent tokens
 * on one side are joined when the join is a token of the other side ("hua wei"
 * ~ "huawei"). Tokens are paired greedily by similarity: equal (1.0), one or
 * two edits apart (typos; 1 - d / 2len), or equal consonant skeletons
 * (transliteration variants, 0.9). The name score is a weighted Dice
 * coefficient, each token weighted by its rarity in the lists (IDF), so shared
 * common words ("trading", "international", "bank") do not make a match and a
 * missing distinctive word breaks one. For names written in an abjad the
 * consonant skeletons of the whole names are compared too. Then adjustments:
 * legal-form class agreement, country, domain and identifier agreement, all
 * weights from the policy (conf.c). */
#include "screen/internal.h"

#include "core/error.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct warden_screen_scratch {
    void *tl;
    float *acc;
    uint32_t *qstamp, *tstamp;
    uint32_t qgen, tgen;
    uint32_t *touched;
    size_t n_touched, cap_touched, n_names;
};

struct warden_screen_scratch *warden_screen_scratch_new(const struct warden_screen *s)
{
    struct warden_screen_scratch *w = warden_xcalloc(1, sizeof *w);
    w->tl = warden_normalizer_translit_new(s->nz);
    w->n_names = s->n_names;
    w->acc = warden_xcalloc(s->n_names + 1, sizeof *w->acc);
    w->qstamp = warden_xcalloc(s->n_names + 1, sizeof *w->qstamp);
    w->tstamp = warden_xcalloc(s->n_names + 1, sizeof *w->tstamp);
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
    free(w->qstamp);
    free(w->tstamp);
    free(w->touched);
    free(w);
}

/* ---- token lists with weights ---- */

struct tl {
    int n;
    char t[WARDEN_NORM_MAX_TOK][WARDEN_NORM_TOKLEN];
    uint8_t len[WARDEN_NORM_MAX_TOK];
    float w[WARDEN_NORM_MAX_TOK];
    uint32_t legal;
    bool abjad;
};

static float weight_of(const struct warden_screen *s, const char *t, size_t n)
{
    uint32_t id = warden_screen_token_id(s, t, n);
    if (id == UINT32_MAX) return s->max_weight > 0 ? s->max_weight : 1.0f;
    return s->toks[id].weight;
}

static void from_norm(const struct warden_screen *s, const struct warden_norm_name *nn,
                      struct tl *o)
{
    o->n = nn->n;
    o->legal = nn->legal;
    o->abjad = nn->abjad;
    for (int i = 0; i < nn->n; i++) {
        memcpy(o->t[i], nn->tok[i], (size_t)nn->len[i] + 1);
        o->len[i] = nn->len[i];
        o->w[i] = weight_of(s, nn->tok[i], nn->len[i]);
        /* a legal-form word left inside the name ("Shipping Co Gudzon") counts little */
        if (warden_normalizer_is_minor(s->nz, nn->tok[i], nn->len[i])) o->w[i] *= 0.2f;
    }
}

static void from_rec(const struct warden_screen *s, const struct warden_screen_name_rec *r,
                     struct tl *o)
{
    o->n = r->n_tok;
    o->legal = r->legal;
    o->abjad = r->abjad;
    for (int i = 0; i < r->n_tok; i++) {
        const struct warden_screen_token *t = &s->toks[s->name_toks[r->tok0 + (uint32_t)i]];
        memcpy(o->t[i], t->str, (size_t)t->len + 1);
        o->len[i] = (uint8_t)t->len;
        o->w[i] = t->weight;
        if (t->minor) o->w[i] *= 0.2f;
    }
}

/* a abbreviates b: same first letter, 3+ letters, at least 2 shorter, and
 * either a truncation (prefix of 4-5 letters) or a contraction keeping b's last
 * letter with at most one vowel ("intl", "mgmt", "natl", "svcs"). */
static bool abbreviates(const char *a, size_t la, const char *b, size_t lb)
{
    if (la < 3 || la + 2 > lb || a[0] != b[0]) return false;
    if (la >= 4 && la <= 5 && memcmp(a, b, la) == 0) return true; /* tech, corp, assoc */
    if (a[la - 1] != b[lb - 1]) return false;
    int vowels = 0;
    for (size_t i = 0; i < la; i++)
        vowels += a[i] == 'a' || a[i] == 'e' || a[i] == 'i' || a[i] == 'o' || a[i] == 'u';
    if (vowels > 1) return false;
    size_t j = 0;
    for (size_t i = 0; i < lb && j < la; i++)
        if (b[i] == a[j]) j++;
    return j == la;
}

static double tok_sim(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == lb && memcmp(a, b, la) == 0) return 1.0;
    if (abbreviates(a, la, b, lb) || abbreviates(b, lb, a, la)) return 0.85;
    size_t mx = la > lb ? la : lb, mn = la < lb ? la : lb;
    if (mn >= 4) {
        int maxd = mx >= 9 ? 2 : 1;
        int d = warden_osa_distance(a, la, b, lb, maxd);
        if (d <= maxd) return 1.0 - (double)d / (2.0 * (double)mx);
    }
    if (mn >= 4 && a[0] == b[0] && mx - mn <= 3) {
        char sa[64], sb[64];
        size_t ka = warden_skeleton(a, la, sa, sizeof sa),
               kb = warden_skeleton(b, lb, sb, sizeof sb);
        if (ka >= 3 && ka == kb && memcmp(sa, sb, ka) == 0) return 0.9;
    }
    return 0.0;
}

/* Join adjacent tokens of x when the join equals a token of y. */
static void join_against(const struct warden_screen *s, struct tl *x, const struct tl *y)
{
    for (int k = 0; k < y->n; k++) {
        if (y->len[k] < 4) continue;
        bool exact = false;
        for (int m = 0; m < x->n && !exact; m++)
            exact = x->len[m] == y->len[k] && memcmp(x->t[m], y->t[k], y->len[k]) == 0;
        if (exact) continue;
        for (int i = 0; i + 1 < x->n; i++) {
            int done = 0;
            for (int span = 3; span >= 2 && !done; span--) {
                if (i + span > x->n) continue;
                size_t l = 0;
                for (int m = i; m < i + span; m++) l += x->len[m];
                if (l + 2 < y->len[k] || l > (size_t)y->len[k] + 2 || l >= WARDEN_NORM_TOKLEN)
                    continue;
                char j[WARDEN_NORM_TOKLEN];
                l = 0;
                for (int m = i; m < i + span; m++) {
                    memcpy(j + l, x->t[m], x->len[m]);
                    l += x->len[m];
                }
                j[l] = '\0';
                double js = tok_sim(j, l, y->t[k], y->len[k]);
                if (js < 0.9) continue;
                /* only when the join fits better than any single token does */
                bool better = true;
                for (int m = 0; m < x->n && better; m++)
                    if (tok_sim(x->t[m], x->len[m], y->t[k], y->len[k]) >= js) better = false;
                if (!better) continue;
                memcpy(x->t[i], j, l + 1);
                x->len[i] = (uint8_t)l;
                float wj = weight_of(s, j, l), ws = 0;
                for (int m = i; m < i + span; m++) ws = ws > x->w[m] ? ws : x->w[m];
                x->w[i] = wj > ws ? wj : ws;
                int rm = span - 1;
                for (int m = i + 1; m + rm < x->n; m++) {
                    memcpy(x->t[m], x->t[m + rm], (size_t)x->len[m + rm] + 1);
                    x->len[m] = x->len[m + rm];
                    x->w[m] = x->w[m + rm];
                }
                x->n -= rm;
                done = 1;
            }
            if (done) break;
        }
    }
}

static void joined(const struct tl *x, char *out, size_t cap, bool skel)
{
    size_t k = 0;
    for (int i = 0; i < x->n; i++) {
        if (skel) {
            k += warden_skeleton(x->t[i], x->len[i], out + k, cap - k);
        } else {
            size_t l = x->len[i];
            if (k + l + 1 >= cap) break;
            memcpy(out + k, x->t[i], l);
            k += l;
            out[k] = '\0';
        }
    }
    out[k] = '\0';
}

static double ratio(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t mx = la > lb ? la : lb;
    if (!mx) return 0;
    int maxd = (int)(mx / 4);
    int d = warden_osa_distance(a, la, b, lb, maxd);
    if (d > maxd) return 0;
    return 1.0 - (double)d / (double)mx;
}

static void tokstr(const struct tl *x, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < x->n; i++) {
        int w = snprintf(out + k, cap - k, "%s%s", i ? " " : "", x->t[i]);
        if (w < 0 || (size_t)w >= cap - k) break;
        k += (size_t)w;
    }
}

/* Name similarity of two token lists; explanation into m (may be NULL). */
static double name_score(const struct warden_screen *s, struct tl *a, struct tl *b,
                         struct warden_screen_match *m)
{
    if (a->n == 0 || b->n == 0) return 0;
    join_against(s, a, b);
    join_against(s, b, a);
    double sim[WARDEN_NORM_MAX_TOK][WARDEN_NORM_MAX_TOK];
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++) sim[i][j] = tok_sim(a->t[i], a->len[i], b->t[j], b->len[j]);
    bool ua[WARDEN_NORM_MAX_TOK] = {false}, ub[WARDEN_NORM_MAX_TOK] = {false};
    double num = 0, den = 0;
    for (int i = 0; i < a->n; i++) den += a->w[i];
    for (int j = 0; j < b->n; j++) den += b->w[j];
    if (m) m->n_pairs = 0;
    for (;;) {
        double best = 0;
        int bi = -1, bj = -1;
        for (int i = 0; i < a->n; i++) {
            if (ua[i]) continue;
            for (int j = 0; j < b->n; j++)
                if (!ub[j] && sim[i][j] > best) best = sim[i][j], bi = i, bj = j;
        }
        if (bi < 0) break;
        ua[bi] = ub[bj] = true;
        num += best * (a->w[bi] + b->w[bj]);
        if (m && m->n_pairs < WARDEN_SCREEN_EXPLAIN_MAX) {
            struct warden_screen_token_pair *p = &m->pairs[m->n_pairs++];
            size_t lq = a->len[bi] < sizeof p->query ? a->len[bi] : sizeof p->query - 1;
            size_t ll = b->len[bj] < sizeof p->listed ? b->len[bj] : sizeof p->listed - 1;
            memcpy(p->query, a->t[bi], lq);
            p->query[lq] = '\0';
            memcpy(p->listed, b->t[bj], ll);
            p->listed[ll] = '\0';
            p->sim = best;
            p->weight = (a->w[bi] + b->w[bj]) / 2;
        }
    }
    double score = den > 0 ? num / den : 0;
    const char *method = "tokens";
    if (a->abjad || b->abjad) {
        char ja[256], jb[256];
        joined(a, ja, sizeof ja, true);
        joined(b, jb, sizeof jb, true);
        if (strlen(ja) >= 4 && strlen(jb) >= 4) {
            double r = 0.95 * ratio(ja, jb);
            if (r > score) score = r, method = "skeleton";
        }
    }
    if (m) {
        m->method = method;
        tokstr(a, m->query_norm, sizeof m->query_norm);
        tokstr(b, m->listed_norm, sizeof m->listed_norm);
        warden_normalizer_legal_str(s->nz, a->legal, m->query_legal, sizeof m->query_legal);
        warden_normalizer_legal_str(s->nz, b->legal, m->listed_legal, sizeof m->listed_legal);
    }
    return score;
}

static double legal_adj(const struct warden_screen *s, uint32_t la, uint32_t lb)
{
    if (!la || !lb) return 0;
    if (la & lb) return s->conf.legal_form_bonus;
    return -s->conf.legal_form_penalty;
}

/* ---- candidate generation ---- */

static void touch(struct warden_screen_scratch *w, const uint32_t *p, size_t n, float wt)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t id = p[i];
        if (w->qstamp[id] != w->qgen) {
            w->qstamp[id] = w->qgen;
            w->acc[id] = 0;
            w->tstamp[id] = 0;
            if (w->n_touched == w->cap_touched) {
                w->cap_touched *= 2;
                w->touched = warden_xrealloc(w->touched, w->cap_touched * sizeof *w->touched);
            }
            w->touched[w->n_touched++] = id;
        }
        if (w->tstamp[id] != w->tgen) {
            w->tstamp[id] = w->tgen;
            w->acc[id] += wt;
        }
    }
}

static void lookup(const struct warden_screen *s, struct warden_screen_scratch *w, uint64_t key,
                   float wt, size_t cap)
{
    size_t n;
    const uint32_t *p = warden_screen_postings(s, key, &n);
    if (p && n <= cap) touch(w, p, n, wt);
}

static void gen_token(const struct warden_screen *s, struct warden_screen_scratch *w,
                      const struct tl *q, int i, size_t cap)
{
    const char *t = q->t[i];
    size_t n = q->len[i];
    w->tgen++;
    lookup(s, w, warden_screen_key(t, n, WARDEN_NS_FUZZY), q->w[i], cap);
    /* one-typo look-ups for words the lists do not know or hardly use; a
     * well-known word is taken as spelt right (its variants would flood) */
    uint32_t id = warden_screen_token_id(s, t, n);
    if (n >= 5 && n <= 40 && (id == UINT32_MAX || s->toks[id].df < 16)) {
        char buf[WARDEN_NORM_TOKLEN];
        for (size_t k = 0; k < n; k++) {
            if (k && t[k] == t[k - 1]) continue;
            memcpy(buf, t, k);
            memcpy(buf + k, t + k + 1, n - k - 1);
            lookup(s, w, warden_screen_key(buf, n - 1, WARDEN_NS_FUZZY), q->w[i], cap);
        }
    }
    char sk[WARDEN_NORM_TOKLEN * 2];
    size_t l = warden_skeleton(t, n, sk, sizeof sk);
    if (l >= 2) {
        lookup(s, w, warden_screen_key(sk, l, WARDEN_NS_SKEL_ABJAD), q->w[i] * 0.8f, cap);
        if (q->abjad)
            lookup(s, w, warden_screen_key(sk, l, WARDEN_NS_SKEL_LATIN), q->w[i] * 0.8f, cap);
    }
    if (i + 1 < q->n) {
        char j[WARDEN_NORM_TOKLEN * 2];
        size_t a = q->len[i], b = q->len[i + 1];
        memcpy(j, t, a);
        memcpy(j + a, q->t[i + 1], b);
        float wj = q->w[i] > q->w[i + 1] ? q->w[i] : q->w[i + 1];
        w->tgen++;
        lookup(s, w, warden_screen_key(j, a + b, WARDEN_NS_FUZZY), wj, cap);
        l = warden_skeleton(j, a + b, sk, sizeof sk);
        if (l >= 2) {
            lookup(s, w, warden_screen_key(sk, l, WARDEN_NS_SKEL_ABJAD), wj * 0.8f, cap);
            if (q->abjad)
                lookup(s, w, warden_screen_key(sk, l, WARDEN_NS_SKEL_LATIN), wj * 0.8f, cap);
        }
    }
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
}

/* ---- public ---- */

static int cmp_match(const void *a, const void *b)
{
    const struct warden_screen_match *x = a, *y = b;
    return x->score > y->score ? -1 : (x->score < y->score);
}

struct cand {
    float acc;
    uint32_t name;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->acc != y->acc) return x->acc > y->acc ? -1 : 1;
    return x->name < y->name ? -1 : (x->name > y->name);
}

int warden_screen_name(const struct warden_screen *s, struct warden_screen_scratch *w,
                       const struct warden_screen_query *q, struct warden_screen_match *out,
                       size_t max)
{
    if (!q || !q->name) return WARDEN_EINVAL;
    struct warden_screen_scratch *own = NULL;
    if (!w) w = own = warden_screen_scratch_new(s);
    struct warden_norm_name nn;
    warden_normalize_name(s->nz, w->tl, q->name, &nn);
    struct tl qt;
    from_norm(s, &nn, &qt);
    char qcc[3] = "";
    if (q->country && *q->country &&
        !warden_normalizer_country(s->nz, w->tl, q->country, strlen(q->country), qcc))
        qcc[0] = '\0';
    int found = 0;
    if (qt.n == 0 || max == 0) goto out;
    w->qgen++;
    w->n_touched = 0;
    size_t cap = s->n_names / 40 + 64;
    for (int i = 0; i < qt.n; i++) gen_token(s, w, &qt, i, cap);
    if (w->n_touched == 0)
        for (int i = 0; i < qt.n; i++) gen_token(s, w, &qt, i, SIZE_MAX);
    /* best candidates by accumulated weight: a bounded min-heap */
    size_t K = (size_t)s->conf.max_candidates;
    struct cand top[512];
    if (K > 512) K = 512;
    size_t nt = 0;
    for (size_t i = 0; i < w->n_touched; i++) {
        uint32_t id = w->touched[i];
        struct cand c = {w->acc[id], id};
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
    qsort(top, nt, sizeof *top, cmp_cand);
    /* score; keep the best name per entity */
    struct warden_screen_match cur;
    for (size_t c = 0; c < nt; c++) {
        /* far weaker word overlap than the best candidate's cannot score close */
        if (top[c].acc < 0.35f * top[0].acc) break;
        const struct warden_screen_name_rec *r = &s->names[top[c].name];
        const struct warden_screen_entity *e = &s->ents[r->entity];
        struct tl a = qt, b;
        from_rec(s, r, &b);
        double ns = name_score(s, &a, &b, NULL);
        if (ns < s->conf.review_threshold - 0.2) continue;
        /* again, with the explanation, only for candidates worth reporting */
        memset(&cur, 0, sizeof cur);
        a = qt;
        from_rec(s, r, &b);
        ns = name_score(s, &a, &b, &cur);
        cur.entity = e;
        cur.matched_name = r->raw;
        cur.name_score = ns;
        cur.adj_legal = legal_adj(s, qt.legal, r->legal);
        adjust(s, q, qcc, e, &cur);
        double sc = ns + cur.adj_legal + cur.adj_country + cur.adj_domain + cur.adj_id;
        cur.score = sc < 0 ? 0 : sc > 1 ? 1 : sc;
        if (cur.score < s->conf.review_threshold) continue;
        cur.is_match = cur.score >= s->conf.match_threshold;
        int dup = -1;
        for (int k = 0; k < found; k++)
            if (out[k].entity == e) dup = k;
        if (dup >= 0) {
            if (cur.score > out[dup].score) out[dup] = cur;
        } else if ((size_t)found < max) {
            out[found++] = cur;
        } else {
            int mi = 0;
            for (int k = 1; k < found; k++)
                if (out[k].score < out[mi].score) mi = k;
            if (cur.score > out[mi].score) out[mi] = cur;
        }
    }
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
    struct warden_norm_name na, nb;
    warden_normalize_name(s->nz, w->tl, x, &na);
    warden_normalize_name(s->nz, w->tl, y, &nb);
    struct tl a, b;
    from_norm(s, &na, &a);
    from_norm(s, &nb, &b);
    double sc = name_score(s, &a, &b, NULL) + legal_adj(s, a.legal, b.legal);
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
    struct tl t;
    from_norm(s, &nn, &t);
    tokstr(&t, out, outlen);
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
