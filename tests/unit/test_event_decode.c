/* test_event_decode.c — the zero-copy event decoder: fields, types, escapes,
 * UTF-8, and every class of malformed line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/event_decode.h"
#include "core/event_fields.h"

static int dec(const char *json, struct warden_event *ev, char *why)
{
    static char buf[1 << 16];
    size_t n = strlen(json);
    memcpy(buf, json, n + 1);
    return warden_event_decode(buf, n, ev, why, 256);
}

static void full_event(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256] = "";
    int rc =
        dec("{\"ts\":\"2026-11-23T08:15:02.120Z\",\"account_id\":\"acct_1\",\"ip\":\"203.0.113.7\","
            "\"request_id\":\"r1\",\"org_id\":\"o1\",\"api_key_id\":\"k1\",\"end_user\":\"u\","
            "\"user_agent\":\"anthropic-python/0.40\",\"tls_ja4\":\"t13d\",\"client_tz\":"
            "\"Europe/Berlin\",\"client_locale\":\"de-DE\",\"model\":\"m\",\"endpoint\":"
            "\"/v1/messages\",\"system\":\"s\",\"prompt\":\"p\",\"turns\":3,\"thinking\":true,"
            "\"max_tokens\":1024,\"input_tokens\":10,\"output_tokens\":20,"
            "\"cache_read_tokens\":0,\"tools\":2,\"status\":200,\"extra\":{\"a\":[1,2,{}]}}",
            &ev, why);
    assert_int_equal(rc, 0);
    assert_int_equal(ev.ts_ms, 1795421702120LL);
    assert_true(warden_str_eq(ev.account_id, "acct_1", 6));
    assert_true(warden_ip_is_v4(&ev.ip));
    assert_int_equal(warden_ip_v4(&ev.ip), (203u << 24) | (113u << 8) | 7u);
    assert_true(warden_str_eq(ev.client_tz, "Europe/Berlin", 13));
    assert_true(warden_str_eq(ev.endpoint, "/v1/messages", 12));
    assert_int_equal(ev.turns, 3);
    assert_int_equal(ev.thinking, 1);
    assert_int_equal(ev.max_tokens, 1024);
    assert_int_equal(ev.output_tokens, 20);
    assert_int_equal(ev.tools, 2);
    assert_int_equal(ev.status, 200);
}

static void minimal_and_absent(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256];
    assert_int_equal(
        dec("{\"ts\":100000000000,\"account_id\":\"a\",\"ip\":\"::1\",\"turns\":null}", &ev, why),
        0);
    assert_int_equal(ev.ts_ms, 100000000000LL); /* the smallest numeric ts accepted */
    assert_int_equal(ev.turns, WARDEN_NOINT);
    assert_int_equal(ev.thinking, -1);
    assert_null(ev.prompt.p);
    assert_false(warden_ip_is_v4(&ev.ip));
}

static void escapes_decoded_in_place(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256];
    assert_int_equal(dec("{\"ts\":1795421702120,\"account_id\":\"a\\\"b\\u00e9\\ud83d\\ude00\\n\","
                         "\"ip\":\"1.2.3.4\"}",
                         &ev, why),
                     0);
    assert_int_equal(ev.account_id.n, 1 + 1 + 1 + 2 + 4 + 1);
    assert_memory_equal(ev.account_id.p, "a\"b\xc3\xa9\xf0\x9f\x98\x80\n", ev.account_id.n);
}

static void timestamps(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256];
    assert_int_equal(
        dec("{\"ts\":\"2026-11-23T09:15:02+01:00\",\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", &ev,
            why),
        0);
    assert_int_equal(ev.ts_ms, 1795421702000LL);
    assert_int_equal(
        dec("{\"ts\":\"1970-01-01T00:00:00Z\",\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", &ev, why),
        0);
    assert_int_equal(ev.ts_ms, 0);
}

/* Numbers written through floating point: a whole value with a fraction or
 * an exponent is an integer (1234.0, 1.2e3), and a numeric ts may carry a
 * fraction of a millisecond (cut off); a fraction in an integer field is
 * still a reject (below). */
static void whole_numbers_in_float_form(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256];
    assert_int_equal(dec("{\"ts\":1795421702120.75,\"account_id\":\"a\",\"ip\":\"1.2.3.4\","
                         "\"turns\":3.0,\"output_tokens\":1.2e3,\"input_tokens\":4500E-1,"
                         "\"max_tokens\":-0.0,\"tools\":8}",
                         &ev, why),
                     0);
    assert_int_equal(ev.ts_ms, 1795421702120LL);
    assert_int_equal(ev.turns, 3);
    assert_int_equal(ev.output_tokens, 1200);
    assert_int_equal(ev.input_tokens, 450);
    assert_int_equal(ev.max_tokens, 0);
    assert_int_equal(ev.tools, 8);
    assert_int_equal(
        dec("{\"ts\":1.795421702e12,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", &ev, why), 0);
    assert_int_equal(ev.ts_ms, 1795421702000LL);
}

/* "address:port" as proxies log it: the address is read, the port dropped */
static void address_with_port(void **st)
{
    (void)st;
    struct warden_event ev, want;
    char why[256];
    static const char *const same[][2] = {
        {"81.2.69.1:51234", "81.2.69.1"},
        {"[2001:db8::1]:443", "2001:db8::1"},
        {"[::ffff:81.2.69.1]:8", "::ffff:81.2.69.1"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char a[256], b[256];
        snprintf(a, sizeof a, "{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"%s\"}",
                 same[i][0]);
        snprintf(b, sizeof b, "{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"%s\"}",
                 same[i][1]);
        assert_int_equal(dec(a, &ev, why), 0);
        assert_int_equal(dec(b, &want, why), 0);
        assert_memory_equal(&ev.ip, &want.ip, sizeof ev.ip);
    }
    /* a bare IPv6 address keeps its last group: no port is cut from it */
    assert_int_equal(
        dec("{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"2001:db8::1:443\"}", &ev, why), 0);
    assert_int_equal(
        dec("{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"2001:db8::1\"}", &want, why), 0);
    assert_memory_not_equal(&ev.ip, &want.ip, sizeof ev.ip);
}

/* identifiers written as JSON integers (a database's numeric keys) are read
 * as their digits, the same account as the quoted form */
static void numeric_identifiers(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256];
    assert_int_equal(dec("{\"ts\":1795421702120,\"account_id\":1234567,\"ip\":\"1.2.3.4\","
                         "\"org_id\":-42,\"end_user\":0,\"request_id\":98765432109876543210}",
                         &ev, why),
                     0);
    assert_true(warden_str_eq(ev.account_id, "1234567", 7));
    assert_true(warden_str_eq(ev.org_id, "-42", 3));
    assert_true(warden_str_eq(ev.end_user, "0", 1));
    assert_true(warden_str_eq(ev.request_id, "98765432109876543210", 20));
    /* a byte-order mark before the object (a file's first line, read whole) */
    assert_int_equal(
        dec("\xef\xbb\xbf{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", &ev, why),
        0);
}

struct bad {
    const char *line;
    const char *reason_part;
};

static void malformed_lines_rejected_with_reason(void **st)
{
    (void)st;
    static const struct bad cases[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"not json", "not a JSON object"},
        {"[1,2]", "not a JSON object"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"", "unterminated"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"} x", "trailing"},
        {"{\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "missing required field 'ts'"},
        {"{\"ts\":1795421702120,\"ip\":\"1.2.3.4\"}", "missing required field 'account_id'"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\"}", "missing required field 'ip'"},
        {"{\"ts\":1795421702120,\"account_id\":\"\",\"ip\":\"1.2.3.4\"}", "empty"},
        {"{\"ts\":1795421702120,\"account_id\":5.5,\"ip\":\"1.2.3.4\"}",
         "field 'account_id': expected a string"},
        {"{\"ts\":1795421702120,\"account_id\":true,\"ip\":\"1.2.3.4\"}",
         "field 'account_id': expected a string"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":5}",
         "field 'prompt': expected a string"},
        {"{\"ts\":1795421702120,\"account_id\":null,\"ip\":\"1.2.3.4\"}", "field 'account_id'"},
        {"{\"ts\":true,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "field 'ts'"},
        {"{\"ts\":\"yesterday\",\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "RFC 3339"},
        {"{\"ts\":\"2026-02-30T00:00:00Z\",\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "RFC 3339"},
        {"{\"ts\":1.5,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "field 'ts'"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.256\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"01.2.3.4\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"2001:db8:::1\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4:\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4:123456\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3:80\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"[1.2.3.4]\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"[]:80\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\":80\"}", "not an IP"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":12}", "field 'ip'"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"turns\":\"3\"}",
         "field 'turns'"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"turns\":2.5}",
         "fraction"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"turns\":25e-1}",
         "fraction"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"turns\":1e19}",
         "out of range"},
        {"{\"ts\":1760000000.5,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "epoch seconds"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"turns\":"
         "99999999999999999999}",
         "out of range"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"thinking\":1}",
         "field 'thinking'"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":[\"x\"]}",
         "field 'prompt'"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":\"a\\x\"}",
         "bad escape"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":\"\\ud800\"}",
         "surrogate"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":\"\xff\"}",
         "UTF-8"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":\"\xc0\xaf\"}",
         "UTF-8"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"prompt\":"
         "\"\xed\xa0\x80\"}",
         "UTF-8"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"x\":\"\xe2\x82\"}",
         "UTF-8"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"x\":tru}", "literal"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"x\":01}", "expected ','"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"x\":-}", "bad number"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\" \"ip\":\"1.2.3.4\"}", "expected ','"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",}", "expected a key"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"p\":\"a\tb\"}",
         "control character"},
        /* epoch seconds where milliseconds are expected (formats.md §1) */
        {"{\"ts\":1760000000,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "looks like epoch seconds"},
        {"{\"ts\":99999999999,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "epoch seconds"},
        {"{\"ts\":253402300800000,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "year 9999"},
        {"{\"ts\":\"10000-01-01T00:00:00Z\",\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}",
         "field 'ts'"},
        {"{\"ts\":1e400,\"account_id\":\"a\",\"ip\":\"1.2.3.4\"}", "out of range"},
        /* a NUL would cut the identifier and merge it with another */
        {"{\"ts\":1795421702120,\"account_id\":\"a\\u0000x\",\"ip\":\"1.2.3.4\"}", "NUL"},
        {"{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"request_id\":"
         "\"\\u0000\"}",
         "field 'request_id': contains a NUL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct warden_event ev;
        char why[256] = "";
        int rc = dec(cases[i].line, &ev, why);
        if (rc != WARDEN_EPARSE || !strstr(why, cases[i].reason_part)) {
            fprintf(stderr, "case %zu: %s\n  got rc=%d why='%s', want '%s'\n", i, cases[i].line, rc,
                    why, cases[i].reason_part);
            fail();
        }
    }
}

/* The field table: every field of formats.md §1 once, ordered by length
 * (the lookup relies on it), and each one is read. */
static void field_table(void **st)
{
    (void)st;
    static const char *spec[] = {"ts",           "account_id",    "ip",
                                 "request_id",   "org_id",        "api_key_id",
                                 "end_user",     "user_agent",    "tls_ja4",
                                 "client_tz",    "client_locale", "model",
                                 "endpoint",     "system",        "prompt",
                                 "turns",        "thinking",      "max_tokens",
                                 "input_tokens", "output_tokens", "cache_read_tokens",
                                 "tools",        "status"};
    size_t n = 0;
    for (const char *f; (f = warden_event_field_name(n)) != NULL; n++) {
        if (n) assert_true(strlen(f) >= strlen(warden_event_field_name(n - 1)));
        bool found = false;
        for (size_t k = 0; k < sizeof spec / sizeof spec[0]; k++) found |= !strcmp(spec[k], f);
        assert_true(found);
    }
    assert_int_equal(n, sizeof spec / sizeof spec[0]);
    /* a NUL inside free text is text, not an identifier: accepted */
    struct warden_event ev;
    char why[256] = "";
    assert_int_equal(dec("{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\","
                         "\"prompt\":\"x\\u0000y\"}",
                         &ev, why),
                     0);
    assert_int_equal(ev.prompt.n, 3);
}

/* The key lookup (a switch on length and a byte or two, then one compare):
 * every field's name is recognised (an object as its value is a type error
 * naming the field), and every near miss — one byte changed, one byte
 * short, one byte long — is an unknown key, skipped. */
static void key_lookup_exact(void **st)
{
    (void)st;
    const char *f;
    for (size_t i = 0; (f = warden_event_field_name(i)) != NULL; i++) {
        char line[256], why[256] = "", name[32], want[64];
        struct warden_event ev;
        size_t n = strlen(f);
        snprintf(line, sizeof line,
                 "{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"%s\":{}}", f);
        assert_int_equal(dec(line, &ev, why), WARDEN_EPARSE);
        snprintf(want, sizeof want, "field '%s'", f);
        assert_non_null(strstr(why, want));
        for (size_t k = 0; k <= n + 1; k++) {
            memcpy(name, f, n + 1);
            if (k < n) {
                name[k] = 'X';
            } else if (k == n) {
                name[n - 1] = '\0'; /* one short */
            } else {
                name[n] = 'x'; /* one long */
                name[n + 1] = '\0';
            }
            snprintf(line, sizeof line,
                     "{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"%s\":{}}",
                     name);
            assert_int_equal(dec(line, &ev, why), 0);
        }
    }
}

/* Moving the values out of the line: every string field, each once, and
 * nothing else; the line can then be overwritten. */
static void strings_moved_out_of_the_line(void **st)
{
    (void)st;
    char line[] = "{\"ts\":1795421702120,\"account_id\":\"acct\\u00e9\",\"ip\":\"1.2.3.4\","
                  "\"prompt\":\"hello\",\"model\":\"\",\"turns\":3,\"user_agent\":null}";
    struct warden_event ev;
    char why[256] = "";
    assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
    char dst[sizeof line];
    size_t n = warden_event_move_strings(&ev, dst);
    assert_int_equal(n, 6 + 5 + 0); /* acct + two bytes of e-acute, hello, empty model */
    memset(line, 'X', sizeof line - 1);
    assert_true(ev.account_id.p >= dst && ev.account_id.p + ev.account_id.n <= dst + n);
    assert_memory_equal(ev.account_id.p, "acct\xc3\xa9", 6);
    assert_memory_equal(ev.prompt.p, "hello", 5);
    assert_non_null(ev.model.p); /* empty, not absent */
    assert_int_equal(ev.model.n, 0);
    assert_null(ev.user_agent.p);
    assert_null(ev.request_id.p);
    assert_int_equal(ev.turns, 3);
}

static void deep_nesting_is_bounded(void **st)
{
    (void)st;
    size_t depth = 100000;
    char *buf = malloc(depth * 2 + 100);
    size_t n = (size_t)sprintf(
        buf, "{\"ts\":1795421702120,\"account_id\":\"a\",\"ip\":\"1.2.3.4\",\"x\":");
    for (size_t i = 0; i < depth; i++) buf[n++] = '[';
    for (size_t i = 0; i < depth; i++) buf[n++] = ']';
    buf[n++] = '}';
    struct warden_event ev;
    char why[256] = "";
    assert_int_equal(warden_event_decode(buf, n, &ev, why, sizeof why), WARDEN_EPARSE);
    assert_non_null(strstr(why, "nesting"));
    free(buf);
}

static void utf8_validator(void **st)
{
    (void)st;
    assert_int_equal(warden_utf8_valid("plain ascii text, long enough for words", 39), 0);
    assert_int_equal(warden_utf8_valid("\xe4\xb8\xad\xe6\x96\x87", 6), 0);
    assert_int_equal(warden_utf8_valid("\xf4\x90\x80\x80", 4), WARDEN_EPARSE); /* > U+10FFFF */
    assert_int_equal(warden_utf8_valid("\xe0\x80\xaf", 3), WARDEN_EPARSE);     /* overlong */
}

/* Which optional fields an event carries (the scan summary's coverage): a
 * full event every one, a minimal one none, an empty string or a null is
 * not carried, false is; every field named is one the decoder reads and
 * each optional field of the decoder's table is counted. */
static void fields_present(void **st)
{
    (void)st;
    struct warden_event ev;
    char why[256] = "";
    assert_int_equal(
        dec("{\"ts\":\"2026-11-23T08:15:02.120Z\",\"account_id\":\"a\",\"ip\":\"203.0.113.7\","
            "\"request_id\":\"r1\",\"org_id\":\"o1\",\"api_key_id\":\"k1\",\"end_user\":\"u\","
            "\"user_agent\":\"ua\",\"tls_ja4\":\"t13d\",\"client_tz\":\"Europe/Berlin\","
            "\"client_locale\":\"de-DE\",\"model\":\"m\",\"endpoint\":\"/v1/messages\","
            "\"system\":\"s\",\"prompt\":\"p\",\"turns\":3,\"thinking\":true,\"max_tokens\":1024,"
            "\"input_tokens\":10,\"output_tokens\":20,\"cache_read_tokens\":0,\"tools\":0,"
            "\"status\":200}",
            &ev, why),
        0);
    assert_int_equal(warden_event_fields_present(&ev), (1u << WARDEN_F_N) - 1);
    assert_int_equal(dec("{\"ts\":100000000000,\"account_id\":\"a\",\"ip\":\"::1\"}", &ev, why), 0);
    assert_int_equal(warden_event_fields_present(&ev), 0);
    assert_int_equal(dec("{\"ts\":100000000000,\"account_id\":\"a\",\"ip\":\"::1\",\"system\":\"\","
                         "\"turns\":null,\"thinking\":false,\"output_tokens\":0}",
                         &ev, why),
                     0);
    assert_int_equal(warden_event_fields_present(&ev),
                     (1u << WARDEN_F_THINKING) | (1u << WARDEN_F_OUTPUT_TOKENS));
    /* the table names the decoder's optional fields, each once */
    size_t optional = 0;
    for (size_t i = 0; warden_event_field_name(i); i++) {
        const char *n = warden_event_field_name(i);
        if (!strcmp(n, "ts") || !strcmp(n, "account_id") || !strcmp(n, "ip")) continue;
        optional++;
        unsigned hits = 0;
        for (unsigned f = 0; f < WARDEN_F_N; f++)
            hits += !strcmp(warden_event_field_info(f)->name, n);
        assert_int_equal(hits, 1);
    }
    assert_int_equal(optional, WARDEN_F_N);
    for (unsigned f = 0; f < WARDEN_F_N; f++) {
        const struct warden_event_field_info *fi = warden_event_field_info(f);
        assert_non_null(strstr(fi->counter, fi->name));
    }
    assert_null(warden_event_field_info(WARDEN_F_N));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_event),
        cmocka_unit_test(minimal_and_absent),
        cmocka_unit_test(escapes_decoded_in_place),
        cmocka_unit_test(timestamps),
        cmocka_unit_test(whole_numbers_in_float_form),
        cmocka_unit_test(address_with_port),
        cmocka_unit_test(numeric_identifiers),
        cmocka_unit_test(malformed_lines_rejected_with_reason),
        cmocka_unit_test(field_table),
        cmocka_unit_test(key_lookup_exact),
        cmocka_unit_test(strings_moved_out_of_the_line),
        cmocka_unit_test(deep_nesting_is_bounded),
        cmocka_unit_test(utf8_validator),
        cmocka_unit_test(fields_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
