/* arena.c — bump allocation for the loaded lists' strings and a small string
 * hash map. The lists hold hundreds of thousands of short strings that live as
 * long as the list set; one arena makes loading fast, freeing one walk, and
 * the memory figure (`warden screen --stats`) exact. */
#include "screen/internal.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define ARENA_BLK (256 * 1024)

struct warden_arena_blk {
    struct warden_arena_blk *next;
    size_t used, cap;
    char data[];
};

void warden_arena_init(struct warden_arena *a)
{
    a->head = NULL;
    a->bytes = 0;
}

void warden_arena_fini(struct warden_arena *a)
{
    struct warden_arena_blk *b = a->head;
    while (b) {
        struct warden_arena_blk *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->bytes = 0;
}

void *warden_arena_alloc(struct warden_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    struct warden_arena_blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLK ? n : ARENA_BLK;
        b = warden_xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
        a->bytes += sizeof *b + cap;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

const char *warden_arena_strndup(struct warden_arena *a, const char *s, size_t n)
{
    char *p = warden_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

const char *warden_arena_strdup(struct warden_arena *a, const char *s)
{
    return warden_arena_strndup(a, s, strlen(s));
}

void warden_smap_init(struct warden_smap *m)
{
    memset(m, 0, sizeof *m);
}

void warden_smap_fini(struct warden_smap *m)
{
    free(m->keys);
    free(m->vals);
    free(m->tags);
    free(m->bloom);
    memset(m, 0, sizeof *m);
}

/* A slot's tag is the upper half of its key's hash (never 0): a probe compares
 * the tag before the key, so a look-up that misses (most words of a name are
 * in none of the data tables) reads no key string. */
static uint32_t smap_tag(uint64_t h)
{
    return (uint32_t)(h >> 32) | 1u;
}

/* A filter of one bit per key among four per slot (at most one in eight of
 * its bits set): a word in none of a table's keys is refused by a bit of a
 * few kilobytes that stays in the cache, without the probe's miss on the
 * tags (the normaliser looks each word of a name up in several tables, and
 * most of those look-ups miss). */
static size_t smap_bloom_bit(const struct warden_smap *m, uint64_t h)
{
    return (size_t)((h >> 32) ^ (h >> 11)) & (m->cap * 4 - 1);
}

static void smap_bloom_set(struct warden_smap *m, uint64_t h)
{
    size_t b = smap_bloom_bit(m, h);
    m->bloom[b >> 6] |= 1ull << (b & 63);
}

static size_t smap_slot_h(const struct warden_smap *m, const char *key, size_t n, uint64_t h,
                          uint32_t *tag)
{
    size_t mask = m->cap - 1;
    uint32_t t = smap_tag(h);
    size_t i = (size_t)h & mask;
    while (m->keys[i] &&
           !(m->tags[i] == t && strncmp(m->keys[i], key, n) == 0 && m->keys[i][n] == '\0'))
        i = (i + 1) & mask;
    *tag = t;
    return i;
}

static void smap_grow(struct warden_smap *m)
{
    struct warden_smap old = *m;
    m->cap = old.cap ? old.cap * 2 : 1024;
    m->keys = warden_xcalloc(m->cap, sizeof *m->keys);
    m->vals = warden_xcalloc(m->cap, sizeof *m->vals);
    m->tags = warden_xcalloc(m->cap, sizeof *m->tags);
    m->bloom = warden_xcalloc(m->cap * 4 / 64, sizeof *m->bloom);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i]) continue;
        uint32_t t;
        uint64_t h = XXH3_64bits(old.keys[i], strlen(old.keys[i]));
        smap_bloom_set(m, h);
        size_t j = smap_slot_h(m, old.keys[i], strlen(old.keys[i]), h, &t);
        m->keys[j] = old.keys[i];
        m->vals[j] = old.vals[i];
        m->tags[j] = t;
    }
    free(old.keys);
    free(old.vals);
    free(old.tags);
    free(old.bloom);
}

uint32_t *warden_smap_put(struct warden_smap *m, const char *key, bool *found)
{
    if ((m->n + 1) * 2 > m->cap) smap_grow(m);
    uint32_t t;
    uint64_t h = XXH3_64bits(key, strlen(key));
    size_t i = smap_slot_h(m, key, strlen(key), h, &t);
    *found = m->keys[i] != NULL;
    if (!*found) {
        smap_bloom_set(m, h);
        m->keys[i] = key;
        m->vals[i] = 0;
        m->tags[i] = t;
        m->n++;
    }
    return &m->vals[i];
}

const uint32_t *warden_smap_get(const struct warden_smap *m, const char *key, size_t n)
{
    if (!m->cap) return NULL;
    uint64_t h = XXH3_64bits(key, n);
    size_t b = smap_bloom_bit(m, h);
    if (!((m->bloom[b >> 6] >> (b & 63)) & 1)) return NULL;
    uint32_t t;
    size_t i = smap_slot_h(m, key, n, h, &t);
    return m->keys[i] ? &m->vals[i] : NULL;
}
