/* cmd_ip.c — `warden ip ADDR...`: what Warden's IP intelligence says about
 * addresses (country, ASN and AS name, categories, provider), from the same
 * table the engine uses. */
#include "cli/cli.h"
#include "cli/intel_opts.h"
#include "core/day.h"
#include "core/ip.h"
#include "core/jbuf.h"
#include "intel/intel.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct warden_cmd warden_cmd_ip;

static const struct warden_opt ip_opts[] = {
    WARDEN_INTEL_OPTS,
    {"json", 'j', NULL, "one JSON object per address", false},
    {"stats", 0, NULL,
     "print load time, table size and the date of the location data and of each list to stderr",
     false},
    {NULL, 0, NULL, NULL, false},
};

static void print_text(const char *addr, const struct warden_ipinfo *r)
{
    char cats[200];
    warden_ipcat_format(r->categories, cats, sizeof cats);
    printf("%s  country=%s  asn=%u  as_name=\"%s\"  categories=%s  provider=%s\n", addr,
           r->country[0] ? r->country : "-", r->asn, r->as_name, cats[0] ? cats : "-",
           r->provider[0] ? r->provider : "-");
}

static void print_json(struct warden_jbuf *j, const char *addr, const struct warden_ipinfo *r)
{
    warden_jbuf_reset(j);
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_str(j, "ip", addr);
    warden_jbuf_kv_str(j, "country", r->country);
    warden_jbuf_kv_int(j, "asn", r->asn);
    warden_jbuf_kv_str(j, "as_name", r->as_name);
    warden_jbuf_key(j, "categories");
    warden_jbuf_arr_open(j);
    for (uint32_t bit = 1; bit; bit <<= 1)
        if ((r->categories & bit) && warden_ipcat_name(bit))
            warden_jbuf_cstr(j, warden_ipcat_name(bit));
    warden_jbuf_arr_close(j);
    warden_jbuf_kv_str(j, "provider", r->provider);
    warden_jbuf_obj_close(j);
    printf("%s\n", warden_jbuf_str(j));
}

/* Look up one address given as text; non-zero when it is not an address. */
static int lookup_one(const struct warden_intel *in, const char *s, size_t n, bool json,
                      struct warden_jbuf *j)
{
    struct warden_ip ip;
    if (warden_ip_parse(&ip, s, n)) {
        fprintf(stderr, "warden ip: '%.*s' is not an IP address\n", (int)(n > 60 ? 60 : n), s);
        return -1;
    }
    const struct warden_ipinfo *r = warden_intel_lookup(in, &ip);
    char buf[WARDEN_IP_STRLEN];
    warden_ip_format(&ip, buf);
    if (json)
        print_json(j, buf, r);
    else
        print_text(buf, r);
    return 0;
}

static int cmd_ip(int argc, char **argv)
{
    struct warden_args a;
    int rc = warden_args_parse(&a, &warden_cmd_ip, argc, argv);
    if (rc) {
        warden_args_free(&a);
        return rc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    if (a.nrest == 0) {
        fprintf(stderr, "warden ip: no address given (see 'warden ip --help')\n");
        warden_args_free(&a);
        return WARDEN_EXIT_USAGE;
    }
    struct warden_intel_conf conf;
    struct warden_intel *in = NULL;
    rc = warden_cli_intel_conf(&a, &conf);
    if (rc) goto out;
    char err[512];
    if (warden_intel_open(&in, &conf, err, sizeof err)) {
        fprintf(stderr, "warden ip: %s\n", err);
        rc = WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (warden_flag(&a, "stats")) {
        struct warden_intel_stats st;
        warden_intel_get_stats(in, &st);
        fprintf(stderr,
                "warden ip: table %s in %.3f s: %zu records, %zu+%zu nodes, %.1f MB, %zu bad "
                "list lines\n",
                st.mapped ? "mapped" : "built", st.load_seconds, st.records, st.v4_nodes,
                st.v6_nodes, (double)st.memory_bytes / 1e6, st.bad_lines);
        int64_t today = warden_day_today();
        char age[128];
        fprintf(stderr, "warden ip: location data: %s\n",
                warden_day_describe(age, sizeof age, st.locdb_created / 86400, today,
                                    conf.max_age_days, "intel.max_age_days"));
        for (size_t i = 0; i < warden_intel_n_sources(in); i++) {
            const struct warden_intel_source *s = warden_intel_source_at(in, i);
            fprintf(stderr, "warden ip: list %s: %s\n", s->name,
                    warden_day_describe(age, sizeof age, s->as_of_day, today, conf.max_age_days,
                                        "intel.max_age_days"));
        }
    }
    bool json = warden_flag(&a, "json");
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    for (int i = 0; i < a.nrest; i++) {
        if (strcmp(a.rest[i], "-") != 0) {
            if (lookup_one(in, a.rest[i], strlen(a.rest[i]), json, &j)) rc = WARDEN_EXIT_USAGE;
            continue;
        }
        char *line = NULL; /* "-": one address per line from stdin */
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, stdin)) >= 0) {
            char *s = line;
            size_t n = (size_t)len;
            while (n && isspace((unsigned char)*s)) s++, n--;
            while (n && isspace((unsigned char)s[n - 1])) n--;
            if (n == 0 || *s == '#') continue;
            if (lookup_one(in, s, n, json, &j)) rc = WARDEN_EXIT_USAGE;
        }
        free(line);
    }
    warden_jbuf_fini(&j);
out:
    warden_intel_free(in);
    warden_conf_fini(warden_intel_conf_table, &conf);
    warden_args_free(&a);
    return rc;
}

const struct warden_cmd warden_cmd_ip = {
    "ip",
    cmd_ip,
    "look up addresses: country, ASN, AS name, categories, provider",
    "[OPTIONS] ADDR... ('-' reads addresses from stdin, one per line)",
    ip_opts,
    "Sources are the `intel:` defaults (the IPFire Location database and the lists in\n"
    "data/ipintel), changed by the options above. Output: one line per address\n"
    "(country=CC asn=N as_name=\"...\" categories=a,b provider=P; '-' when unknown).\n"
    "When --table (or intel.table) names an existing file, that compiled table is\n"
    "mapped and the source options are not read: rebuild it with warden intel build.",
};
