/* test_intel_libloc.c — Warden's compiled table agrees with libloc.
 *
 * Builds the table from the libloc database alone, then asks both Warden and
 * loc_database_lookup about 1,000,000 random IPv4 addresses (uniform: almost
 * all of IPv4 is allocated) and 100,000 IPv6 addresses (half uniform in
 * 2000::/3, half inside networks libloc lists, so that most hit data), and
 * requires the same country, ASN and flags for every one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "intel/intel.h"

#define LOCDB "/var/lib/location/database.db"
#define N_V4 1000000
#define N_V6 100000

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct ctx {
    struct loc_ctx *lc;
    struct loc_database *db;
    FILE *f;
    struct warden_intel *in;
};

static uint32_t loc_cats(struct loc_network *n)
{
    uint32_t c = 0;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_ANONYMOUS_PROXY)) c |= WARDEN_IPCAT_PROXY;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_SATELLITE_PROVIDER)) c |= WARDEN_IPCAT_SATELLITE;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_ANYCAST)) c |= WARDEN_IPCAT_ANYCAST;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_DROP)) c |= WARDEN_IPCAT_DROP;
    return c;
}

/* 0 when both agree; prints the first few differences. */
static int compare(struct ctx *c, const struct warden_ip *ip, int *shown)
{
    struct loc_network *n = NULL;
    int r = loc_database_lookup(c->db, (const struct in6_addr *)ip->b, &n);
    assert_true(r >= 0);
    char cc[3] = "";
    uint32_t asn = 0, cats = 0;
    if (r == 0 && n) {
        const char *s = loc_network_get_country_code(n);
        if (s && s[0] && s[1]) cc[0] = s[0], cc[1] = s[1], cc[2] = '\0';
        asn = loc_network_get_asn(n);
        cats = loc_cats(n);
        loc_network_unref(n);
    }
    const struct warden_ipinfo *w = warden_intel_lookup(c->in, ip);
    if (strcmp(cc, w->country) == 0 && asn == w->asn && cats == w->categories) return 0;
    if ((*shown)++ < 10) {
        char buf[WARDEN_IP_STRLEN];
        fprintf(stderr, "mismatch %s: libloc %s AS%u cats %#x, warden %s AS%u cats %#x\n",
                warden_ip_format(ip, buf), cc, asn, cats, w->country, w->asn, w->categories);
    }
    return 1;
}

static int setup(void **state)
{
    if (access(LOCDB, R_OK) != 0) {
        fprintf(stderr, "skipping: %s not installed (Debian: libloc-database)\n", LOCDB);
        return -1;
    }
    struct ctx *c = calloc(1, sizeof *c);
    struct warden_intel_conf conf;
    warden_conf_defaults(warden_intel_conf_table, &conf);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "lists"), &conf);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "asn_lists"), &conf);
    char err[256];
    int rc = warden_intel_open(&c->in, &conf, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    warden_conf_fini(warden_intel_conf_table, &conf);
    struct warden_intel_stats st;
    warden_intel_get_stats(c->in, &st);
    fprintf(stderr, "table built from libloc in %.2f s: %zu+%zu prefixes, %zu records, %.1f MB\n",
            st.load_seconds, st.v4_prefixes, st.v6_prefixes, st.records,
            (double)st.memory_bytes / 1e6);
    assert_int_equal(loc_new(&c->lc), 0);
    loc_set_log_priority(c->lc, LOG_ERR);
    c->f = fopen(LOCDB, "r");
    assert_non_null(c->f);
    assert_int_equal(loc_database_new(c->lc, &c->db, c->f), 0);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    warden_intel_free(c->in);
    loc_database_unref(c->db);
    loc_unref(c->lc);
    fclose(c->f);
    free(c);
    return 0;
}

static void v4_agrees(void **state)
{
    struct ctx *c = *state;
    int bad = 0, shown = 0;
    for (int i = 0; i < N_V4; i++) {
        struct warden_ip ip;
        warden_ip_from_v4(&ip, (uint32_t)(next() >> 32));
        bad += compare(c, &ip, &shown);
    }
    fprintf(stderr, "IPv4: %d addresses, %d disagree\n", N_V4, bad);
    assert_int_equal(bad, 0);
}

static void v6_agrees(void **state)
{
    struct ctx *c = *state;
    /* IPv6 networks libloc lists, to draw addresses from allocated space. */
    struct loc_database_enumerator *en;
    assert_int_equal(loc_database_enumerator_new(&en, c->db, LOC_DB_ENUMERATE_NETWORKS, 0), 0);
    loc_database_enumerator_set_family(en, AF_INET6);
    size_t n = 0, cap = 1 << 16;
    struct {
        uint8_t b[16];
        unsigned plen;
    } *nets = malloc(cap * sizeof *nets);
    struct loc_network *net;
    while (loc_database_enumerator_next_network(en, &net) == 0 && net) {
        if (n == cap) nets = realloc(nets, (cap *= 2) * sizeof *nets);
        memcpy(nets[n].b, loc_network_get_first_address(net), 16);
        nets[n].plen = loc_network_prefix(net);
        n++;
        loc_network_unref(net);
    }
    loc_database_enumerator_unref(en);
    assert_true(n > 1000);
    int bad = 0, shown = 0, hits = 0;
    for (int i = 0; i < N_V6; i++) {
        struct warden_ip ip;
        uint64_t hi = next(), lo = next();
        for (int k = 0; k < 8; k++) {
            ip.b[k] = (uint8_t)(hi >> (56 - 8 * k));
            ip.b[8 + k] = (uint8_t)(lo >> (56 - 8 * k));
        }
        if (i % 2) {
            ip.b[0] = (uint8_t)(0x20 | (ip.b[0] & 0x1f)); /* 2000::/3 */
        } else {                                          /* inside a listed network */
            size_t k = (size_t)(next() % n);
            for (unsigned bit = 0; bit < nets[k].plen; bit++) {
                uint8_t m = (uint8_t)(0x80 >> (bit % 8));
                ip.b[bit / 8] = (uint8_t)((ip.b[bit / 8] & ~m) | (nets[k].b[bit / 8] & m));
            }
        }
        bad += compare(c, &ip, &shown);
        hits += warden_intel_lookup(c->in, &ip)->country[0] != '\0';
    }
    free(nets);
    fprintf(stderr, "IPv6: %d addresses (%d with a country), %d disagree\n", N_V6, hits, bad);
    assert_true(hits > N_V6 / 3);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v4_agrees),
        cmocka_unit_test(v6_agrees),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
