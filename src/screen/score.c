/* score.c — the name scorer: how similar two normalised names are, with the
 * explanation of every step.
 *
 * Both names are core tokens (normalize.c), each weighted by its rarity in the
 * lists (IDF): shared common words ("trading", "bank") do not make a match and a
 * missing distinctive word breaks one. Qualifiers (countries, regions, branch
 * words, words in parentheses) weigh screen.qualifier_weight of that, and
 * legal-form or connecting words left inside a name a fifth.
 * Before pairing:
 *   - an acronym on one side ("NIOC") stands for the run of words on the other
 *     side whose initials it spells ("National Iranian Oil" + the removed legal
 *     form "Company"), connecting words optional ("Bank of China" = "BOC");
 *   - adjacent tokens on one side are joined when the join is a token of the
 *     other side ("hua wei" ~ "huawei", "to kyo" ~ "tokyo").
 * Tokens are then paired greedily by similarity: equal (1.0), an abbreviation
 * (0.85), one or two edits apart (typos), equal consonant skeletons
 * (transliteration variants, 0.9), the same word with another case ending when
 * either name is Cyrillic (inflections.tsv, 0.95), or the same word with an
 * article prefix ("alrashid" ~ "rashid": articles.tsv, 0.92). The name score
 * is the weighted Dice coefficient of the pairs; for names written in a script
 * without vowels the consonant skeletons of the whole names are compared too.
 * After pairing, the policy rules (screen: section):
 *   - near siblings (sibling_review): when each side keeps a distinctive word
 *     the other lacks ("X Trust" / "X Bank", "Fund 3" / "Fund 4", "X (UK)" /
 *     "X (USA)"), the score stays just below match_threshold: a possible match
 *     for review, not a match and not dropped;
 *   - brand (brand_match): one distinctive word that is the most distinctive
 *     word of the other name ("Hikvision" / "Hangzhou Hikvision Digital
 *     Technology Co., Ltd.") scores just above match_threshold;
 *   - a short acronym alone (short_acronym_review), one common word of
 *     company names alone, or one short word one consonant apart
 *     (one_word_typo_review: "Kinet" / "Kinef") stay just below it.
 * A listed person's name (person) is never an acronym's expansion. */
#include "screen/internal.h"

#include <string.h>

float warden_screen_weight(const struct warden_screen *s, const char *t, size_t n)
{
    uint32_t id = warden_screen_token_id(s, t, n);
    if (id == UINT32_MAX) return s->max_weight > 0 ? s->max_weight : 1.0f;
    return s->toks[id].weight;
}

void warden_tl_from_norm(const struct warden_screen *s, const struct warden_norm_name *nn,
                         struct warden_tl *o)
{
    o->n = nn->n;
    o->legal = nn->legal;
    o->sibling = false; /* an output of warden_name_score */
    o->capped = false;
    o->person = false;
    o->listed = false;
    o->abjad = nn->abjad;
    o->script = nn->script;
    o->qual = nn->qual;
    memcpy(o->legal_init, nn->legal_init, sizeof o->legal_init);
    for (int i = 0; i < nn->n; i++) {
        memcpy(o->t[i], nn->tok[i], (size_t)nn->len[i] + 1);
        memcpy(o->init[i], nn->init[i], WARDEN_NORM_INIT);
        o->slen[i] = (uint8_t)strlen(nn->surf[i]);
        memcpy(o->surf[i], nn->surf[i], (size_t)o->slen[i] + 1);
        o->len[i] = nn->len[i];
        uint32_t id = warden_screen_token_id(s, nn->tok[i], nn->len[i]);
        o->id[i] = id;
        o->w[i] =
            id != UINT32_MAX ? s->toks[id].weight : (s->max_weight > 0 ? s->max_weight : 1.0f);
        o->minor[i] = id != UINT32_MAX ? s->toks[id].minor
                                       : warden_normalizer_is_minor(s->nz, nn->tok[i], nn->len[i]);
        /* a legal-form word left inside the name ("Shipping Co Gudzon") counts little */
        if (o->minor[i]) o->w[i] *= 0.2f;
    }
}

void warden_tl_from_rec(const struct warden_screen *s, const struct warden_screen_name_rec *r,
                        struct warden_tl *o)
{
    o->n = r->n_tok;
    o->legal = r->legal;
    o->abjad = r->abjad;
    o->sibling = false;
    o->capped = false;
    o->person = false; /* the caller knows the entity */
    o->listed = false; /* set by the caller when it screens against the lists */
    o->script = r->script;
    o->qual = r->qual;
    memcpy(o->legal_init, r->legal_init, sizeof o->legal_init);
    for (int i = 0; i < r->n_tok; i++) {
        uint32_t k = r->tok0 + (uint32_t)i;
        const struct warden_screen_token *t = &s->toks[s->name_toks[k]];
        memcpy(o->t[i], t->str, (size_t)t->len + 1);
        if (s->name_inits)
            memcpy(o->init[i], s->name_inits[k], WARDEN_NORM_INIT);
        else
            o->init[i][0] = t->str[0], o->init[i][1] = '\0';
        const char *sf = s->name_surf ? s->name_surf[k] : NULL;
        size_t sl = sf ? strlen(sf) : 0;
        if (sl >= WARDEN_NORM_TOKLEN) sl = WARDEN_NORM_TOKLEN - 1;
        if (sl) memcpy(o->surf[i], sf, sl);
        o->surf[i][sl] = '\0';
        o->slen[i] = (uint8_t)sl;
        o->len[i] = (uint8_t)t->len;
        o->id[i] = s->name_toks[k];
        o->w[i] = t->weight;
        o->minor[i] = t->minor;
        if (t->minor) o->w[i] *= 0.2f;
    }
}

/* a abbreviates b: same first letter, 3+ letters (4+ for a contraction), at least 2 shorter, and
 * either a truncation (prefix of 4-5 letters) or a contraction keeping b's last
 * letter with at most one vowel ("intl", "mgmt", "natl", "svcs"). */
static bool abbreviates(const char *a, size_t la, const char *b, size_t lb, size_t min_contraction)
{
    if (la < 3 || la + 2 > lb || a[0] != b[0]) return false;
    if (la >= 4 && la <= 5 && memcmp(a, b, la) == 0) return true; /* tech, corp, assoc */
    /* a contraction keeps four letters or more: three consonants are as
     * often an acronym ("PCC" is no contraction of "Polytechnic"), and the
     * usual three-letter ones ("mfg", "grp") are spelt out by terms.tsv;
     * a script without written vowels writes "Sepah" in three (min_contraction) */
    if (la < min_contraction || a[la - 1] != b[lb - 1]) return false;
    int vowels = 0;
    for (size_t i = 0; i < la; i++)
        vowels += a[i] == 'a' || a[i] == 'e' || a[i] == 'i' || a[i] == 'o' || a[i] == 'u';
    if (vowels > 1) return false;
    size_t j = 0;
    for (size_t i = 0; i < lb && j < la; i++)
        if (b[i] == a[j]) j++;
    return j == la;
}

/* two first letters a transliteration may write for one sound (c, k, q;
 * p, f: キヤノン = kiyanon = Canon) */
static bool first_alike(char a, char b)
{
    static const char cls[256] = {['c'] = 'k', ['q'] = 'k', ['p'] = 'f'};
    char x = cls[(unsigned char)a] ? cls[(unsigned char)a] : a;
    char y = cls[(unsigned char)b] ? cls[(unsigned char)b] : b;
    return x == y;
}

static bool same_skeleton(const char *a, size_t la, const char *b, size_t lb, size_t min)
{
    char sa[64], sb[64];
    size_t ka = warden_skeleton(a, la, sa, sizeof sa), kb = warden_skeleton(b, lb, sb, sizeof sb);
    return ka >= min && ka == kb && memcmp(sa, sb, ka) == 0;
}

/* Equal skeletons of words written in a script without vowels, where the
 * final t of a (an Arabic word read with its article) may also be written h
 * or left out in b (ta marbuta: النصرة = alnsrt = an-Nusrah, القاعدة =
 * alqaidt = al-Qaida). Only after an article: "Mellat" is not "Melli". */
static bool abjad_skeleton(const char *a, size_t la, const char *b, size_t lb, size_t min)
{
    char sa[64], sb[64];
    size_t ka = warden_skeleton(a, la, sa, sizeof sa), kb = warden_skeleton(b, lb, sb, sizeof sb);
    if (ka == kb && ka >= min && memcmp(sa, sb, ka) == 0) return true;
    if (!ka || sa[ka - 1] != 't') return false;
    if (ka == kb && kb && sb[kb - 1] == 'h' && ka - 1 >= min) return memcmp(sa, sb, ka - 1) == 0;
    return ka == kb + 1 && kb >= min && memcmp(sa, sb, kb) == 0;
}

/* The vowels of a romanised Korean word, one class per run of vowels (the
 * glides y and w left out): a; e (ae, ai, e); i; and o or u, which the
 * romanisations write for one another (eo, ŏ, o, u, eu, ŭ, oo: 현대 =
 * hyeondae = Hyundai, 국민 = gugmin = Kookmin). */
static size_t korean_vowels(const char *t, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap;) {
        bool a = false, e = false, ii = false, ou = false, any = false;
        while (i < n) {
            char c = t[i];
            if (c == 'a')
                a = true;
            else if (c == 'e')
                e = true;
            else if (c == 'i')
                ii = true;
            else if (c == 'o' || c == 'u')
                ou = true;
            else if (c != 'y' && c != 'w')
                break;
            any = any || (c != 'y' && c != 'w');
            i++;
        }
        if (any) out[k++] = a && (e || ii) ? 'e' : a ? 'a' : ou ? 'u' : e ? 'e' : 'i';
        while (i < n && !strchr("aeiouyw", t[i])) i++;
    }
    out[k] = '\0';
    return k;
}

/* the same Korean word in two romanisations (three sound classes or more) */
static bool same_korean(const char *a, size_t la, const char *b, size_t lb)
{
    char ka[64], kb[64];
    size_t na = warden_korean_key(a, la, ka, sizeof ka),
           nb = warden_korean_key(b, lb, kb, sizeof kb);
    if (na < 2 || nb < 2) return false;
    char va[32], vb[32];
    size_t ma = korean_vowels(a, la, va, sizeof va), mb = korean_vowels(b, lb, vb, sizeof vb);
    if (ma != mb || memcmp(va, vb, ma) != 0) return false;
    /* two sound classes are enough when the words also start alike ("muyeog" / "Muyok") */
    if (na == nb && memcmp(ka, kb, na) == 0) return na >= 3 || (a[0] == b[0] && la >= 4 && lb >= 4);
    /* an initial r/l (or n) before i or y is not written in the South
     * (련합 ryonhap, 연합 yonhap; 녀 nyo, 여 yo): one key without it */
    bool da = (a[0] == 'l' || a[0] == 'r' || a[0] == 'n') && la > 1 && (a[1] == 'y' || a[1] == 'i');
    bool db = (b[0] == 'l' || b[0] == 'r' || b[0] == 'n') && lb > 1 && (b[1] == 'y' || b[1] == 'i');
    if (da && !db && na == nb + 1 && memcmp(ka + 1, kb, nb) == 0) return nb >= 2;
    if (db && !da && nb == na + 1 && memcmp(kb + 1, ka, na) == 0) return na >= 2;
    return false;
}

/* the same word with a case ending (stems of 4+ letters) */
static bool same_stem(const struct warden_screen *s, const char *a, size_t la, const char *b,
                      size_t lb)
{
    if (la < 5 && lb < 5) return false;
    size_t sa = warden_normalizer_stem(s->nz, a, la), sb = warden_normalizer_stem(s->nz, b, lb);
    return (sa == sb && memcmp(a, b, sa) == 0) || (sa == lb && memcmp(a, b, lb) == 0) ||
           (sb == la && memcmp(a, b, la) == 0);
}

/* a is b with an article prefix ("alrashid" / "rashid") */
static bool article_of(const struct warden_screen *s, const char *a, size_t la, const char *b,
                       size_t lb, bool abjad)
{
    /* a word read from a script without vowels is shorter than its
     * romanisation ("alnsrt" / "nusrah"): its skeleton decides */
    if (!abjad && (la < lb + 2 || la > lb + 5)) return false;
    for (size_t k = 2; k <= 3 && k + (abjad ? 3 : 5) <= la; k++) {
        bool same = la - k == lb && memcmp(a + k, b, lb) == 0;
        if (!same && !(abjad && abjad_skeleton(a + k, la - k, b, lb, 2))) continue;
        if (warden_normalizer_is_article(s->nz, a, k)) return true;
    }
    return false;
}

/* Most pairs of words compared are unrelated: a consonant each has that the
 * other lacks needs an edit, so when both have more such consonants than any
 * rule below allows (two edits; a case ending of up to four letters), none
 * can hold. Abbreviations and article prefixes keep one side's consonants
 * within the other's, equal skeletons have equal consonants. Names in scripts
 * without written vowels are compared by skeleton more loosely: not skipped. */
static bool unrelated(const char *a, size_t la, const char *b, size_t lb, uint8_t script)
{
    if (script & (WARDEN_SCRIPT_ABJAD | WARDEN_SCRIPT_HANGUL)) return false;
    return warden_consonants_apart(a, la, b, lb, (script & WARDEN_SCRIPT_INFLECT) ? 4 : 2);
}

double warden_tok_sim(const struct warden_screen *s, const char *a, size_t la, const char *b,
                      size_t lb, uint8_t script)
{
    if (la == lb && memcmp(a, b, la) == 0) return 1.0;
    if (unrelated(a, la, b, lb, script)) return 0.0;
    size_t mc = (script & WARDEN_SCRIPT_ABJAD) ? 3 : 4;
    if (abbreviates(a, la, b, lb, mc) || abbreviates(b, lb, a, la, mc)) return 0.85;
    size_t mx = la > lb ? la : lb, mn = la < lb ? la : lb;
    if ((script & WARDEN_SCRIPT_INFLECT) && same_stem(s, a, la, b, lb)) return 0.95;
    /* Korean read by ICU next to a romanisation of it: the sound classes
     * decide, whatever the spelling's edit distance */
    double ko =
        (script & WARDEN_SCRIPT_HANGUL) && mx - mn <= 4 && same_korean(a, la, b, lb) ? 0.9 : 0;
    if (mn >= 4) {
        int maxd = mx >= 9 ? 2 : 1;
        int d = warden_osa_distance(a, la, b, lb, maxd);
        if (d <= maxd) {
            double e = 1.0 - (double)d / (2.0 * (double)mx);
            return e > ko ? e : ko;
        }
    }
    if (ko > 0) return ko;
    if (mn >= 4 && first_alike(a[0], b[0]) && mx - mn <= 3 && same_skeleton(a, la, b, lb, 3))
        return 0.9;
    bool abjad = (script & WARDEN_SCRIPT_ABJAD) != 0;
    if (article_of(s, a, la, b, lb, abjad) || article_of(s, b, lb, a, la, abjad)) return 0.92;
    /* a script without vowels: the consonants decide ("lwmy" / "leumi") */
    if (abjad && mx - mn <= 4 && same_skeleton(a, la, b, lb, 2)) return 0.88;
    return 0.0;
}

/* Could any rule of warden_tok_sim (Latin script) hold for a and b? la, lb:
 * their letter masks. Exact: each rule needs what is tested here. */
static bool may_be_alike(const char *a, size_t la, uint32_t ma, const char *b, size_t lb,
                         uint32_t mb)
{
    if (first_alike(a[0], b[0])) return true; /* equal, abbreviation, skeleton */
    size_t mx = la > lb ? la : lb, mn = la < lb ? la : lb;
    /* an article prefix: the longer word ends with the shorter */
    if ((mx - mn == 2 || mx - mn == 3) && a[la - 1] == b[lb - 1]) return true;
    int maxd = mx >= 9 ? 2 : 1;
    if (mn < 4 || (int)(mx - mn) > maxd) return false;
    return warden_popcount32(ma & ~mb) <= maxd && warden_popcount32(mb & ~ma) <= maxd;
}

static void remove_run(struct warden_tl *x, int i, int rm)
{
    for (int m = i + 1; m + rm < x->n; m++) {
        memcpy(x->t[m], x->t[m + rm], (size_t)x->len[m + rm] + 1);
        memcpy(x->init[m], x->init[m + rm], WARDEN_NORM_INIT);
        memcpy(x->surf[m], x->surf[m + rm], (size_t)x->slen[m + rm] + 1);
        x->slen[m] = x->slen[m + rm];
        x->len[m] = x->len[m + rm];
        x->w[m] = x->w[m + rm];
        x->id[m] = x->id[m + rm];
        x->minor[m] = x->minor[m + rm];
    }
    /* qualifier bits of the tokens after the run move down with them */
    uint32_t keep = x->qual & ((1u << (i + 1)) - 1);
    uint32_t after = (x->qual >> (i + 1 + rm)) << (i + 1);
    x->qual = keep | after;
    x->n -= rm;
}

/* Join adjacent tokens of x when the join equals a token of y. */
static void join_against(const struct warden_screen *s, struct warden_tl *x,
                         const struct warden_tl *y, uint8_t script)
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
                /* the words as written ("twelfth" "ocean", not "12" "ocean") */
                size_t l = 0;
                for (int m = i; m < i + span; m++) l += x->slen[m] ? x->slen[m] : x->len[m];
                const char *yt = y->slen[k] ? y->surf[k] : y->t[k];
                size_t yl = y->slen[k] ? y->slen[k] : y->len[k];
                if (l + 2 < yl || l > yl + 2 || l >= WARDEN_NORM_TOKLEN) continue;
                char j[WARDEN_NORM_TOKLEN];
                l = 0;
                for (int m = i; m < i + span; m++) {
                    const char *xt = x->slen[m] ? x->surf[m] : x->t[m];
                    size_t xl = x->slen[m] ? x->slen[m] : x->len[m];
                    memcpy(j + l, xt, xl);
                    l += xl;
                }
                j[l] = '\0';
                double js = warden_tok_sim(s, j, l, yt, yl, script);
                if (js < 0.9) continue;
                /* only when the join fits better than any single token does */
                bool better = true;
                for (int m = 0; m < x->n && better; m++)
                    if (warden_tok_sim(s, x->t[m], x->len[m], y->t[k], y->len[k], script) >= js)
                        better = false;
                if (!better) continue;
                memcpy(x->t[i], y->t[k], (size_t)y->len[k] + 1); /* now y's token */
                x->len[i] = y->len[k];
                memcpy(x->surf[i], j, l + 1);
                x->slen[i] = (uint8_t)l;
                float wj = warden_screen_weight(s, j, l), ws = 0;
                for (int m = i; m < i + span; m++) ws = ws > x->w[m] ? ws : x->w[m];
                x->w[i] = wj > ws ? wj : ws;
                x->minor[i] = false;
                x->id[i] = y->id[k];
                remove_run(x, i, span - 1);
                done = 1;
            }
            if (done) break;
        }
    }
}

/* A word of x that is no word of the lists and is a word of y with a legal
 * form written joined to it ("Kraslesinvestcjsc" / "Kraslesinvest CJSC",
 * "Ojscangarsk" / "OJSC Angarsk") becomes that word of y; x takes the form's
 * classes. */
static void split_legal(const struct warden_screen *s, struct warden_tl *x,
                        const struct warden_tl *y)
{
    for (int i = 0; i < x->n; i++) {
        if (x->id[i] != UINT32_MAX || x->len[i] < 7) continue;
        for (int suffix = 0; suffix <= 1; suffix++) {
            uint32_t cls = 0;
            size_t l = warden_normalizer_legal_affix(s->nz, x->t[i], x->len[i], suffix, &cls);
            if (!l) continue;
            const char *rest = suffix ? x->t[i] : x->t[i] + l;
            size_t rl = x->len[i] - l;
            int hit = -1;
            for (int j = 0; j < y->n && hit < 0; j++)
                if (y->len[j] == rl && memcmp(y->t[j], rest, rl) == 0) hit = j;
            for (int m = 0; m < x->n && hit >= 0; m++)
                if (x->len[m] == rl && memcmp(x->t[m], rest, rl) == 0) hit = -1; /* has it */
            if (hit < 0) continue;
            memmove(x->t[i], y->t[hit], rl + 1);
            x->len[i] = (uint8_t)rl;
            x->init[i][0] = x->t[i][0];
            x->init[i][1] = '\0';
            x->surf[i][0] = '\0';
            x->slen[i] = 0;
            x->id[i] = y->id[hit];
            x->w[i] = y->w[hit];
            x->minor[i] = y->minor[hit];
            x->legal |= cls;
            break;
        }
    }
}

/* Does acronym a[pos..] spell the initials of y's tokens from j on (connecting
 * words and, after the first initial, common words of company names optional;
 * the removed legal form's initials allowed at the end)?
 * Returns the end of the run, or -1. */
static int spell(const struct warden_screen *s, const char *a, size_t la, size_t pos,
                 const struct warden_tl *y, int j, int used, bool pieces)
{
    if (pos == la) return used >= 2 ? j : -1;
    if (j == y->n) {
        size_t rest = la - pos, li = strlen(y->legal_init);
        if (used >= 1 && rest <= 2 && rest <= li && memcmp(a + pos, y->legal_init, rest) == 0)
            return j;
        /* a long acronym may end in "co" for a removed company, corporation
         * or cooperative ("COSCO", "KEPCO", "NORINCO") */
        return pieces && used >= 2 && rest == 2 && li && y->legal_init[0] == 'c' && a[pos] == 'c' &&
                       a[pos + 1] == 'o'
                   ? j
                   : -1;
    }
    const char *in = y->init[j];
    size_t li = strlen(in);
    if (li && pos + li <= la && memcmp(a + pos, in, li) == 0) {
        int e = spell(s, a, la, pos + li, y, j + 1, used + (int)li, pieces);
        if (e >= 0) return e;
    }
    if (li > 1 && a[pos] == in[0]) { /* a phrase token may give only its first initial */
        int e = spell(s, a, la, pos + 1, y, j + 1, used + 1, pieces);
        if (e >= 0) return e;
    }
    /* a long acronym (collapse_acronyms) may take a word's first two or three
     * letters ("KOMID": KOrea MIning Development) */
    const char *wd = y->slen[j] ? y->surf[j] : y->t[j];
    size_t wl = y->slen[j] ? y->slen[j] : y->len[j];
    if (pieces && !y->minor[j] && wl >= 4 && li == 1)
        for (size_t k = 3; k >= 2; k--)
            if (pos + k <= la && memcmp(a + pos, wd, k) == 0) {
                int e = spell(s, a, la, pos + k, y, j + 1, used + (int)k, pieces);
                if (e >= 0) return e;
            }
    if (y->minor[j] && used > 0)
        return spell(s, a, la, pos, y, j + 1, used, pieces); /* "of", "and" */
    /* a common word of company names inside the run ("CETC": China Electronics
     * Technology Group Corporation) */
    if (used > 0 && warden_normalizer_is_generic(s->nz, y->t[j], y->len[j]))
        return spell(s, a, la, pos, y, j + 1, used, pieces);
    return -1;
}

/* Replace in y a run of words spelt by an acronym token of x with that token.
 * Returns how many runs were replaced by an acronym of three letters or
 * fewer: one such acronym stands for thousands of names, so a name that
 * matches only through it is a possible match for review, not a match. */
#define SHORT_ACRONYMS 4
struct short_acronyms { /* the (short) acronyms a pair of names matched through */
    int n;
    char t[SHORT_ACRONYMS][9];
};

/* Collapse the runs of y's words that an acronym of x spells into it. The
 * acronyms of three letters or fewer are added to sa, every one to all (when
 * not NULL), those spelt with pieces of words ("KOMID") to pieces (when not
 * NULL). Returns how many short ones. */
static int collapse_acronyms(const struct warden_screen *s, const struct warden_tl *x,
                             struct warden_tl *y, struct short_acronyms *sa,
                             struct short_acronyms *all, struct short_acronyms *pieces_of)
{
    int short_ones = 0;
    /* quick refusals: the letters y's words can spell, and how many */
    uint32_t firsts = 0;
    size_t avail = strlen(y->legal_init);
    for (int i = 0; i < y->n; i++) {
        firsts |= 1u << ((unsigned char)y->init[i][0] & 31);
        avail += strlen(y->init[i]) + (y->minor[i] ? 0 : 2); /* up to three letters of a word */
    }
    for (int k = 0; k < x->n; k++) {
        size_t la = x->len[k];
        if (la < 3 || la > 8 || la > avail || (x->qual & (1u << k))) continue;
        if (!(firsts & (1u << ((unsigned char)x->t[k][0] & 31)))) continue;
        bool alpha = true;
        for (size_t c = 0; c < la && alpha; c++) alpha = x->t[k][c] >= 'a' && x->t[k][c] <= 'z';
        if (!alpha) continue;
        bool present = false;
        for (int m = 0; m < y->n && !present; m++)
            present = y->len[m] == la && memcmp(y->t[m], x->t[k], la) == 0;
        if (present) continue;
        /* pieces of words ("KOMID") only for an acronym of five letters or more
         * that is not a word of y misspelt or cut short ("polsh", "jcam") */
        bool pieces = la >= 5;
        for (int m = 0; m < y->n && pieces; m++)
            pieces = !(y->len[m] >= la && memcmp(y->t[m], x->t[k], la) == 0) &&
                     warden_osa_distance(y->t[m], y->len[m], x->t[k], la, 1) > 1;
        for (int i = 0; i < y->n; i++) {
            if (y->minor[i]) continue;
            int e = spell(s, x->t[k], la, 0, y, i, 0, false);
            bool by_pieces = false;
            if (e < 0 && pieces) {
                e = spell(s, x->t[k], la, 0, y, i, 0, true);
                by_pieces = e >= 0;
            }
            if (e < 0 || e - i < 1) continue;
            if (e - i == 1 && strlen(y->init[i]) < 2) continue; /* a word is not its own acronym */
            float w = 0;
            for (int m = i; m < e; m++) w += y->w[m];
            memcpy(y->t[i], x->t[k], la + 1);
            memcpy(y->init[i], x->init[k], WARDEN_NORM_INIT);
            y->surf[i][0] = '\0';
            y->slen[i] = 0;
            y->len[i] = (uint8_t)la;
            y->w[i] = w;
            y->id[i] = x->id[k];
            y->minor[i] = false;
            if (e - i > 1) remove_run(y, i, e - i - 1);
            if (la <= 3) {
                short_ones++;
                if (sa->n < SHORT_ACRONYMS) memcpy(sa->t[sa->n++], x->t[k], la + 1);
            }
            if (all && all->n < SHORT_ACRONYMS) memcpy(all->t[all->n++], x->t[k], la + 1);
            if (by_pieces && pieces_of && pieces_of->n < SHORT_ACRONYMS)
                memcpy(pieces_of->t[pieces_of->n++], x->t[k], la + 1);
            break;
        }
    }
    return short_ones;
}

static void joined(const struct warden_tl *x, char *out, size_t cap, bool skel)
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

void warden_tl_str(const struct warden_tl *x, char *out, size_t cap)
{
    size_t k = 0;
    for (int i = 0; i < x->n; i++) {
        if (k + (size_t)x->len[i] + 2 > cap) break;
        if (i) out[k++] = ' ';
        memcpy(out + k, x->t[i], x->len[i]);
        k += x->len[i];
    }
    out[k] = '\0';
}

void warden_tl_copy(struct warden_tl *d, const struct warden_tl *x)
{
    d->n = x->n;
    d->legal = x->legal;
    d->qual = x->qual;
    memcpy(d->legal_init, x->legal_init, sizeof d->legal_init);
    d->script = x->script;
    d->abjad = x->abjad;
    d->sibling = x->sibling;
    d->capped = x->capped;
    d->person = x->person;
    d->listed = x->listed;
    for (int i = 0; i < x->n; i++) {
        memcpy(d->t[i], x->t[i], (size_t)x->len[i] + 1);
        memcpy(d->surf[i], x->surf[i], (size_t)x->slen[i] + 1);
        memcpy(d->init[i], x->init[i], WARDEN_NORM_INIT);
        d->len[i] = x->len[i];
        d->slen[i] = x->slen[i];
        d->w[i] = x->w[i];
        d->id[i] = x->id[i];
        d->minor[i] = x->minor[i];
    }
}

int warden_screen_acronym_keys(const struct warden_tl *x, char keys[][WARDEN_NORM_TOKLEN])
{
    int nk = 0, core = 0;
    for (int i = 0; i < x->n; i++) core += !x->minor[i] && !(x->qual & (1u << i));
    if (core < 2) return 0;
    for (int with_minor = 0; with_minor <= 1; with_minor++) {
        char k[WARDEN_NORM_TOKLEN];
        size_t l = 0;
        for (int i = 0; i < x->n && l < 9; i++) {
            if ((x->qual & (1u << i)) || (x->minor[i] && !with_minor)) continue;
            for (const char *c = x->init[i]; *c && l < 9; c++) k[l++] = *c;
        }
        if (l < 3 || l > 8) continue;
        k[l] = '\0';
        /* without minor words both passes spell the same initials: one key
         * each (a key twice was looked up twice, and a name found through it
         * weighed twice the query: "Shipping Asan Enterprise Limited" lost
         * "ASAN SHIPPING ENTERPRISE LIMITED" to names holding "Sahel") */
        bool dup = false;
        for (int j = 0; j < nk && !dup; j++) dup = strcmp(keys[j], k) == 0;
        if (dup) continue;
        memcpy(keys[nk++], k, l + 1);
        size_t li = strlen(x->legal_init);
        if (li && li <= 2 && l + li <= 8) {
            memcpy(keys[nk], k, l);
            memcpy(keys[nk] + l, x->legal_init, li + 1);
            nk++;
        }
    }
    return nk;
}

/* A legal form written with a typo ("Vostok Neft PJCS"): a word at either end
 * of x's core that pairs with nothing and is one typo from a short legal form
 * (warden_normalizer_legal_typo) of a class y has, or of any class when y has
 * none, is that legal form: it weighs as a legal-form word and x takes its
 * class. A word of the lists (a real word) only when it is the form with two
 * letters swapped. Only when x has other words, which then
 * decide the score ("the rest matches"). */
static void legal_typos(const struct warden_screen *s, struct warden_tl *x, const bool *used,
                        const struct warden_tl *y)
{
    if (x->n < 2) return;
    for (int e = 0; e < 2; e++) {
        int i = e ? x->n - 1 : 0;
        if (used[i] || x->minor[i] || (x->qual & (1u << i))) continue;
        uint32_t cls =
            warden_normalizer_legal_typo(s->nz, x->t[i], x->len[i], x->id[i] != UINT32_MAX);
        if (!cls || (y->legal && !(warden_normalizer_legal_family(s->nz, cls) & y->legal)))
            continue;
        x->minor[i] = true;
        x->w[i] *= 0.2f;
        x->legal |= y->legal & cls ? y->legal & cls : cls;
    }
}

/* a distinctive word of one side that the other side does not have */
static bool has_unmatched(const struct warden_tl *x, const bool *used, const double *best)
{
    for (int i = 0; i < x->n; i++)
        if (!x->minor[i] && (!used[i] || best[i] < 0.5)) return true;
    return false;
}

/* the single distinctive word of x, or -1 */
static int single_core(const struct warden_tl *x)
{
    int k = -1;
    for (int i = 0; i < x->n; i++) {
        if (x->minor[i] || (x->qual & (1u << i))) continue;
        if (k >= 0) return -1;
        k = i;
    }
    return k;
}

/* brand rule: x is one distinctive word (without a legal form of another
 * class), and it is y's most distinctive word by far: every other word of y is
 * a qualifier, a connecting word, a common word of organisation names
 * (terms.tsv: "Lab", "Technology", however rare in the lists) or a commoner
 * word (weight at most 0.7 of it) */
static bool brand_of(const struct warden_screen *s, const struct warden_tl *x,
                     const struct warden_tl *y)
{
    int k = single_core(x);
    if (k < 0 || x->len[k] < 4 || y->n < 2) return false;
    /* a common word of company names alone ("Telecom Ltd", "Trading Ltd") is
     * no brand: it would match every listed name built around it */
    if (warden_normalizer_is_generic(s->nz, x->t[k], x->len[k])) return false;
    if (x->legal && !(x->legal & y->legal)) return false;
    int hit = -1;
    for (int i = 0; i < y->n && hit < 0; i++)
        if (y->len[i] == x->len[k] && memcmp(y->t[i], x->t[k], x->len[k]) == 0) hit = i;
    if (hit < 0) return false;
    for (int i = 0; i < y->n; i++)
        if (i != hit && !y->minor[i] && !(y->qual & (1u << i)) && y->w[i] > 0.7f * y->w[hit] &&
            !warden_normalizer_is_generic(s->nz, y->t[i], y->len[i]))
            return false;
    return true;
}

/* Evidence besides a short acronym: a word of x other than the acronyms,
 * neither a connecting word nor a common word of company names ("Trading",
 * "Bank"), paired with a word of the other name ("BOC Aviation" / "Bank of
 * China Aviation"; a place: "BOC Hong Kong" / "Bank of China (Hong Kong)").
 * "CMT Crimea" / "Cosmote Mobile Telecommunications" has none. */
static bool acronym_supported(const struct warden_screen *s, const struct warden_tl *x,
                              const bool *used, const double *best, const struct short_acronyms *sa)
{
    for (int i = 0; i < x->n; i++) {
        if (!used[i] || best[i] < 0.85 || x->minor[i]) continue;
        bool acr = false;
        for (int k = 0; k < sa->n && !acr; k++) acr = strcmp(x->t[i], sa->t[k]) == 0;
        if (!acr && !warden_normalizer_is_generic(s->nz, x->t[i], x->len[i])) return true;
    }
    return false;
}

/* x's core is one common word of company names (terms.tsv), and no
 * qualifier (a place: "Bank of China") of x is paired */
static bool generic_only(const struct warden_screen *s, const struct warden_tl *x, const bool *used,
                         const double *best)
{
    int k = single_core(x);
    if (k < 0 || !warden_normalizer_is_generic(s->nz, x->t[k], x->len[k])) return false;
    for (int i = 0; i < x->n; i++)
        if ((x->qual & (1u << i)) && used[i] && best[i] >= 0.85) return false;
    return true;
}

/* Every word the names share (paired >= 0.85, connecting words aside) is a
 * common word of company names, none is a place, they share two or more
 * (one alone is generic_only's), and y keeps a word x lacks, a place
 * included ("Information Systems" / INFORMATION SYSTEMS IRAN; not "United
 * Shipbuilding Corporation" / UNITED SHIPBUILDING CORPORATION) */
static bool shared_generic(const struct warden_screen *s, const struct warden_tl *x,
                           const bool *used, const double *best, const struct warden_tl *y,
                           const bool *yused, const double *ybest)
{
    int shared = 0;
    for (int i = 0; i < x->n; i++) {
        if (!used[i] || best[i] < 0.85 || x->minor[i]) continue;
        if ((x->qual & (1u << i)) || !warden_normalizer_is_generic(s->nz, x->t[i], x->len[i]))
            return false;
        shared++;
    }
    if (shared < 2) return false;
    for (int j = 0; j < y->n; j++)
        if (!y->minor[j] && (!yused[j] || ybest[j] < 0.5)) return true;
    return false;
}

/* The only distinctive word of a that is paired (not a connecting word, a
 * qualifier or a common word of company names) is paired with a word one
 * edit away that changes a consonant, both of six letters or fewer, both
 * names written in Latin letters: all the names share is a short
 * word spelt another way. Real company names that short are dense: on the
 * operators' names of the location database, one word of five or six
 * letters one edit from a listed one made 49 wrong matches against 25
 * generated typo pairs of that length; at seven or eight letters 17
 * against 36 (README, "Real organisations' names"). */
static bool one_word_typo(const struct warden_screen *s, const struct warden_tl *a,
                          const struct warden_tl *b, const bool *used, const double *best,
                          const int *pj)
{
    int k = -1;
    for (int i = 0; i < a->n; i++) {
        if (!used[i] || best[i] < 0.5 || a->minor[i] || (a->qual & (1u << i)) ||
            warden_normalizer_is_generic(s->nz, a->t[i], a->len[i]))
            continue;
        if (k >= 0) return false;
        k = i;
    }
    if (k < 0 || best[k] >= 1.0) return false;
    /* a name read from another script differs by a letter as a rule
     * (ソニー = "soni" / Sony): that is a reading, not a misspelling */
    if ((a->script | b->script) & WARDEN_SCRIPT_OTHER) return false;
    int j = pj[k];
    if (a->len[k] >= 7 || b->len[j] >= 7) return false;
    /* vowels alone apart is a spelling of one name ("Qaida" / "Qaeda") */
    if (same_skeleton(a->t[k], a->len[k], b->t[j], b->len[j], 1)) return false;
    return warden_osa_distance(a->t[k], a->len[k], b->t[j], b->len[j], 1) == 1;
}

double warden_sibling_cap(const struct warden_screen *s, double score)
{
    double cap = s->conf.match_threshold - 0.01;
    return score > cap ? (cap > 0 ? cap : 0) : score;
}

double warden_name_score(const struct warden_screen *s, struct warden_tl *a, struct warden_tl *b,
                         struct warden_screen_match *m)
{
    if (a->n == 0 || b->n == 0) return 0;
    uint8_t script = a->script | b->script;
    struct short_acronyms sa = {0};
    /* A person's name is no acronym's expansion, and its initials are no
     * organisation's acronym: "Amap SpA" is not "Abu Mohammad Aminullah
     * Peshawari", nor "Tata" the initials of a four-word Arabic name. */
    a->capped = false;
    /* acronyms written in the listed name (b, when b->listed) that a's words
     * spell */
    struct short_acronyms listed_acr = {0};
    /* words of a that spell pieces of a listed name's words ("Sensa" for
     * SENat Shipping Agency) */
    struct short_acronyms contraction = {0};
    int short_acronyms =
        a->person || b->person
            ? 0
            : collapse_acronyms(s, a, b, &sa, NULL, b->listed ? &contraction : NULL) +
                  collapse_acronyms(s, b, a, &sa, b->listed ? &listed_acr : NULL, NULL);
    split_legal(s, a, b);
    split_legal(s, b, a);
    join_against(s, a, b, script);
    join_against(s, b, a, script);
    double sim[WARDEN_NORM_MAX_TOK][WARDEN_NORM_MAX_TOK];
    /* Most pairs of words are unrelated, and each word's letters (one bit
     * each) tell that without reading the words: unless both start alike
     * (abbreviations, skeletons, case endings), differ in length as an
     * article prefix does, or are within the edit distance warden_tok_sim
     * allows (warden_letter_mask),
     * no rule of warden_tok_sim can hold. Scripts without vowels and case
     * endings, and Korean, go to warden_tok_sim always. */
    uint32_t lb[WARDEN_NORM_MAX_TOK];
    bool masks = !(script & (WARDEN_SCRIPT_ABJAD | WARDEN_SCRIPT_INFLECT | WARDEN_SCRIPT_HANGUL));
    if (masks)
        for (int j = 0; j < b->n; j++) lb[j] = warden_letter_mask(b->t[j], b->len[j]);
    for (int i = 0; i < a->n; i++) {
        uint32_t la = masks ? warden_letter_mask(a->t[i], a->len[i]) : 0;
        for (int j = 0; j < b->n; j++) {
            double v;
            if (a->id[i] == b->id[j] && a->id[i] != UINT32_MAX)
                v = 1.0;
            else if (masks && !may_be_alike(a->t[i], a->len[i], la, b->t[j], b->len[j], lb[j]))
                v = 0.0; /* what warden_tok_sim would find, without reading the words */
            else
                v = warden_tok_sim(s, a->t[i], a->len[i], b->t[j], b->len[j], script);
            if (v < 0.5 && (a->slen[i] || b->slen[j]) && a->id[i] != b->id[j]) {
                /* rewritten words compared as written: a typo in "first" is not "1" */
                const char *x = a->slen[i] ? a->surf[i] : a->t[i];
                const char *y = b->slen[j] ? b->surf[j] : b->t[j];
                size_t lx = a->slen[i] ? a->slen[i] : a->len[i];
                size_t ly = b->slen[j] ? b->slen[j] : b->len[j];
                double u = 0.95 * warden_tok_sim(s, x, lx, y, ly, script);
                if (u > v) v = u;
            }
            sim[i][j] = v;
        }
    }
    bool ua[WARDEN_NORM_MAX_TOK] = {false}, ub[WARDEN_NORM_MAX_TOK] = {false};
    double ba[WARDEN_NORM_MAX_TOK] = {0}, bb[WARDEN_NORM_MAX_TOK] = {0};
    int pj[WARDEN_NORM_MAX_TOK]; /* the word of b a's word i is paired with */
    double num = 0, den = 0;
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
        ba[bi] = bb[bj] = best;
        pj[bi] = bj;
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
    legal_typos(s, a, ua, b);
    legal_typos(s, b, ub, a);
    /* a qualifier only one side has weighs qualifier_weight ("X (Switzerland) AG"),
     * when the words both share include a distinctive one (rare in the lists, or
     * no common word of company names: "VTB"): in "National Bank of Canada" the
     * country is what distinguishes the name */
    double qf = 1;
    /* (only worth deciding when a qualifier is left unpaired) */
    bool lone_qual = false;
    for (int i = 0; i < a->n && !lone_qual; i++) lone_qual = !ua[i] && (a->qual & (1u << i));
    for (int j = 0; j < b->n && !lone_qual; j++) lone_qual = !ub[j] && (b->qual & (1u << j));
    for (int i = 0; i < a->n && qf == 1 && lone_qual; i++)
        if (ua[i] && ba[i] >= 0.85 && !(a->qual & (1u << i)) && !a->minor[i] &&
            (a->w[i] >= 0.65f * s->max_weight ||
             !warden_normalizer_is_generic(s->nz, a->t[i], a->len[i])))
            qf = s->conf.qualifier_weight;
    for (int i = 0; i < a->n; i++) den += a->w[i] * (!ua[i] && (a->qual & (1u << i)) ? qf : 1);
    for (int j = 0; j < b->n; j++) den += b->w[j] * (!ub[j] && (b->qual & (1u << j)) ? qf : 1);
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
    double thr = s->conf.match_threshold;
    if (s->conf.brand_match && score < thr && (brand_of(s, a, b) || brand_of(s, b, a))) {
        score = thr + 0.01 < 1 ? thr + 0.01 : 1;
        method = "brand";
    }
    /* near siblings: each side keeps a distinctive word the other lacks, or a
     * legal form of a distinct family ("X Trust") stands against a word ("X
     * Bank"); the whole names agreeing by skeleton are the same words without
     * vowels */
    bool xa = has_unmatched(a, ua, ba), xb = has_unmatched(b, ub, bb);
    uint32_t dis = warden_normalizer_legal_distinct(s->nz);
    xa |= (a->legal & dis) && !(warden_normalizer_legal_family(s->nz, a->legal) & b->legal);
    xb |= (b->legal & dis) && !(warden_normalizer_legal_family(s->nz, b->legal) & a->legal);
    a->sibling = s->conf.sibling_review && strcmp(method, "skeleton") != 0 && xa && xb;
    if (a->sibling) {
        /* siblings sharing most of their weight are flagged for review, not dropped */
        double ma = 0, ta = 0, mb = 0, tb = 0;
        for (int i = 0; i < a->n; i++) ta += a->w[i], ma += ua[i] && ba[i] >= 0.85 ? a->w[i] : 0;
        for (int j = 0; j < b->n; j++) tb += b->w[j], mb += ub[j] && bb[j] >= 0.85 ? b->w[j] : 0;
        if (ta > 0 && tb > 0 && ma >= 0.5 * ta && mb >= 0.5 * tb &&
            score < s->conf.review_threshold)
            score = s->conf.review_threshold;
        if (score >= thr) score = warden_sibling_cap(s, score);
        method = "sibling";
    }
    if (short_acronyms && score >= thr && s->conf.short_acronym_review &&
        !acronym_supported(s, a, ua, ba, &sa)) {
        /* "CMT" for "Cosmote Mobile Telecommunications", "CSC" for three
         * surnames: a three-letter acronym alone is not enough to match */
        score = warden_sibling_cap(s, score);
        a->capped = true;
        method = "short_acronym";
    }
    if (listed_acr.n && score >= thr && !acronym_supported(s, a, ua, ba, &listed_acr)) {
        /* Lists write out the names they know: a party listed only under an
         * acronym ("AICTC", "NITC") whose letters the query's words happen
         * to start with ("Atrin Information & Communications Technology
         * Company", "National Information Technology Center") is matched on
         * initials alone, for review; a party listed with its full name
         * matches that name directly. */
        score = warden_sibling_cap(s, score);
        a->capped = true;
        method = "listed_acronym";
    }
    if (contraction.n && score >= thr && !acronym_supported(s, a, ua, ba, &contraction)) {
        /* The same for a word of a that spells pieces of a listed name's
         * words: "Sensa ehf" is not SENat Shipping Agency. A contraction the
         * party goes by ("KOMID") is written in its record as a name of its
         * own, and matches that name directly. */
        score = warden_sibling_cap(s, score);
        a->capped = true;
        method = "contraction";
    }
    if (generic_only(s, a, ua, ba) && generic_only(s, b, ub, bb)) {
        /* "Telecom Ltd" / "AO NPP SVYAZ" (JSC ... "Communication"): two names
         * that are each one common word of company names, paired with no
         * place, say nothing distinctive; for review, not a match (capped
         * like a sibling, after the country, legal-form and domain bonuses) */
        if (score >= thr) score = warden_sibling_cap(s, score);
        a->sibling = true;
        method = "generic";
    }
    if (b->listed && score >= thr && !a->sibling && shared_generic(s, a, ua, ba, b, ub, bb)) {
        /* "Information Systems" / INFORMATION SYSTEMS IRAN: a listed name
         * that shares only common words of company names with the query,
         * no place, and keeps a word the query lacks, is another company as
         * often as it is the party */
        score = warden_sibling_cap(s, score);
        a->sibling = true;
        method = "generic";
    }
    if (s->conf.one_word_typo_review && score >= thr && one_word_typo(s, a, b, ua, ba, pj)) {
        /* "Kinet" / "Kinef", "Zenith Bank" / "Bank Zenit": one short word a
         * letter apart is another company's name more often than a typo */
        score = warden_sibling_cap(s, score);
        a->capped = true;
        method = "one_word_typo";
    }
    if (m) {
        m->distinctive = false;
        m->short_word = false;
        int shared = 0, len = 0;
        for (int i = 0; i < a->n; i++) {
            bool place = a->qual & (1u << i);
            if (!ua[i] || ba[i] < 0.85 || a->minor[i] ||
                (!place && warden_normalizer_is_generic(s->nz, a->t[i], a->len[i])))
                continue;
            shared++; /* a place too ("China Mobile" shares two words) */
            len = a->len[i];
            if (!place) m->distinctive = true; /* (a generic word is skipped above) */
        }
        m->short_word = shared == 1 && len <= 6 && !((a->script | b->script) & WARDEN_SCRIPT_OTHER);
        m->method = method;
        warden_tl_str(a, m->query_norm, sizeof m->query_norm);
        warden_tl_str(b, m->listed_norm, sizeof m->listed_norm);
        warden_normalizer_legal_str(s->nz, a->legal, m->query_legal, sizeof m->query_legal);
        warden_normalizer_legal_str(s->nz, b->legal, m->listed_legal, sizeof m->listed_legal);
    }
    return score;
}
