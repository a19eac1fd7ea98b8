/* detect_anonymizer.c — how much of an account's traffic comes through
 * anonymizers, by category of the IP table, with providers and switches.
 *
 * Being on a VPN, Tor or a cloud is not by itself a reason to act: ordinary
 * people use VPNs and apps run in clouds. These findings carry low scores
 * (default below every action threshold of the example policy) so that they
 * explain and weight other evidence; the policy decides. Codes, each emitted
 * once per account when the category's share of the account's requests
 * reaches `min_share` after `min_events` requests:
 *   anon.vpn      commercial VPN exits
 *   anon.tor      Tor exits
 *   anon.proxy    open / anonymous / residential proxies
 *   anon.hosting  hosting and datacenter networks (not a known cloud)
 *   anon.cloud    public cloud providers
 *
 * Evidence keys: share, category_events, events, anonymized_share,
 * providers ({name: requests}, the first 2), countries (exit countries with
 * counts), category_switches (consecutive requests through different
 * categories, direct included), provider_switches, networks (distinct /24
 * or /48 exits seen, counted in a 64-bit bitmap: approximate above ~40).
 *
 * State: 80 bytes per account (docs/circumvention.md). Providers are kept
 * per account as 32-bit hashes of their names (no pointers in account
 * state: detector.h); the names themselves, pointers into the IP table,
 * sit in the context, one per distinct provider seen by this process. */
#include "detect/detector.h"
#include "detect/geo_tally.h"
#include "core/hash.h"
#include "core/snapio.h"
#include "core/u64map.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "intel/intel.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_VPN, C_TOR, C_PROXY, C_HOSTING, C_CLOUD, NCAT };
static const char *const cat_code[NCAT] = {"anon.vpn", "anon.tor", "anon.proxy", "anon.hosting",
                                           "anon.cloud"};

struct anon_conf {
    int64_t min_events;
    double min_share;
    double score[NCAT];
};

static const struct warden_conf_key anon_conf_table[] = {
    {"min_events", WARDEN_CONF_INT, "10", offsetof(struct anon_conf, min_events),
     "requests of an account before its shares are judged", 1, 1e9},
    {"min_share", WARDEN_CONF_DOUBLE, "0.5", offsetof(struct anon_conf, min_share),
     "share of requests through a category that makes a finding", 0, 1},
    {"score_vpn", WARDEN_CONF_DOUBLE, "0.2", offsetof(struct anon_conf, score[C_VPN]),
     "score of anon.vpn", 0, 1},
    {"score_tor", WARDEN_CONF_DOUBLE, "0.3", offsetof(struct anon_conf, score[C_TOR]),
     "score of anon.tor", 0, 1},
    {"score_proxy", WARDEN_CONF_DOUBLE, "0.3", offsetof(struct anon_conf, score[C_PROXY]),
     "score of anon.proxy", 0, 1},
    {"score_hosting", WARDEN_CONF_DOUBLE, "0.15", offsetof(struct anon_conf, score[C_HOSTING]),
     "score of anon.hosting", 0, 1},
    {"score_cloud", WARDEN_CONF_DOUBLE, "0.1", offsetof(struct anon_conf, score[C_CLOUD]),
     "score of anon.cloud", 0, 1},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

#define NPROV 2

struct anon_state {
    uint32_t events;
    uint32_t cat[NCAT];
    uint32_t cat_switches, prov_switches;
    uint32_t prov[NPROV]; /* hashes of provider names (0 = none); names in the context */
    uint32_t prov_n[NPROV];
    uint64_t nets; /* bitmap of exit networks */
    struct warden_cc_tally countries;
    int8_t last_cat; /* category of the previous request + 1; 0 = none yet */
    int8_t last_prov;
    uint8_t done; /* bit per category emitted */
};

struct anon_ctx {
    struct anon_conf conf;
    struct warden_u64map names; /* provider hash -> index + 1 into name */
    const char **name;          /* owned by the (read-only) IP table, or by owned */
    size_t n_names;
    char **owned; /* names read from a snapshot */
    size_t n_owned;
};

static int anon_init(void **ctx, const struct warden_policy *policy, const void *conf)
{
    (void)policy;
    struct anon_ctx *c = calloc(1, sizeof *c);
    if (!c) return -1;
    if (conf)
        memcpy(&c->conf, conf, sizeof c->conf);
    else
        warden_conf_defaults(anon_conf_table, &c->conf);
    warden_u64map_init(&c->names);
    *ctx = c;
    return 0;
}

/* One category per request, the most specific the IP table knows. */
static int category_of(uint32_t cats)
{
    if (cats & WARDEN_IPCAT_TOR) return C_TOR;
    if (cats & WARDEN_IPCAT_VPN) return C_VPN;
    if (cats & (WARDEN_IPCAT_PROXY | WARDEN_IPCAT_RESIDENTIAL_PROXY)) return C_PROXY;
    if (cats & WARDEN_IPCAT_CLOUD) return C_CLOUD;
    if (cats & WARDEN_IPCAT_HOSTING) return C_HOSTING;
    return -1;
}

static void remember(struct anon_ctx *c, uint32_t h, const char *p)
{
    c->name = warden_xrealloc(c->name, (c->n_names + 1) * sizeof *c->name);
    c->name[c->n_names++] = p;
    warden_u64map_put(&c->names, h, (uint32_t)c->n_names);
}

/* A provider's hash, its name remembered on first sight (a handful per table). */
static uint32_t provider_hash(struct anon_ctx *c, const char *p)
{
    uint32_t h = (uint32_t)warden_hash64(p, strlen(p));
    if (!h) h = 1;
    if (!warden_u64map_get(&c->names, h)) remember(c, h, p);
    return h;
}

static int provider_slot(struct anon_ctx *c, struct anon_state *s, const char *p)
{
    if (!p || !p[0]) return -1;
    uint32_t h = provider_hash(c, p);
    for (int i = 0; i < NPROV; i++) {
        if (s->prov[i] == h) return i;
        if (!s->prov[i]) {
            s->prov[i] = h;
            return i;
        }
    }
    return -1;
}

static void anon_evidence(const struct anon_ctx *c, struct warden_jbuf *b,
                          const struct anon_state *s, int k)
{
    uint32_t anon = 0;
    for (int i = 0; i < NCAT; i++) anon += s->cat[i];
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_num(b, "share", (double)s->cat[k] / s->events);
    warden_jbuf_kv_int(b, "category_events", s->cat[k]);
    warden_jbuf_kv_int(b, "events", s->events);
    warden_jbuf_kv_num(b, "anonymized_share", (double)anon / s->events);
    warden_jbuf_key(b, "providers");
    warden_jbuf_obj_open(b);
    for (int i = 0; i < NPROV && s->prov[i]; i++) {
        /* a provider of a restored account this process has not met: its hash */
        uint32_t n = warden_u64map_get(&c->names, s->prov[i]);
        char hex[16];
        snprintf(hex, sizeof hex, "#%08x", s->prov[i]);
        warden_jbuf_kv_int(b, n ? c->name[n - 1] : hex, s->prov_n[i]);
    }
    warden_jbuf_obj_close(b);
    warden_jbuf_key(b, "countries");
    warden_cc_tally_json(b, &s->countries);
    warden_jbuf_kv_int(b, "category_switches", s->cat_switches);
    warden_jbuf_kv_int(b, "provider_switches", s->prov_switches);
    warden_jbuf_kv_int(b, "networks", __builtin_popcountll(s->nets));
    warden_jbuf_obj_close(b);
}

static void anon_observe(void *vctx, const struct warden_event *ev, void *vstate,
                         struct warden_emit *em)
{
    struct anon_ctx *c = vctx;
    struct anon_state *s = vstate;
    const struct warden_ipinfo *info = ev->ipinfo;
    if (!info) return;
    s->events++;
    int k = category_of(info->categories);
    if (k >= 0) {
        s->cat[k]++;
        s->nets |= 1ull << (warden_net_hash(&ev->ip) >> 58);
        warden_cc_tally_add(&s->countries, info->country);
        int p = provider_slot(c, s, info->provider);
        if (p >= 0) s->prov_n[p]++;
        if (p >= 0 && s->last_prov && s->last_prov != p + 1) s->prov_switches++;
        if (p >= 0) s->last_prov = (int8_t)(p + 1);
    }
    if (s->last_cat && s->last_cat != k + 2) s->cat_switches++;
    s->last_cat = (int8_t)(k + 2);
    if ((int64_t)s->events < c->conf.min_events || k < 0 || (s->done >> k & 1)) return;
    if ((double)s->cat[k] < c->conf.min_share * s->events) return;
    s->done |= (uint8_t)(1u << k);
    anon_evidence(c, &em->scratch, s, k);
    warden_emit_finding(em, cat_code[k], c->conf.score[k], warden_jbuf_str(&em->scratch));
}

static void anon_free(void *ctx)
{
    struct anon_ctx *c = ctx;
    if (!c) return;
    warden_u64map_fini(&c->names);
    free(c->name);
    for (size_t i = 0; i < c->n_owned; i++) free(c->owned[i]);
    free(c->owned);
    free(c);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const anonymizer_codes[] = {"anon.vpn",   "anon.tor",   "anon.hosting",
                                               "anon.cloud", "anon.proxy", NULL};

/* Snapshots: the provider names behind the hashes in account state, so
 * that evidence names them after a restart. */
static int anon_save(void *ctx, struct warden_snapwriter *w)
{
    struct anon_ctx *c = ctx;
    warden_snap_put_u32(w, (uint32_t)c->n_names);
    for (size_t i = 0; i < c->n_names; i++) {
        const char *p = c->name[i];
        uint32_t h = (uint32_t)warden_hash64(p, strlen(p));
        warden_snap_put_u32(w, h ? h : 1);
        warden_snap_put_str(w, p, strlen(p));
    }
    return 0;
}

static int anon_load(void *ctx, struct warden_snapreader *r)
{
    struct anon_ctx *c = ctx;
    uint32_t n = warden_snap_get_u32(r);
    for (uint32_t i = 0; i < n && !warden_snap_failed(r); i++) {
        uint32_t h = warden_snap_get_u32(r);
        char name[256];
        warden_snap_get_str(r, name, sizeof name);
        if (warden_snap_failed(r) || !h || warden_u64map_get(&c->names, h)) continue;
        c->owned = warden_xrealloc(c->owned, (c->n_owned + 1) * sizeof *c->owned);
        c->owned[c->n_owned] = warden_xstrdup(name);
        remember(c, h, c->owned[c->n_owned++]);
    }
    return warden_snap_failed(r) ? WARDEN_EFORMAT : 0;
}

const struct warden_detector warden_detect_anonymizer = {
    .name = "anonymizer",
    .description = "share of an account's requests through VPN, Tor, proxy, hosting and cloud "
                   "exits, with providers and switches (low scores: context, not a verdict)",
    .conf_table = anon_conf_table,
    .conf_size = sizeof(struct anon_conf),
    .state_size = sizeof(struct anon_state),
    .init = anon_init,
    .observe = anon_observe,
    .flush = NULL,
    .free = anon_free,
    .codes = anonymizer_codes,
    .state_version = 1,
    .save = anon_save,
    .load = anon_load,
};
