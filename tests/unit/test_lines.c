/* test_lines.c — the line reader: plain and gzip input, CRLF, a missing final
 * newline, empty lines, and lines over the length limit (skipped whole,
 * reported with their line number, the next line intact). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/lines.h"

static char path[256];

static void write_file(const char *data, size_t n, bool gz)
{
    snprintf(path, sizeof path, "/tmp/warden_test_lines_%d%s", (int)getpid(), gz ? ".gz" : "");
    if (gz) {
        gzFile g = gzopen(path, "wb");
        gzwrite(g, data, (unsigned)n);
        gzclose(g);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static void read_all(size_t max, const char *expect[], size_t nexp, const size_t *long_at)
{
    struct warden_lines *r;
    char err[256];
    assert_int_equal(warden_lines_open(&r, path, max, err, sizeof err), 0);
    char *line;
    size_t len, i = 0;
    uint64_t no;
    bool too_long;
    int rc;
    while ((rc = warden_lines_next(r, &line, &len, &no, &too_long)) == 1) {
        assert_true(i < nexp);
        assert_int_equal(no, i + 1);
        if (expect[i] == NULL) {
            assert_true(too_long);
            assert_null(line);
            assert_int_equal(len, long_at[i]);
        } else {
            assert_false(too_long);
            assert_int_equal(len, strlen(expect[i]));
            assert_memory_equal(line, expect[i], len);
        }
        i++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(i, nexp);
    warden_lines_close(r);
    unlink(path);
}

static void plain_and_gzip(void **st)
{
    (void)st;
    const char data[] = "one\r\ntwo\n\nthree";
    const char *expect[] = {"one", "two", "", "three"};
    for (int gz = 0; gz <= 1; gz++) {
        write_file(data, sizeof data - 1, gz);
        read_all(0, expect, 4, NULL);
    }
}

/* a byte-order mark is dropped from the first line only (plain, gzip, and a
 * file of one line without a newline) */
static void byte_order_mark_dropped(void **st)
{
    (void)st;
    const char data[] = "\xef\xbb\xbfone\r\n\xef\xbb\xbftwo\n";
    const char *expect[] = {"one", "\xef\xbb\xbftwo"};
    const char single[] = "\xef\xbb\xbf{}";
    const char *expect1[] = {"{}"};
    for (int gz = 0; gz <= 1; gz++) {
        write_file(data, sizeof data - 1, gz);
        read_all(0, expect, 2, NULL);
        write_file(single, sizeof single - 1, gz);
        read_all(0, expect1, 1, NULL);
    }
}

static void long_lines_skipped(void **st)
{
    (void)st;
    size_t big = 10u << 20; /* 10 MB line, limit 1 MB */
    char *data = malloc(big + 4000);
    size_t n = 0;
    memcpy(data + n, "first\n", 6), n += 6;
    memset(data + n, 'x', big), n += big;
    data[n++] = '\n';
    memcpy(data + n, "after\n", 6), n += 6;
    memset(data + n, 'y', 3000), n += 3000; /* over-long final line without newline */
    const char *expect[] = {"first", NULL, "after", NULL};
    size_t lens[] = {0, big, 0, 3000};
    for (int gz = 0; gz <= 1; gz++) {
        write_file(data, n, gz);
        read_all(gz ? 2048 : 1000, expect, 4, lens);
    }
    free(data);
}

static void missing_file(void **st)
{
    (void)st;
    struct warden_lines *r;
    char err[256];
    assert_true(warden_lines_open(&r, "/nonexistent/x.jsonl", 0, err, sizeof err) < 0);
    assert_non_null(strstr(err, "/nonexistent/x.jsonl"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_and_gzip),
        cmocka_unit_test(byte_order_mark_dropped),
        cmocka_unit_test(long_lines_skipped),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
