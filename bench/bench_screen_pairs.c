/* bench_screen_pairs.c — precision, recall and F1 of name matching on the
 * labelled pair sets, per kind of variation, next to plain Jaro-Winkler and
 * (when WARDEN_PREV_BIN names a previous `warden` binary, see
 * bench/screen_compare.sh) the previous matcher, all in the same run.
 *
 * Two groups are reported separately:
 *   tuning   data/screen/pairs_generated.tsv (generated from the OFAC lists),
 *            pairs_hand.tsv, pairs_variants.tsv and pairs_variants2.tsv: the
 *            matcher was developed
 *            against these;
 *   held-out data/screen/pairs_heldout.tsv: never tuned on;
 *   mined    acronym aliases of the lists' organisations against their other
 *            names, and against another organisation's name whose initials
 *            begin the same way (generated here; never tuned on).
 * Each pair is scored exactly as `warden match-names` does. Jaro-Winkler runs on
 * case-folded raw names with its threshold chosen for the best F1 on the
 * tuning group (then applied unchanged to the held-out group). "org" rows count
 * organisations only (kinds not starting with person_). Last, each group's
 * organisations again with screen.short_acronym_review off.
 * Usage: bench_screen_pairs [--verbose]   (lists the tuning group's errors) */
#include "screen/internal.h"
#include "screen/screen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { M_NEW, M_PREV, M_JW, M_N };

struct pair {
    char *a, *b, *kind;
    int label, group; /* 0 tuning, 1 held-out */
    double score[M_N];
    bool match[M_N];
};

static struct pair *pairs;
static size_t np, cap;

static void read_pairs(const char *path, int group)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "bench_screen_pairs: cannot open %s\n", path);
        exit(1);
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
        if (np == cap) {
            cap = cap ? cap * 2 : 1024;
            pairs = realloc(pairs, cap * sizeof *pairs);
        }
        pairs[np++] = (struct pair){strdup(col[0]), strdup(col[1]), strdup(col[3] ? col[3] : "-"),
                                    atoi(col[2]),   group,          {0},
                                    {false}};
    }
    free(line);
    fclose(in);
}

static void add_pair(const char *a, const char *b, int label, const char *kind, int group)
{
    if (np == cap) {
        cap = cap ? cap * 2 : 1024;
        pairs = realloc(pairs, cap * sizeof *pairs);
    }
    pairs[np++] = (struct pair){strdup(a), strdup(b), strdup(kind), label, group, {0}, {false}};
}

/* an acronym as lists write it: one word of 3-8 capital letters */
static bool acronym_like(const char *n)
{
    size_t l = strlen(n);
    if (l < 3 || l > 8) return false;
    for (size_t i = 0; i < l; i++)
        if (n[i] < 'A' || n[i] > 'Z') return false;
    return true;
}

static size_t initials(const char *n, char *out, size_t outlen)
{
    size_t k = 0;
    for (const char *c = n; *c && k + 1 < outlen; c++)
        if (isalpha((unsigned char)*c) && (c == n || !isalnum((unsigned char)c[-1])))
            out[k++] = (char)toupper((unsigned char)*c);
    out[k] = '\0';
    return k;
}

/* Pairs mined from the lists themselves (group 2): every organisation's
 * acronym alias against its other names (same party), and against another
 * organisation's name whose initials begin like the acronym (a look-alike).
 * Generated in the bench, never seen while tuning. */
static void mine_acronyms(const struct warden_screen *s)
{
    size_t n = warden_screen_n_entities(s), made = 0;
    for (size_t i = 0; i < n && made < 400; i++) {
        const struct warden_screen_entity *e = warden_screen_entity_at(s, i);
        if (e->kind != WARDEN_SCREEN_KIND_ORG) continue;
        for (uint32_t j = 0; j < e->n_names; j++) {
            const char *a = warden_screen_entity_name(s, e, j);
            if (!acronym_like(a)) continue;
            const char *full = NULL;
            for (uint32_t k = 0; k < e->n_names && !full; k++) {
                const char *p = warden_screen_entity_name(s, e, k);
                if (k != j && strchr(p, ' ') && !strstr(p, a)) full = p;
            }
            if (!full) continue;
            /* a different organisation whose initials start as the acronym does */
            const char *other = NULL;
            for (size_t d = 1; d < n && !other; d++) {
                const struct warden_screen_entity *o =
                    warden_screen_entity_at(s, (i + d * 7919) % n);
                if (o == e || o->kind != WARDEN_SCREEN_KIND_ORG || !o->n_names) continue;
                const char *p = warden_screen_entity_name(s, o, 0);
                char in[32];
                if (strchr(p, ' ') && initials(p, in, sizeof in) >= 2 && in[0] == a[0] &&
                    in[1] == a[1])
                    other = p;
            }
            add_pair(a, full, 1, "list_acronym", 2);
            if (other) add_pair(a, other, 0, "list_acronym", 2);
            made++;
            break;
        }
    }
}

static double jw_raw(const char *a, const char *b)
{
    char ua[512], ub[512];
    snprintf(ua, sizeof ua, "%s", a);
    snprintf(ub, sizeof ub, "%s", b);
    for (char *c = ua; *c; c++) *c = (char)toupper((unsigned char)*c);
    for (char *c = ub; *c; c++) *c = (char)toupper((unsigned char)*c);
    return warden_jaro_winkler(ua, strlen(ua), ub, strlen(ub));
}

/* the previous matcher: its own binary's match-names on the same pairs */
static bool run_prev(const char *bin, const char *data)
{
    char tmp[] = "/tmp/bench_pairs.XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) return false;
    FILE *f = fdopen(fd, "w");
    for (size_t i = 0; i < np; i++) fprintf(f, "%s\t%s\n", pairs[i].a, pairs[i].b);
    fclose(f);
    char cmd[4096];
    /* its own data (WARDEN_PREV_DATA: the previous revision's data/), through the
     * environment: older binaries have no --data-dir */
    const char *pd = getenv("WARDEN_PREV_DATA");
    snprintf(cmd, sizeof cmd, "WARDEN_DATA_DIR='%s' '%s' match-names < '%s' 2>/dev/null",
             pd && *pd ? pd : data, bin, tmp);
    FILE *p = popen(cmd, "r");
    size_t i = 0;
    double sc;
    int m;
    while (p && i < np && fscanf(p, "%lf\t%d", &sc, &m) == 2) {
        pairs[i].score[M_PREV] = sc;
        pairs[i].match[M_PREV] = m == 1;
        i++;
    }
    if (p) pclose(p);
    unlink(tmp);
    return i == np;
}

struct cnt {
    long tp, fp, fn, tn;
};

static void add(struct cnt *c, int label, bool m)
{
    if (label && m)
        c->tp++;
    else if (label)
        c->fn++;
    else if (m)
        c->fp++;
    else
        c->tn++;
}

static double f1(const struct cnt *c)
{
    double p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 1;
    double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 1;
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static void row(const char *label, const struct cnt c[M_N], bool prev)
{
    double p = c[0].tp + c[0].fp ? (double)c[0].tp / (double)(c[0].tp + c[0].fp) : 1;
    double r = c[0].tp + c[0].fn ? (double)c[0].tp / (double)(c[0].tp + c[0].fn) : 1;
    printf("%-20s %4ld %4ld %4ld %4ld  %6.3f %6.3f  %6.3f", label, c[0].tp, c[0].fn, c[0].tn,
           c[0].fp, p, r, f1(&c[0]));
    if (prev)
        printf("  %6.3f", f1(&c[M_PREV]));
    else
        printf("  %6s", "-");
    printf("  %6.3f\n", f1(&c[M_JW]));
}

static void table(int group, bool prev)
{
    static const char *const groups[] = {"tuning", "held-out", "mined from the lists (acronyms)"};
    printf("\n== %s pairs\n", groups[group]);
    printf("%-20s %4s %4s %4s %4s  %6s %6s  %6s  %6s  %6s\n", "kind", "TP", "FN", "TN", "FP",
           "prec", "recall", "F1", "F1prev", "F1 JW");
    const char *kinds[64];
    int nk = 0;
    for (size_t i = 0; i < np; i++) {
        if (pairs[i].group != group) continue;
        bool seen = false;
        for (int k = 0; k < nk && !seen; k++) seen = strcmp(kinds[k], pairs[i].kind) == 0;
        if (!seen && nk < 64) kinds[nk++] = pairs[i].kind;
    }
    struct cnt all[M_N] = {{0}}, org[M_N] = {{0}};
    for (int k = 0; k < nk; k++) {
        struct cnt c[M_N] = {{0}};
        for (size_t i = 0; i < np; i++) {
            const struct pair *p = &pairs[i];
            if (p->group != group || strcmp(p->kind, kinds[k]) != 0) continue;
            for (int m = 0; m < M_N; m++) {
                add(&c[m], p->label, p->match[m]);
                add(&all[m], p->label, p->match[m]);
                if (strncmp(p->kind, "person_", 7) != 0) add(&org[m], p->label, p->match[m]);
            }
        }
        row(kinds[k], c, prev);
    }
    row("ALL", all, prev);
    row("ORGANISATIONS", org, prev);
}

/* Every name of three capital letters ("ABC", then "ABC Ltd") screened
 * against the lists: how many would match a listed party. A benign company
 * called by its initials is blocked that often (precision where no labelled
 * pair can tell). */
static void three_letter_names(const struct warden_screen *s, struct warden_screen_scratch *w,
                               const char *setting)
{
    long n = 0, match = 0, review = 0, match_ltd = 0;
    char q[16];
    for (int i = 0; i < 26 * 26 * 26; i++)
        for (int ltd = 0; ltd <= 1; ltd++) {
            snprintf(q, sizeof q, "%c%c%c%s", 'A' + i / 676, 'A' + i / 26 % 26, 'A' + i % 26,
                     ltd ? " Ltd" : "");
            struct warden_screen_match m[1];
            struct warden_screen_query qq = {q, NULL, NULL, NULL};
            int k = warden_screen_name(s, w, &qq, m, 1);
            if (ltd) {
                match_ltd += k > 0 && m[0].is_match;
                continue;
            }
            n++;
            match += k > 0 && m[0].is_match;
            review += k > 0 && !m[0].is_match;
        }
    printf("three-letter names, %s: %ld of %ld match a listed party (%.1f%%), %ld more are "
           "possible matches; with \" Ltd\": %ld match (%.1f%%)\n",
           setting, match, n, 100.0 * (double)match / (double)n, review, match_ltd,
           100.0 * (double)match_ltd / (double)n);
}

int main(int argc, char **argv)
{
    bool verbose = argc > 1 && strcmp(argv[1], "--verbose") == 0;
    const char *data = warden_screen_default_data_dir();
    char path[1024];
    const char *tune[] = {"pairs_generated.tsv", "pairs_hand.tsv", "pairs_variants.tsv",
                          "pairs_variants2.tsv"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/screen/%s", data, tune[i]);
        read_pairs(path, 0);
    }
    snprintf(path, sizeof path, "%s/screen/pairs_heldout.tsv", data);
    read_pairs(path, 1);
    char err[512], manifest[1024], ndir[1024];
    snprintf(manifest, sizeof manifest, "%s/lists/lists.tsv", data);
    snprintf(ndir, sizeof ndir, "%s/screen", data);
    struct warden_screen *s;
    if (warden_screen_load(&s, manifest, ndir, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "bench_screen_pairs: %s\n", err);
        return 1;
    }
    mine_acronyms(s);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    for (size_t i = 0; i < np; i++) {
        struct pair *p = &pairs[i];
        p->score[M_NEW] = warden_screen_compare(s, w, p->a, p->b, &p->match[M_NEW]);
        p->score[M_JW] = jw_raw(p->a, p->b);
        if (verbose && p->group == 0 && p->label != (int)p->match[M_NEW])
            printf("%s %.3f\t%s\t%s\t%s\n", p->label ? "FN" : "FP", p->score[M_NEW], p->a, p->b,
                   p->kind);
    }
    /* Jaro-Winkler threshold: best F1 on the tuning group */
    double bt = 0.9, bf = -1;
    for (double t = 0.70; t < 0.995; t += 0.01) {
        struct cnt c = {0};
        for (size_t i = 0; i < np; i++)
            if (pairs[i].group == 0) add(&c, pairs[i].label, pairs[i].score[M_JW] >= t);
        if (f1(&c) > bf) bf = f1(&c), bt = t;
    }
    for (size_t i = 0; i < np; i++) pairs[i].match[M_JW] = pairs[i].score[M_JW] >= bt;
    const char *prev_bin = getenv("WARDEN_PREV_BIN");
    bool prev = prev_bin && *prev_bin && run_prev(prev_bin, data);
    if (prev_bin && *prev_bin && !prev)
        fprintf(stderr, "bench_screen_pairs: %s match-names failed; no previous column\n",
                prev_bin);
    printf("Warden threshold %.2f; Jaro-Winkler threshold %.2f (best F1 on the tuning pairs); "
           "previous matcher: %s\n",
           warden_screen_get_conf(s)->match_threshold, bt, prev ? prev_bin : "not run");
    table(0, prev);
    table(1, prev);
    table(2, prev);
    printf("\n");
    three_letter_names(s, w, "short_acronym_review true");
    /* the setting that trades precision for recall on short acronyms */
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    c.short_acronym_review = false;
    warden_screen_set_conf(s, &c);
    warden_screen_conf_fini(&c);
    printf("\n== organisations with screen.short_acronym_review false (three-letter acronyms "
           "match)\n");
    for (int g = 0; g < 3; g++) {
        struct cnt o = {0};
        for (size_t i = 0; i < np; i++) {
            const struct pair *p = &pairs[i];
            if (p->group != g || strncmp(p->kind, "person_", 7) == 0) continue;
            bool m;
            warden_screen_compare(s, w, p->a, p->b, &m);
            add(&o, p->label, m);
        }
        double pr = o.tp + o.fp ? (double)o.tp / (double)(o.tp + o.fp) : 1;
        double rc = o.tp + o.fn ? (double)o.tp / (double)(o.tp + o.fn) : 1;
        printf("%-20s precision %.3f recall %.3f F1 %.3f\n",
               g == 0   ? "tuning"
               : g == 1 ? "held-out"
                        : "mined",
               pr, rc, f1(&o));
    }
    three_letter_names(s, w, "short_acronym_review false");
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    for (size_t i = 0; i < np; i++) free(pairs[i].a), free(pairs[i].b), free(pairs[i].kind);
    free(pairs);
    return 0;
}
