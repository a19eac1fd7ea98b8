/* test_event_decode_diff.c — differential test of the event decoder against
 * jansson: 50,000 random string values (plain runs of every length, escapes,
 * \u escapes with and without surrogate pairs, raw control bytes, valid and
 * invalid UTF-8, invisible and look-alike characters, quotes at every offset)
 * must be accepted or rejected alike, and when accepted must decode to the
 * same bytes: as a user agent exactly, as a prompt folded (core/textfold.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/event_decode.h"
#include "core/textfold.h"

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static size_t piece(char *o)
{
    static const char *const frags[] = {"\\n",          "\\\"",
                                        "\\\\",         "\\/",
                                        "\\t",          "\\u00e9",
                                        "\\u4e2d",      "\\ud83d\\ude00",
                                        "\\ud800",      "\\udc00x",
                                        "\\x",          "\xc3\xa9",
                                        "\xe4\xb8\xad", "\xf0\x9f\x98\x80",
                                        "\xc3",         "\xff",
                                        "\xe0\x80\xaf", "\xed\xa0\x80",
                                        "\x01",         "\x1f",
                                        "\t",           "\"",
                                        "\\u00",        "\\uZZZZ",
                                        "\\u200b",      "\xe2\x80\x8b",
                                        "\\u0435",      "\xd0\xb5",
                                        "\\uff21",      "\xc2\xa0"};
    uint32_t k = rnd(10);
    if (k < 6) { /* a plain run of 0..40 ASCII bytes */
        size_t n = rnd(41);
        for (size_t i = 0; i < n; i++) o[i] = (char)(' ' + 1 + rnd(90) % 58 + (rnd(2) ? 32 : 0));
        for (size_t i = 0; i < n; i++)
            if (o[i] == '"' || o[i] == '\\' || (unsigned char)o[i] >= 0x7f) o[i] = 'x';
        return n;
    }
    const char *f = frags[rnd(sizeof frags / sizeof frags[0])];
    size_t n = strlen(f);
    memcpy(o, f, n);
    return n;
}

static void agrees_with_jansson(void **st)
{
    (void)st;
    static char line[8192], copy[8192];
    size_t rejected = 0, accepted = 0;
    for (int iter = 0; iter < 50000; iter++) {
        const char *field = iter % 2 ? "prompt" : "user_agent";
        size_t n = (size_t)sprintf(
            line, "{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"%s\":\"", field);
        size_t pieces = 1 + rnd(12);
        for (size_t p = 0; p < pieces; p++) n += piece(line + n);
        n += (size_t)sprintf(line + n, "\"}");
        memcpy(copy, line, n);
        json_error_t je;
        json_t *j = json_loadb(line, n, 0, &je);
        struct warden_event ev;
        char why[256];
        int rc = warden_event_decode(copy, n, &ev, why, sizeof why);
        if (!j) {
            if (rc == 0) {
                fprintf(stderr, "warden accepted what jansson rejects (%s): %.*s\n", je.text,
                        (int)n, line);
                fail();
            }
            rejected++;
            continue;
        }
        if (rc != 0) {
            fprintf(stderr, "warden rejected (%s) what jansson accepts: %.*s\n", why, (int)n, line);
            fail();
        }
        json_t *p = json_object_get(j, field);
        static char want[8192];
        size_t wn = json_string_length(p);
        memcpy(want, json_string_value(p), wn);
        struct warden_str got = ev.user_agent;
        if (iter % 2) {
            wn = warden_text_fold(want, wn);
            got = ev.prompt;
        }
        assert_int_equal(got.n, wn);
        assert_memory_equal(got.p, want, wn);
        json_decref(j);
        accepted++;
    }
    /* both outcomes must be well represented for the test to mean anything */
    assert_true(accepted > 5000);
    assert_true(rejected > 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(agrees_with_jansson)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
