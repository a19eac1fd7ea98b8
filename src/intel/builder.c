/* builder.c — merges every source's prefixes into attribute records and
 * non-overlapping address intervals.
 *
 * Sources only add prefixes (see intel_build.h). finish() sorts them by
 * (start, length) and sweeps once with a stack holding the chain of prefixes
 * that cover the current address, each level carrying the attributes
 * accumulated from its ancestors:
 *   - country and ASN come from the most specific prefix of the highest-ranked
 *     source that sets them (an .mmdb chosen in config outranks libloc; within
 *     a source the longest prefix wins, exactly like loc_database_lookup);
 *   - libloc flags come with the libloc network that gives country and ASN;
 *   - list categories are OR-ed over every covering list prefix, and the
 *     provider is the most specific list prefix's provider;
 *   - ASN lists add their categories (and a provider when no CIDR list gave
 *     one) to every address whose ASN they name.
 * Each maximal run of addresses with the same attributes becomes one interval
 * pointing at a deduplicated record. Record 0 is the empty record. */
#include "intel/intel_build.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const warden_u128 U128_MAX = ~(warden_u128)0;

void warden_intel_builder_init(struct warden_intel_builder *b)
{
    memset(b, 0, sizeof *b);
    warden_strpool_init(&b->strings);
    warden_u32map_init(&b->as_names);
    warden_u32map_init(&b->asn_idx);
    b->cap_recs = 1024;
    b->recs = warden_xcalloc(b->cap_recs, sizeof *b->recs);
    b->n_recs = 1; /* record 0: nothing known */
    b->rec_nslots = 4096;
    b->rec_slots = warden_xcalloc(b->rec_nslots, sizeof *b->rec_slots);
}

void warden_intel_builder_fini(struct warden_intel_builder *b)
{
    free(b->v4.v);
    free(b->v6.v);
    warden_strpool_fini(&b->strings);
    warden_u32map_fini(&b->as_names);
    warden_u32map_fini(&b->asn_idx);
    free(b->asn_attr);
    free(b->recs);
    free(b->rec_slots);
    free(b->iv4.v);
    free(b->iv6.v);
    free(b->srcs);
    memset(b, 0, sizeof *b);
}

void warden_intel_builder_source(struct warden_intel_builder *b, const char *path,
                                 int64_t as_of_day)
{
    const char *name = b->src_name ? b->src_name : path;
    b->srcs = warden_xrealloc(b->srcs, (b->n_srcs + 1) * sizeof *b->srcs);
    b->srcs[b->n_srcs++] = (struct warden_intel_srcrec){
        as_of_day, warden_strpool_add(&b->strings, name, strlen(name)), 0};
}

static warden_u128 ip_u128(const struct warden_ip *ip)
{
    warden_u128 x = 0;
    for (int i = 0; i < 16; i++) x = x << 8 | ip->b[i];
    return x;
}

static warden_u128 mask_host(unsigned plen)
{
    return plen >= 128 ? 0 : U128_MAX >> plen;
}

void warden_intel_builder_add(struct warden_intel_builder *b, const struct warden_ip *ip,
                              unsigned plen, const struct warden_pfx *attrs)
{
    struct warden_pfxvec *vec;
    struct warden_pfx p = *attrs;
    if (warden_ip_is_v4(ip)) {
        if (plen > 32) plen = 32;
        vec = &b->v4;
        p.start = (warden_u128)warden_ip_v4(ip) << 96;
    } else {
        if (plen > 128) plen = 128;
        vec = &b->v6;
        p.start = ip_u128(ip);
    }
    p.start &= ~mask_host(plen);
    p.plen = (uint8_t)plen;
    p.seq = b->seq++;
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 4096;
        vec->v = warden_xrealloc(vec->v, vec->cap * sizeof *vec->v);
    }
    vec->v[vec->n++] = p;
}

void warden_intel_builder_add_asn(struct warden_intel_builder *b, uint32_t asn, uint32_t cats,
                                  const char *provider)
{
    if (!asn) return;
    uint32_t *slot = warden_u32map_slot(&b->asn_idx, asn);
    if (!*slot) {
        b->asn_attr = warden_xrealloc(b->asn_attr, (b->n_asn_attr + 1) * sizeof *b->asn_attr);
        b->asn_attr[b->n_asn_attr] = (struct warden_asnattr){0, 0};
        *slot = (uint32_t)++b->n_asn_attr;
    }
    struct warden_asnattr *a = &b->asn_attr[*slot - 1];
    a->cats |= cats;
    if (provider && *provider && !a->provider)
        a->provider = warden_strpool_add(&b->strings, provider, strlen(provider));
}

void warden_intel_builder_as_name(struct warden_intel_builder *b, uint32_t asn, const char *name,
                                  size_t n)
{
    if (!asn || !n) return;
    uint32_t *slot = warden_u32map_slot(&b->as_names, asn);
    if (!*slot) *slot = warden_strpool_add(&b->strings, name, n);
}

static int pfx_cmp(const void *x, const void *y)
{
    const struct warden_pfx *a = x, *b = y;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    if (a->plen != b->plen) return a->plen < b->plen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Attributes accumulated down the chain of covering prefixes. */
struct cum {
    char cc[2];
    uint8_t cc_rank, asn_rank;
    uint32_t asn;
    uint32_t locflags, anoncats, listcats;
    uint32_t provider;
};

static void combine(struct cum *c, const struct warden_pfx *p)
{
    if (p->fields & WARDEN_PF_LOC) {
        if (p->rank >= c->cc_rank) {
            memcpy(c->cc, p->cc, 2);
            c->cc_rank = p->rank;
        }
        if (p->rank >= c->asn_rank) {
            c->asn = p->asn;
            c->asn_rank = p->rank;
        }
        c->locflags = p->cats;
    }
    if ((p->fields & WARDEN_PF_COUNTRY) && p->rank >= c->cc_rank) {
        memcpy(c->cc, p->cc, 2);
        c->cc_rank = p->rank;
    }
    if ((p->fields & WARDEN_PF_ASN) && p->rank >= c->asn_rank) {
        c->asn = p->asn;
        c->asn_rank = p->rank;
    }
    if (p->fields & WARDEN_PF_ANON) c->anoncats = p->cats;
    if (p->fields & WARDEN_PF_LIST) {
        c->listcats |= p->cats;
        if (p->provider) c->provider = p->provider;
    }
}

static uint32_t rec_hash(const struct warden_intel_rec *r)
{
    uint64_t h = (uint64_t)(uint8_t)r->cc[0] << 8 | (uint8_t)r->cc[1];
    h = h * 0x9e3779b97f4a7c15ull ^ r->asn;
    h = h * 0x9e3779b97f4a7c15ull ^ r->cats;
    h = h * 0x9e3779b97f4a7c15ull ^ r->as_name;
    h = h * 0x9e3779b97f4a7c15ull ^ r->provider;
    h *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32);
}

static bool rec_eq(const struct warden_intel_rec *a, const struct warden_intel_rec *b)
{
    return a->cc[0] == b->cc[0] && a->cc[1] == b->cc[1] && a->asn == b->asn && a->cats == b->cats &&
           a->as_name == b->as_name && a->provider == b->provider;
}

static void rec_slots_grow(struct warden_intel_builder *b)
{
    size_t n = b->rec_nslots * 2;
    uint32_t *s = warden_xcalloc(n, sizeof *s);
    for (size_t id = 1; id < b->n_recs; id++) {
        size_t j = rec_hash(&b->recs[id]) & (n - 1);
        while (s[j]) j = (j + 1) & (n - 1);
        s[j] = (uint32_t)id + 1;
    }
    free(b->rec_slots);
    b->rec_slots = s;
    b->rec_nslots = n;
}

static uint32_t record_id(struct warden_intel_builder *b, const struct cum *c)
{
    struct warden_intel_rec r;
    memset(&r, 0, sizeof r);
    memcpy(r.cc, c->cc, 2);
    r.asn = c->asn;
    r.cats = c->locflags | c->anoncats | c->listcats;
    r.provider = c->provider;
    if (r.asn) {
        r.as_name = warden_u32map_get(&b->as_names, r.asn);
        uint32_t ai = warden_u32map_get(&b->asn_idx, r.asn);
        if (ai) {
            r.cats |= b->asn_attr[ai - 1].cats;
            if (!r.provider) r.provider = b->asn_attr[ai - 1].provider;
        }
    }
    static const struct warden_intel_rec empty;
    if (rec_eq(&r, &empty)) return 0;
    size_t j = rec_hash(&r) & (b->rec_nslots - 1);
    while (b->rec_slots[j]) {
        uint32_t id = b->rec_slots[j] - 1;
        if (rec_eq(&b->recs[id], &r)) return id;
        j = (j + 1) & (b->rec_nslots - 1);
    }
    if (b->n_recs == b->cap_recs) {
        b->cap_recs *= 2;
        b->recs = warden_xrealloc(b->recs, b->cap_recs * sizeof *b->recs);
    }
    uint32_t id = (uint32_t)b->n_recs++;
    b->recs[id] = r;
    b->rec_slots[j] = id + 1;
    if (b->n_recs * 2 > b->rec_nslots) rec_slots_grow(b);
    return id;
}

static void emit(struct warden_ivalvec *iv, warden_u128 first, warden_u128 last, uint32_t rec)
{
    if (iv->n && iv->v[iv->n - 1].rec == rec && iv->v[iv->n - 1].last + 1 == first) {
        iv->v[iv->n - 1].last = last;
        return;
    }
    if (iv->n == iv->cap) {
        iv->cap = iv->cap ? iv->cap * 2 : 4096;
        iv->v = warden_xrealloc(iv->v, iv->cap * sizeof *iv->v);
    }
    iv->v[iv->n++] = (struct warden_ival){first, last, rec};
}

struct level {
    warden_u128 start, last;
    uint8_t plen;
    struct cum c;
    uint32_t rec; /* record id of c, computed lazily (UINT32_MAX = not yet) */
};

static uint32_t level_rec(struct warden_intel_builder *b, struct level *l)
{
    if (l->rec == UINT32_MAX) l->rec = record_id(b, &l->c);
    return l->rec;
}

static void sweep(struct warden_intel_builder *b, struct warden_pfxvec *pv,
                  struct warden_ivalvec *iv)
{
    if (pv->n) qsort(pv->v, pv->n, sizeof *pv->v, pfx_cmp);
    struct level stack[130];
    memset(&stack[0], 0, sizeof stack[0]);
    stack[0].last = U128_MAX;
    stack[0].rec = 0;
    int depth = 0;
    warden_u128 pos = 0;
    bool done = false; /* pos passed the end of the key space */
    iv->n = 0;
    for (size_t i = 0; i < pv->n; i++) {
        const struct warden_pfx *p = &pv->v[i];
        warden_u128 last = p->start | mask_host(p->plen);
        while (depth > 0 && stack[depth].last < p->start) {
            if (pos <= stack[depth].last) {
                emit(iv, pos, stack[depth].last, level_rec(b, &stack[depth]));
                pos = stack[depth].last + 1;
            }
            depth--;
        }
        if (pos < p->start) {
            emit(iv, pos, p->start - 1, level_rec(b, &stack[depth]));
            pos = p->start;
        }
        if (depth > 0 && stack[depth].start == p->start && stack[depth].plen == p->plen) {
            combine(&stack[depth].c, p); /* same prefix from another source or line */
            stack[depth].rec = UINT32_MAX;
            continue;
        }
        struct level *l = &stack[++depth];
        l->start = p->start;
        l->last = last;
        l->plen = p->plen;
        l->c = stack[depth - 1].c;
        combine(&l->c, p);
        l->rec = UINT32_MAX;
    }
    while (depth >= 0 && !done) {
        if (pos <= stack[depth].last) {
            emit(iv, pos, stack[depth].last, level_rec(b, &stack[depth]));
            if (stack[depth].last == U128_MAX)
                done = true;
            else
                pos = stack[depth].last + 1;
        }
        depth--;
    }
}

void warden_intel_builder_finish(struct warden_intel_builder *b)
{
    sweep(b, &b->v4, &b->iv4);
    sweep(b, &b->v6, &b->iv6);
}

static const struct {
    const char *name;
    uint32_t bit;
} cat_names[] = {
    {"hosting", WARDEN_IPCAT_HOSTING},
    {"vpn", WARDEN_IPCAT_VPN},
    {"tor", WARDEN_IPCAT_TOR},
    {"cloud", WARDEN_IPCAT_CLOUD},
    {"proxy", WARDEN_IPCAT_PROXY},
    {"satellite", WARDEN_IPCAT_SATELLITE},
    {"anycast", WARDEN_IPCAT_ANYCAST},
    {"drop", WARDEN_IPCAT_DROP},
    {"residential_proxy", WARDEN_IPCAT_RESIDENTIAL_PROXY},
};

const char *warden_ipcat_name(uint32_t bit)
{
    for (size_t i = 0; i < sizeof cat_names / sizeof cat_names[0]; i++)
        if (cat_names[i].bit == bit) return cat_names[i].name;
    return NULL;
}

int warden_ipcat_parse(const char *s, size_t n, uint32_t *cats)
{
    *cats = 0;
    const char *end = s + n;
    while (s < end) {
        const char *plus = memchr(s, '+', (size_t)(end - s));
        size_t len = plus ? (size_t)(plus - s) : (size_t)(end - s);
        uint32_t bit = 0;
        for (size_t i = 0; i < sizeof cat_names / sizeof cat_names[0]; i++)
            if (strlen(cat_names[i].name) == len && memcmp(cat_names[i].name, s, len) == 0)
                bit = cat_names[i].bit;
        if (!bit) return WARDEN_EINVAL;
        *cats |= bit;
        s += len + (plus ? 1 : 0);
        if (plus && s == end) return WARDEN_EINVAL;
    }
    return *cats ? 0 : WARDEN_EINVAL;
}
