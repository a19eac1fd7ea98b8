/* cmd_scan.c — `warden scan`: run the engine over event files and write
 * verdicts, findings, rejects and the case database. */
#include "cli/cli.h"
#include "core/error.h"
#include "core/event_decode.h"
#include "core/jbuf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "intel/intel.h"
#include "io/lines.h"
#include "io/outputs.h"
#include "policy/policy.h"
#include "engine/org_screening.h"
#include "registry/registry.h"
#include "screen/screen.h"
#include "store/cases.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct warden_opt scan_opts[] = {
    {"policy", 'p', "FILE", "policy file (YAML); default: built-in policy, nothing restricted",
     false},
    {"accounts", 'a', "FILE", "accounts.jsonl (formats.md §2)", false},
    {"orgs", 'o', "FILE", "orgs.jsonl (formats.md §3)", false},
    {"out", 'O', "DIR", "output directory (created if missing; default: out)", false},
    {"max-accounts", 0, "N",
     "accounts tracked at once (fixed memory; 1 to 100000000, default 1000000)", false},
    {"max-line-bytes", 0, "N", "longest accepted event line (default 16777216)", false},
    {"dedup-window", 0, "N",
     "request ids remembered to drop repeated requests (fixed memory; default 1000000)", false},
    {"all-verdicts", 0, NULL,
     "also write an allow verdict for every other account seen (keeps each tracked "
     "account's id in memory)",
     false},
    {"no-db", 0, NULL, "do not write cases.db", false},
    {"quiet", 'q', NULL, "no progress bar and no summary", false},
    {NULL, 0, NULL, NULL, false},
};

struct scan_ctx {
    struct warden_outfile findings, verdicts, rejects;
    struct warden_jbuf jb;
    struct warden_store *store;
    int store_err;
};

static void sink_finding(void *vctx, const struct warden_finding *f)
{
    struct scan_ctx *c = vctx;
    warden_write_finding(&c->jb, c->findings.f, f);
    if (c->store && f->action != WARDEN_ALLOW && !c->store_err)
        c->store_err = warden_store_finding(c->store, f);
}

static void sink_action(void *vctx, const struct warden_action_change *ch)
{
    struct scan_ctx *c = vctx;
    if (c->store && !c->store_err) c->store_err = warden_store_audit(c->store, ch);
}

/* A whole number from min to max for a size option; prints the error itself. */
static bool size_opt(const struct warden_args *a, const char *name, size_t min, size_t max,
                     size_t *out)
{
    const char *v = warden_arg(a, name);
    if (!v) return true;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end || errno || x < min || x > max) {
        fprintf(stderr, "warden scan: --%s needs a whole number from %zu to %zu, got '%s'\n", name,
                min, max, v);
        return false;
    }
    *out = (size_t)x;
    return true;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *dir)
{
    char *p = warden_xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

struct allow_list {
    struct warden_verdict **v;
    size_t n, cap;
};

static void collect_allow(void *ctx, const struct warden_verdict *v)
{
    struct allow_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = warden_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct warden_verdict *c = warden_xmalloc(sizeof *c);
    *c = *v;
    c->account_id = warden_xstrdup(v->account_id);
    l->v[l->n++] = c;
}

static int cmp_verdict(const void *a, const void *b)
{
    const struct warden_verdict *x = *(const struct warden_verdict *const *)a;
    const struct warden_verdict *y = *(const struct warden_verdict *const *)b;
    return strcmp(x->account_id, y->account_id);
}

struct reason_count {
    const char *code;
    uint64_t n;
};

static int cmp_reason(const void *a, const void *b)
{
    const struct reason_count *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return strcmp(x->code, y->code);
}

static void summary(FILE *out, const struct warden_engine *e, uint64_t rejects, double secs,
                    const char *outdir, bool shadow)
{
    struct warden_engine_stats st;
    warden_engine_stats(e, &st);
    fprintf(out, "\nWarden scan summary%s\n", shadow ? " (shadow mode: nothing enforced)" : "");
    fprintf(out, "  %-22s %12llu  (%.0f events/s)\n", "events", (unsigned long long)st.events,
            secs > 0 ? (double)st.events / secs : 0.0);
    fprintf(out, "  %-22s %12llu\n", "rejected lines", (unsigned long long)rejects);
    if (st.duplicates)
        fprintf(out, "  %-22s %12llu\n", "duplicate requests", (unsigned long long)st.duplicates);
    fprintf(out, "  %-22s %12llu\n", "accounts tracked", (unsigned long long)st.accounts_tracked);
    if (st.accounts_evicted)
        fprintf(out, "  %-22s %12llu\n", "accounts evicted",
                (unsigned long long)st.accounts_evicted);
    fprintf(out, "  %-22s %12llu\n", "findings", (unsigned long long)st.findings);
    fprintf(out, "  accounts by action:\n");
    static const char *names[] = {"allow", "review", "throttle", "block"};
    for (int i = 1; i < 4; i++)
        fprintf(out, "    %-20s %12llu\n", names[i], (unsigned long long)st.actions[i]);
    /* top reasons across actioned accounts */
    size_t n = warden_engine_n_verdicts(e), nr = 0;
    struct reason_count *rc = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct warden_verdict *v = warden_engine_verdict_at(e, i);
        for (size_t k = 0; k < v->n_reasons; k++) {
            size_t j = 0;
            while (j < nr && strcmp(rc[j].code, v->reasons[k].code) != 0) j++;
            if (j == nr) {
                rc = warden_xrealloc(rc, (nr + 1) * sizeof *rc);
                rc[nr++] = (struct reason_count){v->reasons[k].code, 0};
            }
            rc[j].n++;
        }
    }
    if (nr) {
        qsort(rc, nr, sizeof *rc, cmp_reason);
        fprintf(out, "  top reasons (accounts):\n");
        for (size_t j = 0; j < nr && j < 10; j++)
            fprintf(out, "    %-32s %8llu\n", rc[j].code, (unsigned long long)rc[j].n);
    }
    free(rc);
    fprintf(out, "  per-account memory     %12zu bytes (table %zu MiB)\n",
            warden_engine_account_budget(e), st.account_table_bytes >> 20);
    fprintf(out, "  output                 %s/{verdicts,findings,rejects}.jsonl\n", outdir);
}

static void progress(const char *name, struct warden_lines *lr, uint64_t events,
                     const struct warden_engine *e, double t0)
{
    struct warden_engine_stats st;
    warden_engine_stats(e, &st);
    double el = now_s() - t0;
    uint64_t size = warden_lines_size(lr), pos = warden_lines_pos(lr);
    char pct[16] = "";
    if (size) snprintf(pct, sizeof pct, "%5.1f%% ", 100.0 * (double)pos / (double)size);
    fprintf(stderr, "\r  %s %s%12llu events %9.0f ev/s %9llu accounts ", name, pct,
            (unsigned long long)events, el > 0 ? (double)events / el : 0.0,
            (unsigned long long)st.accounts_tracked);
}

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
               "within the de-duplication window is counted as a duplicate and skipped.",
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
    char err[512];
    struct warden_policy *pol = NULL;
    struct warden_intel *intel = NULL;
    struct warden_registry *reg = NULL;
    struct warden_screen *screen = NULL;
    struct warden_org_screening *orgscr = NULL;
    struct warden_engine *eng = NULL;
    struct scan_ctx sc;
    memset(&sc, 0, sizeof sc);
    warden_jbuf_init(&sc.jb);
    const char *outdir = warden_arg(&a, "out") ? warden_arg(&a, "out") : "out";
    bool quiet = warden_flag(&a, "quiet");
    size_t max_accounts = 0, max_line = 0, dedup_window = 0;
    if (!size_opt(&a, "max-accounts", 1, 100000000, &max_accounts) ||
        !size_opt(&a, "max-line-bytes", 64, (size_t)1 << 30, &max_line) ||
        !size_opt(&a, "dedup-window", 2, 100000000, &dedup_window)) {
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (a.nrest == 0) {
        fprintf(stderr, "warden scan: no event files given (use '-' for standard input)\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (warden_policy_load(&pol, warden_arg(&a, "policy"), err, sizeof err)) {
        fprintf(stderr, "warden scan: %s\n", err);
        ret = WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (warden_intel_open(&intel, &pol->intel, err, sizeof err)) {
        fprintf(stderr, "warden scan: IP intelligence: %s\n", err);
        ret = WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (warden_arg(&a, "accounts") || warden_arg(&a, "orgs")) {
        if (warden_registry_load(&reg, warden_arg(&a, "accounts"), warden_arg(&a, "orgs"), err,
                                 sizeof err)) {
            fprintf(stderr, "warden scan: %s\n", err);
            ret = WARDEN_EXIT_CONFIG;
            goto out;
        }
    }
    if (reg && pol->screen.enabled &&
        (warden_registry_n_orgs(reg) > 0 || warden_registry_n_accounts(reg) > 0)) {
        /* restricted-party screening of every organisation, once */
        struct warden_screen_conf sc_conf = pol->screen;
        if (sc_conf.restricted_jurisdictions.n == 0)
            sc_conf.restricted_jurisdictions = pol->restricted;
        const char *dd =
            pol->screen.data_dir ? pol->screen.data_dir : warden_screen_default_data_dir();
        char *manifest = warden_xasprintf("%s/lists/lists.tsv", dd);
        char *normdir = warden_xasprintf("%s/screen", dd);
        int rc = warden_screen_load(&screen, manifest, normdir, &sc_conf, err, sizeof err);
        free(manifest);
        free(normdir);
        if (rc == 0) rc = warden_org_screening_build(&orgscr, screen, reg, err, sizeof err);
        if (rc) {
            fprintf(stderr, "warden scan: screening: %s\n", err);
            ret = WARDEN_EXIT_CONFIG;
            goto out;
        }
        if (!quiet)
            fprintf(stderr,
                    "warden scan: screened %zu organisations (%zu restricted) and %zu accounts' "
                    "e-mail domains (%zu listed)\n",
                    warden_registry_n_orgs(reg), warden_org_screening_restricted(orgscr),
                    warden_registry_n_accounts(reg), warden_org_screening_domain_hits(orgscr));
    }
    if (mkdir_p(outdir) != 0) {
        fprintf(stderr, "warden scan: cannot create %s: %s\n", outdir, strerror(errno));
        ret = WARDEN_EXIT_IO;
        goto out;
    }
    if (warden_outfile_open(&sc.findings, outdir, "findings.jsonl", err, sizeof err) ||
        warden_outfile_open(&sc.verdicts, outdir, "verdicts.jsonl", err, sizeof err) ||
        warden_outfile_open(&sc.rejects, outdir, "rejects.jsonl", err, sizeof err)) {
        fprintf(stderr, "warden scan: %s\n", err);
        ret = WARDEN_EXIT_IO;
        goto out;
    }
    if (!warden_flag(&a, "no-db")) {
        char *dbpath = warden_xasprintf("%s/cases.db", outdir);
        int rc = warden_store_open(&sc.store, dbpath, err, sizeof err);
        free(dbpath);
        if (rc) {
            fprintf(stderr, "warden scan: %s\n", err);
            ret = WARDEN_EXIT_IO;
            goto out;
        }
        struct warden_jbuf in;
        warden_jbuf_init(&in);
        warden_jbuf_arr_open(&in);
        for (int i = 0; i < a.nrest; i++) warden_jbuf_cstr(&in, a.rest[i]);
        warden_jbuf_arr_close(&in);
        warden_store_run_begin(sc.store, pol->path, warden_jbuf_str(&in), pol->shadow);
        warden_jbuf_fini(&in);
    }

    struct warden_engine_opts eo = {
        .policy = pol,
        .intel = intel,
        .registry = reg,
        .screening = orgscr,
        .max_accounts = max_accounts,
        .dedup_window = dedup_window,
        .keep_ids = warden_flag(&a, "all-verdicts"),
        .sinks = {sink_finding, sink_action, &sc},
    };
    if (warden_engine_new(&eng, &eo, err, sizeof err)) {
        fprintf(stderr, "warden scan: %s\n", err);
        ret = WARDEN_EXIT_CONFIG;
        goto out;
    }

    bool tty = !quiet && isatty(STDERR_FILENO);
    double t0 = now_s(), last = t0;
    uint64_t events = 0, rejects = 0;
    struct warden_event ev;
    char why[256];
    for (int i = 0; i < a.nrest; i++) {
        const char *name = a.rest[i];
        const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;
        struct warden_lines *lr;
        if (warden_lines_open(&lr, name, max_line, err, sizeof err)) {
            fprintf(stderr, "warden scan: %s\n", err);
            ret = WARDEN_EXIT_IO;
            goto out;
        }
        char *line;
        size_t len;
        uint64_t lineno;
        bool too_long;
        int rc;
        while ((rc = warden_lines_next(lr, &line, &len, &lineno, &too_long)) == 1) {
            if (too_long) {
                snprintf(why, sizeof why, "line too long (%zu bytes)", len);
                warden_write_reject(&sc.jb, sc.rejects.f, shown, lineno, why);
                rejects++;
                continue;
            }
            if (warden_event_decode(line, len, &ev, why, sizeof why)) {
                warden_write_reject(&sc.jb, sc.rejects.f, shown, lineno, why);
                rejects++;
                continue;
            }
            ev.src_name = shown;
            ev.src_line = lineno;
            if (warden_engine_process(eng, &ev)) events++;
            if (tty && (events & 0xFFFF) == 0) {
                double t = now_s();
                if (t - last > 0.25) {
                    progress(shown, lr, events, eng, t0);
                    last = t;
                }
            }
        }
        if (tty) {
            progress(shown, lr, events, eng, t0);
            fputc('\n', stderr);
        }
        warden_lines_close(lr);
        if (rc < 0) {
            fprintf(stderr, "warden scan: %s: read error after line %llu\n", shown,
                    (unsigned long long)lineno);
            ret = WARDEN_EXIT_IO;
            goto out;
        }
    }
    warden_engine_drain(eng);
    double secs = now_s() - t0;

    /* verdicts, sorted by account id for stable output */
    struct allow_list allowed = {NULL, 0, 0};
    warden_engine_all_verdicts(eng, collect_allow, &allowed);
    size_t nv = warden_engine_n_verdicts(eng), nall = nv + allowed.n;
    const struct warden_verdict **vs = warden_xcalloc(nall + 1, sizeof *vs);
    for (size_t i = 0; i < nv; i++) vs[i] = warden_engine_verdict_at(eng, i);
    for (size_t i = 0; i < allowed.n; i++) vs[nv + i] = allowed.v[i];
    qsort(vs, nall, sizeof *vs, cmp_verdict);
    for (size_t i = 0; i < nall; i++) {
        warden_write_verdict(&sc.jb, sc.verdicts.f, vs[i]);
        if (sc.store && !sc.store_err && vs[i]->action != WARDEN_ALLOW)
            sc.store_err = warden_store_case(sc.store, vs[i]);
    }
    free(vs);
    for (size_t i = 0; i < allowed.n; i++) {
        free(allowed.v[i]->account_id);
        free(allowed.v[i]);
    }
    free(allowed.v);
    struct warden_engine_stats st;
    warden_engine_stats(eng, &st);
    if (sc.store && !sc.store_err)
        sc.store_err = warden_store_run_end(sc.store, events, rejects, st.accounts_tracked,
                                            st.accounts_actioned);
    if (sc.store_err) {
        fprintf(stderr, "warden scan: writing cases.db failed\n");
        ret = WARDEN_EXIT_IO;
        goto out;
    }
    if (warden_outfile_commit(&sc.findings, err, sizeof err) ||
        warden_outfile_commit(&sc.verdicts, err, sizeof err) ||
        warden_outfile_commit(&sc.rejects, err, sizeof err)) {
        fprintf(stderr, "warden scan: %s\n", err);
        ret = WARDEN_EXIT_IO;
        goto out;
    }
    if (rejects)
        fprintf(stderr, "warden scan: %llu bad line(s) skipped; see %s/rejects.jsonl\n",
                (unsigned long long)rejects, outdir);
    if (!quiet) summary(stdout, eng, rejects, secs, outdir, pol->shadow);

out:
    warden_outfile_abort(&sc.findings);
    warden_outfile_abort(&sc.verdicts);
    warden_outfile_abort(&sc.rejects);
    warden_store_close(sc.store);
    warden_jbuf_fini(&sc.jb);
    warden_engine_free(eng);
    warden_org_screening_free(orgscr);
    warden_screen_free(screen);
    warden_registry_free(reg);
    warden_intel_free(intel);
    warden_policy_free(pol);
    warden_args_free(&a);
    return ret;
}
