/* dedup.c — two-generation hash sets of recent request-id hashes. */
#include "engine/dedup.h"
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
    d->cur = warden_xcalloc(n, sizeof(uint64_t));
    d->prev = warden_xcalloc(n, sizeof(uint64_t));
    d->mask = n - 1;
    d->limit = window / 2; /* each generation at most half full */
    return d;
}

void warden_dedup_free(struct warden_dedup *d)
{
    if (!d) return;
    free(d->cur);
    free(d->prev);
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

bool warden_dedup_seen(struct warden_dedup *d, uint64_t h)
{
    size_t slot, unused;
    if (h == 0) h = 1;
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
