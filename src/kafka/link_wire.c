/* link_wire.c — the records of the linking and membership topics
 * (link/remote.h has what they mean; README "Kafka deployment" the topics).
 *
 * Binary, little-endian, versioned by the first byte; they are internal to a
 * deployment (written and read by the same warden build) and small: an
 * observation is 28 bytes plus the account id, a notice 114 plus the id.
 * Neither holds anything but ids, hashes and counts (never an address, a
 * domain or a payment value: identifiers are 64-bit keys).
 *
 *   observation: u8 version (7), i8 kind (-1: own action, -2: restricted
 *                reach, -3: an enforced harvester's frame, -4: a frame sent; 6, a
 *                published template: key its sketch, level its end), u8 level (own action: 1
 * review, 2 enforced, 3 own harvesting evidence actioned, 4 a harvesting suspect: key 1 when it
 * signed up through a public anonymizer's exit), i32 events partition, i64 ts_ms, u64 key, u32 org
 * hash, u8 id length, id notice:      u8 version (7), u8 flags (1 set_cluster, 2 joined, 4
 * linked_restricted, 8 frame, 16 pooled), u8 linked, i8 via (a frame: its end), u64 cluster seq,
 * u32 size, live, actioned, enforced, u16 restricted, u16 harvest, u8 suspect, u32 edges, u32 edges
 * per kind × 8, f64 score, u64 key (a frame: its sketch), u32 kinds, f64 distinct, f64 pair weight,
 * i64 ts_ms, u8 id length, id */
#include "core/error.h"
#include "kafka/kafka.h"
#include "link/remote.h"

#include <string.h>

#define WIRE_VERSION                                                                               \
    7 /* 2: restricted reach; 3: frames for the distill prior; 4: harvest members; 5: suspects;    \
         6: system prompts a kind of their own; 7: frames as sketches, frames sent */

struct wr {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct wr *w, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        if (w->n < w->cap)
            w->p[w->n++] = (uint8_t)(v >> (8 * i));
        else
            w->n = w->cap + 1;
}

static void put_f64(struct wr *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put(w, v, 8);
}

static void put_id(struct wr *w, const char *id, size_t len)
{
    put(w, len, 1);
    if (w->n + len <= w->cap) {
        memcpy(w->p + w->n, id, len);
        w->n += len;
    } else {
        w->n = w->cap + 1;
    }
}

struct rd {
    const uint8_t *p;
    size_t n, at;
    bool bad;
};

static uint64_t get(struct rd *r, int bytes)
{
    uint64_t v = 0;
    if (r->at + (size_t)bytes > r->n) {
        r->bad = true;
        return 0;
    }
    for (int i = 0; i < bytes; i++) v |= (uint64_t)r->p[r->at++] << (8 * i);
    return v;
}

static double get_f64(struct rd *r)
{
    uint64_t v = get(r, 8);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static void get_id(struct rd *r, const char **id, size_t *len)
{
    *len = (size_t)get(r, 1);
    if (r->bad || r->at + *len != r->n) {
        r->bad = true;
        return;
    }
    *id = (const char *)r->p + r->at;
    r->at += *len;
}

size_t warden_link_obs_encode(const struct warden_link_obs *o, int partition, void *buf, size_t cap)
{
    if (o->len > 255) return 0;
    struct wr w = {buf, 0, cap};
    put(&w, WIRE_VERSION, 1);
    put(&w, (uint64_t)(int64_t)o->kind, 1);
    put(&w, (uint64_t)o->level, 1);
    put(&w, (uint64_t)(int64_t)partition, 4);
    put(&w, (uint64_t)o->ts_ms, 8);
    put(&w, o->key, 8);
    put(&w, o->org, 4);
    put_id(&w, o->account_id, o->len);
    return w.n <= cap ? w.n : 0;
}

int warden_link_obs_decode(const void *p, size_t n, struct warden_link_obs *o, int *partition)
{
    struct rd r = {p, n, 0, false};
    memset(o, 0, sizeof *o);
    if (get(&r, 1) != WIRE_VERSION) return WARDEN_EFORMAT;
    o->kind = (int8_t)get(&r, 1);
    o->level = (int)get(&r, 1);
    *partition = (int32_t)get(&r, 4);
    o->ts_ms = (int64_t)get(&r, 8);
    o->key = get(&r, 8);
    o->org = (uint32_t)get(&r, 4);
    get_id(&r, &o->account_id, &o->len);
    if (r.bad || o->kind >= WARDEN_LINK_NKINDS || o->kind < WARDEN_LINK_OBS_SENT ||
        *partition < 0 || !o->len ||
        ((o->kind == WARDEN_LINK_OBS_FRAME || o->kind == WARDEN_LINK_OBS_SENT ||
          o->kind == WARDEN_LINK_TEMPLATE) &&
         (o->level < 1 || o->level > 2)) ||
        (o->kind == -1 && (o->level < 1 || o->level > 4)))
        return WARDEN_EFORMAT;
    return 0;
}

size_t warden_link_notice_encode(const struct warden_link_notice *x, void *buf, size_t cap)
{
    if (x->len > 255) return 0;
    struct wr w = {buf, 0, cap};
    const struct warden_link_cluster *c = &x->info;
    put(&w, WIRE_VERSION, 1);
    put(&w,
        (x->set_cluster ? 1u : 0u) | (x->joined ? 2u : 0u) | (x->linked_restricted ? 4u : 0u) |
            (x->frame ? 8u : 0u) | (x->pooled ? 16u : 0u),
        1);
    put(&w, (uint64_t)x->linked, 1);
    put(&w, (uint64_t)(int64_t)(x->frame ? x->frame_end : x->via), 1);
    put(&w, c->seq, 8);
    put(&w, c->size, 4);
    put(&w, c->live, 4);
    put(&w, c->actioned, 4);
    put(&w, c->enforced, 4);
    put(&w, c->restricted, 2);
    put(&w, c->harvest, 2);
    put(&w, c->suspect, 1);
    put(&w, c->edges, 4);
    for (int k = 0; k < WARDEN_LINK_NKINDS; k++) put(&w, c->kind_edges[k], 4);
    put_f64(&w, c->score);
    put(&w, x->key, 8);
    put(&w, x->kinds, 4);
    put_f64(&w, x->distinct);
    put_f64(&w, x->pair_weight);
    put(&w, (uint64_t)x->ts_ms, 8);
    put_id(&w, x->account_id, x->len);
    return w.n <= cap ? w.n : 0;
}

int warden_link_notice_decode(const void *p, size_t n, struct warden_link_notice *x)
{
    struct rd r = {p, n, 0, false};
    memset(x, 0, sizeof *x);
    struct warden_link_cluster *c = &x->info;
    if (get(&r, 1) != WIRE_VERSION) return WARDEN_EFORMAT;
    unsigned flags = (unsigned)get(&r, 1);
    x->set_cluster = flags & 1;
    x->joined = flags & 2;
    x->linked_restricted = flags & 4;
    x->frame = flags & 8;
    x->pooled = flags & 16;
    x->linked = (int)get(&r, 1);
    x->via = (int8_t)get(&r, 1);
    if (x->frame) x->frame_end = (uint8_t)x->via, x->via = 0;
    c->seq = get(&r, 8);
    c->size = (uint32_t)get(&r, 4);
    c->live = (uint32_t)get(&r, 4);
    c->actioned = (uint32_t)get(&r, 4);
    c->enforced = (uint32_t)get(&r, 4);
    c->restricted = (uint16_t)get(&r, 2);
    c->harvest = (uint16_t)get(&r, 2);
    c->suspect = (uint8_t)get(&r, 1);
    c->edges = (uint32_t)get(&r, 4);
    for (int k = 0; k < WARDEN_LINK_NKINDS; k++) c->kind_edges[k] = (uint32_t)get(&r, 4);
    c->score = get_f64(&r);
    x->key = get(&r, 8);
    x->kinds = (unsigned)get(&r, 4);
    x->distinct = get_f64(&r);
    x->pair_weight = get_f64(&r);
    x->ts_ms = (int64_t)get(&r, 8);
    get_id(&r, &x->account_id, &x->len);
    if (r.bad || x->linked > 2 || (x->joined && (x->via < 0 || x->via >= WARDEN_LINK_NKINDS)) ||
        !x->len || (x->frame && (x->frame_end < 1 || x->frame_end > 2 || x->joined)))
        return WARDEN_EFORMAT;
    return 0;
}
