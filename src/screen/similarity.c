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
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int rowmin = 1 << 20;
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin) rowmin = v;
        }
        if (rowmin > maxd) return maxd + 1;
    }
    return d[la][lb];
}
