/* iptrie.h — internal: Warden's compiled prefix table (one per address family).
 *
 * A poptrie (Asai & Ohara, SIGCOMM 2015): a direct-indexed root of 2^root_bits
 * entries, then nodes of stride 6 whose 64 children are found by popcount over
 * two bitmaps, so a node is 24 bytes and its children and leaves sit in flat
 * arrays. `vector` marks slots that continue into a child node (children of a
 * node are contiguous from base1); `leafvec` marks where a run of equal leaves
 * starts (runs are contiguous in leaves[] from base0). A leaf is a record id.
 * IPv4 keys carry the address in the top 32 bits of `hi`; IPv6 keys are the
 * address as two big-endian halves. Typical IPv4 depth: root + 1 node. */
#ifndef WARDEN_INTEL_IPTRIE_H
#define WARDEN_INTEL_IPTRIE_H
#include <stddef.h>
#include <stdint.h>

#include "intel/intel_build.h"

#define WARDEN_PT_NODE 0x80000000u /* root entry flag: the rest is a node index */

struct warden_ptnode {
    uint64_t vector;  /* slot continues in a child node */
    uint64_t leafvec; /* a run of equal leaves starts at this slot */
    uint32_t base0;   /* first leaf in leaves[] */
    uint32_t base1;   /* first child in nodes[] */
};

struct warden_iptrie {
    uint32_t root_bits;
    uint32_t n_nodes, n_leaves;
    const uint32_t *root;
    const struct warden_ptnode *nodes;
    const uint32_t *leaves;
};

static inline unsigned warden_pt_chunk(uint64_t hi, uint64_t lo, unsigned off)
{
    if (off <= 58) return (unsigned)(hi >> (58 - off)) & 63;
    if (off < 64) return (unsigned)((hi << (off - 58)) | (lo >> (122 - off))) & 63;
    if (off <= 122) return (unsigned)(lo >> (122 - off)) & 63;
    if (off < 128) return (unsigned)(lo << (off - 122)) & 63;
    return 0;
}

static inline unsigned warden_pt_popcount(uint64_t x)
{
#if defined(__POPCNT__) || defined(__aarch64__)
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* Record id for a key; t must have passed warden_iptrie_validate (or been built). */
static inline uint32_t warden_iptrie_lookup(const struct warden_iptrie *t, uint64_t hi, uint64_t lo)
{
    uint32_t e = t->root[hi >> (64 - t->root_bits)];
    if (!(e & WARDEN_PT_NODE)) return e;
    const struct warden_ptnode *n = &t->nodes[e & ~WARDEN_PT_NODE];
    unsigned off = t->root_bits;
    for (;;) {
        unsigned v = warden_pt_chunk(hi, lo, off);
        uint64_t m = (2ull << v) - 1; /* slots 0..v */
        if ((n->vector >> v) & 1) {
            n = &t->nodes[n->base1 + warden_pt_popcount(n->vector & m) - 1];
            off += 6;
        } else {
            return t->leaves[n->base0 + warden_pt_popcount(n->leafvec & m) - 1];
        }
    }
}

/* A trie being built owns its arrays. */
struct warden_iptrie_owned {
    struct warden_iptrie t;
    uint32_t *root;
    struct warden_ptnode *nodes;
    uint32_t *leaves;
};

/* Compile sorted intervals covering the whole 128-bit key space. */
void warden_iptrie_build(struct warden_iptrie_owned *o, const struct warden_ival *iv, size_t n,
                         unsigned root_bits);
void warden_iptrie_owned_free(struct warden_iptrie_owned *o);
/* Check a trie read from a file: every index in range, children after their
 * parent, depth bounded, every leaf < n_records. 0 or WARDEN_EFORMAT. */
int warden_iptrie_validate(const struct warden_iptrie *t, uint32_t n_records, char *err,
                           size_t errlen);

#endif
