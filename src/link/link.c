/* link.c — cross-account linking state (see link.h for the rules).
 *
 * Fixed arrays, allocated once: identifiers (88 bytes each, plus 8 in a
 * compact key array), accounts (296 + 8 bytes each: id, cluster, member
 * ring, LINK_CANDS candidate neighbours, the caller's 56 bytes), clusters
 * (80 bytes each, plus 4 in the free list) and frame senders (16 bytes
 * each, in 8-way buckets). Both hash tables are
 * 8-way buckets with two candidate buckets per hash (two-choice hashing: an
 * insert goes to the emptier, so buckets do not overflow well below
 * capacity): a look-up touches at most two; an insert into two full buckets
 * replaces the entry seen longest ago.
 *
 * The hash tables hold keys only (key slots); the entries they name are
 * dense: the n-th identifier or account to enter takes entry n, and a
 * replaced one's entry goes to its replacement. A run that uses a fraction of
 * the capacity touches that fraction of the entry arrays (on huge pages,
 * core/hugetable.h), not pages all over them: fewer first-touch page faults,
 * and the TLB covers the entries in use, where an entry hit at random on
 * 4 KB pages waited for a page walk before its cache miss even started.
 * Entries are numbered in order of first use, but every walk over them
 * (warden_link_foreach_account, snapshots) goes in key slot order, as when
 * an entry sat at its key slot. */
#include "link/link.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/hugetable.h"
#include "core/snapio.h"
#include "core/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 8
#define LINK_SAMPLE 4 /* recent accounts kept per identifier */
#define LINK_CANDS 6  /* candidate neighbours per account */
#define SKETCH_BITS 256
#define NONE UINT32_MAX

const char *const warden_link_kind_names[WARDEN_LINK_NKINDS] = {
    "net",          "client",       "signup_ip", "payment",
    "email_domain", "signup_burst", "template",  "system_prompt"};

struct ident {
    uint64_t key; /* 0 = empty */
    int64_t last_ms;
    uint64_t seen[SKETCH_BITS / 64]; /* linear counting of distinct accounts */
    uint64_t sample[LINK_SAMPLE];    /* recent account hashes (0 = empty) */
    uint32_t uses;
    uint8_t kind;
};

/* A frame's slot: bits 63..24 of `tag` are the key's upper 40 bits, 23..8
 * the hour it was last sent (mod 2^16: about 7 years), 7..0 its senders'
 * bits set (never 0 in use: 0 is an empty slot); `seen` counts the distinct
 * senders (linear counting, 64 bits: about 10 % at 40 senders, saturated
 * from about 270, past cap_template's 256). 40 bits of key: two frames taken
 * for one (once in 2^36 look-ups of 16 slots) only count together, which
 * makes them look more common, never rarer. Four to a cache line, a bucket
 * in two lines. */
struct frame {
    uint64_t tag;
    uint64_t seen;
};
#define FRAME_TAG(key) ((key)&0xffffffffff000000ULL)
#define FRAME_HOUR(ms) ((uint64_t)((ms) / 3600000) & 0xffff)

struct cand {
    uint64_t acct;  /* neighbour's hash, 0 = empty */
    float strong;   /* sum of non-infrastructure weights */
    float infra;    /* sum of infrastructure weights (capped when read) */
    uint8_t kinds;  /* bit per kind already counted */
    uint8_t frames; /* template identifiers met together (bands of a sketch, a system prompt) */
};
/* A frame shared for co_actioned: two of its template identifiers (two LSH
 * bands of one sketch: 32 bits alike, where one band alone matches by
 * chance once in 65,536 pairs), or a template plus another non-infrastructure kind. */
#define CO_FRAMES 2

enum {
    F_ACT = 1,
    F_ENF = 2,
    F_RES = 4,
    F_RSL = 8, /* a declared reseller */
    F_HRV = 16,
    F_SUS = 32 /* harvesting evidence of its own (warden_link_mark_suspect) */
};

struct acct {
    uint64_t hash; /* 0 = empty */
    int64_t last_ms;
    uint64_t seq_mark;
    uint32_t cluster; /* index + 1, 0 = none */
    uint32_t prev, next;
    uint32_t org;
    uint8_t flags, owner, flag_mark, idlen;
    char id[WARDEN_LINK_MAX_ID + 1];
    uint32_t slot; /* its key slot (acct_keys) */
    struct cand cand[LINK_CANDS];
    uint64_t user[WARDEN_LINK_USER_BYTES / 8];
};

struct cluster {
    struct warden_link_cluster pub; /* pub.seq 0 = free; score is filled when read */
    uint32_t head;
    float wsum;
};

struct warden_link {
    struct warden_link_params p;
    pthread_mutex_t mu;
    int refs;
    unsigned owners;
    uint32_t done; /* warden_link_first() bits */
    void *att;     /* warden_link_attach() */
    void (*att_free)(void *);
    struct ident *ids; /* entries, dense: [0, id_used) in order of first use */
    uint64_t *id_keys; /* by key slot: the key's tag and its entry (slot_val), 8 to a cache line:
                          a look-up reads one line per bucket */
    size_t id_mask;    /* buckets - 1 */
    size_t id_used;
    struct acct *accts;  /* entries, dense: [0, acct_used) in order of first use */
    uint64_t *acct_keys; /* the account hashes' tags and entries by key slot, likewise */
    size_t acct_mask, acct_used;
    struct frame *fr; /* frame senders (warden_link_frame_sent), by bucket; NULL: off */
    size_t fr_mask;   /* buckets - 1 */
    struct cluster *cl;
    uint32_t *cl_free;
    size_t n_free, cap_cl;
    /* accounts whose cluster's harvest became established (harvest_held)
     * since the caller last took them (warden_link_held_next): each is
     * queued once, when that happens to its cluster */
    uint32_t *held_q;
    size_t held_n, held_cap;
    uint64_t seq;
    struct warden_link_stats st;
    uint64_t touched[1 << 14]; /* 2^20 bits: accounts a join or merge touched */
};

static size_t buckets_for(size_t n)
{
    size_t b = 1;
    while (b * WAYS < n) b <<= 1;
    return b;
}

struct warden_link *warden_link_new(const struct warden_link_params *p)
{
    struct warden_link *l = warden_xcalloc(1, sizeof *l);
    l->p = *p;
    pthread_mutex_init(&l->mu, NULL);
    l->refs = 1;
    size_t bi = buckets_for(p->max_idents ? p->max_idents : 1);
    size_t ba = buckets_for(p->max_accounts ? p->max_accounts : 1);
    l->id_mask = bi - 1;
    l->ids = warden_hugetable_new(bi * WAYS, sizeof *l->ids);
    /* both key arrays in one table: hit at random all over, so on huge pages */
    l->id_keys = warden_hugetable_new((bi + ba) * WAYS, sizeof *l->id_keys);
    l->acct_mask = ba - 1;
    l->accts = warden_hugetable_new(ba * WAYS, sizeof *l->accts);
    l->acct_keys = l->id_keys + bi * WAYS;
    if (p->max_frames) {
        size_t bf = buckets_for(p->max_frames);
        l->fr_mask = bf - 1;
        l->fr = warden_hugetable_new(bf * WAYS, sizeof *l->fr);
    }
    l->cap_cl = p->max_clusters ? p->max_clusters : 1;
    l->cl = warden_xcalloc(l->cap_cl, sizeof *l->cl);
    l->cl_free = warden_xcalloc(l->cap_cl, sizeof *l->cl_free);
    for (size_t i = 0; i < l->cap_cl; i++) l->cl_free[i] = (uint32_t)(l->cap_cl - 1 - i);
    l->n_free = l->cap_cl;
    return l;
}

void warden_link_ref(struct warden_link *l)
{
    pthread_mutex_lock(&l->mu);
    l->refs++;
    pthread_mutex_unlock(&l->mu);
}

bool warden_link_attach(struct warden_link *l, void *p, void (*fn)(void *))
{
    if (l->att) return false;
    l->att = p;
    l->att_free = fn;
    return true;
}

void *warden_link_attachment(const struct warden_link *l)
{
    return l->att;
}

void warden_link_free(struct warden_link *l)
{
    if (!l) return;
    pthread_mutex_lock(&l->mu);
    int left = --l->refs;
    pthread_mutex_unlock(&l->mu);
    if (left > 0) return;
    pthread_mutex_destroy(&l->mu);
    if (l->att && l->att_free) l->att_free(l->att);
    warden_hugetable_free(l->ids, (l->id_mask + 1) * WAYS, sizeof *l->ids);
    warden_hugetable_free(l->id_keys, (l->id_mask + 1 + l->acct_mask + 1) * WAYS,
                          sizeof *l->id_keys);
    warden_hugetable_free(l->accts, (l->acct_mask + 1) * WAYS, sizeof *l->accts);
    if (l->fr) warden_hugetable_free(l->fr, (l->fr_mask + 1) * WAYS, sizeof *l->fr);
    free(l->cl);
    free(l->cl_free);
    free(l->held_q);
    free(l);
}

void warden_link_lock(struct warden_link *l)
{
    pthread_mutex_lock(&l->mu);
}

void warden_link_unlock(struct warden_link *l)
{
    pthread_mutex_unlock(&l->mu);
}

size_t warden_link_memory_bytes(const struct warden_link *l)
{
    return sizeof *l + (l->id_mask + 1) * WAYS * (sizeof(struct ident) + 8) +
           (l->acct_mask + 1) * WAYS * (sizeof(struct acct) + 8) +
           (l->fr ? (l->fr_mask + 1) * WAYS * sizeof(struct frame) : 0) +
           l->cap_cl * (sizeof(struct cluster) + sizeof(uint32_t));
}

unsigned warden_link_new_owner(struct warden_link *l)
{
    pthread_mutex_lock(&l->mu);
    unsigned o = l->owners++;
    pthread_mutex_unlock(&l->mu);
    return o;
}

bool warden_link_first(struct warden_link *l, unsigned bit)
{
    pthread_mutex_lock(&l->mu);
    bool first = !(l->done & (1u << bit));
    l->done |= 1u << bit;
    pthread_mutex_unlock(&l->mu);
    return first;
}

uint64_t warden_link_key(enum warden_link_kind kind, const void *p, size_t n)
{
    uint64_t k = warden_hash64_seed(p, n, 0x9e3779b97f4a7c15ULL * (uint64_t)(kind + 1));
    return k ? k : 1;
}

double warden_link_weight(const struct warden_link_params *p, enum warden_link_kind kind, double n)
{
    double cap = p->cap[kind];
    if (cap <= 0 || n >= cap) return 0;
    double f = n <= cap / 8 ? 1.0 : 1.0 - log2(8.0 * n / cap) / 3.0;
    return p->weight[kind] * (f < 0 ? 0 : f);
}

/* ---- clusters ---- */

static void touch(struct warden_link *l, uint64_t h)
{
    uint32_t b = (uint32_t)(h >> 44); /* 20 bits */
    __atomic_or_fetch(&l->touched[b >> 6], 1ULL << (b & 63), __ATOMIC_RELAXED);
}

bool warden_link_maybe_changed(const struct warden_link *l, uint64_t h)
{
    if (!h) h = 1;
    uint32_t b = (uint32_t)(h >> 44);
    return __atomic_load_n(&l->touched[b >> 6], __ATOMIC_RELAXED) >> (b & 63) & 1;
}

static struct acct *A(struct warden_link *l, uint32_t i)
{
    return &l->accts[i];
}

static void ring_add(struct warden_link *l, struct cluster *c, uint32_t i)
{
    struct acct *a = A(l, i);
    if (c->head == NONE) {
        c->head = a->prev = a->next = i;
        return;
    }
    struct acct *h = A(l, c->head);
    a->prev = c->head;
    a->next = h->next;
    A(l, h->next)->prev = i;
    h->next = i;
}

static void ring_del(struct warden_link *l, struct cluster *c, uint32_t i)
{
    struct acct *a = A(l, i);
    if (a->next == i) {
        c->head = NONE;
        return;
    }
    A(l, a->prev)->next = a->next;
    A(l, a->next)->prev = a->prev;
    if (c->head == i) c->head = a->next;
}

static void cluster_release(struct warden_link *l, uint32_t ci)
{
    memset(&l->cl[ci], 0, sizeof l->cl[ci]);
    l->cl_free[l->n_free++] = ci;
}

/* Put account i (in no cluster) into cluster ci. */
static void cluster_put(struct warden_link *l, uint32_t ci, uint32_t i)
{
    struct cluster *c = &l->cl[ci];
    struct acct *a = A(l, i);
    a->cluster = ci + 1;
    touch(l, a->hash);
    ring_add(l, c, i);
    c->pub.live++;
    c->pub.size++;
    if (a->flags & F_ACT) c->pub.actioned++;
    if (a->flags & F_ENF) c->pub.enforced++;
    if ((a->flags & F_RES) && c->pub.restricted < UINT16_MAX) c->pub.restricted++;
    if ((a->flags & F_HRV) && c->pub.harvest < UINT16_MAX) c->pub.harvest++;
    if ((a->flags & F_SUS) && c->pub.suspect < UINT8_MAX) c->pub.suspect++;
}

/* The account leaves the table: it leaves its cluster's ring; what it
 * contributed (size, edges, actioned) stays with the cluster. */
static void acct_drop(struct warden_link *l, uint32_t i)
{
    struct acct *a = A(l, i);
    if (a->cluster) {
        uint32_t ci = a->cluster - 1;
        struct cluster *c = &l->cl[ci];
        ring_del(l, c, i);
        if (--c->pub.live == 0) cluster_release(l, ci);
    }
    l->acct_keys[a->slot] = 0;
    memset(a, 0, sizeof *a);
}

/* A cluster whose harvest is established: a member actioned on its own
 * harvesting evidence, or suspect_group members with harvesting evidence of
 * their own, tied by more than template bands (frames are phrases that
 * strangers share). Every count only grows. */
static bool harvest_held(const struct warden_link *l, const struct cluster *c)
{
    if (!l->p.rented_clusters ||
        (c->pub.harvest < 1 && (!l->p.suspect_group || c->pub.suspect < l->p.suspect_group)))
        return false;
    for (int k = 0; k < WARDEN_LINK_NKINDS; k++)
        if (k != WARDEN_LINK_TEMPLATE && c->pub.kind_edges[k]) return true;
    return false;
}

static void held_push(struct warden_link *l, uint32_t i)
{
    if (l->held_n == l->held_cap)
        l->held_q = warden_xrealloc(l->held_q, (l->held_cap = l->held_cap ? l->held_cap * 2 : 64) *
                                                   sizeof *l->held_q);
    l->held_q[l->held_n++] = i;
}

/* Queue the members of a ring from `from` to `to` (inclusive, in ring order). */
static void held_ring(struct warden_link *l, uint32_t from, uint32_t to)
{
    for (uint32_t k = from;; k = A(l, k)->next) {
        held_push(l, k);
        if (k == to) break;
    }
}

/* Cluster ci's harvest may have become established by a mark that did not
 * change its members: queue them all when it did. */
static void held_mark(struct warden_link *l, uint32_t ci, bool before)
{
    struct cluster *c = &l->cl[ci];
    if (!before && harvest_held(l, c)) held_ring(l, c->head, A(l, c->head)->prev);
}

bool warden_link_held_next(struct warden_link *l, uint32_t *ai, uint64_t *acct)
{
    while (l->held_n) {
        uint32_t i = l->held_q[--l->held_n];
        if (i < l->acct_used && A(l, i)->hash) {
            *ai = i;
            *acct = A(l, i)->hash;
            return true;
        }
    }
    return false;
}

/* Join the accounts at indices i and j; returns true when i's cluster changed. */
static bool join(struct warden_link *l, uint32_t i, uint32_t j, unsigned kinds, double w)
{
    struct acct *a = A(l, i), *b = A(l, j);
    uint32_t ca = a->cluster, cb = b->cluster;
    if (ca && ca == cb) return false;
    uint32_t ci;
    bool changed = true;
    /* whose cluster's harvest was established before (harvest_held); after
     * the join, the members of a side that was not are queued when the
     * joined cluster's is: its ring segment [seg0, seg1] */
    bool ha = ca && harvest_held(l, &l->cl[ca - 1]), hb = cb && harvest_held(l, &l->cl[cb - 1]);
    uint32_t seg0 = NONE, seg1 = NONE, rest0 = NONE, rest1 = NONE;
    bool hseg = false, hrest = false;
    if (!ca && !cb) {
        if (!l->n_free) {
            l->st.clusters_dropped++;
            return false;
        }
        ci = l->cl_free[--l->n_free];
        struct cluster *c = &l->cl[ci];
        memset(c, 0, sizeof *c);
        c->head = NONE;
        c->pub.seq = ++l->seq;
        cluster_put(l, ci, i);
        cluster_put(l, ci, j);
        seg0 = seg1 = i;
        rest0 = rest1 = j;
    } else if (ca && !cb) {
        ci = ca - 1;
        cluster_put(l, ci, j);
        changed = false;
        seg0 = seg1 = j;
        hrest = ha;
    } else if (!ca) {
        ci = cb - 1;
        cluster_put(l, ci, i);
        seg0 = seg1 = i;
        hrest = hb;
    } else {
        /* merge the smaller into the larger: relabel its members, splice the rings */
        uint32_t big = ca - 1, small = cb - 1;
        if (l->cl[small].pub.live > l->cl[big].pub.live) {
            uint32_t t = big;
            big = small;
            small = t;
        }
        struct cluster *B = &l->cl[big], *S = &l->cl[small];
        hseg = big == ca - 1 ? hb : ha; /* the smaller side's */
        hrest = big == ca - 1 ? ha : hb;
        uint32_t k = S->head;
        do {
            A(l, k)->cluster = big + 1;
            touch(l, A(l, k)->hash);
            k = A(l, k)->next;
        } while (k != S->head);
        uint32_t bh = B->head, sh = S->head;
        uint32_t bn = A(l, bh)->next, sp = A(l, sh)->prev;
        A(l, bh)->next = sh;
        A(l, sh)->prev = bh;
        A(l, sp)->next = bn;
        A(l, bn)->prev = sp;
        /* the ring is now bh, [sh .. sp] (the smaller side), bn .. bh */
        seg0 = sh;
        seg1 = sp;
        rest0 = bn;
        rest1 = bh;
        B->pub.live += S->pub.live;
        B->pub.size += S->pub.size;
        B->pub.actioned += S->pub.actioned;
        B->pub.enforced += S->pub.enforced;
        B->pub.restricted = (uint16_t)(B->pub.restricted + S->pub.restricted < UINT16_MAX
                                           ? B->pub.restricted + S->pub.restricted
                                           : UINT16_MAX);
        B->pub.suspect =
            (uint8_t)(B->pub.suspect + S->pub.suspect < UINT8_MAX ? B->pub.suspect + S->pub.suspect
                                                                  : UINT8_MAX);
        B->pub.harvest = (uint16_t)(B->pub.harvest + S->pub.harvest < UINT16_MAX
                                        ? B->pub.harvest + S->pub.harvest
                                        : UINT16_MAX);
        B->pub.edges += S->pub.edges;
        B->wsum += S->wsum;
        for (int q = 0; q < WARDEN_LINK_NKINDS; q++) B->pub.kind_edges[q] += S->pub.kind_edges[q];
        cluster_release(l, small);
        l->st.merges++;
        ci = big;
        changed = big != ca - 1;
    }
    struct cluster *c = &l->cl[ci];
    c->pub.edges++;
    c->wsum += (float)w;
    for (int q = 0; q < WARDEN_LINK_NKINDS; q++)
        if (kinds & (1u << q)) c->pub.kind_edges[q]++;
    l->st.joins++;
    if (l->p.rented_clusters && harvest_held(l, c)) {
        if (!hseg && seg0 != NONE) held_ring(l, seg0, seg1);
        if (!hrest) {
            if (rest0 != NONE)
                held_ring(l, rest0, rest1);
            else /* the cluster it joined: every member but the one that came */
                held_ring(l, A(l, seg0)->next, A(l, seg0)->prev);
        }
    }
    return changed;
}

/* ---- accounts ---- */

/* A key slot holds the upper 32 bits of its key (a tag) and its entry + 1
 * (never 0: 0 is an empty slot). A tag that matches is confirmed on the
 * entry's own full key, which the caller reads next anyway. */
static inline uint64_t slot_val(uint64_t key, uint32_t e)
{
    return (key & 0xffffffff00000000ULL) | ((uint64_t)e + 1);
}

static inline bool slot_tag(uint64_t v, uint64_t key)
{
    return v && (v ^ key) >> 32 == 0;
}

static inline uint32_t slot_ent(uint64_t v)
{
    return (uint32_t)v - 1;
}

/* The two candidate buckets of a hash. */
static size_t bucket(uint64_t h, size_t mask, int which)
{
    return ((which ? (h >> 32) ^ (h << 7) : h) & mask) * WAYS;
}

static uint32_t acct_find(const struct warden_link *l, uint64_t h)
{
    for (int c = 0; c < 2; c++) {
        size_t b = bucket(h, l->acct_mask, c);
        for (size_t w = 0; w < WAYS; w++)
            if (slot_tag(l->acct_keys[b + w], h) &&
                l->accts[slot_ent(l->acct_keys[b + w])].hash == h)
                return slot_ent(l->acct_keys[b + w]);
    }
    return NONE;
}

void warden_link_prefetch(const struct warden_link *l, uint64_t acct, int stage)
{
    if (!acct) acct = 1;
    for (int c = 0; c < 2; c++) {
        const uint64_t *k = &l->acct_keys[bucket(acct, l->acct_mask, c)];
        if (stage == 0) {
            __builtin_prefetch(k);
            continue;
        }
        for (size_t w = 0; w < WAYS; w++) {
            uint64_t v = __atomic_load_n(&k[w], __ATOMIC_RELAXED);
            if (!slot_tag(v, acct)) continue; /* (a tag alone: at worst a wasted fetch) */
            uint32_t e = slot_ent(v);
            if (e >= __atomic_load_n(&l->acct_used, __ATOMIC_RELAXED)) return;
            const char *p = (const char *)&l->accts[e];
            for (size_t off = 0; off < sizeof(struct acct); off += 64)
                __builtin_prefetch(p + off, 1);
            __builtin_prefetch(p + sizeof(struct acct) - 1, 1);
            return;
        }
    }
}

uint32_t warden_link_account(struct warden_link *l, uint64_t acct, const char *id, size_t len,
                             uint32_t org, int64_t now_ms, unsigned owner)
{
    if (!acct) acct = 1;
    uint32_t i = acct_find(l, acct);
    if (i == NONE) {
        /* the emptier of the two buckets; when both are full, the entry seen longest ago */
        uint32_t victim = NONE, empty[2] = {NONE, NONE}; /* key slots */
        int nempty[2] = {0, 0};
        for (int c = 0; c < 2; c++) {
            size_t b = bucket(acct, l->acct_mask, c);
            for (size_t w = 0; w < WAYS; w++) {
                if (!l->acct_keys[b + w]) {
                    nempty[c]++;
                    empty[c] = (uint32_t)(b + w);
                }
            }
        }
        if (!nempty[0] && !nempty[1]) { /* both full: the entry seen longest ago */
            for (int c = 0; c < 2; c++) {
                size_t b = bucket(acct, l->acct_mask, c);
                for (size_t w = 0; w < WAYS; w++)
                    if (victim == NONE || A(l, slot_ent(l->acct_keys[b + w]))->last_ms <
                                              A(l, slot_ent(l->acct_keys[victim]))->last_ms)
                        victim = (uint32_t)(b + w);
            }
        }
        if (nempty[0] || nempty[1]) victim = nempty[1] > nempty[0] ? empty[1] : empty[0];
        /* a replaced account's entry is the newcomer's; else the next unused one */
        if (l->acct_keys[victim]) {
            i = slot_ent(l->acct_keys[victim]);
            acct_drop(l, i);
            l->st.accounts_replaced++;
        } else {
            i = (uint32_t)l->acct_used;
            __atomic_store_n(&l->acct_used, l->acct_used + 1, __ATOMIC_RELAXED);
            l->st.accounts++;
        }
        struct acct *a = A(l, i);
        a->hash = acct;
        a->slot = victim;
        l->acct_keys[victim] = slot_val(acct, i);
        a->org = org;
        a->owner = WARDEN_LINK_NO_OWNER;
        a->last_ms = now_ms;
        if (id && len <= WARDEN_LINK_MAX_ID) {
            memcpy(a->id, id, len);
            a->idlen = (uint8_t)len;
        }
    }
    struct acct *a = A(l, i);
    if (now_ms > a->last_ms) a->last_ms = now_ms;
    if (owner != WARDEN_LINK_NO_OWNER) a->owner = (uint8_t)owner;
    return i;
}

/* Pair evidence: add kind's weight to a's candidate entry for b; returns
 * the pair's combined weight. */
static double cand_add(struct warden_link *l, struct acct *a, uint64_t b, unsigned kind, double w)
{
    struct cand *c = NULL, *weakest = NULL;
    double weakest_w = 0;
    for (int k = 0; k < LINK_CANDS; k++) {
        struct cand *x = &a->cand[k];
        if (x->acct == b) {
            c = x;
            break;
        }
        double xw = x->acct ? x->strong + fmin(x->infra, l->p.infra_max) : -1;
        if (!weakest || xw < weakest_w) {
            weakest = x;
            weakest_w = xw;
        }
    }
    if (!c) {
        c = weakest;
        memset(c, 0, sizeof *c);
        c->acct = b;
    }
    bool wording = (1u << kind) & WARDEN_LINK_WORDING;
    if (wording && c->frames < UINT8_MAX) c->frames++;
    if (!(c->kinds & (1u << kind))) {
        /* a template band and a system prompt are one family: weighed once, the first met */
        bool counted = wording && (c->kinds & WARDEN_LINK_WORDING);
        c->kinds |= (uint8_t)(1u << kind);
        if (!counted && ((1u << kind) & WARDEN_LINK_INFRA))
            c->infra += (float)w;
        else if (!counted)
            c->strong += (float)w;
    }
    return c->strong + fmin(c->infra, l->p.infra_max);
}

static const struct cand *cand_of(const struct acct *a, uint64_t b)
{
    for (int k = 0; k < LINK_CANDS; k++)
        if (a->cand[k].acct == b) return &a->cand[k];
    return NULL;
}

static unsigned cand_kinds(const struct acct *a, uint64_t b)
{
    const struct cand *c = cand_of(a, b);
    return c ? c->kinds : 0;
}

/* The pair's weight as a's and b's tables hold it (the larger: either may
 * have dropped the other), with co_actioned when both are actioned on their
 * own evidence and they share a non-infrastructure identifier (*co set). A
 * frame alone ties them only when both are actioned on their own harvesting
 * evidence (F_HRV): a harvesting frame is often public, and an account
 * actioned for something else (a screening match, its location) that uses
 * it says nothing about who runs the harvest. */
static double pair_weight(const struct warden_link *l, const struct acct *a, const struct acct *b,
                          bool *co)
{
    const struct cand *ca = cand_of(a, b->hash), *cb = cand_of(b, a->hash);
    double wa = ca ? ca->strong + fmin(ca->infra, l->p.infra_max) : 0;
    double wb = cb ? cb->strong + fmin(cb->infra, l->p.infra_max) : 0;
    double w = wa > wb ? wa : wb;
    /* a non-infrastructure identifier beyond one chance band: a burst, a
     * domain, a payment, or a frame met through CO_FRAMES identifiers */
    unsigned kinds = (ca ? ca->kinds : 0) | (cb ? cb->kinds : 0);
    unsigned frames = ca ? ca->frames : 0;
    if (cb && cb->frames > frames) frames = cb->frames;
    unsigned other = kinds & ~WARDEN_LINK_INFRA & ~WARDEN_LINK_WORDING;
    bool strong = other || ((kinds & WARDEN_LINK_WORDING) && frames >= CO_FRAMES);
    bool judged = (a->flags & F_ACT) && (b->flags & F_ACT) &&
                  (other || ((a->flags & (F_HRV | F_SUS)) && (b->flags & (F_HRV | F_SUS))));
    *co = false;
    if (w < l->p.join && strong && l->p.co_actioned > 0 && judged &&
        !((a->flags | b->flags) & F_RSL)) {
        w += l->p.co_actioned;
        *co = true;
    }
    return w;
}

/* The pair's strongest non-infrastructure kind (the one that names the edge). */
static int strongest_kind(unsigned kinds)
{
    static const int order[] = {WARDEN_LINK_PAYMENT, WARDEN_LINK_TEMPLATE, WARDEN_LINK_SYSTEM,
                                WARDEN_LINK_BURST, WARDEN_LINK_EMAIL};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (kinds & (1u << order[i])) return order[i];
    return WARDEN_LINK_TEMPLATE;
}

/* ---- identifiers ---- */

static struct ident *ident_get(struct warden_link *l, uint64_t key, int64_t now_ms, unsigned kind)
{
    uint32_t victim = NONE, empty[2] = {NONE, NONE}; /* key slots */
    int nempty[2] = {0, 0};
    for (int c = 0; c < 2; c++) {
        size_t b = bucket(key, l->id_mask, c);
        for (size_t w = 0; w < WAYS; w++) {
            uint64_t v = l->id_keys[b + w];
            if (slot_tag(v, key) && l->ids[slot_ent(v)].key == key) return &l->ids[slot_ent(v)];
            if (!l->id_keys[b + w]) {
                nempty[c]++;
                empty[c] = (uint32_t)(b + w);
            }
        }
    }
    if (nempty[0] || nempty[1]) {
        victim = nempty[1] > nempty[0] ? empty[1] : empty[0];
    } else { /* both full: the identifier seen longest ago */
        for (int c = 0; c < 2; c++) {
            size_t b = bucket(key, l->id_mask, c);
            for (size_t w = 0; w < WAYS; w++)
                if (victim == NONE || l->ids[slot_ent(l->id_keys[b + w])].last_ms <
                                          l->ids[slot_ent(l->id_keys[victim])].last_ms)
                    victim = (uint32_t)(b + w);
        }
    }
    /* a replaced identifier's entry is the newcomer's; else the next unused one */
    uint32_t e;
    if (l->id_keys[victim]) {
        e = slot_ent(l->id_keys[victim]);
        l->st.idents_replaced++;
    } else {
        e = (uint32_t)l->id_used++;
        l->st.idents++;
    }
    struct ident *d = &l->ids[e];
    memset(d, 0, sizeof *d);
    d->key = key;
    l->id_keys[victim] = slot_val(key, e);
    d->kind = (uint8_t)kind;
    d->last_ms = now_ms;
    return d;
}

/* Distinct accounts from a linear-counting bitmap of `bits` bits (a
 * saturated one reads as one zero: about bits * ln(bits)). */
static double linear_count(const uint64_t *seen, int bits)
{
    int ones = 0;
    for (int i = 0; i < bits / 64; i++) ones += __builtin_popcountll(seen[i]);
    int zeros = bits - ones;
    if (zeros == 0) zeros = 1;
    return -(double)bits * log((double)zeros / bits);
}

static double ident_distinct(const struct ident *d)
{
    return linear_count(d->seen, SKETCH_BITS); /* saturated: about 1,400 and more */
}

/* ---- frame senders ---- */

static size_t frame_find(const struct warden_link *l, uint64_t key)
{
    for (int c = 0; c < 2; c++) {
        size_t b = bucket(key, l->fr_mask, c);
        for (size_t w = 0; w < WAYS; w++) {
            uint64_t v = l->fr[b + w].tag;
            if (v && FRAME_TAG(v) == FRAME_TAG(key)) return b + w;
        }
    }
    return SIZE_MAX;
}

double warden_link_frame_sent(struct warden_link *l, uint32_t ai, uint64_t key, int64_t now_ms)
{
    if (!l->fr) return 0;
    size_t i = frame_find(l, key);
    if (i == SIZE_MAX) {
        /* an empty slot of the emptier bucket; when both are full, the
         * frame with the fewest senders, sent longest ago among equals */
        size_t empty[2] = {0, 0};
        int nempty[2] = {0, 0}, vones = 0;
        uint64_t vage = 0, now = FRAME_HOUR(now_ms);
        for (int c = 0; c < 2; c++) {
            size_t b = bucket(key, l->fr_mask, c);
            for (size_t w = 0; w < WAYS; w++) {
                uint64_t v = l->fr[b + w].tag;
                if (!v) {
                    nempty[c]++;
                    empty[c] = b + w;
                    continue;
                }
                int ones = (int)(v & 0xff);
                uint64_t age = (now - (v >> 8)) & 0xffff;
                if (i == SIZE_MAX || ones < vones || (ones == vones && age > vage)) {
                    i = b + w;
                    vones = ones;
                    vage = age;
                }
            }
        }
        if (nempty[0] || nempty[1]) {
            i = nempty[1] > nempty[0] ? empty[1] : empty[0];
            l->st.frames++;
        } else {
            l->st.frames_replaced++;
        }
        l->fr[i].seen = 0;
    }
    struct frame *f = &l->fr[i];
    uint64_t pair[2] = {A(l, ai)->hash, key};
    f->seen |= 1ULL << (warden_hash64(pair, sizeof pair) >> 58);
    f->tag = FRAME_TAG(key) | FRAME_HOUR(now_ms) << 8 | (uint64_t)__builtin_popcountll(f->seen);
    return linear_count(&f->seen, 64);
}

void warden_link_frame_prefetch(const struct warden_link *l, uint64_t key)
{
    if (!l->fr) return;
    for (int c = 0; c < 2; c++) {
        const char *p = (const char *)&l->fr[bucket(key, l->fr_mask, c)];
        __builtin_prefetch(p, 1);
        __builtin_prefetch(p + 64, 1);
    }
}

double warden_link_frame_senders(const struct warden_link *l, uint64_t key)
{
    if (!l->fr) return 0;
    size_t i = frame_find(l, key);
    return i != SIZE_MAX ? linear_count(&l->fr[i].seen, 64) : 0;
}

static void join_pooled(struct warden_link *l, uint32_t ai, uint32_t bi, unsigned kind,
                        struct warden_link_join *res);

/* A frame whose weight for the pair is below this share of w_template (past
 * about cap_template / 6 accounts, counting its senders: an app's, a public
 * prompt collection's) ties no suspect to a harvester. */
#define ANCHOR_RARE_FRAME 0.9

/* b is actioned on its own harvesting evidence. This flag only grows, so
 * which joins are made does not depend on the order of the marks. */
static bool anchor_of(const struct warden_link *l, const struct acct *b)
{
    return l->p.harvest_anchor && (b->flags & F_HRV) && !(b->flags & F_RSL);
}

/* Suspect a and anchor b share a frame few accounts use: CO_FRAMES of its
 * template identifiers met together, weighed (warden_link_use_frame) at
 * least ANCHOR_RARE_FRAME of w_template. A frame many accounts send ties
 * nobody, however strongly b is actioned: the end users of one SaaS app
 * share its frame, and thousands of people paste "explain your reasoning
 * step by step" from the same prompt collections; a heavy user among them
 * that carries some harvesting evidence of its own says nothing about who
 * runs b's harvest. */
static bool anchored_pair(const struct warden_link *l, const struct acct *a, const struct acct *b)
{
    if (!(a->flags & F_SUS) || (a->flags & F_RSL) || !anchor_of(l, b)) return false;
    if ((a->org && a->org == b->org) || (a->cluster && a->cluster == b->cluster)) return false;
    const struct cand *ca = cand_of(a, b->hash), *cb = cand_of(b, a->hash);
    unsigned frames = ca ? ca->frames : 0;
    if (cb && cb->frames > frames) frames = cb->frames;
    if (frames < CO_FRAMES) return false;
    double strong = ca ? ca->strong : 0;
    if (cb && cb->strong > strong) strong = cb->strong;
    return strong >= ANCHOR_RARE_FRAME * l->p.weight[WARDEN_LINK_TEMPLATE];
}

/* After a mark of the account at ai (its suspect mark: suspect true; its
 * harvesting mark: false), the pairs with its candidates
 * that anchored_pair now ties join (WARDEN_LINK_POOLED): a suspect that
 * wraps its prompts as a harvester does, its own evidence diluted below
 * every rule (cover traffic), is that harvester's; the cluster's action
 * says what that does to it. res: the last join. */
static void anchor_join(struct warden_link *l, uint32_t ai, bool suspect,
                        struct warden_link_join *res)
{
    struct acct *a = A(l, ai);
    for (int k = 0; l->p.harvest_anchor && k < LINK_CANDS; k++) {
        uint32_t bi = a->cand[k].acct ? acct_find(l, a->cand[k].acct) : NONE;
        if (bi == NONE) continue;
        struct acct *b = A(l, bi);
        if (suspect ? anchored_pair(l, a, b) : anchored_pair(l, b, a))
            join_pooled(l, ai, bi, WARDEN_LINK_TEMPLATE, res);
    }
}

/* warden_link_use with the identifier's accounts taken as at least `floor`. */
static void use(struct warden_link *l, uint32_t ai, enum warden_link_kind kind, uint64_t key,
                int64_t now_ms, bool count_only, double floor, struct warden_link_join *out)
{
    struct warden_link_join res = {0};
    struct ident *d = ident_get(l, key, now_ms, kind);
    if (now_ms > d->last_ms) d->last_ms = now_ms;
    uint64_t ah = A(l, ai)->hash;
    unsigned bit = (unsigned)(((ah ^ key) * 0x9e3779b97f4a7c15ULL) >> 56);
    d->seen[bit >> 6] |= 1ULL << (bit & 63);
    res.distinct = ident_distinct(d);
    if (floor > res.distinct) res.distinct = floor;
    res.ident_weight = warden_link_weight(&l->p, kind, res.distinct);
    if (count_only) goto out;
    for (int k = 0; k < LINK_SAMPLE; k++)
        if (d->sample[k] == ah) goto out; /* already met every account sampled since */
    double w = res.ident_weight;
    for (int k = 0; k < LINK_SAMPLE && w > 0; k++) {
        uint64_t bh = d->sample[k];
        if (!bh) continue;
        uint32_t bi = acct_find(l, bh);
        if (bi == NONE) continue;
        struct acct *a = A(l, ai), *b = A(l, bi);
        if (a->org && a->org == b->org) continue; /* one declared organisation */
        if (a->cluster && a->cluster == b->cluster) continue;
        cand_add(l, a, bh, kind, w);
        cand_add(l, b, ah, kind, w);
        /* a suspect framing its prompts as a harvester does */
        if (((1u << kind) & WARDEN_LINK_WORDING) &&
            (anchored_pair(l, a, b) || anchored_pair(l, b, a))) {
            struct warden_link_join pj = {0};
            join_pooled(l, ai, bi, WARDEN_LINK_TEMPLATE, &pj);
            if (pj.joined)
                res = (struct warden_link_join){.joined = true,
                                                .kinds = pj.kinds,
                                                .via = pj.via,
                                                .pair_weight = pj.pair_weight,
                                                .distinct = res.distinct,
                                                .ident_weight = res.ident_weight};
            continue;
        }
        bool co;
        double pw = pair_weight(l, a, b, &co);
        if (pw >= l->p.join) {
            unsigned kinds =
                cand_kinds(a, bh) | cand_kinds(b, ah) | (co ? WARDEN_LINK_CO_ACTIONED : 0);
            if (join(l, ai, bi, kinds, pw)) {
                res.joined = true;
                res.kinds = kinds;
                res.via = (int)kind;
                res.pair_weight = pw;
            }
        }
    }
    d->sample[d->uses % LINK_SAMPLE] = ah;
    d->uses++;
out:
    if (out) *out = res;
}

void warden_link_use(struct warden_link *l, uint32_t ai, enum warden_link_kind kind, uint64_t key,
                     int64_t now_ms, bool count_only, struct warden_link_join *out)
{
    use(l, ai, kind, key, now_ms, count_only, 0, out);
}

void warden_link_use_frame(struct warden_link *l, uint32_t ai, uint64_t key, int64_t now_ms,
                           double senders, struct warden_link_join *out)
{
    use(l, ai, WARDEN_LINK_TEMPLATE, key, now_ms, false, senders, out);
}

/* Neighbours actioned on their own evidence too, after ai's action or its
 * harvesting mark: each pair may now join (res: the last join). */
static void co_join(struct warden_link *l, uint32_t ai, struct warden_link_join *res)
{
    struct acct *a = A(l, ai);
    for (int k = 0; l->p.co_actioned > 0 && k < LINK_CANDS; k++) {
        uint64_t bh = a->cand[k].acct;
        if (!bh || a->cand[k].strong <= 0) continue;
        uint32_t bi = acct_find(l, bh);
        if (bi == NONE) continue;
        struct acct *b = A(l, bi);
        if (!(b->flags & F_ACT) || (a->org && a->org == b->org) ||
            (a->cluster && a->cluster == b->cluster))
            continue;
        bool co;
        double pw = pair_weight(l, a, b, &co);
        if (pw < l->p.join) continue;
        unsigned kinds =
            cand_kinds(a, bh) | cand_kinds(b, a->hash) | (co ? WARDEN_LINK_CO_ACTIONED : 0);
        if (join(l, ai, bi, kinds, pw)) {
            res->joined = true;
            res->kinds = kinds;
            res->via = strongest_kind(kinds);
            res->pair_weight = pw;
        }
        /* the neighbour's own cluster changed too: it sees it at its next event */
        touch(l, b->hash);
    }
}

void warden_link_mark_actioned(struct warden_link *l, uint32_t ai, bool enforced,
                               struct warden_link_join *out)
{
    struct warden_link_join res = {0};
    struct acct *a = A(l, ai);
    struct cluster *c = a->cluster ? &l->cl[a->cluster - 1] : NULL;
    bool first = !(a->flags & F_ACT);
    if (first) {
        a->flags |= F_ACT;
        if (c) c->pub.actioned++;
    }
    bool enforced_now = enforced && !(a->flags & F_ENF);
    if (enforced_now) {
        a->flags |= F_ENF;
        if (c) c->pub.enforced++;
    }
    if (first) co_join(l, ai, &res);
    if (out) *out = res;
}

#define POOL_MAX 64 /* most accounts in a group that pools */

/* Join ai with bi as one harvesting group met through kind (res: the last join). */
static void join_pooled(struct warden_link *l, uint32_t ai, uint32_t bi, unsigned kind,
                        struct warden_link_join *res)
{
    struct acct *a = A(l, ai), *b = A(l, bi);
    if (a->cluster && a->cluster == b->cluster) return;
    bool co;
    double pw = pair_weight(l, a, b, &co);
    unsigned kinds =
        cand_kinds(a, b->hash) | cand_kinds(b, a->hash) | (1u << kind) | WARDEN_LINK_POOLED;
    if (join(l, ai, bi, kinds, pw)) {
        res->joined = true;
        res->kinds = kinds;
        res->via = (int)kind;
        res->pair_weight = pw;
    }
    touch(l, b->hash);
}

void warden_link_mark_suspect(struct warden_link *l, uint32_t ai, struct warden_link_join *out)
{
    if (out) *out = (struct warden_link_join){0};
    struct acct *a = A(l, ai);
    if (a->flags & F_SUS) return;
    a->flags |= F_SUS;
    if (a->cluster) {
        struct cluster *c = &l->cl[a->cluster - 1];
        bool before = harvest_held(l, c);
        if (c->pub.suspect < UINT8_MAX) c->pub.suspect++;
        held_mark(l, a->cluster - 1, before);
    }
    if (a->flags & F_ACT) co_join(l, ai, out);
    /* harvesters it shares a frame with */
    struct warden_link_join aj = {0};
    anchor_join(l, ai, true, &aj);
    if (aj.joined && out) *out = aj;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The sign-up wave of the group's account with hash h (g->wave_ms): the
 * sign-up times [*lo, *hi] of the run of sign-ups each within wave_ms of the
 * one before that holds its own, and how many accounts signed up in it (*n);
 * the accounts of unknown sign-up time are a wave of their own
 * (INT64_MIN, INT64_MIN). false when h is not in the group. */
static bool sign_up_wave(const struct warden_link_group *g, uint64_t h, int64_t *lo, int64_t *hi,
                         size_t *n)
{
    int64_t t[POOL_MAX], own = 0;
    size_t nt = 0, unknown = 0;
    bool found = false;
    for (size_t k = 0; k < g->n; k++) {
        if ((g->acct[k] ? g->acct[k] : 1) == h) {
            own = g->created[k];
            found = true;
        }
        if (g->created[k] == INT64_MIN)
            unknown++;
        else
            t[nt++] = g->created[k];
    }
    if (!found) return false;
    if (own == INT64_MIN) {
        *lo = *hi = INT64_MIN;
        *n = unknown;
        return true;
    }
    qsort(t, nt, sizeof *t, cmp_i64);
    size_t at = 0;
    while (t[at] != own) at++;
    size_t b = at, e = at;
    while (b > 0 && t[b] - t[b - 1] <= g->wave_ms) b--;
    while (e + 1 < nt && t[e + 1] - t[e] <= g->wave_ms) e++;
    *lo = t[b];
    *hi = t[e];
    *n = e - b + 1;
    return true;
}

void warden_link_pool_with(struct warden_link *l, uint32_t ai, const struct warden_link_group *g,
                           struct warden_link_join *out)
{
    struct warden_link_join res = {0};
    if (out) *out = res;
    struct acct *a = A(l, ai);
    if (!l->p.suspect_group || !(a->flags & F_SUS) || (a->flags & F_RSL) || g->n > POOL_MAX) return;
    uint32_t idx[POOL_MAX], other[POOL_MAX];
    int64_t other_t[POOL_MAX], wlo = INT64_MIN, whi = INT64_MAX;
    unsigned m = 0, mo = 0, sus = 0;
    bool anchored = false, waves = g->created && g->wave_ms > 0 && !g->rented;
    size_t n = g->n; /* the accounts it is read over: the group, or ai's wave */
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    if (waves && !sign_up_wave(g, a->hash, &wlo, &whi, &n)) return;
    for (size_t k = 0; k < g->n; k++) { /* an account not in the table counts as no suspect */
        if (waves && (g->created[k] < wlo || g->created[k] > whi)) continue; /* another wave */
        uint32_t bi = acct_find(l, g->acct[k] ? g->acct[k] : 1);
        if (bi == NONE) continue;
        const struct acct *b = A(l, bi);
        if (g->stay && g->stay[k]) {
            if (bi == ai) return; /* it stays with its organisation */
            continue;
        }
        if (b->flags & F_RSL) continue;
        int64_t t = g->created ? g->created[k] : INT64_MIN;
        if (!(b->flags & F_SUS) && g->rented && b->cluster &&
            harvest_held(l, &l->cl[b->cluster - 1])) {
            /* an account of an operation whose harvest is established,
             * signed up from the same machines: it counts with the suspects
             * and anchors them as a harvester does */
            sus++;
            anchored = true;
            if (bi != ai) idx[m++] = bi;
            continue;
        }
        if (!(b->flags & F_SUS)) {
            if (g->every || (t != INT64_MIN && !(g->elsewhere && g->elsewhere[k]))) {
                other[mo] = bi;
                other_t[mo++] = t;
            }
            continue;
        }
        sus++;
        /* a group names its harvester by what it shares: actioned on its own
         * harvesting evidence is enough (a common frame needs more:
         * anchored_pair) */
        if (l->p.harvest_anchor && (b->flags & F_HRV)) anchored = true;
        if (t != INT64_MIN) {
            lo = t < lo ? t : lo;
            hi = t > hi ? t : hi;
        }
        if (bi != ai) idx[m++] = bi;
    }
    /* most of the group's accounts carry harvesting evidence of their own:
     * what they share is the operation's; a company's few heavy users among
     * many colleagues are not most */
    if (2 * sus <= n) return;
    if (sus < l->p.suspect_group) {
        /* too few to be an operation by their count alone (a household's or
         * a small team's two heavy users), unless one of them is actioned on
         * its own harvesting evidence: a suspect behind the same card,
         * domain or sign-up network as that harvester is a further account
         * of the operation, diluted below every rule (cover traffic). The
         * suspects alone join; the group's other accounts stay where they
         * are. Both flags only grow, and both marks pool (the suspect's and
         * the harvester's), so the joins do not depend on their order */
        if (!anchored || sus < 2) return;
        for (unsigned k = 0; k < m; k++) join_pooled(l, ai, idx[k], g->kind, &res);
        if (out) *out = res;
        return;
    }
    for (unsigned k = 0; k < m; k++) join_pooled(l, ai, idx[k], g->kind, &res);
    /* the operation's other accounts: every one behind its card or domain;
     * on a network, those signed up from it while it was signing up its
     * harvesters (within the span of their sign-ups) that share no card or
     * domain with accounts elsewhere, and on a rented one (hosting, cloud)
     * also those signed up after the span: its later accounts from the same
     * machines; on a public anonymizer's exit (strangers sign up through it
     * in the same days) nobody but the suspects. Every condition is known
     * from the registry or only grows (suspects: the span only widens), so
     * the joins made by the last suspect's call hold all earlier calls' and
     * do not depend on the order of the calls */
    for (unsigned k = 0; k < mo; k++)
        if (g->every ||
            (lo <= hi && !g->shared_exit && other_t[k] >= lo && (other_t[k] <= hi || g->rented)))
            join_pooled(l, ai, other[k], g->kind, &res);
    if (out) *out = res;
}

bool warden_link_lone_suspect(const struct warden_link *l, uint32_t ai)
{
    return (l->accts[ai].flags & F_SUS) && !l->accts[ai].cluster;
}

bool warden_link_clustered(const struct warden_link *l, uint32_t ai)
{
    return l->accts[ai].cluster != 0;
}

bool warden_link_group_suspect(const struct warden_link *l, const struct warden_link_group *g,
                               uint64_t near, uint32_t *b)
{
    if (g->n > POOL_MAX) return false;
    int64_t wlo = INT64_MIN, whi = INT64_MAX;
    size_t n;
    bool waves = near && g->created && g->wave_ms > 0 && !g->rented;
    if (waves && !sign_up_wave(g, near, &wlo, &whi, &n)) return false;
    for (size_t k = 0; k < g->n; k++) {
        if (g->stay && g->stay[k]) continue;
        if (waves && (g->created[k] < wlo || g->created[k] > whi)) continue;
        uint32_t bi = acct_find(l, g->acct[k] ? g->acct[k] : 1);
        if (bi == NONE) continue;
        uint8_t f = l->accts[bi].flags;
        if ((f & F_SUS) && !(f & F_RSL)) {
            *b = bi;
            return true;
        }
    }
    return false;
}

void warden_link_mark_reseller(struct warden_link *l, uint32_t ai)
{
    A(l, ai)->flags |= F_RSL;
}

/* Set a once-per-account flag; the account's cluster when it was not set
 * and the account is in one (its count to raise), else NULL. */
static struct cluster *mark_once(struct warden_link *l, uint32_t ai, uint8_t flag)
{
    struct acct *a = A(l, ai);
    if (a->flags & flag) return NULL;
    a->flags |= flag;
    return a->cluster ? &l->cl[a->cluster - 1] : NULL;
}

void warden_link_mark_restricted(struct warden_link *l, uint32_t ai)
{
    struct cluster *c = mark_once(l, ai, F_RES);
    if (c && c->pub.restricted < UINT16_MAX) c->pub.restricted++;
}

void warden_link_mark_harvest(struct warden_link *l, uint32_t ai, struct warden_link_join *out)
{
    struct warden_link_join res = {0};
    bool first = !(A(l, ai)->flags & F_HRV);
    struct cluster *c = mark_once(l, ai, F_HRV);
    if (c) {
        bool before = harvest_held(l, c);
        if (c->pub.harvest < UINT16_MAX) c->pub.harvest++;
        held_mark(l, (uint32_t)(c - l->cl), before);
    }
    /* a frame shared with a neighbour harvesting too may now tie the pair */
    if (first && (A(l, ai)->flags & F_ACT) && !(A(l, ai)->flags & F_SUS)) co_join(l, ai, &res);
    /* suspects framing their prompts as it does join it */
    if (first) anchor_join(l, ai, false, &res);
    if (out) *out = res;
}

static void fill_cluster(const struct cluster *c, struct warden_link_cluster *o)
{
    *o = c->pub;
    double mean = c->pub.edges ? (double)c->wsum / (double)c->pub.edges : 0;
    o->score = mean / 2 > 1 ? 1 : mean / 2;
    o->self_actioned = o->self_enforced = o->self_restricted = false;
}

bool warden_link_sustained(const struct warden_link_cluster *c, uint32_t harvest_members)
{
    if (!harvest_members || c->harvest < harvest_members) return false;
    for (int k = 0; k < WARDEN_LINK_NKINDS; k++)
        if (k != WARDEN_LINK_TEMPLATE && c->kind_edges[k]) return true;
    return false;
}

void warden_link_cluster_of(const struct warden_link *l, uint32_t ai, struct warden_link_cluster *o)
{
    memset(o, 0, sizeof *o);
    const struct acct *a = &l->accts[ai];
    if (a->cluster) fill_cluster(&l->cl[a->cluster - 1], o);
    o->self_actioned = a->flags & F_ACT;
    o->self_enforced = a->flags & F_ENF;
    o->self_restricted = a->flags & F_RES;
}

uint64_t *warden_link_seq_mark(struct warden_link *l, uint32_t ai)
{
    return &A(l, ai)->seq_mark;
}

uint8_t *warden_link_flag_mark(struct warden_link *l, uint32_t ai)
{
    return &A(l, ai)->flag_mark;
}

void *warden_link_user(struct warden_link *l, uint32_t ai)
{
    return A(l, ai)->user;
}

void warden_link_account_id(const struct warden_link *l, uint32_t ai, const char **id, size_t *len)
{
    *id = l->accts[ai].id;
    *len = l->accts[ai].idlen;
}

void warden_link_foreach_account(struct warden_link *l,
                                 void (*fn)(void *ctx, uint32_t a, const char *id, size_t len,
                                            unsigned owner),
                                 void *ctx)
{
    size_t n = (l->acct_mask + 1) * WAYS;
    for (size_t i = 0; i < n; i++) { /* in key slot order */
        if (!l->acct_keys[i]) continue;
        const struct acct *a = &l->accts[slot_ent(l->acct_keys[i])];
        fn(ctx, slot_ent(l->acct_keys[i]), a->id, a->idlen, a->owner);
    }
}

void warden_link_foreach_member(struct warden_link *l, uint32_t ai,
                                void (*fn)(void *ctx, uint32_t a), void *ctx)
{
    if (!A(l, ai)->cluster) {
        fn(ctx, ai);
        return;
    }
    uint32_t k = ai;
    do {
        uint32_t next = A(l, k)->next;
        fn(ctx, k);
        k = next;
    } while (k != ai && k != NONE);
}

void warden_link_foreach_cluster_if(struct warden_link *l, size_t max_ids,
                                    bool (*want)(void *ctx, const struct warden_link_cluster *c),
                                    void (*fn)(void *ctx, const struct warden_link_cluster *c,
                                               const char *const *ids, size_t n),
                                    void *ctx)
{
    const char **ids = warden_xcalloc(max_ids ? max_ids : 1, sizeof *ids);
    for (size_t ci = 0; ci < l->cap_cl; ci++) {
        const struct cluster *c = &l->cl[ci];
        if (!c->pub.seq || !c->pub.live) continue;
        struct warden_link_cluster info;
        memset(&info, 0, sizeof info);
        fill_cluster(c, &info);
        if (want && !want(ctx, &info)) continue;
        size_t n = 0;
        uint32_t k = c->head;
        do {
            if (n < max_ids && A(l, k)->idlen) ids[n++] = A(l, k)->id;
            k = A(l, k)->next;
        } while (k != c->head);
        fn(ctx, &info, ids, n);
    }
    free(ids);
}

void warden_link_foreach_cluster(struct warden_link *l, size_t max_ids,
                                 void (*fn)(void *ctx, const struct warden_link_cluster *c,
                                            const char *const *ids, size_t n),
                                 void *ctx)
{
    warden_link_foreach_cluster_if(l, max_ids, NULL, fn, ctx);
}

void warden_link_stats(const struct warden_link *l, struct warden_link_stats *st)
{
    *st = l->st;
    st->clusters = l->cap_cl - l->n_free;
}

/* ---- snapshots ---- */

/* The account entries' layout in a snapshot: their size, and a flag for
 * entries saved by entry index with their key slot inside (dense entries);
 * snapshots from before, whose entries sat at their key slots, are refused
 * (the state starts empty). */
#define ACCT_LAYOUT ((uint32_t)sizeof(struct acct) | 1u << 24)

static void save_dims(const struct warden_link *l, struct warden_snapwriter *w)
{
    warden_snap_put_u64(w, l->id_mask);
    warden_snap_put_u64(w, l->acct_mask);
    warden_snap_put_u64(w, l->cap_cl);
    warden_snap_put_u32(w, (uint32_t)sizeof(struct ident));
    warden_snap_put_u32(w, ACCT_LAYOUT);
    warden_snap_put_u32(w, (uint32_t)sizeof(struct cluster));
    warden_snap_put_u64(w, l->fr ? l->fr_mask + 1 : 0); /* frame buckets */
    warden_snap_put_u32(w, (uint32_t)sizeof(struct frame));
}

int warden_link_save(struct warden_link *l, struct warden_snapwriter *w)
{
    pthread_mutex_lock(&l->mu);
    save_dims(l, w);
    warden_snap_put_u64(w, l->seq);
    warden_snap_put_u32(w, l->done);
    warden_snap_put_bytes(w, &l->st, sizeof l->st);
    size_t ni = (l->id_mask + 1) * WAYS, na = (l->acct_mask + 1) * WAYS, n = 0;
    for (size_t i = 0; i < ni; i++) n += l->id_keys[i] != 0;
    warden_snap_put_u64(w, n);
    for (size_t i = 0; i < ni; i++) {
        if (!l->id_keys[i]) continue;
        warden_snap_put_u32(w, (uint32_t)i); /* the key slot, then the entry */
        warden_snap_put_bytes(w, &l->ids[slot_ent(l->id_keys[i])], sizeof l->ids[0]);
    }
    n = 0;
    for (size_t i = 0; i < na; i++) n += l->acct_keys[i] != 0;
    warden_snap_put_u64(w, n);
    for (size_t i = 0; i < na; i++) { /* in key slot order; the entry index, then the entry */
        if (!l->acct_keys[i]) continue;
        warden_snap_put_u32(w, slot_ent(l->acct_keys[i]));
        warden_snap_put_bytes(w, &l->accts[slot_ent(l->acct_keys[i])], sizeof l->accts[0]);
    }
    warden_snap_put_u64(w, l->n_free);
    for (size_t i = 0; i < l->n_free; i++) warden_snap_put_u32(w, l->cl_free[i]);
    n = 0;
    for (size_t i = 0; i < l->cap_cl; i++) n += l->cl[i].pub.seq != 0;
    warden_snap_put_u64(w, n);
    for (size_t i = 0; i < l->cap_cl; i++) {
        if (!l->cl[i].pub.seq) continue;
        warden_snap_put_u32(w, (uint32_t)i);
        warden_snap_put_bytes(w, &l->cl[i], sizeof l->cl[i]);
    }
    warden_snap_put_bytes(w, l->touched, sizeof l->touched);
    size_t nf = l->fr ? (l->fr_mask + 1) * WAYS : 0;
    n = 0;
    for (size_t i = 0; i < nf; i++) n += l->fr[i].tag != 0;
    warden_snap_put_u64(w, n);
    for (size_t i = 0; i < nf; i++) { /* the slot, then its entry */
        if (!l->fr[i].tag) continue;
        warden_snap_put_u32(w, (uint32_t)i);
        warden_snap_put_bytes(w, &l->fr[i], sizeof l->fr[i]);
    }
    pthread_mutex_unlock(&l->mu);
    return 0;
}

static bool ring_ok(uint32_t v, size_t n)
{
    return v == NONE || v < n;
}

int warden_link_load(struct warden_link *l, struct warden_snapreader *r, unsigned shards,
                     bool reowner)
{
    uint64_t im = warden_snap_get_u64(r), am = warden_snap_get_u64(r), cc = warden_snap_get_u64(r);
    uint32_t si = warden_snap_get_u32(r), sa = warden_snap_get_u32(r), sc = warden_snap_get_u32(r);
    uint64_t fb = warden_snap_get_u64(r);
    uint32_t sf = warden_snap_get_u32(r);
    if (warden_snap_failed(r)) return WARDEN_EFORMAT;
    if (im != l->id_mask || am != l->acct_mask || cc != l->cap_cl || si != sizeof(struct ident) ||
        sa != ACCT_LAYOUT || sc != sizeof(struct cluster) || fb != (l->fr ? l->fr_mask + 1 : 0) ||
        sf != sizeof(struct frame))
        return 1;
    size_t ni = (l->id_mask + 1) * WAYS, na = (l->acct_mask + 1) * WAYS;
    pthread_mutex_lock(&l->mu);
    memset(l->ids, 0, l->id_used * sizeof *l->ids);
    memset(l->id_keys, 0, ni * sizeof *l->id_keys);
    l->id_used = 0;
    memset(l->accts, 0, l->acct_used * sizeof *l->accts);
    memset(l->acct_keys, 0, na * sizeof *l->acct_keys);
    l->acct_used = 0;
    memset(l->cl, 0, l->cap_cl * sizeof *l->cl);
    l->seq = warden_snap_get_u64(r);
    l->done |= warden_snap_get_u32(r);
    warden_snap_get_bytes(r, &l->st, sizeof l->st);
    uint64_t n = warden_snap_get_u64(r);
    for (uint64_t k = 0; k < n && !warden_snap_failed(r); k++) {
        uint32_t i = warden_snap_get_u32(r);
        struct ident d;
        warden_snap_get_bytes(r, &d, sizeof d);
        if (warden_snap_failed(r)) break;
        if (i >= ni || !d.key || l->id_keys[i] || d.kind >= WARDEN_LINK_NKINDS) {
            warden_snap_fail(r, "link state: bad identifier entry %u", i);
            break;
        }
        l->ids[l->id_used] = d;
        l->id_keys[i] = slot_val(d.key, (uint32_t)l->id_used++);
    }
    n = warden_snap_failed(r) ? 0 : warden_snap_get_u64(r);
    for (uint64_t k = 0; k < n && !warden_snap_failed(r); k++) {
        uint32_t i = warden_snap_get_u32(r);
        struct acct a;
        warden_snap_get_bytes(r, &a, sizeof a);
        if (warden_snap_failed(r)) break;
        if (i >= na || !a.hash || a.slot >= na || l->acct_keys[a.slot] || A(l, i)->hash ||
            a.cluster > l->cap_cl || !ring_ok(a.prev, na) || !ring_ok(a.next, na) ||
            a.idlen > WARDEN_LINK_MAX_ID) {
            warden_snap_fail(r, "link state: bad account entry %u", i);
            break;
        }
        if (reowner && a.owner != WARDEN_LINK_NO_OWNER && shards)
            a.owner = (uint8_t)(a.hash % shards);
        l->accts[i] = a;
        l->acct_keys[a.slot] = slot_val(a.hash, i);
        if (i >= l->acct_used) l->acct_used = i + 1;
    }
    n = warden_snap_failed(r) ? 0 : warden_snap_get_u64(r);
    if (n > l->cap_cl) warden_snap_fail(r, "link state: %llu free clusters", (unsigned long long)n);
    l->n_free = 0;
    for (uint64_t k = 0; k < n && !warden_snap_failed(r); k++) {
        uint32_t c = warden_snap_get_u32(r);
        if (c >= l->cap_cl) warden_snap_fail(r, "link state: free cluster %u", c);
        l->cl_free[l->n_free++] = c;
    }
    n = warden_snap_failed(r) ? 0 : warden_snap_get_u64(r);
    for (uint64_t k = 0; k < n && !warden_snap_failed(r); k++) {
        uint32_t i = warden_snap_get_u32(r);
        struct cluster c;
        warden_snap_get_bytes(r, &c, sizeof c);
        if (warden_snap_failed(r)) break;
        if (i >= l->cap_cl || !c.pub.seq || !ring_ok(c.head, na)) {
            warden_snap_fail(r, "link state: bad cluster entry %u", i);
            break;
        }
        l->cl[i] = c;
    }
    warden_snap_get_bytes(r, l->touched, sizeof l->touched);
    size_t nf = l->fr ? (l->fr_mask + 1) * WAYS : 0;
    if (nf) memset(l->fr, 0, nf * sizeof *l->fr);
    n = warden_snap_failed(r) ? 0 : warden_snap_get_u64(r);
    for (uint64_t k = 0; k < n && !warden_snap_failed(r); k++) {
        uint32_t i = warden_snap_get_u32(r);
        struct frame f;
        warden_snap_get_bytes(r, &f, sizeof f);
        if (warden_snap_failed(r)) break;
        if (i >= nf || !f.tag || l->fr[i].tag) {
            warden_snap_fail(r, "link state: bad frame entry %u", i);
            break;
        }
        l->fr[i] = f;
    }
    pthread_mutex_unlock(&l->mu);
    return warden_snap_failed(r) ? WARDEN_EFORMAT : 0;
}
