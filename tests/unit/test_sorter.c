/* test_sorter.c — an input put in event-time order before it is run
 * (runtime/sorter.h): the timestamp read without decoding, sorting in
 * memory and through runs on temporary files with the same result, equal
 * timestamps in input order, each line with its own line number, bad and
 * too-long lines carried through, and auto mode looking at the start of a
 * regular file only: in order (or out of order within the lateness) it is
 * handed out as it comes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "io/source.h"
#include "runtime/sorter.h"

/* ---- a source over an array of lines ---- */

struct arr {
    char **lines;
    size_t n, i;
    char buf[4096];
};

static int arr_next(void *self, struct warden_raw_line *out, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct arr *a = self;
    if (a->i == a->n) return 0;
    const char *l = a->lines[a->i++];
    out->origin = "arr";
    out->lineno = a->i;
    out->too_long = strcmp(l, "TOO LONG") == 0;
    if (out->too_long) {
        out->line = NULL;
        out->len = 99999;
        return 1;
    }
    out->len = strlen(l);
    memcpy(a->buf, l, out->len); /* the source's buffer is reused, as a reader's is */
    out->line = a->buf;
    return 1;
}

static const struct warden_source_type arr_type = {"arr", NULL, arr_next, NULL, NULL};

static char *ev(int64_t ts, int k)
{
    char *s = NULL;
    if (asprintf(&s, "{\"ts\":%lld,\"account_id\":\"a%d\",\"ip\":\"192.0.2.1\"}", (long long)ts,
                 k) < 0)
        abort();
    return s;
}

struct got {
    uint64_t lineno[4096];
    size_t n;
    bool sorted;
    uint64_t runs;
};

/* Drain a sorter over src (of type t); every line handed out must be the
 * line of its number in a, whole. */
static void drain_src(const struct warden_source_type *t, void *src, const char *file,
                      const struct arr *a, const struct warden_sorter_conf *c, struct got *g)
{
    struct warden_sorter *s = warden_sorter_new(t, src, file, c);
    struct warden_raw_line l;
    char err[256];
    int rc;
    g->n = 0;
    while ((rc = warden_sorter_next(s, &l, err, sizeof err)) == 1) {
        assert_true(g->n < 4096);
        assert_true(l.lineno >= 1 && l.lineno <= a->n);
        const char *want = a->lines[l.lineno - 1];
        if (l.too_long) {
            assert_null(l.line);
            assert_string_equal(want, "TOO LONG");
        } else {
            assert_int_equal(l.len, strlen(want)); /* the line of that number, whole */
            assert_memory_equal(l.line, want, l.len);
        }
        g->lineno[g->n++] = l.lineno;
    }
    assert_int_equal(rc, 0);
    g->sorted = warden_sorter_sorted(s, &g->runs);
    warden_sorter_free(s);
}

static void drain(struct arr *a, const struct warden_sorter_conf *c, struct got *g)
{
    a->i = 0;
    drain_src(&arr_type, a, NULL, a, c, g);
}

/* The same lines as a file, read by the JSON-lines source, which auto
 * probes with a reader of its own. */
static void drain_file(const struct arr *a, const struct warden_sorter_conf *c, struct got *g)
{
    char path[256];
    const char *t = getenv("WARDEN_TMP");
    snprintf(path, sizeof path, "%s/test_sorter.jsonl", t ? t : "/tmp");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < a->n; i++) fprintf(f, "%s\n", a->lines[i]);
    fclose(f);
    void *src;
    char err[256];
    assert_int_equal(warden_source_jsonl.open(&src, path, 0, err, sizeof err), 0);
    drain_src(&warden_source_jsonl, src, path, a, c, g);
    warden_source_jsonl.close(src);
    remove(path);
}

static void test_line_ts(void **state)
{
    (void)state;
    int64_t ts;
    assert_int_equal(warden_sorter_line_ts("{\"ts\":\"2026-11-02T00:00:01.500Z\"}", 32, &ts), 0);
    assert_int_equal(ts, 1793577601500LL);
    const char *sp = "{ \"account_id\":\"x\" , \"ts\" : 1793577600000, \"ip\":\"1.2.3.4\"}";
    assert_int_equal(warden_sorter_line_ts(sp, strlen(sp), &ts), 0);
    assert_int_equal(ts, 1793577600000LL);
    /* "ts" inside a string value is not the key */
    const char *in = "{\"prompt\":\"say \\\"ts\\\": 5\",\"ts\":1793577600001}";
    assert_int_equal(warden_sorter_line_ts(in, strlen(in), &ts), 0);
    assert_int_equal(ts, 1793577600001LL);
    const char *val = "{\"prompt\":\"ts\",\"x\":\"ts\",\"ts\":7}";
    assert_int_equal(warden_sorter_line_ts(val, strlen(val), &ts), 0);
    assert_int_equal(ts, 7);
    assert_int_equal(warden_sorter_line_ts("{\"tss\":1}", 9, &ts), -1);
    assert_int_equal(warden_sorter_line_ts("{\"ts\":\"yesterday\"}", 18, &ts), -1);
    assert_int_equal(warden_sorter_line_ts("{\"ts\":1.5e12}", 13, &ts), -1);
    assert_int_equal(warden_sorter_line_ts("not json", 8, &ts), -1);
}

/* 300 events shuffled, some with equal times, a bad line and a too-long one */
static void shuffled(struct arr *a)
{
    a->n = 302;
    a->lines = calloc(a->n, sizeof *a->lines);
    uint64_t x = 12345;
    for (size_t i = 0; i < 300; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t ts = 1793577600000LL + (int64_t)((x >> 33) % 100) * 3600000; /* 100 hours */
        a->lines[i] = ev(ts, (int)i);
    }
    a->lines[300] = strdup("{\"ts\":\"never\",\"account_id\":\"bad\"}");
    a->lines[301] = strdup("TOO LONG");
}

static void arr_free(struct arr *a)
{
    for (size_t i = 0; i < a->n; i++) free(a->lines[i]);
    free(a->lines);
}

static int64_t ts_at(const struct arr *a, uint64_t lineno)
{
    int64_t ts;
    const char *l = a->lines[lineno - 1];
    return warden_sorter_line_ts(l, strlen(l), &ts) == 0 ? ts : INT64_MIN;
}

static void check_sorted(const struct arr *a, const struct got *g)
{
    assert_int_equal(g->n, a->n);
    /* the two without a time first, then by time; equal times in input order */
    for (size_t i = 1; i < g->n; i++) {
        int64_t p = ts_at(a, g->lineno[i - 1]), q = ts_at(a, g->lineno[i]);
        assert_true(p < q || (p == q && g->lineno[i - 1] < g->lineno[i]));
    }
    assert_true(g->sorted);
}

static void test_sort_in_memory_and_runs(void **state)
{
    (void)state;
    struct arr a = {0};
    shuffled(&a);
    struct warden_sorter_conf c = {WARDEN_ORDER_SORT, 60000, 0, 0, 0, NULL};
    struct got mem, runs, other;
    drain(&a, &c, &mem);
    check_sorted(&a, &mem);
    assert_int_equal(mem.runs, 0);
    c.memory_bytes = 1000; /* about 15 lines per run */
    drain(&a, &c, &runs);
    check_sorted(&a, &runs);
    assert_true(runs.runs > 10);
    assert_memory_equal(mem.lineno, runs.lineno, mem.n * sizeof mem.lineno[0]);
    /* auto streams what is not a file, and stream never sorts */
    c.order = WARDEN_ORDER_AUTO;
    drain(&a, &c, &other);
    assert_false(other.sorted);
    for (size_t i = 0; i < other.n; i++) assert_int_equal(other.lineno[i], i + 1);
    c.order = WARDEN_ORDER_STREAM;
    drain(&a, &c, &other);
    assert_false(other.sorted);
    for (size_t i = 0; i < other.n; i++) assert_int_equal(other.lineno[i], i + 1);
    arr_free(&a);
    /* auto on a file sees the disorder in its first lines and sorts it */
    shuffled(&a);
    a.n = 301; /* (a file cannot hold the stand-in for a too-long line) */
    c.order = WARDEN_ORDER_AUTO;
    c.probe_bytes = 2000;
    c.memory_bytes = 0;
    drain_file(&a, &c, &other);
    check_sorted(&a, &other);
    assert_int_equal(other.runs, 0); /* a file: its index sorted, lines read from a map */
    struct got file_runs;
    c.order = WARDEN_ORDER_SORT; /* an index bigger than the sort memory: chunks and runs */
    c.memory_bytes = 1000;
    drain_file(&a, &c, &file_runs);
    check_sorted(&a, &file_runs);
    assert_true(file_runs.runs > 10);
    assert_memory_equal(other.lineno, file_runs.lineno, other.n * sizeof other.lineno[0]);
    a.n = 302;
    arr_free(&a);
}

static void test_auto_in_order(void **state)
{
    (void)state;
    struct arr a = {0};
    a.n = 200;
    a.lines = calloc(a.n, sizeof *a.lines);
    /* in order, except 30 s of jitter (within the lateness), and out of
     * order by hours after the probe: that is the reorder buffer's to handle */
    for (size_t i = 0; i < a.n; i++) {
        int64_t ts = 1793577600000LL + (int64_t)i * 60000 + (i % 2 ? 30000 : 0);
        if (i == 190) ts -= 5 * 3600000;
        a.lines[i] = ev(ts, (int)i);
    }
    struct warden_sorter_conf c = {WARDEN_ORDER_AUTO, 60000, 4000, 0, 0, NULL};
    struct got g;
    drain_file(&a, &c, &g);
    assert_false(g.sorted);
    assert_int_equal(g.n, a.n);
    for (size_t i = 0; i < g.n; i++) assert_int_equal(g.lineno[i], i + 1);
    /* with a probe that reaches line 191 it is sorted */
    c.probe_bytes = 1 << 20;
    drain_file(&a, &c, &g);
    assert_true(g.sorted);
    assert_int_equal(g.lineno[0], 191);
    /* and with a lateness of five hours and more, not */
    c.lateness_ms = 5 * 3600000 + 60000;
    drain_file(&a, &c, &g);
    assert_false(g.sorted);
    arr_free(&a);
}

/* Two days concatenated in the wrong order: the start is in order, the
 * samples past the probe find the second day's lines older than the first's. */
static void test_auto_samples(void **state)
{
    (void)state;
    struct arr a = {0};
    a.n = 2000;
    a.lines = calloc(a.n, sizeof *a.lines);
    for (size_t i = 0; i < a.n; i++) {
        int64_t day = i < 1000 ? 1 : 0, k = (int64_t)(i % 1000);
        a.lines[i] = ev(1793577600000LL + day * 86400000 + k * 60000, (int)i);
    }
    struct warden_sorter_conf c = {WARDEN_ORDER_AUTO, 60000, 4000, 0, 0, NULL};
    struct got g;
    drain_file(&a, &c, &g);
    assert_true(g.sorted);
    assert_int_equal(g.lineno[0], 1001);
    assert_int_equal(g.lineno[999], 2000);
    assert_int_equal(g.lineno[1000], 1);
    arr_free(&a);
    /* the days in order: nothing sorted */
    a.lines = calloc(a.n, sizeof *a.lines);
    for (size_t i = 0; i < a.n; i++) a.lines[i] = ev(1793577600000LL + (int64_t)i * 60000, (int)i);
    drain_file(&a, &c, &g);
    assert_false(g.sorted);
    arr_free(&a);
}

static void test_empty(void **state)
{
    (void)state;
    struct arr a = {0};
    struct warden_sorter_conf c = {WARDEN_ORDER_SORT, 60000, 0, 0, 0, NULL};
    struct got g;
    drain(&a, &c, &g);
    assert_int_equal(g.n, 0);
    c.order = WARDEN_ORDER_AUTO;
    drain_file(&a, &c, &g);
    assert_int_equal(g.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ts),       cmocka_unit_test(test_sort_in_memory_and_runs),
        cmocka_unit_test(test_auto_in_order), cmocka_unit_test(test_auto_samples),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
