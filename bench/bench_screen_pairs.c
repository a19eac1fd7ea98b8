/* bench_screen_pairs.c — precision and recall of name matching on the labelled
 * pair set (data/screen/pairs_generated.tsv from scripts/gen_screen_pairs.sh,
 * and the hand-written data/screen/pairs_hand.tsv with Chinese, Cyrillic and
 * Arabic cases). Each pair is scored exactly as `warden match-names` does. The
 * baseline printed beside it is plain Jaro-Winkler on case-folded names at
 * its best threshold (chosen on this same set, so it is flattering).
 * Usage: bench_screen_pairs [PAIRS.tsv...]   (WARDEN_PAIRS_VERBOSE=1 lists errors) */
#include "screen/screen.h"
#include "screen/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXK 32

struct kstat {
    char kind[32];
    long tp, fp, tn, fn;
};

static struct kstat ks[MAXK];
static int nk;

static struct kstat *kind(const char *k)
{
    for (int i = 0; i < nk; i++)
        if (strcmp(ks[i].kind, k) == 0) return &ks[i];
    if (nk == MAXK) return &ks[MAXK - 1];
    snprintf(ks[nk].kind, sizeof ks[nk].kind, "%s", k);
    return &ks[nk++];
}

struct pair {
    char *a, *b;
    int label;
    double jw, score;
};

int main(int argc, char **argv)
{
    const char *files[8];
    int nf = 0;
    for (int i = 1; i < argc && nf < 8; i++) files[nf++] = argv[i];
    if (!nf) {
        files[nf++] = "data/screen/pairs_generated.tsv";
        files[nf++] = "data/screen/pairs_hand.tsv";
    }
    char err[512];
    struct warden_screen *s;
    const char *data = warden_screen_default_data_dir();
    char manifest[1024], ndir[1024];
    snprintf(manifest, sizeof manifest, "%s/lists/lists.tsv", data);
    snprintf(ndir, sizeof ndir, "%s/screen", data);
    if (warden_screen_load(&s, manifest, ndir, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "bench_screen_pairs: %s\n", err);
        return 1;
    }
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    bool verbose = getenv("WARDEN_PAIRS_VERBOSE") != NULL;
    struct pair *pairs = NULL;
    size_t np = 0, cap = 0;
    long tp = 0, fp = 0, tn = 0, fn = 0;
    for (int f = 0; f < nf; f++) {
        FILE *in = fopen(files[f], "r");
        if (!in) {
            fprintf(stderr, "bench_screen_pairs: cannot open %s\n", files[f]);
            return 1;
        }
        char *line = NULL;
        size_t lc = 0;
        ssize_t n;
        while ((n = getline(&line, &lc, in)) >= 0) {
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
            if (!n || line[0] == '#') continue;
            char *col[4] = {line, NULL, NULL, NULL};
            for (int c = 1; c < 4; c++) {
                col[c] = col[c - 1] ? strchr(col[c - 1], '\t') : NULL;
                if (col[c]) *col[c]++ = '\0';
            }
            if (!col[2]) continue;
            int label = atoi(col[2]);
            bool m;
            double sc = warden_screen_compare(s, w, col[0], col[1], &m);
            struct kstat *k = kind(col[3] ? col[3] : "-");
            if (label && m)
                tp++, k->tp++;
            else if (label && !m)
                fn++, k->fn++;
            else if (!label && m)
                fp++, k->fp++;
            else
                tn++, k->tn++;
            if (verbose && (label != (int)m))
                printf("%s %.3f\t%s\t%s\t%s\n", label ? "FN" : "FP", sc, col[0], col[1], col[3]);
            /* baseline: Jaro-Winkler on upper-cased raw names */
            if (np == cap) {
                cap = cap ? cap * 2 : 1024;
                pairs = realloc(pairs, cap * sizeof *pairs);
            }
            char ua[512], ub[512];
            snprintf(ua, sizeof ua, "%s", col[0]);
            snprintf(ub, sizeof ub, "%s", col[1]);
            for (char *c = ua; *c; c++) *c = (char)toupper((unsigned char)*c);
            for (char *c = ub; *c; c++) *c = (char)toupper((unsigned char)*c);
            pairs[np++] = (struct pair){NULL, NULL, label,
                                        warden_jaro_winkler(ua, strlen(ua), ub, strlen(ub)), sc};
        }
        free(line);
        fclose(in);
    }
    printf("%-10s %6s %6s %6s %6s %9s %7s\n", "kind", "TP", "FN", "TN", "FP", "precision",
           "recall");
    for (int i = 0; i < nk; i++) {
        struct kstat *k = &ks[i];
        double p = k->tp + k->fp ? (double)k->tp / (double)(k->tp + k->fp) : 1;
        double r = k->tp + k->fn ? (double)k->tp / (double)(k->tp + k->fn) : 1;
        printf("%-10s %6ld %6ld %6ld %6ld %9.3f %7.3f\n", k->kind, k->tp, k->fn, k->tn, k->fp, p,
               r);
    }
    double P = tp + fp ? (double)tp / (double)(tp + fp) : 1, R = (double)tp / (double)(tp + fn);
    printf("ALL: %zu pairs, precision %.4f, recall %.4f, F1 %.4f (threshold %.2f)\n", np, P, R,
           2 * P * R / (P + R), warden_screen_get_conf(s)->match_threshold);
    printf("threshold sweep (Warden scores):");
    for (double t = 0.80; t < 0.945; t += 0.02) {
        long a = 0, b = 0, c = 0;
        for (size_t i = 0; i < np; i++) {
            bool m = pairs[i].score >= t;
            if (pairs[i].label && m)
                a++;
            else if (!pairs[i].label && m)
                b++;
            else if (pairs[i].label)
                c++;
        }
        printf(" %.2f: P %.3f R %.3f;", t, a + b ? (double)a / (double)(a + b) : 1,
               (double)a / (double)(a + c));
    }
    printf("\n");
    double best_f1 = 0, bp = 0, br = 0, bt = 0;
    for (double t = 0.70; t < 0.995; t += 0.01) {
        long a = 0, b = 0, c = 0;
        for (size_t i = 0; i < np; i++) {
            bool m = pairs[i].jw >= t;
            if (pairs[i].label && m)
                a++;
            else if (!pairs[i].label && m)
                b++;
            else if (pairs[i].label)
                c++;
        }
        double p = a + b ? (double)a / (double)(a + b) : 1, r = (double)a / (double)(a + c);
        double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
        if (f1 > best_f1) best_f1 = f1, bp = p, br = r, bt = t;
    }
    printf("baseline Jaro-Winkler (best threshold %.2f on this set): precision %.4f, recall "
           "%.4f, F1 %.4f\n",
           bt, bp, br, best_f1);
    free(pairs);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    return 0;
}
