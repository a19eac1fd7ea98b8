/* cmd_screen.c — `warden screen`: screen a name, a domain, or a file of
 * organisations (with the ownership rule) against the loaded lists, or print
 * what was loaded (--stats). Every match is printed with its explanation. */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/jbuf.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "registry/registry.h"
#include "screen/screen.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct warden_cmd warden_cmd_screen;

static const struct warden_opt opts[] = {
    {"json", 'j', NULL, "write JSON (one object per name or organisation)", false},
    {"country", 'c', "CC", "country of the party (ISO alpha-2 or name)", false},
    {"domain", 'd', "DOMAIN", "web or e-mail domain of the party (also screened alone)", false},
    {"id", 0, "ID", "an identifier of the party (registration number, ...)", false},
    {"batch", 'b', "ORGS.jsonl", "screen every organisation of the file and its owners", false},
    {"stats", 0, NULL, "print entities and names loaded per list, and memory", false},
    {"lists", 'l', "MANIFEST", "list manifest (default DATA/lists/lists.tsv)", false},
    {"data-dir", 0, "DIR",
     "data directory (default: $WARDEN_DATA_DIR, else the installed or source tree's; see warden "
     "--version)",
     false},
    {"policy", 'p', "FILE",
     "policy file: thresholds and ownership rule from its screen: section (options below "
     "override it)",
     false},
    {"threshold", 't', "X", "match threshold 0..1 (policy screen.match_threshold)", false},
    {"ownership-threshold", 0, "PCT", "aggregate share that restricts (default 50)", false},
    {"restricted", 0, "CC",
     "restricted jurisdiction whose organisations count as restricted "
     "owners (enables screen.jurisdiction_owners)",
     true},
    {"max", 'n', "N", "matches printed per name (default 5)", false},
    {"compiled", 0, "FILE",
     "compiled list file (warden lists build; policy screen.compiled) instead of the sources",
     false},
    {NULL, 0, NULL, NULL, false},
};

static const char *kind_name(enum warden_screen_kind k)
{
    return warden_screen_kind_name(k);
}

static void match_json(struct warden_jbuf *b, const struct warden_screen *s,
                       const struct warden_screen_match *m)
{
    warden_screen_match_json(s, m, b);
}

static void match_text(FILE *out, const struct warden_screen *s,
                       const struct warden_screen_match *m)
{
    const struct warden_screen_entity *e = m->entity;
    fprintf(out, "%s %.3f  %s #%s [%s] %s \"%s\"\n", m->is_match ? "MATCH   " : "POSSIBLE",
            m->score, e->list, e->source_id, e->program, kind_name(e->kind),
            warden_screen_entity_name(s, e, 0));
    fprintf(out, "    matched name: \"%s\"\n", m->matched_name);
    fprintf(out, "    compared (%s): \"%s\"%s%s%s ~ \"%s\"%s%s%s = %.3f\n", m->method,
            m->query_norm, m->query_legal[0] ? " [" : "", m->query_legal,
            m->query_legal[0] ? "]" : "", m->listed_norm, m->listed_legal[0] ? " [" : "",
            m->listed_legal, m->listed_legal[0] ? "]" : "", m->name_score);
    fprintf(out, "    tokens:");
    for (int i = 0; i < m->n_pairs; i++)
        fprintf(out, " %s=%s %.2f (w %.1f)%s", m->pairs[i].query, m->pairs[i].listed,
                m->pairs[i].sim, m->pairs[i].weight, i + 1 < m->n_pairs ? ";" : "");
    fprintf(out, "\n    adjustments: legal form %+.2f, country %+.2f, domain %+.2f, id %+.2f\n",
            m->adj_legal, m->adj_country, m->adj_domain, m->adj_id);
    if (!e->listed && e->owned_by_listed) {
        char ch[1024];
        warden_screen_entity_chain(s, e, ch, sizeof ch);
        fprintf(out, "    owned by listed parties: %s\n", ch);
    }
    if (warden_screen_review_only(s, e))
        fprintf(out, "    listed only under programmes the policy reviews (screen.review_programs):"
                     " reviewed, not restricted by this entry\n");
}

static int do_stats(const struct warden_screen *s, bool json, double secs)
{
    struct warden_screen_stats st;
    warden_screen_stats(s, &st);
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    if (json) {
        warden_jbuf_obj_open(&b);
        warden_jbuf_key(&b, "lists");
        warden_jbuf_arr_open(&b);
    }
    for (size_t i = 0; i < warden_screen_n_lists(s); i++) {
        struct warden_screen_list_stats ls;
        warden_screen_list_stats(s, i, &ls);
        if (json) {
            warden_jbuf_obj_open(&b);
            warden_jbuf_kv_str(&b, "list", ls.list);
            warden_jbuf_kv_int(&b, "entities", (int64_t)ls.entities);
            warden_jbuf_kv_int(&b, "names", (int64_t)ls.names);
            warden_screen_list_age_json(&b, s, i);
            warden_jbuf_obj_close(&b);
        } else {
            char age[64];
            warden_screen_list_age_text(age, sizeof age, s, i);
            printf("list %-24s entities %7zu names %7zu  %s\n", ls.list, ls.entities, ls.names,
                   age);
        }
    }
    if (json) {
        warden_jbuf_arr_close(&b);
        warden_jbuf_kv_int(&b, "entities", (int64_t)st.entities);
        warden_jbuf_kv_int(&b, "names", (int64_t)st.names);
        warden_jbuf_kv_int(&b, "attributes", (int64_t)st.attrs);
        warden_jbuf_kv_int(&b, "tokens", (int64_t)st.tokens);
        warden_jbuf_kv_int(&b, "index_keys", (int64_t)st.index_keys);
        warden_jbuf_kv_int(&b, "memory_bytes", (int64_t)st.memory_bytes);
        warden_jbuf_kv_num(&b, "load_seconds", secs);
        warden_jbuf_obj_close(&b);
        printf("%s\n", warden_jbuf_str(&b));
    } else {
        printf("total %zu lists, %zu entities, %zu names, %zu attributes, %zu distinct tokens, "
               "%zu index keys\nmemory %.1f MiB, loaded in %.2f s\n",
               st.lists, st.entities, st.names, st.attrs, st.tokens, st.index_keys,
               (double)st.memory_bytes / 1048576.0, secs);
    }
    warden_jbuf_fini(&b);
    return WARDEN_EXIT_OK;
}

static int do_name(const struct warden_screen *s, struct warden_screen_scratch *w,
                   const struct warden_args *a, const char *name, bool json, size_t max)
{
    struct warden_screen_query q = {name, warden_arg(a, "country"), warden_arg(a, "domain"),
                                    warden_arg(a, "id")};
    struct warden_screen_match *m = warden_xcalloc(max, sizeof *m);
    int n = warden_screen_name(s, w, &q, m, max);
    const struct warden_screen_entity *dom[8];
    int nd = q.domain ? warden_screen_domain(s, q.domain, dom, 8) : 0;
    bool hit = nd > 0;
    for (int i = 0; i < n; i++) hit |= m[i].is_match;
    if (json) {
        struct warden_jbuf b;
        warden_jbuf_init(&b);
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "query", name);
        warden_jbuf_kv_bool(&b, "match", hit);
        warden_jbuf_key(&b, "matches");
        warden_jbuf_arr_open(&b);
        for (int i = 0; i < n; i++) match_json(&b, s, &m[i]);
        warden_jbuf_arr_close(&b);
        warden_jbuf_key(&b, "domain_matches");
        warden_jbuf_arr_open(&b);
        for (int i = 0; i < nd; i++) {
            warden_jbuf_obj_open(&b);
            warden_jbuf_kv_str(&b, "list", dom[i]->list);
            warden_jbuf_kv_str(&b, "source_id", dom[i]->source_id);
            warden_jbuf_kv_str(&b, "name", warden_screen_entity_name(s, dom[i], 0));
            warden_jbuf_obj_close(&b);
        }
        warden_jbuf_arr_close(&b);
        warden_jbuf_obj_close(&b);
        printf("%s\n", warden_jbuf_str(&b));
        warden_jbuf_fini(&b);
    } else {
        printf("%s: %s\n", name, hit ? "MATCH" : n ? "possible matches only" : "no match");
        for (int i = 0; i < n; i++) match_text(stdout, s, &m[i]);
        for (int i = 0; i < nd; i++) {
            const char *en = warden_screen_entity_name(s, dom[i], 0);
            printf("DOMAIN   %s on %s #%s%s%s%s\n", q.domain, dom[i]->list, dom[i]->source_id,
                   en ? " \"" : "", en ? en : "", en ? "\"" : "");
        }
    }
    free(m);
    return hit ? WARDEN_EXIT_FOUND : WARDEN_EXIT_OK;
}

static int do_batch(const struct warden_screen *s, struct warden_screen_scratch *w,
                    const char *path, bool json)
{
    struct warden_registry *reg;
    char err[512];
    /* the one orgs.jsonl reader: the registry's (bad lines reported and skipped) */
    if (warden_registry_load(&reg, NULL, path, err, sizeof err) < 0) {
        fprintf(stderr, "warden screen: %s\n", err);
        return WARDEN_EXIT_CONFIG;
    }
    size_t n = warden_registry_n_orgs(reg);
    const struct warden_org *orgs = n ? warden_registry_org_at(reg, 0) : NULL;
    struct warden_screen_ownership *o;
    warden_screen_orgs(s, w, orgs, n, &o);
    bool any = false;
    char chain[4096];
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    for (size_t i = 0; i < n; i++) {
        const struct warden_screen_verdict *v = warden_screen_ownership_at(o, i);
        any |= v->restricted;
        warden_screen_ownership_chain(o, i, chain, sizeof chain);
        const char *code = warden_screen_verdict_code(v);
        if (json) {
            warden_jbuf_reset(&b);
            warden_screen_verdict_json(s, o, i, &b);
            printf("%s\n", warden_jbuf_str(&b));
        } else {
            if (v->restricted || v->possibly_owned)
                printf("%s\t%s\t%s\n", v->org_id, code, chain);
            else if (v->has_possible)
                printf("%s\t%s\t%s ~ %s (%.3f)\n", v->org_id, code, v->name,
                       v->possible.matched_name, v->possible.score);
            else
                printf("%s\t%s\t%s\n", v->org_id, code, v->name);
        }
    }
    if (warden_screen_ownership_missing(o))
        fprintf(stderr,
                "warden screen: %zu owners named neither an org_id in the file nor a "
                "name; ignored\n",
                warden_screen_ownership_missing(o));
    warden_jbuf_fini(&b);
    warden_screen_ownership_free(o);
    warden_registry_free(reg);
    return any ? WARDEN_EXIT_FOUND : WARDEN_EXIT_OK;
}

/* An option's value when the command has that option (match-names has fewer). */
static const char *arg_if(const struct warden_args *a, const char *name)
{
    for (const struct warden_opt *o = a->cmd->opts; o && o->name; o++)
        if (strcmp(o->name, name) == 0) return warden_arg(a, name);
    return NULL;
}

static bool has_opt(const struct warden_args *a, const char *name)
{
    for (const struct warden_opt *o = a->cmd->opts; o && o->name; o++)
        if (strcmp(o->name, name) == 0) return true;
    return false;
}

/* Load lists as the command line says; shared with match-names and lists.
 * A compiled file is mapped when --compiled names one, or when the policy's
 * screen.compiled does and the command takes --compiled and no --lists/--data. */
int warden_cli_screen_conf(const struct warden_args *a, struct warden_screen_conf *out);
int warden_cli_screen_open(const struct warden_args *a, struct warden_screen **out);

/* The screen: configuration from --policy and the options that override it. */
int warden_cli_screen_conf(const struct warden_args *a, struct warden_screen_conf *out)
{
    struct warden_screen_conf conf;
    const char *v;
    if ((v = arg_if(a, "policy"))) {
        struct warden_policy *p;
        char perr[512];
        if (warden_policy_load(&p, v, perr, sizeof perr)) {
            fprintf(stderr, "warden %s: %s\n", a->cmd->name, perr);
            return WARDEN_EXIT_CONFIG;
        }
        conf = p->screen; /* taken over; the policy no longer owns it */
        memset(&p->screen, 0, sizeof p->screen);
        if (conf.jurisdiction_owners && conf.restricted_jurisdictions.n == 0)
            for (size_t i = 0; i < p->restricted.n; i++)
                warden_conf_list_append(
                    warden_conf_find(warden_screen_conf_table, "restricted_jurisdictions"), &conf,
                    p->restricted.v[i]);
        warden_policy_free(p);
    } else {
        warden_screen_conf_init(&conf);
    }
    if ((v = arg_if(a, "threshold"))) {
        char *end;
        conf.match_threshold = strtod(v, &end);
        if (*end || conf.match_threshold < 0 || conf.match_threshold > 1) {
            fprintf(stderr, "warden %s: --threshold needs a number between 0 and 1\n",
                    a->cmd->name);
            warden_screen_conf_fini(&conf);
            return WARDEN_EXIT_USAGE;
        }
        if (conf.review_threshold > conf.match_threshold)
            conf.review_threshold = conf.match_threshold;
    }
    if ((v = arg_if(a, "ownership-threshold"))) conf.ownership_threshold = strtod(v, NULL);
    if ((v = arg_if(a, "max"))) conf.max_results = strtoll(v, NULL, 10);
    int nr = 0;
    const char **rj = arg_if(a, "restricted") ? warden_arg_all(a, "restricted", &nr) : NULL;
    if (nr > 0) {
        const struct warden_conf_key *k =
            warden_conf_find(warden_screen_conf_table, "restricted_jurisdictions");
        conf.jurisdiction_owners = true;
        warden_conf_list_clear(k, &conf);
        for (int i = 0; i < nr; i++) warden_conf_list_append(k, &conf, rj[i]);
    }
    *out = conf;
    return WARDEN_EXIT_OK;
}

int warden_cli_screen_open(const struct warden_args *a, struct warden_screen **out)
{
    struct warden_screen_conf conf;
    int crc = warden_cli_screen_conf(a, &conf);
    if (crc != WARDEN_EXIT_OK) return crc;
    const char *v;
    if ((v = arg_if(a, "compiled")) || (has_opt(a, "compiled") && conf.compiled &&
                                        !arg_if(a, "lists") && !arg_if(a, "data-dir"))) {
        if (v) {
            free(conf.compiled);
            conf.compiled = warden_xstrdup(v);
        }
        char err[1024];
        int rc = warden_screen_open(out, &conf, err, sizeof err);
        warden_screen_conf_fini(&conf);
        if (rc < 0) {
            fprintf(stderr, "warden %s: %s\n", a->cmd->name, err);
            return WARDEN_EXIT_CONFIG;
        }
        return WARDEN_EXIT_OK;
    }
    const char *data = arg_if(a, "data-dir");
    if (!data) data = conf.data_dir ? conf.data_dir : warden_screen_default_data_dir();
    char *manifest = arg_if(a, "lists") ? warden_xstrdup(arg_if(a, "lists"))
                                        : warden_xasprintf("%s/lists/lists.tsv", data);
    char *ndir = warden_xasprintf("%s/screen", data);
    char err[1024];
    int rc = warden_screen_load(out, manifest, ndir, &conf, err, sizeof err);
    free(manifest);
    free(ndir);
    if (rc == 0) {
        warden_screen_warn_stale(*out, conf.max_age_days);
        warden_screen_warn_review_programs(*out);
    }
    warden_screen_conf_fini(&conf);
    if (rc < 0) {
        fprintf(stderr, "warden %s: %s\n", a->cmd->name, err);
        return WARDEN_EXIT_CONFIG;
    }
    return WARDEN_EXIT_OK;
}

static int run(int argc, char **argv)
{
    struct warden_args a;
    int r = warden_args_parse(&a, &warden_cmd_screen, argc, argv);
    if (r != 0) {
        warden_args_free(&a);
        return r > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    bool json = warden_flag(&a, "json"), stats = warden_flag(&a, "stats");
    const char *batch = warden_arg(&a, "batch");
    if (!stats && !batch && a.nrest == 0 && !warden_arg(&a, "domain")) {
        fprintf(stderr, "warden screen: give a NAME, --domain, --batch FILE or --stats\n");
        warden_args_free(&a);
        return WARDEN_EXIT_USAGE;
    }
    double t0 = warden_now_s();
    struct warden_screen *s = NULL;
    int rc = warden_cli_screen_open(&a, &s);
    if (rc != WARDEN_EXIT_OK) {
        warden_args_free(&a);
        return rc;
    }
    double secs = warden_now_s() - t0;
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    size_t max = (size_t)warden_screen_get_conf(s)->max_results;
    if (stats) {
        rc = do_stats(s, json, secs);
    } else if (batch) {
        rc = do_batch(s, w, batch, json);
    } else if (a.nrest == 0) {
        rc = do_name(s, w, &a, "", json, max);
    } else {
        rc = WARDEN_EXIT_OK;
        for (int i = 0; i < a.nrest; i++) {
            int r1 = do_name(s, w, &a, a.rest[i], json, max);
            if (r1 == WARDEN_EXIT_FOUND) rc = r1;
        }
    }
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    warden_args_free(&a);
    return rc;
}

const struct warden_cmd warden_cmd_screen = {
    "screen",
    run,
    "screen names, domains or organisations (with owners) against sanctions lists",
    "[OPTIONS] NAME... | --batch ORGS.jsonl | --domain DOMAIN | --stats",
    opts,
    "Each NAME is normalised (Unicode, transliteration to Latin, legal forms,\n"
    "common words) and compared with every listed name that shares a word, a\n"
    "one-typo variant, a joined pair of words or a consonant skeleton with it.\n"
    "Every match prints the names compared, the token pairs and the adjustments.\n"
    "--batch reads organisations (formats.md §3) and applies the aggregate 50 %\n"
    "ownership rule: restricted owners that together hold >= 50 %, directly or\n"
    "through restricted intermediaries, restrict the organisation; the ownership\n"
    "chain is printed as evidence. A possible match (review_threshold to\n"
    "match_threshold) with a listed organisation that the organisation's own\n"
    "country, domain or identifier corroborates is screen.possible_match, and\n"
    "what such organisations hold >= 50 % of is screen.possibly_owned_by_listed\n"
    "(for review; policy screen.possible_review). An organisation matching a\n"
    "party listed only under programmes of screen.review_programs (that do not\n"
    "block, such as OFAC's CMIC list) is screen.listed_review, not restricted.\n"
    "Exit status 1 when something matched (a name) or is restricted (--batch).",
};
