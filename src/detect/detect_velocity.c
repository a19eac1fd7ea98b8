/* detect_velocity.c — request and token rates per account and per API key.
 *
 * Two sliding windows (short, default 60 s; long, default 1 h), each kept as
 * 12 buckets of window/12 with running sums, so the rate is exact to one
 * bucket's width and each event costs O(1). Codes:
 *   velocity.request_rate      account requests in a window above its limit
 *   velocity.token_rate        account tokens (input + output) above its limit
 *   velocity.key_request_rate  the same per API key (api_key_id)
 *   velocity.key_token_rate
 * A code fires when a window's sum crosses its limit and re-arms only after
 * the sum falls below half the limit, so a sustained burst is one finding.
 * At the crossing the sum is always just over the limit, so the score uses
 * the rate projected over the whole window from the buckets actually spanned
 * (51 requests inside one 5 s bucket project to 612 a minute): 0.5 at the
 * limit, rising with log2(projected/limit) to 1.0 at 4x.
 * A limit of 0 disables that check. Per-key state lives in a fixed table of
 * `key_slots` entries per worker (a key whose slot is taken by another key
 * restarts its count: documented approximation for very many keys).
 * Events reach detectors in event time (the runtime's reorder buffer); an
 * event older than a window's current bucket still within the allowed
 * lateness counts in the current bucket, and a late event (ev->late, past
 * the watermark) is not counted in any window. Token sums saturate.
 *
 * Evidence keys: window_s, observed, projected (per window), limit, key
 * (hash of api_key_id and account, hex). */
#include "detect/detector.h"
#include "core/hash.h"
#include "core/hugetable.h"
#include "core/xalloc.h"
#include "core/snapio.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NB 12

struct vel_conf {
    int64_t short_window_s, long_window_s;
    int64_t max_requests_short, max_requests_long;
    int64_t max_tokens_short, max_tokens_long;
    int64_t key_max_requests_short, key_max_tokens_short;
    int64_t key_slots;
};

static const struct warden_conf_key vel_conf_table[] = {
    {"short_window_s", WARDEN_CONF_INT, "60", offsetof(struct vel_conf, short_window_s),
     "length of the short window in seconds", 12, 86400},
    {"long_window_s", WARDEN_CONF_INT, "3600", offsetof(struct vel_conf, long_window_s),
     "length of the long window in seconds", 12, 30 * 86400},
    {"max_requests_short", WARDEN_CONF_INT, "600", offsetof(struct vel_conf, max_requests_short),
     "requests per account in the short window (0 = no limit)", 0, 1e12},
    {"max_requests_long", WARDEN_CONF_INT, "20000", offsetof(struct vel_conf, max_requests_long),
     "requests per account in the long window (0 = no limit)", 0, 1e12},
    {"max_tokens_short", WARDEN_CONF_INT, "2000000", offsetof(struct vel_conf, max_tokens_short),
     "input+output tokens per account in the short window (0 = no limit)", 0, 1e15},
    {"max_tokens_long", WARDEN_CONF_INT, "50000000", offsetof(struct vel_conf, max_tokens_long),
     "input+output tokens per account in the long window (0 = no limit)", 0, 1e15},
    {"key_max_requests_short", WARDEN_CONF_INT, "600",
     offsetof(struct vel_conf, key_max_requests_short),
     "requests per API key in the short window (0 = no limit)", 0, 1e12},
    {"key_max_tokens_short", WARDEN_CONF_INT, "2000000",
     offsetof(struct vel_conf, key_max_tokens_short),
     "input+output tokens per API key in the short window (0 = no limit)", 0, 1e15},
    {"key_slots", WARDEN_CONF_INT, "65536", offsetof(struct vel_conf, key_slots),
     "API keys tracked per worker (fixed memory)", 16, 1 << 26},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

struct window {
    int64_t head; /* bucket number of the newest bucket; 0 = unused */
    uint32_t req[NB];
    uint32_t tok[NB];
    uint32_t sum_req;
    uint64_t sum_tok;
};

enum { FIRED_REQ_S = 1, FIRED_REQ_L = 2, FIRED_TOK_S = 4, FIRED_TOK_L = 8 };

struct vel_state {
    struct window s, l;
    uint32_t fired;
};

struct key_slot {
    uint64_t key_hash;
    struct window s;
    uint32_t fired;
};

struct vel_ctx {
    struct vel_conf conf;
    int64_t bucket_ms_s, bucket_ms_l;
    struct key_slot *keys;
    size_t key_mask;
};

static void window_add(struct window *w, int64_t bucket_ms, int64_t ts, uint32_t tok)
{
    int64_t b = ts / bucket_ms + 1; /* +1 so that 0 means unused */
    if (w->head == 0) w->head = b;
    if (b > w->head) {
        int64_t adv = b - w->head;
        if (adv >= NB) {
            memset(w->req, 0, sizeof w->req);
            memset(w->tok, 0, sizeof w->tok);
            w->sum_req = 0;
            w->sum_tok = 0;
        } else {
            for (int64_t k = w->head + 1; k <= b; k++) {
                size_t i = (size_t)(k % NB);
                w->sum_req -= w->req[i];
                w->sum_tok -= w->tok[i];
                w->req[i] = 0;
                w->tok[i] = 0;
            }
        }
        w->head = b;
    }
    size_t i = (size_t)(w->head % NB);
    w->req[i]++;
    w->sum_req++;
    w->tok[i] += tok;
    w->sum_tok += tok;
}

static int vel_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    (void)policy;
    struct vel_ctx *c = warden_xcalloc(1, sizeof *c);
    if (conf)
        memcpy(&c->conf, conf, sizeof c->conf);
    else
        warden_conf_defaults(vel_conf_table, &c->conf);
    c->bucket_ms_s = c->conf.short_window_s * 1000 / NB;
    c->bucket_ms_l = c->conf.long_window_s * 1000 / NB;
    size_t n = 16;
    while ((int64_t)n < c->conf.key_slots) n <<= 1;
    c->keys = warden_hugetable_new(n, sizeof *c->keys);
    c->key_mask = n - 1;
    *vctx = c;
    return 0;
}

static double rate_score(double observed, double limit)
{
    double s = 0.5 + 0.25 * log2(observed / limit);
    return s < 0.5 ? 0.5 : s > 1.0 ? 1.0 : s;
}

/* Buckets from the oldest non-empty one to the head (1..NB). */
static unsigned span_buckets(const struct window *w)
{
    for (unsigned age = NB - 1; age > 0; age--) {
        size_t i = (size_t)((w->head - (int64_t)age) % NB);
        if (w->head - (int64_t)age > 0 && w->req[i]) return age + 1;
    }
    return 1;
}

/* Fire or re-arm one check. */
static void check(struct warden_emit *em, uint32_t *fired, uint32_t bit, uint64_t observed,
                  int64_t limit, int64_t window_s, const char *code, const uint64_t *key,
                  const struct window *w)
{
    if (limit <= 0) return;
    if (*fired & bit) {
        if (observed * 2 < (uint64_t)limit) *fired &= ~bit;
        return;
    }
    if (observed <= (uint64_t)limit) return;
    *fired |= bit;
    double projected = (double)observed * NB / span_buckets(w);
    if (projected < (double)observed) projected = (double)observed;
    struct warden_jbuf *b = &em->scratch;
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_int(b, "window_s", window_s);
    warden_jbuf_kv_int(b, "observed", (int64_t)observed);
    warden_jbuf_kv_int(b, "projected", (int64_t)projected);
    warden_jbuf_kv_int(b, "limit", limit);
    if (key) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)*key);
        warden_jbuf_kv_str(b, "key", hex);
    }
    warden_jbuf_obj_close(b);
    warden_emit_finding(em, code, rate_score(projected, (double)limit), warden_jbuf_str(b));
}

/* The event's API key, per account: key ids are only unique within one. */
static uint64_t key_hash(const struct warden_event *ev)
{
    return warden_hash64(ev->api_key_id.p, ev->api_key_id.n) ^ ev->account_hash;
}

static struct key_slot *key_slot_of(const struct vel_ctx *c, uint64_t h)
{
    return &c->keys[(h ^ (h >> 33)) & c->key_mask];
}

/* The key's slot is a cache miss: start it before enrichment (stage 0). */
static void vel_prefetch(void *vctx, const struct warden_event *ev, const void *state, int stage)
{
    (void)state;
    const struct vel_ctx *c = vctx;
    if (stage != 0 || ev->late || !ev->api_key_id.p || !ev->api_key_id.n) return;
    const char *p = (const char *)key_slot_of(c, key_hash(ev));
    for (size_t off = 0; off < sizeof(struct key_slot); off += 64) __builtin_prefetch(p + off, 1);
    __builtin_prefetch(p + sizeof(struct key_slot) - 1, 1); /* a slot spans up to 4 lines */
}

static void vel_observe(void *vctx, const struct warden_event *ev, void *vstate,
                        struct warden_emit *em)
{
    struct vel_ctx *c = vctx;
    struct vel_state *s = vstate;
    const struct vel_conf *k = &c->conf;
    if (ev->late) return; /* older than the watermark: its bucket is gone */
    /* saturating: token counts come from input and may be anything */
    uint64_t tok = 0;
    if (ev->input_tokens > 0) tok += (uint64_t)ev->input_tokens;
    if (ev->output_tokens > 0) tok += (uint64_t)ev->output_tokens;
    uint32_t t32 = tok > UINT32_MAX / 4 ? UINT32_MAX / 4 : (uint32_t)tok;
    /* the key's slot is a cache miss (a large table hit at random): start
     * it before the account's windows are updated */
    struct key_slot *ks = NULL;
    uint64_t h = 0;
    if (ev->api_key_id.p && ev->api_key_id.n) {
        h = key_hash(ev);
        ks = key_slot_of(c, h);
        __builtin_prefetch(ks, 1);
        __builtin_prefetch((const char *)(ks + 1) - 1, 1);
    }

    window_add(&s->s, c->bucket_ms_s, ev->ts_ms, t32);
    window_add(&s->l, c->bucket_ms_l, ev->ts_ms, t32);
    check(em, &s->fired, FIRED_REQ_S, s->s.sum_req, k->max_requests_short, k->short_window_s,
          "velocity.request_rate", NULL, &s->s);
    check(em, &s->fired, FIRED_REQ_L, s->l.sum_req, k->max_requests_long, k->long_window_s,
          "velocity.request_rate", NULL, &s->l);
    check(em, &s->fired, FIRED_TOK_S, s->s.sum_tok, k->max_tokens_short, k->short_window_s,
          "velocity.token_rate", NULL, &s->s);
    check(em, &s->fired, FIRED_TOK_L, s->l.sum_tok, k->max_tokens_long, k->long_window_s,
          "velocity.token_rate", NULL, &s->l);

    if (ks) {
        if (ks->key_hash != h) {
            memset(ks, 0, sizeof *ks);
            ks->key_hash = h;
        }
        window_add(&ks->s, c->bucket_ms_s, ev->ts_ms, t32);
        check(em, &ks->fired, FIRED_REQ_S, ks->s.sum_req, k->key_max_requests_short,
              k->short_window_s, "velocity.key_request_rate", &h, &ks->s);
        check(em, &ks->fired, FIRED_TOK_S, ks->s.sum_tok, k->key_max_tokens_short,
              k->short_window_s, "velocity.key_token_rate", &h, &ks->s);
    }
}

static void vel_free(void *vctx)
{
    struct vel_ctx *c = vctx;
    warden_hugetable_free(c->keys, c->key_mask + 1, sizeof *c->keys);
    free(c);
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const velocity_codes[] = {"velocity.request_rate", "velocity.token_rate",
                                             "velocity.key_request_rate", "velocity.key_token_rate",
                                             NULL};

/* Snapshots: the per-key windows of this shard (the account windows are
 * account state). */
static int vel_save(void *vctx, struct warden_snapwriter *w)
{
    struct vel_ctx *c = vctx;
    warden_snap_put_table(w, c->keys, c->key_mask + 1, sizeof *c->keys);
    return 0;
}
static int vel_load(void *vctx, struct warden_snapreader *r)
{
    struct vel_ctx *c = vctx;
    return warden_snap_get_table(r, c->keys, c->key_mask + 1, sizeof *c->keys);
}
const struct warden_detector warden_detect_velocity = {
    .name = "velocity",
    .description = "request and token rates per account and per API key over sliding windows",
    .conf_table = vel_conf_table,
    .conf_size = sizeof(struct vel_conf),
    .state_size = sizeof(struct vel_state),
    .init = vel_init,
    .observe = vel_observe,
    .flush = NULL,
    .free = vel_free,
    .codes = velocity_codes,
    .state_version = 1,
    .save = vel_save,
    .load = vel_load,
    .prefetch = vel_prefetch,
};
