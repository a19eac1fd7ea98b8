/* detect_geo_consistency.c — does an account's location story hang together?
 *
 * Per account it compares where requests come from (IP countries, and
 * whether through anonymizers), the billing and card countries, the
 * declared `client_tz` (→ countries and offset through the system tz
 * database, see tzdb.h) and the hours of activity. Each inconsistency is a
 * weak finding on its own (scores below the example policy's thresholds):
 *   geo.inconsistent_billing  almost no request (< max_home_share) comes from
 *                             the billing country, and the account's requests
 *                             come through VPN, Tor or proxy exits (a
 *                             person's tunnel), or through cloud or hosting
 *                             servers carrying a person's day: at most
 *                             max_daily_events a day, in fewer than
 *                             relay_max_hours hours of the day (a relay; an
 *                             app's server is where it is hosted, which says
 *                             nothing about billing, and serves its users
 *                             round the clock), or its direct exits rotate
 *                             (geo.rotating_exits)
 *   geo.inconsistent_card     the card's country is neither the billing
 *                             country nor any request's country
 *   geo.inconsistent_tz       the declared time zone belongs to none of the
 *                             billing, card or request countries
 *   geo.inconsistent_hours    the hours of activity put the user away from
 *                             the declared time zone (or, without one or
 *                             when it is itself inconsistent, from every
 *                             zone of the billing country); people are assumed most active
 *                             around local_mean_hour, give or take
 *                             hours_slack_h; the shift beyond the slack
 *                             must be supported by enough active hours
 *                             (a log-likelihood ratio, hours_evidence); round-the-clock
 *                             traffic (concentration below min_hours_r) and
 *                             traffic in fewer than min_active_hours hours of
 *                             the day (a job's window, a benchmark run) or
 *                             on fewer than min_days days, or at more than
 *                             max_daily_events a day (a machine) are never
 *                             judged
 *   geo.inconsistent_email    the sign-up e-mail's domain ends in the
 *                             country-code TLD of a restricted jurisdiction
 *                             (derived from the policy's restricted list,
 *                             plus the cctlds pairs of the config), or is
 *                             a mail service of one restricted country on
 *                             a generic TLD (qq.com; the mail_providers
 *                             file): where the mail service is, which
 *                             emigrants keep, so it counts in
 *                             geo.inconsistent_location only next to the
 *                             payment, declared-zone, clock or rotation
 *                             family (an address from home and a VPN
 *                             abroad are an emigrant on a VPN)
 *   geo.rotating_exits        the account's direct exits (no anonymizer
 *                             category) keep changing network operator: at
 *                             least rot_min_asns ASNs, at least
 *                             rot_switch_share changes of ASN between
 *                             consecutive direct requests per session, after
 *                             rot_min_sessions sessions, and no operator
 *                             starting rot_home_share of the sessions by a
 *                             majority count (geo_rotation.h): a rotating
 *                             residential proxy service, which one person's
 *                             connections (home ISP, a carrier's NAT, an
 *                             office, a home line with excursions) are not.
 *                             The account counts as tunnelled
 *   geo.inconsistent_location the account is tunnelled (anonymized share >=
 *                             anon_share, or rotating exits) AND the inconsistencies above,
 *                             combined, reach location_min: the story a
 *                             circumventor tells. The combination is a
 *                             noisy-OR over independent evidence families,
 *                             each counted once at its weight (w_*): exit
 *                             (billing), payment (card), declared zone (tz),
 *                             clock (hours), e-mail, rotation;
 *                             score = 1 - prod(1 - w), at most location_cap.
 *                             A family repeated adds nothing, so no single
 *                             kind of evidence reaches an enforcing score;
 *                             with the defaults two weak families (0.3 each)
 *                             reach review (0.51), a clear shifted day
 *                             (0.5) alone does
 * The declared `client_locale` is a language setting: it is never scored.
 * Its region is reported in evidence only (locale_region, and whether it
 * disagrees with every other location of the account).
 *
 * Evidence keys: events, anonymized_share, countries (request countries
 * with counts), billing_country, billing_share, card_country, client_tz,
 * tz_countries, tz_offset_min, hours_local (active hours per local hour of
 * the day, in the reference zone's local time), activity_offset_min (implied), hours_concentration,
 * hours_gap_min, signals (the inconsistencies present), locale_region,
 * locale_disagrees; exit_asns, asn_switches, direct_sessions when the
 * exits rotate.
 *
 * State: 132 bytes per account (docs/circumvention.md). */
#include "core/datadir.h"
#include "core/log.h"
#include "detect/detector.h"
#include "detect/geo_rotation.h"
#include "detect/geo_tally.h"
#include "detect/tzdb.h"
#include "registry/registry.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct geo_conf {
    char *tzdb, *mail_providers;
    struct warden_strlist cctlds;
    double score_email;
    int64_t min_events, min_hours_events, min_active_hours, min_days, relay_max_hours;
    int64_t max_daily_events, rot_min_sessions, rot_min_asns, rot_session_gap_s;
    double rot_switch_share, rot_home_share, score_rotation, w_rotation;
    double anon_share, max_home_share, hours_slack_h, hours_kappa, hours_evidence, min_hours_r;
    double local_mean_hour;
    double score_billing, score_card, score_tz, score_hours;
    double w_billing, w_relay, w_card, w_tz, w_hours, w_email, location_min, location_cap;
    double hours_weak_evidence, w_hours_weak;
    bool hours_any_zone;
};

/* A weight, score, share or concentration: a double in [0, 1], the key named
 * as its field. */
// clang-format off
#define GEO_UNIT(field, def, help) \
    {#field, WARDEN_CONF_DOUBLE, def, offsetof(struct geo_conf, field), help, 0, 1}
// clang-format on

static const struct warden_conf_key geo_conf_table[] = {
    {"tzdb", WARDEN_CONF_STRING, "/usr/share/zoneinfo/zone1970.tab",
     offsetof(struct geo_conf, tzdb), "the tz database's zone1970.tab (package tzdata)", 0, 0},
    {"cctlds", WARDEN_CONF_STRLIST, "", offsetof(struct geo_conf, cctlds),
     "TLD:CC pairs for e-mail domains whose TLD is not the country's code in lower case (e.g. "
     "a legacy TLD); each restricted jurisdiction's own code is always included",
     0, 0},
    {"mail_providers", WARDEN_CONF_STRING, "webmail/national.tsv",
     offsetof(struct geo_conf, mail_providers),
     "mail services of one country on a generic TLD (qq.com CN), one `DOMAIN CC` per line; a "
     "restricted jurisdiction's count as its own TLD does (geo.inconsistent_email); relative "
     "paths resolve against $WARDEN_DATA_DIR, ./data, then the source tree's data/; \"\" for none",
     0, 0},
    GEO_UNIT(score_email, "0.1", "score of geo.inconsistent_email"),
    {"min_events", WARDEN_CONF_INT, "16", offsetof(struct geo_conf, min_events),
     "requests of an account before its locations are judged", 1, 1e9},
    {"min_hours_events", WARDEN_CONF_INT, "8", offsetof(struct geo_conf, min_hours_events),
     "active hours (an hour of one day with requests, counted once) before the hours of "
     "activity are judged",
     1, 1e9},
    {"min_active_hours", WARDEN_CONF_INT, "8", offsetof(struct geo_conf, min_active_hours),
     "distinct hours of the day with requests before hours are judged (a person's day, not a "
     "job's window or a benchmark run)",
     1, 24},
    {"min_days", WARDEN_CONF_INT, "2", offsetof(struct geo_conf, min_days),
     "distinct days with requests before hours are judged", 1, 365},
    {"max_daily_events", WARDEN_CONF_INT, "50", offsetof(struct geo_conf, max_daily_events),
     "mean requests per active day above which traffic is a machine's and hours are not judged", 1,
     1e9},
    {"relay_max_hours", WARDEN_CONF_INT, "20", offsetof(struct geo_conf, relay_max_hours),
     "distinct hours of the day from which traffic through cloud or hosting servers is an app's "
     "(serving users round the clock), not a person's relay",
     1, 25},
    {"rot_min_sessions", WARDEN_CONF_INT, "6", offsetof(struct geo_conf, rot_min_sessions),
     "sessions of direct requests (no anonymizer category, known ASN) before the exits' "
     "rotation is judged",
     2, 65535},
    {"rot_session_gap_s", WARDEN_CONF_INT, "1800", offsetof(struct geo_conf, rot_session_gap_s),
     "seconds without a direct request after which the next one starts a session", 60, 86400},
    {"rot_min_asns", WARDEN_CONF_INT, "6", offsetof(struct geo_conf, rot_min_asns),
     "distinct network operators (ASNs) of direct exits that rotating exits need (home ISP, "
     "mobile carrier, office and a few cafés are a person's)",
     2, 256},
    {"rot_home_share", WARDEN_CONF_DOUBLE, "0.5", offsetof(struct geo_conf, rot_home_share),
     "share of the direct sessions that one network operator starting them (by a majority "
     "count) makes the exits a person's, however many others they touch (a home line between "
     "cafés and a phone; a proxy service has no home); 0 = off",
     0, 1},
    {"rot_switch_share", WARDEN_CONF_DOUBLE, "0.6", offsetof(struct geo_conf, rot_switch_share),
     "changes of ASN between consecutive direct requests, per session after the first, that "
     "rotating exits need (a person's exits change operator when they move, not at every "
     "session)",
     0, 100},
    GEO_UNIT(score_rotation, "0.2", "score of geo.rotating_exits"),
    GEO_UNIT(w_rotation, "0.3",
             "geo.inconsistent_location: weight of the rotation family (exits rotating through "
             "residential networks: a proxy service hiding where the user is)"),
    GEO_UNIT(anon_share, "0.9",
             "share of requests through anonymizers that makes an account tunnelled"),
    GEO_UNIT(max_home_share, "0.05",
             "share of requests from the billing country below which it is inconsistent"),
    {"hours_slack_h", WARDEN_CONF_DOUBLE, "2", offsetof(struct geo_conf, hours_slack_h),
     "hours by which a person's day may differ from the reference zone's without evidence "
     "(people keep different hours; a neighbour within this many hours is never told apart)",
     0, 12},
    {"hours_kappa", WARDEN_CONF_DOUBLE, "1", offsetof(struct geo_conf, hours_kappa),
     "concentration of the assumed diurnal profile (von Mises; 1 = a person's day, r ~ 0.45)", 0.1,
     10},
    {"hours_evidence", WARDEN_CONF_DOUBLE, "6", offsetof(struct geo_conf, hours_evidence),
     "log-likelihood ratio (x2) of the active hours, shifted zone against the reference zone "
     "(beyond hours_slack_h), that makes geo.inconsistent_hours: grows with the shift and with "
     "the number and concentration of active hours",
     0, 1e6},
    GEO_UNIT(
        min_hours_r, "0.3",
        "concentration of activity hours (0 = round the clock, 1 = one hour) below which traffic "
        "is not a person's day and hours are not judged"),
    {"local_mean_hour", WARDEN_CONF_DOUBLE, "15", offsetof(struct geo_conf, local_mean_hour),
     "local hour around which people's requests centre (circular mean)", 0, 24},
    GEO_UNIT(score_billing, "0.15", "score of geo.inconsistent_billing"),
    GEO_UNIT(score_card, "0.15", "score of geo.inconsistent_card"),
    GEO_UNIT(score_tz, "0.3", "score of geo.inconsistent_tz"),
    GEO_UNIT(score_hours, "0.3", "score of geo.inconsistent_hours"),
    GEO_UNIT(
        w_billing, "0.3",
        "geo.inconsistent_location: weight of the exit family (billing inconsistency) through a "
        "person's tunnel (VPN, Tor, proxy)"),
    GEO_UNIT(w_relay, "0.2",
             "geo.inconsistent_location: weight of the exit family through a relay in a cloud (a "
             "low-volume app's server looks the same until it has been watched for long: weaker)"),
    GEO_UNIT(w_card, "0.3",
             "geo.inconsistent_location: weight of the payment family (card inconsistency)"),
    GEO_UNIT(w_tz, "0.3", "geo.inconsistent_location: weight of the declared-zone family"),
    GEO_UNIT(w_hours, "0.5",
             "geo.inconsistent_location: weight of the clock family (geo.inconsistent_hours)"),
    GEO_UNIT(w_email, "0.3", "geo.inconsistent_location: weight of the e-mail family"),
    {"hours_weak_evidence", WARDEN_CONF_DOUBLE, "3", offsetof(struct geo_conf, hours_weak_evidence),
     "log-likelihood ratio (x2) of a shifted day below hours_evidence from which the clock is a "
     "weak tell (w_hours_weak)",
     0, 1e6},
    {"hours_any_zone", WARDEN_CONF_BOOL, "false", offsetof(struct geo_conf, hours_any_zone),
     "count a shifted day in geo.inconsistent_location whatever zone its clock fits; by default "
     "only a clock that fits a restricted jurisdiction's zones (give or take hours_slack_h) "
     "counts: a night worker's or a late riser's day points west of home, at no restricted "
     "jurisdiction, and is no evidence of reaching one",
     0, 0},
    GEO_UNIT(w_hours_weak, "0",
             "geo.inconsistent_location: weight of a weak shifted day (hours_weak_evidence up to "
             "hours_evidence), counted only together with the payment, declared-zone, e-mail or "
             "rotation family, never with the exit family alone (0 = off)"),
    GEO_UNIT(
        location_min, "0.5",
        "combined score (1 - prod(1 - w) over the families present) at which a tunnelled account "
        "gets geo.inconsistent_location"),
    GEO_UNIT(
        location_cap, "0.79",
        "ceiling of geo.inconsistent_location's score: location inconsistencies alone stay below "
        "enforcing rules"),
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

/* Exits a person tunnels through (as opposed to servers in a cloud). */
#define PERSON_TUNNEL                                                                              \
    (WARDEN_IPCAT_VPN | WARDEN_IPCAT_TOR | WARDEN_IPCAT_PROXY | WARDEN_IPCAT_RESIDENTIAL_PROXY)

enum { S_BILLING = 1, S_CARD = 2, S_TZ = 4, S_HOURS = 8, S_EMAIL = 16, S_ROTATION = 32, NSIG = 6 };
enum { DONE_LOCATION = 64, DONE_EMAIL_SEEN = 128 };
static const char *const sig_name[NSIG] = {"billing", "card", "tz", "hours", "email", "rotation"};
static const char *const sig_code[NSIG] = {"geo.inconsistent_billing", "geo.inconsistent_card",
                                           "geo.inconsistent_tz",      "geo.inconsistent_hours",
                                           "geo.inconsistent_email",   "geo.rotating_exits"};

struct geo_state {
    struct warden_exit_rotation rot;
    struct warden_tz_declared tz;
    uint32_t events, anon, anon_person, in_billing, in_card, in_tz;
    uint16_t last_day, days;        /* day number (mod 65536) of the newest request; days seen */
    uint32_t last_slot, hour_slots; /* hour number of the newest request; active hours */
    struct warden_cc_tally countries;
    struct warden_hour_tally hours;
    char locale_cc[2];
    uint8_t done;                 /* S_* emitted, DONE_* */
    uint8_t email_cc;             /* 1 + index of the restricted TLD of the e-mail domain; 0 none */
    struct warden_exit_home home; /* appended in state version 2 (state_grew_from) */
};

#define MAX_TLDS 255 /* email_cc is 1 + an index in a byte */
#define MAX_ZONES 32 /* restricted jurisdictions whose zones a clock is checked against */

struct geo_ctx {
    struct geo_conf conf;
    struct warden_tzdb *tz;
    char tld[MAX_TLDS][64];      /* restricted TLDs and mail services' domains, lower case */
    char tld_cc[MAX_TLDS][3];    /* their jurisdictions */
    bool tld_provider[MAX_TLDS]; /* a mail service's domain, not a TLD */
    unsigned ntld;
    /* the restricted jurisdictions' standard UTC offsets (tz database) */
    char zone_cc[MAX_ZONES][3];
    int zone_lo[MAX_ZONES], zone_hi[MAX_ZONES];
    unsigned nzone;
    bool own_conf; /* defaults filled here: strings to free */
};

static void add_tld(struct geo_ctx *c, const char *tld, size_t n, const char *cc)
{
    if (c->ntld >= MAX_TLDS || n == 0 || n >= sizeof c->tld[0]) return;
    for (size_t i = 0; i < n; i++) c->tld[c->ntld][i] = (char)(tld[i] | 32);
    c->tld[c->ntld][n] = 0;
    c->tld_cc[c->ntld][0] = (char)(cc[0] & ~32);
    c->tld_cc[c->ntld][1] = (char)(cc[1] & ~32);
    c->ntld++;
}

/* The mail services of one country on a generic TLD (the data file of
 * mail_providers: `DOMAIN CC` per line, # comments): those whose CC is
 * restricted join the TLDs. A malformed line is refused with file:line. */
static int load_providers(struct geo_ctx *c, const struct warden_policy *policy)
{
    const char *rel = c->conf.mail_providers;
    if (!rel || !*rel) return 0;
    char *path = warden_data_path(NULL, rel);
    FILE *f = fopen(path, "r");
    if (!f) {
        warden_err("geo_consistency: cannot read mail_providers %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    char line[512];
    int rc = 0;
    for (long lineno = 1; fgets(line, sizeof line, f); lineno++) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char dom[128], cc[8], extra[8];
        int k = sscanf(line, "%127s %7s %7s", dom, cc, extra);
        if (k <= 0) continue; /* blank or comment */
        if (k != 2 || strlen(cc) != 2 || !isalpha((unsigned char)cc[0]) ||
            !isalpha((unsigned char)cc[1]) || !strchr(dom, '.') ||
            strlen(dom) >= sizeof c->tld[0]) {
            warden_err("%s:%ld: mail_providers: expected `DOMAIN CC` (a domain with a dot, a "
                       "two-letter country code)",
                       path, lineno);
            rc = -1;
            break;
        }
        if (warden_policy_is_restricted(policy, cc)) {
            if (c->ntld == MAX_TLDS) {
                warden_err("%s:%ld: mail_providers: more than %d restricted domains and TLDs", path,
                           lineno, MAX_TLDS);
                rc = -1;
                break;
            }
            c->tld_provider[c->ntld] = true;
            add_tld(c, dom, strlen(dom), cc);
        }
    }
    fclose(f);
    free(path);
    return rc;
}

/* The restricted jurisdictions' standard UTC offsets, for the clock test
 * (the first MAX_ZONES of the policy's with a zone in the tz database). */
static void build_zones(struct geo_ctx *c, const struct warden_policy *policy)
{
    if (!policy || !c->tz) return;
    for (size_t i = 0; i < policy->restricted.n && c->nzone < MAX_ZONES; i++) {
        const char *cc = policy->restricted.v[i];
        if (strlen(cc) != 2) continue;
        int lo, hi;
        if (!warden_tzdb_country_offsets(c->tz, cc, &lo, &hi)) continue;
        c->zone_cc[c->nzone][0] = (char)(cc[0] & ~32);
        c->zone_cc[c->nzone][1] = (char)(cc[1] & ~32);
        c->zone_lo[c->nzone] = lo;
        c->zone_hi[c->nzone] = hi;
        c->nzone++;
    }
}

/* The restricted jurisdictions' TLDs: each code in lower case, and the
 * configured TLD:CC pairs whose CC is restricted; then the mail services of
 * restricted jurisdictions. All from the policy and its data. */
static int build_tlds(struct geo_ctx *c, const struct warden_policy *policy)
{
    if (!policy) return 0;
    for (size_t i = 0; i < policy->restricted.n; i++)
        if (strlen(policy->restricted.v[i]) == 2)
            add_tld(c, policy->restricted.v[i], 2, policy->restricted.v[i]);
    for (size_t i = 0; i < c->conf.cctlds.n; i++) {
        const char *e = c->conf.cctlds.v[i], *colon = strchr(e, ':');
        if (colon && strlen(colon + 1) == 2 && warden_policy_is_restricted(policy, colon + 1))
            add_tld(c, e, (size_t)(colon - e), colon + 1);
    }
    return load_providers(c, policy);
}

/* 1 + index of the restricted TLD or mail service the domain is or ends in
 * (at a label: "vip.qq.com" ends in "qq.com", "myqq.com" does not), or 0. */
static uint8_t email_tld(const struct geo_ctx *c, const char *domain)
{
    if (!domain) return 0;
    size_t n = strlen(domain);
    for (unsigned i = 0; i < c->ntld; i++) {
        size_t m = strlen(c->tld[i]);
        if (m > n || strcasecmp(domain + n - m, c->tld[i]) != 0) continue;
        if (m == n ? c->tld_provider[i] : domain[n - m - 1] == '.') return (uint8_t)(i + 1);
    }
    return 0;
}

static int geo_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    struct geo_ctx *c = calloc(1, sizeof *c);
    if (!c) return -1;
    if (conf)
        memcpy(&c->conf, conf, sizeof c->conf);
    else {
        warden_conf_defaults(geo_conf_table, &c->conf);
        c->own_conf = true;
    }
    c->tz = warden_tzdb_open_or_warn(c->conf.tzdb, "geo_consistency");
    warden_hour_tally_setup();
    build_zones(c, policy);
    *vctx = c;
    return build_tlds(c, policy);
}

/* Region of a BCP 47 tag: the first 2-letter subtag after the language
 * ("zh-Hans-SG" → SG, "de-DE" → DE); false when there is none. */
static bool locale_region(struct warden_str l, char out[2])
{
    uint32_t i = 0;
    while (i < l.n && l.p[i] != '-' && l.p[i] != '_') i++;
    while (i < l.n) {
        uint32_t j = ++i;
        while (j < l.n && l.p[j] != '-' && l.p[j] != '_') j++;
        if (j - i == 2 && ((l.p[i] | 32) >= 'a' && (l.p[i] | 32) <= 'z') &&
            ((l.p[i + 1] | 32) >= 'a' && (l.p[i + 1] | 32) <= 'z')) {
            out[0] = (char)(l.p[i] & ~32);
            out[1] = (char)(l.p[i + 1] & ~32);
            return true;
        }
        i = j;
    }
    return false;
}

static bool same_cc(const char *a, const char *b)
{
    return a[0] && a[0] == b[0] && a[1] == b[1];
}

/* Minutes from off to the nearest point of [lo, hi] on the 24 h circle. */
static int gap_to_range(int off, int lo, int hi)
{
    /* inside when the clock lies east of lo by no more than the range's
     * width (a clock twelve hours from a one-zone range is not inside) */
    int span = ((hi - lo) % 1440 + 1440) % 1440, east = ((off - lo) % 1440 + 1440) % 1440;
    if (east <= span) return 0;
    int dl = abs(warden_offset_diff(off, lo)), dh = abs(warden_offset_diff(off, hi));
    return dl < dh ? dl : dh;
}

struct judged {
    unsigned sig;
    int ref_lo, ref_hi, implied, gap;
    double r, llr;
    double combined; /* the noisy-OR of the families present (0 until computed) */
    bool has_ref, locale_disagrees, relay;
    bool hours_weak;     /* a shifted day, weaker than S_HOURS, counted in a pair */
    uint32_t clock_fits; /* bit k: the activity's clock fits restricted zone k */
    unsigned counted;    /* the families counted in combined (counted_families) */
};

/* Families a weak clock pairs with: what the account declares or pays with,
 * or rotating exits; not the exit family alone, which many ordinary VPN
 * users show (docs/circumvention.md, "Fifth round"). */
#define PAIRS_WITH_WEAK_HOURS (S_CARD | S_TZ | S_EMAIL | S_ROTATION)
/* Families a restricted country's mail address pairs with: the same, and the
 * clock; not the exit family alone: an address kept from home and a VPN
 * abroad are what an emigrant on a VPN shows. */
#define PAIRS_WITH_EMAIL (S_CARD | S_TZ | S_HOURS | S_ROTATION)

/* The families that count (the bits of sig, with S_WEAK for a weak clock
 * that counts): a clock only when it fits a restricted zone (clock_counts),
 * a weak clock and an e-mail address only with a family they pair with. */
#define S_WEAK 64
static unsigned counted_families(unsigned sig, bool hours_weak, bool clock_counts)
{
    if (!clock_counts) {
        sig &= ~(unsigned)S_HOURS;
        hours_weak = false;
    }
    bool weak = hours_weak && !(sig & S_HOURS);
    bool email = (sig & S_EMAIL) && ((sig & PAIRS_WITH_EMAIL) || weak);
    if (weak && ((sig & (PAIRS_WITH_WEAK_HOURS & ~(unsigned)S_EMAIL)) || email)) sig |= S_WEAK;
    if (!email) sig &= ~(unsigned)S_EMAIL;
    return sig;
}

/* The combination rule: a noisy-OR over independent evidence families, each
 * counted once at its weight, capped; sig as counted_families gives it. */
static double combine(const struct geo_conf *cf, unsigned sig, bool relay)
{
    double q = 1;
    if (sig & S_BILLING) q *= 1 - (relay ? cf->w_relay : cf->w_billing);
    if (sig & S_CARD) q *= 1 - cf->w_card;
    if (sig & S_TZ) q *= 1 - cf->w_tz;
    if (sig & S_HOURS) q *= 1 - cf->w_hours;
    if (sig & S_EMAIL) q *= 1 - cf->w_email;
    if (sig & S_ROTATION) q *= 1 - cf->w_rotation;
    if (sig & S_WEAK) q *= 1 - cf->w_hours_weak;
    double p = 1 - q;
    return p > cf->location_cap ? cf->location_cap : p;
}

static void judge(const struct geo_ctx *c, const struct geo_state *s,
                  const struct warden_account *a, struct judged *j)
{
    memset(j, 0, sizeof *j);
    double n = s->events;
    int active = 0, total = 0;
    for (int h = 0; h < 24; h++) {
        active += s->hours.h[h] > 0;
        total += s->hours.h[h];
    }
    bool person = s->events <= c->conf.max_daily_events * s->days;
    double mean;
    warden_hour_tally_mean(&s->hours, &mean, &j->r);
    /* a person's tunnel, or a relay in a cloud carrying a person's day (an
     * app's server serves its users round the clock) */
    j->relay = s->anon >= c->conf.anon_share * n && s->anon_person < c->conf.anon_share * n &&
               person && s->days >= c->conf.min_days && active < c->conf.relay_max_hours;
    if (warden_exit_rotation_rotating(&s->rot, (unsigned)c->conf.rot_min_sessions,
                                      (unsigned)c->conf.rot_min_asns, c->conf.rot_switch_share) &&
        !warden_exit_home_holds(&s->home, &s->rot, c->conf.rot_home_share))
        j->sig |= S_ROTATION;
    if (a && a->billing_country[0] && s->in_billing < c->conf.max_home_share * n &&
        (s->anon_person >= c->conf.anon_share * n || j->relay || (j->sig & S_ROTATION)))
        j->sig |= S_BILLING;
    if (s->email_cc) j->sig |= S_EMAIL;
    if (a && a->card_country[0] && a->billing_country[0] &&
        !same_cc(a->card_country, a->billing_country) && s->in_card == 0)
        j->sig |= S_CARD;
    const struct warden_tzzone *z = warden_tz_declared_zone(c->tz, &s->tz);
    if (z && z->ncc && s->in_tz == 0 &&
        !(a && (warden_tzzone_has(z, a->billing_country) || warden_tzzone_has(z, a->card_country))))
        j->sig |= S_TZ;
    /* the hours are judged against the declared zone only when it fits the
     * account's other locations; a zone that fits none (S_TZ) would be
     * counted twice, so the billing country's zones are the reference */
    if (z && !(j->sig & S_TZ)) {
        j->ref_lo = j->ref_hi = z->offset_min;
        j->has_ref = true;
    } else if (a && a->billing_country[0]) {
        j->has_ref = warden_tzdb_country_offsets(c->tz, a->billing_country, &j->ref_lo, &j->ref_hi);
    }
    j->implied = (int)lround((c->conf.local_mean_hour - mean) * 60);
    j->implied = warden_offset_diff(j->implied, 0);
    if (j->has_ref) j->gap = gap_to_range(j->implied, j->ref_lo, j->ref_hi);
    /* Evidence of a shifted day: with a von Mises diurnal profile of
     * concentration kappa, the log-likelihood ratio of the active hours
     * between the implied offset and the nearest acceptable one (the
     * reference zone widened by the slack people's hours have) is
     * kappa * R * (1 - cos(excess)), R the resultant length of the
     * histogram (n * r). Few, spread or barely shifted hours give little. */
    double excess = j->gap - c->conf.hours_slack_h * 60;
    if (excess < 0) excess = 0;
    j->llr = 2 * c->conf.hours_kappa * j->r * total * (1 - cos(excess * M_PI / 720));
    bool judged_hours = j->has_ref && s->hour_slots >= c->conf.min_hours_events &&
                        j->r >= c->conf.min_hours_r && active >= c->conf.min_active_hours &&
                        s->days >= c->conf.min_days && person;
    if (judged_hours && j->llr >= c->conf.hours_evidence)
        j->sig |= S_HOURS;
    else if (judged_hours && c->conf.w_hours_weak > 0 && j->llr >= c->conf.hours_weak_evidence)
        j->hours_weak = true;
    /* which restricted jurisdictions' zones the clock fits, give or take the
     * slack people's hours have (the first MAX_ZONES of the policy's) */
    if ((j->sig & S_HOURS) || j->hours_weak)
        for (unsigned k = 0; k < c->nzone; k++)
            if (gap_to_range(j->implied, c->zone_lo[k], c->zone_hi[k]) <=
                c->conf.hours_slack_h * 60)
                j->clock_fits |= 1u << k;
    if (s->locale_cc[0]) {
        char lc[3] = {s->locale_cc[0], s->locale_cc[1], 0};
        j->locale_disagrees =
            warden_cc_tally_get(&s->countries, lc) == 0 &&
            !(a && (same_cc(a->billing_country, lc) || same_cc(a->card_country, lc))) &&
            !(z && warden_tzzone_has(z, lc));
    }
}

static void evidence(struct warden_jbuf *b, const struct geo_ctx *c, const struct geo_state *s,
                     const struct warden_account *a, const struct judged *j, struct warden_str tz)
{
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_int(b, "events", s->events);
    warden_jbuf_kv_num(b, "anonymized_share", (double)s->anon / s->events);
    warden_jbuf_key(b, "countries");
    warden_cc_tally_json(b, &s->countries);
    if (a && a->billing_country[0]) {
        warden_jbuf_kv_str(b, "billing_country", a->billing_country);
        warden_jbuf_kv_num(b, "billing_share", (double)s->in_billing / s->events);
    }
    if (a && a->card_country[0]) warden_jbuf_kv_str(b, "card_country", a->card_country);
    warden_tz_json(b, warden_tz_declared_zone(c->tz, &s->tz), tz.p, tz.n);
    warden_jbuf_key(b, "hours_local");
    warden_hour_tally_json(b, &s->hours, j->has_ref ? j->ref_lo : 0);
    warden_jbuf_kv_int(b, "activity_offset_min", j->implied);
    warden_jbuf_kv_num(b, "hours_concentration", j->r);
    if (j->has_ref) {
        warden_jbuf_kv_int(b, "hours_gap_min", j->gap);
        warden_jbuf_kv_num(b, "hours_evidence", j->llr);
    }
    if ((j->sig & S_HOURS) || j->hours_weak) {
        warden_jbuf_key(b, "clock_fits_restricted");
        warden_jbuf_arr_open(b);
        for (unsigned k = 0; k < c->nzone; k++)
            if (j->clock_fits >> k & 1) warden_jbuf_str_val(b, c->zone_cc[k], 2);
        warden_jbuf_arr_close(b);
    }
    if (s->email_cc && a && a->email_domain) {
        warden_jbuf_kv_str(b, "email_domain", a->email_domain);
        warden_jbuf_key(b, "email_jurisdiction");
        warden_jbuf_str_val(b, c->tld_cc[s->email_cc - 1], 2);
    }
    if (j->sig & S_BILLING)
        warden_jbuf_kv_str(b, "billing_exit",
                           j->relay                ? "relay"
                           : (j->sig & S_ROTATION) ? "rotating"
                                                   : "tunnel");
    if (j->sig & S_ROTATION) {
        warden_exit_rotation_json(b, &s->rot);
        warden_jbuf_kv_int(b, "home_session_votes", s->home.votes);
    }
    warden_jbuf_key(b, "signals");
    warden_jbuf_arr_open(b);
    for (int k = 0; k < NSIG; k++)
        if (j->sig >> k & 1) warden_jbuf_cstr(b, sig_name[k]);
    if (j->hours_weak && (j->sig & PAIRS_WITH_WEAK_HOURS)) warden_jbuf_cstr(b, "hours_weak");
    warden_jbuf_arr_close(b);
    if (j->combined > 0) {
        warden_jbuf_kv_num(b, "combined", j->combined);
        warden_jbuf_key(b, "counted");
        warden_jbuf_arr_open(b);
        for (int k = 0; k < NSIG; k++)
            if (j->counted >> k & 1) warden_jbuf_cstr(b, sig_name[k]);
        if (j->counted & S_WEAK) warden_jbuf_cstr(b, "hours_weak");
        warden_jbuf_arr_close(b);
    }
    if (s->locale_cc[0]) {
        warden_jbuf_key(b, "locale_region");
        warden_jbuf_str_val(b, s->locale_cc, 2);
        warden_jbuf_kv_bool(b, "locale_disagrees", j->locale_disagrees);
    }
    warden_jbuf_obj_close(b);
}

static void geo_observe(void *vctx, const struct warden_event *ev, void *vstate,
                        struct warden_emit *em)
{
    struct geo_ctx *c = vctx;
    struct geo_state *s = vstate;
    const struct warden_ipinfo *info = ev->ipinfo;
    const struct warden_account *a = ev->account;
    const char *cc = info ? info->country : "";
    s->events++;
    if (info && (info->categories & WARDEN_ANON_CATS)) s->anon++;
    if (info && (info->categories & PERSON_TUNNEL)) s->anon_person++;
    uint16_t sessions = s->rot.sessions;
    warden_exit_rotation_add(&s->rot, info, ev->ts_ms, (uint32_t)(c->conf.rot_session_gap_s / 60));
    if (s->rot.sessions != sessions) warden_exit_home_vote(&s->home, &s->rot);
    if (a && !(s->done & DONE_EMAIL_SEEN)) {
        s->done |= DONE_EMAIL_SEEN;
        s->email_cc = email_tld(c, a->email_domain);
    }
    warden_cc_tally_add(&s->countries, cc);
    /* the hour histogram counts active hours, not requests: a session of
     * twenty requests is one observation of where the person's day is */
    uint32_t slot = (uint32_t)(ev->ts_ms / 3600000);
    bool new_slot = slot != s->last_slot;
    if (new_slot) {
        warden_hour_tally_add(&s->hours, ev->ts_ms);
        s->last_slot = slot;
        s->hour_slots++;
    }
    uint16_t day = (uint16_t)(ev->ts_ms / 86400000 + 1);
    if (day != s->last_day) {
        if (s->days < UINT16_MAX) s->days++;
        s->last_day = day;
    }
    if (a && same_cc(cc, a->billing_country)) s->in_billing++;
    if (a && same_cc(cc, a->card_country)) s->in_card++;
    if (ev->client_tz.n &&
        warden_tz_declared_update(c->tz, &s->tz, ev->client_tz.p, ev->client_tz.n))
        s->in_tz = 0;
    if (warden_tz_declared_zone(c->tz, &s->tz) && cc[0] &&
        warden_tzzone_has(warden_tz_declared_zone(c->tz, &s->tz), cc))
        s->in_tz++;
    if (ev->client_locale.n && !s->locale_cc[0]) locale_region(ev->client_locale, s->locale_cc);

    /* judged every 8 requests, and whenever a new active hour begins (the
     * hours evidence changes only then; a light user has few requests) */
    if ((int64_t)s->events < c->conf.min_events || ((s->events & 7) != 0 && !new_slot) ||
        (s->done & DONE_LOCATION))
        return;
    struct judged j;
    judge(c, s, a, &j);
    unsigned fresh = j.sig & ~s->done & ((1u << NSIG) - 1);
    for (int k = 0; k < NSIG; k++) {
        if (!(fresh >> k & 1)) continue;
        double sc[NSIG] = {c->conf.score_billing, c->conf.score_card,  c->conf.score_tz,
                           c->conf.score_hours,   c->conf.score_email, c->conf.score_rotation};
        s->done |= (uint8_t)(1u << k);
        evidence(&em->scratch, c, s, a, &j, ev->client_tz);
        warden_emit_finding(em, sig_code[k], sc[k], warden_jbuf_str(&em->scratch));
    }
    unsigned counted =
        counted_families(j.sig, j.hours_weak, c->conf.hours_any_zone || j.clock_fits);
    double score = combine(&c->conf, counted, j.relay);
    bool tunnelled = s->anon >= c->conf.anon_share * s->events || (j.sig & S_ROTATION);
    if (counted && score >= c->conf.location_min && tunnelled) {
        s->done |= DONE_LOCATION;
        j.combined = score;
        j.counted = counted;
        evidence(&em->scratch, c, s, a, &j, ev->client_tz);
        warden_emit_finding(em, "geo.inconsistent_location", score, warden_jbuf_str(&em->scratch));
    }
}

static void geo_free(void *vctx)
{
    struct geo_ctx *c = vctx;
    if (!c) return;
    warden_tzdb_free(c->tz);
    if (c->own_conf) warden_conf_fini(geo_conf_table, &c->conf);
    free(c);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const geo_consistency_codes[] = {
    "geo.inconsistent_billing",  "geo.inconsistent_card",
    "geo.inconsistent_tz",       "geo.inconsistent_hours",
    "geo.inconsistent_location", "geo.inconsistent_email",
    "geo.rotating_exits",        NULL};

const struct warden_detector warden_detect_geo_consistency = {
    .name = "geo_consistency",
    .description = "IP countries, billing, card, declared time zone and hours of activity that "
                   "do not agree, for tunnelled accounts",
    .conf_table = geo_conf_table,
    .conf_size = sizeof(struct geo_conf),
    .state_size = sizeof(struct geo_state),
    .init = geo_init,
    .observe = geo_observe,
    .flush = NULL,
    .free = geo_free,
    .codes = geo_consistency_codes,
    .state_version = 2, /* 1: the exit-rotation tally; 2: its home network (appended) */
    /* version 1 kept 132 bytes, the last two of them padding (zero in every
     * slice: a new account's slice starts zeroed), where home now starts */
    .state_grew_from = {132, 1},
};
_Static_assert(offsetof(struct geo_state, home) <= 132 && sizeof(struct geo_state) > 132,
               "geo_state: version 1 slices load into the start of today's");
