/* intel.c — IP intelligence: opening (build from the configured sources, or
 * map a saved table), path resolution, and the hot-path lookup.
 *
 * Relative paths resolve against data_dir, else the data directory
 * (core/datadir.h), so tests run from any directory. The defaults
 * themselves are in intel_conf.c. */
#include "intel/intel_impl.h"
#include "core/datadir.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Direct-indexed root sizes. IPv4: 2^18 entries (1 MB), so a /24 is one node
 * below the root; with the real data 83% of random IPv4 addresses resolve in
 * the root itself. IPv6: 2^20 entries (4 MB, of which 2000::/3 is the hot
 * eighth), so an RIR /32 allocation is two nodes below the root. */
#define V4_ROOT_BITS 18
#define V6_ROOT_BITS 20

char *warden_intel_resolve(const struct warden_intel_conf *conf, const char *path)
{
    if (path[0] == '/') return warden_xstrdup(path);
    return warden_data_path(conf ? conf->data_dir : NULL, path);
}

int warden_intel_parse_spec(const char *spec, uint32_t *cats, char **provider, char **path,
                            char *err, size_t errlen)
{
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || c2[1] == '\0') {
        snprintf(err, errlen, "list '%s': expected CATEGORY:PROVIDER:PATH", spec);
        return WARDEN_ECONFIG;
    }
    if (warden_ipcat_parse(spec, (size_t)(c1 - spec), cats)) {
        snprintf(err, errlen, "list '%s': unknown category '%.*s'", spec, (int)(c1 - spec), spec);
        return WARDEN_ECONFIG;
    }
    *provider = warden_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
    *path = warden_xstrdup(c2 + 1);
    return 0;
}

char *warden_ipcat_format(uint32_t cats, char *buf, size_t n)
{
    size_t len = 0;
    if (n) buf[0] = '\0';
    for (uint32_t bit = 1; bit && n; bit <<= 1) {
        if (!(cats & bit)) continue;
        const char *name = warden_ipcat_name(bit);
        if (!name) continue;
        int w = snprintf(buf + len, n - len, "%s%s", len ? "," : "", name);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
    }
    return buf;
}

void warden_intel_make_info(struct warden_intel *in)
{
    in->info = warden_xcalloc(in->n_recs ? in->n_recs : 1, sizeof *in->info);
    for (size_t i = 0; i < in->n_recs; i++) {
        const struct warden_intel_rec *r = &in->recs[i];
        struct warden_ipinfo *o = &in->info[i];
        o->country[0] = r->cc[0];
        o->country[1] = r->cc[0] ? r->cc[1] : '\0';
        o->country[2] = '\0';
        o->asn = r->asn;
        o->categories = r->cats;
        o->as_name = in->strings + r->as_name;
        o->provider = in->strings + r->provider;
    }
    if (!in->n_recs) {
        in->info[0].as_name = "";
        in->info[0].provider = "";
    }
    in->sources = warden_xcalloc(in->n_srcs ? in->n_srcs : 1, sizeof *in->sources);
    for (size_t i = 0; i < in->n_srcs; i++)
        in->sources[i] =
            (struct warden_intel_source){in->strings + in->srcs[i].name, in->srcs[i].as_of_day};
}

struct warden_intel *warden_intel_from_builder(struct warden_intel_builder *b)
{
    struct warden_intel *in = warden_xcalloc(1, sizeof *in);
    in->stats.v4_prefixes = b->v4.n;
    in->stats.v6_prefixes = b->v6.n;
    in->stats.bad_lines = b->bad_lines;
    in->stats.locdb_created = b->locdb_created;
    in->stats.built_at = (int64_t)time(NULL);
    warden_intel_builder_finish(b);
    warden_iptrie_build(&in->o4, b->iv4.v, b->iv4.n, V4_ROOT_BITS);
    warden_iptrie_build(&in->o6, b->iv6.v, b->iv6.n, V6_ROOT_BITS);
    in->v4 = in->o4.t;
    in->v6 = in->o6.t;
    in->own_recs = warden_xrealloc(b->recs, b->n_recs * sizeof *b->recs);
    b->recs = NULL;
    in->recs = in->own_recs;
    in->n_recs = b->n_recs;
    in->own_strings = b->strings.buf;
    b->strings.buf = NULL;
    in->strings = in->own_strings;
    in->strings_len = b->strings.len;
    in->own_srcs = b->srcs;
    in->srcs = b->srcs;
    in->n_srcs = b->n_srcs;
    b->srcs = NULL;
    b->n_srcs = 0;
    warden_intel_make_info(in);
    return in;
}

static int load_specs(struct warden_intel_builder *b, const struct warden_intel_conf *conf,
                      const struct warden_strlist *l, bool asn, char *err, size_t errlen)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t cats;
        char *provider = NULL, *rel = NULL, *path = NULL;
        int rc = warden_intel_parse_spec(l->v[i], &cats, &provider, &rel, err, errlen);
        if (rc) return rc;
        path = warden_intel_resolve(conf, rel);
        b->src_name = l->v[i];
        rc = asn ? warden_intel_load_asn_list(b, cats, provider, path, err, errlen)
                 : warden_intel_load_list(b, cats, provider, path, err, errlen);
        free(provider);
        free(rel);
        free(path);
        b->src_name = NULL;
        if (rc) return rc;
    }
    return 0;
}

static int load_opt(struct warden_intel_builder *b, const struct warden_intel_conf *conf,
                    const char *p,
                    int (*fn)(struct warden_intel_builder *, const char *, char *, size_t),
                    char *err, size_t errlen)
{
    if (!p || !*p) return 0;
    char *path = warden_intel_resolve(conf, p);
    int rc = fn(b, path, err, errlen);
    free(path);
    return rc;
}

/* Warn when a source changed after a mapped table was compiled: the table
 * still answers, but with yesterday's data. */
static void warn_if_stale(const struct warden_intel_conf *conf, const char *table, int64_t built)
{
    const char *single[] = {conf->locdb, conf->mmdb_country, conf->mmdb_asn, conf->mmdb_anonymous};
    const struct warden_strlist *lists[] = {&conf->lists, &conf->asn_lists};
    for (size_t i = 0; i < 4 + 2; i++) {
        size_t n = i < 4 ? 1 : lists[i - 4]->n;
        for (size_t j = 0; j < n; j++) {
            const char *spec = i < 4 ? single[i] : lists[i - 4]->v[j];
            if (!spec || !*spec) continue;
            const char *p = spec;
            if (i >= 4) { /* CATEGORY:PROVIDER:PATH */
                const char *c = strchr(spec, ':');
                p = c ? strchr(c + 1, ':') : NULL;
                if (!p) continue;
                p++;
            }
            char *path = warden_intel_resolve(conf, p);
            struct stat st;
            if (stat(path, &st) == 0 && (int64_t)st.st_mtime > built)
                warden_warn("intel: %s changed after %s was built; rebuild it with 'warden intel "
                            "build'",
                            path, table);
            free(path);
        }
    }
}

static int open_table(struct warden_intel **out, const struct warden_intel_conf *conf, char *err,
                      size_t errlen);

int warden_intel_open(struct warden_intel **out, const struct warden_intel_conf *conf, char *err,
                      size_t errlen)
{
    int rc = open_table(out, conf, err, errlen);
    if (rc == 0) warden_intel_warn_stale(*out, conf->max_age_days);
    return rc;
}

static int open_table(struct warden_intel **out, const struct warden_intel_conf *conf, char *err,
                      size_t errlen)
{
    double t0 = warden_now_s();
    *out = NULL;
    if (conf->table && *conf->table) {
        char *path = warden_intel_resolve(conf, conf->table);
        if (access(path, F_OK) == 0) {
            int rc = warden_intel_map(out, path, err, errlen);
            if (rc == 0) warn_if_stale(conf, path, (*out)->stats.built_at);
            free(path);
            return rc;
        }
        snprintf(err, errlen,
                 "intel.table: %s does not exist (write it with `warden intel build --out %s`, "
                 "or leave table unset to build from the sources at start-up)",
                 path, path);
        free(path);
        return WARDEN_ECONFIG;
    }
    struct warden_intel_builder b;
    warden_intel_builder_init(&b);
    int rc = load_opt(&b, conf, conf->locdb, warden_intel_load_libloc, err, errlen);
    if (!rc) rc = load_opt(&b, conf, conf->mmdb_country, warden_intel_load_mmdb, err, errlen);
    if (!rc) rc = load_opt(&b, conf, conf->mmdb_asn, warden_intel_load_mmdb, err, errlen);
    if (!rc) rc = load_opt(&b, conf, conf->mmdb_anonymous, warden_intel_load_mmdb, err, errlen);
    if (!rc) rc = load_specs(&b, conf, &conf->lists, false, err, errlen);
    if (!rc) rc = load_specs(&b, conf, &conf->asn_lists, true, err, errlen);
    if (rc) goto out;

    struct warden_intel *in = warden_intel_from_builder(&b);
    in->stats.load_seconds = warden_now_s() - t0;
    *out = in;
out:
    warden_intel_builder_fini(&b);
    return rc;
}

static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

const struct warden_ipinfo *warden_intel_lookup(const struct warden_intel *in,
                                                const struct warden_ip *ip)
{
    uint64_t hi = load_be64(ip->b), lo = load_be64(ip->b + 8);
    uint32_t id;
    if (hi == 0 && (lo >> 32) == 0xffffu)
        id = warden_iptrie_lookup(&in->v4, lo << 32, 0);
    else
        id = warden_iptrie_lookup(&in->v6, hi, lo);
    return &in->info[id];
}

void warden_intel_get_stats(const struct warden_intel *in, struct warden_intel_stats *st)
{
    *st = in->stats;
    st->records = in->n_recs;
    st->v4_nodes = in->v4.n_nodes;
    st->v6_nodes = in->v6.n_nodes;
    st->v4_leaves = in->v4.n_leaves;
    st->v6_leaves = in->v6.n_leaves;
    st->strings_bytes = in->strings_len;
    st->memory_bytes = ((size_t)1 << in->v4.root_bits) * 4 + ((size_t)1 << in->v6.root_bits) * 4 +
                       (st->v4_nodes + st->v6_nodes) * sizeof(struct warden_ptnode) +
                       (st->v4_leaves + st->v6_leaves) * 4 +
                       in->n_recs * sizeof(struct warden_ipinfo) + in->strings_len;
}

void warden_intel_free(struct warden_intel *in)
{
    if (!in) return;
    warden_iptrie_owned_free(&in->o4);
    warden_iptrie_owned_free(&in->o6);
    free(in->own_recs);
    free(in->own_srcs);
    free(in->sources);
    free(in->own_strings);
    free(in->info);
    if (in->map) munmap(in->map, in->map_len);
    free(in);
}
