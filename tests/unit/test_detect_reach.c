/* test_detect_reach.c — restricted-jurisdiction reach and the jurisdiction
 * detector's anonymizer code, on hand-made streams: a device on a restricted
 * jurisdiction's time zone behind VPN exits or rotating residential exits
 * (a traveller's few networks are not), or behind exits of few operators
 * whose /24 changes every session (a home line and a phone do not), or
 * behind a new network each session in a third country, never the billing
 * one (an emigrant on a trip or at home is not); the same zone on a direct
 * connection or an allowed zone behind a VPN (not reach); exits alternating
 * between a restricted jurisdiction and a VPN; a VPN exit that geolocates to
 * a restricted jurisdiction (its own code, reviewed, not blocked); a sign-up
 * from a restricted jurisdiction and an organisation incorporated there
 * (registry). */
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
    assert_non_null(strstr(e, "\"countries\":{\"NL\":1}")); /* judged from min_events (1) */
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

/* n direct requests three hours apart from cc, declaring tz, the k-th from
 * the ASN and IPv4 address asn_of(k) and ip_of(k) give. */
static void direct_from(struct stream *s, const struct warden_account *a, int n, const char *cc,
                        const char *tz, uint32_t (*asn_of)(int), uint32_t (*ip_of)(int))
{
    for (int i = 0; i < n; i++)
        stream_event(
            s, a,
            &(struct evo){
                .ts = T0 + i * 3 * HOUR, .cc = cc, .asn = asn_of(i), .ip = ip_of(i), .tz = tz});
}

static uint32_t no_ip(int k)
{
    (void)k;
    return 0;
}

/* hotel, mobile carrier and a café, each for a day or more */
static uint32_t traveller_asn(int k)
{
    return k % 5 == 4 ? 6805u : 20000u + (uint32_t)(k / 12);
}

/* a residential proxy service among three ISPs, a new household each time */
static uint32_t few_isps_asn(int k)
{
    return 3320u + (uint32_t)(k % 3);
}

static uint32_t household_ip(int k)
{
    return 0x50000001u + ((uint32_t)(k * 37 % 251) << 8);
}

/* a home line (one /24, the address changing within it) and a phone */
static uint32_t home_or_phone_asn(int k)
{
    return k % 4 == 3 ? 6805u : 3320u;
}

static uint32_t home_or_phone_ip(int k)
{
    return k % 4 == 3 ? 0x0a000001u : 0x50000001u + (uint32_t)(k % 7);
}

/* The same zone behind a residential proxy service: no anonymizer category,
 * but a new operator every session (hours apart here). Reach once the
 * rotation is established; the Tehran-zoned traveller who moves between a
 * few networks is not. */
static void restricted_zone_behind_rotating_exits(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct stream s;
    struct warden_account a = test_account("AE", "AE", false);
    stream_open(&s, "reach", p, NULL);
    for (int i = 0; i < 20; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * 3 * HOUR,
                                   .cc = "DE",
                                   .asn = 64500u + (uint32_t)(i * 7 % 40),
                                   .tz = "Asia/Tehran"});
    assert_int_equal(stream_count(&s, "geo.restricted_tz_anonymized"), 1);
    const char *e = stream_evidence(&s, "geo.restricted_tz_anonymized");
    assert_non_null(strstr(e, "\"exit_asns\":"));
    assert_non_null(strstr(e, "\"direct_sessions\":6")); /* judged once rotation is established */
    stream_close(&s);

    /* hotel, mobile carrier and a café, each for a day or more */
    stream_open(&s, "reach", p, NULL);
    direct_from(&s, &a, 60, "DE", "Asia/Tehran", traveller_asn, no_ip);
    assert_int_equal(s.n, 0);
    stream_close(&s);
    warden_policy_free(p);
}

/* An emigrant at home whose device still keeps Tehran's zone, on a home
 * line with excursions (stream_home_with_excursions): the counts of a proxy
 * service, but one operator starts every session. Not
 * hidden exits with rot_home_share (the networks still rotate: reviewed,
 * as a few-ISP proxy's are); with it at 0, hidden exits, blocked. */
static void restricted_zone_at_home_with_excursions(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct warden_account a = test_account("DE", "DE", false);
    for (int off = 0; off < 2; off++) {
        struct stream s;
        if (off)
            stream_open(&s, "reach", p, "rot_home_share", "0", NULL);
        else
            stream_open(&s, "reach", p, NULL);
        stream_home_with_excursions(&s, &a, "DE", "Asia/Tehran");
        assert_int_equal(stream_count(&s, "geo.restricted_tz_anonymized"), off ? 1 : 0);
        assert_int_equal(stream_count(&s, "geo.restricted_tz_rotating"), 1);
        assert_true(stream_score(&s, "geo.restricted_tz_rotating") < 0.85); /* not blocked */
        if (off)
            assert_int_equal(warden_policy_decide(p, "geo.restricted_tz_anonymized",
                                                  stream_score(&s, "geo.restricted_tz_anonymized")),
                             WARDEN_BLOCK);
        stream_close(&s);
    }
    warden_policy_free(p);
}

/* A residential proxy service where a few ISPs hold most addresses: three
 * operators, but a new household's /24 every session. With a device on a
 * restricted zone that is geo.restricted_tz_rotating (reviewed, not
 * blocked: a mobile carrier's pool can change /24 too); without the zone,
 * or on a home line and a phone whose networks stay put, nothing. */
static void restricted_zone_behind_rotating_networks(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct stream s;
    struct warden_account a = test_account("AE", "AE", false);
    for (int zone = 0; zone < 2; zone++) {
        stream_open(&s, "reach", p, NULL);
        direct_from(&s, &a, 20, "DE", zone ? "Asia/Tehran" : "Asia/Dubai", few_isps_asn,
                    household_ip);
        assert_int_equal(stream_count(&s, "geo.restricted_tz_anonymized"), 0); /* 3 ASNs */
        assert_int_equal(stream_count(&s, "geo.restricted_tz_rotating"), zone);
        if (zone) {
            const char *e = stream_evidence(&s, "geo.restricted_tz_rotating");
            assert_non_null(strstr(e, "\"client_tz\":\"Asia/Tehran\""));
            assert_non_null(strstr(e, "\"direct_sessions\":6,\"exit_networks\":"));
            assert_non_null(strstr(e, "\"network_switches\":5}"));
            assert_true(stream_score(&s, "geo.restricted_tz_rotating") < 0.85); /* not blocked */
        }
        stream_close(&s);
    }
    /* the same zone on a home line (one /24) and a phone (a carrier's NAT) */
    stream_open(&s, "reach", p, NULL);
    direct_from(&s, &a, 60, "DE", "Asia/Tehran", home_or_phone_asn, home_or_phone_ip);
    assert_int_equal(s.n, 0);
    stream_close(&s);
    warden_policy_free(p);
}

/* Findings of code (any when NULL) on a fresh stream of direct_from's requests. */
static int findings_on(const struct warden_policy *p, const struct warden_account *a, int n,
                       const char *cc, const char *tz, uint32_t (*asn_of)(int),
                       uint32_t (*ip_of)(int), const char *code)
{
    struct stream s;
    stream_open(&s, "reach", p, NULL);
    direct_from(&s, a, n, cc, tz, asn_of, ip_of);
    int k = code ? stream_count(&s, code) : s.n;
    stream_close(&s);
    return k;
}

/* A device on a restricted zone, billed in AE, every request from a third
 * country (DE) through a new household's network each session:
 * geo.restricted_tz_elsewhere from the third session, reviewed, not
 * blocked. Not the same device's owner on a trip there (a hotel and a phone
 * it comes back to), nor at home in the billing country on one home line
 * and a phone, nor behind fresh networks in the billing country (that is
 * the rotation tests' business), nor the proxy with an allowed zone. */
static void restricted_zone_elsewhere_on_fresh_networks(void **st)
{
    (void)st;
    struct warden_policy *p = policy();
    struct stream s;
    struct warden_account a = test_account("AE", "AE", false);
    stream_open(&s, "reach", p, NULL);
    direct_from(&s, &a, 5, "DE", "Asia/Tehran", few_isps_asn, household_ip);
    assert_int_equal(s.n, 1);
    assert_int_equal(stream_count(&s, "geo.restricted_tz_elsewhere"), 1);
    const char *e = stream_evidence(&s, "geo.restricted_tz_elsewhere");
    assert_non_null(strstr(e, "\"countries\":{\"DE\":3}")); /* judged at the third session */
    assert_non_null(strstr(e, "\"direct_sessions\":3,\"billing_country\":\"AE\""));
    assert_non_null(strstr(e, "\"billing_requests\":0,\"exit_networks\":3"));
    assert_non_null(strstr(e, "\"network_switches\":2}"));
    assert_true(stream_score(&s, "geo.restricted_tz_elsewhere") < 0.85); /* not blocked */
    stream_close(&s);

    /* /24s that share a bit of the 16-bit network tally (188.76.120/24 and
     * 62.43.146/24): three operators are three networks at least */
    stream_open(&s, "reach", p, NULL);
    static const uint32_t colliding[] = {0x5f3fa667u, 0xbc4c780eu, 0x3e2b923du};
    for (int i = 0; i < 3; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * 3 * HOUR,
                                   .cc = "ES",
                                   .asn = 3352u + (uint32_t)i,
                                   .ip = colliding[i],
                                   .tz = "Asia/Tehran"});
    assert_int_equal(stream_count(&s, "geo.restricted_tz_elsewhere"), 1);
    stream_close(&s);

    /* a request from the zone's country (the jurisdiction detector's) */
    stream_open(&s, "reach", p, NULL);
    stream_event(&s, &a, &(struct evo){.ts = T0 - DAY, .cc = "IR", .tz = "Asia/Tehran"});
    direct_from(&s, &a, 5, "DE", "Asia/Tehran", few_isps_asn, household_ip);
    assert_int_equal(stream_count(&s, "geo.restricted_tz_elsewhere"), 0);
    stream_close(&s);

    /* two sessions are not enough to say; an emigrant on a trip to DE whose
     * laptop keeps its home zone (a hotel's /24 and a phone); the same
     * emigrant at home in the billing country (a home line and a phone):
     * nothing. Fresh networks in the billing country, the proxy with an
     * allowed zone, or without a registry account: not this code. */
    const char *any = NULL, *code = "geo.restricted_tz_elsewhere";
    assert_int_equal(findings_on(p, &a, 2, "DE", "Asia/Tehran", few_isps_asn, household_ip, any),
                     0);
    assert_int_equal(
        findings_on(p, &a, 40, "DE", "Asia/Tehran", traveller_asn, home_or_phone_ip, any), 0);
    assert_int_equal(
        findings_on(p, &a, 60, "AE", "Asia/Tehran", home_or_phone_asn, home_or_phone_ip, any), 0);
    assert_int_equal(findings_on(p, &a, 5, "AE", "Asia/Tehran", few_isps_asn, household_ip, code),
                     0);
    assert_int_equal(findings_on(p, &a, 20, "DE", "Asia/Dubai", few_isps_asn, household_ip, code),
                     0);
    assert_int_equal(
        findings_on(p, NULL, 20, "DE", "Asia/Tehran", few_isps_asn, household_ip, code), 0);
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

/* The registry: an account that signed up from a residential address in a
 * restricted jurisdiction (IPFire Location data; the test is skipped
 * without it) and now comes only through VPN exits; the same sign-up with
 * direct traffic (the jurisdiction detector's business), or a sign-up
 * through an anonymizer, is not this code. An organisation incorporated in
 * a restricted jurisdiction is reported whatever its billing says. */
static void restricted_signup_and_org_from_the_registry(void **st)
{
    (void)st;
    struct warden_intel_conf conf;
    warden_conf_defaults(warden_intel_conf_table, &conf);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "lists"), &conf);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "asn_lists"), &conf);
    struct warden_intel *in = NULL;
    char err[300];
    if (warden_intel_open(&in, &conf, err, sizeof err) != 0) {
        warden_conf_fini(warden_intel_conf_table, &conf);
        skip();
    }
    struct warden_ip ir;
    assert_int_equal(warden_ip_parse(&ir, "2.176.0.1", 9), 0);
    if (strcmp(warden_intel_lookup(in, &ir)->country, "IR") != 0) { /* data moved */
        warden_intel_free(in);
        warden_conf_fini(warden_intel_conf_table, &conf);
        skip();
    }
    struct warden_policy *p = policy();
    struct stream s;
    struct warden_account a = test_account("AE", "AE", false);
    a.signup_ip = ir;
    a.has_signup_ip = true;
    stream_open(&s, "reach", p, NULL);
    assert_int_equal(s.d->attach_registry(s.ctx, NULL, in), 0);
    for (int i = 0; i < 10; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * HOUR, .cc = "NL", .cats = WARDEN_IPCAT_VPN});
    assert_int_equal(stream_count(&s, "geo.restricted_signup"), 1);
    const char *e = stream_evidence(&s, "geo.restricted_signup");
    assert_non_null(strstr(e, "\"signup_country\":\"IR\""));
    assert_non_null(strstr(e, "\"billing_country\":\"AE\""));
    stream_close(&s);

    /* the same sign-up, then direct connections from the billing country */
    stream_open(&s, "reach", p, NULL);
    assert_int_equal(s.d->attach_registry(s.ctx, NULL, in), 0);
    for (int i = 0; i < 10; i++)
        stream_event(&s, &a, &(struct evo){.ts = T0 + i * HOUR, .cc = "AE"});
    assert_int_equal(s.n, 0);
    stream_close(&s);

    /* no IP table (a run without a registry): nothing */
    stream_open(&s, "reach", p, NULL);
    for (int i = 0; i < 10; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * HOUR, .cc = "NL", .cats = WARDEN_IPCAT_VPN});
    assert_int_equal(s.n, 0);
    stream_close(&s);

    /* an organisation incorporated in a restricted jurisdiction */
    struct warden_org org = {.org_id = (char *)"org_1", .name = (char *)"Example"};
    snprintf(org.country, sizeof org.country, "KP");
    struct warden_account b = test_account("SG", "SG", false);
    b.org = &org;
    stream_open(&s, "reach", p, NULL);
    stream_event(&s, &b, &(struct evo){.ts = T0, .cc = "SG"});
    assert_int_equal(stream_count(&s, "geo.restricted_org"), 1);
    assert_non_null(strstr(stream_evidence(&s, "geo.restricted_org"), "\"org_country\":\"KP\""));
    stream_close(&s);
    snprintf(org.country, sizeof org.country, "SG");
    stream_open(&s, "reach", p, NULL);
    stream_event(&s, &b, &(struct evo){.ts = T0, .cc = "SG"});
    assert_int_equal(s.n, 0);
    stream_close(&s);

    warden_policy_free(p);
    warden_intel_free(in);
    warden_conf_fini(warden_intel_conf_table, &conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(restricted_zone_behind_vpn),
        cmocka_unit_test(restricted_zone_behind_rotating_exits),
        cmocka_unit_test(restricted_zone_behind_rotating_networks),
        cmocka_unit_test(restricted_zone_at_home_with_excursions),
        cmocka_unit_test(restricted_zone_elsewhere_on_fresh_networks),
        cmocka_unit_test(exits_alternating_with_a_restricted_jurisdiction),
        cmocka_unit_test(vpn_exit_in_restricted_jurisdiction_has_its_own_code),
        cmocka_unit_test(restricted_signup_and_org_from_the_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
