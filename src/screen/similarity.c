/* similarity.c — string similarity for single words: Jaro-Winkler (the
 * classic name-matching measure, used for explanation and as one signal) and a
 * bounded optimal-string-alignment edit distance (typos: insertions,
 * deletions, substitutions, adjacent transpositions), which separates one-typo
 * variants ("huawey") from different words sharing a prefix ("sharif" vs
 * "sharing") better than Jaro-Winkler does. */
#include "screen/internal.h"

#include <string.h>

double warden_jaro_winkler(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == 0 && lb == 0) return 1.0;
    if (la == 0 || lb == 0) return 0.0;
    if (la > 64) la = 64;
    if (lb > 64) lb = 64;
    size_t range = (la > lb ? la : lb) / 2;
    range = range ? range - 1 : 0;
    bool ma[64] = {false}, mb[64] = {false};
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > range ? i - range : 0, hi = i + range + 1 < lb ? i + range + 1 : lb;
        for (size_t j = lo; j < hi; j++) {
            if (mb[j] || a[i] != b[j]) continue;
            ma[i] = mb[j] = true;
            m++;
            break;
        }
    }
    if (!m) return 0.0;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < la; i++) {
        if (!ma[i]) continue;
        while (!mb[k]) k++;
        if (a[i] != b[k]) t++;
        k++;
    }
    double md = (double)m;
    double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
    size_t p = 0;
    while (p < 4 && p < la && p < lb && a[p] == b[p]) p++;
    return jaro + (double)p * 0.1 * (1.0 - jaro);
}

int warden_osa_distance(const char *a, size_t la, const char *b, size_t lb, int maxd)
{
    if (la > 63) la = 63;
    if (lb > 63) lb = 63;
    int diff = (int)la - (int)lb;
    if (diff > maxd || -diff > maxd) return maxd + 1;
    /* bag distance is a lower bound: cheap rejection of unrelated words */
    int cnt[32] = {0};
    for (size_t i = 0; i < la; i++) cnt[(unsigned char)a[i] & 31]++;
    for (size_t j = 0; j < lb; j++) cnt[(unsigned char)b[j] & 31]--;
    int pos = 0, neg = 0;
    for (int k = 0; k < 32; k++) {
        if (cnt[k] > 0)
            pos += cnt[k];
        else
            neg -= cnt[k];
    }
    if ((pos > neg ? pos : neg) > maxd) return maxd + 1;
    /* banded dynamic programme: only cells with |i - j| <= maxd can stay within maxd */
    enum { BIG = 1 << 20 };
    int r0[64], r1[64], r2[64]; /* rows i-2, i-1, i */
    int *pp = r0, *p = r1, *c = r2;
    for (size_t j = 0; j <= lb; j++) p[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        size_t lo = i > (size_t)maxd ? i - (size_t)maxd : 1;
        size_t hi = i + (size_t)maxd < lb ? i + (size_t)maxd : lb;
        c[0] = (int)i;
        if (lo > 1) c[lo - 1] = BIG;
        int rowmin = BIG;
        for (size_t j = lo; j <= hi; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = p[j] + 1;
            if (j > lo || lo == 1) {
                if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
            }
            if (p[j - 1] + cost < v) v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < rowmin) rowmin = v;
        }
        if (hi < lb) c[hi + 1] = BIG;
        if (rowmin > maxd) return maxd + 1;
        int *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[lb] > maxd ? maxd + 1 : p[lb];
}

uint32_t warden_letter_mask(const char *t, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) m |= 1u << ((unsigned char)t[i] & 31);
    return m;
}

/* the consonants (not a e i o u y w) a word has, one bit each */
static uint32_t consonants(const char *t, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) m |= 1u << ((unsigned char)t[i] & 31);
    return m & ~((1u << ('a' & 31)) | (1u << ('e' & 31)) | (1u << ('i' & 31)) | (1u << ('o' & 31)) |
                 (1u << ('u' & 31)) | (1u << ('y' & 31)) | (1u << ('w' & 31)));
}

bool warden_consonants_apart(const char *a, size_t la, const char *b, size_t lb, int k)
{
    uint32_t ca = consonants(a, la), cb = consonants(b, lb), x = ca & ~cb, y = cb & ~ca;
    for (; k > 0; k--) x &= x - 1, y &= y - 1; /* clear the lowest k bits of each */
    return x && y;
}
