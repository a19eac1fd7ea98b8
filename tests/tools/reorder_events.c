/* reorder_events.c — test tool: write the events of a JSON-lines file out of
 * time order in a controlled way, as several gateway nodes or a skewed clock
 * would.
 *   reorder_events shuffle SECONDS SEED < in > out
 *       every event moved by a random delay of up to SECONDS: the output is
 *       sorted by ts + delay, so no event is more than SECONDS out of place;
 *   reorder_events late HOURS EVERY < in > out
 *       every EVERY-th event is written HOURS later than its place in time.
 * Lines that do not decode are written unchanged at their place. */
#include "core/event_decode.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
    int64_t key;
    size_t idx;
    char *line;
};

static int cmp(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint64_t rng;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "shuffle") != 0 && strcmp(argv[1], "late") != 0)) {
        fprintf(stderr, "usage: reorder_events shuffle SECONDS SEED | late HOURS EVERY\n");
        return 2;
    }
    bool shuffle = strcmp(argv[1], "shuffle") == 0;
    int64_t a1 = strtoll(argv[2], NULL, 10), a2 = strtoll(argv[3], NULL, 10);
    rng = shuffle ? (uint64_t)a2 * 0x9E3779B97F4A7C15ull + 1 : 1;
    struct rec *r = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int64_t last = 0;
    while ((len = getline(&line, &lcap, stdin)) > 0) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            r = realloc(r, cap * sizeof *r);
        }
        r[n].line = strdup(line);
        r[n].idx = n;
        char *copy = strndup(line, (size_t)len);
        size_t l = (size_t)len;
        while (l && (copy[l - 1] == '\n' || copy[l - 1] == '\r')) l--;
        struct warden_event ev;
        char why[256];
        int64_t ts = warden_event_decode(copy, l, &ev, why, sizeof why) == 0 ? ev.ts_ms : last;
        free(copy);
        last = ts;
        if (shuffle)
            r[n].key = ts + (a1 > 0 ? (int64_t)(next_rand() % (uint64_t)(a1 * 1000)) : 0);
        else
            r[n].key = ts + ((a2 > 0 && n % (size_t)a2 == (size_t)a2 - 1) ? a1 * 3600000 : 0);
        n++;
    }
    free(line);
    qsort(r, n, sizeof *r, cmp);
    for (size_t i = 0; i < n; i++) {
        fputs(r[i].line, stdout);
        free(r[i].line);
    }
    free(r);
    return 0;
}
