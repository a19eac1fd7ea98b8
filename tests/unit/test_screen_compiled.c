/* test_screen_compiled.c — the compiled list file: a mapped file answers
 * exactly as the lists loaded from their sources (matches, scores, domains,
 * ownership verdicts), and a truncated, corrupt or foreign file is refused
 * with a reason instead of being used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "screen/screen.h"

static char path[512];

static const char *tmpdir(void)
{
    const char *t = getenv("WARDEN_TMP");
    if (!t) t = "/tmp";
    mkdir(t, 0755);
    return t;
}

static struct warden_screen *load(void)
{
    struct warden_screen *s;
    char err[512];
    assert_int_equal(
        warden_screen_load(&s, "tests/data/screen/lists.tsv", "data/screen", NULL, err, sizeof err),
        0);
    return s;
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/test_compiled.%ld.wsl", tmpdir(), (long)getpid());
    struct warden_screen *s = load();
    char err[512];
    assert_int_equal(warden_screen_save(s, path, err, sizeof err), 0);
    warden_screen_free(s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static const char *queries[] = {"Alpha Blocked Holdings", "Альфа Блокед Холдингс",
                                "Bravo Sanctioned Industry Co", "Kilo Shell",
                                "Unrelated Bakery Ltd"};

static void test_same_answers(void **state)
{
    (void)state;
    struct warden_screen *a = load(), *b;
    char err[512];
    assert_int_equal(warden_screen_map(&b, path, NULL, err, sizeof err), 0);
    assert_string_equal(warden_screen_source_file(b), path);
    assert_null(warden_screen_source_file(a));
    assert_int_equal(warden_screen_n_entities(a), warden_screen_n_entities(b));
    struct warden_screen_scratch *wa = warden_screen_scratch_new(a),
                                 *wb = warden_screen_scratch_new(b);
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        struct warden_screen_match ma[5], mb[5];
        struct warden_screen_query qq = {queries[q], "IR", NULL, NULL};
        int na = warden_screen_name(a, wa, &qq, ma, 5), nb = warden_screen_name(b, wb, &qq, mb, 5);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++) {
            assert_string_equal(ma[i].entity->source_id, mb[i].entity->source_id);
            assert_true(ma[i].score == mb[i].score);
            assert_string_equal(ma[i].listed_norm, mb[i].listed_norm);
        }
    }
    for (size_t i = 0; i < warden_screen_n_entities(a); i++) {
        const struct warden_screen_entity *x = warden_screen_entity_at(a, i),
                                          *y = warden_screen_entity_at(b, i);
        assert_string_equal(x->source_id, y->source_id);
        assert_int_equal(x->owned_by_listed, y->owned_by_listed);
        assert_int_equal(x->n_attrs, y->n_attrs);
        char ca[256], cb[256];
        warden_screen_entity_chain(a, x, ca, sizeof ca);
        warden_screen_entity_chain(b, y, cb, sizeof cb);
        assert_string_equal(ca, cb);
    }
    const struct warden_screen_entity *d[2];
    assert_int_equal(warden_screen_domain(b, "mail.alpha-blocked.example", d, 2), 1);
    assert_string_equal(d[0]->source_id, "ws-alpha");
    warden_screen_scratch_free(wa);
    warden_screen_scratch_free(wb);
    warden_screen_free(a);
    warden_screen_free(b);
}

static long fsize(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static void copy_modified(const char *dst, long keep, long flip_at)
{
    FILE *in = fopen(path, "rb"), *out = fopen(dst, "wb");
    assert_non_null(in);
    assert_non_null(out);
    long i = 0;
    int c;
    while ((c = fgetc(in)) != EOF && (keep < 0 || i < keep)) {
        fputc(i == flip_at ? c ^ 0x5a : c, out);
        i++;
    }
    fclose(in);
    fclose(out);
}

static void expect_refused(const char *file, const char *why)
{
    struct warden_screen *s = (struct warden_screen *)1;
    char err[512] = "";
    assert_int_equal(warden_screen_map(&s, file, NULL, err, sizeof err), WARDEN_EFORMAT);
    assert_null(s);
    if (!strstr(err, why)) fail_msg("'%s' does not say '%s'", err, why);
}

static void test_refused(void **state)
{
    (void)state;
    char bad[600];
    snprintf(bad, sizeof bad, "%s.bad", path);
    long n = fsize(path);
    copy_modified(bad, n / 2, -1);
    expect_refused(bad, "truncated");
    copy_modified(bad, -1, n - 10); /* one byte changed inside the data */
    expect_refused(bad, "checksum");
    copy_modified(bad, -1, 0);
    expect_refused(bad, "magic");
    copy_modified(bad, 10, -1);
    expect_refused(bad, "truncated");
    unlink(bad);
    struct warden_screen *s;
    char err[512];
    assert_int_equal(warden_screen_map(&s, "/nonexistent/x.wsl", NULL, err, sizeof err),
                     WARDEN_ENOENT);
}

static void test_lists_must_agree(void **state)
{
    (void)state;
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    c.lists.n = 1;
    c.lists.v = calloc(1, sizeof *c.lists.v);
    c.lists.v[0] = strdup("another-list");
    struct warden_screen *s;
    char err[512];
    assert_int_equal(warden_screen_map(&s, path, &c, err, sizeof err), WARDEN_EFORMAT);
    assert_non_null(strstr(err, "rebuild"));
    /* the open call prefers the compiled file named by the configuration */
    free(c.lists.v[0]);
    c.lists.v[0] = strdup("test-ftm");
    c.compiled = strdup(path);
    assert_int_equal(warden_screen_open(&s, &c, err, sizeof err), 0);
    assert_string_equal(warden_screen_source_file(s), path);
    assert_false(warden_screen_file_changed(s));
    warden_screen_free(s);
    warden_screen_conf_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_answers),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_lists_must_agree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
