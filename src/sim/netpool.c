/* netpool.c — builds the simulator's address pools from real network lists
 * and the IPFire Location database (libloc), and draws addresses from them. */
#include "sim/netpool.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <libloc/as.h>
#include <libloc/country-list.h>
#include <libloc/country.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define DEFAULT_LOC_DB "/var/lib/location/database.db"

static struct warden_netpool *pool_get_or_add(struct warden_netpools *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->pools[i].name, name) == 0) return &p->pools[i];
    p->pools = warden_xrealloc(p->pools, (p->n + 1) * sizeof *p->pools);
    struct warden_netpool *np = &p->pools[p->n++];
    memset(np, 0, sizeof *np);
    snprintf(np->name, sizeof np->name, "%s", name);
    return np;
}

static void pool_add(struct warden_netpool *np, const struct warden_ip *base, unsigned plen6,
                     uint32_t asn)
{
    if (np->n == np->cap) {
        np->cap = np->cap ? np->cap * 2 : 256;
        np->nets = warden_xrealloc(np->nets, np->cap * sizeof *np->nets);
    }
    np->nets[np->n].base = *base;
    np->nets[np->n].plen = (uint8_t)plen6;
    np->nets[np->n].asn = asn;
    np->n++;
}

static FILE *open_first(const char *const *dirs, size_t ndirs, const char *rel)
{
    for (size_t i = 0; i < ndirs; i++) {
        char *path = warden_xasprintf("%s/%s", dirs[i], rel);
        FILE *f = fopen(path, "r");
        free(path);
        if (f) return f;
    }
    return NULL;
}

/* One CIDR per line ("a.b.c.d/n" or IPv6); '#' comments allowed. */
static void load_cidrs(struct warden_netpools *p, const char *pool, const char *const *dirs,
                       size_t ndirs, const char *rel)
{
    FILE *f = open_first(dirs, ndirs, rel);
    if (!f) {
        warden_debug("sim: network list %s not found", rel);
        return;
    }
    struct warden_netpool *np = pool_get_or_add(p, pool);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, " \t\r\n#,");
        if (n == 0) continue;
        struct warden_ip ip;
        unsigned plen;
        if (warden_ip_parse_cidr(&ip, &plen, line, n) < 0) continue;
        if (warden_ip_is_v4(&ip)) plen += 96;
        if (plen < 8) continue;
        pool_add(np, &ip, plen, 0);
    }
    fclose(f);
}

/* ipcat: start,end,name,url */
static void load_ipcat(struct warden_netpools *p, const char *const *dirs, size_t ndirs)
{
    FILE *f = open_first(dirs, ndirs, "ipcat/datacenters.csv");
    if (!f) return;
    struct warden_netpool *np = pool_get_or_add(p, "datacenter");
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ',');
        if (!c1) continue;
        char *c2 = strchr(c1 + 1, ',');
        if (!c2) continue;
        struct warden_ip a, b;
        if (warden_ip_parse(&a, line, (size_t)(c1 - line)) < 0) continue;
        if (warden_ip_parse(&b, c1 + 1, (size_t)(c2 - c1 - 1)) < 0) continue;
        if (!warden_ip_is_v4(&a) || !warden_ip_is_v4(&b)) continue;
        uint32_t lo = warden_ip_v4(&a), hi = warden_ip_v4(&b);
        if (hi < lo) continue;
        uint64_t span = (uint64_t)hi - lo + 1;
        unsigned bits = 0;
        while (bits < 32 && (1ULL << (bits + 1)) <= span) bits++;
        pool_add(np, &a, 128 - bits, 0);
    }
    fclose(f);
}

/* Hosting ASNs: bad-asn-list.csv ("ASN,Entity") and X4BNet "ASnnn # name". */
static uint32_t *load_hosting_asns(const char *const *dirs, size_t ndirs, size_t *n)
{
    uint32_t *v = NULL;
    size_t cnt = 0, cap = 0;
    const char *files[] = {"bad-asn/bad-asn-list.csv", "x4bnet/datacenter_asn.txt",
                           "x4bnet/vpn_asn.txt"};
    for (size_t k = 0; k < 3; k++) {
        FILE *f = open_first(dirs, ndirs, files[k]);
        if (!f) continue;
        char line[512];
        while (fgets(line, sizeof line, f)) {
            const char *s = line;
            if (s[0] == 'A' && s[1] == 'S') s += 2;
            char *end;
            unsigned long a = strtoul(s, &end, 10);
            if (end == s || a == 0) continue;
            if (cnt == cap) {
                cap = cap ? cap * 2 : 1024;
                v = warden_xrealloc(v, cap * sizeof *v);
            }
            v[cnt++] = (uint32_t)a;
        }
        fclose(f);
    }
    *n = cnt;
    return v;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Network operators whose name says hosting, cloud or CDN: not ISPs, even
 * when no hosting list names their ASN. Simulator data, not detection. */
static bool hosting_name(const char *name)
{
    static const char *const words[] = {"cloud",         "hosting",
                                        "host",          "data center",
                                        "datacenter",    "server",
                                        "vps",           "colo",
                                        "dns",           "cdn",
                                        "amazon",        "google",
                                        "microsoft",     "digitalocean",
                                        "ovh",           "hetzner",
                                        "linode",        "akamai",
                                        "cloudflare",    "fastly",
                                        "oracle",        "alibaba",
                                        "tencent",       "kingsoft",
                                        "vultr",         "choopa",
                                        "leaseweb",      "m247",
                                        "datacamp",      "contabo",
                                        "hosting",       "idc",
                                        "internet data", "content delivery"};
    char low[256];
    size_t n = 0;
    for (; name[n] && n < sizeof low - 1; n++)
        low[n] = (char)((name[n] >= 'A' && name[n] <= 'Z') ? name[n] + 32 : name[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(low, words[i])) return true;
    return false;
}

/* asn -> 1 ISP, 2 hosting; open addressing, grows */
struct asn_cache {
    uint32_t *key;
    uint8_t *val;
    size_t cap, n;
};

static uint8_t *asn_slot(struct asn_cache *c, uint32_t asn)
{
    if (c->n * 2 >= c->cap) {
        struct asn_cache old = *c;
        c->cap = c->cap ? c->cap * 2 : 4096;
        c->key = warden_xcalloc(c->cap, sizeof *c->key);
        c->val = warden_xcalloc(c->cap, 1);
        c->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.key[i]) *asn_slot(c, old.key[i]) = old.val[i];
        free(old.key);
        free(old.val);
    }
    size_t i = (asn * 2654435761u) & (c->cap - 1);
    while (c->key[i] && c->key[i] != asn) i = (i + 1) & (c->cap - 1);
    if (!c->key[i]) {
        c->key[i] = asn;
        c->n++;
    }
    return &c->val[i];
}

static bool hosting_asn(struct loc_database *db, struct asn_cache *c, uint32_t asn)
{
    uint8_t *v = asn_slot(c, asn);
    if (!*v) {
        struct loc_as *as = NULL;
        *v = 1;
        if (loc_database_get_as(db, &as, asn) == 0 && as) {
            const char *name = loc_as_get_name(as);
            if (name && hosting_name(name)) *v = 2;
            loc_as_unref(as);
        }
    }
    return *v == 2;
}

static int load_loc(struct warden_netpools *p, const char *loc_path, const char *const *countries,
                    size_t ncountries, const uint32_t *hosting, size_t nhosting)
{
    struct loc_ctx *ctx = NULL;
    struct loc_database *db = NULL;
    struct loc_database_enumerator *e = NULL;
    struct loc_country_list *cl = NULL;
    int rc = WARDEN_ELIB;
    if (loc_new(&ctx) != 0) return WARDEN_ELIB;
    FILE *f = fopen(loc_path ? loc_path : DEFAULT_LOC_DB, "r");
    if (!f) {
        warden_err("sim: cannot open location database %s", loc_path ? loc_path : DEFAULT_LOC_DB);
        rc = WARDEN_EIO;
        goto out;
    }
    int dbrc = loc_database_new(ctx, &db, f);
    fclose(f);
    if (dbrc != 0) goto out;
    /* Not flattened (that is 30x slower): a network may hold more-specific
     * networks of other countries, so draws are checked (see check_cc). */
    if (loc_database_enumerator_new(&e, db, LOC_DB_ENUMERATE_NETWORKS, 0) != 0) goto out;
    if (loc_country_list_new(ctx, &cl) != 0) goto out;
    for (size_t i = 0; i < ncountries; i++) {
        struct loc_country *co = NULL;
        if (loc_country_new(ctx, &co, countries[i]) != 0) continue;
        loc_country_list_append(cl, co);
        loc_country_unref(co);
    }
    if (loc_database_enumerator_set_countries(e, cl) != 0) goto out;
    struct asn_cache cache = {NULL, NULL, 0, 0};
    int pool_idx[2 * 676];
    for (int i = 0; i < 2 * 676; i++) pool_idx[i] = -1;
    struct loc_network *net = NULL;
    while (loc_database_enumerator_next_network(e, &net) == 0 && net) {
        const char *cc = loc_network_get_country_code(net);
        uint32_t asn = loc_network_get_asn(net);
        bool skip = !cc || !cc[0] || loc_network_has_flag(net, LOC_NETWORK_FLAG_ANONYMOUS_PROXY) ||
                    loc_network_has_flag(net, LOC_NETWORK_FLAG_ANYCAST) ||
                    loc_network_has_flag(net, LOC_NETWORK_FLAG_DROP) ||
                    loc_network_has_flag(net, LOC_NETWORK_FLAG_SATELLITE_PROVIDER) || asn == 0 ||
                    (nhosting && bsearch(&asn, hosting, nhosting, sizeof *hosting, cmp_u32)) ||
                    hosting_asn(db, &cache, asn);
        if (!skip) {
            int fam = loc_network_address_family(net);
            unsigned plen = loc_network_prefix(net);
            if (fam == AF_INET && plen <= 32) plen += 96;
            struct warden_ip base;
            memcpy(base.b, loc_network_get_first_address(net), 16);
            /* one pool per (family, country); networks come grouped, so cache */
            int idx = (fam == AF_INET ? 0 : 676) + (cc[0] - 'A') * 26 + (cc[1] - 'A');
            if (idx >= 0 && idx < 2 * 676 && plen >= (fam == AF_INET ? 104u : 24u)) {
                if (pool_idx[idx] < 0) {
                    char name[16];
                    snprintf(name, sizeof name, "%s:%s", fam == AF_INET ? "res" : "res6", cc);
                    pool_idx[idx] = (int)(pool_get_or_add(p, name) - p->pools);
                    memcpy(p->pools[pool_idx[idx]].cc, cc, 2);
                }
                pool_add(&p->pools[pool_idx[idx]], &base, plen, asn);
            }
        }
        loc_network_unref(net);
        net = NULL;
    }
    for (size_t i = 0; i < p->n; i++) {
        struct warden_netpool *np = &p->pools[i];
        np->loc_db = db;
        if (strncmp(np->name, "res:", 4) != 0 || !np->n) continue;
        np->cum = warden_xmalloc(np->n * sizeof *np->cum);
        uint64_t total = 0;
        for (size_t k = 0; k < np->n; k++) {
            unsigned host_bits = 128u - np->nets[k].plen;
            total += 1ULL << (host_bits > 16 ? 16 : host_bits);
            np->cum[k] = total;
        }
    }
    p->loc_db = db;
    p->loc_ctx = ctx;
    db = NULL;
    ctx = NULL;
    rc = 0;
    free(cache.key);
    free(cache.val);
out:
    if (cl) loc_country_list_unref(cl);
    if (e) loc_database_enumerator_unref(e);
    if (db) loc_database_unref(db);
    if (ctx) loc_unref(ctx);
    return rc;
}

int warden_netpools_load(struct warden_netpools *p, const char *const *dirs, size_t ndirs,
                         const char *loc_path, const char *const *countries, size_t ncountries)
{
    memset(p, 0, sizeof *p);
    static const char *const providers[][2] = {
        {"aws", "providers/aws/aws_ips_merged_v4.txt"},
        {"googlecloud", "providers/googlecloud/googlecloud_ips_v4.txt"},
        {"oracle", "providers/oracle/oracle_ips_merged_v4.txt"},
        {"digitalocean", "providers/digitalocean/digitalocean_ips_merged_v4.txt"},
        {"linode", "providers/linode/linode_ips_merged_v4.txt"},
        {"vultr", "providers/vultr/vultr_ips_v4.txt"},
        {"hetzner", "providers/hetzner/hetzner_ips_v4.txt"},
        {"ovhcloud", "providers/ovhcloud/ovhcloud_ips_v4.txt"},
        {"alibaba", "providers/alibaba/alibaba_ips_merged_v4.txt"},
        {"tencent", "providers/tencent/tencent_ips_merged_v4.txt"},
        {"tor", "providers/tor/tor_ips_v4.txt"},
        {"vpn", "providers/mullvad/mullvad_ips_v4.txt"},
        {"vpn", "x4bnet/vpn/ipv4.txt"},
        {"vpn", "x4bnet/vpn/ipv6.txt"},
        {"datacenter", "x4bnet/datacenter/ipv4.txt"},
        {"datacenter", "x4bnet/datacenter/ipv6.txt"},
    };
    for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
        load_cidrs(p, providers[i][0], dirs, ndirs, providers[i][1]);
    load_ipcat(p, dirs, ndirs);
    size_t nh = 0;
    uint32_t *hosting = load_hosting_asns(dirs, ndirs, &nh);
    if (nh) qsort(hosting, nh, sizeof *hosting, cmp_u32);
    int rc = load_loc(p, loc_path, countries, ncountries, hosting, nh);
    free(hosting);
    return rc;
}

void warden_netpools_fini(struct warden_netpools *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->pools[i].nets);
        free(p->pools[i].cum);
    }
    free(p->pools);
    free(p->avoid);
    if (p->loc_db) loc_database_unref(p->loc_db);
    if (p->loc_ctx) loc_unref(p->loc_ctx);
    memset(p, 0, sizeof *p);
}

const struct warden_netpool *warden_netpools_get(const struct warden_netpools *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->pools[i].name, name) == 0) return p->pools[i].n ? &p->pools[i] : NULL;
    return NULL;
}

void warden_net_draw(const struct warden_net *n, struct warden_rng *r, struct warden_ip *out)
{
    *out = n->base;
    bool v4 = warden_ip_is_v4(out);
    unsigned plen = n->plen;
    /* IPv6 hosts: randomise within the first /64 of the network. */
    unsigned last = v4 ? 128 : 64;
    for (unsigned bit = plen; bit < last; bit++) {
        if (warden_rng_next(r) & 1)
            out->b[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
        else
            out->b[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    }
    if (!v4) {
        uint64_t iid = warden_rng_next(r) | 1;
        for (int i = 0; i < 8; i++) out->b[8 + i] = (uint8_t)(iid >> (8 * i));
    } else if (plen <= 120) {
        /* avoid network and broadcast-looking host parts */
        if (out->b[15] == 0 || out->b[15] == 255)
            out->b[15] = (uint8_t)(1 + warden_rng_below(r, 254));
    }
}

/* True when the location database puts ip in the pool's country (or the
 * pool has none). */
static bool check_cc(const struct warden_netpool *pool, const struct warden_ip *ip)
{
    if (!pool->loc_db || (!pool->cc[0] && !pool->navoid)) return true;
    struct loc_network *n = NULL;
    if (loc_database_lookup(pool->loc_db, (const struct in6_addr *)ip->b, &n) != 0 || !n)
        return !pool->cc[0]; /* unknown to the database: fine for list pools */
    const char *cc = loc_network_get_country_code(n);
    bool ok;
    if (pool->cc[0]) {
        ok = cc && strncmp(cc, pool->cc, 2) == 0;
    } else {
        ok = true;
        for (size_t i = 0; cc && i < pool->navoid; i++)
            if (strncmp(cc, pool->avoid[i], 2) == 0) ok = false;
    }
    loc_network_unref(n);
    return ok;
}

void warden_netpools_avoid(struct warden_netpools *p, const char *const *countries, size_t n)
{
    free(p->avoid);
    p->avoid = warden_xcalloc(n ? n : 1, sizeof *p->avoid);
    p->navoid = n;
    for (size_t i = 0; i < n; i++) snprintf(p->avoid[i], 3, "%s", countries[i]);
    for (size_t i = 0; i < p->n; i++) {
        if (p->pools[i].cc[0]) continue;
        p->pools[i].avoid = (const char(*)[3])p->avoid;
        p->pools[i].navoid = n;
    }
}

void warden_netpool_draw_in(const struct warden_netpool *pool, size_t net, struct warden_rng *r,
                            struct warden_ip *out)
{
    for (int t = 0; t < 16; t++) {
        warden_net_draw(&pool->nets[net], r, out);
        if (check_cc(pool, out)) return;
    }
}

void warden_netpool_draw(const struct warden_netpool *pool, struct warden_rng *r,
                         struct warden_ip *out, size_t *net)
{
    size_t i = 0;
    /* whole-AS cloud lists (Tencent, Alibaba) are mostly in one country */
    int tries = pool->cc[0] ? 16 : 64;
    for (int t = 0; t < tries; t++) {
        if (pool->cum) {
            uint64_t x = warden_rng_next(r) % pool->cum[pool->n - 1];
            size_t lo = 0, hi = pool->n - 1;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (pool->cum[mid] > x)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            i = lo;
        } else {
            i = warden_rng_below(r, (uint32_t)pool->n);
        }
        warden_net_draw(&pool->nets[i], r, out);
        if (check_cc(pool, out)) break;
    }
    if (net) *net = i;
}

const char *warden_netpools_as_name(const struct warden_netpools *p, uint32_t asn, char *buf,
                                    size_t len)
{
    if (!p->loc_db || !asn) return NULL;
    struct loc_as *as = NULL;
    if (loc_database_get_as(p->loc_db, &as, asn) != 0 || !as) return NULL;
    const char *name = loc_as_get_name(as);
    const char *ret = NULL;
    if (name && *name) {
        snprintf(buf, len, "%s", name);
        ret = buf;
    }
    loc_as_unref(as);
    return ret;
}
