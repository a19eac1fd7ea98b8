/* test_link.c — cross-account linking state (link/link.h): each edge kind
 * joins or not as its weight says, common identifiers stop counting, one
 * declared organisation is never linked, clusters merge and relabel, and a
 * cluster of 10,000 accounts forms in the memory fixed at creation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/hash.h"
#include "core/snapio.h"
#include "link/link.h"

/* Weights of the test (the detector's defaults are policy data). */
static struct warden_link_params params(size_t accounts, size_t idents, size_t clusters)
{
    struct warden_link_params p;
    memset(&p, 0, sizeof p);
    double w[WARDEN_LINK_NKINDS] = {0.35, 0.25, 0.5, 1.0, 0.25, 0.5, 0.6, 0.6};
    double cap[WARDEN_LINK_NKINDS] = {64, 64, 32, 512, 128, 256, 256, 256};
    memcpy(p.weight, w, sizeof w);
    memcpy(p.cap, cap, sizeof cap);
    p.join = 1.0;
    p.infra_max = 0.7;
    p.max_accounts = accounts;
    p.max_idents = idents;
    p.max_clusters = clusters;
    return p;
}

static uint32_t acct(struct warden_link *l, int i, uint32_t org)
{
    char id[32];
    int n = snprintf(id, sizeof id, "a%d", i);
    return warden_link_account(l, warden_hash64(id, (size_t)n), id, (size_t)n, org, 1000, 0);
}

static uint64_t key(enum warden_link_kind k, const char *v)
{
    return warden_link_key(k, v, strlen(v));
}

static void use(struct warden_link *l, int i, enum warden_link_kind k, const char *v)
{
    uint32_t a = acct(l, i, 0);
    warden_link_use(l, a, k, key(k, v), 1000, false, NULL);
}

static uint64_t seq(struct warden_link *l, int i)
{
    struct warden_link_cluster c;
    warden_link_cluster_of(l, acct(l, i, 0), &c);
    return c.seq;
}

/* Two accounts share the given kinds; are they joined? */
static bool pair_joins(unsigned kinds)
{
    struct warden_link_params p = params(64, 256, 16);
    struct warden_link *l = warden_link_new(&p);
    for (int k = 0; k < WARDEN_LINK_NKINDS; k++) {
        if (!(kinds & (1u << k))) continue;
        use(l, 1, (enum warden_link_kind)k, "shared");
        use(l, 2, (enum warden_link_kind)k, "shared");
    }
    bool joined = seq(l, 1) != 0 && seq(l, 1) == seq(l, 2);
    warden_link_free(l);
    return joined;
}

#define K(x) (1u << WARDEN_LINK_##x)

static void each_kind_alone(void **st)
{
    (void)st;
    /* a shared payment instrument alone is enough; nothing else is */
    assert_true(pair_joins(K(PAYMENT)));
    assert_false(pair_joins(K(NET)));
    assert_false(pair_joins(K(CLIENT)));
    assert_false(pair_joins(K(SIGNUP_IP)));
    assert_false(pair_joins(K(EMAIL)));
    assert_false(pair_joins(K(BURST)));
    assert_false(pair_joins(K(TEMPLATE)));
    assert_false(pair_joins(K(SYSTEM)));
}

static void combinations(void **st)
{
    (void)st;
    /* infrastructure alone never joins, however much of it is shared */
    assert_false(pair_joins(K(NET) | K(CLIENT) | K(SIGNUP_IP)));
    /* a template over the same network and client software does */
    assert_true(pair_joins(K(TEMPLATE) | K(NET) | K(CLIENT)));
    assert_false(pair_joins(K(TEMPLATE) | K(NET)));
    /* a sign-up burst from one address */
    assert_true(pair_joins(K(BURST) | K(SIGNUP_IP)));
    assert_true(pair_joins(K(BURST) | K(TEMPLATE)));
    /* a company domain behind its own egress is not enough */
    assert_false(pair_joins(K(EMAIL) | K(NET) | K(CLIENT) | K(SIGNUP_IP)));
    assert_true(pair_joins(K(EMAIL) | K(TEMPLATE) | K(NET) | K(CLIENT)));
    /* a frame and a system prompt are one family, weighed once: what a prompt says never joins
     * two accounts alone, nor with one infrastructure kind */
    assert_false(pair_joins(K(TEMPLATE) | K(SYSTEM)));
    assert_false(pair_joins(K(TEMPLATE) | K(SYSTEM) | K(NET)));
    assert_true(pair_joins(K(SYSTEM) | K(NET) | K(CLIENT)));
    assert_true(pair_joins(K(SYSTEM) | K(BURST)));
}

static void weight_rule(void **st)
{
    (void)st;
    struct warden_link_params p = params(64, 64, 4);
    assert_true(warden_link_weight(&p, WARDEN_LINK_NET, 2) == p.weight[WARDEN_LINK_NET]);
    assert_true(warden_link_weight(&p, WARDEN_LINK_NET, 8) == p.weight[WARDEN_LINK_NET]);
    double w16 = warden_link_weight(&p, WARDEN_LINK_NET, 16);
    double w32 = warden_link_weight(&p, WARDEN_LINK_NET, 32);
    assert_true(w16 < p.weight[WARDEN_LINK_NET] && w32 < w16 && w32 > 0);
    assert_true(warden_link_weight(&p, WARDEN_LINK_NET, 64) == 0);
    assert_true(warden_link_weight(&p, WARDEN_LINK_NET, 5000) == 0);
}

/* 400 strangers behind one NAT /24, one popular client, one webmail-like
 * shared domain and one SaaS template: the identifiers become common and
 * nobody is joined, while a real pair among them (shared card) still is. */
static void common_identifiers_do_not_merge(void **st)
{
    (void)st;
    struct warden_link_params p = params(1024, 4096, 64);
    struct warden_link *l = warden_link_new(&p);
    struct warden_link_join j;
    double last_w = 1;
    for (int i = 0; i < 400; i++) {
        uint32_t a = acct(l, i, 0);
        warden_link_use(l, a, WARDEN_LINK_NET, key(WARDEN_LINK_NET, "nat"), 1000, false, NULL);
        warden_link_use(l, a, WARDEN_LINK_CLIENT, key(WARDEN_LINK_CLIENT, "sdk"), 1000, false,
                        NULL);
        warden_link_use(l, a, WARDEN_LINK_EMAIL, key(WARDEN_LINK_EMAIL, "corp"), 1000, false, NULL);
        warden_link_use(l, a, WARDEN_LINK_TEMPLATE, key(WARDEN_LINK_TEMPLATE, "app"), 1000, false,
                        &j);
        last_w = j.ident_weight;
    }
    assert_true(last_w == 0);
    struct warden_link_stats s;
    warden_link_stats(l, &s);
    /* the first accounts meet while the identifiers are still rare and may
     * pair (template + network + client: the warm-up link.h documents);
     * once they are common nobody joins */
    assert_true(s.clusters <= 4);
    for (int i = 64; i < 398; i++) assert_int_equal(seq(l, i), 0);
    use(l, 398, WARDEN_LINK_PAYMENT, "card-x");
    use(l, 399, WARDEN_LINK_PAYMENT, "card-x");
    assert_true(seq(l, 398) != 0 && seq(l, 398) == seq(l, 399));
    warden_link_free(l);
}

static void same_org_never_linked(void **st)
{
    (void)st;
    struct warden_link_params p = params(64, 256, 16);
    struct warden_link *l = warden_link_new(&p);
    uint32_t a = acct(l, 1, 77), b = acct(l, 2, 77);
    warden_link_use(l, a, WARDEN_LINK_PAYMENT, key(WARDEN_LINK_PAYMENT, "c"), 1000, false, NULL);
    b = acct(l, 2, 77);
    warden_link_use(l, b, WARDEN_LINK_PAYMENT, key(WARDEN_LINK_PAYMENT, "c"), 1000, false, NULL);
    assert_int_equal(seq(l, 1), 0);
    assert_int_equal(seq(l, 2), 0);
    warden_link_free(l);
}

static void clusters_merge(void **st)
{
    (void)st;
    struct warden_link_params p = params(256, 1024, 16);
    struct warden_link *l = warden_link_new(&p);
    for (int i = 0; i < 5; i++) use(l, i, WARDEN_LINK_PAYMENT, "card-a");
    for (int i = 10; i < 13; i++) use(l, i, WARDEN_LINK_PAYMENT, "card-b");
    assert_true(seq(l, 0) != seq(l, 10));
    uint32_t a = acct(l, 2, 0);
    warden_link_mark_actioned(l, a, true, NULL);
    /* one bridge: both clusters become one, every member relabelled */
    use(l, 4, WARDEN_LINK_PAYMENT, "card-c");
    use(l, 12, WARDEN_LINK_PAYMENT, "card-c");
    uint64_t s = seq(l, 0);
    for (int i = 0; i < 5; i++) assert_int_equal(seq(l, i), s);
    for (int i = 10; i < 13; i++) assert_int_equal(seq(l, i), s);
    struct warden_link_cluster c;
    warden_link_cluster_of(l, acct(l, 11, 0), &c);
    assert_int_equal(c.size, 8);
    assert_int_equal(c.live, 8);
    assert_int_equal(c.actioned, 1);
    assert_int_equal(c.enforced, 1);
    assert_true(c.kind_edges[WARDEN_LINK_PAYMENT] >= 7);
    warden_link_free(l);
}

/* A frame: two of its template identifiers (LSH bands of one sketch). */
static void frame(struct warden_link *l, int i, const char *v)
{
    char band[64];
    for (int b = 0; b < 2; b++) {
        snprintf(band, sizeof band, "%s/band%d", v, b);
        use(l, i, WARDEN_LINK_TEMPLATE, band);
    }
}

/* Accounts a and b actioned on their own evidence, a first: whether that
 * joined them (into one cluster, b's action naming the join). */
static bool actions_join(struct warden_link *l, int a, int b)
{
    struct warden_link_join j;
    warden_link_mark_actioned(l, acct(l, a, 0), true, NULL);
    warden_link_mark_actioned(l, acct(l, b, 0), false, &j);
    return j.joined && seq(l, a) != 0 && seq(l, a) == seq(l, b);
}

/* Two accounts each actioned on their own evidence, and harvesting on their
 * own evidence, that share a frame are joined (0.6 + co_actioned 0.4),
 * whichever came first, the frame, the actions or the harvesting marks;
 * shared infrastructure or a domain alone still joins no one, nor does one
 * template band alike (a chance match), a frame between accounts not both
 * actioned, or not both harvesting (an account actioned on other evidence
 * that uses a public harvesting frame), or with a declared reseller, nor
 * anything with co_actioned 0. */
static void actioned_pair_sharing_a_frame(void **st)
{
    (void)st;
    struct warden_link_params p = params(256, 1024, 16);
    p.co_actioned = 0.4;
    struct warden_link *l = warden_link_new(&p);
    struct warden_link_join j;
    /* the frame first, then the harvesting marks and the actions */
    frame(l, 1, "frame-a");
    frame(l, 2, "frame-a");
    assert_int_equal(seq(l, 1), 0);
    warden_link_mark_harvest(l, acct(l, 1, 0), &j);
    assert_false(j.joined);
    warden_link_mark_harvest(l, acct(l, 2, 0), &j);
    assert_false(j.joined); /* harvesting but not actioned: not joined */
    warden_link_mark_actioned(l, acct(l, 1, 0), false, &j);
    assert_false(j.joined);
    assert_int_equal(seq(l, 1), 0);
    warden_link_mark_actioned(l, acct(l, 2, 0), false, &j);
    assert_true(j.joined);
    assert_true(j.kinds & (1u << WARDEN_LINK_TEMPLATE));
    assert_true(j.kinds & WARDEN_LINK_CO_ACTIONED);
    assert_int_equal(j.via, WARDEN_LINK_TEMPLATE);
    assert_true(j.pair_weight >= 1.0);
    assert_true(seq(l, 1) != 0 && seq(l, 1) == seq(l, 2));
    /* the actions first, then the frame */
    warden_link_mark_actioned(l, acct(l, 5, 0), true, NULL);
    warden_link_mark_actioned(l, acct(l, 6, 0), false, NULL);
    warden_link_mark_harvest(l, acct(l, 5, 0), NULL);
    warden_link_mark_harvest(l, acct(l, 6, 0), NULL);
    frame(l, 5, "frame-b");
    assert_int_equal(seq(l, 5), 0);
    frame(l, 6, "frame-b");
    assert_true(seq(l, 5) != 0 && seq(l, 5) == seq(l, 6));
    /* both actioned, one on other evidence (a screening match) in a public
     * frame: apart; once it is found harvesting too (the mark after the
     * action), the mark joins them */
    frame(l, 15, "frame-f");
    frame(l, 16, "frame-f");
    warden_link_mark_actioned(l, acct(l, 15, 0), true, NULL);
    warden_link_mark_harvest(l, acct(l, 15, 0), NULL);
    warden_link_mark_actioned(l, acct(l, 16, 0), false, &j);
    assert_false(j.joined);
    assert_int_equal(seq(l, 16), 0);
    warden_link_mark_harvest(l, acct(l, 16, 0), &j);
    assert_true(j.joined);
    assert_true(j.kinds & WARDEN_LINK_CO_ACTIONED);
    assert_true(seq(l, 15) != 0 && seq(l, 15) == seq(l, 16));
    /* harvesting evidence held below every rule (a suspect) counts as
     * harvesting: the suspect's mark joins it to an actioned harvester */
    frame(l, 17, "frame-g");
    frame(l, 18, "frame-g");
    warden_link_mark_actioned(l, acct(l, 17, 0), true, NULL);
    warden_link_mark_harvest(l, acct(l, 17, 0), NULL);
    warden_link_mark_actioned(l, acct(l, 18, 0), false, NULL);
    assert_int_equal(seq(l, 18), 0);
    warden_link_mark_suspect(l, acct(l, 18, 0), &j);
    assert_true(j.joined);
    assert_true(seq(l, 17) != 0 && seq(l, 17) == seq(l, 18));
    /* neither harvesting: a frame and two actions stay apart */
    frame(l, 19, "frame-h");
    frame(l, 20, "frame-h");
    assert_false(actions_join(l, 19, 20));
    assert_int_equal(seq(l, 19), 0);
    /* infrastructure alone (network + client: 0.6 + 0.4 would reach 1.0) */
    use(l, 3, WARDEN_LINK_NET, "net-x");
    use(l, 3, WARDEN_LINK_CLIENT, "client-x");
    use(l, 4, WARDEN_LINK_NET, "net-x");
    use(l, 4, WARDEN_LINK_CLIENT, "client-x");
    assert_false(actions_join(l, 3, 4));
    assert_int_equal(seq(l, 3), 0);
    /* an e-mail domain alone: 0.25 + 0.4 */
    use(l, 7, WARDEN_LINK_EMAIL, "corp.example");
    use(l, 8, WARDEN_LINK_EMAIL, "corp.example");
    assert_false(actions_join(l, 7, 8));
    assert_int_equal(seq(l, 7), 0);
    /* a frame shared with an account that is not actioned */
    frame(l, 9, "frame-c");
    frame(l, 10, "frame-c");
    warden_link_mark_harvest(l, acct(l, 9, 0), NULL);
    warden_link_mark_harvest(l, acct(l, 10, 0), NULL);
    warden_link_mark_actioned(l, acct(l, 9, 0), true, NULL);
    assert_int_equal(seq(l, 9), 0);
    assert_int_equal(seq(l, 10), 0);
    /* one band alike: a chance match of 16 bits */
    use(l, 13, WARDEN_LINK_TEMPLATE, "band-e");
    use(l, 14, WARDEN_LINK_TEMPLATE, "band-e");
    warden_link_mark_harvest(l, acct(l, 13, 0), NULL);
    warden_link_mark_harvest(l, acct(l, 14, 0), NULL);
    assert_false(actions_join(l, 13, 14));
    assert_int_equal(seq(l, 13), 0);
    /* a declared reseller carries its end users' frames: never joined for being actioned */
    warden_link_mark_reseller(l, acct(l, 11, 0));
    frame(l, 11, "frame-d");
    frame(l, 12, "frame-d");
    warden_link_mark_harvest(l, acct(l, 11, 0), NULL);
    warden_link_mark_harvest(l, acct(l, 12, 0), NULL);
    assert_false(actions_join(l, 12, 11));
    assert_int_equal(seq(l, 11), 0);
    warden_link_free(l);

    /* co_actioned 0: a frame and two harvesters' actions stay apart */
    p.co_actioned = 0;
    l = warden_link_new(&p);
    frame(l, 1, "frame-a");
    frame(l, 2, "frame-a");
    warden_link_mark_harvest(l, acct(l, 1, 0), NULL);
    warden_link_mark_harvest(l, acct(l, 2, 0), NULL);
    assert_false(actions_join(l, 1, 2));
    assert_int_equal(seq(l, 1), 0);
    warden_link_free(l);
}

/* Accounts 2k and 2k+1 share one card, 2k+1 and 2k+2 another: a chain of
 * 10,000 accounts forms one cluster, in memory fixed at creation. */
static void chain(struct warden_link *l, int n)
{
    for (int i = 0; i < n; i++) {
        char v[32];
        snprintf(v, sizeof v, "p%d", i / 2);
        use(l, i, WARDEN_LINK_PAYMENT, v);
        snprintf(v, sizeof v, "q%d", (i + 1) / 2);
        use(l, i, WARDEN_LINK_PAYMENT, v);
    }
}

static void ten_thousand_in_bounded_memory(void **st)
{
    (void)st;
    struct warden_link_params p = params(16384, 32768, 256);
    struct warden_link *l = warden_link_new(&p);
    size_t bytes = warden_link_memory_bytes(l);
    chain(l, 10000);
    assert_int_equal(warden_link_memory_bytes(l), bytes);
    struct warden_link_cluster c;
    warden_link_cluster_of(l, acct(l, 0, 0), &c);
    assert_int_equal(c.size, 10000);
    assert_int_equal(c.live, 10000);
    for (int i = 0; i < 10000; i += 97) assert_int_equal(seq(l, i), c.seq);
    struct warden_link_stats s;
    warden_link_stats(l, &s);
    assert_int_equal(s.clusters, 1);
    /* the documented budget: well under 64 bytes x 10,000 per structure x 16 */
    assert_true(bytes < (size_t)16 << 20);
    warden_link_free(l);

    /* a table smaller than the cluster: accounts are replaced, memory stays */
    p = params(2048, 4096, 64);
    l = warden_link_new(&p);
    bytes = warden_link_memory_bytes(l);
    chain(l, 10000);
    assert_int_equal(warden_link_memory_bytes(l), bytes);
    warden_link_stats(l, &s);
    assert_true(s.accounts_replaced > 0);
    assert_true(s.clusters <= 64);
    warden_link_free(l);
}

/* The account i carries harvesting evidence of its own. */
static void suspect(struct warden_link *l, int i)
{
    warden_link_mark_suspect(l, acct(l, i, 0), NULL);
}

static uint8_t suspects_in(struct warden_link *l, int i)
{
    struct warden_link_cluster c;
    warden_link_cluster_of(l, acct(l, i, 0), &c);
    return c.suspect;
}

/* Accounts first .. first + n - 1 in the table; their hashes into h. */
static void group(struct warden_link *l, int first, int n, uint64_t *h)
{
    for (int i = 0; i < n; i++) {
        char id[32];
        int len = snprintf(id, sizeof id, "a%d", first + i);
        h[i] = warden_hash64(id, (size_t)len);
        acct(l, first + i, 0);
    }
}

/* Suspect i pools over the accounts behind one card or domain (h[0..n));
 * returns whether that joined it. */
static bool pool_every(struct warden_link *l, int i, const uint64_t *h, size_t n)
{
    struct warden_link_group g = {.acct = h, .n = n, .kind = WARDEN_LINK_EMAIL, .every = true};
    struct warden_link_join j;
    warden_link_pool_with(l, acct(l, i, 0), &g, &j);
    return j.joined;
}

/* Suspect i pools over a sign-up network (h[0..n), sign-up times t, may be
 * NULL; elsewhere may be NULL) whose flags are net: NET_SHARED a public
 * anonymizer's exit, NET_RENTED hosting or cloud. */
enum { NET_SHARED = 1, NET_RENTED = 2 };
static bool pool_net_as(struct warden_link *l, int i, const uint64_t *h, const int64_t *t, size_t n,
                        const uint8_t *elsewhere, int net, struct warden_link_join *j)
{
    struct warden_link_group g = {.acct = h,
                                  .n = n,
                                  .kind = WARDEN_LINK_SIGNUP_IP,
                                  .created = t,
                                  .elsewhere = elsewhere,
                                  .shared_exit = (net & NET_SHARED) != 0,
                                  .rented = (net & NET_RENTED) != 0};
    warden_link_pool_with(l, acct(l, i, 0), &g, j);
    return j->joined;
}

static bool pool_net(struct warden_link *l, int i, const uint64_t *h, const int64_t *t, size_t n,
                     const uint8_t *elsewhere, bool shared, struct warden_link_join *j)
{
    return pool_net_as(l, i, h, t, n, elsewhere, shared ? NET_SHARED : 0, j);
}

/* Accounts with harvesting evidence of their own (each held below every
 * rule) behind one e-mail domain or card: when they are most of the
 * accounts behind it (and at least suspect_group), every account behind it
 * joins, whichever suspect comes last; a company's few heavy users among
 * many colleagues join no one. A non-suspect asking, a declared reseller,
 * colleagues of one declared organisation, a group over 64 accounts and
 * suspect_group 0 never pool. */
static void suspects_pooled_by_what_an_operation_shares(void **st)
{
    (void)st;
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 3;
    for (int order = 0; order < 2; order++) {
        struct warden_link *l = warden_link_new(&p);
        uint64_t h[5]; /* a throwaway domain of 5 accounts (1..5) */
        group(l, 1, 5, h);
        static const int first[] = {1, 5, 3}, last[] = {3, 5, 1};
        const int *seqn = order ? last : first;
        suspect(l, seqn[0]);
        assert_false(pool_every(l, seqn[0], h, 5));
        suspect(l, seqn[1]);
        assert_false(pool_every(l, seqn[1], h, 5));
        assert_int_equal(seq(l, 1), 0);       /* two are no group */
        assert_false(pool_every(l, 2, h, 5)); /* a non-suspect asking */
        suspect(l, seqn[2]);
        assert_true(pool_every(l, seqn[2], h, 5)); /* three of five: the operation's */
        assert_true(seq(l, 1) != 0);
        for (int i = 2; i <= 5; i++) assert_int_equal(seq(l, i), seq(l, 1));
        assert_int_equal(suspects_in(l, 1), 3);
        suspect(l, 3);                        /* once per account */
        assert_false(pool_every(l, 3, h, 5)); /* nothing more to join */
        assert_int_equal(suspects_in(l, 1), 3);

        /* a company domain of 12 accounts (20..31) with three heavy users */
        uint64_t c[12];
        group(l, 20, 12, c);
        for (int i = 20; i <= 24; i += 2) {
            suspect(l, i);
            assert_false(pool_every(l, i, c, 12));
        }
        for (int i = 20; i < 32; i++) assert_int_equal(seq(l, i), 0);

        /* a declared reseller is never counted, nor pools */
        uint64_t r[3];
        group(l, 50, 3, r);
        warden_link_mark_reseller(l, acct(l, 50, 0));
        for (int i = 50; i < 53; i++) {
            suspect(l, i);
            assert_false(pool_every(l, i, r, 3));
        }
        assert_int_equal(seq(l, 51), 0);

        /* colleagues of one declared organisation (stay) count as no
         * suspects and are never joined: four suspects of six join
         * without the two colleagues; a colleague asking pools nothing */
        uint64_t o[6];
        const uint8_t stay[6] = {0, 0, 0, 0, 1, 1};
        group(l, 60, 6, o);
        for (int i = 60; i < 66; i++) suspect(l, i);
        struct warden_link_group og = {
            .acct = o, .stay = stay, .n = 6, .kind = WARDEN_LINK_EMAIL, .every = true};
        struct warden_link_join oj;
        warden_link_pool_with(l, acct(l, 64, 0), &og, &oj);
        assert_false(oj.joined);
        warden_link_pool_with(l, acct(l, 60, 0), &og, &oj);
        assert_true(oj.joined); /* four of six: 60..63 */
        for (int i = 61; i < 64; i++) assert_int_equal(seq(l, i), seq(l, 60));
        assert_int_equal(seq(l, 64), 0);
        assert_int_equal(seq(l, 65), 0);
        uint64_t o2[5];
        group(l, 70, 5, o2); /* 70, 71 suspects, 72, 73 colleagues (suspects), 74 not */
        const uint8_t stay2[5] = {0, 0, 1, 1, 0};
        for (int i = 70; i < 74; i++) suspect(l, i);
        og = (struct warden_link_group){
            .acct = o2, .stay = stay2, .n = 5, .kind = WARDEN_LINK_EMAIL, .every = true};
        warden_link_pool_with(l, acct(l, 70, 0), &og, &oj);
        assert_false(oj.joined); /* two suspects: the colleagues are none */
        assert_int_equal(seq(l, 70), 0);

        /* 65 accounts, 60 of them suspects: too common to say anything */
        uint64_t big[65];
        group(l, 100, 65, big);
        for (int i = 100; i < 160; i++) {
            suspect(l, i);
            assert_false(pool_every(l, i, big, 65));
        }
        assert_int_equal(seq(l, 100), 0);
        warden_link_free(l);
    }

    /* suspect_group 0: never */
    p.suspect_group = 0;
    struct warden_link *l = warden_link_new(&p);
    uint64_t h[3];
    group(l, 1, 3, h);
    for (int i = 1; i <= 3; i++) {
        suspect(l, i);
        assert_false(pool_every(l, i, h, 3));
    }
    assert_int_equal(seq(l, 1), 0);
    warden_link_free(l);
}

/* The "most of" rule over a group the caller knows (accounts that signed
 * up from one network): most of the group's accounts are suspects, so a
 * suspect among them is joined with the other suspects, and with the
 * group's other accounts only when they signed up within the span of the
 * suspects' sign-ups and share no card or domain with accounts elsewhere
 * (the caller's elsewhere flags: a neighbour who signed up before or after,
 * or whose sign-up time is unknown, stays apart);
 * fewer than most, or fewer than suspect_group, join no one. */
static void suspects_pooled_over_a_known_group(void **st)
{
    (void)st;
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 3;
    struct warden_link *l = warden_link_new(&p);
    uint64_t g[7];
    const int64_t day = 86400000;
    /* suspects 60..62 signed up on days 10, 20, 14; 63 on day 30 (after),
     * 64 on day 2 (before), 65 on day 12 (within), 66 unknown */
    int64_t t[7] = {10 * day, 20 * day, 14 * day, 30 * day, 2 * day, 12 * day, INT64_MIN};
    group(l, 60, 7, g);
    struct warden_link_join j;
    suspect(l, 60);
    suspect(l, 61);
    pool_net(l, 61, g, t, 5, NULL, false, &j);
    assert_false(j.joined); /* 2 of 5 */
    suspect(l, 62);
    pool_net(l, 62, g, NULL, 5, NULL, false, &j);
    assert_true(j.joined); /* 3 of 5, suspects only without sign-up times */
    assert_true(j.kinds & WARDEN_LINK_POOLED);
    assert_true(j.kinds & (1u << WARDEN_LINK_SIGNUP_IP));
    assert_true(seq(l, 60) != 0 && seq(l, 60) == seq(l, 61) && seq(l, 61) == seq(l, 62));
    assert_int_equal(seq(l, 63), 0); /* the neighbours that are no suspects stay apart */
    assert_int_equal(seq(l, 64), 0);
    /* a non-suspect asking joins no one */
    pool_net(l, 63, g, t, 5, NULL, false, &j);
    assert_false(j.joined);
    /* with the sign-up times, 3 of 7: not most */
    pool_net(l, 62, g, t, 7, NULL, false, &j);
    assert_false(j.joined);
    assert_int_equal(seq(l, 65), 0);
    /* 3 of 5 with the times: a5 (day 12) is not in the group of five */
    pool_net(l, 62, g, t, 5, NULL, false, &j);
    assert_int_equal(seq(l, 63), 0); /* day 30: after the span 10..20 */
    assert_int_equal(seq(l, 64), 0); /* day 2: before it */
    /* a fourth suspect makes 4 of 7 most: day 12 joins, the others do not */
    suspect(l, 66);
    pool_net(l, 66, g, t, 7, NULL, false, &j);
    assert_true(j.joined);
    assert_true(seq(l, 65) != 0 && seq(l, 65) == seq(l, 60)); /* within the span */
    assert_int_equal(seq(l, 63), 0);
    assert_int_equal(seq(l, 64), 0);
    assert_true(seq(l, 66) == seq(l, 60)); /* a suspect without a known time joins */
    /* a non-suspect that shares a card with an account outside the network
     * stays with it (read from the registry's links: not from cluster
     * membership, which depends on the order of requests) */
    uint64_t h[5];
    int64_t u[5] = {10 * day, 11 * day, 12 * day, 11 * day, 11 * day};
    const uint8_t elsewhere[5] = {0, 0, 0, 1, 0};
    group(l, 80, 5, h);
    use(l, 83, WARDEN_LINK_PAYMENT, "elsewhere");
    use(l, 90, WARDEN_LINK_PAYMENT, "elsewhere");
    uint64_t other = seq(l, 83);
    assert_true(other != 0);
    suspect(l, 80);
    suspect(l, 81);
    suspect(l, 82);
    pool_net(l, 82, h, u, 5, elsewhere, false, &j);
    assert_true(j.joined);
    assert_true(seq(l, 84) != 0 && seq(l, 84) == seq(l, 80)); /* day 11, in no cluster */
    assert_int_equal(seq(l, 83), other);                      /* in its own cluster */
    /* three suspects among seven: not most */
    uint64_t q[7];
    group(l, 70, 7, q);
    suspect(l, 70);
    suspect(l, 71);
    suspect(l, 72);
    pool_net(l, 72, q, NULL, 7, NULL, false, &j);
    assert_false(j.joined);
    assert_int_equal(seq(l, 70), 0);
    warden_link_free(l);
}

/* On a rented network (hosting, cloud: machines, where no one lives) the
 * operation's accounts signed up after its suspects' span join too: its
 * later accounts from the machines it signed the first ones up from (a
 * joiner weeks after the ring was pooled). Before the span, sharing a card
 * or domain with an account elsewhere, or on a network that is not rented
 * (an ISP's /24: a household that signs up there later), they stay apart. */
static void later_signups_on_a_rented_network(void **st)
{
    (void)st;
    const int64_t day = 86400000;
    /* suspects 10..13 on days 10, 14, 20, 12; 14 on day 45 (after the
     * span); 15 on day 2 (before); 16 on day 50, sharing a card with an
     * account elsewhere: four suspects of seven, most */
    int64_t t[7] = {10 * day, 14 * day, 20 * day, 12 * day, 45 * day, 2 * day, 50 * day};
    const uint8_t elsewhere[7] = {0, 0, 0, 0, 0, 0, 1};
    for (int rented = 0; rented < 2; rented++) {
        struct warden_link_params p = params(1024, 4096, 64);
        p.suspect_group = 3;
        struct warden_link *l = warden_link_new(&p);
        uint64_t g[7];
        group(l, 10, 7, g);
        struct warden_link_join j;
        for (int i = 10; i < 14; i++) {
            suspect(l, i);
            pool_net_as(l, i, g, t, 7, elsewhere, rented ? NET_RENTED : 0, &j);
        }
        assert_true(j.joined);
        assert_true(seq(l, 10) != 0 && seq(l, 10) == seq(l, 13));
        if (rented)
            assert_true(seq(l, 14) == seq(l, 10)); /* day 45, after the span */
        else
            assert_int_equal(seq(l, 14), 0); /* an ISP's /24: a household later */
        assert_int_equal(seq(l, 15), 0);     /* day 2, before it */
        assert_int_equal(seq(l, 16), 0);     /* with its card's accounts elsewhere */
        warden_link_free(l);
    }
    /* never on a public anonymizer's exit, even when said to be rented */
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 3;
    struct warden_link *l = warden_link_new(&p);
    uint64_t g[4];
    int64_t u[4] = {10 * day, 14 * day, 20 * day, 45 * day};
    group(l, 20, 4, g);
    struct warden_link_join j;
    for (int i = 20; i < 23; i++) suspect(l, i);
    assert_true(pool_net_as(l, 22, g, u, 4, NULL, NET_SHARED | NET_RENTED, &j));
    assert_int_equal(seq(l, 23), 0);
    warden_link_free(l);
}

/* Suspect i pools over a sign-up network read as sign-up waves of wave
 * days (0: whole) with flags net. */
static bool pool_waves(struct warden_link *l, int i, const uint64_t *h, const int64_t *t, size_t n,
                       int net, int wave)
{
    struct warden_link_group g = {.acct = h,
                                  .n = n,
                                  .kind = WARDEN_LINK_SIGNUP_IP,
                                  .created = t,
                                  .shared_exit = (net & NET_SHARED) != 0,
                                  .rented = (net & NET_RENTED) != 0,
                                  .wave_ms = (int64_t)wave * 86400000};
    struct warden_link_join j;
    warden_link_pool_with(l, acct(l, i, 0), &g, &j);
    return j.joined;
}

/* On people's lines (an ISP's /24, a residential proxy's exit) a network
 * is read as its sign-up waves: a heavy reasoning-model user who signed up
 * there weeks before a harvester is not pooled with it, though the two are
 * two suspects of three; an operation that signed its accounts up within
 * days is pooled as before, and now also where the network's households,
 * signed up months apart, would have outnumbered it. A rented network is
 * read whole. Accounts of unknown sign-up time are a wave of their own. */
static void sign_up_waves_on_peoples_lines(void **st)
{
    (void)st;
    const int64_t day = 86400000;
    for (int wave = 0; wave <= 7; wave += 7)
        for (int net = 0; net <= NET_RENTED; net += NET_RENTED) {
            struct warden_link_params p = params(1024, 4096, 64);
            p.suspect_group = 3;
            p.harvest_anchor = true;
            struct warden_link *l = warden_link_new(&p);
            /* a household (no suspect) on day 20, a heavy user (suspect) on
             * day 60, a harvester (suspect, actioned on its harvesting
             * evidence) on day 100: two suspects of three */
            uint64_t g[3];
            int64_t t[3] = {20 * day, 60 * day, 100 * day};
            group(l, 10, 3, g);
            suspect(l, 11);
            suspect(l, 12);
            warden_link_mark_harvest(l, acct(l, 12, 0), NULL);
            assert_true(pool_waves(l, 11, g, t, 3, net, wave) == !(wave && net != NET_RENTED));
            pool_waves(l, 12, g, t, 3, net, wave);
            bool apart = wave && net != NET_RENTED;
            if (apart)
                assert_true(seq(l, 11) == 0 || seq(l, 11) != seq(l, 12));
            else
                assert_true(seq(l, 11) != 0 && seq(l, 11) == seq(l, 12));
            assert_int_equal(seq(l, 10), 0); /* the household never */
            /* an operation of two suspects signed up on days 300 and 302,
             * one actioned, among three households of days 150, 400, 600:
             * not most of the network, most of their wave */
            uint64_t h[5];
            int64_t u[5] = {300 * day, 302 * day, 150 * day, 400 * day, 600 * day};
            group(l, 20, 5, h);
            suspect(l, 20);
            suspect(l, 21);
            warden_link_mark_harvest(l, acct(l, 21, 0), NULL);
            pool_waves(l, 20, h, u, 5, net, wave);
            pool_waves(l, 21, h, u, 5, net, wave);
            if (apart)
                assert_true(seq(l, 20) != 0 && seq(l, 20) == seq(l, 21));
            else
                assert_true(seq(l, 20) == 0 || seq(l, 20) != seq(l, 21));
            for (int i = 22; i < 25; i++) assert_int_equal(seq(l, i), 0);
            /* an operation of three suspects within days (10, 12, 15) and a
             * neighbour signed up among them (day 13) beside an account of
             * day 40: pooled with the neighbour either way */
            uint64_t q[5];
            int64_t v[5] = {10 * day, 12 * day, 15 * day, 13 * day, 40 * day};
            group(l, 30, 5, q);
            for (int i = 30; i < 33; i++) suspect(l, i);
            assert_true(pool_waves(l, 32, q, v, 5, net, wave));
            assert_true(seq(l, 30) != 0 && seq(l, 30) == seq(l, 31) && seq(l, 31) == seq(l, 32));
            assert_true(seq(l, 33) == seq(l, 30));
            /* after the span: only on a rented network */
            assert_true((seq(l, 34) == seq(l, 30)) == (net == NET_RENTED));
            warden_link_free(l);
        }
    /* unknown sign-up times are a wave of their own; a newcomer looks for a
     * suspect of its own wave (warden_link_group_suspect) */
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 2;
    struct warden_link *l = warden_link_new(&p);
    uint64_t g[4];
    int64_t t[4] = {INT64_MIN, INT64_MIN, 10 * day, 90 * day};
    group(l, 40, 4, g);
    suspect(l, 40);
    suspect(l, 41);
    suspect(l, 42);
    assert_true(pool_waves(l, 41, g, t, 4, 0, 7)); /* 40 and 41: 2 of 2 */
    assert_true(seq(l, 40) == seq(l, 41) && seq(l, 42) == 0);
    assert_false(pool_waves(l, 42, g, t, 4, 0, 7)); /* alone in its wave */
    struct warden_link_group grp = {
        .acct = g, .n = 4, .kind = WARDEN_LINK_SIGNUP_IP, .created = t, .wave_ms = 7 * day};
    uint32_t b;
    assert_false(warden_link_group_suspect(l, &grp, g[3], &b)); /* day 90: none of its wave */
    assert_true(warden_link_group_suspect(l, &grp, g[2], &b));  /* day 10: itself */
    assert_true(b == acct(l, 42, 0));
    assert_true(warden_link_group_suspect(l, &grp, 0, &b));      /* any */
    assert_false(warden_link_group_suspect(l, &grp, 12345, &b)); /* not in the group */
    warden_link_free(l);
}

/* An account that entered the registry after the suspects of its network
 * pooled (a later sign-up, known from a registry reload: it was in no table
 * when they pooled) finds one of them (warden_link_group_suspect), and
 * pooling from it joins the newcomer as the suspects' own calls would have:
 * on a rented network when it signed up after them, never when no account
 * of the group is a suspect. */
static void newcomer_pools_through_a_suspect(void **st)
{
    (void)st;
    const int64_t day = 86400000;
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 3;
    struct warden_link *l = warden_link_new(&p);
    int64_t t[5] = {10 * day, 14 * day, 20 * day, 12 * day, 45 * day};
    uint64_t g[5];
    group(l, 30, 4, g); /* 34 is not in the table yet */
    g[4] = warden_hash64("a34", 3);
    struct warden_link_group grp = {
        .acct = g, .n = 5, .kind = WARDEN_LINK_SIGNUP_IP, .created = t, .rented = true};
    struct warden_link_join j;
    uint32_t b;
    assert_false(warden_link_group_suspect(l, &grp, 0, &b)); /* no suspect yet */
    for (int i = 30; i < 33; i++) {
        suspect(l, i);
        warden_link_pool_with(l, acct(l, i, 0), &grp, &j);
    }
    assert_true(seq(l, 30) != 0 && seq(l, 30) == seq(l, 33)); /* 33 within the span */
    uint32_t ni = acct(l, 34, 0);                             /* the newcomer arrives */
    assert_false(warden_link_clustered(l, ni));
    assert_true(warden_link_group_suspect(l, &grp, 0, &b));
    assert_true(b == acct(l, 30, 0) || b == acct(l, 31, 0) || b == acct(l, 32, 0));
    warden_link_pool_with(l, b, &grp, &j);
    assert_true(warden_link_clustered(l, ni));
    assert_true(seq(l, 34) == seq(l, 30));
    warden_link_free(l);
}

/* 105 and 107 share a template over the same network and client software. */
static void request_time_pair(struct warden_link *l)
{
    for (int i = 105; i <= 107; i += 2) {
        use(l, i, WARDEN_LINK_TEMPLATE, "elsewhere");
        use(l, i, WARDEN_LINK_NET, "elsewhere");
        use(l, i, WARDEN_LINK_CLIENT, "elsewhere");
    }
}

/* One run of pooled_joins_do_not_depend_on_order: a network of 7
 * accounts (suspects 100..103 signed up on days 10, 12, 18, 20; 104 on
 * day 15 and 105 on day 16, no suspects; 106 on day 40), and 105 joined at
 * request time with 107, outside the network (a template over the same
 * network and client software). late: 105's requests come after the
 * suspects' marks instead of before; reverse: the suspects are marked from
 * the last to the first; shared: the network is a public anonymizer's exit;
 * rented: a hosting or cloud network.
 * Returns the clusters as "which accounts share
 * 100's cluster" bits (bit i: account 100 + i) plus bit 8 when 107 and 105
 * are together. */
static unsigned pooled_run(bool late, bool reverse, bool shared, bool rented)
{
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 3;
    struct warden_link *l = warden_link_new(&p);
    const int64_t day = 86400000;
    int64_t t[7] = {10 * day, 12 * day, 18 * day, 20 * day, 15 * day, 16 * day, 40 * day};
    uint64_t g[7];
    group(l, 100, 7, g);
    if (!late) {
        request_time_pair(l);
        assert_true(seq(l, 105) != 0 && seq(l, 105) == seq(l, 107));
    }
    for (int k = 0; k < 4; k++) {
        int s = 100 + (reverse ? 3 - k : k);
        struct warden_link_join j;
        suspect(l, s);
        if (rented)
            pool_net_as(l, s, g, t, 7, NULL, NET_RENTED, &j);
        else
            pool_net(l, s, g, t, 7, NULL, shared, &j);
    }
    if (late) {
        request_time_pair(l);
    }
    unsigned bits = 0;
    for (int i = 0; i < 7; i++)
        if (seq(l, 100 + i) != 0 && seq(l, 100 + i) == seq(l, 100)) bits |= 1u << i;
    if (seq(l, 105) != 0 && seq(l, 105) == seq(l, 107)) bits |= 1u << 8;
    warden_link_free(l);
    return bits;
}

/* The network's pooled joins do not depend on the order in which suspects
 * are marked, nor on whether an account within the span had joined
 * another cluster at request time before or after them: the Kafka linking
 * stage meets observations in another order than one process, and must
 * find the same clusters. */
static void pooled_joins_do_not_depend_on_order(void **st)
{
    (void)st;
    unsigned want = pooled_run(false, false, false, false);
    /* the suspects, 104 and 105 (days 15, 16: within 10..20), not 106 (day
     * 40); 105's request-time neighbour 107 comes with it */
    assert_int_equal(want, 0x3fu | (1u << 8));
    assert_int_equal(pooled_run(false, true, false, false), want);
    assert_int_equal(pooled_run(true, false, false, false), want);
    assert_int_equal(pooled_run(true, true, false, false), want);
    /* the network is a public anonymizer's exit (strangers sign up through
     * it in the same days): the suspects alone, in any order */
    unsigned shared = pooled_run(false, false, true, false);
    assert_int_equal(shared, 0x0fu | (1u << 8));
    assert_int_equal(pooled_run(true, true, true, false), shared);
    /* a rented network: 106 (day 40, after the span) too, in any order */
    unsigned rented = pooled_run(false, false, false, true);
    assert_int_equal(rented, 0x7fu | (1u << 8));
    assert_int_equal(pooled_run(false, true, false, true), rented);
    assert_int_equal(pooled_run(true, false, false, true), rented);
    assert_int_equal(pooled_run(true, true, false, true), rented);
}

/* One run of rented_network_joins_an_established_harvest: an operation's
 * accounts 1..4 on one card (a non-template tie), of which account 4 signed
 * up from a network together with suspect 10 (and, with crowd, two more
 * accounts 11 and 12 that are no suspects). Its harvest is established by
 * three suspects among 1..3 (harvest: by one harvester instead; split: 1, 2
 * on one card and 3, 4 on another, their clusters merged by a third card
 * after the marks; other: account 4 is not on the card but in a cluster of
 * its own with five other accounts (1) or one (2), merged into the
 * operation's, larger or smaller, after the marks; other 3: account 3, a
 * suspect on its own, comes onto the card after 1 and 2's marks). first: 10's
 * suspect mark and pooling come before the operation's marks. The caller
 * drains warden_link_held_next as the link detector does. Returns whether
 * 10 ends in account 1's cluster. */
static bool rented_run(bool rented, bool on, bool first, bool harvest, bool split, int other,
                       bool crowd, bool wording)
{
    struct warden_link_params p = params(1024, 4096, 64);
    p.suspect_group = 3;
    p.harvest_anchor = true;
    p.rented_clusters = on;
    struct warden_link *l = warden_link_new(&p);
    const int64_t day = 86400000;
    int64_t t[5] = {5 * day, 20 * day, 21 * day, 22 * day, INT64_MIN};
    uint64_t h[5];
    h[0] = warden_hash64("a4", 2);
    group(l, 10, 3, h + 1); /* 10, 11, 12 */
    size_t n = crowd ? 4 : 2;
    struct warden_link_group g = {
        .acct = h, .n = n, .kind = WARDEN_LINK_SIGNUP_IP, .created = t, .rented = rented};
    struct warden_link_join j;
    if (first) {
        suspect(l, 10);
        warden_link_pool_with(l, acct(l, 10, 0), &g, &j);
    }
    enum warden_link_kind tie = wording ? WARDEN_LINK_TEMPLATE : WARDEN_LINK_PAYMENT;
    if (split) {
        use(l, 1, tie, "card-a");
        use(l, 2, tie, "card-a");
        use(l, 3, tie, "card-b");
        use(l, 4, tie, "card-b");
    } else {
        for (int i = 1; i <= (other == 1 || other == 2 ? 3 : 4); i++)
            if (i != 3 || other != 3) use(l, i, tie, "card-k");
    }
    for (int i = 20; (other == 1 || other == 2) && i < (other == 1 ? 25 : 21); i++) {
        use(l, i, WARDEN_LINK_PAYMENT, "card-o");
        use(l, 4, WARDEN_LINK_PAYMENT, "card-o");
    }
    if (harvest) {
        warden_link_mark_actioned(l, acct(l, 1, 0), true, NULL);
        warden_link_mark_harvest(l, acct(l, 1, 0), NULL);
    } else {
        for (int i = 1; i <= 3; i++) suspect(l, i);
    }
    if (other == 3) use(l, 3, tie, "card-k"); /* its joining makes three */
    if (split) {                              /* the two halves merge after the marks */
        use(l, 2, WARDEN_LINK_PAYMENT, "card-c");
        use(l, 3, WARDEN_LINK_PAYMENT, "card-c");
    }
    if (other == 1 || other == 2) { /* account 4's cluster merges into the operation's */
        use(l, 1, WARDEN_LINK_PAYMENT, "card-k2");
        use(l, 20, WARDEN_LINK_PAYMENT, "card-k2");
    }
    if (!first) {
        suspect(l, 10);
        warden_link_pool_with(l, acct(l, 10, 0), &g, &j);
    }
    /* what the link detector does after each observation */
    uint32_t mi, bi;
    uint64_t a;
    while (warden_link_held_next(l, &mi, &a)) {
        bool in = false;
        for (size_t k = 0; k < n; k++) in = in || h[k] == a;
        if (in && warden_link_group_suspect(l, &g, 0, &bi)) warden_link_pool_with(l, bi, &g, &j);
    }
    bool joined = seq(l, 10) != 0 && seq(l, 10) == seq(l, 1);
    warden_link_free(l);
    return joined;
}

/* A suspect that signed up from a rented network (hosting, cloud: machines,
 * where no one lives) with an account of a cluster whose harvest is
 * established (three suspects, or a harvester, tied by a card) joins that
 * cluster, whichever comes first: its mark or the cluster's (by a mark, by
 * two halves merging, by the account's own cluster merging into it). Not on
 * an ISP's network, not when the cluster is tied by wording alone, not
 * when the two are not most of the network's sign-ups, and not with
 * rented_clusters off. */
static void rented_network_joins_an_established_harvest(void **st)
{
    (void)st;
    for (int first = 0; first < 2; first++) {
        assert_true(rented_run(true, true, first, false, false, 0, false, false));
        assert_true(rented_run(true, true, first, true, false, 0, false, false));
        assert_true(rented_run(true, true, first, false, true, 0, false, false));
        assert_true(rented_run(true, true, first, false, false, 1, false, false));
        assert_true(rented_run(true, true, first, false, false, 2, false, false));
        assert_true(rented_run(true, true, first, false, false, 3, false, false));
        assert_true(rented_run(true, true, first, true, false, 1, false, false));
        assert_true(rented_run(true, true, first, true, false, 2, false, false));
        /* an ISP's network, off, wording alone, not most */
        assert_false(rented_run(false, true, first, false, false, 0, false, false));
        assert_false(rented_run(true, false, first, false, false, 0, false, false));
        assert_false(rented_run(true, true, first, false, false, 0, false, true));
        assert_false(rented_run(true, true, first, false, false, 0, true, false));
    }
}

/* Suspects are counted into the cluster they are in, also when they join
 * it afterwards or their clusters merge. */
static void suspects_counted_per_cluster(void **st)
{
    (void)st;
    struct warden_link_params p = params(256, 1024, 16);
    struct warden_link *l = warden_link_new(&p);
    use(l, 1, WARDEN_LINK_PAYMENT, "c1");
    use(l, 2, WARDEN_LINK_PAYMENT, "c1");
    suspect(l, 1);
    assert_int_equal(suspects_in(l, 2), 1);
    suspect(l, 3);
    use(l, 3, WARDEN_LINK_PAYMENT, "c2");
    suspect(l, 4);
    use(l, 4, WARDEN_LINK_PAYMENT, "c2");
    assert_int_equal(suspects_in(l, 3), 2);
    use(l, 2, WARDEN_LINK_PAYMENT, "c3");
    use(l, 3, WARDEN_LINK_PAYMENT, "c3"); /* the two clusters merge */
    assert_int_equal(seq(l, 1), seq(l, 4));
    assert_int_equal(suspects_in(l, 1), 3);
    warden_link_free(l);
}

/* An account with harvesting evidence of its own held below every rule (a
 * suspect: cover traffic dilutes a harvest) joins a harvester (actioned on
 * its own harvesting evidence; and so its cluster) when it shares its frame
 * (one many accounts use: only with a harvester enforced on its own evidence), or is one of two
 * suspects, most of a card, domain or sign-up network, with it; whichever comes first, the frame,
 * the suspect's mark or the harvester's two. A frame shared without harvesting evidence of one's
 * own, one band alike, a frame many accounts use shared with a harvester only reviewed, two
 * suspects without a harvester, a pair that is not most of its group, and harvest_anchor off join
 * no one. */
static void suspect_joins_a_harvester(void **st)
{
    (void)st;
    struct warden_link_params p = params(1024, 4096, 64);
    p.co_actioned = 0.4;
    p.suspect_group = 3;
    p.max_frames = 1024;
    for (int anchor = 1; anchor >= 0; anchor--) {
        p.harvest_anchor = anchor;
        struct warden_link *l = warden_link_new(&p);
        struct warden_link_join j;
        /* a harvest sustained over three accounts behind one card */
        for (int i = 1; i <= 3; i++) {
            use(l, i, WARDEN_LINK_PAYMENT, "card-h");
            warden_link_mark_actioned(l, acct(l, i, 0), true, NULL);
            warden_link_mark_harvest(l, acct(l, i, 0), NULL);
            suspect(l, i);
        }
        assert_true(seq(l, 1) != 0 && seq(l, 1) == seq(l, 3));
        frame(l, 1, "frame-r");
        /* the suspect's mark first, then the frame */
        suspect(l, 10);
        frame(l, 10, "frame-r");
        assert_int_equal(seq(l, 10) == seq(l, 1), anchor);
        /* the frame first, then the mark (which names the join) */
        frame(l, 11, "frame-r");
        assert_int_equal(seq(l, 11), 0);
        warden_link_mark_suspect(l, acct(l, 11, 0), &j);
        assert_int_equal(j.joined, anchor);
        if (anchor) {
            assert_true(j.kinds & WARDEN_LINK_POOLED);
            assert_true(j.kinds & (1u << WARDEN_LINK_TEMPLATE));
            assert_int_equal(j.via, WARDEN_LINK_TEMPLATE);
            assert_int_equal(seq(l, 11), seq(l, 1));
        }
        /* the frame without harvesting evidence of its own */
        frame(l, 12, "frame-r");
        assert_int_equal(seq(l, 12), 0);
        /* one band alike: a chance match */
        suspect(l, 13);
        use(l, 13, WARDEN_LINK_TEMPLATE, "frame-r/band0");
        assert_int_equal(seq(l, 13), 0);

        /* a frame many accounts use (an app's: 60 here, its weight below
         * 0.9 of w_template): nothing joins, the harvester reviewed or
         * enforced on its own evidence (two end users of one SaaS app share
         * its frame, and a heavy user among them says nothing about who
         * runs the harvest) */
        for (int i = 100; i < 160; i++) frame(l, i, "frame-s");
        frame(l, 20, "frame-s");
        suspect(l, 22);
        frame(l, 22, "frame-s");
        assert_int_equal(seq(l, 22), 0);
        warden_link_mark_actioned(l, acct(l, 20, 0), false, NULL);
        warden_link_mark_harvest(l, acct(l, 20, 0), &j);
        assert_false(j.joined);
        assert_int_equal(seq(l, 22), 0);
        warden_link_mark_actioned(l, acct(l, 20, 0), true, &j);
        assert_false(j.joined);
        assert_int_equal(seq(l, 22), 0);
        /* a frame only two accounts publish but 300 send (a public prompt
         * collection's sentence, pasted once or twice by most): its bands
         * are weighed by its senders, and it ties nobody either; the same
         * frame sent by those two alone ties them */
        for (int f = 0; f < 2; f++) {
            const char *name = f ? "frame-u" : "frame-p";
            uint64_t fk = key(WARDEN_LINK_TEMPLATE, name);
            for (int i = 200; i < 500 && !f; i++)
                warden_link_frame_sent(l, acct(l, i, 0), fk, 1000);
            int h = 50 + 2 * f, s = 51 + 2 * f;
            warden_link_mark_actioned(l, acct(l, h, 0), true, NULL);
            warden_link_mark_harvest(l, acct(l, h, 0), NULL);
            suspect(l, s);
            for (int who = h; who <= s; who++) {
                warden_link_frame_sent(l, acct(l, who, 0), fk, 1000);
                double n = warden_link_frame_senders(l, fk);
                char band[64];
                for (int b = 0; b < 2; b++) {
                    snprintf(band, sizeof band, "%s/band%d", name, b);
                    warden_link_use_frame(l, acct(l, who, 0), key(WARDEN_LINK_TEMPLATE, band), 1000,
                                          n, &j);
                }
            }
            if (!f) assert_true(j.distinct >= 256);
            assert_int_equal(seq(l, s) != 0 && seq(l, s) == seq(l, h), f && anchor);
        }
        /* a frame few accounts use: a harvester reviewed on its own
         * harvesting evidence is enough, whichever mark comes last */
        frame(l, 24, "frame-t");
        suspect(l, 25);
        frame(l, 25, "frame-t");
        warden_link_mark_actioned(l, acct(l, 24, 0), false, NULL);
        assert_int_equal(seq(l, 25), 0);
        warden_link_mark_harvest(l, acct(l, 24, 0), &j);
        assert_int_equal(j.joined, anchor);
        assert_int_equal(seq(l, 25) != 0 && seq(l, 25) == seq(l, 24), anchor);

        /* two suspects on one sign-up network, one of them a harvester of
         * the sustained harvest: the other joins it */
        uint64_t h[4];
        group(l, 30, 1, h);
        h[1] = warden_hash64("a2", 2);
        suspect(l, 30);
        assert_int_equal(pool_net(l, 30, h, NULL, 2, NULL, false, &j), anchor);
        assert_int_equal(seq(l, 30) == seq(l, 1), anchor);
        /* a group names its harvester by what it shares: one reviewed on
         * its own harvesting evidence is enough */
        group(l, 40, 2, h);
        warden_link_mark_actioned(l, acct(l, 40, 0), false, NULL);
        warden_link_mark_harvest(l, acct(l, 40, 0), NULL);
        suspect(l, 40);
        suspect(l, 41);
        assert_int_equal(pool_net(l, 41, h, NULL, 2, NULL, false, &j), anchor);
        assert_int_equal(seq(l, 41) != 0 && seq(l, 41) == seq(l, 40), anchor);
        /* two suspects without a harvester: apart */
        group(l, 31, 2, h);
        suspect(l, 31);
        suspect(l, 32);
        assert_false(pool_net(l, 31, h, NULL, 2, NULL, false, &j));
        assert_int_equal(seq(l, 31), 0);
        /* two suspects with a harvester, not most of their network */
        group(l, 33, 3, h);
        h[3] = warden_hash64("a3", 2);
        suspect(l, 33);
        assert_false(pool_net(l, 33, h, NULL, 4, NULL, false, &j));
        assert_int_equal(seq(l, 33), 0);
        warden_link_free(l);
    }
}

/* A cluster of members each actioned on their own harvesting is sustained
 * (enforced as a whole) from harvest_members of them, only when a joining
 * edge carries more than template bands: three accounts whose only tie is
 * one corpus's wording stay at their own actions; a whole system prompt, a
 * card or a network tie them. */
static void sustained_needs_more_than_wording(void **st)
{
    (void)st;
    struct warden_link_cluster c;
    memset(&c, 0, sizeof c);
    c.harvest = 3;
    c.kind_edges[WARDEN_LINK_TEMPLATE] = 2;
    assert_false(warden_link_sustained(&c, 3));
    c.kind_edges[WARDEN_LINK_SYSTEM] = 1;
    assert_true(warden_link_sustained(&c, 3));
    assert_false(warden_link_sustained(&c, 4)); /* too few */
    assert_false(warden_link_sustained(&c, 0)); /* off */
    c.kind_edges[WARDEN_LINK_SYSTEM] = 0;
    c.kind_edges[WARDEN_LINK_NET] = 1;
    assert_true(warden_link_sustained(&c, 3));
    c.kind_edges[WARDEN_LINK_NET] = 0;
    c.kind_edges[WARDEN_LINK_PAYMENT] = 1;
    assert_true(warden_link_sustained(&c, 2));
    c.harvest = 1;
    assert_false(warden_link_sustained(&c, 2));

    /* through the table: three harvesters actioned on their own, joined by a frame */
    struct warden_link_params p = params(64, 256, 16);
    p.co_actioned = 0.4;
    struct warden_link *l = warden_link_new(&p);
    for (int i = 1; i <= 3; i++) {
        frame(l, i, "corpus-wording");
        warden_link_mark_harvest(l, acct(l, i, 0), NULL);
        warden_link_mark_actioned(l, acct(l, i, 0), false, NULL);
    }
    warden_link_cluster_of(l, acct(l, 1, 0), &c);
    assert_int_equal(c.size, 3);
    assert_int_equal(c.harvest, 3);
    assert_false(warden_link_sustained(&c, 3));
    /* the same with their harness's system prompt */
    for (int i = 11; i <= 13; i++) {
        use(l, i, WARDEN_LINK_SYSTEM, "harness");
        frame(l, i, "harness-frame");
        warden_link_mark_harvest(l, acct(l, i, 0), NULL);
        warden_link_mark_actioned(l, acct(l, i, 0), false, NULL);
    }
    warden_link_cluster_of(l, acct(l, 11, 0), &c);
    assert_int_equal(c.size, 3);
    assert_true(c.kind_edges[WARDEN_LINK_SYSTEM] > 0);
    assert_true(warden_link_sustained(&c, 3));
    warden_link_free(l);
}

/* ---- frame senders ---- */

static double sent(struct warden_link *l, int i, const char *frame)
{
    return warden_link_frame_sent(l, acct(l, i, 0), key(WARDEN_LINK_TEMPLATE, frame), 1000 + i);
}

static double senders(struct warden_link *l, const char *frame)
{
    return warden_link_frame_senders(l, key(WARDEN_LINK_TEMPLATE, frame));
}

/* A frame's senders are counted once per account, whether or not it recurs
 * in that account; a frame sent by more accounts than cap_template reads
 * past it; the table off counts nothing. */
static void frame_senders_counted_once_per_account(void **st)
{
    (void)st;
    struct warden_link_params p = params(1024, 256, 16);
    p.max_frames = 1024;
    struct warden_link *l = warden_link_new(&p);
    assert_true(senders(l, "public") == 0); /* never sent */
    for (int k = 0; k < 5; k++) sent(l, 1, "public");
    assert_in_range((long)(senders(l, "public") * 100), 90, 110);
    for (int i = 2; i <= 50; i++) sent(l, i, "public");
    assert_in_range((long)senders(l, "public"), 40, 60);
    for (int i = 1; i <= 400; i++) sent(l, i, "collection");
    assert_true(senders(l, "collection") >= 256);
    assert_in_range((long)senders(l, "public"), 40, 60); /* another frame's count */
    struct warden_link_stats s;
    warden_link_stats(l, &s);
    assert_int_equal(s.frames, 2);
    warden_link_free(l);

    p.max_frames = 0;
    l = warden_link_new(&p);
    assert_true(sent(l, 1, "public") == 0);
    assert_true(senders(l, "public") == 0);
    warden_link_free(l);
}

/* A full table replaces the frame with the fewest senders: thousands of
 * one-off prompts do not wash out a frame many accounts send. */
static void frames_kept_by_senders(void **st)
{
    (void)st;
    struct warden_link_params p = params(8192, 256, 16);
    p.max_frames = 64;
    struct warden_link *l = warden_link_new(&p);
    for (int i = 1; i <= 30; i++) sent(l, i, "popular");
    double before = senders(l, "popular");
    assert_in_range((long)before, 25, 35);
    char f[32];
    for (int i = 1; i <= 5000; i++) {
        snprintf(f, sizeof f, "one-off %d", i);
        sent(l, 100 + i, f);
    }
    assert_true(senders(l, "popular") == before);
    snprintf(f, sizeof f, "one-off %d", 5000); /* the newest stays too */
    assert_true(senders(l, f) > 0);
    struct warden_link_stats s;
    warden_link_stats(l, &s);
    assert_true(s.frames <= 64);
    assert_true(s.frames_replaced >= 5000 - 64);
    warden_link_free(l);
}

static char *save_link(struct warden_link *l, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('L', 'I', 'N', 'K'));
    assert_int_equal(warden_link_save(l, w), 0);
    warden_snap_section_end(w);
    assert_int_equal(warden_snap_writer_finish(w), 0);
    fclose(f);
    return buf;
}

static int load_link(struct warden_link *l, char *buf, size_t len)
{
    FILE *in = fmemopen(buf, len, "r");
    struct warden_snapreader *r = warden_snap_reader_new(in);
    warden_snap_section_enter(r, WARDEN_SNAP_TAG('L', 'I', 'N', 'K'));
    int rc = warden_link_load(l, r, 1, false);
    if (!rc) warden_snap_section_leave(r);
    bool failed = warden_snap_failed(r);
    warden_snap_reader_free(r);
    fclose(in);
    return failed ? -100 : rc;
}

/* Frame senders survive a snapshot; a table of another size starts empty. */
static void frame_senders_survive_a_snapshot(void **st)
{
    (void)st;
    struct warden_link_params p = params(1024, 256, 16);
    p.max_frames = 1024;
    struct warden_link *a = warden_link_new(&p);
    for (int i = 1; i <= 20; i++) sent(a, i, "saved");
    use(a, 1, WARDEN_LINK_PAYMENT, "card");
    use(a, 2, WARDEN_LINK_PAYMENT, "card");
    size_t len = 0;
    char *buf = save_link(a, &len);
    struct warden_link *b = warden_link_new(&p);
    assert_int_equal(load_link(b, buf, len), 0);
    assert_true(senders(b, "saved") == senders(a, "saved"));
    assert_true(seq(b, 1) != 0 && seq(b, 1) == seq(b, 2));
    sent(b, 21, "saved"); /* counting goes on */
    assert_true(senders(b, "saved") > senders(a, "saved"));
    p.max_frames = 4096;
    struct warden_link *c = warden_link_new(&p);
    assert_int_equal(load_link(c, buf, len), 1);
    assert_true(senders(c, "saved") == 0);
    free(buf);
    warden_link_free(a);
    warden_link_free(b);
    warden_link_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_kind_alone),
        cmocka_unit_test(combinations),
        cmocka_unit_test(weight_rule),
        cmocka_unit_test(common_identifiers_do_not_merge),
        cmocka_unit_test(same_org_never_linked),
        cmocka_unit_test(clusters_merge),
        cmocka_unit_test(actioned_pair_sharing_a_frame),
        cmocka_unit_test(ten_thousand_in_bounded_memory),
        cmocka_unit_test(suspects_pooled_by_what_an_operation_shares),
        cmocka_unit_test(suspects_counted_per_cluster),
        cmocka_unit_test(suspects_pooled_over_a_known_group),
        cmocka_unit_test(pooled_joins_do_not_depend_on_order),
        cmocka_unit_test(rented_network_joins_an_established_harvest),
        cmocka_unit_test(later_signups_on_a_rented_network),
        cmocka_unit_test(newcomer_pools_through_a_suspect),
        cmocka_unit_test(sign_up_waves_on_peoples_lines),
        cmocka_unit_test(suspect_joins_a_harvester),
        cmocka_unit_test(sustained_needs_more_than_wording),
        cmocka_unit_test(frame_senders_counted_once_per_account),
        cmocka_unit_test(frames_kept_by_senders),
        cmocka_unit_test(frame_senders_survive_a_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
