/* reorder.c — a binary min-heap of held events by (ts_ms, seq) over a pool
 * of reusable records (see reorder.h). */
#include "runtime/reorder.h"
#include "core/xalloc.h"

#include <stdlib.h>

struct warden_reorder {
    struct warden_held **heap;
    size_t n, cap;
    size_t *lens; /* line length of each heap entry, for the byte count */
    struct warden_held **pool;
    size_t n_pool, cap_pool;
    size_t bytes;
    uint64_t seq;
};

struct warden_reorder *warden_reorder_new(void)
{
    return warden_xcalloc(1, sizeof(struct warden_reorder));
}

static void held_free(struct warden_held *h)
{
    free(h->buf);
    free(h);
}

void warden_reorder_free(struct warden_reorder *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) held_free(r->heap[i]);
    for (size_t i = 0; i < r->n_pool; i++) held_free(r->pool[i]);
    free(r->heap);
    free(r->lens);
    free(r->pool);
    free(r);
}

struct warden_held *warden_reorder_get(struct warden_reorder *r, size_t len)
{
    struct warden_held *h =
        r->n_pool ? r->pool[--r->n_pool] : warden_xcalloc(1, sizeof(struct warden_held));
    if (h->cap < len + 1) {
        size_t c = h->cap ? h->cap : 1024;
        while (c < len + 1) c *= 2;
        free(h->buf);
        h->buf = warden_xmalloc(c);
        h->cap = c;
    }
    return h;
}

void warden_reorder_put(struct warden_reorder *r, struct warden_held *h)
{
    if (r->n_pool == r->cap_pool) {
        r->cap_pool = r->cap_pool ? r->cap_pool * 2 : 64;
        r->pool = warden_xrealloc(r->pool, r->cap_pool * sizeof *r->pool);
    }
    r->pool[r->n_pool++] = h;
}

static inline int before(const struct warden_held *a, const struct warden_held *b)
{
    return a->ev.ts_ms < b->ev.ts_ms || (a->ev.ts_ms == b->ev.ts_ms && a->seq < b->seq);
}

static void swap(struct warden_reorder *r, size_t i, size_t j)
{
    struct warden_held *h = r->heap[i];
    r->heap[i] = r->heap[j];
    r->heap[j] = h;
    size_t l = r->lens[i];
    r->lens[i] = r->lens[j];
    r->lens[j] = l;
}

void warden_reorder_push(struct warden_reorder *r, struct warden_held *h, size_t len)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->heap = warden_xrealloc(r->heap, r->cap * sizeof *r->heap);
        r->lens = warden_xrealloc(r->lens, r->cap * sizeof *r->lens);
    }
    h->seq = r->seq++;
    size_t i = r->n++;
    r->heap[i] = h;
    r->lens[i] = len;
    r->bytes += len;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(r->heap[i], r->heap[p])) break;
        swap(r, i, p);
        i = p;
    }
}

struct warden_held *warden_reorder_peek(const struct warden_reorder *r)
{
    return r->n ? r->heap[0] : NULL;
}

struct warden_held *warden_reorder_pop(struct warden_reorder *r)
{
    if (!r->n) return NULL;
    struct warden_held *top = r->heap[0];
    r->bytes -= r->lens[0];
    r->n--;
    if (r->n) {
        r->heap[0] = r->heap[r->n];
        r->lens[0] = r->lens[r->n];
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, m = i;
            if (l < r->n && before(r->heap[l], r->heap[m])) m = l;
            if (l + 1 < r->n && before(r->heap[l + 1], r->heap[m])) m = l + 1;
            if (m == i) break;
            swap(r, i, m);
            i = m;
        }
    }
    return top;
}

size_t warden_reorder_count(const struct warden_reorder *r)
{
    return r->n;
}

size_t warden_reorder_bytes(const struct warden_reorder *r)
{
    return r->bytes;
}
