/* detect_jurisdiction.c — traffic or payment located in a restricted jurisdiction.
 *
 * Which jurisdictions are restricted is policy (`jurisdictions.restricted`);
 * this detector only compares locations against that list:
 *   geo.restricted_jurisdiction  the event's IP is in a restricted country
 *                                (after `min_events` such events)
 *   geo.restricted_billing       the account's billing country is restricted
 *   geo.restricted_card          the account's card-issuing country is restricted
 *   geo.restricted_via_anonymizer the event's IP is in a restricted country but
 *                                is a VPN, Tor, proxy, hosting or cloud exit: the
 *                                exit is located there, the person may not be
 *                                (ordinary VPN users land on such exits), so a
 *                                policy can review it while still blocking
 *                                residential and mobile connections
 * Each code is emitted once per tracked account.
 *
 * Evidence keys: country, ip, asn, as_name, provider, categories (IP codes);
 * restricted_events, events (IP codes; anonymized_events for the anonymizer
 * code); billing_country / card_country.
 * Location is about where a connection or payment is, never about a
 * person's name or language. */
#include "detect/detector.h"
#include "detect/geo_tally.h"
#include "intel/intel.h"
#include "policy/policy.h"
#include "registry/registry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct jur_conf {
    int64_t min_events;
    double score_ip, score_billing, score_card, score_anonymizer;
};

static const struct warden_conf_key jur_conf_table[] = {
    {"min_events", WARDEN_CONF_INT, "1", offsetof(struct jur_conf, min_events),
     "events from a restricted country before the account is flagged", 1, 1e9},
    {"score_ip", WARDEN_CONF_DOUBLE, "0.9", offsetof(struct jur_conf, score_ip),
     "score of geo.restricted_jurisdiction", 0, 1},
    {"score_billing", WARDEN_CONF_DOUBLE, "0.95", offsetof(struct jur_conf, score_billing),
     "score of geo.restricted_billing", 0, 1},
    {"score_card", WARDEN_CONF_DOUBLE, "0.85", offsetof(struct jur_conf, score_card),
     "score of geo.restricted_card", 0, 1},
    {"score_anonymizer", WARDEN_CONF_DOUBLE, "0.5", offsetof(struct jur_conf, score_anonymizer),
     "score of geo.restricted_via_anonymizer (a VPN/hosting/proxy exit in a restricted country)", 0,
     1},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

struct jur_ctx {
    const struct warden_policy *policy;
    struct jur_conf conf;
};

enum { DONE_IP = 1, DONE_BILLING = 2, DONE_CARD = 4, CHECKED_ACCOUNT = 8, DONE_ANON = 16 };

struct jur_state {
    uint32_t restricted_events;
    uint32_t anonymized_events;
    uint8_t done;
};

static int jur_init(void **ctx, const struct warden_policy *policy, const void *conf)
{
    struct jur_ctx *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->policy = policy;
    if (conf)
        memcpy(&c->conf, conf, sizeof c->conf);
    else
        warden_conf_defaults(jur_conf_table, &c->conf);
    *ctx = c;
    return 0;
}

static void categories_json(struct warden_jbuf *b, uint32_t cats)
{
    static const char *names[] = {"hosting", "vpn",   "tor",
                                  "cloud",   "proxy", "satellite",
                                  "anycast", "drop",  "residential_proxy"};
    warden_jbuf_arr_open(b);
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cats & (1u << i)) warden_jbuf_cstr(b, names[i]);
    warden_jbuf_arr_close(b);
}

static void jur_observe(void *vctx, const struct warden_event *ev, void *vstate,
                        struct warden_emit *em)
{
    struct jur_ctx *c = vctx;
    struct jur_state *s = vstate;
    const struct warden_ipinfo *info = ev->ipinfo;

    if (info && info->country[0] && (~s->done & (DONE_IP | DONE_ANON)) &&
        warden_policy_is_restricted(c->policy, info->country)) {
        bool anon = (info->categories & WARDEN_ANON_CATS) != 0;
        uint32_t n = anon ? ++s->anonymized_events : ++s->restricted_events;
        uint8_t bit = anon ? DONE_ANON : DONE_IP;
        if (!(s->done & bit) && (int64_t)n >= c->conf.min_events) {
            s->done |= bit;
            struct warden_jbuf *b = &em->scratch;
            char ipbuf[WARDEN_IP_STRLEN];
            warden_jbuf_reset(b);
            warden_jbuf_obj_open(b);
            warden_jbuf_kv_str(b, "country", info->country);
            warden_jbuf_kv_str(b, "ip", warden_ip_format(&ev->ip, ipbuf));
            warden_jbuf_kv_int(b, "asn", info->asn);
            warden_jbuf_kv_str(b, "as_name", info->as_name);
            if (anon) warden_jbuf_kv_str(b, "provider", info->provider ? info->provider : "");
            warden_jbuf_key(b, "categories");
            categories_json(b, info->categories);
            warden_jbuf_kv_int(b, "restricted_events", s->restricted_events);
            if (anon) warden_jbuf_kv_int(b, "anonymized_events", s->anonymized_events);
            warden_jbuf_kv_int(b, "events", (int64_t)ev->account_seq);
            warden_jbuf_obj_close(b);
            warden_emit_finding(
                em, anon ? "geo.restricted_via_anonymizer" : WARDEN_REASON_RESTRICTED_IP,
                anon ? c->conf.score_anonymizer : c->conf.score_ip, warden_jbuf_str(b));
        }
    }

    if (!(s->done & CHECKED_ACCOUNT) && ev->account) {
        s->done |= CHECKED_ACCOUNT;
        const struct warden_account *a = ev->account;
        struct warden_jbuf *b = &em->scratch;
        if (a->billing_country[0] && warden_policy_is_restricted(c->policy, a->billing_country)) {
            warden_jbuf_reset(b);
            warden_jbuf_obj_open(b);
            warden_jbuf_kv_str(b, "billing_country", a->billing_country);
            warden_jbuf_obj_close(b);
            warden_emit_finding(em, WARDEN_REASON_RESTRICTED_BILLING, c->conf.score_billing,
                                warden_jbuf_str(b));
        }
        if (a->card_country[0] && warden_policy_is_restricted(c->policy, a->card_country)) {
            warden_jbuf_reset(b);
            warden_jbuf_obj_open(b);
            warden_jbuf_kv_str(b, "card_country", a->card_country);
            warden_jbuf_obj_close(b);
            warden_emit_finding(em, WARDEN_REASON_RESTRICTED_CARD, c->conf.score_card,
                                warden_jbuf_str(b));
        }
    }
}

static void jur_free(void *ctx)
{
    free(ctx);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const jurisdiction_codes[] = {
    WARDEN_REASON_RESTRICTED_IP, WARDEN_REASON_RESTRICTED_BILLING, WARDEN_REASON_RESTRICTED_CARD,
    "geo.restricted_via_anonymizer", NULL};

const struct warden_detector warden_detect_jurisdiction = {
    .name = "jurisdiction",
    .description = "event IP, billing or card country in a restricted jurisdiction (policy)",
    .conf_table = jur_conf_table,
    .conf_size = sizeof(struct jur_conf),
    .state_size = sizeof(struct jur_state),
    .init = jur_init,
    .observe = jur_observe,
    .flush = NULL,
    .free = jur_free,
    .codes = jurisdiction_codes,
};
