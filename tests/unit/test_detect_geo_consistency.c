/* test_detect_geo_consistency.c — location consistency on hand-made streams,
 * with the benign look-alikes: a Chinese-locale user in an allowed country
 * with consistent billing (never actioned: a locale is a language setting),
 * an ordinary VPN user, a traveller, a cloud-hosted app; and the tunnelled
 * accounts whose story does not hang together (time zone, card, hours), also
 * through a relay in a cloud, or through a rotating residential proxy
 * service (and a person's own networks, which do not rotate); and the combination rule (a noisy-OR
 * over evidence families, each counted once, capped below enforcement), and
 * a weak shifted day that counts only next to a declared or paid-for tell. */
#include "detect_stream.h"

#include <unistd.h>

/* The k-th request of a person: five a day, at local hours between 8 and 22. */
static int64_t human_ts(int k, int offset_min)
{
    return T0 + (k / 5) * DAY + (8 + (k * 7) % 15) * HOUR - (int64_t)offset_min * 60000 +
           (k % 7) * 60000;
}

static struct warden_policy *example_policy(void)
{
    struct warden_policy *p = NULL;
    char err[256];
    assert_int_equal(warden_policy_load(&p, "examples/policy.yaml", err, sizeof err), 0);
    return p;
}

static void zh_locale_in_allowed_country_not_actioned(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    static const char *const locales[] = {"zh-CN", "zh-Hans-CN", "zh-TW", "zh"};
    for (int l = 0; l < 4; l++) {
        struct stream s;
        stream_open(&s, "geo_consistency", p, NULL);
        struct warden_account a = test_account("GB", "GB", false);
        for (int i = 0; i < 200; i++)
            stream_event(
                &s, &a,
                &(struct evo){
                    .ts = human_ts(i, 0), .cc = "GB", .tz = "Europe/London", .locale = locales[l]});
        assert_int_equal(s.n, 0); /* not even a low-score finding */
        stream_close(&s);
    }
    /* the same user on a VPN: still nothing actionable */
    struct stream s;
    stream_open(&s, "geo_consistency", p, NULL);
    struct warden_account a = test_account("GB", "GB", false);
    for (int i = 0; i < 200; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = human_ts(i, 0),
                                   .cc = "NL",
                                   .cats = WARDEN_IPCAT_VPN,
                                   .tz = "Europe/London",
                                   .locale = "zh-CN"});
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_true(stream_all_allowed(&s, p));
    /* the locale's region is reported, never scored */
    const char *e = stream_evidence(&s, "geo.inconsistent_billing");
    assert_non_null(e);
    assert_non_null(strstr(e, "\"locale_region\":\"CN\",\"locale_disagrees\":true"));
    stream_close(&s);
    warden_policy_free(p);
}

static void vpn_user_traveller_and_cloud_app_not_actioned(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    /* ordinary VPN user in Berlin, exits abroad */
    stream_open(&s, "geo_consistency", p, NULL);
    struct warden_account de = test_account("DE", "DE", false);
    for (int i = 0; i < 120; i++)
        stream_event(&s, &de,
                     &(struct evo){.ts = human_ts(i, 60),
                                   .cc = i % 3 ? "NL" : "SE",
                                   .cats = WARDEN_IPCAT_VPN,
                                   .tz = "Europe/Berlin"});
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 0);
    assert_true(stream_all_allowed(&s, p));
    stream_close(&s);
    /* traveller: billed in the US, two weeks in Japan on hotel and mobile networks */
    stream_open(&s, "geo_consistency", p, NULL);
    struct warden_account us = test_account("US", "US", false);
    for (int i = 0; i < 60; i++)
        stream_event(&s, &us, &(struct evo){.ts = human_ts(i, 540), .cc = "JP"});
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_true(stream_all_allowed(&s, p));
    stream_close(&s);
    /* app on a US cloud, billed in Germany, round the clock */
    stream_open(&s, "geo_consistency", p, NULL);
    for (int i = 0; i < 500; i++)
        stream_event(&s, &de,
                     &(struct evo){.ts = T0 + i * 601000LL,
                                   .cc = "US",
                                   .cats = WARDEN_IPCAT_CLOUD,
                                   .provider = "aws"});
    assert_int_equal(s.n, 0);
    stream_close(&s);
    warden_policy_free(p);
}

static void tunnelled_story_that_does_not_hang_together(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    /* billed in Germany, card from Turkey, device on Shanghai time, every request via VPN */
    stream_open(&s, "geo_consistency", p, NULL);
    struct warden_account a = test_account("DE", "TR", false);
    for (int i = 0; i < 64; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = human_ts(i, 480),
                                   .cc = "NL",
                                   .cats = WARDEN_IPCAT_VPN,
                                   .provider = "mullvad",
                                   .tz = "Asia/Shanghai"});
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    double sc = stream_score(&s, "geo.inconsistent_location");
    assert_true(sc >= 0.55);
    assert_true(sc <= 0.79 + 1e-9); /* four families: 1 - 0.7^3 x 0.5 = 0.83, capped */
    assert_int_equal(warden_policy_decide(p, "geo.inconsistent_location", sc), WARDEN_REVIEW);
    const char *e = stream_evidence(&s, "geo.inconsistent_location");
    assert_non_null(strstr(e, "\"client_tz\":\"Asia/Shanghai\",\"tz_countries\":[\"CN\"]"));
    assert_non_null(strstr(e, "\"tz_offset_min\":480"));
    assert_non_null(strstr(e, "\"billing_country\":\"DE\""));
    assert_non_null(strstr(e, "\"hours_local\":["));
    assert_non_null(strstr(e, "\"signals\":[\"billing\",\"card\",\"tz\",\"hours\"]"));
    stream_close(&s);

    /* no declared zone, card matches: the hours give it away (UTC+3 days, US billing) */
    stream_open(&s, "geo_consistency", p, NULL);
    struct warden_account us = test_account("US", "US", false);
    for (int i = 0; i < 80; i++)
        stream_event(&s, &us,
                     &(struct evo){.ts = human_ts(i, 180), .cc = "DE", .cats = WARDEN_IPCAT_VPN});
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 1);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    assert_non_null(strstr(stream_evidence(&s, "geo.inconsistent_location"),
                           "\"signals\":[\"billing\",\"hours\"]"));
    stream_close(&s);
    warden_policy_free(p);
}

/* Requests from..to-1 of a person on a UTC offset, every one through a VPN exit in cc. */
static void vpn_days(struct stream *s, const struct warden_account *a, int from, int to,
                     int offset_min, const char *cc)
{
    for (int i = from; i < to; i++)
        stream_event(
            s, a, &(struct evo){.ts = human_ts(i, offset_min), .cc = cc, .cats = WARDEN_IPCAT_VPN});
}

/* A neighbour's day (one hour off the billing country's) is never told
 * apart, however long the account is watched: people keep different hours.
 * A day eight hours off is, once there are enough active hours; a handful
 * of hours is not enough evidence, whatever the shift. */
static void shifted_day_needs_evidence_and_spares_neighbours(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    struct warden_account tr = test_account("TR", "TR", false); /* TR is UTC+3 */
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &tr, 0, 300, 240, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 0);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    stream_close(&s);

    struct warden_account us = test_account("US", "US", false);
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &us, 0, 12, 480, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 0);
    vpn_days(&s, &us, 12, 60, 480, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 1);
    const char *e = stream_evidence(&s, "geo.inconsistent_hours");
    assert_non_null(strstr(e, "\"hours_evidence\":"));
    stream_close(&s);
    warden_policy_free(p);
}

/* An e-mail at a restricted jurisdiction's TLD is where a mail service is:
 * alone (with a VPN) it is not actioned; with a card from a third country
 * the tunnelled story goes to review. The TLD comes from the policy. */
static void email_tld_counts_only_with_other_signals(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    struct warden_account a = test_account("DE", "DE", false);
    a.email_domain = (char *)"mail.example.su"; /* su:RU in the example policy */
    stream_open(&s, "geo_consistency", p, "cctlds", "su:RU", NULL);
    vpn_days(&s, &a, 0, 40, 60, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_email"), 1);
    assert_non_null(
        strstr(stream_evidence(&s, "geo.inconsistent_email"), "\"email_jurisdiction\":\"RU\""));
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_true(stream_all_allowed(&s, p));
    stream_close(&s);

    struct warden_account b = test_account("DE", "SG", false);
    b.email_domain = (char *)"example.ir"; /* IR's own code, from the restricted list */
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &b, 0, 40, 60, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    assert_non_null(strstr(stream_evidence(&s, "geo.inconsistent_location"),
                           "\"signals\":[\"card\",\"email\"]"));
    stream_close(&s);

    /* a TLD of an allowed country is nothing */
    struct warden_account c = test_account("DE", "SG", false);
    c.email_domain = (char *)"example.de";
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &c, 0, 40, 60, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_email"), 0);
    stream_close(&s);
    warden_policy_free(p);
}

/* A restricted country's own mail service on a generic TLD (qq.com:
 * data/webmail/national.tsv, the default mail_providers) counts as its TLD
 * would: alone with a VPN it is not actioned; next to a VPN abroad it is
 * still not (an emigrant on a VPN shows both); with a card from a third
 * country, or a clock on the restricted country's hours, it goes to review.
 * A sub-domain counts, a name that merely ends in the same letters does not,
 * a country the policy does not restrict is ignored, and "" reads no file. */
static void email_provider_counts_like_a_tld(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    struct warden_account a = test_account("DE", "DE", false);
    a.email_domain = (char *)"qq.com";
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &a, 0, 40, 60, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_email"), 1);
    assert_non_null(
        strstr(stream_evidence(&s, "geo.inconsistent_email"), "\"email_jurisdiction\":\"CN\""));
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_true(stream_all_allowed(&s, p));
    stream_close(&s);

    struct warden_account b = test_account("DE", "SG", false);
    b.email_domain = (char *)"VIP.163.com";
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &b, 0, 40, 60, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    assert_non_null(strstr(stream_evidence(&s, "geo.inconsistent_location"),
                           "\"signals\":[\"card\",\"email\"]"));
    stream_close(&s);

    static const char *const none[] = {"myqq.com", "qq.com.example.de", "cantv.net"};
    for (int i = 0; i < 3; i++) { /* cantv.net: VE, not restricted by the example policy */
        struct warden_account c = test_account("DE", "SG", false);
        c.email_domain = (char *)none[i];
        stream_open(&s, "geo_consistency", p, NULL);
        vpn_days(&s, &c, 0, 40, 60, "DE");
        assert_int_equal(stream_count(&s, "geo.inconsistent_email"), 0);
        stream_close(&s);
    }
    /* no file: TLDs only */
    struct warden_account d = test_account("DE", "SG", false);
    d.email_domain = (char *)"qq.com";
    stream_open(&s, "geo_consistency", p, "mail_providers", "", NULL);
    vpn_days(&s, &d, 0, 40, 60, "DE");
    assert_int_equal(stream_count(&s, "geo.inconsistent_email"), 0);
    stream_close(&s);

    /* an address from home and a VPN abroad: an emigrant on a VPN */
    struct warden_account e = test_account("DE", "DE", false);
    e.email_domain = (char *)"qq.com";
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &e, 0, 60, 60, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_billing"), 1);
    assert_int_equal(stream_count(&s, "geo.inconsistent_email"), 1);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    stream_close(&s);
    /* the same on Shanghai's hours: the clock pairs with it */
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &e, 0, 120, 480, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    assert_non_null(strstr(stream_evidence(&s, "geo.inconsistent_location"),
                           "\"counted\":[\"billing\",\"hours\",\"email\"]"));
    stream_close(&s);
    warden_policy_free(p);
}

/* A malformed line of the mail_providers file refuses the detector, naming
 * the file and line; a file that is not there refuses it too. */
static void bad_mail_providers_file_is_refused(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    char path[] = "/tmp/warden-test-mail-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# ok\nqq.com CN\nexample.org China\n", f);
    fclose(f);
    int i = warden_detector_index("geo_consistency");
    const struct warden_detector *d = warden_detectors[i];
    static const char *const paths[] = {NULL, "/nonexistent/national.tsv"};
    for (int k = 0; k < 2; k++) {
        void *conf = calloc(1, d->conf_size), *ctx = NULL;
        warden_conf_defaults(d->conf_table, conf);
        char err[128];
        assert_int_equal(warden_conf_set(warden_conf_find(d->conf_table, "mail_providers"), conf,
                                         paths[k] ? paths[k] : path, err, sizeof err),
                         0);
        assert_int_not_equal(d->init(&ctx, p, conf), 0);
        d->free(ctx);
        warden_conf_fini(d->conf_table, conf);
        free(conf);
    }
    unlink(path);
    warden_policy_free(p);
}

/* A shifted day counts towards geo.inconsistent_location only when its
 * clock fits a restricted jurisdiction's zones: a night worker in Berlin
 * whose day runs nine hours late (a clock of UTC-8, the American west
 * coast) on a VPN abroad is inconsistent, and reported, but not reviewed;
 * the same day on Shanghai's clock is. hours_any_zone counts any clock.
 * (UTC-8:30 is twelve hours from Tehran's +3:30: not inside that zone.) */
static void shifted_day_counts_when_it_fits_a_restricted_zone(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    struct warden_account de = test_account("DE", "DE", false);
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &de, 0, 120, 60 - 540, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 1);
    assert_non_null(
        strstr(stream_evidence(&s, "geo.inconsistent_hours"), "\"clock_fits_restricted\":[]"));
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    stream_close(&s);

    stream_open(&s, "geo_consistency", p, "hours_any_zone", "true", NULL);
    vpn_days(&s, &de, 0, 120, 60 - 540, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    stream_close(&s);

    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &de, 0, 120, 480, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    const char *e = stream_evidence(&s, "geo.inconsistent_location");
    assert_non_null(strstr(e, "\"signals\":[\"billing\",\"hours\"]"));
    assert_non_null(strstr(e, "\"clock_fits_restricted\":[\"KP\",\"RU\",\"CN\"]"));
    stream_close(&s);
    warden_policy_free(p);
}

/* Events a little out of order (adjacent requests swapped, as several gateway
 * nodes interleave) give the same findings. */
static void small_disorder_gives_the_same_findings(void **st)
{
    (void)st;
    struct stream a, b;
    struct warden_account acct = test_account("US", "US", false);
    struct warden_policy *p = example_policy(); /* a clock at UTC+3 fits RU */
    stream_open(&a, "geo_consistency", p, NULL);
    stream_open(&b, "geo_consistency", p, NULL);
    for (int i = 0; i < 80; i++) {
        int k = i % 2 ? i - 1 : (i + 1 < 80 ? i + 1 : i);
        struct evo o = {.ts = human_ts(i, 180), .cc = "DE", .cats = WARDEN_IPCAT_VPN};
        struct evo d = {.ts = human_ts(k, 180), .cc = "DE", .cats = WARDEN_IPCAT_VPN};
        stream_event(&a, &acct, &o);
        stream_event(&b, &acct, &d);
    }
    assert_int_equal(a.n, b.n);
    for (int i = 0; i < a.n; i++) assert_string_equal(a.codes[i], b.codes[i]);
    assert_int_equal(stream_count(&b, "geo.inconsistent_location"), 1);
    stream_close(&a);
    stream_close(&b);
    warden_policy_free(p);
}

static void missing_tz_database_is_not_fatal(void **st)
{
    (void)st;
    struct stream s;
    stream_open(&s, "geo_consistency", NULL, "tzdb", "/nonexistent/zone1970.tab", NULL);
    struct warden_account a = test_account("DE", "DE", false);
    for (int i = 0; i < 64; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = human_ts(i, 60), .cc = "DE", .tz = "Asia/Shanghai"});
    assert_int_equal(s.n, 0);
    stream_close(&s);
}

/* n requests of a person on UTC+4, every one through one cloud server in cc,
 * declaring the zone tz (NULL: none). */
static void relay_days(struct stream *s, const struct warden_account *a, int n, const char *cc,
                       const char *tz)
{
    for (int i = 0; i < n; i++)
        stream_event(s, a,
                     &(struct evo){.ts = human_ts(i, 240),
                                   .cc = cc,
                                   .cats = WARDEN_IPCAT_CLOUD,
                                   .provider = "aws",
                                   .tz = tz});
}

/* A person's day carried by one cloud server in another country than the
 * billing one is a relay (the exit family, at the lower w_relay: a
 * low-volume app's server looks the same for a while). With a card from a
 * third country only, it stays below review (a company's card abroad and
 * a server elsewhere is also an app's); with a device zone of none of
 * those countries as well, the story goes to review. An app on a cloud
 * serving its users round the clock is not a relay, and a person whose
 * relay is in the billing country is consistent. */
static void cloud_relay_carrying_a_persons_day(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    struct warden_account a = test_account("AE", "SG", false);
    stream_open(&s, "geo_consistency", p, NULL);
    relay_days(&s, &a, 40, "US", NULL);
    assert_int_equal(stream_count(&s, "geo.inconsistent_card"), 1);
    assert_int_equal(stream_count(&s, "geo.inconsistent_billing"), 1);
    assert_non_null(
        strstr(stream_evidence(&s, "geo.inconsistent_billing"), "\"billing_exit\":\"relay\""));
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0); /* 1 - 0.8 x 0.7 */
    assert_true(stream_all_allowed(&s, p));
    stream_close(&s);

    stream_open(&s, "geo_consistency", p, NULL);
    relay_days(&s, &a, 40, "US", "Asia/Tokyo");
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    const char *e = stream_evidence(&s, "geo.inconsistent_location");
    assert_non_null(strstr(e, "\"billing_exit\":\"relay\""));
    assert_non_null(strstr(e, "\"signals\":[\"billing\",\"card\",\"tz\"]"));
    double sc = stream_score(&s, "geo.inconsistent_location");
    assert_true(sc > 0.60 && sc < 0.61); /* 1 - 0.8 x 0.7 x 0.7 */
    assert_int_equal(warden_policy_decide(p, "geo.inconsistent_location", sc), WARDEN_REVIEW);
    stream_close(&s);

    /* the app: the same billing, card and cloud, a request every 10 minutes */
    stream_open(&s, "geo_consistency", p, NULL);
    for (int i = 0; i < 500; i++)
        stream_event(&s, &a,
                     &(struct evo){.ts = T0 + i * 601000LL,
                                   .cc = "US",
                                   .cats = WARDEN_IPCAT_CLOUD,
                                   .provider = "aws"});
    assert_int_equal(stream_count(&s, "geo.inconsistent_billing"), 0);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    stream_close(&s);

    /* the person's relay in the billing country */
    stream_open(&s, "geo_consistency", p, NULL);
    relay_days(&s, &a, 40, "AE", NULL);
    assert_int_equal(stream_count(&s, "geo.inconsistent_billing"), 0);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    stream_close(&s);
    warden_policy_free(p);
}

/* The "hours_evidence" of a finding's evidence. */
static double hours_evidence_of(const char *e)
{
    const char *k = e ? strstr(e, "\"hours_evidence\":") : NULL;
    assert_non_null(k);
    return strtod(k + strlen("\"hours_evidence\":"), NULL);
}

/* A shifted day too weak to count alone (hours log-likelihood between
 * hours_weak_evidence and hours_evidence) counts at w_hours_weak next to a
 * family the account declares or pays with: a relay (0.2) and a card from a
 * third country (0.3) stay below review without it (0.44) and reach it
 * with it (0.61). Next to the exit family alone it adds nothing: a VPN
 * user billed elsewhere who keeps late hours is not reviewed. Off (0) by
 * default. */
static void weak_clock_counts_only_in_a_pair(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    struct warden_account gb_sg = test_account("GB", "SG", false);
    for (int on = 0; on < 2; on++) {
        stream_open(&s, "geo_consistency", p, "w_hours_weak", on ? "0.3" : "0", NULL);
        relay_days(&s, &gb_sg, 40, "US", NULL); /* a person on UTC+4, billed in GB */
        assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 0);
        assert_int_equal(stream_count(&s, "geo.inconsistent_location"), on);
        if (on) {
            const char *e = stream_evidence(&s, "geo.inconsistent_location");
            assert_non_null(strstr(e, "\"signals\":[\"billing\",\"card\",\"hours_weak\"]"));
            double llr = hours_evidence_of(e);
            assert_true(llr >= 3 && llr < 6);
            double sc = stream_score(&s, "geo.inconsistent_location");
            assert_true(sc > 0.60 && sc < 0.61); /* 1 - 0.8 x 0.7 x 0.7 */
            assert_int_equal(warden_policy_decide(p, "geo.inconsistent_location", sc),
                             WARDEN_REVIEW);
        }
        stream_close(&s);
    }
    /* the same day through VPN exits, card of the billing country: the exit
     * family and the same weak clock */
    struct warden_account gb = test_account("GB", "GB", false);
    stream_open(&s, "geo_consistency", p, "w_hours_weak", "0.3", NULL);
    vpn_days(&s, &gb, 0, 40, 240, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_hours"), 0);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_true(stream_all_allowed(&s, p));
    stream_close(&s);
    warden_policy_free(p);
}

/* One family alone stays below review (except a clear shifted day whose
 * clock fits a restricted jurisdiction's zones); every
 * family together stays below enforcement (location_cap: checked in
 * tunnelled_story_that_does_not_hang_together). */
static void one_family_alone_is_not_reviewed(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    /* the exit family alone: a VPN user billed elsewhere, card of the billing country */
    struct warden_account de = test_account("DE", "DE", false);
    stream_open(&s, "geo_consistency", p, NULL);
    vpn_days(&s, &de, 0, 60, 60, "NL");
    assert_int_equal(stream_count(&s, "geo.inconsistent_billing"), 1);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    stream_close(&s);
    warden_policy_free(p);
}

/* n requests of a person billed in DE on residential networks (no
 * anonymizer category), from the ASN asn_of(k) gives the k-th one. */
static void residential_days(struct stream *s, const struct warden_account *a, int n,
                             const char *cc, uint32_t (*asn_of)(int))
{
    for (int i = 0; i < n; i++)
        stream_event(s, a,
                     &(struct evo){.ts = human_ts(i, 60),
                                   .cc = cc,
                                   .asn = asn_of(i),
                                   .ip = 0x0a000000u + (uint32_t)i * 257u});
}

/* a proxy service: a new household's ISP every session (each request here is
 * hours from the last), from a pool of 40 */
static uint32_t proxy_asn(int k)
{
    return 64500u + (uint32_t)(k * 7 % 40);
}
/* home ISP, with the phone's carrier every tenth request and a café now and then */
static uint32_t home_asn(int k)
{
    return k % 10 == 9 ? 6805u : k % 37 == 36 ? 8881u + (uint32_t)(k / 37) : 3320u;
}
/* a mobile user behind a carrier's NAT: one operator whatever the address */
static uint32_t carrier_asn(int k)
{
    (void)k;
    return 12430u;
}
/* a business traveller: a new hotel's ISP every eight requests (two days) */
static uint32_t hotel_asn(int k)
{
    return 20000u + (uint32_t)(k / 8) * 13u;
}

/* Rotating residential exits: a proxy service hiding where the user is,
 * which one person's connections never look like. Found whatever country
 * the service targets; acted on (review) only with another family. */
static void rotating_residential_exits(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct stream s;
    /* targeted at the billing country, card and zone consistent: context only */
    struct warden_account de = test_account("DE", "DE", false);
    stream_open(&s, "geo_consistency", p, NULL);
    residential_days(&s, &de, 60, "DE", proxy_asn);
    assert_int_equal(stream_count(&s, "geo.rotating_exits"), 1);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
    assert_true(stream_all_allowed(&s, p));
    const char *e = stream_evidence(&s, "geo.rotating_exits");
    assert_non_null(strstr(e, "\"exit_asns\":"));
    assert_non_null(strstr(e, "\"signals\":[\"rotation\"]"));
    stream_close(&s);
    /* the same with a card of another country: two families, reviewed */
    struct warden_account tr = test_account("DE", "TR", false);
    stream_open(&s, "geo_consistency", p, NULL);
    residential_days(&s, &tr, 60, "DE", proxy_asn);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    double sc = stream_score(&s, "geo.inconsistent_location");
    assert_true(sc > 0.50 && sc < 0.52); /* 1 - 0.7 x 0.7 */
    assert_int_equal(warden_policy_decide(p, "geo.inconsistent_location", sc), WARDEN_REVIEW);
    stream_close(&s);
    /* targeted at another allowed country: the exit family joins (billing_exit rotating) */
    stream_open(&s, "geo_consistency", p, NULL);
    residential_days(&s, &de, 60, "NL", proxy_asn);
    assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 1);
    assert_non_null(
        strstr(stream_evidence(&s, "geo.inconsistent_location"), "\"billing_exit\":\"rotating\""));
    stream_close(&s);
    warden_policy_free(p);
}

/* A person's own networks: home ISP with the phone and a café, a carrier's
 * NAT, a traveller changing hotel every two days. None rotates. */
static void persons_networks_do_not_rotate(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    uint32_t (*const who[3])(int) = {home_asn, carrier_asn, hotel_asn};
    struct warden_account de = test_account("DE", "TR", false);
    for (int w = 0; w < 3; w++) {
        struct stream s;
        stream_open(&s, "geo_consistency", p, NULL);
        residential_days(&s, &de, 120, "DE", who[w]);
        assert_int_equal(stream_count(&s, "geo.rotating_exits"), 0);
        assert_int_equal(stream_count(&s, "geo.inconsistent_location"), 0);
        stream_close(&s);
    }
    warden_policy_free(p);
}

/* A home line with excursions (stream_home_with_excursions): the session,
 * operator and change counts of a proxy service, but one network starts
 * every session. Not rotating with rot_home_share (a person's home); with
 * it at 0, it is. */
static void home_line_with_excursions_does_not_rotate(void **st)
{
    (void)st;
    struct warden_policy *p = example_policy();
    struct warden_account de = test_account("DE", "NL", false); /* a card from a neighbour */
    for (int off = 0; off < 2; off++) {
        struct stream s;
        if (off)
            stream_open(&s, "geo_consistency", p, "rot_home_share", "0", NULL);
        else
            stream_open(&s, "geo_consistency", p, NULL);
        stream_home_with_excursions(&s, &de, "DE", NULL);
        assert_int_equal(stream_count(&s, "geo.rotating_exits"), off ? 1 : 0);
        assert_int_equal(stream_count(&s, "geo.inconsistent_location"), off ? 1 : 0);
        stream_close(&s);
    }
    warden_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zh_locale_in_allowed_country_not_actioned),
        cmocka_unit_test(vpn_user_traveller_and_cloud_app_not_actioned),
        cmocka_unit_test(tunnelled_story_that_does_not_hang_together),
        cmocka_unit_test(small_disorder_gives_the_same_findings),
        cmocka_unit_test(shifted_day_needs_evidence_and_spares_neighbours),
        cmocka_unit_test(email_tld_counts_only_with_other_signals),
        cmocka_unit_test(email_provider_counts_like_a_tld),
        cmocka_unit_test(shifted_day_counts_when_it_fits_a_restricted_zone),
        cmocka_unit_test(bad_mail_providers_file_is_refused),
        cmocka_unit_test(missing_tz_database_is_not_fatal),
        cmocka_unit_test(cloud_relay_carrying_a_persons_day),
        cmocka_unit_test(one_family_alone_is_not_reviewed),
        cmocka_unit_test(weak_clock_counts_only_in_a_pair),
        cmocka_unit_test(rotating_residential_exits),
        cmocka_unit_test(persons_networks_do_not_rotate),
        cmocka_unit_test(home_line_with_excursions_does_not_rotate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
