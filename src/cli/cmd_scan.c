/* cmd_scan.c — `warden scan`: option parsing, then the scan job
 * (runtime/scan.c) over the event files.
 *
 * A scan into an output directory whose cases.db an analyst has worked on
 * honours the dismissals there: an (account, reason) dismissed on review
 * (the review allowlist, also what `warden serve` applies) does not action
 * that account again, so a nightly batch scan cannot undo a review. */
#include "cli/cli.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "policy/review_allow.h"
#include "runtime/scan.h"
#include "runtime/sorter.h"
#include "store/review.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_allow(void *ctx, const char *account_id, const char *reason)
{
    warden_review_allow_add(ctx, account_id, reason);
}

struct warden_review_allow *warden_cli_review_allowlist(const char *path, const char *who,
                                                        bool quiet, int *rc)
{
    struct warden_review_allow *allow = NULL;
    if (access(path, F_OK) == 0) {
        struct warden_review *r = NULL;
        char err[512] = "";
        allow = warden_review_allow_new();
        if (warden_review_open(&r, path, err, sizeof err) ||
            warden_review_allowlist_each(r, add_allow, allow)) {
            fprintf(stderr, "warden %s: %s: cannot read the review allowlist%s%s\n", who, path,
                    *err ? ": " : "", err);
            *rc = WARDEN_EIO;
        } else if (!quiet && warden_review_allow_count(allow)) {
            fprintf(stderr, "warden %s: honouring %zu (account, reason) dismissals from %s\n", who,
                    warden_review_allow_count(allow), path);
        }
        warden_review_close(r);
    }
    return allow;
}

static const struct warden_opt scan_opts[] = {
    {"policy", 'p', "FILE", "policy file (YAML); default: built-in policy, nothing restricted",
     false},
    {"accounts", 'a', "FILE", "accounts.jsonl (formats.md §2)", false},
    {"orgs", 0, "FILE", "orgs.jsonl (formats.md §3)", false},
    {"out", 'o', "DIR", "output directory (created if missing; default: out)", false},
    {"max-accounts", 0, "N",
     "accounts tracked at once (fixed memory; 1 to 100000000, default 1000000)", false},
    {"max-line-bytes", 0, "N", "longest accepted event line (default 16777216)", false},
    {"dedup-window", 0, "N",
     "request ids remembered to drop repeated requests (fixed memory; default 1000000)", false},
    {"lateness", 0, "SECONDS",
     "allowed lateness: events are held and put in time order until the newest timestamp "
     "seen is this far past them; older ones are counted as late (0 to 86400, default 60)",
     false},
    {"order", 0, "MODE",
     "how an input's order is taken: auto (a file found out of order beyond --lateness in its "
     "first 64 MiB or at 64 places of the rest is sorted by time first; standard input is "
     "streamed), sort (every input is sorted first: for a pipe, or a gzip file disordered "
     "further in), stream (none is); default auto",
     false},
    {"sort-memory", 0, "MIB",
     "memory for sorting an input: a plain file's index (40 bytes a line) or the lines of a "
     "gzip file or a pipe, beyond which they are written to temporary files in $TMPDIR (16 to "
     "65536, default 256)",
     false},
    {"all-verdicts", 0, NULL,
     "also write an allow verdict for every other account seen (keeps each tracked "
     "account's id in memory)",
     false},
    {"no-db", 0, NULL, "do not write cases.db", false},
    {"max-reject-share", 0, "FRACTION",
     "exit 5 when more than this share of the input lines is rejected, or an input has no "
     "good line (0 to 1, default 0.01); the outputs are written either way",
     false},
    {"run-id", 0, "ID",
     "run id written into every verdict and finding (default: 32 random hex digits)", false},
    {"state", 0, "FILE",
     "engine state carried across runs: loaded before the scan when FILE exists, saved "
     "(atomically) after it, so periodic scans keep accounts, verdicts and clusters",
     false},
    {"quiet", 'q', NULL, "no progress bar and no summary", false},
    {"lenient", 0, NULL,
     "a policy rule whose code matches no detector's reason code is a warning, not an error",
     false},
    {NULL, 0, NULL, NULL, false},
};

static int scan_main(int argc, char **argv);

const struct warden_cmd warden_cmd_scan = {
    .name = "scan",
    .fn = scan_main,
    .summary = "run detectors and policy over event files; write verdicts, findings, cases",
    .usage = "[OPTIONS] EVENTS...",
    .opts = scan_opts,
    .details = "EVENTS are JSON-lines files (formats.md §1), gzip-compressed or not, or '-' for\n"
               "standard input. Writes OUT/verdicts.jsonl (actioned accounts; with --all-verdicts\n"
               "every account seen), OUT/findings.jsonl (every finding with evidence),\n"
               "OUT/rejects.jsonl (file, line and reason of each bad line; never its content) and\n"
               "OUT/cases.db (SQLite: cases, findings, audit, runs).\n"
               "A bad line never stops the run. A request whose request_id repeats one seen\n"
               "within the de-duplication window is counted as a duplicate and skipped.\n"
               "Events are processed in event time: the inputs are merged by timestamp and\n"
               "held up to --lateness seconds to put them in order; an event older than\n"
               "that is counted as late, still counted for its account, and kept out of\n"
               "every time window. A file written in another order (grouped by account,\n"
               "shuffled) is sorted by time before it is run (--order).",
};

static int scan_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_scan, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    size_t max_accounts = 0, max_line = 0, dedup_window = 0, lateness = 60, sort_mib = 256;
    int order = WARDEN_ORDER_AUTO;
    if (!warden_arg_order(&a, &order) ||
        !warden_arg_size(&a, "sort-memory", 16, 65536, &sort_mib) ||
        !warden_arg_size(&a, "max-accounts", 1, 100000000, &max_accounts) ||
        !warden_arg_size(&a, "max-line-bytes", 64, (size_t)1 << 30, &max_line) ||
        !warden_arg_size(&a, "dedup-window", 2, 100000000, &dedup_window) ||
        !warden_arg_size(&a, "lateness", 0, 86400, &lateness)) {
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (a.nrest == 0) {
        fprintf(stderr, "warden scan: no event files given (use '-' for standard input)\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    /* an events file that cannot be read at all is bad input data (exit 3),
     * not a failure while running */
    for (int i = 0; i < a.nrest; i++)
        if (strcmp(a.rest[i], "-") != 0 && access(a.rest[i], R_OK) != 0) {
            fprintf(stderr, "warden scan: %s: %s\n", a.rest[i], strerror(errno));
            ret = WARDEN_EXIT_CONFIG;
            goto out;
        }
    struct warden_scan_opts o = {
        .rt =
            {
                .policy_path = warden_arg(&a, "policy"),
                .accounts_path = warden_arg(&a, "accounts"),
                .orgs_path = warden_arg(&a, "orgs"),
                .max_accounts = max_accounts,
                .dedup_window = dedup_window,
                .max_line = max_line,
                .keep_ids = warden_flag(&a, "all-verdicts"),
                .lateness_ms = (int64_t)lateness * 1000,
                .order = order,
                .sort_memory = sort_mib << 20,
                .quiet = warden_flag(&a, "quiet"),
                .lenient_codes = warden_flag(&a, "lenient"),
            },
        .outdir = warden_arg(&a, "out") ? warden_arg(&a, "out") : "out",
        .inputs = (const char *const *)a.rest,
        .n_inputs = (size_t)a.nrest,
        .no_db = warden_flag(&a, "no-db"),
        .quiet = warden_flag(&a, "quiet"),
        .prog = "warden scan",
        .run_id = warden_arg(&a, "run-id"),
        .max_reject_share = 0.01,
        .state_path = warden_arg(&a, "state"),
    };
    if (!o.rt.policy_path)
        fprintf(stderr, "warden scan: warning: no --policy given: using the built-in policy, which "
                        "restricts no jurisdiction and blocks nothing (findings scored 0.5+ are "
                        "reviewed, 0.9+ throttled); see examples/policy.yaml\n");
    const char *mrs = warden_arg(&a, "max-reject-share");
    if (mrs) {
        char *end;
        errno = 0;
        o.max_reject_share = strtod(mrs, &end);
        if (*end || errno || !(o.max_reject_share >= 0 && o.max_reject_share <= 1)) {
            fprintf(stderr,
                    "warden scan: --max-reject-share needs a number from 0 to 1, got '%s'\n", mrs);
            ret = WARDEN_EXIT_USAGE;
            goto out;
        }
    }
    int rc = 0;
    char *dbpath = warden_xasprintf("%s/cases.db", o.outdir);
    struct warden_review_allow *allow =
        o.no_db ? NULL : warden_cli_review_allowlist(dbpath, "scan", o.quiet, &rc);
    free(dbpath);
    o.rt.review_allow = allow;
    if (!rc) rc = warden_scan_run(&o);
    warden_review_allow_free(allow);
    ret = rc == 0                 ? WARDEN_EXIT_OK
          : rc == WARDEN_ECONFIG  ? WARDEN_EXIT_CONFIG
          : rc == WARDEN_EREJECTS ? WARDEN_EXIT_REJECTS
                                  : WARDEN_EXIT_IO;
out:
    warden_args_free(&a);
    return ret;
}
