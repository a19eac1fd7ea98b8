/* detect_reseller.c — reseller fan-in: one account standing in for many users.
 *
 * Restricted customers also reach a model through someone else's account: a
 * reseller or a key shared among many people. What shows is fan-in — many
 * distinct end users, or many client fingerprints and networks at once,
 * behind one account. Codes:
 *   reseller.end_user_fan_in  an account that is not a declared reseller
 *                             sends `end_user` ids of at least
 *                             min_end_users distinct end users (apps do
 *                             this legitimately: a low score, context)
 *   reseller.shared_key       an account that is not a declared reseller is
 *                             used, within one window, from at least
 *                             min_networks networks (/24, /48) AND at least
 *                             min_fingerprints client fingerprints (JA4 +
 *                             User-Agent): one key in many people's hands
 *   reseller.end_user_heavy   a declared reseller's single end user sends at
 *                             least max_end_user_requests requests in one
 *                             window: that end user is made visible (its id
 *                             in the evidence) so the platform can act on
 *                             it, without blocking the platform
 * The first two are emitted once per account; the third once per end user
 * and window.
 *
 * Memory: per account 64 bytes (a 256-bit end-user bitmap, linear counting,
 * accurate to about 1,000; 64-bit network and fingerprint bitmaps per window).
 * Declared resellers' end users live in one fixed table per worker of
 * `end_user_slots` entries of 16 bytes (an end user whose slot is taken by
 * another restarts its count: a documented approximation when very many end
 * users are active in one window).
 *
 * Evidence keys: end_users (estimate), networks, fingerprints, window_s,
 * events, declared_reseller; end_user, end_user_requests, account_requests
 * (end_user_heavy). */
#include "core/hash.h"
#include "core/xalloc.h"
#include "core/snapio.h"
#include "detect/detector.h"
#include "detect/geo_tally.h"
#include "registry/registry.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct res_conf {
    int64_t min_end_users, min_networks, min_fingerprints, window_s;
    int64_t max_end_user_requests, end_user_slots;
    double score_fan_in, score_shared_key, score_heavy;
};

static const struct warden_conf_key res_conf_table[] = {
    {"min_end_users", WARDEN_CONF_INT, "200", offsetof(struct res_conf, min_end_users),
     "distinct end_user ids of an undeclared account for reseller.end_user_fan_in", 2, 1000},
    {"min_networks", WARDEN_CONF_INT, "16", offsetof(struct res_conf, min_networks),
     "distinct networks in one window for reseller.shared_key", 2, 64},
    {"min_fingerprints", WARDEN_CONF_INT, "6", offsetof(struct res_conf, min_fingerprints),
     "distinct client fingerprints in one window for reseller.shared_key", 2, 64},
    {"window_s", WARDEN_CONF_INT, "86400", offsetof(struct res_conf, window_s),
     "length of the window for networks, fingerprints and end-user volume, seconds", 60,
     30 * 86400},
    {"max_end_user_requests", WARDEN_CONF_INT, "2000",
     offsetof(struct res_conf, max_end_user_requests),
     "requests of one end user of a declared reseller in a window for reseller.end_user_heavy", 1,
     1e9},
    {"end_user_slots", WARDEN_CONF_INT, "65536", offsetof(struct res_conf, end_user_slots),
     "declared resellers' end users tracked per worker (fixed memory, 16 bytes each)", 16, 1 << 26},
    {"score_fan_in", WARDEN_CONF_DOUBLE, "0.3", offsetof(struct res_conf, score_fan_in),
     "score of reseller.end_user_fan_in", 0, 1},
    {"score_shared_key", WARDEN_CONF_DOUBLE, "0.6", offsetof(struct res_conf, score_shared_key),
     "score of reseller.shared_key", 0, 1},
    {"score_heavy", WARDEN_CONF_DOUBLE, "0.5", offsetof(struct res_conf, score_heavy),
     "score of reseller.end_user_heavy", 0, 1},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

enum { DONE_FAN_IN = 1, DONE_SHARED = 2 };

struct res_state {
    uint64_t eu[4]; /* end-user bitmap */
    uint64_t nets, fps;
    int64_t window; /* window number + 1 of nets/fps; 0 = none */
    uint32_t events;
    uint8_t done;
};

struct eu_slot {
    uint64_t key;    /* hash of account and end user; 0 = empty */
    uint32_t window; /* window number (low bits) */
    uint32_t n;      /* requests in the window; UINT32_MAX once reported */
};

struct res_ctx {
    struct res_conf conf;
    unsigned eu_bits, net_bits, fp_bits; /* bitmap bits set at the thresholds */
    struct eu_slot *slots;
    size_t mask;
};

/* Expected bits set in a bitmap of m bits by n distinct items (linear counting). */
static unsigned bits_for(int64_t n, unsigned m)
{
    double set = (double)m * (1.0 - exp(-(double)n / m));
    unsigned b = (unsigned)ceil(set);
    return b >= m ? m - 1 : b;
}

static int res_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    (void)policy;
    struct res_ctx *c = warden_xcalloc(1, sizeof *c);
    if (conf)
        memcpy(&c->conf, conf, sizeof c->conf);
    else
        warden_conf_defaults(res_conf_table, &c->conf);
    size_t n = 16;
    while ((int64_t)n < c->conf.end_user_slots) n <<= 1;
    c->slots = warden_xcalloc(n, sizeof *c->slots);
    c->mask = n - 1;
    c->eu_bits = bits_for(c->conf.min_end_users, 256);
    c->net_bits = bits_for(c->conf.min_networks, 64);
    c->fp_bits = bits_for(c->conf.min_fingerprints, 64);
    *vctx = c;
    return 0;
}

static unsigned bits(const uint64_t *v, int n)
{
    unsigned s = 0;
    for (int i = 0; i < n; i++) s += (unsigned)__builtin_popcountll(v[i]);
    return s;
}

/* Linear counting: distinct items behind a bitmap of m bits with `set` set. */
static double distinct(unsigned set, unsigned m)
{
    if (set >= m) set = m - 1; /* saturated: a lower bound */
    return -(double)m * log(1.0 - (double)set / m);
}

static void evidence(struct warden_jbuf *b, const struct res_ctx *c, const struct res_state *s,
                     bool declared)
{
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_int(b, "end_users", lround(distinct(bits(s->eu, 4), 256)));
    warden_jbuf_kv_int(b, "networks", lround(distinct(bits(&s->nets, 1), 64)));
    warden_jbuf_kv_int(b, "fingerprints", lround(distinct(bits(&s->fps, 1), 64)));
    warden_jbuf_kv_int(b, "window_s", c->conf.window_s);
    warden_jbuf_kv_int(b, "events", s->events);
    warden_jbuf_kv_bool(b, "declared_reseller", declared);
}

static void heavy_end_user(struct res_ctx *c, const struct warden_event *ev, int64_t win,
                           struct res_state *s, struct warden_emit *em)
{
    uint64_t k = warden_hash64_seed(ev->end_user.p, ev->end_user.n, ev->account_hash) | 1;
    struct eu_slot *sl = &c->slots[k & c->mask];
    if (sl->key != k || sl->window != (uint32_t)win) {
        sl->key = k;
        sl->window = (uint32_t)win;
        sl->n = 0;
    }
    if (sl->n == UINT32_MAX || ++sl->n < c->conf.max_end_user_requests) return;
    uint32_t n = sl->n;
    sl->n = UINT32_MAX;
    struct warden_jbuf *b = &em->scratch;
    evidence(b, c, s, true);
    warden_jbuf_key(b, "end_user");
    warden_jbuf_str_val(b, ev->end_user.p, ev->end_user.n < 128 ? ev->end_user.n : 128);
    warden_jbuf_kv_int(b, "end_user_requests", n);
    warden_jbuf_kv_int(b, "account_requests", s->events);
    warden_jbuf_obj_close(b);
    warden_emit_finding(em, "reseller.end_user_heavy", c->conf.score_heavy, warden_jbuf_str(b));
}

static void res_observe(void *vctx, const struct warden_event *ev, void *vstate,
                        struct warden_emit *em)
{
    struct res_ctx *c = vctx;
    struct res_state *s = vstate;
    bool declared = ev->account && ev->account->reseller;
    if (!declared && (s->done & (DONE_FAN_IN | DONE_SHARED)) == (DONE_FAN_IN | DONE_SHARED))
        return; /* both findings made: nothing left to watch */
    int64_t win = ev->ts_ms / (c->conf.window_s * 1000) + 1;
    s->events++;
    if (win > s->window) { /* a late event counts in the current window */
        s->window = win;
        s->nets = s->fps = 0;
    }
    s->nets |= 1ull << (warden_net_hash(&ev->ip) >> 58);
    if (ev->tls_ja4.n || ev->user_agent.n) {
        uint64_t h =
            warden_hash64_seed(ev->user_agent.p ? ev->user_agent.p : "", ev->user_agent.n,
                               warden_hash64(ev->tls_ja4.p ? ev->tls_ja4.p : "", ev->tls_ja4.n));
        s->fps |= 1ull << (h >> 58);
    }
    if (ev->end_user.n) {
        uint64_t h = warden_hash64(ev->end_user.p, ev->end_user.n);
        s->eu[h >> 62] |= 1ull << ((h >> 56) & 63);
        if (declared) heavy_end_user(c, ev, win, s, em);
    }
    if (declared) return;
    if (!(s->done & DONE_FAN_IN) && ev->end_user.n && bits(s->eu, 4) >= c->eu_bits) {
        s->done |= DONE_FAN_IN;
        evidence(&em->scratch, c, s, false);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "reseller.end_user_fan_in", c->conf.score_fan_in,
                            warden_jbuf_str(&em->scratch));
    }
    if (!(s->done & DONE_SHARED) && bits(&s->nets, 1) >= c->net_bits &&
        bits(&s->fps, 1) >= c->fp_bits) {
        s->done |= DONE_SHARED;
        evidence(&em->scratch, c, s, false);
        warden_jbuf_obj_close(&em->scratch);
        warden_emit_finding(em, "reseller.shared_key", c->conf.score_shared_key,
                            warden_jbuf_str(&em->scratch));
    }
}

static void res_free(void *vctx)
{
    struct res_ctx *c = vctx;
    if (!c) return;
    free(c->slots);
    free(c);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const reseller_codes[] = {"reseller.end_user_fan_in", "reseller.shared_key",
                                             "reseller.end_user_heavy", NULL};

/* Snapshots: the per end-user windows of this shard. */
static int res_save(void *vctx, struct warden_snapwriter *w)
{
    struct res_ctx *c = vctx;
    warden_snap_put_table(w, c->slots, c->mask + 1, sizeof *c->slots);
    return 0;
}
static int res_load(void *vctx, struct warden_snapreader *r)
{
    struct res_ctx *c = vctx;
    return warden_snap_get_table(r, c->slots, c->mask + 1, sizeof *c->slots);
}
const struct warden_detector warden_detect_reseller = {
    .name = "reseller",
    .description = "reseller fan-in: many end users, or many networks and client fingerprints "
                   "at once, behind an account that is not a declared reseller; heavy single "
                   "end users of declared resellers",
    .conf_table = res_conf_table,
    .conf_size = sizeof(struct res_conf),
    .state_size = sizeof(struct res_state),
    .init = res_init,
    .observe = res_observe,
    .flush = NULL,
    .free = res_free,
    .codes = reseller_codes,
    .state_version = 1,
    .save = res_save,
    .load = res_load,
};
