/* cmd_lists.c — `warden lists build|info|update`: compile the restricted-party
 * lists into one file that screening maps in milliseconds, show what a
 * compiled file holds, and fetch new list versions, verify them and swap them
 * in atomically, reporting organisations of the registry that become
 * restricted. */
#include "cli/cli.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/xalloc.h"
#include "registry/registry.h"
#include "screen/screen.h"
#include "screen/update.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct warden_cmd warden_cmd_lists;

static const struct warden_opt opts[] = {
    {"out", 'o', "FILE", "compiled list file to write (default: the policy's screen.compiled)",
     false},
    {"policy", 'p', "FILE", "policy file: its screen: section (lists, thresholds, compiled)",
     false},
    {"data-dir", 0, "DIR",
     "data directory (default: $WARDEN_DATA_DIR, else the installed or source tree's; see warden "
     "--version)",
     false},
    {"lists", 'l', "MANIFEST", "build: list manifest (default DATA/lists/lists.tsv)", false},
    {"sources", 's', "FILE", "update: list sources (default DATA/lists/sources.tsv)", false},
    {"dir", 'd', "DIR", "update: where downloads are kept (default: OUT.d)", false},
    {"orgs", 0, "FILE", "update: orgs.jsonl to re-screen (formats.md §3)", false},
    {"accounts", 'a', "FILE", "update: accounts.jsonl (owners named there are screened too)",
     false},
    {"min-ratio", 0, "X",
     "update: refuse a list that keeps less than this share of its entities or bytes (0.5)", false},
    {"allow-http", 0, NULL, "update: accept plain http:// sources (tests on loopback)", false},
    {"json", 'j', NULL, "update: newly restricted organisations as JSON lines", false},
    {NULL, 0, NULL, NULL, false},
};

int warden_cli_screen_open(const struct warden_args *a, struct warden_screen **out);
int warden_cli_screen_conf(const struct warden_args *a, struct warden_screen_conf *conf);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void print_info(const struct warden_screen *s, double secs)
{
    struct warden_screen_stats st;
    warden_screen_stats(s, &st);
    const char *f = warden_screen_source_file(s);
    printf("source:      %s\n", f ? f : "list sources");
    printf("load time:   %.3f s\n", secs);
    if (warden_screen_built_at(s)) {
        char when[32];
        time_t t = (time_t)warden_screen_built_at(s);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&t));
        printf("built:       %s\n", when);
    }
    printf("lists:       %zu\n", st.lists);
    for (size_t i = 0; i < warden_screen_n_lists(s); i++) {
        struct warden_screen_list_stats ls;
        warden_screen_list_stats(s, i, &ls);
        char age[96];
        warden_screen_list_age_text(age, sizeof age, s, i);
        printf("  %-24s %7zu entities %7zu names  %s\n", ls.list, ls.entities, ls.names, age);
    }
    printf("entities:    %zu\nnames:       %zu\ntokens:      %zu\nindex keys:  %zu\n", st.entities,
           st.names, st.tokens, st.index_keys);
}

static const char *out_path(const struct warden_args *a, const struct warden_screen_conf *c)
{
    const char *o = warden_arg(a, "out");
    return o ? o : c->compiled;
}

static int build(const struct warden_args *a, const struct warden_screen_conf *conf)
{
    const char *out = out_path(a, conf);
    if (!out) {
        fprintf(stderr, "warden lists build: give --out FILE (or screen.compiled in the policy)\n");
        return WARDEN_EXIT_USAGE;
    }
    double t0 = now();
    struct warden_screen *s = NULL;
    int rc = warden_cli_screen_open(a, &s);
    if (rc != WARDEN_EXIT_OK) return rc;
    double t1 = now();
    char err[1024];
    if (warden_screen_save(s, out, err, sizeof err)) {
        fprintf(stderr, "warden lists build: %s\n", err);
        warden_screen_free(s);
        return WARDEN_EXIT_IO;
    }
    struct warden_screen_stats st;
    warden_screen_stats(s, &st);
    printf("compiled %zu lists, %zu entities, %zu names into %s (loaded in %.2f s, written in "
           "%.2f s)\n",
           st.lists, st.entities, st.names, out, t1 - t0, now() - t1);
    warden_screen_free(s);
    return WARDEN_EXIT_OK;
}

static int info(const struct warden_args *a, const struct warden_screen_conf *conf)
{
    const char *path = out_path(a, conf);
    if (!path) {
        fprintf(stderr, "warden lists info: give --out FILE (or screen.compiled in the policy)\n");
        return WARDEN_EXIT_USAGE;
    }
    double t0 = now();
    struct warden_screen *s;
    char err[1024];
    if (warden_screen_map(&s, path, conf, err, sizeof err)) {
        fprintf(stderr, "warden lists info: %s\n", err);
        return WARDEN_EXIT_CONFIG;
    }
    warden_screen_warn_stale(s, conf->max_age_days);
    print_info(s, now() - t0);
    warden_screen_free(s);
    return WARDEN_EXIT_OK;
}

static void report(const struct warden_screen *s, const struct warden_org *orgs, size_t n, size_t i,
                   bool json)
{
    struct warden_screen_verdict v;
    char chain[1024];
    if (warden_screen_org(s, NULL, orgs, n, i, &v, chain, sizeof chain) != 0) return;
    if (json) {
        struct warden_jbuf b;
        warden_jbuf_init(&b);
        warden_jbuf_obj_open(&b);
        warden_jbuf_key(&b, "org_id");
        warden_jbuf_cstr(&b, orgs[i].org_id);
        warden_jbuf_key(&b, "name");
        warden_jbuf_cstr(&b, orgs[i].name ? orgs[i].name : "");
        warden_jbuf_key(&b, "reason");
        warden_jbuf_cstr(&b, warden_screen_reason_code(v.reason));
        warden_jbuf_key(&b, "chain");
        warden_jbuf_cstr(&b, chain);
        warden_jbuf_obj_close(&b);
        printf("%s\n", warden_jbuf_str(&b));
        warden_jbuf_fini(&b);
    } else {
        printf("newly restricted: %s (%s): %s: %s\n", orgs[i].org_id,
               orgs[i].name ? orgs[i].name : "", warden_screen_reason_code(v.reason), chain);
    }
    free(v.contribs);
}

static int update(const struct warden_args *a, const struct warden_screen_conf *conf)
{
    const char *out = out_path(a, conf);
    if (!out) {
        fprintf(stderr,
                "warden lists update: give --out FILE (or screen.compiled in the policy)\n");
        return WARDEN_EXIT_USAGE;
    }
    const char *data = warden_arg(a, "data-dir");
    if (!data) data = conf->data_dir ? conf->data_dir : warden_screen_default_data_dir();
    char *sources = warden_arg(a, "sources") ? warden_xstrdup(warden_arg(a, "sources"))
                                             : warden_xasprintf("%s/lists/sources.tsv", data);
    char *dir =
        warden_arg(a, "dir") ? warden_xstrdup(warden_arg(a, "dir")) : warden_xasprintf("%s.d", out);
    char *norm = warden_xasprintf("%s/screen", data);
    struct warden_lists_update_opts o = {
        sources, dir, out, norm, conf, 0.5, 0, 0, warden_flag(a, "allow-http")};
    const char *mr = warden_arg(a, "min-ratio");
    if (mr) o.min_ratio = strtod(mr, NULL);
    int ret = WARDEN_EXIT_OK;
    struct warden_registry *reg = NULL;
    struct warden_screen *old = NULL, *neu = NULL;
    char err[1024];
    const char *orgs_path = warden_arg(a, "orgs"), *acc_path = warden_arg(a, "accounts");
    if ((orgs_path || acc_path) &&
        warden_registry_load(&reg, acc_path, orgs_path, err, sizeof err) != 0) {
        fprintf(stderr, "warden lists update: %s\n", err);
        ret = WARDEN_EXIT_CONFIG;
        goto done;
    }
    double t0 = now();
    int rc = warden_lists_update(&o, &old, &neu, err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden lists update: %s; the lists in force are unchanged\n", err);
        ret = rc == WARDEN_EFORMAT || rc == WARDEN_EPARSE ? WARDEN_EXIT_CONFIG : WARDEN_EXIT_IO;
        goto done;
    }
    struct warden_screen_stats st;
    warden_screen_stats(neu, &st);
    fprintf(stderr,
            "warden lists update: %zu lists, %zu entities, %zu names compiled into %s in %.2f s "
            "(previous kept as %s.prev)\n",
            st.lists, st.entities, st.names, out, now() - t0, out);
    if (reg && warden_registry_n_orgs(reg)) {
        size_t n = warden_registry_n_orgs(reg);
        const struct warden_org *orgs = warden_registry_org_at(reg, 0);
        size_t *idx = warden_xcalloc(n, sizeof *idx), k = 0;
        if (warden_lists_newly_restricted(old, neu, orgs, n, idx, n, &k) == 0) {
            for (size_t i = 0; i < k; i++) report(neu, orgs, n, idx[i], warden_flag(a, "json"));
            fprintf(stderr,
                    "warden lists update: re-screened %zu organisations: %zu newly "
                    "restricted\n",
                    n, k);
            if (k) ret = WARDEN_EXIT_FOUND;
        }
        free(idx);
    }
done:
    warden_screen_free(old);
    warden_screen_free(neu);
    warden_registry_free(reg);
    free(sources);
    free(dir);
    free(norm);
    return ret;
}

static int run(int argc, char **argv)
{
    struct warden_args a;
    int r = warden_args_parse(&a, &warden_cmd_lists, argc, argv);
    if (r != 0) {
        warden_args_free(&a);
        return r > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    const char *action = a.nrest == 1 ? a.rest[0] : "";
    struct warden_screen_conf conf;
    int rc = warden_cli_screen_conf(&a, &conf);
    if (rc == WARDEN_EXIT_OK) {
        if (strcmp(action, "build") == 0)
            rc = build(&a, &conf);
        else if (strcmp(action, "info") == 0)
            rc = info(&a, &conf);
        else if (strcmp(action, "update") == 0)
            rc = update(&a, &conf);
        else {
            fprintf(stderr, "warden lists: expected build, info or update (see 'warden lists "
                            "--help')\n");
            rc = WARDEN_EXIT_USAGE;
        }
        warden_screen_conf_fini(&conf);
    }
    warden_args_free(&a);
    return rc;
}

const struct warden_cmd warden_cmd_lists = {
    "lists",
    run,
    "compile restricted-party lists for instant start-up; fetch and swap in new versions",
    "build|info|update [OPTIONS]",
    opts,
    "build   loads the lists (DATA/lists/lists.tsv, or --lists) and writes them,\n"
    "        with their token index and normalisation tables, into one file that\n"
    "        screening maps in milliseconds (validated when mapped; written to a\n"
    "        temporary file and renamed, so readers never see half a file).\n"
    "info    maps a compiled file and prints what it holds and how long mapping took.\n"
    "update  downloads every source of --sources (NAME FORMAT [role=]URL..., HTTPS),\n"
    "        refuses a download that is empty, shrank, does not parse or loses more\n"
    "        than half of a list's entities, then compiles it and swaps it in (the\n"
    "        file in force is kept as OUT.prev). With --orgs, every organisation is\n"
    "        screened against the old and the new lists and the newly restricted\n"
    "        ones are printed (exit status 1 when there are any).\n"
    "Point the policy's screen.compiled at the file so scans map it.",
};
