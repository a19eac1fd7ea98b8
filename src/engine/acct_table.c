/* acct_table.c — open-addressing index of tagged slot numbers over a fixed
 * slot array, exact LRU through a doubly-linked list of slot indices kept in
 * its own compact array. */
#include "engine/acct_table.h"
#include "core/xalloc.h"
#include "core/hugetable.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct lru {
    uint32_t prev, next; /* slot indices, NIL at the ends */
};

struct warden_acct_table {
    char *slots;
    size_t slot_bytes, capacity, count;
    uint32_t *index;     /* (tag << slot_bits) | (slot + 1); 0 = empty */
    size_t index_size;   /* cells: 2 x capacity */
    unsigned slot_bits;  /* bits holding slot + 1 (<= capacity) */
    uint32_t slot_mask;  /* (1 << slot_bits) - 1 */
    struct lru *lru;     /* per slot */
    uint32_t head, tail; /* most / least recently seen */
    uint64_t evictions;
    warden_acct_evict_fn on_evict;
    void *evict_ctx;
};

static inline struct warden_acct *slot(const struct warden_acct_table *t, uint32_t i)
{
    return (struct warden_acct *)(t->slots + (size_t)i * t->slot_bytes);
}

struct warden_acct_table *warden_acct_table_new(size_t capacity, size_t state_bytes)
{
    if (capacity < 1) capacity = 1;
    if (capacity > (size_t)UINT32_MAX / 4) capacity = (size_t)UINT32_MAX / 4;
    struct warden_acct_table *t = warden_xcalloc(1, sizeof *t);
    t->slot_bytes = (sizeof(struct warden_acct) + state_bytes + 7) & ~(size_t)7;
    t->capacity = capacity;
    /* huge pages: fewer TLB misses when accounts are looked up at random,
     * and 512 times fewer page-table entries for the fork of a background
     * snapshot to copy (serve/snapshots.c); pages are touched only as
     * slots are used */
    t->slots = warden_hugetable_new(capacity, t->slot_bytes);
    t->index_size = capacity * 2;
    t->index = warden_hugetable_new(t->index_size, sizeof(uint32_t));
    t->slot_bits = 1;
    while (((size_t)1 << t->slot_bits) <= capacity) t->slot_bits++;
    t->slot_mask = (uint32_t)(((uint64_t)1 << t->slot_bits) - 1);
    t->lru = warden_hugetable_new(capacity, sizeof *t->lru);
    t->head = t->tail = NIL;
    return t;
}

void warden_acct_table_free(struct warden_acct_table *t)
{
    if (!t) return;
    warden_hugetable_free(t->slots, t->capacity, t->slot_bytes);
    warden_hugetable_free(t->index, t->index_size, sizeof(uint32_t));
    warden_hugetable_free(t->lru, t->capacity, sizeof *t->lru);
    free(t);
}

static void lru_unlink(struct warden_acct_table *t, uint32_t i)
{
    struct lru *a = &t->lru[i];
    if (a->prev != NIL)
        t->lru[a->prev].next = a->next;
    else
        t->head = a->next;
    if (a->next != NIL)
        t->lru[a->next].prev = a->prev;
    else
        t->tail = a->prev;
}

static void lru_push_front(struct warden_acct_table *t, uint32_t i)
{
    struct lru *a = &t->lru[i];
    a->prev = NIL;
    a->next = t->head;
    if (t->head != NIL) t->lru[t->head].prev = i;
    t->head = i;
    if (t->tail == NIL) t->tail = i;
}

/* Home cell of a hash: its low 32 bits scaled to the index size (no power
 * of two needed, so the index is exactly 2 x capacity cells). */
static inline size_t home(const struct warden_acct_table *t, uint64_t hash)
{
    return (size_t)(((hash & 0xFFFFFFFFu) * (uint64_t)t->index_size) >> 32);
}

/* The hash's top bits, in the bits of a cell above the slot number. */
static inline uint32_t tag(const struct warden_acct_table *t, uint64_t hash)
{
    return t->slot_bits >= 32 ? 0 : (uint32_t)(hash >> (32 + t->slot_bits)) << t->slot_bits;
}

void warden_acct_table_prefetch(const struct warden_acct_table *t, uint64_t hash)
{
    __builtin_prefetch(&t->index[home(t, hash)]);
}

/* Position in the index holding hash, or of the empty cell where it would
 * go. Only a cell whose tag matches sends the probe to the slot. */
static size_t probe(const struct warden_acct_table *t, uint64_t hash, bool *found)
{
    size_t pos = home(t, hash);
    uint32_t want = tag(t, hash), tmask = ~t->slot_mask;
    for (;;) {
        uint32_t v = t->index[pos];
        if (v == 0) {
            *found = false;
            return pos;
        }
        if ((v & tmask) == want && slot(t, (v & t->slot_mask) - 1)->hash == hash) {
            *found = true;
            return pos;
        }
        if (++pos == t->index_size) pos = 0;
    }
}

/* Backward-shift deletion keeps linear probing correct without tombstones
 * (it reads the slots of the cells it moves: evictions only). */
static void index_delete(struct warden_acct_table *t, size_t pos)
{
    size_t i = pos;
    for (;;) {
        t->index[i] = 0;
        size_t j = i;
        for (;;) {
            if (++j == t->index_size) j = 0;
            uint32_t v = t->index[j];
            if (v == 0) return;
            size_t h = home(t, slot(t, (v & t->slot_mask) - 1)->hash);
            /* can v move to i? only if its home is not cyclically in (i, j] */
            bool between = i <= j ? (h > i && h <= j) : (h > i || h <= j);
            if (!between) {
                t->index[i] = v;
                i = j;
                break;
            }
        }
    }
}

/* The slot is about to be read and written by the engine and every
 * detector: ask for all its cache lines at once rather than one miss
 * after another as each detector reaches its slice. */
static inline void prefetch_slot(const struct warden_acct_table *t, uint32_t i)
{
    const char *p = t->slots + (size_t)i * t->slot_bytes;
    for (size_t off = 0; off < t->slot_bytes; off += 64) __builtin_prefetch(p + off, 1);
    __builtin_prefetch(p + t->slot_bytes - 1, 1);
}

struct warden_acct *warden_acct_table_get(struct warden_acct_table *t, uint64_t hash, bool *is_new)
{
    bool found;
    size_t pos = probe(t, hash, &found);
    if (found) {
        uint32_t i = (t->index[pos] & t->slot_mask) - 1;
        prefetch_slot(t, i);
        if (t->head != i) {
            lru_unlink(t, i);
            lru_push_front(t, i);
        }
        *is_new = false;
        return slot(t, i);
    }
    uint32_t i;
    if (t->count < t->capacity) {
        i = (uint32_t)t->count++;
    } else {
        i = t->tail;
        if (t->on_evict) t->on_evict(t->evict_ctx, slot(t, i));
        bool f;
        size_t old = probe(t, slot(t, i)->hash, &f);
        lru_unlink(t, i);
        index_delete(t, old);
        t->evictions++;
        pos = probe(t, hash, &found); /* the deletion may have moved cells */
    }
    struct warden_acct *a = slot(t, i);
    memset(a, 0, t->slot_bytes);
    a->hash = hash;
    t->index[pos] = tag(t, hash) | (i + 1);
    lru_push_front(t, i);
    *is_new = true;
    return a;
}

void warden_acct_table_prefetch_slot(const struct warden_acct_table *t, uint64_t hash)
{
    /* the first cell whose tag matches: reading the slot to confirm it
     * would wait for the very miss this is meant to hide */
    size_t pos = home(t, hash);
    uint32_t want = tag(t, hash), tmask = ~t->slot_mask;
    for (uint32_t v; (v = t->index[pos]) != 0;) {
        if ((v & tmask) == want) {
            prefetch_slot(t, (v & t->slot_mask) - 1);
            return;
        }
        if (++pos == t->index_size) pos = 0;
    }
}

struct warden_acct *warden_acct_table_find(const struct warden_acct_table *t, uint64_t hash)
{
    bool found;
    size_t pos = probe(t, hash, &found);
    return found ? slot(t, (t->index[pos] & t->slot_mask) - 1) : NULL;
}

size_t warden_acct_table_count(const struct warden_acct_table *t)
{
    return t->count;
}

size_t warden_acct_table_capacity(const struct warden_acct_table *t)
{
    return t->capacity;
}

uint64_t warden_acct_table_evictions(const struct warden_acct_table *t)
{
    return t->evictions;
}

size_t warden_acct_table_slot_bytes(const struct warden_acct_table *t)
{
    return t->slot_bytes;
}

size_t warden_acct_table_bytes(const struct warden_acct_table *t)
{
    return sizeof *t + t->slot_bytes * t->capacity + t->index_size * sizeof(uint32_t) +
           t->capacity * sizeof *t->lru;
}

struct warden_acct *warden_acct_table_at(struct warden_acct_table *t, size_t i)
{
    return i < t->count ? slot(t, (uint32_t)i) : NULL;
}

size_t warden_acct_table_index(const struct warden_acct_table *t, const struct warden_acct *a)
{
    return (size_t)((const char *)a - t->slots) / t->slot_bytes;
}

void warden_acct_table_on_evict(struct warden_acct_table *t, warden_acct_evict_fn fn, void *ctx)
{
    t->on_evict = fn;
    t->evict_ctx = ctx;
}

struct warden_acct *warden_acct_table_oldest(struct warden_acct_table *t)
{
    return t->tail == NIL ? NULL : slot(t, t->tail);
}

struct warden_acct *warden_acct_table_newer(struct warden_acct_table *t,
                                            const struct warden_acct *a)
{
    uint32_t p = t->lru[warden_acct_table_index(t, a)].prev;
    return p == NIL ? NULL : slot(t, p);
}
