/* hash.c — the library's XXH3 (libxxhash), not inlined: core/hash.h inlines
 * the same functions for the hot path, and tests/unit/test_hash.c checks
 * that both give the same values. This file does not include core/hash.h,
 * whose XXH_INLINE_ALL would rename the library's functions to the inlined
 * copies. */
#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

uint64_t warden_hash64_lib(const void *p, size_t n);
uint64_t warden_hash64_seed_lib(const void *p, size_t n, uint64_t seed);

uint64_t warden_hash64_lib(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

uint64_t warden_hash64_seed_lib(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}
