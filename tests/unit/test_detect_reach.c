/* test_detect_reach.c — restricted-jurisdiction reach and the jurisdiction
 * detector's anonymizer code, on hand-made streams: a device on a restricted
 * jurisdiction's time zone behind VPN exits; the same zone on a direct
 * connection or an allowed zone behind a VPN (not reach); exits alternating
 * between a restricted jurisdiction and a VPN; a VPN exit that geolocates to
 * a restricted jurisdiction (its own code, reviewed, not blocked). */
#include "detect_stream.h"

static struct warden_policy *policy(void)
{
    return test_policy("jurisdictions:\n  restricted: [KP, IR]\n"
                       "rules:\n"
                       "  - code: \"geo.restricted_via_anonymizer\"\n    action: review\n"
                       "  - code: \"geo.restricted_tz_anonymized\"\n    min_score: 0.85\n"
                       "    action: block\n");
}

static void restricted_zone_behind_vpn(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct stream s;
    stream_open(&s, "reach", p, NULL);
    struct warden_account a = test_account("AE", "AE", false);
    for (int i = 0; i < 10; i++)
        stream_event(
            &s, &a,
            &(struct evo){
                .ts = T0 + i * HOUR, .cc = "NL", .cats = WARDEN_IPCAT_VPN, .tz = "Asia/Tehran"});
    assert_int_equal(s.n, 1);
    assert_int_equal(stream_count(&s, "geo.restricted_tz_anonymized"), 1);
    const char *e = stream_evidence(&s, "geo.restricted_tz_anonymized");
    assert_non_null(strstr(e, "\"client_tz\":\"Asia/Tehran\",\"tz_countries\":[\"IR\"]"));
    assert_non_null(strstr(e, "\"countries\":{\"NL\":5}"));
    assert_int_equal(warden_policy_decide(p, "geo.restricted_tz_anonymized",
                                          stream_score(&s, "geo.restricted_tz_anonymized")),
                     WARDEN_BLOCK);
    stream_close(&s);

    /* a traveller whose laptop still says Tehran, on a hotel network: no reach */
    stream_open(&s, "reach", p, NULL);
    for (int i = 0; i < 50; i++)
        stream_event(&s, &a, &(struct evo){.ts = T0 + i * HOUR, .cc = "DE", .tz = "Asia/Tehran"});
    assert_int_equal(s.n, 0);
    stream_close(&s);

    /* a VPN user on an allowed zone (Dubai also serves OM, RE, SC, TF): no reach */
    stream_open(&s, "reach", p, NULL);
    for (int i = 0; i < 50; i++)
        stream_event(
            &s, &a,
            &(struct evo){
                .ts = T0 + i * HOUR, .cc = "NL", .cats = WARDEN_IPCAT_VPN, .tz = "Asia/Dubai"});
    assert_int_equal(s.n, 0);
    stream_close(&s);
    warden_policy_free(p);
}

static void exits_alternating_with_a_restricted_jurisdiction(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct stream s;
    stream_open(&s, "reach", p, NULL);
    for (int i = 0; i < 30; i++) {
        bool leak = i % 10 == 5;
        stream_event(&s, NULL,
                     &(struct evo){.ts = T0 + i * HOUR,
                                   .cc = leak ? "KP" : "SE",
                                   .cats = leak ? 0 : WARDEN_IPCAT_VPN});
    }
    assert_int_equal(stream_count(&s, "geo.restricted_reach"), 1);
    assert_non_null(strstr(stream_evidence(&s, "geo.restricted_reach"), "\"switches\":2"));
    stream_close(&s);

    /* an ordinary VPN user who sometimes lands on an exit located in KP: not reach */
    stream_open(&s, "reach", p, NULL);
    for (int i = 0; i < 30; i++)
        stream_event(&s, NULL,
                     &(struct evo){
                         .ts = T0 + i * HOUR, .cc = i % 3 ? "SE" : "KP", .cats = WARDEN_IPCAT_VPN});
    assert_int_equal(s.n, 0);
    stream_close(&s);
    warden_policy_free(p);
}

static void vpn_exit_in_restricted_jurisdiction_has_its_own_code(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct stream s;
    stream_open(&s, "jurisdiction", p, NULL);
    stream_event(&s, NULL,
                 &(struct evo){.ts = T0, .cc = "IR", .cats = WARDEN_IPCAT_VPN, .provider = "x"});
    assert_int_equal(s.n, 1);
    assert_int_equal(stream_count(&s, "geo.restricted_via_anonymizer"), 1);
    assert_non_null(
        strstr(stream_evidence(&s, "geo.restricted_via_anonymizer"), "\"provider\":\"x\""));
    assert_int_equal(warden_policy_decide(p, "geo.restricted_via_anonymizer",
                                          stream_score(&s, "geo.restricted_via_anonymizer")),
                     WARDEN_REVIEW);
    /* a residential connection from there is still the blocking code */
    stream_event(&s, NULL, &(struct evo){.ts = T0 + 1000, .cc = "IR"});
    assert_int_equal(stream_count(&s, "geo.restricted_jurisdiction"), 1);
    assert_int_equal(warden_policy_decide(p, "geo.restricted_jurisdiction", 0.9), WARDEN_BLOCK);
    assert_int_equal(s.n, 2);
    stream_close(&s);
    warden_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(restricted_zone_behind_vpn),
        cmocka_unit_test(exits_alternating_with_a_restricted_jurisdiction),
        cmocka_unit_test(vpn_exit_in_restricted_jurisdiction_has_its_own_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
