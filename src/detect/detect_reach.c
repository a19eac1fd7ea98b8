/* detect_reach.c — restricted-jurisdiction reach through anonymizers.
 *
 * A customer in a restricted jurisdiction who tunnels out still leaves two
 * kinds of trace that the location of a single request does not show:
 *   geo.restricted_tz_anonymized  the client declares a time zone used only
 *                                 by restricted jurisdictions (policy) while
 *                                 at least anon_share of its requests come
 *                                 through anonymizers (VPN, Tor, proxy,
 *                                 hosting, cloud), or its direct exits
 *                                 rotate through residential networks
 *                                 (geo_rotation.h: a residential proxy
 *                                 service): the device says it is there,
 *                                 the exits say elsewhere
 *   geo.restricted_tz_rotating    the same declared zone while the direct
 *                                 exits (no anonymizer category) change /24
 *                                 (/48) network at nearly every session:
 *                                 the rotation test of geo_rotation.h with
 *                                 the rot_* thresholds, over networks
 *                                 instead of ASNs. A residential proxy
 *                                 service in a country where a few ISPs
 *                                 hold most addresses rotates among few
 *                                 operators but a new household each
 *                                 session; a mobile carrier's address pool
 *                                 can too, so this is reviewed, not
 *                                 blocked (score_tz_rotating)
 *   geo.restricted_tz_elsewhere   the same declared zone, none of the
 *                                 requests from the (allowed) billing
 *                                 country nor directly from a restricted
 *                                 jurisdiction, and a new direct exit
 *                                 network at nearly every session from
 *                                 elsewhere_min_sessions on: a residential
 *                                 proxy in a third country, before the
 *                                 rotation tests can say. Someone who lives
 *                                 where they pay has requests from there;
 *                                 one on a trip comes back to a hotel's
 *                                 network. Reviewed (score_tz_elsewhere)
 *   geo.restricted_reach          the account's exits go back and forth
 *                                 (min_switches times) between direct
 *                                 (residential, mobile) connections from a
 *                                 restricted jurisdiction and anonymizers:
 *                                 a tunnel that drops and reconnects
 *   geo.restricted_signup         the account signed up from a restricted
 *                                 jurisdiction over a direct (residential,
 *                                 mobile) connection, and at least
 *                                 anon_share of its requests come through
 *                                 anonymizers or its exits rotate: it was
 *                                 there, and now hides
 *                                 where it is (registry's signup_ip, looked
 *                                 up once per account in the IP table)
 *   geo.restricted_org            the account's organisation is incorporated
 *                                 in a restricted jurisdiction (registry's
 *                                 org country), whatever its billing says
 * Restricted jurisdictions come from the policy; zones map to countries
 * through the system tz database (tzdb.h). Each code is emitted once per
 * account.
 *
 * Evidence keys: events, anonymized_share, countries (request countries with
 * counts), client_tz, tz_countries, tz_offset_min, restricted_events,
 * switches (the hour histogram is in geo_consistency's evidence), exit_asns,
 * asn_switches, direct_sessions when the exits rotate (and for
 * geo.restricted_tz_rotating, with exit_networks, network_switches; and
 * geo.restricted_tz_elsewhere, with billing_country, billing_requests and
 * the same two); and for
 * the registry codes signup_country, signup_categories, billing_country,
 * org_id, org_country.
 *
 * State: 64 bytes per account (docs/circumvention.md). */
#include "detect/detector.h"
#include "detect/geo_rotation.h"
#include "detect/geo_tally.h"
#include "detect/tzdb.h"
#include "intel/intel.h"
#include "policy/policy.h"
#include "registry/registry.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct reach_conf {
    char *tzdb;
    int64_t min_events, min_switches, rot_min_sessions, rot_min_asns, rot_session_gap_s;
    double anon_share, rot_switch_share, rot_home_share, score_tz, score_reach, score_signup,
        score_org;
    double score_tz_rotating, elsewhere_net_share, score_tz_elsewhere;
    int64_t elsewhere_min_sessions;
};

static const struct warden_conf_key reach_conf_table[] = {
    {"tzdb", WARDEN_CONF_STRING, "/usr/share/zoneinfo/zone1970.tab",
     offsetof(struct reach_conf, tzdb), "the tz database's zone1970.tab (package tzdata)", 0, 0},
    {"min_events", WARDEN_CONF_INT, "1", offsetof(struct reach_conf, min_events),
     "requests of an account before a declared restricted time zone or a restricted sign-up is "
     "judged (neither is a count: the first request behind an anonymizer says it)",
     1, 1e9},
    {"min_switches", WARDEN_CONF_INT, "2", offsetof(struct reach_conf, min_switches),
     "switches between a restricted jurisdiction and anonymizers for geo.restricted_reach", 1, 1e9},
    {"anon_share", WARDEN_CONF_DOUBLE, "0.5", offsetof(struct reach_conf, anon_share),
     "share of requests through anonymizers that goes with a restricted time zone", 0, 1},
    {"rot_min_sessions", WARDEN_CONF_INT, "6", offsetof(struct reach_conf, rot_min_sessions),
     "rotating exits (they hide where the user is, as anonymizers do): sessions of direct "
     "requests before the rotation is judged (as geo_consistency's key)",
     2, 65535},
    {"rot_min_asns", WARDEN_CONF_INT, "6", offsetof(struct reach_conf, rot_min_asns),
     "rotating exits: distinct ASNs of direct exits (as geo_consistency's key)", 2, 256},
    {"rot_switch_share", WARDEN_CONF_DOUBLE, "0.6", offsetof(struct reach_conf, rot_switch_share),
     "rotating exits: ASN changes per session (as geo_consistency's key)", 0, 100},
    {"rot_session_gap_s", WARDEN_CONF_INT, "1800", offsetof(struct reach_conf, rot_session_gap_s),
     "rotating exits: seconds between sessions (as geo_consistency's key)", 60, 86400},
    {"rot_home_share", WARDEN_CONF_DOUBLE, "0.5", offsetof(struct reach_conf, rot_home_share),
     "rotating exits over ASNs (hidden exits): share of the direct sessions that one operator "
     "starting them makes the exits a person's (as geo_consistency's key; rotating networks, "
     "reviewed, do not ask); 0 = off",
     0, 1},
    {"score_tz", WARDEN_CONF_DOUBLE, "0.9", offsetof(struct reach_conf, score_tz),
     "score of geo.restricted_tz_anonymized", 0, 1},
    {"score_tz_rotating", WARDEN_CONF_DOUBLE, "0.6", offsetof(struct reach_conf, score_tz_rotating),
     "score of geo.restricted_tz_rotating: a declared restricted time zone while the direct "
     "exits change /24 network at nearly every session (the rot_* thresholds over networks)",
     0, 1},
    {"elsewhere_min_sessions", WARDEN_CONF_INT, "3",
     offsetof(struct reach_conf, elsewhere_min_sessions),
     "geo.restricted_tz_elsewhere: sessions of direct requests (rot_session_gap_s apart) before a "
     "declared restricted time zone with no request from the billing country is judged",
     2, 65535},
    {"elsewhere_net_share", WARDEN_CONF_DOUBLE, "0.9",
     offsetof(struct reach_conf, elsewhere_net_share),
     "geo.restricted_tz_elsewhere: /24 (/48) network changes per session after the first, and "
     "distinct networks per session, of the direct exits (a new household each session)",
     0, 1},
    {"score_tz_elsewhere", WARDEN_CONF_DOUBLE, "0.6",
     offsetof(struct reach_conf, score_tz_elsewhere),
     "score of geo.restricted_tz_elsewhere: a declared restricted time zone, no request from the "
     "billing country, and a new direct exit network at nearly every session",
     0, 1},
    {"score_reach", WARDEN_CONF_DOUBLE, "0.85", offsetof(struct reach_conf, score_reach),
     "score of geo.restricted_reach", 0, 1},
    {"score_signup", WARDEN_CONF_DOUBLE, "0.85", offsetof(struct reach_conf, score_signup),
     "score of geo.restricted_signup", 0, 1},
    {"score_org", WARDEN_CONF_DOUBLE, "0.85", offsetof(struct reach_conf, score_org),
     "score of geo.restricted_org", 0, 1},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

/* ZONE_RESTRICTED: the declared zone serves restricted jurisdictions only;
 * SIGNUP_RESTRICTED: registry: signed up directly from a restricted one */
enum {
    DONE_TZ = 1,
    DONE_REACH = 2,
    DONE_SIGNUP = 4,
    DONE_ORG = 8,
    REG_SEEN = 16,
    DONE_TZ_NET = 32,
    ZONE_RESTRICTED = 64,
    SIGNUP_RESTRICTED = 128,
    DONE_TZ_ELSEWHERE = 256
};

struct reach_state {
    struct warden_exit_rotation rot;
    struct warden_tz_declared tz;
    uint32_t events, anon;
    uint16_t restricted, switches; /* saturate */
    struct warden_cc_tally countries;
    struct warden_net_rotation nets; /* the same requests' /24 (/48) networks */
    uint8_t last_side;               /* 0 none, 1 restricted jurisdiction, 2 anonymizer elsewhere */
    uint16_t done;                   /* DONE_*, REG_SEEN, ZONE_RESTRICTED, SIGNUP_RESTRICTED */
    struct warden_exit_home home;    /* appended in state version 4 (state_grew_from) */
};

struct reach_ctx {
    struct reach_conf conf;
    const struct warden_policy *policy;
    struct warden_tzdb *tz;
    const struct warden_intel *intel; /* for sign-up addresses; NULL without a registry */
    bool own_conf;
};

static int reach_attach(void *vctx, const struct warden_registry *reg,
                        const struct warden_intel *intel)
{
    (void)reg;
    ((struct reach_ctx *)vctx)->intel = intel;
    return 0;
}

static int reach_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    struct reach_ctx *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->policy = policy;
    if (conf)
        memcpy(&c->conf, conf, sizeof c->conf);
    else {
        warden_conf_defaults(reach_conf_table, &c->conf);
        c->own_conf = true;
    }
    c->tz = warden_tzdb_open_or_warn(c->conf.tzdb, "reach");
    *vctx = c;
    return 0;
}

static bool restricted(const struct reach_ctx *c, const char *cc)
{
    return c->policy && cc[0] && warden_policy_is_restricted(c->policy, cc);
}

/* The common evidence keys, object left open for the caller's own. */
static void evidence(const struct reach_ctx *c, struct warden_jbuf *b, const struct reach_state *s,
                     struct warden_str tz)
{
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_int(b, "events", s->events);
    warden_jbuf_kv_num(b, "anonymized_share", (double)s->anon / s->events);
    warden_jbuf_key(b, "countries");
    warden_cc_tally_json(b, &s->countries);
    warden_tz_json(b, warden_tz_declared_zone(c->tz, &s->tz), tz.p, tz.n);
    warden_jbuf_kv_int(b, "restricted_events", s->restricted);
    warden_jbuf_kv_int(b, "switches", s->switches);
    if (s->anon < c->conf.anon_share * s->events) warden_exit_rotation_json(b, &s->rot);
}

/* One operator starts most of the direct sessions: a person's home line
 * (or office) between excursions, which no rotation hides behind. Only the
 * ASN rotation asks (hidden exits, blocked as reach): a proxy service in a
 * country where one or two ISPs hold most addresses starts most sessions on
 * one operator too, and its new /24 at every session stays
 * geo.restricted_tz_rotating (reviewed). */
static bool at_home(const struct reach_ctx *c, const struct reach_state *s)
{
    return warden_exit_home_holds(&s->home, &s->rot, c->conf.rot_home_share);
}

/* The exits hide where the user is: anonymizers, or rotating residential exits. */
static bool hidden(const struct reach_ctx *c, const struct reach_state *s)
{
    return s->anon >= c->conf.anon_share * s->events ||
           (warden_exit_rotation_rotating(&s->rot, (unsigned)c->conf.rot_min_sessions,
                                          (unsigned)c->conf.rot_min_asns,
                                          c->conf.rot_switch_share) &&
            !at_home(c, s));
}

static void reach_observe(void *vctx, const struct warden_event *ev, void *vstate,
                          struct warden_emit *em)
{
    const struct reach_ctx *c = vctx;
    struct reach_state *s = vstate;
    const struct warden_ipinfo *info = ev->ipinfo;
    const char *cc = info ? info->country : "";
    bool anon = info && (info->categories & WARDEN_ANON_CATS);
    s->events++;
    s->anon += anon;
    warden_cc_tally_add(&s->countries, cc);
    uint16_t sessions = s->rot.sessions;
    warden_exit_rotation_add(&s->rot, info, ev->ts_ms, (uint32_t)(c->conf.rot_session_gap_s / 60));
    if (s->rot.sessions != sessions) warden_exit_home_vote(&s->home, &s->rot);
    warden_net_rotation_add(&s->nets, info, &ev->ip);
    /* an anonymizer exit located in a restricted jurisdiction says nothing
     * about its user (ordinary VPN users land on them): it counts as an
     * anonymizer, not as the jurisdiction */
    uint8_t side = anon ? 2 : restricted(c, cc) ? 1 : 0;
    if (side == 1 && s->restricted < UINT16_MAX) s->restricted++;
    if (side) {
        if (s->last_side && side != s->last_side && s->switches < UINT16_MAX) s->switches++;
        s->last_side = side;
    }
    if (ev->client_tz.n &&
        warden_tz_declared_update(c->tz, &s->tz, ev->client_tz.p, ev->client_tz.n)) {
        const struct warden_tzzone *z = warden_tz_declared_zone(c->tz, &s->tz);
        bool all = z->ncc > 0;
        for (unsigned k = 0; k < z->ncc; k++) all &= restricted(c, z->cc[k]);
        s->done = (uint16_t)(all ? s->done | ZONE_RESTRICTED : s->done & ~ZONE_RESTRICTED);
    }
    if (!(s->done & DONE_TZ) && (s->done & ZONE_RESTRICTED) &&
        (int64_t)s->events >= c->conf.min_events && hidden(c, s)) {
        s->done |= DONE_TZ;
        evidence(c, &em->scratch, s, ev->client_tz);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "geo.restricted_tz_anonymized", c->conf.score_tz,
                            warden_jbuf_str(&em->scratch));
    }
    if (!(s->done & (DONE_TZ | DONE_TZ_NET)) && (s->done & ZONE_RESTRICTED) &&
        (int64_t)s->events >= c->conf.min_events &&
        warden_net_rotation_rotating(&s->nets, &s->rot, (unsigned)c->conf.rot_min_sessions,
                                     (unsigned)c->conf.rot_min_asns, c->conf.rot_switch_share)) {
        s->done |= DONE_TZ_NET;
        evidence(c, &em->scratch, s, ev->client_tz);
        warden_jbuf_kv_int(&em->scratch, "exit_networks", warden_net_rotation_nets(&s->nets));
        warden_jbuf_kv_int(&em->scratch, "network_switches", s->nets.switches);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "geo.restricted_tz_rotating", c->conf.score_tz_rotating,
                            warden_jbuf_str(&em->scratch));
    }
    const struct warden_account *a = ev->account;
    if (a && a->billing_country[0] && !(s->done & (DONE_TZ | DONE_TZ_ELSEWHERE)) &&
        (s->done & ZONE_RESTRICTED) && (int64_t)s->events >= c->conf.min_events &&
        !restricted(c, a->billing_country) && s->restricted == 0 &&
        warden_cc_tally_get(&s->countries, a->billing_country) == 0 &&
        warden_net_rotation_fresh(&s->nets, &s->rot, (unsigned)c->conf.elsewhere_min_sessions,
                                  c->conf.elsewhere_net_share)) {
        s->done |= DONE_TZ_ELSEWHERE;
        evidence(c, &em->scratch, s, ev->client_tz);
        warden_jbuf_kv_str(&em->scratch, "billing_country", a->billing_country);
        warden_jbuf_kv_int(&em->scratch, "billing_requests", 0);
        warden_jbuf_kv_int(&em->scratch, "exit_networks", warden_net_rotation_nets(&s->nets));
        warden_jbuf_kv_int(&em->scratch, "network_switches", s->nets.switches);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "geo.restricted_tz_elsewhere", c->conf.score_tz_elsewhere,
                            warden_jbuf_str(&em->scratch));
    }
    if (a && !(s->done & REG_SEEN)) {
        /* once per account: where it signed up (one table look-up) */
        s->done |= REG_SEEN;
        if (a->has_signup_ip && c->intel) {
            const struct warden_ipinfo *si = warden_intel_lookup(c->intel, &a->signup_ip);
            if (!(si->categories & WARDEN_ANON_CATS) && restricted(c, si->country))
                s->done |= SIGNUP_RESTRICTED;
        }
    }
    if (a && !(s->done & DONE_SIGNUP) && (s->done & SIGNUP_RESTRICTED) &&
        (int64_t)s->events >= c->conf.min_events && hidden(c, s)) {
        s->done |= DONE_SIGNUP;
        const struct warden_ipinfo *si = warden_intel_lookup(c->intel, &a->signup_ip);
        char cats[96];
        evidence(c, &em->scratch, s, ev->client_tz);
        warden_jbuf_kv_str(&em->scratch, "signup_country", si->country);
        warden_jbuf_kv_str(&em->scratch, "signup_categories",
                           warden_ipcat_format(si->categories, cats, sizeof cats));
        if (a->billing_country[0])
            warden_jbuf_kv_str(&em->scratch, "billing_country", a->billing_country);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "geo.restricted_signup", c->conf.score_signup,
                            warden_jbuf_str(&em->scratch));
    }
    if (a && a->org && !(s->done & DONE_ORG) && restricted(c, a->org->country)) {
        s->done |= DONE_ORG;
        evidence(c, &em->scratch, s, ev->client_tz);
        warden_jbuf_kv_str(&em->scratch, "org_id", a->org->org_id);
        warden_jbuf_kv_str(&em->scratch, "org_country", a->org->country);
        if (a->billing_country[0])
            warden_jbuf_kv_str(&em->scratch, "billing_country", a->billing_country);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "geo.restricted_org", c->conf.score_org,
                            warden_jbuf_str(&em->scratch));
    }
    if (!(s->done & DONE_REACH) && (int64_t)s->switches >= c->conf.min_switches) {
        s->done |= DONE_REACH;
        evidence(c, &em->scratch, s, ev->client_tz);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "geo.restricted_reach", c->conf.score_reach,
                            warden_jbuf_str(&em->scratch));
    }
}

static void reach_free(void *vctx)
{
    struct reach_ctx *c = vctx;
    if (!c) return;
    warden_tzdb_free(c->tz);
    if (c->own_conf) warden_conf_fini(reach_conf_table, &c->conf);
    free(c);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const reach_codes[] = {"geo.restricted_reach",
                                          "geo.restricted_tz_anonymized",
                                          "geo.restricted_signup",
                                          "geo.restricted_org",
                                          "geo.restricted_tz_rotating",
                                          "geo.restricted_tz_elsewhere",
                                          NULL};

const struct warden_detector warden_detect_reach = {
    .name = "reach",
    .description = "restricted-jurisdiction reach through anonymizers: a declared restricted "
                   "time zone behind anonymizer exits, exits alternating between a restricted "
                   "jurisdiction and anonymizers",
    .conf_table = reach_conf_table,
    .conf_size = sizeof(struct reach_conf),
    .state_size = sizeof(struct reach_state),
    .init = reach_init,
    .observe = reach_observe,
    .flush = NULL,
    .free = reach_free,
    .codes = reach_codes,
    .attach_registry = reach_attach,
    .state_version = 4, /* 1: the exit-rotation tally; 2: the network-rotation tally; 3: done
                         * widened to 16 bits; 4: the home operator (appended) */
    .state_grew_from = {64, 3},
};
_Static_assert(offsetof(struct reach_state, home) == 64,
               "reach_state: version 3 slices (64 bytes) load into the start of today's");
