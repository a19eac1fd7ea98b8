/* iptrie.c — compiles address intervals into a poptrie and checks tries read
 * from files (see iptrie.h for the layout and why). */
#include "intel/iptrie.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ptb {
    const struct warden_ival *iv;
    size_t n;
    struct warden_ptnode *nodes;
    size_t nn, capn;
    uint32_t *leaves;
    size_t nl, capl;
};

static size_t seek(const struct ptb *b, size_t j, warden_u128 x)
{
    while (j + 1 < b->n && b->iv[j].last < x) j++;
    return j;
}

static size_t alloc_nodes(struct ptb *b, size_t k)
{
    while (b->nn + k > b->capn) {
        b->capn = b->capn ? b->capn * 2 : 1024;
        b->nodes = warden_xrealloc(b->nodes, b->capn * sizeof *b->nodes);
    }
    size_t first = b->nn;
    memset(&b->nodes[first], 0, k * sizeof *b->nodes);
    b->nn += k;
    return first;
}

static void push_leaf(struct ptb *b, uint32_t v)
{
    if (b->nl == b->capl) {
        b->capl = b->capl ? b->capl * 2 : 4096;
        b->leaves = warden_xrealloc(b->leaves, b->capl * sizeof *b->leaves);
    }
    b->leaves[b->nl++] = v;
}

/* Node `idx` covers the keys from `base` whose first `off` bits are fixed. */
static void build_node(struct ptb *b, size_t idx, warden_u128 base, unsigned off, size_t j)
{
    uint32_t val[64];
    bool internal[64];
    size_t js[64];
    warden_u128 starts[64];
    unsigned nint = 0;
    for (unsigned i = 0; i < 64; i++) {
        warden_u128 start, last;
        if (off + 6 <= 128) {
            unsigned sh = 122 - off;
            start = base + ((warden_u128)i << sh);
            last = start + (((warden_u128)1 << sh) - 1);
        } else {
            unsigned sh = off + 6 - 128;
            if (i & ((1u << sh) - 1)) { /* never looked up: padding bits */
                internal[i] = false;
                val[i] = val[i - 1];
                continue;
            }
            start = last = base + (i >> sh);
        }
        j = seek(b, j, start);
        js[i] = j;
        starts[i] = start;
        internal[i] = b->iv[j].last < last;
        val[i] = b->iv[j].rec;
        if (internal[i]) nint++;
    }
    uint64_t vector = 0, leafvec = 0;
    size_t base1 = nint ? alloc_nodes(b, nint) : 0;
    size_t base0 = b->nl;
    bool have = false;
    uint32_t prev = 0;
    for (unsigned i = 0; i < 64; i++) {
        if (internal[i]) {
            vector |= 1ull << i;
        } else if (!have || val[i] != prev) {
            leafvec |= 1ull << i;
            push_leaf(b, val[i]);
            prev = val[i];
            have = true;
        }
    }
    b->nodes[idx].vector = vector;
    b->nodes[idx].leafvec = leafvec;
    b->nodes[idx].base0 = (uint32_t)base0;
    b->nodes[idx].base1 = (uint32_t)base1;
    size_t k = 0;
    for (unsigned i = 0; i < 64; i++)
        if (internal[i]) build_node(b, base1 + k++, starts[i], off + 6, js[i]);
}

void warden_iptrie_build(struct warden_iptrie_owned *o, const struct warden_ival *iv, size_t n,
                         unsigned root_bits)
{
    struct ptb b = {iv, n, NULL, 0, 0, NULL, 0, 0};
    static const struct warden_ival none = {0, ~(warden_u128)0, 0};
    if (n == 0) {
        b.iv = &none;
        b.n = 1;
    }
    size_t nroot = (size_t)1 << root_bits;
    uint32_t *root = warden_xmalloc(nroot * sizeof *root);
    unsigned sh = 128 - root_bits;
    size_t j = 0;
    for (size_t i = 0; i < nroot; i++) {
        warden_u128 start = (warden_u128)i << sh;
        warden_u128 last = start + (((warden_u128)1 << sh) - 1);
        j = seek(&b, j, start);
        if (b.iv[j].last >= last) {
            root[i] = b.iv[j].rec;
        } else {
            size_t idx = alloc_nodes(&b, 1);
            root[i] = WARDEN_PT_NODE | (uint32_t)idx;
            build_node(&b, idx, start, root_bits, j);
        }
    }
    if (b.nl == 0) push_leaf(&b, 0); /* keep arrays non-NULL */
    o->root = root;
    o->nodes = b.nodes ? b.nodes : warden_xcalloc(1, sizeof *b.nodes);
    o->leaves = b.leaves;
    o->t.root_bits = root_bits;
    o->t.n_nodes = (uint32_t)b.nn;
    o->t.n_leaves = (uint32_t)b.nl;
    o->t.root = o->root;
    o->t.nodes = o->nodes;
    o->t.leaves = o->leaves;
}

void warden_iptrie_owned_free(struct warden_iptrie_owned *o)
{
    if (!o) return;
    free(o->root);
    free(o->nodes);
    free(o->leaves);
    memset(o, 0, sizeof *o);
}

int warden_iptrie_validate(const struct warden_iptrie *t, uint32_t n_records, char *err,
                           size_t errlen)
{
    int rc = WARDEN_EFORMAT;
    uint8_t *depth = NULL;
    if (t->root_bits < 8 || t->root_bits > 24) {
        snprintf(err, errlen, "root size %u out of range", t->root_bits);
        goto out;
    }
    unsigned max_depth = (128 - t->root_bits + 5) / 6; /* nodes below the root */
    depth = warden_xcalloc(t->n_nodes ? t->n_nodes : 1, 1);
    size_t nroot = (size_t)1 << t->root_bits;
    for (size_t i = 0; i < nroot; i++) {
        uint32_t e = t->root[i];
        if (e & WARDEN_PT_NODE) {
            uint32_t k = e & ~WARDEN_PT_NODE;
            if (k >= t->n_nodes) {
                snprintf(err, errlen, "root entry %zu points past the node array", i);
                goto out;
            }
            depth[k] = 1;
        } else if (e >= n_records) {
            snprintf(err, errlen, "root entry %zu names record %u of %u", i, e, n_records);
            goto out;
        }
    }
    for (uint32_t i = 0; i < t->n_nodes; i++) {
        const struct warden_ptnode *nd = &t->nodes[i];
        if (!depth[i]) continue; /* unreachable */
        unsigned nc = warden_pt_popcount(nd->vector), nl = warden_pt_popcount(nd->leafvec);
        if (nd->vector) {
            if (depth[i] >= max_depth || nd->base1 <= i || nd->base1 > t->n_nodes ||
                nc > t->n_nodes - nd->base1) {
                snprintf(err, errlen, "node %u: bad children", i);
                goto out;
            }
            for (unsigned c = 0; c < nc; c++)
                if (depth[nd->base1 + c] < depth[i] + 1)
                    depth[nd->base1 + c] = (uint8_t)(depth[i] + 1);
        }
        if (~nd->vector) {
            uint64_t firstleaf = ~nd->vector & (~(~nd->vector) + 1); /* lowest leaf slot */
            if (!(nd->leafvec & ((firstleaf << 1) - 1)) || nd->base0 > t->n_leaves ||
                nl > t->n_leaves - nd->base0) {
                snprintf(err, errlen, "node %u: bad leaves", i);
                goto out;
            }
        }
    }
    for (uint32_t i = 0; i < t->n_leaves; i++)
        if (t->leaves[i] >= n_records) {
            snprintf(err, errlen, "leaf %u names record %u of %u", i, t->leaves[i], n_records);
            goto out;
        }
    rc = 0;
out:
    free(depth);
    return rc;
}
