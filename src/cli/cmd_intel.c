/* cmd_intel.c — `warden intel build|info`: compile the IP intelligence sources
 * into a table file that servers map at start-up in milliseconds, and show
 * what a table holds. */
#include "cli/cli.h"
#include "cli/intel_opts.h"
#include "core/day.h"
#include "intel/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct warden_cmd warden_cmd_intel;

static const struct warden_opt intel_opts[] = {
    WARDEN_INTEL_OPTS,
    {"out", 'o', "FILE", "build: write the compiled table here", false},
    {NULL, 0, NULL, NULL, false},
};

/* One line per list compiled in: its date, age and whether it is stale. */
static void print_sources(const struct warden_intel *in, int64_t max_age_days)
{
    size_t n = warden_intel_n_sources(in);
    int64_t today = warden_day_today();
    printf("lists:         %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const struct warden_intel_source *s = warden_intel_source_at(in, i);
        char age[128];
        printf("  %s: %s\n", s->name,
               warden_day_describe(age, sizeof age, s->as_of_day, today, max_age_days,
                                   "intel.max_age_days"));
    }
}

static void print_stats(const struct warden_intel_stats *st, int64_t max_age_days)
{
    printf("source:        %s\n", st->mapped ? "mapped table file" : "built from sources");
    printf("load time:     %.3f s\n", st->load_seconds);
    if (!st->mapped)
        printf("prefixes:      %zu IPv4, %zu IPv6 (%zu bad list lines skipped)\n", st->v4_prefixes,
               st->v6_prefixes, st->bad_lines);
    char when[32];
    time_t t = (time_t)st->built_at;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    printf("built:         %s\n", when);
    if (st->locdb_created) {
        char age[128];
        printf("libloc data:   %s\n",
               warden_day_describe(age, sizeof age, st->locdb_created / 86400, warden_day_today(),
                                   max_age_days, "intel.max_age_days"));
    }
    printf("records:       %zu\n", st->records);
    printf("trie nodes:    %zu IPv4, %zu IPv6\n", st->v4_nodes, st->v6_nodes);
    printf("trie leaves:   %zu IPv4, %zu IPv6\n", st->v4_leaves, st->v6_leaves);
    printf("names:         %zu bytes\n", st->strings_bytes);
    printf("memory:        %.1f MB\n", (double)st->memory_bytes / 1e6);
}

static int cmd_intel(int argc, char **argv)
{
    struct warden_args a;
    int rc = warden_args_parse(&a, &warden_cmd_intel, argc, argv);
    if (rc) {
        warden_args_free(&a);
        return rc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    const char *action = a.nrest > 0 ? a.rest[0] : NULL;
    const char *out = warden_arg(&a, "out");
    if (!action || a.nrest > 1 || (strcmp(action, "build") != 0 && strcmp(action, "info") != 0) ||
        (strcmp(action, "build") == 0 && !out)) {
        fprintf(stderr, "warden intel: expected 'build --out FILE' or 'info' (see 'warden intel "
                        "--help')\n");
        warden_args_free(&a);
        return WARDEN_EXIT_USAGE;
    }
    struct warden_intel_conf conf;
    struct warden_intel *in = NULL;
    rc = warden_cli_intel_conf(&a, &conf);
    if (rc) goto done;
    char err[512];
    if (strcmp(action, "build") == 0) {
        free(conf.table); /* build always compiles from the sources */
        conf.table = NULL;
    }
    if (warden_intel_open(&in, &conf, err, sizeof err)) {
        fprintf(stderr, "warden intel: %s\n", err);
        rc = WARDEN_EXIT_CONFIG;
        goto done;
    }
    if (strcmp(action, "build") == 0 && warden_intel_save(in, out, err, sizeof err)) {
        fprintf(stderr, "warden intel: %s\n", err);
        rc = WARDEN_EXIT_IO;
        goto done;
    }
    struct warden_intel_stats st;
    warden_intel_get_stats(in, &st);
    print_stats(&st, conf.max_age_days);
    print_sources(in, conf.max_age_days);
    if (out && strcmp(action, "build") == 0) printf("written:       %s\n", out);
done:
    warden_intel_free(in);
    warden_conf_fini(warden_intel_conf_table, &conf);
    warden_args_free(&a);
    return rc;
}

const struct warden_cmd warden_cmd_intel = {
    "intel",
    cmd_intel,
    "compile IP intelligence sources into a table file; show a table",
    "build --out FILE [OPTIONS] | info [OPTIONS]",
    intel_opts,
    "build compiles the configured sources (libloc database, CIDR and ASN lists,\n"
    ".mmdb files) into FILE; set `table: FILE` in the policy's intel: section (or\n"
    "pass --table FILE) to map it at start-up instead of rebuilding.\n"
    "info loads the table as configured and prints its size, load time, the date of its\n"
    "location data and of every list in it (a list's `# as_of=YYYY-MM-DD` header line), with\n"
    "STALE where older than intel.max_age_days.",
};
