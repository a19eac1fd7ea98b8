/* test_detect_anonymizer.c — anonymizer shares on hand-made streams: an
 * ordinary VPN user gets one low-score anon.vpn finding that the example
 * policy does not act on; a home user gets nothing; a cloud app gets
 * anon.cloud; providers, exit countries and switches are in the evidence. */
#include "detect_stream.h"

static void vpn_user_is_context_not_a_verdict(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "anonymizer", NULL, NULL);
    struct warden_account a = test_account("DE", "DE", false);
    for (int i = 0; i < 40; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * HOUR,
                                   .cc = i % 2 ? "NL" : "SE",
                                   .cats = WARDEN_IPCAT_VPN,
                                   .provider = "mullvad",
                                   .ip = 0x17000000u + (uint32_t)i * 256});
    assert_int_equal(s.n, 1);
    assert_int_equal(stream_count(&s, "anon.vpn"), 1);
    assert_true(stream_score(&s, "anon.vpn") < 0.5);
    const char *e = stream_evidence(&s, "anon.vpn");
    assert_non_null(strstr(e, "\"providers\":{\"mullvad\":10}"));
    assert_non_null(strstr(e, "\"countries\":{\"SE\":5,\"NL\":5}"));
    assert_non_null(strstr(e, "\"share\":1"));
    struct warden_policy *p = NULL;
    char err[256];
    assert_int_equal(warden_policy_load(&p, "examples/policy.yaml", err, sizeof err), 0);
    assert_true(stream_all_allowed(&s, p));
    warden_policy_free(p);
    stream_close(&s);
}

static void home_user_gets_nothing(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "anonymizer", NULL, NULL);
    struct warden_account a = test_account("GB", "GB", false);
    for (int i = 0; i < 100; i++)
        stream_event(&s, &a, &(struct evo){.ts = T0 + i * HOUR, .cc = "GB"});
    assert_int_equal(s.n, 0);
    stream_close(&s);
}

static void cloud_app_and_switches(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "anonymizer", NULL, "min_events", "20", NULL);
    for (int i = 0; i < 30; i++)
        stream_event(&s, NULL,
                     &(struct evo){.ts = T0 + i * 1000,
                                   .cc = "US",
                                   .cats = WARDEN_IPCAT_CLOUD | WARDEN_IPCAT_HOSTING,
                                   .provider = "aws"});
    assert_int_equal(s.n, 1);
    assert_int_equal(stream_count(&s, "anon.cloud"), 1);
    assert_non_null(strstr(stream_evidence(&s, "anon.cloud"), "\"events\":20"));
    stream_close(&s);

    /* a tunnel that drops: VPN and direct alternate */
    stream_open(&s, "anonymizer", NULL, NULL);
    for (int i = 0; i < 20; i++)
        stream_event(&s, NULL,
                     &(struct evo){.ts = T0 + i * HOUR,
                                   .cc = i % 2 ? "FI" : "EE",
                                   .cats = i % 2 ? WARDEN_IPCAT_VPN : 0,
                                   .provider = "x"});
    assert_int_equal(stream_count(&s, "anon.vpn"), 1); /* half the requests */
    assert_non_null(strstr(stream_evidence(&s, "anon.vpn"), "\"category_switches\":9"));
    stream_close(&s);
}

static void below_share_no_finding(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "anonymizer", NULL, NULL);
    for (int i = 0; i < 100; i++)
        stream_event(&s, NULL,
                     &(struct evo){.ts = T0 + i * HOUR,
                                   .cc = "FR",
                                   .cats = i % 10 == 0 ? WARDEN_IPCAT_TOR : 0});
    assert_int_equal(s.n, 0);
    stream_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vpn_user_is_context_not_a_verdict),
        cmocka_unit_test(home_user_gets_nothing),
        cmocka_unit_test(cloud_app_and_switches),
        cmocka_unit_test(below_share_no_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
