/* test_intel_table.c — IP table semantics without the real database:
 * list parsing (bad lines warned and skipped), longest prefix and category
 * merging, ASN lists, source ranks, save/map round trip, and refusal of
 * truncated or corrupt table files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/error.h"
#include "intel/intel.h"
#include "intel/intel_build.h"
#include "intel/intel_impl.h"

static char tmpdir[512];

static const char *tmp_path(const char *name)
{
    static char buf[4][600];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 600, "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const struct warden_ipinfo *look(const struct warden_intel *in, const char *addr)
{
    struct warden_ip ip;
    assert_int_equal(warden_ip_parse(&ip, addr, strlen(addr)), 0);
    return warden_intel_lookup(in, &ip);
}

static void add(struct warden_intel_builder *b, const char *cidr, const struct warden_pfx *p)
{
    struct warden_ip ip;
    unsigned plen;
    assert_int_equal(warden_ip_parse_cidr(&ip, &plen, cidr, strlen(cidr)), 0);
    warden_intel_builder_add(b, &ip, plen, p);
}

static struct warden_pfx loc(const char *cc, uint32_t asn, uint32_t cats)
{
    struct warden_pfx p;
    memset(&p, 0, sizeof p);
    p.fields = WARDEN_PF_LOC;
    p.rank = WARDEN_RANK_LIBLOC;
    p.cc[0] = cc[0];
    p.cc[1] = cc[0] ? cc[1] : '\0';
    p.asn = asn;
    p.cats = cats;
    return p;
}

static struct warden_pfx list(struct warden_intel_builder *b, uint32_t cats, const char *prov)
{
    struct warden_pfx p;
    memset(&p, 0, sizeof p);
    p.fields = WARDEN_PF_LIST;
    p.cats = cats;
    p.provider = warden_strpool_add(&b->strings, prov, strlen(prov));
    return p;
}

/* A small world used by several tests. */
static struct warden_intel *small_table(void)
{
    struct warden_intel_builder b;
    warden_intel_builder_init(&b);
    struct warden_pfx p;
    p = loc("AA", 64500, 0);
    add(&b, "10.0.0.0/8", &p);
    p = loc("BB", 0, WARDEN_IPCAT_ANYCAST); /* more specific, no ASN: libloc semantics */
    add(&b, "10.9.9.0/24", &p);
    p = loc("CC", 64501, 0);
    add(&b, "2001:db8::/32", &p);
    p = list(&b, WARDEN_IPCAT_HOSTING, "bighost");
    add(&b, "10.1.0.0/16", &p);
    p = list(&b, WARDEN_IPCAT_VPN, "vpnco");
    add(&b, "10.1.2.0/24", &p);
    p = list(&b, WARDEN_IPCAT_TOR, "");
    add(&b, "10.1.2.3/32", &p);
    p = list(&b, WARDEN_IPCAT_VPN, "v6vpn");
    add(&b, "2001:db8:1::/48", &p);
    p = list(&b, WARDEN_IPCAT_PROXY, "host128");
    add(&b, "2001:db8:1::abcd/128", &p); /* deepest trie level: 4 bits + padding */
    p = list(&b, WARDEN_IPCAT_PROXY, "net127");
    add(&b, "2001:db8:1::ff00/127", &p);
    p = list(&b, WARDEN_IPCAT_HOSTING, "edge");
    add(&b, "255.255.255.0/24", &p); /* touches the end of the key space */
    /* an .mmdb country outranks libloc even on a shorter prefix */
    memset(&p, 0, sizeof p);
    p.fields = WARDEN_PF_COUNTRY;
    p.rank = WARDEN_RANK_MMDB;
    p.cc[0] = 'M', p.cc[1] = 'M';
    add(&b, "10.200.0.0/16", &p);
    warden_intel_builder_add_asn(&b, 64500, WARDEN_IPCAT_CLOUD, "asncloud");
    warden_intel_builder_as_name(&b, 64500, "EXAMPLE-AS", 10);
    struct warden_intel *in = warden_intel_from_builder(&b);
    warden_intel_builder_fini(&b);
    return in;
}

static void longest_prefix_and_merge(void **state)
{
    (void)state;
    struct warden_intel *in = small_table();
    const struct warden_ipinfo *r;

    r = look(in, "10.5.5.5"); /* only the /8 and the ASN list */
    assert_string_equal(r->country, "AA");
    assert_int_equal(r->asn, 64500);
    assert_string_equal(r->as_name, "EXAMPLE-AS");
    assert_int_equal(r->categories, WARDEN_IPCAT_CLOUD);
    assert_string_equal(r->provider, "asncloud");

    r = look(in, "10.1.200.1"); /* hosting /16: list provider beats the ASN list's */
    assert_int_equal(r->categories, WARDEN_IPCAT_HOSTING | WARDEN_IPCAT_CLOUD);
    assert_string_equal(r->provider, "bighost");

    r = look(in, "10.1.2.200"); /* VPN /24 inside hosting /16: both, more specific provider */
    assert_int_equal(r->categories, WARDEN_IPCAT_VPN | WARDEN_IPCAT_HOSTING | WARDEN_IPCAT_CLOUD);
    assert_string_equal(r->provider, "vpnco");

    r = look(in, "10.1.2.3"); /* /32 Tor without provider: keeps the /24's provider */
    assert_int_equal(r->categories, WARDEN_IPCAT_TOR | WARDEN_IPCAT_VPN | WARDEN_IPCAT_HOSTING |
                                        WARDEN_IPCAT_CLOUD);
    assert_string_equal(r->provider, "vpnco");
    r = look(in, "10.1.2.4");
    assert_false(r->categories & WARDEN_IPCAT_TOR);

    r = look(in, "10.9.9.9"); /* libloc: most specific network wins as a whole */
    assert_string_equal(r->country, "BB");
    assert_int_equal(r->asn, 0);
    assert_string_equal(r->as_name, "");
    assert_int_equal(r->categories, WARDEN_IPCAT_ANYCAST);

    r = look(in, "10.200.1.1"); /* .mmdb country over libloc, ASN still from libloc */
    assert_string_equal(r->country, "MM");
    assert_int_equal(r->asn, 64500);

    r = look(in, "11.0.0.1"); /* nothing known: the empty record, never NULL */
    assert_string_equal(r->country, "");
    assert_int_equal(r->asn, 0);
    assert_int_equal(r->categories, 0);
    assert_string_equal(r->as_name, "");
    assert_string_equal(r->provider, "");

    r = look(in, "255.255.255.255");
    assert_string_equal(r->provider, "edge");
    r = look(in, "255.255.254.255");
    assert_string_equal(r->provider, "");

    r = look(in, "2001:db8:1:2::1");
    assert_string_equal(r->country, "CC");
    assert_int_equal(r->categories, WARDEN_IPCAT_VPN);
    assert_string_equal(r->provider, "v6vpn");
    assert_string_equal(look(in, "2001:db8:1::abcd")->provider, "host128");
    assert_string_equal(look(in, "2001:db8:1::abcc")->provider, "v6vpn");
    assert_string_equal(look(in, "2001:db8:1::abce")->provider, "v6vpn");
    assert_string_equal(look(in, "2001:db8:1::ff00")->provider, "net127");
    assert_string_equal(look(in, "2001:db8:1::ff01")->provider, "net127");
    assert_string_equal(look(in, "2001:db8:1::ff02")->provider, "v6vpn");
    assert_string_equal(look(in, "2001:db8:1::feff")->provider, "v6vpn");
    assert_int_equal(look(in, "2001:db8:1::abcd")->categories,
                     WARDEN_IPCAT_PROXY | WARDEN_IPCAT_VPN);
    r = look(in, "2001:db8:2::1");
    assert_string_equal(r->country, "CC");
    assert_int_equal(r->categories, 0);
    r = look(in, "::ffff:10.1.2.3"); /* v4-mapped textual form is IPv4 */
    assert_string_equal(r->provider, "vpnco");
    r = look(in, "2002::1");
    assert_string_equal(r->country, "");
    warden_intel_free(in);
}

/* Randomised: the table against a brute-force longest-prefix reference. */
struct refpfx {
    warden_u128 start, last;
    unsigned plen;
    uint32_t cats;
    char name[16];
};

static uint64_t rs = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static warden_u128 key_of(const struct warden_ip *ip, bool v4)
{
    if (v4) return warden_ip_v4(ip);
    warden_u128 k = 0;
    for (int i = 0; i < 16; i++) k = k << 8 | ip->b[i];
    return k;
}

static void ip_of(struct warden_ip *ip, warden_u128 k, bool v4)
{
    if (v4) {
        warden_ip_from_v4(ip, (uint32_t)k);
        return;
    }
    for (int i = 15; i >= 0; i--, k >>= 8) ip->b[i] = (uint8_t)k;
}

static void random_vs_reference_family(bool v4)
{
    enum { NP = 3000, NQ = 60000 };
    unsigned bits = v4 ? 32 : 128, minlen = v4 ? 8 : 32;
    warden_u128 base = v4 ? (warden_u128)10 << 24 : (warden_u128)0x20010db8u << 96;
    struct refpfx *r = calloc(NP, sizeof *r);
    struct warden_intel_builder b;
    warden_intel_builder_init(&b);
    for (int i = 0; i < NP; i++) {
        unsigned plen = minlen + (unsigned)(rnd() % (bits - minlen + 1));
        /* cluster prefixes so that many nest */
        warden_u128 k = base | ((((warden_u128)rnd() << 64) | rnd()) >> minlen);
        if (i > 0 && rnd() % 2) k = r[rnd() % (uint64_t)i].start ^ (rnd() % 4096);
        warden_u128 host = plen >= bits ? 0 : ((warden_u128)1 << (bits - plen)) - 1;
        if (v4) host &= 0xffffffffu;
        r[i].start = k & ~host & (v4 ? 0xffffffffu : ~(warden_u128)0);
        r[i].last = r[i].start | host;
        r[i].plen = plen;
        r[i].cats = 1u << (rnd() % 9);
        snprintf(r[i].name, sizeof r[i].name, "p%d", i);
        struct warden_pfx p = list(&b, r[i].cats, r[i].name);
        struct warden_ip ip;
        ip_of(&ip, r[i].start, v4);
        warden_intel_builder_add(&b, &ip, plen, &p);
    }
    struct warden_intel *in = warden_intel_from_builder(&b);
    warden_intel_builder_fini(&b);
    for (int q = 0; q < NQ; q++) {
        const struct refpfx *t = &r[rnd() % NP];
        warden_u128 k;
        switch (q % 4) {
        case 0:
            k = t->start;
            break;
        case 1:
            k = t->last;
            break;
        case 2:
            k = t->start - 1;
            break;
        default:
            k = t->start + ((((warden_u128)rnd() << 64) | rnd()) & (t->last - t->start));
        }
        if (v4) k &= 0xffffffffu;
        uint32_t cats = 0;
        const char *prov = "";
        unsigned best = 0;
        bool any = false;
        for (int i = 0; i < NP; i++)
            if (r[i].start <= k && k <= r[i].last) {
                cats |= r[i].cats;
                if (!any || r[i].plen > best || (r[i].plen == best)) {
                    if (!any || r[i].plen >= best) prov = r[i].name, best = r[i].plen;
                }
                any = true;
            }
        struct warden_ip ip;
        ip_of(&ip, k, v4);
        const struct warden_ipinfo *w = warden_intel_lookup(in, &ip);
        if (w->categories != cats || strcmp(w->provider, prov) != 0) {
            char buf[WARDEN_IP_STRLEN];
            fprintf(stderr, "%s: table %#x %s, reference %#x %s\n", warden_ip_format(&ip, buf),
                    w->categories, w->provider, cats, prov);
            fail();
        }
        assert_true(key_of(&ip, v4) == k);
    }
    warden_intel_free(in);
    free(r);
}

static void random_vs_reference(void **state)
{
    (void)state;
    random_vs_reference_family(true);
    random_vs_reference_family(false);
}

static void conf_lists(struct warden_intel_conf *conf)
{
    warden_conf_defaults(warden_intel_conf_table, conf);
    const struct warden_conf_key *k = warden_conf_find(warden_intel_conf_table, "locdb");
    char err[100];
    assert_int_equal(warden_conf_set(k, conf, "", err, sizeof err), 0);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "lists"), conf);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "asn_lists"), conf);
}

static void list_parsing(void **state)
{
    (void)state;
    write_file(tmp_path("nets.txt"), "# a comment line\n"
                                     "198.51.100.0/24\n"
                                     "not-an-address\n"
                                     "  203.0.113.7   # trailing comment\n"
                                     "10.0.0.0/33\n"
                                     "\n"
                                     "2001:db8:5::/48\n"
                                     "192.0.2.10,192.0.2.20,Range Inc,http://example.com\n"
                                     "192.0.2.200,192.0.2.100\n"
                                     "100.64.0.0/10,extra,columns\n"
                                     "1.2.3.4/24\n");
    write_file(tmp_path("ranges.csv"), "start,end,name\n"
                                       "172.16.0.1,172.16.0.6,\"Quoted Co\"\n");
    struct warden_intel_conf conf;
    conf_lists(&conf);
    const struct warden_conf_key *kl = warden_conf_find(warden_intel_conf_table, "lists");
    char spec[700];
    snprintf(spec, sizeof spec, "vpn+hosting:acme:%s", tmp_path("nets.txt"));
    warden_conf_list_append(kl, &conf, spec);
    snprintf(spec, sizeof spec, "hosting::%s", tmp_path("ranges.csv"));
    warden_conf_list_append(kl, &conf, spec);
    struct warden_intel *in = NULL;
    char err[300];
    int rc = warden_intel_open(&in, &conf, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    struct warden_intel_stats st;
    warden_intel_get_stats(in, &st);
    assert_int_equal(st.bad_lines, 3); /* not-an-address, /33, reversed range */

    const uint32_t vh = WARDEN_IPCAT_VPN | WARDEN_IPCAT_HOSTING;
    assert_int_equal(look(in, "198.51.100.77")->categories, vh);
    assert_string_equal(look(in, "198.51.100.77")->provider, "acme");
    assert_int_equal(look(in, "203.0.113.7")->categories, vh);
    assert_int_equal(look(in, "203.0.113.8")->categories, 0);
    assert_int_equal(look(in, "2001:db8:5:ffff::1")->categories, vh);
    assert_int_equal(look(in, "100.127.255.255")->categories, vh);
    assert_int_equal(look(in, "1.2.3.200")->categories, vh); /* host bits ignored */
    /* ranges: exactly start..end, both ends included */
    assert_int_equal(look(in, "192.0.2.9")->categories, 0);
    assert_int_equal(look(in, "192.0.2.10")->categories, vh);
    assert_int_equal(look(in, "192.0.2.20")->categories, vh);
    assert_int_equal(look(in, "192.0.2.21")->categories, 0);
    assert_int_equal(look(in, "192.0.2.150")->categories, 0);
    /* no provider in the spec: the range's name column */
    assert_string_equal(look(in, "172.16.0.3")->provider, "Quoted Co");
    assert_int_equal(look(in, "172.16.0.3")->categories, WARDEN_IPCAT_HOSTING);
    assert_int_equal(look(in, "172.16.0.0")->categories, 0);
    assert_int_equal(look(in, "172.16.0.7")->categories, 0);
    warden_intel_free(in);
    warden_conf_fini(warden_intel_conf_table, &conf);
}

static void asn_list_parsing(void **state)
{
    (void)state;
    write_file(tmp_path("asns.txt"), "ASN,Entity\n"
                                     "AS64500 # example\n"
                                     "\"64501\",\"Quoted, Inc\"\n"
                                     "ASX\n"
                                     "0\n"
                                     "as64502\n"
                                     "99999999999\n");
    struct warden_intel_builder b;
    warden_intel_builder_init(&b);
    char err[300];
    assert_int_equal(warden_intel_load_asn_list(&b, WARDEN_IPCAT_VPN, "asnvpn",
                                                tmp_path("asns.txt"), err, sizeof err),
                     0);
    assert_int_equal(b.bad_lines, 3);
    assert_true(warden_u32map_get(&b.asn_idx, 64500) != 0);
    assert_true(warden_u32map_get(&b.asn_idx, 64501) != 0);
    assert_true(warden_u32map_get(&b.asn_idx, 64502) != 0);
    assert_int_equal(warden_u32map_get(&b.asn_idx, 64503), 0);
    warden_intel_builder_fini(&b);
}

static void bad_config(void **state)
{
    (void)state;
    struct warden_intel_conf conf;
    conf_lists(&conf);
    const struct warden_conf_key *kl = warden_conf_find(warden_intel_conf_table, "lists");
    struct warden_intel *in = NULL;
    char err[300];
    warden_conf_list_append(kl, &conf, "nosuchcat:x:/dev/null");
    assert_int_equal(warden_intel_open(&in, &conf, err, sizeof err), WARDEN_ECONFIG);
    assert_non_null(strstr(err, "unknown category"));
    warden_conf_list_clear(kl, &conf);
    warden_conf_list_append(kl, &conf, "vpn:x:/nonexistent/list.txt");
    assert_int_equal(warden_intel_open(&in, &conf, err, sizeof err), WARDEN_ECONFIG);
    assert_non_null(strstr(err, "/nonexistent/list.txt"));
    warden_conf_list_clear(kl, &conf);
    warden_conf_list_append(kl, &conf, "vpn-only");
    assert_int_equal(warden_intel_open(&in, &conf, err, sizeof err), WARDEN_ECONFIG);
    assert_null(in);
    warden_conf_fini(warden_intel_conf_table, &conf);

    conf_lists(&conf);
    const struct warden_conf_key *kd = warden_conf_find(warden_intel_conf_table, "locdb");
    assert_int_equal(warden_conf_set(kd, &conf, "/nonexistent/location.db", err, sizeof err), 0);
    assert_int_equal(warden_intel_open(&in, &conf, err, sizeof err), WARDEN_ECONFIG);
    assert_non_null(strstr(err, "/nonexistent/location.db"));
    assert_int_equal(warden_conf_set(kd, &conf, tmp_path("nets.txt"), err, sizeof err), 0);
    write_file(tmp_path("nets.txt"), "this is not a libloc database\n");
    assert_true(warden_intel_open(&in, &conf, err, sizeof err) < 0);
    warden_conf_fini(warden_intel_conf_table, &conf);
}

static void same(const struct warden_ipinfo *a, const struct warden_ipinfo *b)
{
    assert_string_equal(a->country, b->country);
    assert_int_equal(a->asn, b->asn);
    assert_int_equal(a->categories, b->categories);
    assert_string_equal(a->as_name, b->as_name);
    assert_string_equal(a->provider, b->provider);
}

static void save_map_roundtrip(void **state)
{
    (void)state;
    struct warden_intel *in = small_table(), *m = NULL;
    char err[300];
    const char *path = tmp_path("small.wit");
    assert_int_equal(warden_intel_save(in, path, err, sizeof err), 0);
    assert_int_equal(warden_intel_map(&m, path, err, sizeof err), 0);
    struct warden_intel_stats st;
    warden_intel_get_stats(m, &st);
    assert_true(st.mapped);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        struct warden_ip ip;
        if (i % 2) {
            warden_ip_from_v4(&ip, (uint32_t)(x >> 32) % 2
                                       ? (uint32_t)(x >> 32)
                                       : 0x0a000000u | (uint32_t)(x & 0xffffff));
        } else {
            memcpy(ip.b, &x, 8);
            ip.b[0] = 0x20, ip.b[1] = 0x01, ip.b[2] = 0x0d, ip.b[3] = 0xb8;
            memcpy(ip.b + 8, &x, 8);
        }
        same(warden_intel_lookup(in, &ip), warden_intel_lookup(m, &ip));
    }
    same(look(in, "10.1.2.3"), look(m, "10.1.2.3"));
    assert_string_equal(look(m, "10.1.2.3")->provider, "vpnco");
    assert_string_equal(look(m, "10.5.5.5")->as_name, "EXAMPLE-AS");
    warden_intel_free(m);

    /* conf.table maps an existing file instead of building */
    struct warden_intel_conf conf;
    conf_lists(&conf);
    const struct warden_conf_key *kt = warden_conf_find(warden_intel_conf_table, "table");
    assert_int_equal(warden_conf_set(kt, &conf, path, err, sizeof err), 0);
    assert_int_equal(warden_intel_open(&m, &conf, err, sizeof err), 0);
    warden_intel_get_stats(m, &st);
    assert_true(st.mapped);
    assert_string_equal(look(m, "2001:db8:1::9")->provider, "v6vpn");
    warden_intel_free(m);
    warden_conf_fini(warden_intel_conf_table, &conf);
    warden_intel_free(in);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    char *p = malloc(*n);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void put(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void expect_refused(const char *path, const char *why)
{
    struct warden_intel *m = (struct warden_intel *)1;
    char err[300] = "";
    assert_int_equal(warden_intel_map(&m, path, err, sizeof err), WARDEN_EFORMAT);
    assert_null(m);
    if (!strstr(err, why)) fprintf(stderr, "unexpected reason: %s\n", err);
    assert_non_null(strstr(err, why));
}

#define HDR_SIZE 160 /* struct table_hdr in tablefile.c (version 2) */
#define HDR_CHECKSUM 24
#define HDR_OFF_V4ROOT 104

static void corrupt_files_refused(void **state)
{
    (void)state;
    struct warden_intel *in = small_table();
    char err[300];
    const char *good = tmp_path("good.wit"), *bad = tmp_path("bad.wit");
    assert_int_equal(warden_intel_save(in, good, err, sizeof err), 0);
    warden_intel_free(in);
    size_t n;
    char *p = slurp(good, &n);
    char *q = malloc(n);

    put(bad, p, 0);
    expect_refused(bad, "not a Warden IP table");
    put(bad, p, 100);
    expect_refused(bad, "not a Warden IP table");
    put(bad, p, n / 2);
    expect_refused(bad, "truncated");
    put(bad, p, n - 1);
    expect_refused(bad, "truncated");

    memcpy(q, p, n);
    q[0] = 'X';
    put(bad, q, n);
    expect_refused(bad, "bad magic");

    memcpy(q, p, n);
    q[8] = 99; /* version */
    put(bad, q, n);
    expect_refused(bad, "version");

    for (size_t at = HDR_SIZE; at < n; at += n / 7) { /* any flipped byte */
        memcpy(q, p, n);
        q[at] ^= 0x40;
        put(bad, q, n);
        expect_refused(bad, "checksum");
    }

    /* structurally broken but with a valid checksum: a root entry pointing
     * past the node array */
    memcpy(q, p, n);
    uint64_t off;
    memcpy(&off, q + HDR_OFF_V4ROOT, 8);
    uint32_t e = 0xffffffffu;
    memcpy(q + off, &e, 4);
    uint64_t sum = XXH3_64bits(q + HDR_SIZE, n - HDR_SIZE);
    memcpy(q + HDR_CHECKSUM, &sum, 8);
    put(bad, q, n);
    expect_refused(bad, "corrupt table");

    /* a section offset outside the file */
    memcpy(q, p, n);
    off = (uint64_t)n * 2;
    memcpy(q + HDR_OFF_V4ROOT, &off, 8);
    put(bad, q, n);
    expect_refused(bad, "corrupt header");

    struct warden_intel *m = NULL;
    assert_int_equal(warden_intel_map(&m, tmp_path("missing.wit"), err, sizeof err), WARDEN_ENOENT);
    free(p);
    free(q);
}

static void category_names(void **state)
{
    (void)state;
    uint32_t c;
    assert_int_equal(warden_ipcat_parse("vpn+tor", 7, &c), 0);
    assert_int_equal(c, WARDEN_IPCAT_VPN | WARDEN_IPCAT_TOR);
    assert_int_equal(warden_ipcat_parse("vpn+", 4, &c), WARDEN_EINVAL);
    assert_int_equal(warden_ipcat_parse("", 0, &c), WARDEN_EINVAL);
    char buf[100];
    assert_string_equal(
        warden_ipcat_format(WARDEN_IPCAT_HOSTING | WARDEN_IPCAT_CLOUD, buf, sizeof buf),
        "hosting,cloud");
    assert_string_equal(warden_ipcat_format(0, buf, sizeof buf), "");
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("WARDEN_TMP");
    if (!base || !*base) base = "/tmp";
    mkdir(base, 0755);
    snprintf(tmpdir, sizeof tmpdir, "%s/intel_table.XXXXXX", base);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"nets.txt",  "ranges.csv", "asns.txt",
                           "small.wit", "good.wit",   "bad.wit"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp_path(names[i]));
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(longest_prefix_and_merge),
        cmocka_unit_test(random_vs_reference),
        cmocka_unit_test(list_parsing),
        cmocka_unit_test(asn_list_parsing),
        cmocka_unit_test(bad_config),
        cmocka_unit_test(save_map_roundtrip),
        cmocka_unit_test(corrupt_files_refused),
        cmocka_unit_test(category_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
