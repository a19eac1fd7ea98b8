/* distill_crowd.c — a frame's new payloads across accounts (why and how:
 * distill_crowd.h). */
#include "detect/distill_crowd.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/snapio.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4
#define BANDS 4
#define WAIT_WAYS 8 /* ways of the waiting accounts' sets */
_Static_assert(WARDEN_CROWD_WAITING % WAIT_WAYS == 0, "waiting sets");
#define BLOCK_WORDS 8      /* 512 bits, one cache line */
#define BITS_PER_PART 6    /* bits set per part in its block */
#define PARTS_PER_BLOCK 51 /* ~10 bits per part at capacity: ~1 % false positives */

struct entry {
    uint64_t sketch;
    uint32_t minute; /* last credited, ts / 60 s; 0 = empty */
    uint16_t sittings;
    uint8_t end, band;
};
_Static_assert(sizeof(struct entry) == 16, "entry size");

struct warden_distill_crowd {
    pthread_mutex_t mu;
    int refs;                          /* under registry_mu */
    const void *key;                   /* the policy object the shards share */
    struct warden_distill_crowd *next; /* in the registry */
    size_t parts;                      /* insertions per generation */
    size_t nblocks;
    uint64_t *gen[2]; /* nblocks x BLOCK_WORDS each */
    unsigned cur;
    size_t inserted;    /* into gen[cur] */
    uint64_t rotations; /* generations retired since the table was made (atomic reads) */
    size_t nsets;       /* power of two */
    struct entry *e;    /* nsets x WAYS */
    struct warden_distill_crowd_wait wait[WARDEN_CROWD_WAITING];
    atomic_uint pending; /* released entries not yet taken by their owner */
    atomic_uint owners;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct warden_distill_crowd *registry;
static atomic_bool crowd_off;

void warden_distill_crowd_off(bool off)
{
    atomic_store(&crowd_off, off);
}
bool warden_distill_crowd_is_off(void)
{
    return atomic_load(&crowd_off);
}

struct warden_distill_crowd *warden_distill_crowd_new(const void *key, size_t parts, size_t frames,
                                                      bool *created)
{
    pthread_mutex_lock(&registry_mu);
    struct warden_distill_crowd *c = registry;
    while (c && c->key != key) c = c->next;
    *created = !c;
    if (c) {
        c->refs++;
        pthread_mutex_unlock(&registry_mu);
        return c;
    }
    c = warden_xcalloc(1, sizeof *c);
    c->parts = parts < 1024 ? 1024 : parts;
    c->nblocks = (c->parts + PARTS_PER_BLOCK - 1) / PARTS_PER_BLOCK;
    for (int g = 0; g < 2; g++)
        c->gen[g] = warden_xcalloc(c->nblocks * BLOCK_WORDS, sizeof(uint64_t));
    size_t sets = 16;
    while (sets * WAYS < frames) sets *= 2;
    c->nsets = sets;
    c->e = warden_xcalloc(sets * WAYS, sizeof *c->e);
    c->refs = 1;
    c->key = key;
    pthread_mutex_init(&c->mu, NULL);
    c->next = registry;
    registry = c;
    pthread_mutex_unlock(&registry_mu);
    return c;
}

void warden_distill_crowd_free(struct warden_distill_crowd *c)
{
    if (!c) return;
    pthread_mutex_lock(&registry_mu);
    if (--c->refs) {
        pthread_mutex_unlock(&registry_mu);
        return;
    }
    struct warden_distill_crowd **q = &registry;
    while (*q != c) q = &(*q)->next;
    *q = c->next;
    pthread_mutex_unlock(&registry_mu);
    pthread_mutex_destroy(&c->mu);
    free(c->gen[0]);
    free(c->gen[1]);
    free(c->e);
    free(c);
}

size_t warden_distill_crowd_memory_bytes(const struct warden_distill_crowd *c)
{
    return sizeof *c + 2 * c->nblocks * BLOCK_WORDS * sizeof(uint64_t) +
           c->nsets * WAYS * sizeof *c->e;
}

/* ---- the filter ---- */

/* The part's block and the bits it sets there. */
static size_t block_of(const struct warden_distill_crowd *c, uint64_t h, uint64_t mask[BLOCK_WORDS])
{
    memset(mask, 0, BLOCK_WORDS * sizeof mask[0]);
    uint64_t g = (h ^ (h >> 29)) * 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < BITS_PER_PART; i++) {
        unsigned bit = (unsigned)(g >> (9 * i)) & 511;
        mask[bit >> 6] |= 1ULL << (bit & 63);
    }
    return (size_t)(((h >> 32) * (uint64_t)c->nblocks) >> 32);
}

static bool has_bits(const uint64_t *blk, const uint64_t mask[BLOCK_WORDS])
{
    uint64_t miss = 0;
    for (int w = 0; w < BLOCK_WORDS; w++) miss |= mask[w] & ~blk[w];
    return !miss;
}

/* Under the lock: was the part seen (either generation)? Remembers it in
 * the current one either way. */
static bool seen_then_set(struct warden_distill_crowd *c, uint64_t h)
{
    uint64_t mask[BLOCK_WORDS];
    size_t b = block_of(c, h, mask);
    uint64_t *now = &c->gen[c->cur][b * BLOCK_WORDS], *old = &c->gen[c->cur ^ 1][b * BLOCK_WORDS];
    bool in_now = has_bits(now, mask);
    bool seen = in_now || has_bits(old, mask);
    if (!in_now) {
        if (c->inserted >= c->parts) { /* the current generation is full: the older goes */
            c->cur ^= 1;
            memset(c->gen[c->cur], 0, c->nblocks * BLOCK_WORDS * sizeof(uint64_t));
            c->inserted = 0;
            __atomic_store_n(&c->rotations, c->rotations + 1, __ATOMIC_RELAXED);
            now = &c->gen[c->cur][b * BLOCK_WORDS];
        }
        for (int w = 0; w < BLOCK_WORDS; w++) now[w] |= mask[w];
        c->inserted++;
    }
    return seen;
}

uint64_t warden_distill_crowd_rotations(const struct warden_distill_crowd *c)
{
    return __atomic_load_n(&c->rotations, __ATOMIC_RELAXED);
}

/* ---- the frames ---- */

static struct entry *set_of(struct warden_distill_crowd *c, uint64_t sketch, uint8_t end, int b)
{
    uint64_t v[2] = {(sketch >> (16 * b)) & 0xffff, ((uint64_t)b << 8) | end};
    return &c->e[(warden_hash64(v, sizeof v) & (c->nsets - 1)) * WAYS];
}

static uint32_t minute_of(int64_t ts_ms)
{
    int64_t m = ts_ms / 60000;
    return m < 1 ? 1 : m > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)m;
}

static bool same_frame(const struct entry *x, uint64_t sketch, uint8_t end, int b, int max_hamming)
{
    return x->minute && x->end == end && x->band == b &&
           ((x->sketch ^ sketch) >> (16 * b) & 0xffff) == 0 &&
           warden_distill_hamming(x->sketch, sketch) <= max_hamming;
}

/* Under the lock: one credited sitting for the frame, in each band;
 * the frame's count before and after (the largest of its bands'). */
static void credit_locked(struct warden_distill_crowd *c, uint64_t sketch, uint8_t end,
                          uint32_t now, int max_hamming, uint32_t stale, uint32_t *before,
                          uint32_t *after)
{
    *before = *after = 0;
    for (int b = 0; b < BANDS; b++) {
        struct entry *s = set_of(c, sketch, end, b), *v = NULL, *victim = &s[0];
        for (int w = 0; w < WAYS; w++) {
            if (!v && same_frame(&s[w], sketch, end, b, max_hamming)) v = &s[w];
            if (s[w].minute < victim->minute) victim = &s[w];
        }
        if (!v) {
            v = victim;
            *v = (struct entry){.sketch = sketch, .end = end, .band = (uint8_t)b};
        } else if (v->minute < stale) {
            v->sittings = 0; /* not credited for ttl: starts over */
        }
        if (v->sittings > *before) *before = v->sittings;
        if (v->sittings < UINT16_MAX) v->sittings++;
        if (v->sittings > *after) *after = v->sittings;
        if (v->minute < now) v->minute = now;
    }
}

unsigned warden_distill_crowd_owner(struct warden_distill_crowd *c)
{
    return atomic_fetch_add(&c->owners, 1) & 0xff;
}

void warden_distill_crowd_wait(struct warden_distill_crowd *c,
                               const struct warden_distill_crowd_wait *w)
{
    /* 8-way sets by the id's hash: a look-up is 8 entries, not the table */
    size_t set = (size_t)(warden_hash64(w->id, w->len) % (WARDEN_CROWD_WAITING / WAIT_WAYS));
    pthread_mutex_lock(&c->mu);
    struct warden_distill_crowd_wait *v = NULL, *oldest = NULL;
    for (int i = 0; i < WAIT_WAYS; i++) {
        struct warden_distill_crowd_wait *x = &c->wait[set * WAIT_WAYS + (size_t)i];
        if (x->ts_ms && x->len == w->len && memcmp(x->id, w->id, w->len) == 0) {
            v = x;
            break;
        }
        /* an empty entry, else the oldest still waiting (a release is kept) */
        if (!x->released && (!oldest || x->ts_ms < oldest->ts_ms)) oldest = x;
    }
    if (!v) v = oldest;
    if (v && !v->released) {
        *v = *w;
        v->released = 0;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Under the lock: the accounts waiting for a frame near sketch, released. */
static void release_locked(struct warden_distill_crowd *c, uint64_t sketch, uint8_t end,
                           int max_hamming, uint32_t sittings)
{
    for (int i = 0; i < WARDEN_CROWD_WAITING; i++) {
        struct warden_distill_crowd_wait *x = &c->wait[i];
        if (!x->ts_ms || x->released || x->end != end ||
            warden_distill_hamming(x->sketch, sketch) > max_hamming)
            continue;
        x->released = 1;
        x->sittings = sittings;
        atomic_fetch_add(&c->pending, 1);
    }
}

int warden_distill_crowd_take(struct warden_distill_crowd *c, unsigned owner,
                              struct warden_distill_crowd_wait *out, int max)
{
    if (!atomic_load_explicit(&c->pending, memory_order_relaxed)) return 0;
    int n = 0;
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < WARDEN_CROWD_WAITING && n < max; i++) {
        struct warden_distill_crowd_wait *x = &c->wait[i];
        if (!x->ts_ms || !x->released || x->owner != (owner & 0xff)) continue;
        out[n++] = *x;
        memset(x, 0, sizeof *x);
        atomic_fetch_sub(&c->pending, 1);
    }
    pthread_mutex_unlock(&c->mu);
    return n;
}

static uint32_t stale_before(int64_t now_ms, int64_t ttl_ms)
{
    int64_t m = (now_ms - ttl_ms) / 60000;
    return m < 0 ? 0 : m > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)m;
}

bool warden_distill_crowd_observe(struct warden_distill_crowd *c, const uint64_t *parts, int nparts,
                                  const uint64_t *sketch, const uint8_t *end, int nframes,
                                  bool credit, int64_t ts_ms, int max_hamming, int64_t ttl_ms,
                                  uint32_t min_sittings)
{
    bool fresh = false;
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < nparts; i++) fresh |= !seen_then_set(c, parts[i]);
    if (fresh && credit)
        for (int f = 0; f < nframes; f++) {
            uint32_t before, after;
            credit_locked(c, sketch[f], end[f], minute_of(ts_ms), max_hamming,
                          stale_before(ts_ms, ttl_ms), &before, &after);
            if (min_sittings && before < min_sittings && after >= min_sittings)
                release_locked(c, sketch[f], end[f], max_hamming, after);
        }
    pthread_mutex_unlock(&c->mu);
    return fresh;
}

void warden_distill_crowd_reown(struct warden_distill_crowd *c, unsigned shards)
{
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < WARDEN_CROWD_WAITING; i++) {
        struct warden_distill_crowd_wait *x = &c->wait[i];
        if (x->ts_ms) x->owner = (uint8_t)(shards > 1 ? warden_hash64(x->id, x->len) % shards : 0);
    }
    pthread_mutex_unlock(&c->mu);
}

uint32_t warden_distill_crowd_sittings(struct warden_distill_crowd *c,
                                       const struct warden_distill_template *t, int max_hamming,
                                       int64_t now_ms, int64_t ttl_ms)
{
    uint32_t best = 0, stale = stale_before(now_ms, ttl_ms);
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < WARDEN_DISTILL_TSLOTS; i++) {
        if (t->count[i] < 2) continue;
        for (int b = 0; b < BANDS; b++) {
            const struct entry *s = set_of(c, t->sketch[i], t->end[i], b);
            for (int w = 0; w < WAYS; w++)
                if (same_frame(&s[w], t->sketch[i], t->end[i], b, max_hamming) &&
                    s[w].minute >= stale && s[w].sittings > best)
                    best = s[w].sittings;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return best;
}

/* ---- snapshots ---- */

void warden_distill_crowd_save(struct warden_distill_crowd *c, struct warden_snapwriter *w)
{
    pthread_mutex_lock(&c->mu);
    warden_snap_put_u64(w, c->parts);
    warden_snap_put_u64(w, c->nblocks);
    warden_snap_put_u64(w, c->nsets);
    warden_snap_put_u8(w, (uint8_t)c->cur);
    warden_snap_put_u64(w, c->inserted);
    for (int g = 0; g < 2; g++)
        warden_snap_put_bytes(w, c->gen[g], c->nblocks * BLOCK_WORDS * sizeof(uint64_t));
    warden_snap_put_bytes(w, c->e, c->nsets * WAYS * sizeof *c->e);
    warden_snap_put_u32(w, WARDEN_CROWD_WAITING);
    warden_snap_put_bytes(w, c->wait, sizeof c->wait);
    pthread_mutex_unlock(&c->mu);
}

int warden_distill_crowd_load(struct warden_distill_crowd *c, struct warden_snapreader *r)
{
    uint64_t parts = warden_snap_get_u64(r), nblocks = warden_snap_get_u64(r),
             nsets = warden_snap_get_u64(r);
    uint8_t cur = warden_snap_get_u8(r);
    uint64_t inserted = warden_snap_get_u64(r);
    if (warden_snap_failed(r)) return WARDEN_EFORMAT;
    if (parts != c->parts || nblocks != c->nblocks || nsets != c->nsets) {
        warden_snap_section_skip(r); /* other sizes: frames start over (evidence to come) */
        return 1;
    }
    if (cur > 1 || inserted > parts) {
        warden_snap_fail(r, "distill crowd: generation %u with %llu of %llu parts", cur,
                         (unsigned long long)inserted, (unsigned long long)parts);
        return WARDEN_EFORMAT;
    }
    pthread_mutex_lock(&c->mu);
    for (int g = 0; g < 2; g++)
        warden_snap_get_bytes(r, c->gen[g], c->nblocks * BLOCK_WORDS * sizeof(uint64_t));
    warden_snap_get_bytes(r, c->e, c->nsets * WAYS * sizeof *c->e);
    if (warden_snap_get_u32(r) != WARDEN_CROWD_WAITING && !warden_snap_failed(r))
        warden_snap_fail(r, "distill crowd: waiting table of another size");
    warden_snap_get_bytes(r, c->wait, sizeof c->wait);
    unsigned pending = 0;
    for (int i = 0; i < WARDEN_CROWD_WAITING; i++) {
        if (c->wait[i].len > WARDEN_CROWD_ID_MAX && !warden_snap_failed(r))
            warden_snap_fail(r, "distill crowd: waiting account %d: id of %u bytes", i,
                             (unsigned)c->wait[i].len);
        pending += c->wait[i].ts_ms && c->wait[i].released;
    }
    atomic_store(&c->pending, pending);
    c->cur = cur;
    c->inserted = (size_t)inserted;
    for (size_t i = 0; i < c->nsets * WAYS && !warden_snap_failed(r); i++)
        if (c->e[i].minute && c->e[i].band >= BANDS)
            warden_snap_fail(r, "distill crowd: bad frame entry %zu", i);
    pthread_mutex_unlock(&c->mu);
    return warden_snap_failed(r) ? WARDEN_EFORMAT : 0;
}
