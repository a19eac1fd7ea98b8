/* hash.h — stable 64-bit hashing (XXH3) for account ids, keys and sketches.
 *
 * Stable across runs and machines, so hashes may be stored (snapshots, the
 * case database) and compared later.
 *
 * Inlined: the hot path hashes short keys (account and request ids, API key
 * ids, model names, prompt lines) several times per event, where a call into
 * the shared libxxhash (through the PLT, then its length dispatch) costs
 * about as much as the hash. xxhash.h with XXH_INLINE_ALL compiles the same
 * XXH3 into the caller (its own private names, so it does not clash with the
 * library's), with the ≤ 16- and 17–128-byte cases inlined and the longer
 * ones (129–240 bytes, and long inputs) as out-of-line static functions: the
 * values are XXH3_64bits / XXH3_64bits_withSeed of libxxhash bit for bit
 * (tests/unit/test_hash.c checks them against the library). */
#ifndef WARDEN_CORE_HASH_H
#define WARDEN_CORE_HASH_H
#include <stddef.h>
#include <stdint.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

static inline uint64_t warden_hash64(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

static inline uint64_t warden_hash64_seed(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

/* The library's own (not inlined) functions, for the test that compares. */
uint64_t warden_hash64_lib(const void *p, size_t n);
uint64_t warden_hash64_seed_lib(const void *p, size_t n, uint64_t seed);

#endif
