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
#include "core/hugetable.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define PREFETCH_AHEAD 2 /* records ahead of the one released */
#define PREFETCH_RING 16 /* FIFO entries ahead of the one released */

struct entry {
    int64_t ts;
    uint64_t seq;
    struct warden_held *h;
    size_t len;                          /* bytes: the record and its strings */
    uint64_t account_hash, request_hash; /* copied from the record, for look-ahead */
};

/* Records are carved from 4 MB chunks on huge pages, in size classes of
 * 256 bytes up to 16 KB, each class with its own free list: a held record
 * is released a lateness after it was written, long out of the caches, and
 * on 4 KB pages each would also miss the TLB (the prefetch of the next ones
 * stalled on the page walks). Larger records (long lines) are malloc'd. */
#define STEP 256
#define N_CLASS 64
#define CHUNK ((size_t)4 << 20)

struct pool {
    struct warden_held **v;
    size_t n, cap;
};

struct warden_reorder {
    struct entry *heap;
    size_t n, cap;
    struct entry *fifo; /* ring */
    size_t f_head, f_n, f_cap;
    struct pool pools[N_CLASS + 1]; /* by size class; the last: malloc'd records */
    char **chunks;
    size_t n_chunks;
    char *slab; /* free space in the newest chunk */
    size_t slab_left;
    size_t bytes;
    uint64_t seq;
};

struct warden_reorder *warden_reorder_new(void)
{
    return warden_xcalloc(1, sizeof(struct warden_reorder));
}

/* Size class of a record holding cap bytes of strings; N_CLASS: malloc'd. */
static size_t class_of(size_t cap)
{
    size_t total = sizeof(struct warden_held) + cap;
    return total > (size_t)N_CLASS * STEP ? N_CLASS : (total + STEP - 1) / STEP - 1;
}

static void held_free(struct warden_held *h)
{
    if (class_of(h->cap) == N_CLASS) free(h); /* the line lives in the same block */
}

void warden_reorder_free(struct warden_reorder *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) held_free(r->heap[i].h);
    for (size_t i = 0; i < r->f_n; i++) held_free(r->fifo[(r->f_head + i) & (r->f_cap - 1)].h);
    for (size_t c = 0; c <= N_CLASS; c++) {
        for (size_t i = 0; i < r->pools[c].n; i++) held_free(r->pools[c].v[i]);
        free(r->pools[c].v);
    }
    for (size_t i = 0; i < r->n_chunks; i++) warden_hugetable_free(r->chunks[i], 1, CHUNK);
    free(r->chunks);
    free(r->heap);
    free(r->fifo);
    free(r);
}

/* A new record of class c (< N_CLASS) from the slab. */
static struct warden_held *carve(struct warden_reorder *r, size_t c)
{
    size_t sz = (c + 1) * STEP;
    if (r->slab_left < sz) {
        r->chunks = warden_xrealloc(r->chunks, (r->n_chunks + 1) * sizeof *r->chunks);
        r->slab = r->chunks[r->n_chunks++] = warden_hugetable_new(1, CHUNK);
        r->slab_left = CHUNK;
    }
    struct warden_held *h = (struct warden_held *)r->slab;
    r->slab += sz;
    r->slab_left -= sz;
    return h;
}

struct warden_held *warden_reorder_get(struct warden_reorder *r, size_t len)
{
    size_t c = class_of(len);
    struct pool *p = &r->pools[c];
    struct warden_held *h = p->n ? p->v[--p->n] : NULL;
    if (h && h->cap >= len) return h;
    if (c < N_CLASS) {
        h = carve(r, c);
        h->cap = (c + 1) * STEP - sizeof *h;
    } else {
        /* one allocation: the record, then its strings right after it, so
         * that a held event is one contiguous block; capacity in cache
         * lines, with room to grow */
        size_t cap = ((len + 63) & ~(size_t)63) + 256;
        free(h);
        h = warden_xmalloc(sizeof *h + cap);
        h->cap = cap;
    }
    size_t cap = h->cap;
    memset(h, 0, sizeof *h);
    h->buf = (char *)(h + 1);
    h->cap = cap;
    return h;
}

void warden_reorder_put(struct warden_reorder *r, struct warden_held *h)
{
    struct pool *p = &r->pools[class_of(h->cap)];
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->v = warden_xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = h;
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
    struct entry e = {h->ev.ts_ms,     r->seq++,           h,
                      sizeof *h + len, h->ev.account_hash, h->request_hash};
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

bool warden_reorder_ahead(const struct warden_reorder *r, size_t k, uint64_t *account_hash,
                          uint64_t *request_hash)
{
    if (k >= r->f_n) return false;
    const struct entry *e = &r->fifo[(r->f_head + k) & (r->f_cap - 1)];
    *account_hash = e->account_hash;
    *request_hash = e->request_hash;
    return true;
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
