/* scan.c — the scan job (see scan.h): wiring of source, sinks and summary. */
#include "runtime/scan.h"
#include "runtime/coverage.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/fsutil.h"
#include "core/jbuf.h"
#include "core/xalloc.h"
#include "core/sha256.h"
#include "engine/engine.h"
#include "intel/intel.h"
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "registry/registry.h"
#include "screen/screen.h"
#include "store/cases.h"
#include "store/run_key.h"

#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

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

static void summary(FILE *out, const struct warden_runtime *rt, double secs, const char *outdir)
{
    struct warden_counters c;
    warden_runtime_counters(rt, &c);
    struct warden_engine_stats tot;
    memset(&tot, 0, sizeof tot);
    size_t budget = 0;
    for (size_t s = 0; s < warden_runtime_n_shards(rt); s++) {
        struct warden_engine_stats st;
        const struct warden_engine *e = warden_runtime_shard(rt, s);
        warden_engine_stats(e, &st);
        tot.accounts_tracked += st.accounts_tracked;
        tot.accounts_evicted += st.accounts_evicted;
        tot.account_table_bytes += st.account_table_bytes;
        for (int i = 0; i < 4; i++) tot.actions[i] += st.actions[i];
        budget = warden_engine_account_budget(e);
    }
    uint64_t events = warden_counter_get(&c, "engine.events");
    uint64_t late = warden_counter_get(&c, "engine.late");
    uint64_t dup = warden_counter_get(&c, "engine.duplicates");
    uint64_t forced = warden_counter_get(&c, "runtime.reorder_forced");
    fprintf(out, "\nWarden scan summary%s\n",
            warden_runtime_policy(rt)->shadow ? " (shadow mode: nothing enforced)" : "");
    fprintf(out, "  %-22s %12llu  (%.0f events/s)\n", "events", (unsigned long long)events,
            secs > 0 ? (double)events / secs : 0.0);
    fprintf(out, "  %-22s %12llu\n", "rejected lines",
            (unsigned long long)warden_counter_get(&c, "runtime.rejects"));
    if (dup) fprintf(out, "  %-22s %12llu\n", "duplicate requests", (unsigned long long)dup);
    uint64_t sorted = warden_counter_get(&c, "runtime.inputs_sorted");
    if (sorted)
        fprintf(out, "  %-22s %12llu  (out of order: sorted by time first, %llu run(s) on disk)\n",
                "inputs sorted", (unsigned long long)sorted,
                (unsigned long long)warden_counter_get(&c, "runtime.sort_runs"));
    if (late)
        fprintf(out, "  %-22s %12llu  (older than the watermark: counted, windows untouched)\n",
                "late events", (unsigned long long)late);
    if (late && late >= events / 1000)
        fprintf(out,
                "  %-22s the input is out of order beyond --lateness: --order sort\n"
                "  %-22s puts every input in time order before it is run\n",
                "", "");
    if (forced)
        fprintf(out, "  %-22s %12llu  (reorder buffer full)\n", "released early",
                (unsigned long long)forced);
    fprintf(out, "  %-22s %12llu\n", "accounts tracked", (unsigned long long)tot.accounts_tracked);
    if (tot.accounts_evicted)
        fprintf(out, "  %-22s %12llu\n", "accounts evicted",
                (unsigned long long)tot.accounts_evicted);
    fprintf(out, "  %-22s %12llu\n", "findings",
            (unsigned long long)warden_counter_get(&c, "engine.findings"));
    warden_coverage_print(out, &c, warden_runtime_registry(rt));
    fprintf(out, "  accounts by action:\n");
    for (int i = 1; i < 4; i++)
        fprintf(out, "    %-20s %12llu\n", warden_action_name((enum warden_action)i),
                (unsigned long long)tot.actions[i]);
    /* top reasons across actioned accounts */
    size_t nr = 0;
    struct reason_count *rc = NULL;
    for (size_t s = 0; s < warden_runtime_n_shards(rt); s++) {
        const struct warden_engine *e = warden_runtime_shard(rt, s);
        size_t n = warden_engine_n_verdicts(e);
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
    }
    if (nr) {
        qsort(rc, nr, sizeof *rc, cmp_reason);
        fprintf(out, "  top reasons (accounts):\n");
        for (size_t j = 0; j < nr && j < 10; j++)
            fprintf(out, "    %-32s %8llu\n", rc[j].code, (unsigned long long)rc[j].n);
    }
    free(rc);
    fprintf(out, "  per-account memory     %12zu bytes (table %zu MiB)\n", budget,
            tot.account_table_bytes >> 20);
    fprintf(out, "  output                 %s/{verdicts,findings,rejects}.jsonl\n", outdir);
}

struct progress_ctx {
    double t0, last;
};

static void on_progress(void *ctx, const struct warden_progress *p)
{
    struct progress_ctx *pc = ctx;
    double t = warden_now_s();
    if (!p->done && t - pc->last < 0.25) return;
    pc->last = t;
    double el = t - pc->t0;
    char pct[16] = "";
    if (p->size) snprintf(pct, sizeof pct, "%5.1f%% ", 100.0 * (double)p->pos / (double)p->size);
    fprintf(stderr, "\r  %s %s%12llu events %9.0f ev/s %9llu accounts ", p->origin, pct,
            (unsigned long long)p->events, el > 0 ? (double)p->events / el : 0.0,
            (unsigned long long)p->accounts);
    if (p->done) fputc('\n', stderr);
}

void warden_scan_new_run_id(char out[33])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0) got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof b; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* ---- the run key's data versions ---- */

static void hash_str(struct warden_sha256 *h, const char *s)
{
    if (!s) s = "";
    warden_sha256_update(h, s, strlen(s) + 1);
}

static void hash_u64(struct warden_sha256 *h, uint64_t v)
{
    warden_sha256_update(h, &v, sizeof v);
}

/* SHA-256 of what the restricted-party lists hold: each list's name, date
 * and counts, each entity with its names and attributes. */
static void lists_digest(const struct warden_screen *s, char hex[65])
{
    struct warden_sha256 h;
    warden_sha256_init(&h);
    for (size_t i = 0; i < warden_screen_n_lists(s); i++) {
        struct warden_screen_list_stats ls;
        warden_screen_list_stats(s, i, &ls);
        hash_str(&h, ls.list);
        hash_u64(&h, (uint64_t)ls.as_of_day);
        hash_u64(&h, ls.entities);
        hash_u64(&h, ls.names);
    }
    for (size_t i = 0; i < warden_screen_n_entities(s); i++) {
        const struct warden_screen_entity *e = warden_screen_entity_at(s, i);
        hash_str(&h, e->list);
        hash_str(&h, e->source_id);
        hash_str(&h, e->program);
        hash_u64(&h, (uint64_t)e->kind << 2 | (uint64_t)e->listed << 1 | e->owned_by_listed);
        for (uint32_t j = 0; j < e->n_names; j++) hash_str(&h, warden_screen_entity_name(s, e, j));
        for (uint32_t j = 0; j < e->n_attrs; j++) {
            hash_u64(&h, (uint64_t)e->attrs[j].type);
            hash_str(&h, e->attrs[j].value);
        }
    }
    warden_sha256_hex(&h, hex);
}

/* The data this run decides with besides its inputs and policy: a re-run
 * after a list update, an IP data update or a review dismissal is a new run.
 * Returns how many entries of d[3] were filled; the versions live in v. */
static size_t run_data(const struct warden_scan_opts *o, const struct warden_runtime *rt,
                       const char *db_path, struct warden_run_data d[3], char v[3][65])
{
    size_t n = 0;
    const struct warden_policy *pol = warden_runtime_policy(rt);
    snprintf(v[n], 65, "%016" PRIx64, warden_intel_digest(warden_runtime_intel(rt)));
    d[n] = (struct warden_run_data){"ip_table", pol->intel.table, v[n]};
    n++;
    const struct warden_screen *scr = warden_runtime_screen(rt);
    if (scr) {
        lists_digest(scr, v[n]);
        d[n] = (struct warden_run_data){"lists", warden_screen_source_file(scr), v[n]};
        n++;
    }
    if (o->rt.review_allow && warden_review_allow_count(o->rt.review_allow) &&
        warden_run_key_dismissals(db_path, v[n]) == 0 && v[n][0]) {
        d[n] = (struct warden_run_data){"dismissals", db_path, v[n]};
        n++;
    }
    return n;
}

int warden_scan_run(const struct warden_scan_opts *o)
{
    char err[512];
    struct warden_runtime *rt = NULL;
    const char *prog = o->prog ? o->prog : "warden scan";
    int rc = warden_runtime_new(&rt, &o->rt, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return rc == WARDEN_ECONFIG ? WARDEN_ECONFIG : rc;
    }
    if (o->state_path) {
        struct warden_runtime_snapinfo si = {0};
        rc = warden_runtime_load_file_ex(rt, o->state_path, &si, err, sizeof err);
        if (rc == WARDEN_ENOENT) {
            rc = 0;
        } else if (rc) {
            fprintf(stderr, "%s: --state %s\n", prog, err);
            goto out;
        } else if (!o->quiet) {
            fprintf(stderr, "%s: state loaded from %s (%llu accounts)\n", prog, o->state_path,
                    (unsigned long long)si.accounts);
        }
    }
    if (warden_mkdir_p(o->outdir) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, o->outdir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    const struct warden_policy *pol = warden_runtime_policy(rt);
    char rid[65];
    warden_scan_new_run_id(rid);
    if (!o->no_db) {
        char *dbpath = warden_xasprintf("%s/cases.db", o->outdir);
        struct warden_jbuf in;
        warden_jbuf_init(&in);
        char key[65], versions[3][65];
        struct warden_run_data data[3];
        size_t n_data = run_data(o, rt, dbpath, data, versions);
        warden_run_key(o->inputs, o->n_inputs, o->rt.accounts_path, o->rt.orgs_path, pol->sha256,
                       data, n_data, &in, key);
        struct warden_store_run run = {
            pol->path,         pol->sha256, warden_jbuf_str(&in), key[0] ? key : NULL, pol->shadow,
            o->run_id != NULL, ""};
        snprintf(run.uuid, sizeof run.uuid, "%s", o->run_id ? o->run_id : rid);
        void *cases;
        rc = warden_sink_cases_open(&cases, dbpath, &run, err, sizeof err);
        warden_jbuf_fini(&in);
        free(dbpath);
        if (rc) {
            fprintf(stderr, "%s: %s\n", prog, err);
            rc = WARDEN_EIO;
            goto out;
        }
        if (!o->run_id) snprintf(rid, sizeof rid, "%s", run.uuid);
        warden_runtime_add_sink(rt, &warden_sink_cases, cases);
    }
    struct warden_run_info ri = {o->run_id ? o->run_id : rid, pol->sha256, pol->shadow};
    void *files;
    if ((rc = warden_sink_jsonl_open(&files, o->outdir, &ri, err, sizeof err))) {
        fprintf(stderr, "%s: %s\n", prog, err);
        rc = WARDEN_EIO;
        goto out;
    }
    warden_runtime_add_sink(rt, &warden_sink_jsonl, files);
    /* the registry's bad lines go where the events' go */
    const struct warden_registry *reg = warden_runtime_registry(rt);
    size_t nrej = 0;
    const struct warden_registry_reject *rej = reg ? warden_registry_rejects(reg, &nrej) : NULL;
    for (size_t i = 0; i < nrej; i++)
        warden_sink_jsonl.reject(files, rej[i].file, rej[i].line, rej[i].reason);

    struct progress_ctx pc = {warden_now_s(), 0};
    bool tty = !o->quiet && isatty(STDERR_FILENO);
    if ((rc = warden_runtime_run(rt, &warden_source_jsonl, o->inputs, o->n_inputs,
                                 tty ? on_progress : NULL, &pc, err, sizeof err))) {
        fprintf(stderr, "%s: %s\n", prog, err);
        rc = WARDEN_EIO;
        goto out;
    }
    /* the state as the input left it, before the end-of-input flush: the next
     * run goes on as if this one had not ended */
    if (o->state_path && (rc = warden_runtime_save_file(rt, o->state_path, err, sizeof err))) {
        fprintf(stderr, "%s: --state %s\n", prog, err);
        goto out;
    }
    if ((rc = warden_runtime_finish(rt, err, sizeof err))) {
        fprintf(stderr, "%s: %s\n", prog, err);
        rc = WARDEN_EIO;
        goto out;
    }
    double secs = warden_now_s() - pc.t0;
    struct warden_counters c;
    warden_runtime_counters(rt, &c);
    uint64_t rejects = warden_counter_get(&c, "runtime.rejects");
    if (rejects)
        fprintf(stderr, "%s: %llu bad line(s) skipped; see %s/rejects.jsonl\n", prog,
                (unsigned long long)rejects, o->outdir);
    if (!o->quiet) summary(stdout, rt, secs, o->outdir);
    uint64_t lines = warden_counter_get(&c, "runtime.lines");
    uint64_t empty = warden_counter_get(&c, "runtime.inputs_without_events");
    double share = lines ? (double)rejects / (double)lines : 0.0;
    if (empty) {
        fprintf(stderr, "%s: %llu input(s) had not one good event: wrong file or format?\n", prog,
                (unsigned long long)empty);
        rc = WARDEN_EREJECTS;
    } else if (share > o->max_reject_share) {
        fprintf(stderr,
                "%s: %.2f %% of the lines were rejected, more than --max-reject-share %.2f %%\n",
                prog, 100.0 * share, 100.0 * o->max_reject_share);
        rc = WARDEN_EREJECTS;
    }
    if (reg) {
        struct warden_registry_stats rs;
        warden_registry_stats(reg, &rs);
        double rshare = rs.lines ? (double)rs.rejected_lines / (double)rs.lines : 0.0;
        if (rs.rejected_lines)
            fprintf(stderr, "%s: %zu bad registry line(s) skipped; see %s/rejects.jsonl\n", prog,
                    rs.rejected_lines, o->outdir);
        if (rshare > o->max_reject_share) {
            fprintf(stderr,
                    "%s: %.2f %% of the accounts/orgs lines were rejected, more than "
                    "--max-reject-share %.2f %%\n",
                    prog, 100.0 * rshare, 100.0 * o->max_reject_share);
            rc = WARDEN_EREJECTS;
        }
    }
out:
    warden_runtime_free(rt);
    return rc;
}
