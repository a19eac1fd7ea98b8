/* test_detect_reseller.c — reseller fan-in on hand-made streams: an app with
 * many end users (a low-score context finding), a key used from many
 * networks and clients at once, a VPN user's many networks with one client
 * (not a shared key), and a declared reseller whose single heavy end user is
 * made visible without the platform's other end users counting. */
#include "detect_stream.h"

static void undeclared_fan_in_and_shared_key(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "reseller", NULL, NULL);
    struct warden_account a = test_account("DE", "DE", false);
    char eu[32];
    for (int i = 0; i < 600; i++) {
        snprintf(eu, sizeof eu, "user-%d", i % 300);
        stream_event(&s, &a, &(struct evo){.ts = T0 + i * 60000LL, .cc = "DE", .end_user = eu});
    }
    assert_int_equal(s.n, 1);
    assert_int_equal(stream_count(&s, "reseller.end_user_fan_in"), 1);
    assert_true(stream_score(&s, "reseller.end_user_fan_in") < 0.5);
    stream_close(&s);

    /* one key, 30 networks and 10 different clients in a day */
    stream_open(&s, "reseller", NULL, NULL);
    char ua[32];
    for (int i = 0; i < 300; i++) {
        snprintf(ua, sizeof ua, "client/%d", i % 10);
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * 60000LL,
                                   .cc = "DE",
                                   .ip = 0x0a000000u + (uint32_t)(i % 30) * 256,
                                   .ua = ua});
    }
    assert_int_equal(stream_count(&s, "reseller.shared_key"), 1);
    assert_true(stream_score(&s, "reseller.shared_key") >= 0.5);
    stream_close(&s);

    /* a VPN user: a new network per session, always the same client */
    stream_open(&s, "reseller", NULL, NULL);
    for (int i = 0; i < 300; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * 60000LL,
                                   .cc = "NL",
                                   .cats = WARDEN_IPCAT_VPN,
                                   .ip = 0x17000000u + (uint32_t)i * 256,
                                   .ua = "app/1"});
    assert_int_equal(s.n, 0);
    stream_close(&s);
}

static void declared_reseller_heavy_end_user(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "reseller", NULL, "max_end_user_requests", "500", NULL);
    struct warden_account a = test_account("US", "US", true);
    char eu[32], ua[32];
    for (int i = 0; i < 3000; i++) {
        bool heavy = i % 4 == 0; /* 750 requests in the day */
        snprintf(eu, sizeof eu, "eu-%d", heavy ? 7 : 1000 + i % 900);
        snprintf(ua, sizeof ua, "client/%d", i % 20);
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * 20000LL,
                                   .cc = "US",
                                   .end_user = eu,
                                   .ip = 0x0b000000u + (uint32_t)(i % 50) * 256,
                                   .ua = ua});
    }
    assert_int_equal(s.n, 1); /* no fan-in or shared-key finding for a declared platform */
    assert_int_equal(stream_count(&s, "reseller.end_user_heavy"), 1);
    const char *e = stream_evidence(&s, "reseller.end_user_heavy");
    assert_non_null(strstr(e, "\"end_user\":\"eu-7\",\"end_user_requests\":500"));
    assert_non_null(strstr(e, "\"declared_reseller\":true"));
    /* the next day the count starts again */
    for (int i = 0; i < 400; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + DAY + i * 1000LL, .cc = "US", .end_user = "eu-7"});
    assert_int_equal(s.n, 1);
    stream_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(undeclared_fan_in_and_shared_key),
        cmocka_unit_test(declared_reseller_heavy_end_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
