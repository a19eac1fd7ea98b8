/* src_mmdb.c — MaxMind DB (.mmdb) files as a source: GeoIP2/GeoLite2 Country,
 * City, ASN and Anonymous-IP, and IPinfo's country/ASN databases.
 *
 * libmaxminddb has no "list every network" call, so this walks the search
 * tree itself with MMDB_read_node (public API): every data record reached at
 * depth d is a prefix of length d. In an IPv6 database IPv4 lives at ::/96;
 * the aliases MaxMind adds (::ffff:0:0/96, 2002::/16) point back at that
 * subtree and are skipped. Data records are shared by many networks, so each
 * is decoded once (cached by its offset). Whatever fields a record has are
 * used: country (country.iso_code, country_code, country), ASN
 * (autonomous_system_number/organization, IPinfo asn/as_name) and the
 * Anonymous-IP booleans. An .mmdb outranks libloc for country and ASN. */
#include "intel/intel_build.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mmdb_walk {
    struct warden_intel_builder *b;
    MMDB_s *db;
    struct warden_u32map cache; /* data offset+1 -> index+1 in attrs */
    struct warden_pfx *attrs;
    size_t n_attrs;
    uint32_t v4_node; /* the node at ::/96, 0 for none */
};

static bool get_str(MMDB_entry_s *e, const char *const *path, const char **s, uint32_t *n)
{
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return false;
    *s = d.utf8_string;
    *n = d.data_size;
    return true;
}

static int get_bool(MMDB_entry_s *e, const char *key)
{
    const char *path[] = {key, NULL};
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_BOOLEAN)
        return -1;
    return d.boolean ? 1 : 0;
}

static void decode(struct mmdb_walk *w, MMDB_entry_s *e, struct warden_pfx *p)
{
    memset(p, 0, sizeof *p);
    p->rank = WARDEN_RANK_MMDB;
    const char *s;
    uint32_t n;
    static const char *const cc_paths[][3] = {
        {"country", "iso_code", NULL}, {"country_code", NULL, NULL}, {"country", NULL, NULL}};
    for (size_t i = 0; i < 3; i++)
        if (get_str(e, cc_paths[i], &s, &n) && n == 2) {
            p->cc[0] = s[0];
            p->cc[1] = s[1];
            p->fields |= WARDEN_PF_COUNTRY;
            break;
        }
    MMDB_entry_data_s d;
    const char *asn_path[] = {"autonomous_system_number", NULL};
    const char *ipinfo_asn[] = {"asn", NULL};
    if (MMDB_aget_value(e, &d, asn_path) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_UINT32) {
        p->asn = d.uint32;
        p->fields |= WARDEN_PF_ASN;
    } else if (get_str(e, ipinfo_asn, &s, &n) && n > 2 && (s[0] == 'A' || s[0] == 'a')) {
        uint64_t v = 0;
        for (uint32_t i = 2; i < n && i < 13 && s[i] >= '0' && s[i] <= '9'; i++)
            v = v * 10 + (uint64_t)(s[i] - '0');
        if (v && v <= UINT32_MAX) {
            p->asn = (uint32_t)v;
            p->fields |= WARDEN_PF_ASN;
        }
    }
    if (p->asn) {
        static const char *const name_paths[][2] = {
            {"autonomous_system_organization", NULL}, {"as_name", NULL}, {"name", NULL}};
        for (size_t i = 0; i < 3; i++)
            if (get_str(e, name_paths[i], &s, &n) && n) {
                warden_intel_builder_as_name(w->b, p->asn, s, n);
                break;
            }
    }
    static const struct {
        const char *key;
        uint32_t cat;
    } anon[] = {
        {"is_anonymous", WARDEN_IPCAT_PROXY},
        {"is_anonymous_vpn", WARDEN_IPCAT_VPN},
        {"is_tor_exit_node", WARDEN_IPCAT_TOR},
        {"is_hosting_provider", WARDEN_IPCAT_HOSTING},
        {"is_public_proxy", WARDEN_IPCAT_PROXY},
        {"is_residential_proxy", WARDEN_IPCAT_RESIDENTIAL_PROXY},
    };
    bool any = false;
    uint32_t cats = 0;
    for (size_t i = 0; i < sizeof anon / sizeof anon[0]; i++) {
        int v = get_bool(e, anon[i].key);
        if (v >= 0) any = true;
        if (v > 0) cats |= anon[i].cat;
    }
    /* "is_anonymous" alone means some other anonymiser; with a specific flag
     * the specific one says it all. */
    if ((cats & ~WARDEN_IPCAT_PROXY) && get_bool(e, "is_public_proxy") != 1)
        cats &= ~(uint32_t)WARDEN_IPCAT_PROXY;
    const char *sat[] = {"traits", "is_satellite_provider", NULL};
    const char *ap[] = {"traits", "is_anonymous_proxy", NULL};
    if (MMDB_aget_value(e, &d, sat) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_BOOLEAN && d.boolean)
        cats |= WARDEN_IPCAT_SATELLITE, any = true;
    if (MMDB_aget_value(e, &d, ap) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_BOOLEAN && d.boolean)
        cats |= WARDEN_IPCAT_PROXY, any = true;
    if (any) {
        p->cats = cats;
        p->fields |= WARDEN_PF_ANON;
    }
}

static void emit(struct mmdb_walk *w, warden_u128 prefix, unsigned plen, MMDB_entry_s *e,
                 bool v6tree)
{
    uint32_t *slot = warden_u32map_slot(&w->cache, e->offset + 1);
    if (!*slot) {
        w->attrs = warden_xrealloc(w->attrs, (w->n_attrs + 1) * sizeof *w->attrs);
        decode(w, e, &w->attrs[w->n_attrs]);
        *slot = (uint32_t)++w->n_attrs;
    }
    const struct warden_pfx *p = &w->attrs[*slot - 1];
    if (!p->fields) return;
    struct warden_ip ip;
    if (!v6tree) {
        warden_ip_from_v4(&ip, (uint32_t)(prefix >> 96));
    } else if (plen >= 96 && (prefix >> 32) == 0) {
        warden_ip_from_v4(&ip, (uint32_t)prefix);
        plen -= 96;
    } else {
        warden_u128 k = prefix;
        for (int i = 15; i >= 0; i--, k >>= 8) ip.b[i] = (uint8_t)k;
    }
    warden_intel_builder_add(w->b, &ip, plen, p);
}

struct frame {
    uint32_t node;
    unsigned depth;
    warden_u128 prefix;
};

int warden_intel_load_mmdb(struct warden_intel_builder *b, const char *path, char *err,
                           size_t errlen)
{
    MMDB_s db;
    int s = MMDB_open(path, MMDB_MODE_MMAP, &db);
    if (s != MMDB_SUCCESS) {
        snprintf(err, errlen, "%s: %s", path, MMDB_strerror(s));
        return s == MMDB_FILE_OPEN_ERROR ? WARDEN_ECONFIG : WARDEN_EFORMAT;
    }
    int rc = WARDEN_EFORMAT;
    struct mmdb_walk w = {b, &db, {0}, NULL, 0, 0};
    warden_u32map_init(&w.cache);
    bool v6tree = db.metadata.ip_version == 6;
    unsigned maxdepth = v6tree ? 128 : 32;
    uint32_t nodes = db.metadata.node_count;
    MMDB_search_node_s sn;
    if (v6tree) { /* find the IPv4 subtree at ::/96 */
        uint32_t n = 0;
        unsigned d = 0;
        for (; d < 96; d++) {
            if (MMDB_read_node(&db, n, &sn) != MMDB_SUCCESS ||
                sn.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE)
                break;
            n = (uint32_t)sn.left_record;
        }
        if (d == 96) w.v4_node = n;
    }
    size_t cap = 256, top = 0;
    struct frame *stack = warden_xmalloc(cap * sizeof *stack);
    stack[top++] = (struct frame){0, 0, 0};
    while (top) {
        struct frame f = stack[--top];
        if (MMDB_read_node(&db, f.node, &sn) != MMDB_SUCCESS) {
            snprintf(err, errlen, "%s: corrupt search tree (node %u)", path, f.node);
            goto out;
        }
        for (int side = 1; side >= 0; side--) { /* push right first: walk in order */
            uint64_t rec = side ? sn.right_record : sn.left_record;
            uint8_t type = side ? sn.right_record_type : sn.left_record_type;
            MMDB_entry_s *e = side ? &sn.right_record_entry : &sn.left_record_entry;
            warden_u128 child = f.prefix | ((warden_u128)(unsigned)side << (127 - f.depth));
            unsigned cd = f.depth + 1;
            if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
                if (rec >= nodes || cd >= maxdepth) {
                    snprintf(err, errlen, "%s: corrupt search tree (node %u)", path, f.node);
                    goto out;
                }
                /* an alias of the IPv4 subtree: already walked at ::/96 */
                if (w.v4_node && rec == w.v4_node && !(cd == 96 && child == 0)) continue;
                if (top == cap) {
                    cap *= 2;
                    stack = warden_xrealloc(stack, cap * sizeof *stack);
                }
                stack[top++] = (struct frame){(uint32_t)rec, cd, child};
            } else if (type == MMDB_RECORD_TYPE_DATA) {
                emit(&w, child, cd, e, v6tree);
            } else if (type == MMDB_RECORD_TYPE_INVALID) {
                snprintf(err, errlen, "%s: corrupt search tree (node %u)", path, f.node);
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(stack);
    free(w.attrs);
    warden_u32map_fini(&w.cache);
    MMDB_close(&db);
    return rc;
}
