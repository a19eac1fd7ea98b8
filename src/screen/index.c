/* index.c — the token index: candidate generation without scanning the lists.
 *
 * Every list name is normalised once; its core tokens are interned in one
 * dictionary with their document frequency (IDF weights make "trading" or
 * "company" count little and a distinctive word count much). The index maps
 * 64-bit hashes of keys to postings of name ids:
 *   FUZZY  — each token, each one-character deletion of tokens of 5+ letters
 *            (SymSpell: finds one-typo variants with exact look-ups), and each
 *            join of two adjacent tokens ("hua wei" -> "huawei");
 *   ACRONYM — the initials of each name's words ("nioc" for "National Iranian
 *            Oil Company"), looked up with a query's short tokens;
 *   SKEL_* — consonant skeletons of tokens and joins, separately for names
 *            written in Latin and in abjad scripts, so an Arabic-script name
 *            finds "Hizballah" and the other way round.
 * Built once, in sorted flat arrays; looked up by open addressing. */
#include "screen/internal.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

uint64_t warden_screen_key(const char *k, size_t n, int ns)
{
    uint64_t h = XXH3_64bits_withSeed(k, n, (uint64_t)ns * 0x9E3779B97F4A7C15ull);
    return h ? h : 1;
}

uint32_t warden_screen_token_id(const struct warden_screen *s, const char *t, size_t n)
{
    const uint32_t *v = warden_smap_get(&s->tokmap, t, n);
    return v ? *v : UINT32_MAX;
}

static uint32_t intern(struct warden_screen *s, const char *t, size_t n)
{
    uint32_t id = warden_screen_token_id(s, t, n);
    if (id != UINT32_MAX) return id;
    if (s->n_toks == s->cap_toks) {
        s->cap_toks = s->cap_toks ? s->cap_toks * 2 : 4096;
        s->toks = warden_xrealloc(s->toks, s->cap_toks * sizeof *s->toks);
    }
    id = (uint32_t)s->n_toks++;
    const char *str = warden_arena_strndup(&s->arena, t, n);
    s->toks[id] = (struct warden_screen_token){str, (uint32_t)n, 0, 0,
                                               warden_normalizer_is_minor(s->nz, t, n)};
    bool found;
    *warden_smap_put(&s->tokmap, str, &found) = id;
    return id;
}

struct kp {
    uint64_t h;
    uint32_t name;
};

struct kvec {
    struct kp *v;
    size_t n, cap;
};

static void kadd(struct kvec *k, uint64_t h, uint32_t name)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 1 << 16;
        k->v = warden_xrealloc(k->v, k->cap * sizeof *k->v);
    }
    k->v[k->n++] = (struct kp){h, name};
}

static int cmp_kp(const void *a, const void *b)
{
    const struct kp *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->name < y->name ? -1 : (x->name > y->name);
}

/* keys of one token for the FUZZY namespace: itself and its deletions */
static void fuzzy_keys(struct kvec *k, const char *t, size_t n, uint32_t name)
{
    kadd(k, warden_screen_key(t, n, WARDEN_NS_FUZZY), name);
    if (n < 5 || n > 40) return;
    char buf[48];
    for (size_t i = 0; i < n; i++) {
        if (i && t[i] == t[i - 1]) continue; /* same deletion */
        memcpy(buf, t, i);
        memcpy(buf + i, t + i + 1, n - i - 1);
        kadd(k, warden_screen_key(buf, n - 1, WARDEN_NS_FUZZY), name);
    }
}

static void skel_key(struct kvec *k, const char *t, size_t n, int ns, uint32_t name)
{
    char sk[WARDEN_NORM_TOKLEN * 2];
    size_t l = warden_skeleton(t, n, sk, sizeof sk);
    if (l >= 2) kadd(k, warden_screen_key(sk, l, ns), name);
}

void warden_screen_index_build(struct warden_screen *s)
{
    void *tl = warden_normalizer_translit_new(s->nz);
    struct kvec k = {0};
    struct warden_norm_name nn;
    uint32_t *last_seen = NULL; /* per token: last name that counted it (df) */
    size_t last_cap = 0;
    for (size_t i = 0; i < s->n_names; i++) {
        struct warden_screen_name_rec *r = &s->names[i];
        warden_normalize_name(s->nz, tl, r->raw, &nn);
        r->legal = nn.legal;
        r->abjad = nn.abjad;
        r->script = nn.script;
        r->qual = nn.qual;
        memcpy(r->legal_init, nn.legal_init, sizeof r->legal_init);
        r->tok0 = (uint32_t)s->n_name_toks;
        r->n_tok = (uint8_t)nn.n;
        /* the name's acronyms: a query "NIOC" finds "National Iranian Oil Company" */
        struct warden_tl at;
        at.n = nn.n;
        at.qual = nn.qual;
        memcpy(at.legal_init, nn.legal_init, sizeof at.legal_init);
        for (int t = 0; t < nn.n; t++) {
            memcpy(at.init[t], nn.init[t], WARDEN_NORM_INIT);
            at.minor[t] = warden_normalizer_is_minor(s->nz, nn.tok[t], nn.len[t]);
        }
        char ak[WARDEN_ACRONYM_KEYS][WARDEN_NORM_TOKLEN];
        int nak = warden_screen_acronym_keys(&at, ak);
        for (int a = 0; a < nak; a++)
            kadd(&k, warden_screen_key(ak[a], strlen(ak[a]), WARDEN_NS_ACRONYM), (uint32_t)i);
        for (int t = 0; t < nn.n; t++) {
            uint32_t id = intern(s, nn.tok[t], nn.len[t]);
            if (s->n_name_toks == s->cap_name_toks) {
                s->cap_name_toks = s->cap_name_toks ? s->cap_name_toks * 2 : 1 << 16;
                s->name_toks = warden_xrealloc(s->name_toks, s->cap_name_toks * sizeof(uint32_t));
                s->name_inits =
                    warden_xrealloc(s->name_inits, s->cap_name_toks * sizeof *s->name_inits);
                s->name_surf =
                    warden_xrealloc(s->name_surf, s->cap_name_toks * sizeof *s->name_surf);
            }
            s->name_surf[s->n_name_toks] =
                nn.surf[t][0] ? warden_arena_strdup(&s->arena, nn.surf[t]) : NULL;
            memcpy(s->name_inits[s->n_name_toks], nn.init[t], WARDEN_NORM_INIT);
            s->name_toks[s->n_name_toks++] = id;
            if (last_cap < s->n_toks) {
                size_t nc = s->cap_toks;
                last_seen = warden_xrealloc(last_seen, nc * sizeof *last_seen);
                for (size_t j = last_cap; j < nc; j++) last_seen[j] = UINT32_MAX;
                last_cap = nc;
            }
            if (last_seen[id] != (uint32_t)i) {
                last_seen[id] = (uint32_t)i;
                s->toks[id].df++;
            }
            fuzzy_keys(&k, nn.tok[t], nn.len[t], (uint32_t)i);
            int ns = nn.abjad ? WARDEN_NS_SKEL_ABJAD : WARDEN_NS_SKEL_LATIN;
            skel_key(&k, nn.tok[t], nn.len[t], ns, (uint32_t)i);
            if (t + 1 < nn.n) {
                char j[WARDEN_NORM_TOKLEN * 2];
                size_t a = nn.len[t], b = nn.len[t + 1];
                memcpy(j, nn.tok[t], a);
                memcpy(j + a, nn.tok[t + 1], b);
                kadd(&k, warden_screen_key(j, a + b, WARDEN_NS_FUZZY), (uint32_t)i);
                skel_key(&k, j, a + b, ns, (uint32_t)i);
            }
        }
    }
    free(last_seen);
    warden_normalizer_translit_free(tl);
    double N = (double)(s->n_names ? s->n_names : 1);
    for (size_t t = 0; t < s->n_toks; t++)
        s->toks[t].weight = (float)log(1.0 + N / (double)(s->toks[t].df ? s->toks[t].df : 1));
    s->max_weight = (float)log(1.0 + N);
    /* sort, dedupe, lay out */
    if (k.n) qsort(k.v, k.n, sizeof *k.v, cmp_kp);
    size_t w = 0;
    for (size_t i = 0; i < k.n; i++)
        if (!w || k.v[i].h != k.v[w - 1].h || k.v[i].name != k.v[w - 1].name) k.v[w++] = k.v[i];
    k.n = w;
    size_t uniq = 0;
    for (size_t i = 0; i < k.n; i++)
        if (!i || k.v[i].h != k.v[i - 1].h) uniq++;
    s->ix_cap = 1024;
    while (s->ix_cap < uniq * 2) s->ix_cap *= 2;
    s->ix = warden_xcalloc(s->ix_cap, sizeof *s->ix);
    s->postings = warden_xmalloc((k.n + 1) * sizeof *s->postings);
    s->n_postings = k.n;
    s->ix_n = uniq;
    for (size_t i = 0; i < k.n;) {
        size_t j = i;
        while (j < k.n && k.v[j].h == k.v[i].h) {
            s->postings[j] = k.v[j].name;
            j++;
        }
        size_t slot = (size_t)k.v[i].h & (s->ix_cap - 1);
        while (s->ix[slot].key) slot = (slot + 1) & (s->ix_cap - 1);
        s->ix[slot] = (struct warden_ix_slot){k.v[i].h, (uint32_t)i, (uint32_t)(j - i)};
        i = j;
    }
    free(k.v);
}

/* warden_screen_postings and warden_screen_prefetch: inline in internal.h */
