/* dedup.h — recognising a request seen before, by its request_id.
 *
 * Gateways retry and log pipelines replay, so the same request can arrive
 * twice (formats.md §1: request_id is for de-duplication). Warden keeps the
 * 64-bit hashes of recent request ids in two fixed-size generations: new ids
 * go into the current one; when it holds `window/2` ids it becomes the
 * previous one and the old previous one is cleared. A repeat is recognised
 * when its first sighting is among the last `window/2` to `window` ids.
 * Memory is fixed: 2 tables of (next power of two >= window) × 8 bytes. */
#ifndef WARDEN_ENGINE_DEDUP_H
#define WARDEN_ENGINE_DEDUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_dedup;

struct warden_dedup *warden_dedup_new(size_t window);
void warden_dedup_free(struct warden_dedup *d);
/* Start fetching the cells warden_dedup_seen(d, hash) will read (a hint). */
void warden_dedup_prefetch(const struct warden_dedup *d, uint64_t hash);
/* True when hash was seen within the window; otherwise records it. */
bool warden_dedup_seen(struct warden_dedup *d, uint64_t hash);
size_t warden_dedup_bytes(const struct warden_dedup *d);

/* Snapshots (engine/snapshot.h): both generations and their fill. Loading
 * into one table of the same size restores it exactly; into another size,
 * or into several tables (a snapshot re-partitioned over other shards),
 * each remembered id goes into every table, oldest generation first. */
struct warden_snapwriter;
struct warden_snapreader;
void warden_dedup_save(const struct warden_dedup *d, struct warden_snapwriter *w);
void warden_dedup_load(struct warden_dedup *const *ds, size_t n, struct warden_snapreader *r);

#endif
