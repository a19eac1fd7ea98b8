/* reorder.c — the reorder buffer (see reorder.h): a FIFO for events that
 * arrive in order and a binary min-heap for the others.
 *
 * Most inputs are nearly sorted (each gateway node writes in time order and
 * the runtime merges its inputs by timestamp), so an event whose time is not
 * before the last one queued is appended to the FIFO in O(1); only an event
 * that arrives out of order goes to the heap. The earliest held event is the
 * earlier of the FIFO's head and the heap's top, by (ts_ms, seq). The heap
 * keeps each entry's key beside the pointer, so sifting never touches the
 * held records themselves. */
#include "runtime/reorder.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define PREFETCH_AHEAD 2 /* records ahead of the one released */
#define PREFETCH_RING 16 /* FIFO entries ahead of the one released */

struct entry {
    int64_t ts;
    uint64_t seq;
    struct warden_held *h;
    size_t len; /* bytes: the record and its strings */
};

struct warden_reorder {
    struct entry *heap;
    size_t n, cap;
    struct entry *fifo; /* ring */
    size_t f_head, f_n, f_cap;
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
    free(h); /* the line lives in the same block */
}

void warden_reorder_free(struct warden_reorder *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) held_free(r->heap[i].h);
    for (size_t i = 0; i < r->f_n; i++) held_free(r->fifo[(r->f_head + i) & (r->f_cap - 1)].h);
    for (size_t i = 0; i < r->n_pool; i++) held_free(r->pool[i]);
    free(r->heap);
    free(r->fifo);
    free(r->pool);
    free(r);
}

struct warden_held *warden_reorder_get(struct warden_reorder *r, size_t len)
{
    struct warden_held *h = r->n_pool ? r->pool[--r->n_pool] : NULL;
    if (h && h->cap >= len) return h;
    /* one allocation: the record, then its strings right after it, so that a
     * held event is one contiguous block (fewer cache misses when it is
     * released); capacity in cache lines, with room to grow */
    size_t cap = ((len + 63) & ~(size_t)63) + 256;
    free(h);
    h = warden_xmalloc(sizeof *h + cap);
    memset(h, 0, sizeof *h);
    h->buf = (char *)(h + 1);
    h->cap = cap;
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

static inline int before(const struct entry *a, const struct entry *b)
{
    return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void fifo_push(struct warden_reorder *r, struct entry e)
{
    if (r->f_n == r->f_cap) {
        size_t nc = r->f_cap ? r->f_cap * 2 : 1024;
        struct entry *nf = warden_xmalloc(nc * sizeof *nf);
        for (size_t i = 0; i < r->f_n; i++) nf[i] = r->fifo[(r->f_head + i) & (r->f_cap - 1)];
        free(r->fifo);
        r->fifo = nf;
        r->f_cap = nc;
        r->f_head = 0;
    }
    r->fifo[(r->f_head + r->f_n) & (r->f_cap - 1)] = e;
    r->f_n++;
}

static void heap_push(struct warden_reorder *r, struct entry e)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->heap = warden_xrealloc(r->heap, r->cap * sizeof *r->heap);
    }
    size_t i = r->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &r->heap[p])) break;
        r->heap[i] = r->heap[p];
        i = p;
    }
    r->heap[i] = e;
}

static struct entry heap_pop(struct warden_reorder *r)
{
    struct entry top = r->heap[0];
    struct entry last = r->heap[--r->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= r->n) break;
        size_t m = l;
        if (l + 1 < r->n && before(&r->heap[l + 1], &r->heap[l])) m = l + 1;
        if (!before(&r->heap[m], &last)) break;
        r->heap[i] = r->heap[m];
        i = m;
    }
    if (r->n) r->heap[i] = last;
    return top;
}

void warden_reorder_push(struct warden_reorder *r, struct warden_held *h, size_t len)
{
    struct entry e = {h->ev.ts_ms, r->seq++, h, sizeof *h + len};
    h->seq = e.seq;
    r->bytes += e.len;
    if (r->f_n == 0 || r->fifo[(r->f_head + r->f_n - 1) & (r->f_cap - 1)].ts <= e.ts)
        fifo_push(r, e);
    else
        heap_push(r, e);
}

/* Which holds the earliest event: 1 the FIFO, 2 the heap, 0 none. */
static int earliest(const struct warden_reorder *r)
{
    if (!r->f_n) return r->n ? 2 : 0;
    if (!r->n) return 1;
    return before(&r->heap[0], &r->fifo[r->f_head]) ? 2 : 1;
}

struct warden_held *warden_reorder_peek(const struct warden_reorder *r)
{
    switch (earliest(r)) {
    case 1:
        return r->fifo[r->f_head].h;
    case 2:
        return r->heap[0].h;
    default:
        return NULL;
    }
}

struct warden_held *warden_reorder_pop(struct warden_reorder *r)
{
    struct entry e;
    switch (earliest(r)) {
    case 1:
        e = r->fifo[r->f_head];
        r->f_head = (r->f_head + 1) & (r->f_cap - 1);
        r->f_n--;
        break;
    case 2:
        e = heap_pop(r);
        break;
    default:
        return NULL;
    }
    r->bytes -= e.len;
    /* the next ones out are cold by now (held for the whole lateness):
     * start fetching a record and its strings while this one is processed,
     * and the FIFO entries further on, whose pointers that needs (the FIFO
     * is walked too slowly for the hardware to see a stream) */
    if (r->f_n > PREFETCH_AHEAD) {
        const struct entry *nx = &r->fifo[(r->f_head + PREFETCH_AHEAD) & (r->f_cap - 1)];
        uintptr_t a = (uintptr_t)nx->h & ~(uintptr_t)63, end = (uintptr_t)nx->h + nx->len;
        for (; a < end; a += 64) __builtin_prefetch((const void *)a);
        if (r->f_n > PREFETCH_RING)
            __builtin_prefetch(&r->fifo[(r->f_head + PREFETCH_RING) & (r->f_cap - 1)]);
    }
    return e.h;
}

bool warden_reorder_peek_ts(const struct warden_reorder *r, int64_t *ts)
{
    switch (earliest(r)) {
    case 1:
        *ts = r->fifo[r->f_head].ts;
        return true;
    case 2:
        *ts = r->heap[0].ts;
        return true;
    default:
        return false;
    }
}

size_t warden_reorder_count(const struct warden_reorder *r)
{
    return r->n + r->f_n;
}

size_t warden_reorder_bytes(const struct warden_reorder *r)
{
    return r->bytes;
}
