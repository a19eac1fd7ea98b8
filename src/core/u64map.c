/* u64map.c — see u64map.h. */
#include "core/u64map.h"
#include "core/xalloc.h"

#include <stdlib.h>

void warden_u64map_init(struct warden_u64map *m)
{
    m->mask = 1023;
    m->count = 0;
    m->keys = warden_xcalloc(m->mask + 1, sizeof(uint64_t));
    m->vals = warden_xcalloc(m->mask + 1, sizeof(uint32_t));
}

void warden_u64map_fini(struct warden_u64map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
}

static size_t slot(const struct warden_u64map *m, uint64_t h)
{
    size_t pos = (size_t)(h ^ (h >> 31)) & m->mask;
    while (m->vals[pos] && m->keys[pos] != h) pos = (pos + 1) & m->mask;
    return pos;
}

void warden_u64map_put(struct warden_u64map *m, uint64_t key, uint32_t v)
{
    if ((m->count + 1) * 2 > m->mask + 1) {
        size_t old_n = m->mask + 1;
        uint64_t *ok = m->keys;
        uint32_t *ov = m->vals;
        m->mask = old_n * 2 - 1;
        m->keys = warden_xcalloc(old_n * 2, sizeof(uint64_t));
        m->vals = warden_xcalloc(old_n * 2, sizeof(uint32_t));
        for (size_t i = 0; i < old_n; i++)
            if (ov[i]) {
                size_t p = slot(m, ok[i]);
                m->keys[p] = ok[i];
                m->vals[p] = ov[i];
            }
        free(ok);
        free(ov);
    }
    size_t p = slot(m, key);
    if (!m->vals[p]) m->count++;
    m->keys[p] = key;
    m->vals[p] = v;
}

uint32_t warden_u64map_get(const struct warden_u64map *m, uint64_t key)
{
    return m->vals[slot(m, key)];
}
