/* u64map.h — the open-addressing hash map of the house: 64-bit keys (already
 * hashes) to 32-bit values, linear probing, grows at half full.
 *
 * Value 0 means "absent", so callers store index + 1. Specialised tables
 * that must not grow (the account table's index, the de-duplication ring's
 * index, a detector's fixed key slots) keep their own layout for a fixed
 * memory budget; everything that may grow uses this one. */
#ifndef WARDEN_CORE_U64MAP_H
#define WARDEN_CORE_U64MAP_H
#include <stddef.h>
#include <stdint.h>

struct warden_u64map {
    uint64_t *keys;
    uint32_t *vals;
    size_t mask, count;
};

void warden_u64map_init(struct warden_u64map *m);
void warden_u64map_fini(struct warden_u64map *m);
/* Insert or replace; v must not be 0. */
void warden_u64map_put(struct warden_u64map *m, uint64_t key, uint32_t v);
/* The value, or 0 when absent. */
uint32_t warden_u64map_get(const struct warden_u64map *m, uint64_t key);

#endif
