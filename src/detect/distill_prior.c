/* distill_prior.c — the table of enforced harvesters' frames (why and how:
 * distill_prior.h; the rule's figures: docs/clusters.md "Newcomers in an
 * enforced account's frame"). */
#include "detect/distill_prior.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/snapio.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define WAYS 4
#define BANDS 4

struct entry {
    uint64_t sketch;
    uint32_t minute; /* ts / 60 s, 0 = empty */
    uint8_t end, band;
    uint16_t pad;
};
_Static_assert(sizeof(struct entry) == 16, "entry size");

struct warden_distill_prior {
    pthread_mutex_t mu;
    int refs;                          /* under registry_mu */
    const void *key;                   /* the policy object the shards share */
    struct warden_distill_prior *next; /* in the registry */
    size_t nsets;                      /* power of two */
    atomic_size_t used;
    struct entry *e; /* nsets x WAYS */
};

/* Tables in use, one per policy object: the shards of a process are built
 * from one policy, so they find one table (the share() hook would also make
 * the runtime save the detector's context once for all shards, and the
 * distill context holds per-shard state). */
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct warden_distill_prior *registry;
static atomic_bool prior_off;

static const struct warden_distill_prior_remote *_Atomic remote;

void warden_distill_prior_off(bool off)
{
    atomic_store(&prior_off, off);
}

void warden_distill_prior_remote(const struct warden_distill_prior_remote *r)
{
    atomic_store(&remote, r);
}

struct warden_distill_prior *warden_distill_prior_find(const void *key)
{
    pthread_mutex_lock(&registry_mu);
    struct warden_distill_prior *p = registry;
    while (p && p->key != key) p = p->next;
    if (p) p->refs++;
    pthread_mutex_unlock(&registry_mu);
    return p;
}
bool warden_distill_prior_is_off(void)
{
    return atomic_load(&prior_off);
}

struct warden_distill_prior *warden_distill_prior_new(const void *key, size_t entries)
{
    pthread_mutex_lock(&registry_mu);
    struct warden_distill_prior *p = registry;
    while (p && p->key != key) p = p->next;
    if (p) {
        p->refs++;
        pthread_mutex_unlock(&registry_mu);
        return p;
    }
    p = warden_xcalloc(1, sizeof *p);
    size_t sets = 16;
    while (sets * WAYS < entries) sets *= 2;
    p->nsets = sets;
    p->e = warden_xcalloc(sets * WAYS, sizeof *p->e);
    p->refs = 1;
    p->key = key;
    pthread_mutex_init(&p->mu, NULL);
    p->next = registry;
    registry = p;
    pthread_mutex_unlock(&registry_mu);
    return p;
}

void warden_distill_prior_free(struct warden_distill_prior *p)
{
    if (!p) return;
    pthread_mutex_lock(&registry_mu);
    if (--p->refs) {
        pthread_mutex_unlock(&registry_mu);
        return;
    }
    struct warden_distill_prior **q = &registry;
    while (*q != p) q = &(*q)->next;
    *q = p->next;
    pthread_mutex_unlock(&registry_mu);
    pthread_mutex_destroy(&p->mu);
    free(p->e);
    free(p);
}

size_t warden_distill_prior_memory_bytes(const struct warden_distill_prior *p)
{
    return sizeof *p + p->nsets * WAYS * sizeof *p->e;
}

static struct entry *set_of(struct warden_distill_prior *p, uint64_t sketch, uint8_t end, int b)
{
    uint64_t v[2] = {(sketch >> (16 * b)) & 0xffff, ((uint64_t)b << 8) | end};
    return &p->e[(warden_hash64(v, sizeof v) & (p->nsets - 1)) * WAYS];
}

static uint32_t minute_of(int64_t ts_ms)
{
    int64_t m = ts_ms / 60000;
    return m < 1 ? 1 : m > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)m;
}

/* Under the lock: one band's entry of a frame, refreshed to minute `now`
 * (its own entry, else an empty or the oldest way of its set). */
static void put_locked(struct warden_distill_prior *p, uint64_t sketch, uint8_t end, int b,
                       uint32_t now)
{
    struct entry *s = set_of(p, sketch, end, b), *v = &s[0];
    for (int w = 0; w < WAYS; w++) {
        if (s[w].minute && s[w].sketch == sketch && s[w].end == end && s[w].band == b) {
            v = &s[w];
            break;
        }
        if (s[w].minute < v->minute) v = &s[w];
    }
    if (!v->minute) atomic_fetch_add(&p->used, 1);
    if (v->minute < now) v->minute = now;
    v->sketch = sketch;
    v->end = end;
    v->band = (uint8_t)b;
}

void warden_distill_prior_add(struct warden_distill_prior *p, uint64_t sketch, uint8_t end,
                              int64_t ts_ms)
{
    uint32_t now = minute_of(ts_ms);
    pthread_mutex_lock(&p->mu);
    for (int b = 0; b < BANDS; b++) put_locked(p, sketch, end, b, now);
    pthread_mutex_unlock(&p->mu);
}

void warden_distill_prior_save(struct warden_distill_prior *p, struct warden_snapwriter *w)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->nsets * WAYS;
    uint32_t used = 0;
    for (size_t i = 0; i < n; i++) used += p->e[i].minute != 0;
    warden_snap_put_u32(w, (uint32_t)p->nsets);
    warden_snap_put_u32(w, used);
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &p->e[i];
        if (!e->minute) continue;
        warden_snap_put_u64(w, e->sketch);
        warden_snap_put_u32(w, e->minute);
        warden_snap_put_u8(w, e->end);
        warden_snap_put_u8(w, e->band);
    }
    pthread_mutex_unlock(&p->mu);
}

int warden_distill_prior_load(struct warden_distill_prior *p, struct warden_snapreader *r)
{
    uint32_t nsets = warden_snap_get_u32(r), used = warden_snap_get_u32(r);
    if (warden_snap_failed(r)) return WARDEN_EFORMAT;
    if ((uint64_t)used > (uint64_t)nsets * WAYS) {
        warden_snap_fail(r, "distill prior: %u frames in %u sets", used, nsets);
        return WARDEN_EFORMAT;
    }
    /* Into an empty table of the saved size the entries go back to their
     * own ways, so the table is what it was; otherwise they are merged like
     * new frames (shards saved apart, or another prior_frames). */
    pthread_mutex_lock(&p->mu);
    bool verbatim = nsets == p->nsets && !atomic_load(&p->used);
    size_t slot = 0;
    for (uint32_t i = 0; i < used && !warden_snap_failed(r); i++) {
        struct entry e = {0};
        e.sketch = warden_snap_get_u64(r);
        e.minute = warden_snap_get_u32(r);
        e.end = warden_snap_get_u8(r);
        e.band = warden_snap_get_u8(r);
        if (warden_snap_failed(r)) break;
        if (!e.minute || e.band >= BANDS) {
            warden_snap_fail(r, "distill prior: bad frame entry %u", i);
            break;
        }
        if (verbatim) {
            struct entry *s = set_of(p, e.sketch, e.end, e.band);
            size_t base = (size_t)(s - p->e);
            if (slot < base) slot = base;
            if (slot >= base + WAYS) {
                warden_snap_fail(r, "distill prior: set of frame entry %u over-full", i);
                break;
            }
            p->e[slot++] = e;
            atomic_fetch_add(&p->used, 1);
        } else {
            put_locked(p, e.sketch, e.end, e.band, e.minute);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return warden_snap_failed(r) ? WARDEN_EFORMAT : 0;
}

/* Under the lock. */
static bool has_locked(struct warden_distill_prior *p, uint64_t sketch, uint8_t end,
                       int max_hamming, int64_t oldest_minute)
{
    for (int b = 0; b < BANDS; b++) {
        const struct entry *s = set_of(p, sketch, end, b);
        for (int w = 0; w < WAYS; w++)
            if (s[w].minute && (int64_t)s[w].minute >= oldest_minute && s[w].end == end &&
                s[w].band == b && ((s[w].sketch ^ sketch) >> (16 * b) & 0xffff) == 0 &&
                warden_distill_hamming(s[w].sketch, sketch) <= max_hamming)
                return true;
    }
    return false;
}

bool warden_distill_prior_has(struct warden_distill_prior *p, uint64_t sketch, uint8_t end,
                              int max_hamming, int64_t now_ms, int64_t ttl_ms)
{
    if (!atomic_load_explicit(&p->used, memory_order_relaxed)) return false;
    pthread_mutex_lock(&p->mu);
    bool hit = has_locked(p, sketch, end, max_hamming, (now_ms - ttl_ms) / 60000);
    pthread_mutex_unlock(&p->mu);
    return hit;
}

void warden_distill_prior_record(struct warden_distill_prior *p,
                                 const struct warden_distill_template *t, int64_t now_ms,
                                 const char *acct, size_t len)
{
    const struct warden_distill_prior_remote *r = atomic_load(&remote);
    uint32_t min = t->n / 10 > 3 ? t->n / 10 : 3;
    for (int i = 0; i < WARDEN_DISTILL_TSLOTS; i++) {
        if (t->count[i] < min) continue;
        if (r)
            r->publish(r->ctx, acct, len, t->sketch[i], t->end[i], now_ms);
        else
            warden_distill_prior_add(p, t->sketch[i], t->end[i], now_ms);
    }
}

bool warden_distill_prior_match(struct warden_distill_prior *p,
                                const struct warden_distill_template *t, int max_hamming,
                                int64_t now_ms, int64_t ttl_ms)
{
    if (!atomic_load_explicit(&p->used, memory_order_relaxed)) return false;
    bool hit = false;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < WARDEN_DISTILL_TSLOTS && !hit; i++)
        hit = t->count[i] >= 2 &&
              has_locked(p, t->sketch[i], t->end[i], max_hamming, (now_ms - ttl_ms) / 60000);
    pthread_mutex_unlock(&p->mu);
    return hit;
}
