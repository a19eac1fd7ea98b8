/* cmd_sim.c — `warden sim`: write a labelled, simulated traffic data set. */
#include "cli/cli.h"
#include "core/datadir.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "sim/sim.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct warden_opt opts[] = {
    {"scenario", 's', "NAME", "scenario to simulate (default demo; see --list)", false},
    {"seed", 0, "N", "random seed (default 1); the same seed gives byte-identical files", false},
    {"out", 'o', "DIR", "output directory (created)", false},
    {"accounts", 0, "N", "number of accounts (default: the scenario's)", false},
    {"days", 0, "N", "days of traffic (default: the scenario's)", false},
    {"start", 0, "DATE", "first day, YYYY-MM-DD (default 2026-10-05)", false},
    {"policy", 'p', "FILE",
     "policy whose jurisdictions.restricted the simulated world uses (default "
     "DATA/../examples/policy.yaml, else DATA/examples/policy.yaml)",
     false},
    {"restricted", 0, "CC,CC",
     "restricted jurisdictions, ISO alpha-2, instead of the policy's (the policy is not read)",
     false},
    {"exclude-corpus", 'x', "NAME", "hold a prompt corpus out (name or prefix, e.g. gsm8k)", true},
    {"data-dir", 0, "DIR",
     "project data directory (default $WARDEN_DATA_DIR, else the installed or source tree's; see "
     "warden --version)",
     false},
    {"shared-dir", 0, "DIR", "optional shared data (default DATA/../../shared)", false},
    {"no-shared", 0, NULL, "use only the data shipped in the project", false},
    {"shippable", 0, NULL, "no non-commercial corpora (for data sets you publish)", false},
    {"location-db", 0, "FILE", "IPFire Location database (default /var/lib/location/database.db)",
     false},
    {"list", 0, NULL, "list the scenarios and populations, then exit", false},
    {"quiet", 'q', NULL, "no summary on stderr", false},
    {NULL, 0, NULL, NULL, false},
};

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static bool dir_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int run(int argc, char **argv);

const struct warden_cmd warden_cmd_sim = {
    "sim",
    run,
    "simulate labelled API traffic (events, accounts, orgs, truth) from real data",
    "[OPTIONS] --out DIR",
    opts,
    "Writes DIR/events.jsonl, accounts.jsonl, orgs.jsonl and truth.jsonl (formats.md\n"
    "§1-3, §6). Prompts come from real corpora (data/prompts, and the non-commercial\n"
    "ones only from the shared directory when present), addresses from real networks\n"
    "(cloud, VPN, Tor lists and the IPFire Location database), restricted parties\n"
    "from the OFAC SDN list, countries from DATA/sim/. Which jurisdictions are\n"
    "restricted comes from the policy (--policy) or --restricted; it shapes the\n"
    "simulated world only: detection reads its own policy.",
};

static int run(int argc, char **argv)
{
    struct warden_args a;
    int rc = warden_args_parse(&a, &warden_cmd_sim, argc, argv);
    if (rc != 0) {
        warden_args_free(&a);
        return rc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int exit_code = WARDEN_EXIT_USAGE;
    char *data_dir = NULL, *shared_dir = NULL, *rlist = NULL, *policy_path = NULL;
    const char **restricted = NULL;
    struct warden_policy *policy = NULL;
    if (warden_flag(&a, "list")) {
        printf("Scenarios:\n");
        for (int i = 0; warden_sim_scenarios[i].name; i++)
            printf("  %-14s %s\n", warden_sim_scenarios[i].name, warden_sim_scenarios[i].summary);
        printf("\nPopulations (truth kinds):\n");
        for (size_t i = 0; i < warden_sim_population_count(); i++) {
            const char *kind, *summary;
            warden_sim_population(i, &kind, &summary);
            printf("  %-32s %s\n", kind, summary);
        }
        exit_code = WARDEN_EXIT_OK;
        goto out;
    }
    struct warden_sim_opts o;
    memset(&o, 0, sizeof o);
    o.scenario = warden_arg(&a, "scenario") ? warden_arg(&a, "scenario") : "demo";
    o.out_dir = warden_arg(&a, "out");
    if (!o.out_dir) {
        fprintf(stderr, "warden sim: --out DIR is required\n");
        goto out;
    }
    long v;
    const char *s;
    if ((s = warden_arg(&a, "seed"))) {
        char *end;
        o.seed = strtoull(s, &end, 10);
        if (!*s || *end) {
            fprintf(stderr, "warden sim: --seed needs a number\n");
            goto out;
        }
    } else {
        o.seed = 1;
    }
    if ((s = warden_arg(&a, "accounts"))) {
        if (parse_long(s, 1, 10000000, &v) < 0) {
            fprintf(stderr, "warden sim: --accounts must be 1..10000000\n");
            goto out;
        }
        o.accounts = v;
    }
    if ((s = warden_arg(&a, "days"))) {
        if (parse_long(s, 1, 3650, &v) < 0) {
            fprintf(stderr, "warden sim: --days must be 1..3650\n");
            goto out;
        }
        o.days = (int)v;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    s = warden_arg(&a, "start") ? warden_arg(&a, "start") : "2026-10-05";
    if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) {
        fprintf(stderr, "warden sim: --start must be YYYY-MM-DD\n");
        goto out;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    o.start_ms = (int64_t)timegm(&tm) * 1000;
    int nx = 0;
    o.exclude_corpus = warden_arg_all(&a, "exclude-corpus", &nx);
    o.nexclude = (size_t)nx;
    if (warden_arg(&a, "data-dir"))
        data_dir = warden_xstrdup(warden_arg(&a, "data-dir"));
    else
        data_dir = warden_xstrdup(warden_data_dir());
    if (!warden_flag(&a, "no-shared")) {
        shared_dir = warden_arg(&a, "shared-dir") ? warden_xstrdup(warden_arg(&a, "shared-dir"))
                                                  : warden_xasprintf("%s/../../shared", data_dir);
        if (!dir_exists(shared_dir)) {
            free(shared_dir);
            shared_dir = NULL;
        }
    }
    if (warden_arg(&a, "restricted")) {
        rlist = warden_xstrdup(warden_arg(&a, "restricted"));
        restricted = warden_xcalloc(strlen(rlist) + 1, sizeof(char *));
        for (char *save = NULL, *t = strtok_r(rlist, ", ", &save); t;
             t = strtok_r(NULL, ", ", &save)) {
            if (strlen(t) != 2) {
                fprintf(stderr, "warden sim: --restricted: '%s' is not an ISO alpha-2 code\n", t);
                goto out;
            }
            t[0] = (char)(t[0] & ~0x20);
            t[1] = (char)(t[1] & ~0x20);
            restricted[o.nrestricted++] = t;
        }
        o.restricted = restricted;
    } else {
        /* the policy's restricted jurisdictions: --policy, else the example
         * policy next to the data directory, else the source tree's */
        if (warden_arg(&a, "policy")) {
            policy_path = warden_xstrdup(warden_arg(&a, "policy"));
        } else {
            /* source tree: data/../examples; installed: share/warden/examples */
            policy_path = warden_xasprintf("%s/../examples/policy.yaml", data_dir);
            if (access(policy_path, R_OK) != 0) {
                free(policy_path);
                policy_path = warden_xasprintf("%s/examples/policy.yaml", data_dir);
            }
        }
        char perr[512];
        if (warden_policy_load(&policy, policy_path, perr, sizeof perr) < 0) {
            fprintf(stderr, "warden sim: %s\n", perr);
            exit_code = WARDEN_EXIT_CONFIG;
            goto out;
        }
        o.restricted = (const char *const *)policy->restricted.v;
        o.nrestricted = policy->restricted.n;
    }
    o.data_dir = data_dir;
    o.shared_dir = shared_dir;
    o.shippable = warden_flag(&a, "shippable");
    o.loc_db = warden_arg(&a, "location-db");
    struct warden_sim_stats st;
    rc = warden_sim_run(&o, &st);
    if (rc < 0) {
        exit_code = rc == WARDEN_EIO ? WARDEN_EXIT_IO : WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (!warden_flag(&a, "quiet"))
        fprintf(stderr,
                "warden sim: scenario %s seed %" PRIu64 ": %zu events, %zu accounts, %zu orgs, "
                "%zu clusters in %.1f s -> %s\n",
                o.scenario, o.seed, st.events, st.accounts, st.orgs, st.clusters, st.seconds,
                o.out_dir);
    exit_code = WARDEN_EXIT_OK;
out:
    warden_policy_free(policy);
    free(policy_path);
    free(restricted);
    free(rlist);
    free(data_dir);
    free(shared_dir);
    warden_args_free(&a);
    return exit_code;
}
