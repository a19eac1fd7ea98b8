/* hash.h — stable 64-bit hashing (XXH3) for account ids, keys and sketches.
 *
 * Stable across runs and machines, so hashes may be stored (snapshots, the
 * case database) and compared later. */
#ifndef WARDEN_CORE_HASH_H
#define WARDEN_CORE_HASH_H
#include <stddef.h>
#include <stdint.h>

uint64_t warden_hash64(const void *p, size_t n);
uint64_t warden_hash64_seed(const void *p, size_t n, uint64_t seed);

#endif
