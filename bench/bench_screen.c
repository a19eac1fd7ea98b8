/* bench_screen.c — screening speed on one core against every loaded list, and
 * the memory the lists and index take. Queries are both sides of the labelled
 * pairs (listed names, their variants and look-alike non-matches), screened in
 * a loop for about two seconds. Baseline from the same run: an exhaustive scan
 * comparing a query with every listed name using the same scorer (what a
 * matcher without a candidate index does), measured on a few queries.
 * Usage: bench_screen [SECONDS]   (CPU seconds of screening, default 2)
 * WARDEN_BENCH_DUMP=FILE writes each query's results (entity, matched name,
 * score, match) to FILE first: two builds' files compare a speed change's
 * results exactly. */
#include "screen/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this thread: the machine may be shared, and the figure is per core */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    const char *data = warden_screen_default_data_dir();
    char manifest[1024], ndir[1024], err[512];
    snprintf(manifest, sizeof manifest, "%s/lists/lists.tsv", data);
    snprintf(ndir, sizeof ndir, "%s/screen", data);
    double t0 = now();
    struct warden_screen *s;
    if (warden_screen_load(&s, manifest, ndir, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "bench_screen: %s\n", err);
        return 1;
    }
    double load = now() - t0;
    struct warden_screen_stats st;
    warden_screen_stats(s, &st);
    /* queries */
    char path[1100];
    snprintf(path, sizeof path, "%s/screen/pairs_generated.tsv", data);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_screen: cannot open %s\n", path);
        return 1;
    }
    char **q = NULL;
    size_t nq = 0, cap = 0;
    long pos = 0, found = 0; /* screening recall: a positive variant finds its listed name */
    struct warden_screen_scratch *w0 = warden_screen_scratch_new(s);
    char *line = NULL;
    size_t lc = 0;
    while (getline(&line, &lc, f) > 0) {
        char *a = line, *b = strchr(line, '\t');
        if (!b) continue;
        *b++ = '\0';
        char *e = strchr(b, '\t');
        if (e) *e++ = '\0';
        if (e && *e == '1') {
            struct warden_screen_match mm[5];
            struct warden_screen_query qq = {b, NULL, NULL, NULL};
            int k = warden_screen_name(s, w0, &qq, mm, 5);
            pos++;
            for (int i = 0; i < k; i++) {
                bool same = false;
                for (uint32_t j = 0; j < mm[i].entity->n_names && !same; j++)
                    same = strcmp(warden_screen_entity_name(s, mm[i].entity, j), a) == 0;
                if (same && mm[i].is_match) {
                    found++;
                    break;
                }
            }
        }
        if (nq + 2 > cap) {
            cap = cap ? cap * 2 : 1024;
            q = realloc(q, cap * sizeof *q);
        }
        q[nq++] = strdup(a);
        q[nq++] = strdup(b);
    }
    free(line);
    fclose(f);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_screen_match m[5];
    const char *dump = getenv("WARDEN_BENCH_DUMP");
    FILE *df = dump ? fopen(dump, "w") : NULL;
    for (size_t i = 0; df && i < nq; i++) {
        struct warden_screen_query qq = {q[i], NULL, NULL, NULL};
        int k = warden_screen_name(s, w, &qq, m, 5);
        fprintf(df, "%s", q[i]);
        for (int j = 0; j < k; j++) {
            fprintf(df, "\t%s:%s|%s|%.6f|%.6f|%.3f|%d|%s|%s/%s", m[j].entity->list,
                    m[j].entity->source_id, m[j].matched_name, m[j].score, m[j].name_score,
                    m[j].adj_legal, m[j].is_match, m[j].method, m[j].query_norm, m[j].listed_norm);
            for (int p = 0; p < m[j].n_pairs; p++)
                fprintf(df, "|%s=%s:%.4f", m[j].pairs[p].query, m[j].pairs[p].listed,
                        m[j].pairs[p].sim);
        }
        fputc('\n', df);
    }
    if (df) fclose(df);
    long n = 0, hits = 0;
    t0 = now();
    double t1 = t0, c0 = cpu(), c1 = c0;
    /* SECONDS of this thread's CPU time: on a busy machine wall time would
     * give a few passes only */
    while (c1 - c0 < secs) {
        for (size_t i = 0; i < nq; i++) {
            struct warden_screen_query qq = {q[i], NULL, NULL, NULL};
            int k = warden_screen_name(s, w, &qq, m, 5);
            hits += k > 0 && m[0].is_match;
            n++;
        }
        c1 = cpu();
    }
    t1 = now();
    double rate = (double)n / (c1 - c0), wall = (double)n / (t1 - t0);
    /* baseline: exhaustive scan with the same scorer */
    size_t nb = getenv("WARDEN_BENCH_NO_BASELINE") ? 0 : 5;
    double b0 = cpu();
    for (size_t i = 0; i < nb; i++)
        for (size_t e = 0; e < warden_screen_n_entities(s); e++) {
            const struct warden_screen_entity *en = warden_screen_entity_at(s, e);
            for (uint32_t j = 0; j < en->n_names; j++)
                (void)warden_screen_compare(s, w, q[i * 97 % nq],
                                            warden_screen_entity_name(s, en, j), NULL);
        }
    double brate = nb ? (double)nb / (cpu() - b0) : 0;
    printf("lists: %zu lists, %zu entities, %zu names, %zu index keys; loaded in %.2f s\n",
           st.lists, st.entities, st.names, st.index_keys, load);
    printf("memory for lists and index: %.1f MiB\n", (double)st.memory_bytes / 1048576.0);
    printf("screenings: %ld in %.2f s CPU on one core = %.0f screenings/s (%.1f us each; %.0f/s "
           "by wall clock); %.1f%% of queries matched\n",
           n, c1 - c0, rate, 1e6 / rate, wall, 100.0 * (double)hits / (double)n);
    printf("screening recall: %ld of %ld generated variants found their listed party (%.3f)\n",
           found, pos, pos ? (double)found / (double)pos : 0);
    printf("baseline exhaustive scan (same scorer, no index): %.1f screenings/s; index speed-up "
           "x%.0f\n",
           brate, rate / brate);
    warden_screen_scratch_free(w);
    warden_screen_scratch_free(w0);
    for (size_t i = 0; i < nq; i++) free(q[i]);
    free(q);
    warden_screen_free(s);
    return 0;
}
