/* cmd_backtest.c — `warden backtest`: run the scan on labelled events (or
 * read an existing verdicts file) and score the verdicts against the truth.
 *
 * The scan runs in-process through `warden scan`'s own option parser and the
 * same runtime (runtime/scan.c), so a backtest measures exactly what
 * `warden scan` does; --scan-bin runs another warden binary as a child
 * instead (to backtest an older or newer build). */
#include "backtest/backtest.h"
#include "cli/cli.h"
#include "core/error.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <ftw.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern const struct warden_cmd warden_cmd_scan; /* cmd_scan.c */

static const struct warden_opt opts[] = {
    {"truth", 't', "FILE", "ground truth (truth.jsonl from warden sim)", false},
    {"verdicts", 0, "FILE", "score this verdicts.jsonl instead of running the scan", false},
    {"policy", 'p', "FILE", "scan: policy file", false},
    {"accounts", 0, "FILE", "scan: accounts.jsonl (default: next to the truth file, if there)",
     false},
    {"orgs", 0, "FILE", "scan: orgs.jsonl (default: next to the truth file, if there)", false},
    {"scan-arg", 0, "ARG", "pass one more argument to warden scan", true},
    {"keep-scan", 0, "DIR", "write the scan's output to DIR and keep it", false},
    {"scan-bin", 0, "FILE", "warden binary that runs the scan (default: this one)", false},
    {"json", 0, NULL, "print the metrics as JSON", false},
    {"report", 0, "FILE", "write a self-contained HTML report with plots", false},
    {NULL, 0, NULL, NULL, false},
};

static int run(int argc, char **argv);

const struct warden_cmd warden_cmd_backtest = {
    "backtest",
    run,
    "score Warden's verdicts on labelled traffic (precision, recall, delay, coverage)",
    "--truth truth.jsonl [--verdicts FILE | [SCAN OPTIONS] EVENTS...]",
    opts,
    "Without --verdicts, runs `warden scan --all-verdicts [--policy F] [--accounts F] [--orgs F]\n"
    "--out TMPDIR EVENTS...` in-process and reads TMPDIR/verdicts.jsonl. Actioned = review or\n"
    "stronger, enforced = throttle or block; an account without a verdict was\n"
    "allowed with score 0. Precision per label or kind is one-vs-benign. Prints,\n"
    "per label and kind: accounts, precision and recall of actioned and enforced,\n"
    "requests served before the first action (median, p90), benign false-positive\n"
    "rates, cluster coverage and the ROC AUC of the score.",
};

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *sibling(const char *path, const char *name)
{
    char *tmp = warden_xstrdup(path);
    char *p = warden_xasprintf("%s/%s", dirname(tmp), name);
    free(tmp);
    if (file_exists(p)) return p;
    free(p);
    return NULL;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

/* Run `warden scan`; its stdout goes to our stderr so --json stays clean.
 * Returns 0, or the exit code backtest gives for the scan's failure: the
 * scan's own when it names the cause (2 usage, 3 bad policy or input data),
 * else 4. */
static int run_scan(const struct warden_args *a, const char *truth, const char *outdir)
{
    int nextra = 0;
    const char **extra = warden_arg_all(a, "scan-arg", &nextra);
    size_t max = (size_t)a->nrest + (size_t)nextra + 16;
    char **av = warden_xcalloc(max, sizeof(char *));
    char *acc = NULL, *orgs = NULL;
    size_t n = 0;
    av[n++] = "warden";
    av[n++] = "scan";
    if (warden_arg(a, "policy")) {
        av[n++] = "--policy";
        av[n++] = (char *)warden_arg(a, "policy");
    }
    acc = warden_arg(a, "accounts") ? warden_xstrdup(warden_arg(a, "accounts"))
                                    : sibling(truth, "accounts.jsonl");
    orgs = warden_arg(a, "orgs") ? warden_xstrdup(warden_arg(a, "orgs"))
                                 : sibling(truth, "orgs.jsonl");
    if (acc) {
        av[n++] = "--accounts";
        av[n++] = acc;
    }
    if (orgs) {
        av[n++] = "--orgs";
        av[n++] = orgs;
    }
    av[n++] = "--all-verdicts"; /* events and cluster ids of allowed accounts too */
    for (int i = 0; i < nextra; i++) av[n++] = (char *)extra[i];
    av[n++] = "--out";
    av[n++] = (char *)outdir;
    for (int i = 0; i < a->nrest; i++) av[n++] = a->rest[i];
    av[n] = NULL;
    int rc = 0;
    fflush(NULL);
    if (!warden_arg(a, "scan-bin")) {
        /* in-process; the scan's summary goes to stderr so --json stays clean */
        int saved = dup(1);
        dup2(2, 1);
        int st = warden_cmd_scan.fn((int)n - 1, av + 1);
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
        if (st == WARDEN_EXIT_REJECTS)
            warden_err("backtest: the scan rejected much of its input; scoring what it read");
        else if (st != 0) {
            warden_err("backtest: warden scan failed (exit %d)", st);
            rc = st == WARDEN_EXIT_USAGE || st == WARDEN_EXIT_CONFIG ? st : WARDEN_EXIT_IO;
        }
        free(acc);
        free(orgs);
        free(av);
        return rc;
    }
    pid_t pid = fork();
    if (pid < 0) {
        rc = WARDEN_EXIT_IO;
    } else if (pid == 0) {
        dup2(2, 1);
        const char *bin = warden_arg(a, "scan-bin");
        execv(bin ? bin : "/proc/self/exe", av);
        fprintf(stderr, "warden backtest: cannot run warden scan\n");
        _exit(127);
    } else {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
        }
        if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1 &&
                                   WEXITSTATUS(status) != WARDEN_EXIT_REJECTS)) {
            int st = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            warden_err("backtest: warden scan failed (exit %d)", st);
            rc = st == WARDEN_EXIT_USAGE || st == WARDEN_EXIT_CONFIG ? st : WARDEN_EXIT_IO;
        }
    }
    free(acc);
    free(orgs);
    free(av);
    return rc;
}

static int run(int argc, char **argv)
{
    struct warden_args a;
    int rc = warden_args_parse(&a, &warden_cmd_backtest, argc, argv);
    if (rc != 0) {
        warden_args_free(&a);
        return rc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int exit_code = WARDEN_EXIT_USAGE;
    char *tmpdir = NULL, *verdicts_path = NULL;
    struct warden_bt_input in;
    struct warden_bt_result res;
    memset(&in, 0, sizeof in);
    memset(&res, 0, sizeof res);
    const char *truth = warden_arg(&a, "truth");
    if (!truth) {
        fprintf(stderr, "warden backtest: --truth FILE is required\n");
        goto out;
    }
    if (warden_arg(&a, "verdicts")) {
        if (a.nrest > 0) {
            fprintf(stderr, "warden backtest: give either --verdicts or EVENTS, not both\n");
            goto out;
        }
        verdicts_path = warden_xstrdup(warden_arg(&a, "verdicts"));
    } else {
        if (a.nrest == 0) {
            fprintf(stderr, "warden backtest: no EVENTS files (or use --verdicts FILE)\n");
            goto out;
        }
        const char *dir = warden_arg(&a, "keep-scan");
        if (dir) {
            mkdir(dir, 0777);
        } else {
            const char *t = getenv("TMPDIR");
            tmpdir = warden_xasprintf("%s/warden-backtest-XXXXXX", t && *t ? t : "/tmp");
            if (!mkdtemp(tmpdir)) {
                warden_err("backtest: cannot create a temporary directory");
                exit_code = WARDEN_EXIT_IO;
                goto out;
            }
            dir = tmpdir;
        }
        int st = run_scan(&a, truth, dir);
        if (st) {
            exit_code = st;
            goto out;
        }
        verdicts_path = warden_xasprintf("%s/verdicts.jsonl", dir);
    }
    if (warden_bt_load_truth(&in, truth) < 0 || warden_bt_load_verdicts(&in, verdicts_path) < 0) {
        exit_code = WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (in.ntruth == 0) {
        warden_err("backtest: %s has no truth lines", truth);
        exit_code = WARDEN_EXIT_CONFIG;
        goto out;
    }
    /* what was scored, for the report's header */
    in.meta.version = warden_xstrdup(WARDEN_VERSION);
    {
        char now[WARDEN_TS_STRLEN];
        in.meta.date = warden_xstrdup(warden_ts_format((int64_t)time(NULL) * 1000, now));
    }
    if (warden_arg(&a, "policy")) in.meta.policy_path = warden_xstrdup(warden_arg(&a, "policy"));
    warden_bt_meta_input(&in.meta, "truth", truth);
    if (warden_arg(&a, "verdicts")) {
        warden_bt_meta_input(&in.meta, "verdicts", verdicts_path);
    } else {
        for (int i = 0; i < a.nrest; i++) warden_bt_meta_input(&in.meta, "events", a.rest[i]);
        char *acc = warden_arg(&a, "accounts") ? warden_xstrdup(warden_arg(&a, "accounts"))
                                               : sibling(truth, "accounts.jsonl");
        char *orgs = warden_arg(&a, "orgs") ? warden_xstrdup(warden_arg(&a, "orgs"))
                                            : sibling(truth, "orgs.jsonl");
        warden_bt_meta_input(&in.meta, "accounts", acc);
        warden_bt_meta_input(&in.meta, "orgs", orgs);
        free(acc);
        free(orgs);
    }
    if (warden_arg(&a, "policy"))
        warden_bt_meta_input(&in.meta, "policy", warden_arg(&a, "policy"));
    /* the joiners' first request times, for the late-joiner numbers */
    bool rereadable = !warden_arg(&a, "verdicts");
    for (int i = 0; i < a.nrest; i++) rereadable &= strcmp(a.rest[i], "-") != 0;
    if (rereadable && warden_bt_first_seen(&in, a.rest, a.nrest) < 0)
        warden_warn("backtest: late joiners not scored: the events could not be read again");
    warden_bt_score(&in, &res);
    {
        /* the wrong accounts' evidence: the scan's findings beside its verdicts */
        char *tmp = warden_xstrdup(verdicts_path);
        char *fp = warden_xasprintf("%s/findings.jsonl", dirname(tmp));
        if (file_exists(fp) && warden_bt_wrong_evidence(&res, fp) < 0)
            warden_warn("backtest: cannot read %s: wrong accounts listed without evidence", fp);
        free(fp);
        free(tmp);
    }
    if (warden_flag(&a, "json"))
        warden_bt_report_json(stdout, &res);
    else
        warden_bt_report_text(stdout, &res);
    exit_code = WARDEN_EXIT_OK;
    const char *report = warden_arg(&a, "report");
    if (report && warden_bt_report_html(report, &res) < 0) {
        warden_err("backtest: cannot write %s", report);
        exit_code = WARDEN_EXIT_IO;
    }
out:
    if (tmpdir) {
        nftw(tmpdir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
        free(tmpdir);
    }
    free(verdicts_path);
    warden_bt_result_fini(&res);
    warden_bt_input_fini(&in);
    warden_args_free(&a);
    return exit_code;
}
