/* normalize.c — from a name in any script to comparable core tokens.
 *
 * Pipeline (the same for list names, queries and the data files themselves):
 *   1. Unicode NFKC, case folding and accent stripping (utf8proc);
 *   2. names containing non-Latin letters are transliterated to Latin ASCII
 *      with ICU ("Russian-Latin/BGN; Any-Latin; Latin-ASCII": Cyrillic as
 *      English-language lists write it, Han -> pinyin, Arabic, Greek, Hangul,
 *      kana...). Hangul is split into syllables first, so words of the data
 *      files are found inside names written without spaces. Han characters
 *      have other readings too: alternative forms of the name use their
 *      Korean or Japanese readings (han_readings.tsv; warden_normalize_name_alt).
 *      Names in scripts that do not write every vowel (Arabic, Hebrew, Thai)
 *      are flagged so the matcher also compares consonant skeletons, and
 *      Cyrillic names so it accepts case endings (inflections.tsv);
 *   3. tokens: runs of letters and digits; '.' and apostrophes are dropped
 *      inside tokens ("S.A." -> "sa", "Int'l" -> "intl"), '&' is a token, and
 *      runs of single letters are joined ("U S A" -> "usa"). Words inside
 *      parentheses are marked as qualifiers ("X (Switzerland) AG"); each token
 *      keeps the initials of the words it came from (for acronyms);
 *   4. common words, abbreviations, numbers, places, given names and
 *      translations (terms.tsv, numbers.tsv, places.tsv, given_names.tsv) are
 *      rewritten to one canonical token, also one typo away from a long variant;
 *   5. legal forms (legal_forms.tsv) are removed from the start and end of the
 *      name and remembered as a class bit mask (and their initials);
 *   6. qualifiers are marked: country names (countries.tsv), region and branch
 *      words (qualifiers.tsv) and the place named before a branch word.
 * No language, country or entity is named here: all of that is data. */
#include "screen/internal.h"
#include "screen/normalizer_impl.h"

#include "core/error.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

static int cmp_fuzzy(const void *a, const void *b)
{
    const struct warden_nz_fuzzy *x = a, *y = b;
    return (unsigned char)x->variant[0] - (unsigned char)y->variant[0];
}

void warden_normalizer_fuzzy_buckets(struct warden_normalizer *nz)
{
    if (nz->n_fuzzy) qsort(nz->fuzzy, nz->n_fuzzy, sizeof *nz->fuzzy, cmp_fuzzy);
    size_t j = 0;
    for (int c = 0; c < 256; c++) {
        nz->fz_start[c] = (uint32_t)j;
        while (j < nz->n_fuzzy && (unsigned char)nz->fuzzy[j].variant[0] == c) j++;
    }
    nz->fz_start[256] = (uint32_t)nz->n_fuzzy;
    /* short legal forms (3-6 letters) first in each bucket, the others in
     * their order (the first one-typo match wins in apply_terms) */
    struct warden_nz_fuzzy *tmp = warden_xmalloc((nz->n_fuzzy + 1) * sizeof *tmp);
    for (int c = 0; c < 256; c++) {
        size_t k = 0, b = nz->fz_start[c], e = nz->fz_start[c + 1];
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = b; i < e; i++)
                if ((nz->fuzzy[i].len >= 7) == pass) tmp[k++] = nz->fuzzy[i];
        memcpy(nz->fuzzy + b, tmp, k * sizeof *tmp);
        nz->fz_long[c] = (uint32_t)b;
        while (nz->fz_long[c] < e && nz->fuzzy[nz->fz_long[c]].len < 7) nz->fz_long[c]++;
    }
    free(tmp);
    for (size_t i = 0; i < nz->n_fuzzy; i++)
        nz->fuzzy[i].mask = warden_letter_mask(nz->fuzzy[i].variant, nz->fuzzy[i].len);
}

/* A one-typo look-up of a variant: words of 7 letters or more (shorter: one
 * typo makes another word). With short (legal forms), also single words of 3
 * to 6 letters: those are only looked up by warden_normalizer_legal_typo,
 * which knows the rest of the name matches. */
static void add_fuzzy(struct warden_normalizer *nz, const char *variant, const char *repl,
                      bool short_ok)
{
    size_t l = strlen(variant);
    if (strchr(variant, ' ') || l < (short_ok ? 3 : 7)) return;
    if (l < 7)
        for (const char *c = variant; *c; c++)
            if (*c < 'a' || *c > 'z') return;
    if (nz->n_fuzzy == nz->cap_fuzzy) {
        nz->cap_fuzzy = nz->cap_fuzzy ? nz->cap_fuzzy * 2 : 256;
        nz->fuzzy = warden_xrealloc(nz->fuzzy, nz->cap_fuzzy * sizeof *nz->fuzzy);
    }
    nz->fuzzy[nz->n_fuzzy++] = (struct warden_nz_fuzzy){variant, repl, (uint8_t)l, 0};
}

void *warden_normalizer_translit_new(const struct warden_normalizer *nz)
{
    (void)nz;
    UErrorCode st = U_ZERO_ERROR;
    UParseError pe;
    UChar id[96];
    u_strFromUTF8(id, 96, NULL, "Russian-Latin/BGN; Any-Latin; Latin-ASCII", -1, &st);
    UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, &pe, &st);
    if (U_FAILURE(st)) return NULL;
    return t;
}

void *warden_normalizer_load_translit(const struct warden_normalizer *nz)
{
    return nz->translit;
}

void warden_normalizer_translit_free(void *t)
{
    if (t) utrans_close(t);
}

/* Transliterate UTF-8 in into out (UTF-8). Returns false on failure. */
static bool translit(void *t, const char *in, size_t n, char *out, size_t outlen)
{
    UChar buf[1024];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    if (n > 400) n = 400;
    u_strFromUTF8(buf, 1024, &len, in, (int32_t)n, &st);
    if (U_FAILURE(st)) return false;
    int32_t lim = len;
    utrans_transUChars(t, buf, &len, 1024, 0, &lim, &st);
    if (U_FAILURE(st)) return false;
    int32_t olen = 0;
    u_strToUTF8(out, (int32_t)outlen - 1, &olen, buf, len, &st);
    if (U_FAILURE(st) && st != U_STRING_NOT_TERMINATED_WARNING) return false;
    out[olen] = '\0';
    return true;
}

/* scripts that do not write every vowel: their transliterations are compared
 * by consonant skeleton too (Hebrew, Arabic, Thai) */
static bool is_abjad(utf8proc_int32_t c)
{
    return (c >= 0x590 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) ||
           (c >= 0xFB1D && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF) ||
           (c >= 0xE00 && c <= 0xE7F);
}

static bool is_han(utf8proc_int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF);
}

static bool is_hangul(utf8proc_int32_t c)
{
    return c >= 0xAC00 && c <= 0xD7A3;
}

/* Steps 1-3 into raw tokens. */
enum { RT_QUAL = 1, RT_SYLL = 2, RT_INFL = 4 };
struct rawtok {
    int n;
    char t[WARDEN_NORM_MAX_TOK * 2][WARDEN_NORM_TOKLEN];
    uint8_t len[WARDEN_NORM_MAX_TOK * 2];
    uint8_t flags[WARDEN_NORM_MAX_TOK * 2];
    char init[WARDEN_NORM_MAX_TOK * 2][WARDEN_NORM_INIT];
    char surf[WARDEN_NORM_MAX_TOK * 2][WARDEN_NORM_TOKLEN]; /* words before rewriting, or "" */
};

static void settok(struct rawtok *rt, int i, const char *t, size_t l, uint8_t flags,
                   const char *init)
{
    if (l >= WARDEN_NORM_TOKLEN) l = WARDEN_NORM_TOKLEN - 1;
    memcpy(rt->t[i], t, l);
    rt->t[i][l] = '\0';
    rt->len[i] = (uint8_t)l;
    rt->flags[i] = flags;
    rt->surf[i][0] = '\0';
    snprintf(rt->init[i], WARDEN_NORM_INIT, "%s", init);
}

static void tokenize(const char *s, struct rawtok *rt, bool drop_nonascii, uint8_t flags)
{
    rt->n = 0;
    int cur = -1, depth = 0;
    size_t cl = 0;
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        unsigned char c = *p;
        bool alnum = c && (isalnum(c) || c >= 0x80);
        bool joiner = c == '.' || c == '\'' || c == '`' || (drop_nonascii && c >= 0x80);
        if (drop_nonascii && c >= 0x80) alnum = false;
        if (alnum) {
            if (cur < 0) {
                if (rt->n >= WARDEN_NORM_MAX_TOK * 2) break;
                cur = rt->n++;
                cl = 0;
                rt->flags[cur] = (uint8_t)(flags | (depth > 0 ? RT_QUAL : 0));
            }
            if (cl + 1 < WARDEN_NORM_TOKLEN) rt->t[cur][cl++] = (char)tolower(c);
            continue;
        }
        if (joiner && cur >= 0) continue; /* stays in the token */
        if (cur >= 0) {
            rt->t[cur][cl] = '\0';
            rt->len[cur] = (uint8_t)cl;
            rt->init[cur][0] = rt->t[cur][0];
            rt->init[cur][1] = '\0';
            rt->surf[cur][0] = '\0';
            cur = -1;
        }
        if (!c) break;
        if (c == '(' || c == '[') depth++;
        if ((c == ')' || c == ']') && depth > 0) depth--;
        if (c == '&' && rt->n < WARDEN_NORM_MAX_TOK * 2) {
            settok(rt, rt->n, "&", 1, (uint8_t)(flags | (depth > 0 ? RT_QUAL : 0)), "&");
            rt->n++;
        }
    }
    /* join runs of single letters: "u s a" -> "usa" */
    int w = 0;
    for (int i = 0; i < rt->n;) {
        int j = i;
        while (j < rt->n && rt->len[j] == 1 && isalpha((unsigned char)rt->t[j][0])) j++;
        if (j - i >= 2) {
            char buf[WARDEN_NORM_TOKLEN];
            int k = 0;
            for (int m = i; m < j && k + 1 < WARDEN_NORM_TOKLEN; m++) buf[k++] = rt->t[m][0];
            buf[k] = '\0';
            char in[2] = {buf[0], 0};
            settok(rt, w++, buf, (size_t)k, rt->flags[i], in);
            i = j;
        } else {
            if (w != i) settok(rt, w, rt->t[i], rt->len[i], rt->flags[i], rt->init[i]);
            w++;
            i++;
        }
    }
    rt->n = w;
}

/* the readings of one Han character (alt 1: Korean, 2: Japanese), or NULL */
static const char *han_reading(const struct warden_normalizer *nz, const char *ch, size_t n,
                               int alt)
{
    const uint32_t *v = warden_smap_get(&nz->han, ch, n);
    if (!v) return NULL;
    const char *r = nz->han_read[*v][alt - 1];
    return r && *r ? r : NULL;
}

/* The longest name word (ja_names.tsv: two to WARDEN_NZ_NAME_CHARS characters,
 * kept in the table of Han readings with a Japanese reading only) at p: its
 * length in bytes and its reading in *r, or 0. */
static size_t name_word(const struct warden_normalizer *nz, const utf8proc_uint8_t *p,
                        utf8proc_ssize_t n, const char **r)
{
    size_t end[WARDEN_NZ_NAME_CHARS + 1];
    int nc = 0;
    utf8proc_ssize_t o = 0;
    while (nc < WARDEN_NZ_NAME_CHARS && o < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p + o, n - o, &c);
        if (k <= 0 || c < 0x3000) break; /* words are written in Han characters and kana */
        o += k;
        end[++nc] = (size_t)o;
    }
    for (int m = nc; m >= 2; m--) {
        const uint32_t *v = warden_smap_get(&nz->han, (const char *)p, end[m]);
        if (v && nz->han_read[*v][1][0]) {
            *r = nz->han_read[*v][1];
            return end[m];
        }
    }
    return 0;
}

/* Steps 1-3: unicode folding, transliteration, tokens. alt > 0 writes Han
 * characters with their other readings; returns false when there is no such
 * alternative (no Han character with a reading). */
static bool prepare(const struct warden_normalizer *nz, void *tl, const char *name,
                    struct rawtok *rt, uint8_t *script, int alt)
{
    *script = 0;
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p >= 0x80) {
            ascii = false;
            break;
        }
    if (ascii) {
        if (alt) return false;
        tokenize(name, rt, false, 0);
        return true;
    }
    /* folded into a buffer on the stack (re-encoded in place, as utf8proc_map
     * does in the one it allocates); a name too long for it takes that path */
    const utf8proc_option_t fold = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                   UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                   UTF8PROC_IGNORE;
    utf8proc_int32_t cps[512];
    utf8proc_uint8_t *folded = (utf8proc_uint8_t *)cps, *heap = NULL;
    utf8proc_ssize_t fl = utf8proc_decompose((const utf8proc_uint8_t *)name, 0, cps, 512, fold);
    if (fl >= 0 && fl <= 512)
        fl = utf8proc_reencode(cps, fl, fold);
    else if (fl > 512 && (fl = utf8proc_map((const utf8proc_uint8_t *)name, 0, &heap, fold)) >= 0)
        folded = heap;
    if (fl < 0) {
        free(heap);
        if (alt) return false;
        tokenize(name, rt, false, 0);
        return true;
    }
    /* pre-pass: script flags, Hangul syllables apart, Han readings for alt */
    char pre[1600];
    size_t pk = 0;
    bool nonlatin = false, syll = false, any_alt = false;
    utf8proc_int32_t prev = 0;
    for (utf8proc_ssize_t i = 0; i < fl;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(folded + i, fl - i, &c);
        if (k <= 0) break;
        const char *r = NULL;
        if (c >= 0x250) {
            utf8proc_category_t cat = utf8proc_category(c);
            if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
                nonlatin = true;
                *script |= WARDEN_SCRIPT_OTHER;
            }
            if (is_abjad(c)) *script |= WARDEN_SCRIPT_ABJAD;
            if (c >= 0x400 && c <= 0x4FF) *script |= WARDEN_SCRIPT_INFLECT;
            if (is_hangul(c)) *script |= WARDEN_SCRIPT_HANGUL;
            if (is_hangul(c) || is_han(c)) syll = true;
            /* a Japanese name word read as a whole (三菱 = Mitsubishi), longest first */
            if (alt == 2 && is_han(c)) {
                size_t wl = name_word(nz, folded + i, fl - i, &r);
                if (wl) {
                    utf8proc_ssize_t e = i + (utf8proc_ssize_t)wl;
                    while (i < e && (k = utf8proc_iterate(folded + i, e - i, &prev)) > 0) i += k;
                    if (pk + strlen(r) + 3 >= sizeof pre) break;
                    any_alt = true;
                    pk += (size_t)snprintf(pre + pk, sizeof pre - pk, " %s ", r);
                    continue;
                }
            }
            if (alt && is_han(c)) r = han_reading(nz, (const char *)folded + i, (size_t)k, alt);
        }
        if (pk + 24 >= sizeof pre) break;
        if (r) {
            any_alt = true;
            pk += (size_t)snprintf(pre + pk, sizeof pre - pk, " %s ", r);
        } else {
            if (is_hangul(c) && is_hangul(prev)) pre[pk++] = ' ';
            memcpy(pre + pk, folded + i, (size_t)k);
            pk += (size_t)k;
        }
        prev = c;
        i += k;
    }
    pre[pk] = '\0';
    free(heap);
    if (alt && !any_alt) return false;
    char out[1600];
    bool done = false;
    /* Latin with marks already stripped also goes through ICU: Latin-ASCII maps
     * ligatures and special letters (ß, ø, ł) */
    void *t = tl, *own = NULL;
    if (!t) t = own = warden_normalizer_translit_new(nz);
    if (t && translit(t, pre, pk, out, sizeof out)) done = true;
    warden_normalizer_translit_free(own);
    if (done) {
        /* ICU writes a small kana after i as "~" ("キョ" -> "ki~yo"): "kyo" */
        size_t w = 0;
        for (size_t r = 0; out[r]; r++) {
            if (out[r] == 'i' && out[r + 1] == '~' && out[r + 2] == 'y') r += 2;
            if (out[r] != '~') out[w++] = out[r];
        }
        out[w] = '\0';
    }
    (void)nonlatin;
    /* ICU output may keep case and marks: fold again cheaply (ASCII). */
    tokenize(done ? out : pre, rt, done,
             (uint8_t)((syll ? RT_SYLL : 0) | (*script & WARDEN_SCRIPT_INFLECT ? RT_INFL : 0)));
    return true;
}

static void phrase(const struct rawtok *rt, int i, int n, char *buf, size_t cap)
{
    size_t k = 0;
    for (int m = i; m < i + n; m++) {
        size_t l = rt->len[m];
        if (k + l + 2 > cap) break;
        if (m > i) buf[k++] = ' ';
        memcpy(buf + k, rt->t[m], l);
        k += l;
    }
    buf[k] = '\0';
}

/* the same words joined without spaces ("tong xun" -> "tongxun") */
static void phrase_joined(const struct rawtok *rt, int i, int n, char *buf, size_t cap)
{
    size_t k = 0;
    for (int m = i; m < i + n; m++) {
        size_t l = rt->len[m];
        if (k + l + 1 > cap) break;
        memcpy(buf + k, rt->t[m], l);
        k += l;
    }
    buf[k] = '\0';
}

/* Is the phrase of n words at i a legal form? Its classes (bit mask) into *cls. */
static bool legal_phrase(const struct warden_normalizer *nz, const struct rawtok *rt, int i, int n,
                         uint32_t *cls)
{
    char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    if (n > 1 && !warden_smap_get(&nz->legal_first, rt->t[i], rt->len[i])) return false;
    phrase(rt, i, n, buf, sizeof buf);
    const uint32_t *v = warden_smap_get(&nz->legal, buf, strlen(buf));
    if (v) *cls = *v;
    return v != NULL;
}

/* Longest legal-form phrase at position i going forward; returns its length. */
static int legal_at(const struct warden_normalizer *nz, const struct rawtok *rt, int i, int end,
                    uint32_t *cls)
{
    char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    int maxlen = warden_smap_get(&nz->legal_first, rt->t[i], rt->len[i]) ? nz->legal_maxlen : 1;
    for (int n = maxlen; n >= 1; n--) {
        if (i + n > end) continue;
        phrase(rt, i, n, buf, sizeof buf);
        const uint32_t *v = warden_smap_get(&nz->legal, buf, strlen(buf));
        if (v) {
            *cls = *v;
            return n;
        }
    }
    return 0;
}

/* one of 4,096 bits for a word's first (or last) three letters */
static unsigned trigram_bit(const char *t)
{
    return ((unsigned char)t[0] * 961u + (unsigned char)t[1] * 31u + (unsigned char)t[2]) & 4095u;
}

static void first_words(struct warden_normalizer *nz, const struct warden_smap *m,
                        struct warden_smap *first)
{
    warden_smap_fini(first);
    warden_smap_init(first);
    for (size_t i = 0; i < m->cap; i++) {
        const char *k = m->keys[i];
        if (!k) continue;
        size_t n = strcspn(k, " ");
        if (!k[n]) continue;
        bool found;
        warden_smap_put(first, warden_arena_strndup(&nz->arena, k, n), &found);
    }
}

void warden_normalizer_index_phrases(struct warden_normalizer *nz)
{
    first_words(nz, &nz->terms, &nz->terms_first);
    first_words(nz, &nz->qual, &nz->qual_first);
    first_words(nz, &nz->legal, &nz->legal_first);
    memset(nz->legal_head, 0, sizeof nz->legal_head);
    memset(nz->legal_tail, 0, sizeof nz->legal_tail);
    for (size_t i = 0; i < nz->legal.cap; i++) {
        const char *k = nz->legal.keys[i];
        size_t l = k ? strlen(k) : 0;
        if (l < 3 || strchr(k, ' ')) continue;
        unsigned h = trigram_bit(k), t = trigram_bit(k + l - 3);
        nz->legal_head[h >> 6] |= 1ull << (h & 63);
        nz->legal_tail[t >> 6] |= 1ull << (t & 63);
    }
}

/* a data-file phrase (terms, qualifiers) starting at i: its value, words used
 * in *used. first: the first words of m's multi-word phrases. */
static const uint32_t *phrase_at(const struct warden_smap *m, const struct warden_smap *first,
                                 int maxlen, const struct rawtok *in, int i, int *used)
{
    char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    /* Han and Hangul syllables may spell a word joined; else a phrase needs its first word */
    if (!(in->flags[i] & RT_SYLL) && !warden_smap_get(first, in->t[i], in->len[i])) maxlen = 1;
    for (int n = maxlen; n >= 1; n--) {
        if (i + n > in->n) continue;
        phrase(in, i, n, buf, sizeof buf);
        const uint32_t *v = warden_smap_get(m, buf, strlen(buf));
        if (!v && n > 1 && (in->flags[i] & RT_SYLL)) {
            phrase_joined(in, i, n, buf, sizeof buf);
            v = warden_smap_get(m, buf, strlen(buf));
        }
        if (v) {
            *used = n;
            return v;
        }
    }
    return NULL;
}

/* Step 4 before step 5: common words rewritten to canonical tokens (also one
 * typo away from a long variant), so legal forms are recognised in any spelling. */
static void apply_terms(const struct warden_normalizer *nz, const struct rawtok *in,
                        struct rawtok *out)
{
    out->n = 0;
    for (int i = 0; i < in->n && out->n < WARDEN_NORM_MAX_TOK * 2;) {
        int used = 1;
        const char *tok = in->t[i];
        const uint32_t *v = phrase_at(&nz->terms, &nz->terms_first, nz->terms_maxlen, in, i, &used);
        if (!v && (in->flags[i] & RT_INFL)) { /* "kontsernom": the stem of "kontsern" */
            size_t sl = warden_normalizer_stem(nz, in->t[i], in->len[i]);
            v = warden_smap_get(&nz->stems, in->t[i], sl);
            /* "kontsernom": a term written without an ending ("kontsern") is its own stem */
            if (!v && sl < in->len[i]) v = warden_smap_get(&nz->terms, in->t[i], sl);
        }
        if (v) tok = nz->canon[*v];
        if (!v && in->len[i] >= 6 && !warden_smap_get(&nz->legal, in->t[i], in->len[i])) {
            unsigned char c0 = (unsigned char)in->t[i][0];
            uint32_t tm = warden_letter_mask(in->t[i], in->len[i]);
            /* (the short legal forms before fz_long: warden_normalizer_legal_typo only) */
            for (size_t f = nz->fz_long[c0]; f < nz->fz_start[c0 + 1]; f++) {
                const struct warden_nz_fuzzy *z = &nz->fuzzy[f];
                int d = (int)z->len - (int)in->len[i];
                if (d > 1 || d < -1) continue;
                /* two letters one lacks are two edits */
                if (warden_popcount32(tm & ~z->mask) > 1 || warden_popcount32(z->mask & ~tm) > 1)
                    continue;
                if (warden_osa_distance(in->t[i], in->len[i], z->variant, z->len, 1) <= 1) {
                    tok = z->repl;
                    break;
                }
            }
        }
        char init[WARDEN_NORM_INIT];
        size_t k = 0;
        uint8_t fl = 0;
        for (int m = i; m < i + used; m++) {
            fl |= in->flags[m];
            /* connecting words inside a phrase give no initial ("Republic of Iran") */
            if (used > 1 && warden_smap_get(&nz->stop, in->t[m], in->len[m])) continue;
            for (const char *c = in->init[m]; *c && k + 1 < sizeof init; c++) init[k++] = *c;
        }
        init[k] = '\0';
        settok(out, out->n, tok, strlen(tok), fl, init);
        if (used > 1 || strcmp(tok, in->t[i]) != 0) /* rewritten: keep the words too */
            phrase_joined(in, i, used, out->surf[out->n], WARDEN_NORM_TOKLEN);
        out->n++;
        i += used;
    }
}

/* Step 6: qualifier words and country names; a branch word also makes the
 * place before it ("London Branch") and after "in" a qualifier. */
static void mark_qualifiers(const struct warden_normalizer *nz, struct rawtok *rt)
{
    for (int i = 0; i < rt->n;) {
        int used = 1;
        const uint32_t *v = phrase_at(&nz->qual, &nz->qual_first, nz->qual_maxlen, rt, i, &used);
        if (v) {
            for (int m = i; m < i + used; m++) rt->flags[m] |= RT_QUAL;
            if (*v == WARDEN_QUAL_BRANCH) {
                if (i > 0) rt->flags[i - 1] |= RT_QUAL;
                int j = i + used;
                if (j + 1 < rt->n && warden_smap_get(&nz->stop, rt->t[j], rt->len[j]))
                    rt->flags[j] |= RT_QUAL, rt->flags[j + 1] |= RT_QUAL;
            }
            i += used;
            continue;
        }
        char key[WARDEN_NORM_TOKLEN];
        size_t k = 0;
        for (const char *c = rt->t[i]; *c; c++)
            if (*c != '_') key[k++] = *c;
        key[k] = '\0';
        if (k >= 3 && warden_smap_get(&nz->countries, key, k)) rt->flags[i] |= RT_QUAL;
        i++;
    }
}

static void finish_tokens(const struct warden_normalizer *nz, struct rawtok *rt, bool strip_legal,
                          struct warden_norm_name *out)
{
    int b = 0, e = rt->n;
    out->legal = 0;
    out->legal_init[0] = '\0';
    if (strip_legal && nz->n_classes) {
        /* from the end */
        for (bool again = true; again && e - b > 1;) {
            again = false;
            for (int n = nz->legal_maxlen < e - b - 1 ? nz->legal_maxlen : e - b - 1; n >= 1; n--) {
                uint32_t cls = 0;
                if (legal_phrase(nz, rt, e - n, n, &cls)) {
                    out->legal |= cls;
                    e -= n;
                    again = true;
                    break;
                }
            }
        }
        /* initials of the legal words removed from the end ("company" -> "c") */
        size_t k = 0;
        for (int i = e; i < rt->n && k + 1 < WARDEN_NORM_INIT; i++) {
            /* a short form is spelt in full in acronyms ("PDVSA": Petroleos de Venezuela SA) */
            const char *c = rt->len[i] <= 3 && !rt->surf[i][0] ? rt->t[i] : rt->init[i];
            for (; *c && k + 1 < WARDEN_NORM_INIT; c++) out->legal_init[k++] = *c;
        }
        out->legal_init[k] = '\0';
        /* from the start */
        for (bool again = true; again && e - b > 1;) {
            again = false;
            uint32_t cls = 0;
            int n = legal_at(nz, rt, b, e - 1, &cls);
            if (n > 0) {
                out->legal |= cls;
                b += n;
                again = true;
            }
        }
    }
    out->n = 0;
    out->qual = 0;
    for (int i = b; i < e && out->n < WARDEN_NORM_MAX_TOK; i++) {
        memcpy(out->tok[out->n], rt->t[i], (size_t)rt->len[i] + 1);
        out->len[out->n] = rt->len[i];
        memcpy(out->init[out->n], rt->init[i], WARDEN_NORM_INIT);
        memcpy(out->surf[out->n], rt->surf[i], strlen(rt->surf[i]) + 1);
        if (rt->flags[i] & RT_QUAL) out->qual |= 1u << out->n;
        out->n++;
    }
    /* a name that is nothing but qualifiers is its own core */
    if (out->n && out->qual == (1u << out->n) - 1) out->qual = 0;
}

static bool normalize(const struct warden_normalizer *nz, void *tl, const char *name,
                      struct warden_norm_name *out, int alt)
{
    struct rawtok rt, rt2;
    uint8_t script;
    if (!prepare(nz, tl, name, &rt, &script, alt)) return false;
    out->script = script;
    out->abjad = (script & WARDEN_SCRIPT_ABJAD) != 0;
    apply_terms(nz, &rt, &rt2);
    mark_qualifiers(nz, &rt2);
    finish_tokens(nz, &rt2, true, out);
    return true;
}

void warden_normalize_name(const struct warden_normalizer *nz, void *tl, const char *name,
                           struct warden_norm_name *out)
{
    /* a name that cannot be prepared (not UTF-8, too long) is the empty name */
    if (!normalize(nz, tl, name, out, 0)) memset(out, 0, sizeof *out);
}

bool warden_normalize_name_alt(const struct warden_normalizer *nz, void *tl, const char *name,
                               int alt, struct warden_norm_name *out)
{
    if (alt < 1 || alt > 2 || !nz->n_han) return false;
    /* only a name that may hold Han characters is folded again: the lead
     * bytes of U+2E80-U+9FFF (with the radicals NFKC maps to Han), of the
     * compatibility ideographs U+F900- and of the supplementary planes */
    bool han = false;
    for (const unsigned char *p = (const unsigned char *)name; *p && !han; p++)
        han = (*p >= 0xE2 && *p <= 0xE9) || *p == 0xEF || *p == 0xF0;
    return han && normalize(nz, tl, name, out, alt);
}

size_t warden_skeleton(const char *t, size_t n, char *out, size_t outlen)
{
    /* letters a transliteration may or may not write: vowels, y, w */
    static const unsigned char drop[256] = {
        ['a'] = 1, ['e'] = 1, ['i'] = 1, ['o'] = 1, ['u'] = 1, ['y'] = 1, ['w'] = 1, [' '] = 1};
    /* one sound that transliteration systems write with different letters:
     * c, q and k (and kh, ch, ck: Ростех = Rostekh = Rostec); x and ks; p and f (ph;
     * Hebrew and Persian write one letter for both: רפאל = Rafael) */
    static const unsigned char same[256] = {['c'] = 'k', ['q'] = 'k', ['p'] = 'f'};
    size_t k = 0;
    char prev = 0;
    for (size_t i = 0; i < n && k + 1 < outlen; i++) {
        char c = t[i];
        if (drop[(unsigned char)c]) continue;
        if (c == 'h' && i && (t[i - 1] == 'k' || t[i - 1] == 'c' || t[i - 1] == 'p'))
            continue;   /* kh, ch, ph */
        if (c == 'x') { /* x is ks (Яндекс = Yandeks = Yandex) */
            if (prev != 'k' && k + 2 < outlen) out[k++] = 'k';
            c = 's';
        }
        if (same[(unsigned char)c]) c = (char)same[(unsigned char)c];
        if (c == prev) continue;
        out[k++] = c;
        prev = c;
    }
    out[k] = '\0';
    return k;
}

size_t warden_korean_key(const char *t, size_t n, char *out, size_t outlen)
{
    /* one letter per sound class; vowels, y and w are left out (eo, o, ŏ;
     * eu, u, ŭ; ae, ai are the same vowels written differently) */
    static const unsigned char cls[256] = {
        ['g'] = 'k', ['k'] = 'k', ['q'] = 'k', ['c'] = 'k', ['d'] = 't', ['t'] = 't', ['b'] = 'p',
        ['p'] = 'p', ['f'] = 'p', ['j'] = 'j', ['r'] = 'l', ['l'] = 'l', ['s'] = 's', ['m'] = 'm',
        ['n'] = 'n', ['h'] = 'h', ['x'] = 's', ['z'] = 'j', ['v'] = 'p'};
    size_t k = 0;
    char prev = 0;
    for (size_t i = 0; i < n && k + 1 < outlen; i++) {
        unsigned char c = (unsigned char)t[i];
        char o = (char)cls[c];
        if (c == 'c' && i + 1 < n && t[i + 1] == 'h')
            o = 'j', i++; /* ch (McCune-Reischauer j) */
        else if (c == 'h' && prev && prev != 'h')
            continue; /* kh, th, ph, sh: aspiration */
        if (!o) continue;
        if (o == prev) continue; /* kk, tt, pp, ss, jj: tense consonants */
        out[k++] = o;
        prev = o;
    }
    out[k] = '\0';
    return k;
}

/* ---- data files ---- */

static char *next_field(char **p)
{
    char *s = *p;
    if (!s) return NULL;
    char *t = strchr(s, '\t');
    if (t) {
        *t = '\0';
        *p = t + 1;
    } else {
        *p = NULL;
    }
    return s;
}

/* Normalise a data-file variant into a phrase (raw tokens joined by ' '). */
static int variant_phrase(struct warden_normalizer *nz, const char *v, char *buf, size_t cap,
                          bool with_terms)
{
    struct rawtok rt0, rt;
    uint8_t script;
    if (!prepare(nz, nz->translit, v, &rt0, &script, 0)) return 0;
    if (with_terms)
        apply_terms(nz, &rt0, &rt);
    else
        rt = rt0;
    if (rt.n == 0) return 0;
    phrase(&rt, 0, rt.n < PHRASE_MAX ? rt.n : PHRASE_MAX, buf, cap);
    return rt.n < PHRASE_MAX ? rt.n : PHRASE_MAX;
}

typedef int (*line_fn)(struct warden_normalizer *nz, char *line, char *err, size_t errlen);

static int read_lines(struct warden_normalizer *nz, const char *path, line_fn fn, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long ln = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ln++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n == 0 || line[0] == '#') continue;
        char why[128] = "";
        if (fn(nz, line, why, sizeof why) < 0) {
            snprintf(err, errlen, "%s:%ld: %s", path, ln, why);
            rc = WARDEN_EPARSE;
            break;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

/* an arena copy of a phrase without its spaces ("tong xun" -> "tongxun") */
static const char *joined_copy(struct warden_normalizer *nz, const char *phrase)
{
    char j[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    size_t k = 0;
    for (const char *c = phrase; *c && k + 1 < sizeof j; c++)
        if (*c != ' ') j[k++] = *c;
    j[k] = '\0';
    return warden_arena_strdup(&nz->arena, j);
}

/* Each tab-separated variant of p, normalised (with terms), into m with value
 * val; the longest phrase in *maxlen; one-typo look-ups too when fuzzy. */
/* val: the variants' value; with fuzzy (legal forms) a bit mask, and a
 * variant of several rows takes each row's bit (株式会社 is written "Co.,
 * Ltd." and "Corporation") */
static void put_variants(struct warden_normalizer *nz, char *p, struct warden_smap *m, uint32_t val,
                         int *maxlen, bool fuzzy)
{
    char *v;
    while ((v = next_field(&p))) {
        char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
        int nt = variant_phrase(nz, v, buf, sizeof buf, true);
        if (!nt) continue;
        bool found;
        const char *key = warden_arena_strdup(&nz->arena, buf);
        uint32_t *slot = warden_smap_put(m, key, &found);
        if (!found) {
            *slot = val;
            if (fuzzy) add_fuzzy(nz, key, key, true);
        } else if (fuzzy) {
            *slot |= val;
        }
        /* a legal form of several words written joined ("sdnbhd", "spzoo",
         * "aktsionernoeobshchestvo") is that form too */
        if (fuzzy && strchr(key, ' ')) {
            uint32_t sv = *slot; /* (the put below may move the slots) */
            const char *jk = joined_copy(nz, key);
            uint32_t *js = warden_smap_put(m, jk, &found);
            *js = found ? *js | sv : sv;
            if (!found) add_fuzzy(nz, jk, jk, false);
        }
        /* each long word of a phrase too: "sociedad anonmia" is still "sociedad anonima" */
        for (const char *w = key; fuzzy && strchr(key, ' ') && *w;) {
            size_t l = strcspn(w, " ");
            if (l >= 7) {
                const char *word = warden_arena_strndup(&nz->arena, w, l);
                add_fuzzy(nz, word, word, false);
            }
            w += l;
            while (*w == ' ') w++;
        }
        if (nt > *maxlen) *maxlen = nt;
    }
}

/* A word of two Han characters or more read as a whole in Japanese readings
 * (name_word): a Japanese name word, or a legal form written in Han. The
 * first entry of a word is kept. */
static void han_word(struct warden_normalizer *nz, const char *w, const char *latin)
{
    if (nz->n_han == nz->cap_han) {
        nz->cap_han = nz->cap_han ? nz->cap_han * 2 : 4096;
        nz->han_read = warden_xrealloc(nz->han_read, nz->cap_han * sizeof *nz->han_read);
    }
    bool found;
    uint32_t *slot = warden_smap_put(&nz->han, warden_arena_strdup(&nz->arena, w), &found);
    if (found) return;
    *slot = (uint32_t)nz->n_han;
    nz->han_read[nz->n_han][0] = "";
    nz->han_read[nz->n_han][1] = warden_arena_strdup(&nz->arena, latin);
    nz->n_han++;
}

static int legal_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *cls = next_field(&p);
    if (!p) {
        snprintf(err, errlen, "expected CLASS<TAB>variant...");
        return WARDEN_EPARSE;
    }
    if (nz->n_classes >= MAX_CLASSES) {
        snprintf(err, errlen, "more than %d classes", MAX_CLASSES);
        return WARDEN_EPARSE;
    }
    int ci = nz->n_classes++;
    nz->classes[ci] = warden_arena_strdup(&nz->arena, cls);
    /* a form written in Han characters (株式会社, 有限会社) is read as it is
     * written in a name's Japanese reading too, not character by character
     * ("kabu shiki kai sha"), so that the reading removes it as a form */
    for (const char *v = p; v && *v;) {
        const char *e = strchr(v, '\t');
        size_t n = e ? (size_t)(e - v) : strlen(v);
        bool han = n >= 6;
        for (size_t i = 0; i < n && han; i++) han = (unsigned char)v[i] >= 0x80;
        if (han && n < 64) {
            char w[64];
            memcpy(w, v, n);
            w[n] = '\0';
            han_word(nz, w, w);
        }
        v = e ? e + 1 : NULL;
    }
    put_variants(nz, p, &nz->legal, 1u << ci, &nz->legal_maxlen, true);
    return 0;
}

static int terms_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *canon = next_field(&p);
    if (!canon || !*canon) {
        snprintf(err, errlen, "expected CANON<TAB>variant...");
        return WARDEN_EPARSE;
    }
    char cbuf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    if (!variant_phrase(nz, canon, cbuf, sizeof cbuf, false)) return 0;
    /* the canonical token is one token: spaces become '_' */
    for (char *c = cbuf; *c; c++)
        if (*c == ' ') *c = '_';
    if (nz->n_canon == nz->cap_canon) {
        nz->cap_canon = nz->cap_canon ? nz->cap_canon * 2 : 64;
        nz->canon = warden_xrealloc(nz->canon, nz->cap_canon * sizeof *nz->canon);
    }
    uint32_t ci = (uint32_t)nz->n_canon++;
    nz->canon[ci] = warden_arena_strdup(&nz->arena, cbuf);
    char *v = canon;
    do {
        char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
        int nt = variant_phrase(nz, v, buf, sizeof buf, false);
        if (!nt) continue;
        bool found;
        const char *key = warden_arena_strdup(&nz->arena, buf);
        uint32_t *slot = warden_smap_put(&nz->terms, key, &found);
        if (!found) {
            *slot = ci;
            /* a truncation of the word ("internat" for "international") is
             * no word to misspell: one letter from it is another word
             * ("internet") */
            size_t kl = strlen(key), cl = strlen(nz->canon[ci]);
            if (!(kl < cl && memcmp(key, nz->canon[ci], kl) == 0))
                add_fuzzy(nz, key, nz->canon[ci], false);
        }
        if (nt > nz->terms_maxlen) nz->terms_maxlen = nt;
        /* a Cyrillic word is found with its case endings too: its stem is a key */
        bool cyr = false;
        for (const unsigned char *c = (const unsigned char *)v; *c; c++)
            cyr |= *c == 0xD0 || *c == 0xD1;
        if (cyr && nt == 1 && nz->n_suffixes) {
            size_t sl = warden_normalizer_stem(nz, buf, strlen(buf));
            if (sl < strlen(buf)) {
                const char *sk = warden_arena_strndup(&nz->arena, buf, sl);
                slot = warden_smap_put(&nz->stems, sk, &found);
                if (!found) *slot = ci;
            }
        }
        /* a variant in a non-Latin script transliterates to syllables ("tong xun");
         * names romanised by people write them joined ("tongxun"): accept both */
        bool nonlatin = false;
        for (const unsigned char *c = (const unsigned char *)v; *c; c++) nonlatin |= *c >= 0xC9;
        if (nonlatin && nt > 1) {
            const char *jk = joined_copy(nz, buf);
            slot = warden_smap_put(&nz->terms, jk, &found);
            if (!found) *slot = ci;
        }
    } while ((v = next_field(&p)));
    return 0;
}

static void country_key(const struct warden_normalizer *nz, void *tl, const char *text, size_t n,
                        char *key, size_t cap)
{
    char tmp[256];
    if (n >= sizeof tmp) n = sizeof tmp - 1;
    memcpy(tmp, text, n);
    tmp[n] = '\0';
    struct rawtok rt;
    uint8_t script;
    prepare(nz, tl, tmp, &rt, &script, 0);
    size_t k = 0;
    for (int i = 0; i < rt.n; i++) {
        size_t l = rt.len[i];
        if (k + l + 1 >= cap) break;
        memcpy(key + k, rt.t[i], l);
        k += l;
    }
    key[k] = '\0';
}

static int stop_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    if (variant_phrase(nz, line, buf, sizeof buf, false) != 1) return 0; /* single words */
    bool found;
    warden_smap_put(&nz->stop, warden_arena_strdup(&nz->arena, buf), &found);
    return 0;
}

static int country_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *code = next_field(&p);
    if (!code || strlen(code) != 2 || !p) {
        snprintf(err, errlen, "expected CODE<TAB>name...");
        return WARDEN_EPARSE;
    }
    if (nz->n_codes == nz->cap_codes) {
        nz->cap_codes = nz->cap_codes ? nz->cap_codes * 2 : 256;
        nz->codes = warden_xrealloc(nz->codes, nz->cap_codes * sizeof *nz->codes);
    }
    uint32_t ci = (uint32_t)nz->n_codes++;
    nz->codes[ci][0] = (char)toupper((unsigned char)code[0]);
    nz->codes[ci][1] = (char)toupper((unsigned char)code[1]);
    nz->codes[ci][2] = '\0';
    char key[256];
    char lc[3] = {(char)tolower((unsigned char)code[0]), (char)tolower((unsigned char)code[1]), 0};
    bool found;
    uint32_t *slot = warden_smap_put(&nz->countries, warden_arena_strdup(&nz->arena, lc), &found);
    if (!found) *slot = ci;
    char *v;
    while ((v = next_field(&p))) {
        country_key(nz, nz->translit, v, strlen(v), key, sizeof key);
        if (!*key) continue;
        slot = warden_smap_put(&nz->countries, warden_arena_strdup(&nz->arena, key), &found);
        if (!found) *slot = ci;
    }
    return 0;
}

bool warden_normalizer_country(const struct warden_normalizer *nz, void *tl, const char *text,
                               size_t n, char cc[3])
{
    char key[256];
    country_key(nz, tl, text, n, key, sizeof key);
    const uint32_t *v = warden_smap_get(&nz->countries, key, strlen(key));
    if (!v) return false;
    memcpy(cc, nz->codes[*v], 3);
    return true;
}

/* qualifiers.tsv: CLASS<TAB>variant... with CLASS region or branch */
static int qual_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *cls = next_field(&p);
    uint32_t c = cls && strcmp(cls, "branch") == 0   ? WARDEN_QUAL_BRANCH
                 : cls && strcmp(cls, "region") == 0 ? WARDEN_QUAL_REGION
                                                     : 0;
    if (!c || !p) {
        snprintf(err, errlen, "expected region|branch<TAB>variant...");
        return WARDEN_EPARSE;
    }
    put_variants(nz, p, &nz->qual, c, &nz->qual_maxlen, false);
    return 0;
}

/* articles.tsv: one article prefix per line ("al", "el") */
static int article_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    if (variant_phrase(nz, line, buf, sizeof buf, false) != 1) return 0;
    bool found;
    warden_smap_put(&nz->articles, warden_arena_strdup(&nz->arena, buf), &found);
    return 0;
}

/* inflections.tsv: one ending per line, as transliterated ("ogo", "ami") */
static int suffix_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char buf[WARDEN_NORM_TOKLEN * PHRASE_MAX + PHRASE_MAX];
    if (variant_phrase(nz, line, buf, sizeof buf, false) != 1) return 0;
    if (nz->n_suffixes == WARDEN_NZ_MAX_SUFFIXES) {
        snprintf(err, errlen, "more than %d endings", WARDEN_NZ_MAX_SUFFIXES);
        return WARDEN_EPARSE;
    }
    nz->suffixes[nz->n_suffixes++] = warden_arena_strdup(&nz->arena, buf);
    return 0;
}

/* han_readings.tsv: CHAR<TAB>korean<TAB>japanese (romanised) */
static int han_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *ch = next_field(&p), *ko = next_field(&p), *ja = next_field(&p);
    if (!ch || !ko || !ja) {
        snprintf(err, errlen, "expected CHAR<TAB>korean<TAB>japanese");
        return WARDEN_EPARSE;
    }
    if (nz->n_han == nz->cap_han) {
        nz->cap_han = nz->cap_han ? nz->cap_han * 2 : 4096;
        nz->han_read = warden_xrealloc(nz->han_read, nz->cap_han * sizeof *nz->han_read);
    }
    uint32_t i = (uint32_t)nz->n_han;
    bool found;
    uint32_t *slot = warden_smap_put(&nz->han, warden_arena_strdup(&nz->arena, ch), &found);
    if (found) return 0;
    *slot = i;
    nz->han_read[i][0] = warden_arena_strdup(&nz->arena, ko);
    nz->han_read[i][1] = warden_arena_strdup(&nz->arena, ja);
    nz->n_han++;
    return 0;
}

/* ja_names.tsv: NAME<TAB>latin (a Japanese name word of two characters or more
 * as Latin-script lists write it): kept with the Han readings, Japanese only */
static int name_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *w = next_field(&p), *latin = next_field(&p);
    if (!w || !latin || !*latin) {
        snprintf(err, errlen, "expected NAME<TAB>latin");
        return WARDEN_EPARSE;
    }
    han_word(nz, w, latin);
    return 0;
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t x = strlen(*(const char *const *)a), y = strlen(*(const char *const *)b);
    return x < y ? 1 : x > y ? -1 : 0;
}

/* legal_families.tsv: FAMILY<TAB>distinct|-<TAB>CLASS... (classes of one family are
 * interchangeable; a distinct family's form distinguishes a name like a word) */
static int family_line(struct warden_normalizer *nz, char *line, char *err, size_t errlen)
{
    char *p = line;
    char *fam = next_field(&p), *kind = next_field(&p);
    if (!fam || !kind || !p || (strcmp(kind, "distinct") != 0 && strcmp(kind, "-") != 0)) {
        snprintf(err, errlen, "expected FAMILY<TAB>distinct|-<TAB>CLASS...");
        return WARDEN_EPARSE;
    }
    uint32_t mask = 0;
    char *c;
    while ((c = next_field(&p))) {
        int k = 0;
        while (k < nz->n_classes && strcmp(nz->classes[k], c) != 0) k++;
        if (k == nz->n_classes) {
            snprintf(err, errlen, "class %s is not in legal_forms.tsv", c);
            return WARDEN_EPARSE;
        }
        mask |= 1u << k;
    }
    for (int k = 0; k < nz->n_classes; k++)
        if (mask & (1u << k)) nz->family[k] = mask;
    if (strcmp(kind, "distinct") == 0) nz->family[MAX_CLASSES] |= mask;
    return 0;
}

int warden_normalizer_new(struct warden_normalizer **out, const char *data_dir, char *err,
                          size_t errlen)
{
    struct warden_normalizer *nz = warden_xcalloc(1, sizeof *nz);
    warden_arena_init(&nz->arena);
    nz->translit = warden_normalizer_translit_new(nz);
    if (!nz->translit) {
        snprintf(err, errlen, "ICU transliterator Any-Latin is not available");
        warden_normalizer_free(nz);
        return WARDEN_ELIB;
    }
    char path[4096];
    int rc;
    /* case endings first: Cyrillic term variants are also keyed by their stems */
    snprintf(path, sizeof path, "%s/inflections.tsv", data_dir);
    if ((rc = read_lines(nz, path, suffix_line, err, errlen)) < 0) goto fail;
    if (nz->n_suffixes) qsort(nz->suffixes, nz->n_suffixes, sizeof *nz->suffixes, cmp_len_desc);
    static const char *const term_files[] = {"terms.tsv", "numbers.tsv", "places.tsv",
                                             "given_names.tsv"};
    for (size_t i = 0; i < sizeof term_files / sizeof *term_files; i++) {
        snprintf(path, sizeof path, "%s/%s", data_dir, term_files[i]);
        if ((rc = read_lines(nz, path, terms_line, err, errlen)) < 0) goto fail;
        if (i == 0) nz->n_generic = nz->n_canon; /* terms.tsv: the common words */
    }
    warden_normalizer_index_phrases(nz); /* the variants below are read with the terms */
    snprintf(path, sizeof path, "%s/legal_forms.tsv", data_dir);
    if ((rc = read_lines(nz, path, legal_line, err, errlen)) < 0) goto fail;
    warden_normalizer_fuzzy_buckets(nz);
    snprintf(path, sizeof path, "%s/legal_families.tsv", data_dir);
    if ((rc = read_lines(nz, path, family_line, err, errlen)) < 0) goto fail;
    snprintf(path, sizeof path, "%s/stopwords.tsv", data_dir);
    if ((rc = read_lines(nz, path, stop_line, err, errlen)) < 0) goto fail;
    snprintf(path, sizeof path, "%s/countries.tsv", data_dir);
    if ((rc = read_lines(nz, path, country_line, err, errlen)) < 0) goto fail;
    snprintf(path, sizeof path, "%s/qualifiers.tsv", data_dir);
    if ((rc = read_lines(nz, path, qual_line, err, errlen)) < 0) goto fail;
    snprintf(path, sizeof path, "%s/articles.tsv", data_dir);
    if ((rc = read_lines(nz, path, article_line, err, errlen)) < 0) goto fail;
    snprintf(path, sizeof path, "%s/han_readings.tsv", data_dir);
    if ((rc = read_lines(nz, path, han_line, err, errlen)) < 0) goto fail;
    snprintf(path, sizeof path, "%s/ja_names.tsv", data_dir);
    if ((rc = read_lines(nz, path, name_line, err, errlen)) < 0) goto fail;
    warden_normalizer_index_phrases(nz);
    *out = nz;
    return 0;
fail:
    warden_normalizer_free(nz);
    return rc;
}

void warden_normalizer_free(struct warden_normalizer *nz)
{
    if (!nz) return;
    warden_normalizer_translit_free(nz->translit);
    warden_smap_fini(&nz->legal);
    warden_smap_fini(&nz->terms);
    warden_smap_fini(&nz->countries);
    warden_smap_fini(&nz->stop);
    warden_smap_fini(&nz->qual);
    warden_smap_fini(&nz->articles);
    warden_smap_fini(&nz->han);
    warden_smap_fini(&nz->terms_first);
    warden_smap_fini(&nz->stems);
    warden_smap_fini(&nz->qual_first);
    warden_smap_fini(&nz->legal_first);
    free(nz->han_read);
    free(nz->canon);
    free(nz->codes);
    free(nz->fuzzy);
    warden_arena_fini(&nz->arena);
    free(nz);
}

bool warden_normalizer_is_legal(const struct warden_normalizer *nz, const char *t, size_t n)
{
    return warden_smap_get(&nz->legal, t, n) != NULL;
}

uint32_t warden_normalizer_legal_typo(const struct warden_normalizer *nz, const char *t, size_t n,
                                      bool swap_only)
{
    if (n < 3 || n > 7) return 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] < 'a' || t[i] > 'z') return 0;
    unsigned char c0 = (unsigned char)t[0];
    uint32_t tm = warden_letter_mask(t, n);
    for (size_t f = nz->fz_start[c0]; f < nz->fz_long[c0]; f++) {
        const struct warden_nz_fuzzy *z = &nz->fuzzy[f]; /* (longer: rewritten by apply_terms) */
        /* three or four letters: two neighbours swapped ("ldt", "pjcs"; one
         * replaced would make real words: "core" for "corp"); five or six:
         * any one edit */
        size_t zl = z->len;
        if (zl <= 4) swap_only = true;
        if (zl > n + 1 || zl + 1 < n) continue;
        if (swap_only && (tm != z->mask || zl != n)) continue;
        if (warden_popcount32(tm & ~z->mask) > 1 || warden_popcount32(z->mask & ~tm) > 1) continue;
        if (warden_osa_distance(t, n, z->variant, z->len, 1) != 1) continue;
        if (swap_only) { /* two neighbours exchanged, the rest in place */
            size_t d = 0, at = 0;
            for (size_t k = 0; k < n; k++)
                if (t[k] != z->variant[k]) d++, at = k;
            if (d != 2 || t[at] != z->variant[at - 1] || t[at - 1] != z->variant[at]) continue;
        }
        const uint32_t *v = warden_smap_get(&nz->legal, z->variant, z->len);
        if (v) return *v;
    }
    return 0;
}

size_t warden_normalizer_legal_affix(const struct warden_normalizer *nz, const char *t, size_t n,
                                     bool suffix, uint32_t *cls)
{
    if (n < 7) return 0;
    unsigned b = trigram_bit(suffix ? t + n - 3 : t);
    if (!((suffix ? nz->legal_tail : nz->legal_head)[b >> 6] >> (b & 63) & 1)) return 0;
    for (size_t l = n >= 7 ? n - 4 : 0; l >= 3; l--) {
        const uint32_t *v = warden_smap_get(&nz->legal, suffix ? t + n - l : t, l);
        if (v) {
            *cls = *v;
            return l;
        }
    }
    return 0;
}

bool warden_normalizer_is_minor(const struct warden_normalizer *nz, const char *t, size_t n)
{
    return warden_smap_get(&nz->legal, t, n) != NULL || warden_smap_get(&nz->stop, t, n) != NULL;
}

const char *warden_normalizer_legal_class(const struct warden_normalizer *nz, int bit)
{
    return bit >= 0 && bit < nz->n_classes ? nz->classes[bit] : NULL;
}

void warden_normalizer_legal_str(const struct warden_normalizer *nz, uint32_t mask, char *out,
                                 size_t outlen)
{
    /* every match explains itself: no snprintf per class */
    size_t k = 0;
    if (!outlen) return;
    out[0] = '\0';
    for (int i = 0; i < nz->n_classes && mask >> i; i++) {
        if (!(mask & (1u << i))) continue;
        size_t l = strlen(nz->classes[i]), sep = k ? 1 : 0;
        if (k + sep + l >= outlen) break;
        if (sep) out[k++] = '+';
        memcpy(out + k, nz->classes[i], l + 1);
        k += l;
    }
}

bool warden_normalizer_is_generic(const struct warden_normalizer *nz, const char *t, size_t n)
{
    /* a canonical word is a key of its own row, or of an earlier row that
     * lists it: a word no row lists is none (spaces are '_' in canonical words) */
    const uint32_t *v = warden_smap_get(&nz->terms, t, n);
    if (!v && !memchr(t, '_', n)) return false;
    if (v && *v < nz->n_generic && strncmp(nz->canon[*v], t, n) == 0 && nz->canon[*v][n] == '\0')
        return true;
    for (size_t i = 0; i < nz->n_generic; i++)
        if (strncmp(nz->canon[i], t, n) == 0 && nz->canon[i][n] == '\0') return true;
    return false;
}

bool warden_normalizer_is_article(const struct warden_normalizer *nz, const char *t, size_t n)
{
    return warden_smap_get(&nz->articles, t, n) != NULL;
}

size_t warden_normalizer_stem(const struct warden_normalizer *nz, const char *t, size_t n)
{
    for (size_t i = 0; i < nz->n_suffixes; i++) {
        size_t l = strlen(nz->suffixes[i]);
        if (n >= l + 4 && memcmp(t + n - l, nz->suffixes[i], l) == 0) return n - l;
    }
    return n;
}

uint32_t warden_normalizer_legal_family(const struct warden_normalizer *nz, uint32_t mask)
{
    uint32_t f = 0;
    for (int k = 0; k < nz->n_classes; k++)
        if (mask & (1u << k)) f |= nz->family[k] ? nz->family[k] : 1u << k;
    return f;
}

uint32_t warden_normalizer_legal_distinct(const struct warden_normalizer *nz)
{
    return nz->family[MAX_CLASSES];
}
