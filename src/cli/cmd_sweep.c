/* cmd_sweep.c — `warden sweep`: find banned AI tools on a machine, optionally
 * quarantine them reversibly, or restore a quarantine.
 *
 * Dry-run is the default: without --quarantine nothing is changed. The exit
 * code tells fleet scripts (MDM, osquery) whether banned tools were found. */
#include "cli/cli.h"
#include "core/error.h"
#include "sweep/catalogue.h"
#include "sweep/quarantine.h"
#include "sweep/report.h"
#include "sweep/scan.h"
#include "sweep/sweep_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct warden_cmd warden_cmd_sweep;

static const struct warden_opt sweep_opts[] = {
    {"root", 'r', "DIR", "sweep the tree under DIR as if it were / (default /)", false},
    {"users", 'u', "all|NAME", "report every user (default) or only NAME", false},
    {"json", 'j', NULL, "write the report as JSON instead of a table", false},
    {"policy", 'p', "FILE", "sweep policy (YAML): banned and allowed tools", false},
    {"catalogue", 0, "FILE", "footprint catalogue (default: the shipped one)", false},
    {"os", 0, "linux|macos|windows", "which OS's paths to look for (default: policy or linux)",
     false},
    {"max-depth", 0, "N", "do not descend more than N levels below the root (0: no bound)", false},
    {"threads", 0, "N", "walker threads (default: 2 per CPU, at most 16)", false},
    {"exec-version", 0, NULL,
     "run found binaries with --version to read their version (as their owner, never root, "
     "5 s limit)",
     false},
    {"quarantine", 0, "DIR", "move banned findings into DIR with a manifest (not dry-run)", false},
    {"restore", 0, "MANIFEST", "put back everything a quarantine moved, then exit", false},
    {"out", 'o', "FILE", "write the report to FILE instead of standard output", false},
    {NULL, 0, NULL, NULL, false},
};

static int parse_count(const char *s, const char *name, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 4096) {
        fprintf(stderr, "warden sweep: --%s expects a number from 0 to 4096\n", name);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* After --help: which catalogue a sweep would use, and how old it is. */
static void help_catalogue(void)
{
    struct warden_sweep_catalogue *cat = NULL;
    char err[512], age[128];
    const char *path = warden_sweep_catalogue_default();
    if (warden_sweep_catalogue_load(&cat, path, "linux", err, sizeof err) == 0)
        printf("\nCatalogue: %s (%zu tools), %s\n", path, cat->n_tools,
               warden_sweep_catalogue_age_text(cat, WARDEN_SWEEP_MAX_AGE_DAYS, age, sizeof age));
    else
        printf("\nCatalogue: %s cannot be loaded: %s\n", path, err);
    warden_sweep_catalogue_free(cat);
}

static int sweep_main(int argc, char **argv)
{
    struct warden_args a;
    int pr = warden_args_parse(&a, &warden_cmd_sweep, argc, argv);
    if (pr) {
        warden_args_free(&a);
        if (pr > 0) help_catalogue();
        return pr > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ex = WARDEN_EXIT_OK;
    char err[1024] = "";
    struct warden_sweep_policy *pol = NULL;
    struct warden_sweep_catalogue *cat = NULL;
    struct warden_sweep_result *res = NULL;
    FILE *out = stdout;
    if (a.nrest) {
        fprintf(stderr, "warden sweep: unexpected argument '%s'\n", a.rest[0]);
        ex = WARDEN_EXIT_USAGE;
        goto out;
    }
    const char *restore = warden_arg(&a, "restore");
    if (restore) {
        if (warden_arg(&a, "quarantine")) {
            fprintf(stderr, "warden sweep: --restore and --quarantine exclude each other\n");
            ex = WARDEN_EXIT_USAGE;
            goto out;
        }
        int rc = warden_sweep_restore(restore, stderr, err, sizeof err);
        if (rc) {
            fprintf(stderr, "warden sweep: restore failed: %s\n", err);
            /* a malformed, modified or untrusted manifest is a bad input file */
            ex = rc == WARDEN_EFORMAT || rc == WARDEN_EPARSE || rc == WARDEN_EPERM
                     ? WARDEN_EXIT_CONFIG
                     : WARDEN_EXIT_IO;
        } else {
            fprintf(stderr, "warden sweep: restored everything listed in %s\n", restore);
        }
        goto out;
    }
    int rc = warden_sweep_policy_load(&pol, warden_arg(&a, "policy"), err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden sweep: %s\n", err);
        ex = WARDEN_EXIT_CONFIG;
        goto out;
    }
    const char *os = warden_arg(&a, "os") ? warden_arg(&a, "os") : pol->os;
    const char *catpath =
        warden_arg(&a, "catalogue") ? warden_arg(&a, "catalogue") : pol->catalogue;
    rc = warden_sweep_catalogue_load(&cat, catpath, os, err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden sweep: %s\n", err);
        ex = rc == WARDEN_EINVAL ? WARDEN_EXIT_USAGE : WARDEN_EXIT_CONFIG;
        goto out;
    }
    if ((rc = warden_sweep_policy_check(pol, cat, err, sizeof err))) {
        fprintf(stderr, "warden sweep: %s\n", err);
        ex = WARDEN_EXIT_CONFIG;
        goto out;
    }
    warden_sweep_catalogue_warn_stale(cat, pol->max_age_days);
    struct warden_sweep_opts so = {.root = warden_arg(&a, "root") ? warden_arg(&a, "root") : "/",
                                   .users = warden_arg(&a, "users"),
                                   .os = os,
                                   .threads = pol->threads,
                                   .max_depth = pol->max_depth,
                                   .skip_abs = warden_arg(&a, "quarantine"),
                                   .exec_version = warden_flag(&a, "exec-version")};
    if ((warden_arg(&a, "max-depth") &&
         parse_count(warden_arg(&a, "max-depth"), "max-depth", &so.max_depth)) ||
        (warden_arg(&a, "threads") &&
         parse_count(warden_arg(&a, "threads"), "threads", &so.threads))) {
        ex = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (so.threads > 256) {
        fprintf(stderr, "warden sweep: --threads is at most 256\n");
        ex = WARDEN_EXIT_USAGE;
        goto out;
    }
    rc = warden_sweep_run(cat, &so, &res, err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden sweep: %s\n", err);
        ex = rc == WARDEN_ENOENT ? WARDEN_EXIT_USAGE : WARDEN_EXIT_IO;
        goto out;
    }
    if (warden_arg(&a, "out")) {
        out = fopen(warden_arg(&a, "out"), "w");
        if (!out) {
            perror(warden_arg(&a, "out"));
            out = stdout;
            ex = WARDEN_EXIT_IO;
            goto out;
        }
    }
    if (warden_flag(&a, "json"))
        warden_sweep_report_json(out, res, cat, pol);
    else
        warden_sweep_report_table(out, res, cat, pol);
    if (fflush(out) != 0) ex = WARDEN_EXIT_IO;
    if (ex == WARDEN_EXIT_OK && warden_sweep_banned_found(res, cat, pol) > 0)
        ex = WARDEN_EXIT_FOUND;
    const char *qdir = warden_arg(&a, "quarantine");
    if (qdir && ex == WARDEN_EXIT_FOUND) {
        rc = warden_sweep_quarantine(res, cat, pol, qdir, stderr, err, sizeof err);
        if (rc) {
            fprintf(stderr, "warden sweep: quarantine failed: %s\n", err);
            ex = WARDEN_EXIT_IO;
        }
    } else if (qdir) {
        fprintf(stderr, "warden sweep: nothing banned found; nothing quarantined\n");
    }
out:
    if (out != stdout) fclose(out);
    warden_sweep_result_free(res);
    warden_sweep_catalogue_free(cat);
    warden_sweep_policy_free(pol);
    warden_args_free(&a);
    return ex;
}

const struct warden_cmd warden_cmd_sweep = {
    "sweep",
    sweep_main,
    "find banned AI coding tools, their configs, credentials and models on this machine",
    "[--root DIR] [--users all|NAME] [--json] [--policy FILE] [--quarantine DIR | --restore "
    "MANIFEST]",
    sweep_opts,
    "Walks the file system (in parallel, never following symlinks, skipping /proc, /sys and\n"
    "other pseudo-filesystems) and reports, per user, every install, config, credential,\n"
    "extension, model store and API-key export of the tools in the catalogue\n"
    "(data/sweep/catalogue.yaml), with version, size and last use. Credential files are never\n"
    "read: the report says they exist, with owner and mode.\n\n"
    "Dry run by default. --quarantine DIR moves the banned tools' findings into DIR with a\n"
    "manifest (paths, owners, modes, times, SHA-256) and leaves a refusing wrapper in place of\n"
    "their binaries; --restore DIR/manifest.json puts everything back exactly, and also\n"
    "completes or undoes a quarantine or restore that was interrupted. Restore refuses a\n"
    "manifest that was modified (keyed MAC), is writable by others, or names anything outside\n"
    "the root it was made for; see docs/sweep.md.\n\n"
    "Without --policy every catalogued tool counts as banned. Exit code 1 means banned tools\n"
    "were found (also after a successful quarantine).\n\n"
    "The catalogue says which day it was last checked against the vendors' pages (as_of:);\n"
    "a sweep warns when that is older than the policy's max_age_days (default 90, 0 never)\n"
    "or absent. Its date and age are printed below, and in every report."};
