/* dedup.c — two-generation hash sets of recent request-id hashes. */
#include "engine/dedup.h"
#include "core/snapio.h"
#include "core/hugetable.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct warden_dedup {
    uint64_t *cur, *prev; /* open addressing; 0 = empty */
    size_t mask, count, limit;
};

struct warden_dedup *warden_dedup_new(size_t window)
{
    struct warden_dedup *d = warden_xcalloc(1, sizeof *d);
    if (window < 2) window = 2;
    size_t n = 16;
    while (n < window) n <<= 1;
    d->cur = warden_hugetable_new(n, sizeof(uint64_t));
    d->prev = warden_hugetable_new(n, sizeof(uint64_t));
    d->mask = n - 1;
    d->limit = window / 2; /* each generation at most half full */
    return d;
}

void warden_dedup_free(struct warden_dedup *d)
{
    if (!d) return;
    warden_hugetable_free(d->cur, d->mask + 1, sizeof(uint64_t));
    warden_hugetable_free(d->prev, d->mask + 1, sizeof(uint64_t));
    free(d);
}

static bool find(const uint64_t *t, size_t mask, uint64_t h, size_t *slot)
{
    size_t i = (size_t)(h ^ (h >> 32)) & mask;
    while (t[i]) {
        if (t[i] == h) return true;
        i = (i + 1) & mask;
    }
    *slot = i;
    return false;
}

void warden_dedup_prefetch(const struct warden_dedup *d, uint64_t h)
{
    if (h == 0) h = 1;
    size_t i = (size_t)(h ^ (h >> 32)) & d->mask;
    __builtin_prefetch(&d->prev[i]);
    __builtin_prefetch(&d->cur[i]);
}

bool warden_dedup_seen(struct warden_dedup *d, uint64_t h)
{
    size_t slot, unused;
    if (h == 0) h = 1;
    /* both generations' cells are cache misses (the tables are large and
     * hit at random): start the second before waiting for the first */
    __builtin_prefetch(&d->cur[(size_t)(h ^ (h >> 32)) & d->mask]);
    if (find(d->prev, d->mask, h, &unused)) return true;
    if (find(d->cur, d->mask, h, &slot)) return true;
    d->cur[slot] = h;
    if (++d->count >= d->limit) {
        uint64_t *t = d->prev;
        d->prev = d->cur;
        d->cur = t;
        memset(d->cur, 0, (d->mask + 1) * sizeof(uint64_t));
        d->count = 0;
    }
    return false;
}

size_t warden_dedup_bytes(const struct warden_dedup *d)
{
    return sizeof *d + 2 * (d->mask + 1) * sizeof(uint64_t);
}

static void save_gen(const uint64_t *t, size_t mask, struct warden_snapwriter *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i <= mask; i++) n += t[i] != 0;
    warden_snap_put_u64(w, n);
    for (size_t i = 0; i <= mask; i++) {
        if (!t[i]) continue;
        warden_snap_put_u32(w, (uint32_t)i);
        warden_snap_put_u64(w, t[i]);
    }
}

void warden_dedup_save(const struct warden_dedup *d, struct warden_snapwriter *w)
{
    warden_snap_put_u64(w, d->mask);
    warden_snap_put_u64(w, d->count);
    save_gen(d->prev, d->mask, w);
    save_gen(d->cur, d->mask, w);
}

void warden_dedup_load(struct warden_dedup *const *ds, size_t nd, struct warden_snapreader *r)
{
    uint64_t mask = warden_snap_get_u64(r), count = warden_snap_get_u64(r);
    bool exact = nd == 1 && mask == ds[0]->mask && count < ds[0]->limit;
    for (int g = 0; g < 2 && !warden_snap_failed(r); g++) {
        uint64_t n = warden_snap_get_u64(r);
        if (n > mask + 1 || mask > ((uint64_t)1 << 40) || (exact && n > ds[0]->limit)) {
            warden_snap_fail(r, "de-duplication window: %llu ids in a table of %llu",
                             (unsigned long long)n, (unsigned long long)mask + 1);
            return;
        }
        for (uint64_t k = 0; k < n && !warden_snap_failed(r); k++) {
            uint32_t pos = warden_snap_get_u32(r);
            uint64_t h = warden_snap_get_u64(r);
            if (warden_snap_failed(r)) return;
            if (pos > mask || !h) {
                warden_snap_fail(r, "de-duplication window: bad entry at %u", pos);
                return;
            }
            if (exact)
                (g ? ds[0]->cur : ds[0]->prev)[pos] = h;
            else
                for (size_t i = 0; i < nd; i++) (void)warden_dedup_seen(ds[i], h);
        }
    }
    if (exact) ds[0]->count = count;
}
