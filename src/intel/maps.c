/* maps.c — the two small hash tables the IP table builder needs.
 *
 * A deduplicating string pool (AS names and provider names repeat across
 * hundreds of thousands of networks; each is stored once and referred to by
 * offset, which is also how the saved table file stores them) and a
 * uint32 -> uint32 map (ASN -> name, ASN -> list attributes). Both use open
 * addressing with linear probing and grow at 50% load. */
#include "intel/intel_build.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static uint32_t hash_u32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

void warden_strpool_init(struct warden_strpool *p)
{
    memset(p, 0, sizeof *p);
    p->cap = 4096;
    p->buf = warden_xmalloc(p->cap);
    p->buf[0] = '\0';
    p->len = 1;
    p->nslots = 1024;
    p->slots = warden_xcalloc(p->nslots, sizeof *p->slots);
}

void warden_strpool_fini(struct warden_strpool *p)
{
    free(p->buf);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

static void strpool_grow(struct warden_strpool *p)
{
    size_t n = p->nslots * 2;
    uint32_t *s = warden_xcalloc(n, sizeof *s);
    for (size_t i = 0; i < p->nslots; i++) {
        if (!p->slots[i]) continue;
        const char *str = p->buf + p->slots[i] - 1;
        size_t j = hash_bytes(str, strlen(str)) & (n - 1);
        while (s[j]) j = (j + 1) & (n - 1);
        s[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = s;
    p->nslots = n;
}

uint32_t warden_strpool_add(struct warden_strpool *p, const char *s, size_t n)
{
    if (n == 0) return 0;
    size_t j = hash_bytes(s, n) & (p->nslots - 1);
    while (p->slots[j]) {
        const char *c = p->buf + p->slots[j] - 1;
        if (strncmp(c, s, n) == 0 && c[n] == '\0') return p->slots[j] - 1;
        j = (j + 1) & (p->nslots - 1);
    }
    while (p->len + n + 1 > p->cap) {
        p->cap *= 2;
        p->buf = warden_xrealloc(p->buf, p->cap);
    }
    uint32_t off = (uint32_t)p->len;
    memcpy(p->buf + p->len, s, n);
    p->buf[p->len + n] = '\0';
    p->len += n + 1;
    p->slots[j] = off + 1;
    if (++p->count * 2 > p->nslots) strpool_grow(p);
    return off;
}

void warden_u32map_init(struct warden_u32map *m)
{
    m->nslots = 256;
    m->count = 0;
    m->keys = warden_xcalloc(m->nslots, sizeof *m->keys);
    m->vals = warden_xcalloc(m->nslots, sizeof *m->vals);
}

void warden_u32map_fini(struct warden_u32map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static void u32map_grow(struct warden_u32map *m)
{
    size_t n = m->nslots * 2;
    uint32_t *k = warden_xcalloc(n, sizeof *k), *v = warden_xcalloc(n, sizeof *v);
    for (size_t i = 0; i < m->nslots; i++) {
        if (!m->keys[i]) continue;
        size_t j = hash_u32(m->keys[i]) & (n - 1);
        while (k[j]) j = (j + 1) & (n - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->nslots = n;
}

uint32_t *warden_u32map_slot(struct warden_u32map *m, uint32_t key)
{
    if ((m->count + 1) * 2 > m->nslots) u32map_grow(m);
    size_t j = hash_u32(key) & (m->nslots - 1);
    while (m->keys[j] && m->keys[j] != key) j = (j + 1) & (m->nslots - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->vals[j] = 0;
        m->count++;
    }
    return &m->vals[j];
}

uint32_t warden_u32map_get(const struct warden_u32map *m, uint32_t key)
{
    if (!key || !m->nslots) return 0;
    size_t j = hash_u32(key) & (m->nslots - 1);
    while (m->keys[j]) {
        if (m->keys[j] == key) return m->vals[j];
        j = (j + 1) & (m->nslots - 1);
    }
    return 0;
}
