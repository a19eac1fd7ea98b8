/* test_serve_adapter.c — what the gateway adapters take from headers: the
 * X-Forwarded-For client entry by trusted hops, the event built from
 * configured headers (client-ip header, then X-Forwarded-For, then the
 * peer), and the constant-time bearer token check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <strings.h>

#include "core/ip.h"
#include "serve/serve.h"

static void xff(void **st)
{
    (void)st;
    struct warden_ip ip;
    char buf[WARDEN_IP_STRLEN];
    const char *v = "203.0.113.9, 10.1.2.3 ,192.0.2.1";
    assert_int_equal(warden_serve_xff_client(v, strlen(v), 0, &ip), 0);
    assert_string_equal(warden_ip_format(&ip, buf), "192.0.2.1");
    assert_int_equal(warden_serve_xff_client(v, strlen(v), 1, &ip), 0);
    assert_string_equal(warden_ip_format(&ip, buf), "10.1.2.3");
    assert_int_equal(warden_serve_xff_client(v, strlen(v), 2, &ip), 0);
    assert_string_equal(warden_ip_format(&ip, buf), "203.0.113.9");
    assert_int_not_equal(warden_serve_xff_client(v, strlen(v), 3, &ip), 0); /* too short */
    const char *bad[] = {"", ",", "1.2.3.4,", "nope", " , "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(warden_serve_xff_client(bad[i], strlen(bad[i]), 0, &ip), 0);
    const char *v6 = "2001:db8::7";
    assert_int_equal(warden_serve_xff_client(v6, strlen(v6), 0, &ip), 0);
    assert_string_equal(warden_ip_format(&ip, buf), "2001:db8::7");
}

struct hdr {
    const char *name, *value;
};
static const char *get(void *ctx, const char *name)
{
    for (const struct hdr *h = ctx; h->name; h++)
        if (strcasecmp(h->name, name) == 0) return h->value;
    return NULL;
}

static void adapter_event(void **st)
{
    (void)st;
    struct warden_serve_conf c;
    char err[256], why[256], buf[WARDEN_IP_STRLEN];
    assert_int_equal(warden_serve_conf_load(&c, NULL, err, sizeof err), 0);
    c.trusted_hops = 1;
    struct warden_ip peer;
    warden_ip_parse(&peer, "127.0.0.1", 9);
    struct warden_event ev;
    struct hdr h1[] = {{"X-Warden-Account", "acct-1"},
                       {"x-warden-api-key", "key-1"},
                       {"x-forwarded-for", "198.51.100.4, 10.0.0.1"},
                       {"x-request-id", "req-9"},
                       {NULL, NULL}};
    assert_int_equal(warden_serve_adapter_event(&c, get, h1, &peer, 1234, &ev, why, sizeof why), 0);
    assert_int_equal(ev.account_id.n, 6);
    assert_memory_equal(ev.account_id.p, "acct-1", 6);
    assert_memory_equal(ev.api_key_id.p, "key-1", 5);
    assert_memory_equal(ev.request_id.p, "req-9", 5);
    assert_int_equal(ev.ts_ms, 1234);
    assert_string_equal(warden_ip_format(&ev.ip, buf), "198.51.100.4");
    assert_int_equal(ev.max_tokens, WARDEN_NOINT);
    /* the client-ip header wins over x-forwarded-for */
    struct hdr h2[] = {{"x-warden-account", "a"},
                       {"x-real-ip", "192.0.2.77"},
                       {"x-forwarded-for", "198.51.100.4, 10.0.0.1"},
                       {NULL, NULL}};
    assert_int_equal(warden_serve_adapter_event(&c, get, h2, &peer, 0, &ev, why, sizeof why), 0);
    assert_string_equal(warden_ip_format(&ev.ip, buf), "192.0.2.77");
    /* neither: the peer; no peer: refused */
    struct hdr h3[] = {{"x-warden-account", "a"}, {NULL, NULL}};
    assert_int_equal(warden_serve_adapter_event(&c, get, h3, &peer, 0, &ev, why, sizeof why), 0);
    assert_string_equal(warden_ip_format(&ev.ip, buf), "127.0.0.1");
    assert_int_not_equal(warden_serve_adapter_event(&c, get, h3, NULL, 0, &ev, why, sizeof why), 0);
    /* no account: refused, naming the header */
    struct hdr h4[] = {{"x-real-ip", "192.0.2.1"}, {NULL, NULL}};
    assert_int_not_equal(warden_serve_adapter_event(&c, get, h4, &peer, 0, &ev, why, sizeof why),
                         0);
    assert_non_null(strstr(why, "x-warden-account"));
    warden_serve_conf_fini(&c);
}

static void token(void **st)
{
    (void)st;
    assert_true(warden_serve_token_ok("Bearer abc123", "abc123"));
    assert_false(warden_serve_token_ok("Bearer abc124", "abc123"));
    assert_false(warden_serve_token_ok("Bearer abc1234", "abc123"));
    assert_false(warden_serve_token_ok("Bearer ", "abc123"));
    assert_false(warden_serve_token_ok("Basic abc123", "abc123"));
    assert_false(warden_serve_token_ok("abc123", "abc123"));
    assert_false(warden_serve_token_ok(NULL, "abc123"));
    assert_false(warden_serve_token_ok("Bearer ", "")); /* no token configured: never */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xff),
        cmocka_unit_test(adapter_event),
        cmocka_unit_test(token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
