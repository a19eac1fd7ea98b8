/* bench_scan.c — `warden scan` throughput on one core, next to merely parsing
 * the same file with jansson.
 *
 * Generates N events (default 1,000,000) with real prompt text (GSM8K,
 * Arena-Hard and GPTeacher prompts, from data/prompts or ../shared), 50,000
 * accounts on real addresses, and measures on the same file in the same run:
 *   baseline: read lines + json_loadb() + json_decref()        (jansson)
 *   warden:   read lines + decode + de-duplication + IP intel + every
 *             detector + policy, findings written to /dev/null, as
 *   engine:   the engine driven directly in file order (no reorder buffer)
 *   runtime:  what `warden scan` runs: source, event-time reorder buffer,
 *             engine shard, sinks
 * and prints the rates and their ratios (best of BENCH_ROUNDS, default 3,
 * alternating; and the median of each round's ratio), then memory next to
 * them: the account table and every counter named *.memory_bytes.
 * BENCH_LATENESS_MS sets the runtime's allowed lateness. BENCH_ONLY=engine,
 * runtime or jansson (or a comma-separated list) runs only those, for
 * profiling or a quicker ratio; BENCH_ONLY=decode (not run otherwise) times
 * Warden's own parse only (read lines + warden_event_decode), and
 * BENCH_ONLY=text the distillation text pass (warden_distill_text_scan) alone
 * over the file's prompts held in memory: the two stages measured alone. BENCH_ONLY=order (not
 * run otherwise) times the runtime on the file streamed (--order stream), looked at first
 * (auto: the probe of its first 64 MiB, then streamed) and, shuffled line by line, sorted by
 * time before it is run (sorter.h): the probe's cost and the sort's. BENCH_PERF_CTL and
 * BENCH_PERF_ACK name the control and acknowledgement FIFOs of `perf record -D -1 --control
 * fifo:CTL,ACK`, so that perf samples only the timed passes. BENCH_REUSE=1 keeps FILE and reuses it
 * when it exists (same N) instead of generating it again. Usage: bench_scan [N] [FILE]. */
#include "bench_common.h"
#include "core/event_decode.h"
#include "core/jbuf.h"
#include "core/timefmt.h"
#include "engine/engine.h"
#include "intel/intel.h"
#include "io/lines.h"
#include "io/outputs.h"
#include "detect/detector.h"
#include "detect/distill.h"
#include "policy/policy.h"
#include "runtime/runtime.h"
#include "runtime/sorter.h"

#include <jansson.h>
#include <stdint.h>

/* CPU time of this thread: the machine may be shared, and a busy neighbour
 * would otherwise show up as a slower Warden. */
static double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tell perf (BENCH_PERF_CTL/ACK) to start or stop sampling; no-op otherwise. */
static void perf_ctl(const char *cmd)
{
    const char *ctl = getenv("BENCH_PERF_CTL"), *ack = getenv("BENCH_PERF_ACK");
    if (!ctl) return;
    FILE *f = fopen(ctl, "w");
    if (!f) return;
    fprintf(f, "%s\n", cmd);
    fclose(f);
    if (ack && (f = fopen(ack, "r")) != NULL) {
        char buf[16];
        if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
        fclose(f);
    }
}

static char **prompts;
static size_t n_prompts;

static void add_prompt(const char *s)
{
    if (!s || !*s) return;
    prompts = realloc(prompts, (n_prompts + 1) * sizeof *prompts);
    prompts[n_prompts++] = strdup(s);
}

static void load_jsonl(const char *rel, const char *shared_rel, const char *field)
{
    const char *p = bench_find(rel, shared_rel);
    if (!p) return;
    FILE *f = fopen(p, "r");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        if (o) add_prompt(json_string_value(json_object_get(o, field)));
        json_decref(o);
    }
    free(line);
    fclose(f);
}

static void load_gpteacher(void)
{
    const char *p = bench_find("data/prompts/gpteacher_codegen_instruct.json",
                               "data/prompts/machine/gpteacher_codegen_instruct.json");
    if (!p) return;
    json_t *a = json_load_file(p, 0, NULL);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        char buf[8192];
        snprintf(buf, sizeof buf, "%s\n\n%s", json_string_value(json_object_get(o, "instruction")),
                 json_string_value(json_object_get(o, "input")));
        add_prompt(buf);
    }
    json_decref(a);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void generate(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    /* residential, cloud, Tor and hosting networks; 175.45.176 is in KP,
     * which the example policy restricts, so one account in nine is flagged */
    static const char *prefixes[] = {"81.2.69",     "203.0.113",  "5.62.60", "47.88.0",   "3.5.140",
                                     "185.220.101", "89.163.128", "2.58.56", "175.45.176"};
    static const char *models[] = {"model-large", "model-medium", "model-small"};
    int64_t ts = 1795421702000LL;
    char tsb[WARDEN_TS_STRLEN], ip[64], acct[32], key[32];
    for (size_t i = 0; i < n; i++) {
        ts += (int64_t)(next_rand() % 20);
        uint64_t a = next_rand() % 50000;
        snprintf(acct, sizeof acct, "acct_%05llu", (unsigned long long)a);
        snprintf(key, sizeof key, "key_%llu", (unsigned long long)(a * 7 % 3));
        snprintf(ip, sizeof ip, "%s.%u", prefixes[a % 9], (unsigned)(a % 250 + 1));
        warden_jbuf_reset(&b);
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "ts", warden_ts_format(ts, tsb));
        warden_jbuf_kv_str(&b, "account_id", acct);
        char rid[40];
        snprintf(rid, sizeof rid, "req_%016llx%08zx", (unsigned long long)next_rand(), i);
        warden_jbuf_kv_str(&b, "request_id", rid);
        warden_jbuf_kv_str(&b, "ip", ip);
        warden_jbuf_kv_str(&b, "api_key_id", key);
        warden_jbuf_kv_str(&b, "user_agent", "anthropic-python/0.39.0");
        warden_jbuf_kv_str(&b, "model", models[next_rand() % 3]);
        warden_jbuf_kv_str(&b, "endpoint", "/v1/messages");
        warden_jbuf_kv_str(&b, "prompt", prompts[next_rand() % n_prompts]);
        warden_jbuf_kv_int(&b, "turns", (int64_t)(1 + next_rand() % 6));
        warden_jbuf_kv_bool(&b, "thinking", next_rand() % 4 == 0);
        warden_jbuf_kv_int(&b, "max_tokens", 1024);
        warden_jbuf_kv_int(&b, "input_tokens", (int64_t)(50 + next_rand() % 2000));
        warden_jbuf_kv_int(&b, "output_tokens", (int64_t)(20 + next_rand() % 1000));
        warden_jbuf_kv_int(&b, "status", 200);
        warden_jbuf_obj_close(&b);
        warden_jbuf_raw(&b, "\n", 1);
        fwrite(b.p, 1, b.len, f);
    }
    warden_jbuf_fini(&b);
    fclose(f);
}

static FILE *devnull;

static void sink_finding(void *ctx, const struct warden_finding *f)
{
    warden_write_finding(ctx, devnull, f, NULL);
}

/* The next line of lr that decodes, into ev; false at the end. */
static bool next_event(struct warden_lines *lr, struct warden_event *ev)
{
    char *line, why[256];
    size_t len;
    uint64_t no;
    bool tl;
    while (warden_lines_next(lr, &line, &len, &no, &tl) == 1)
        if (warden_event_decode(line, len, ev, why, sizeof why) == 0) return true;
    return false;
}

/* The engine driven directly: read, decode, process, in file order. */
static double run_engine(const char *path, const struct warden_policy *pol,
                         const struct warden_intel *intel, size_t *ok, uint64_t *findings,
                         uint64_t *accounts)
{
    char err[512];
    struct warden_jbuf fb;
    warden_jbuf_init(&fb);
    struct warden_engine_opts eo = {
        .policy = pol, .intel = intel, .sinks = {sink_finding, NULL, &fb}};
    struct warden_engine *e;
    if (warden_engine_new(&e, &eo, err, sizeof err)) exit(1);
    struct warden_lines *lr;
    struct warden_event ev;
    *ok = 0;
    perf_ctl("enable");
    double t0 = bench_cpu();
    warden_lines_open(&lr, path, 0, err, sizeof err);
    while (next_event(lr, &ev)) {
        warden_engine_process(e, &ev);
        (*ok)++;
    }
    warden_lines_close(lr);
    warden_engine_drain(e);
    double t = bench_cpu() - t0;
    perf_ctl("disable");
    struct warden_engine_stats st;
    warden_engine_stats(e, &st);
    *findings = st.findings;
    *accounts = st.accounts_tracked;
    warden_engine_free(e);
    warden_jbuf_fini(&fb);
    return t;
}

/* Read and decode only. */
static double run_decode(const char *path, size_t *ok)
{
    char err[512];
    struct warden_lines *lr;
    struct warden_event ev;
    *ok = 0;
    perf_ctl("enable");
    double t0 = bench_cpu();
    warden_lines_open(&lr, path, 0, err, sizeof err);
    while (next_event(lr, &ev)) (*ok)++;
    warden_lines_close(lr);
    double t = bench_cpu() - t0;
    perf_ctl("disable");
    return t;
}

/* The distillation text pass alone: every event's prompt and system prompt
 * are copied out first (not timed), then warden_distill_text_scan() runs
 * over them in file order; the hashes are summed so that it cannot be left
 * out. Returns the CPU seconds of the timed loop. */
static double run_text(const char *path, size_t *ok, uint64_t *sum)
{
    static char *arena;
    static struct warden_str *texts; /* prompt, system of each event */
    static size_t n_ev;
    if (!texts) {
        char err[512];
        struct warden_lines *lr;
        struct warden_event ev;
        size_t cap = 0, used = 0, acap = 0;
        warden_lines_open(&lr, path, 0, err, sizeof err);
        while (next_event(lr, &ev)) {
            if (n_ev == cap)
                texts = realloc(texts, (cap = cap ? 2 * cap : 4096) * 2 * sizeof *texts);
            if (used + ev.prompt.n + ev.system.n > acap)
                arena = realloc(arena, acap = 2 * acap + ev.prompt.n + ev.system.n + (1 << 20));
            struct warden_str *t = texts + 2 * n_ev++;
            t[0].n = ev.prompt.n;
            t[1].n = ev.system.n;
            t[0].p = (const char *)(uintptr_t)used; /* offsets until the arena stops moving */
            memcpy(arena + used, ev.prompt.p, ev.prompt.n);
            used += ev.prompt.n;
            t[1].p = (const char *)(uintptr_t)used;
            memcpy(arena + used, ev.system.p, ev.system.n);
            used += ev.system.n;
        }
        warden_lines_close(lr);
        for (size_t i = 0; i < 2 * n_ev; i++)
            texts[i].p = texts[i].n ? arena + (uintptr_t)texts[i].p : NULL;
    }
    struct warden_event ev;
    struct warden_distill_text t;
    memset(&ev, 0, sizeof ev);
    perf_ctl("enable");
    double t0 = bench_cpu();
    for (size_t i = 0; i < n_ev; i++) {
        ev.prompt = texts[2 * i];
        ev.system = texts[2 * i + 1];
        warden_distill_text_scan(&t, &ev);
        *sum += t.head_sketch ^ t.tail_sketch ^ t.ntokens;
    }
    double t1 = bench_cpu() - t0;
    perf_ctl("disable");
    *ok = n_ev;
    return t1;
}

/* A sink writing findings where the engine loop writes them. */
struct null_sink {
    struct warden_jbuf jb;
};
static void null_finding(void *self, const struct warden_finding *f)
{
    warden_write_finding(&((struct null_sink *)self)->jb, devnull, f, NULL);
}
static void null_free(void *self)
{
    warden_jbuf_fini(&((struct null_sink *)self)->jb);
    free(self);
}
static const struct warden_sink_type null_sink_type = {
    .name = "null", .finding = null_finding, .free = null_free};

static int bench_order = WARDEN_ORDER_AUTO; /* runtime passes: --order */

/* The runtime as `warden scan` runs it: source, event-time reorder buffer,
 * engine, sinks. Loading the policy and IP table is not timed. */
static double run_runtime(const char *path, const char *pol_path, size_t *events, size_t *budget,
                          struct warden_counters *cs, size_t *table_bytes, size_t *table_used,
                          size_t *n_verdicts, size_t *verdict_bytes)
{
    char err[512];
    struct warden_runtime_conf c = {
        .policy_path = pol_path, .lateness_ms = -1, .quiet = true, .order = bench_order};
    if (getenv("BENCH_LATENESS_MS")) c.lateness_ms = atoll(getenv("BENCH_LATENESS_MS"));
    struct warden_runtime *rt;
    if (warden_runtime_new(&rt, &c, err, sizeof err)) {
        fprintf(stderr, "bench_scan: %s\n", err);
        exit(1);
    }
    struct null_sink *ns = calloc(1, sizeof *ns);
    warden_jbuf_init(&ns->jb);
    warden_runtime_add_sink(rt, &null_sink_type, ns);
    const char *inputs[] = {path};
    perf_ctl("enable");
    double t0 = bench_cpu();
    if (warden_runtime_run(rt, &warden_source_jsonl, inputs, 1, NULL, NULL, err, sizeof err) ||
        warden_runtime_finish(rt, err, sizeof err)) {
        fprintf(stderr, "bench_scan: %s\n", err);
        exit(1);
    }
    double t = bench_cpu() - t0;
    perf_ctl("disable");
    warden_runtime_counters(rt, cs);
    *events = (size_t)warden_counter_get(cs, "engine.events");
    *budget = warden_engine_account_budget(warden_runtime_shard(rt, 0));
    *table_bytes = *table_used = 0;
    for (size_t i = 0; i < warden_runtime_n_shards(rt); i++) {
        struct warden_engine_stats st;
        warden_engine_stats(warden_runtime_shard(rt, i), &st);
        *table_bytes += st.account_table_bytes;
        *table_used += st.accounts_tracked * *budget;
    }
    /* the verdicts the engines keep for the end of the run: one per
     * actioned account, with its strings and its slot in the array */
    *n_verdicts = *verdict_bytes = 0;
    for (size_t i = 0; i < warden_runtime_n_shards(rt); i++) {
        const struct warden_engine *e = warden_runtime_shard(rt, i);
        for (size_t k = 0; k < warden_engine_n_verdicts(e); k++) {
            const struct warden_verdict *v = warden_engine_verdict_at(e, k);
            *verdict_bytes += sizeof *v + sizeof v + strlen(v->account_id) + 1 +
                              (v->org_id ? strlen(v->org_id) + 1 : 0) +
                              (v->cluster_id ? strlen(v->cluster_id) + 1 : 0);
            (*n_verdicts)++;
        }
    }
    warden_runtime_free(rt);
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Memory next to throughput: the account table, and every counter named
 * *.memory_bytes (state a component sizes itself, e.g. link.memory_bytes),
 * as the runtime left them at the end of its last pass. */
static void print_memory(const struct warden_counters *cs, size_t table_bytes, size_t table_used)
{
    static const char suffix[] = ".memory_bytes";
    const size_t ns = sizeof suffix - 1;
    printf("account table memory    : %10zu bytes (%.1f MiB reserved for its capacity; "
           "%.1f MiB for the accounts tracked)\n",
           table_bytes, (double)table_bytes / 1048576.0, (double)table_used / 1048576.0);
    for (unsigned i = 0; i < cs->n; i++) {
        size_t n = strlen(cs->name[i]);
        if (n < ns || strcmp(cs->name[i] + n - ns, suffix) != 0) continue;
        printf("%-24s: %10llu bytes (%.1f MiB)\n", cs->name[i], (unsigned long long)cs->v[i],
               (double)cs->v[i] / 1048576.0);
    }
}

/* BENCH_ONLY=order: the file streamed, probed (auto) and, shuffled, sorted
 * first; best of rounds each, alternating. Sorting's reading, temporary
 * files and merge run on this thread, so CPU time counts them (not the
 * disk's own time). */
static void run_order(const char *path, const char *pol_path, int rounds)
{
    char *shuf = NULL;
    if (asprintf(&shuf, "%s.shuffled", path) < 0) exit(1);
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) exit(1);
    long sz = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)sz + 1);
    if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) exit(1);
    fclose(f);
    size_t n = 0, cap = 1 << 20;
    char **lines = malloc(cap * sizeof *lines);
    for (char *p = buf; p < buf + sz;) {
        char *e = memchr(p, '\n', (size_t)(buf + sz - p));
        if (!e) e = buf + sz;
        *e = '\0';
        if (n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = p;
        p = e + 1;
    }
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates, fixed seed */
        size_t j = (size_t)(next_rand() % i);
        char *t = lines[i - 1];
        lines[i - 1] = lines[j];
        lines[j] = t;
    }
    f = fopen(shuf, "wb");
    for (size_t i = 0; i < n; i++) fprintf(f, "%s\n", lines[i]);
    fclose(f);
    free(lines);
    free(buf);
    double best[3] = {1e30, 1e30, 1e30};
    size_t ev[3] = {0, 0, 0};
    uint64_t sorted = 0;
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 3; k++) {
            int m = (k + r) % 3; /* each goes first in turn */
            struct warden_counters cs;
            warden_counters_init(&cs);
            size_t budget, tb, tu, nv, vb;
            bench_order = m == 0 ? WARDEN_ORDER_STREAM : WARDEN_ORDER_AUTO;
            double t = run_runtime(m == 2 ? shuf : path, pol_path, &ev[m], &budget, &cs, &tb, &tu,
                                   &nv, &vb);
            if (m == 2) sorted = warden_counter_get(&cs, "runtime.inputs_sorted");
            if (t < best[m]) best[m] = t;
        }
    bench_order = WARDEN_ORDER_AUTO;
    printf("order: %zu events, best of %d, CPU time of one thread:\n", n, rounds);
    printf("runtime, file streamed     : %10.0f events/s (--order stream)\n",
           (double)ev[0] / best[0]);
    printf(
        "runtime, file probed       : %10.0f events/s (auto: first 64 MiB looked at, in order)\n",
        (double)ev[1] / best[1]);
    printf("runtime, shuffled, sorted  : %10.0f events/s (auto: sorted first: %s)\n",
           (double)ev[2] / best[2], sorted ? "yes" : "NO");
    printf("ratio probed/streamed      : %.3f\n",
           best[0] / best[1] * (double)ev[1] / (double)ev[0]);
    printf("ratio sorted/streamed      : %.3f\n",
           best[0] / best[2] * (double)ev[2] / (double)ev[0]);
    unlink(shuf);
    free(shuf);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    const char *path = argc > 2 ? argv[2] : "/tmp/warden_bench_events.jsonl";
    int rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 3;
    if (rounds < 1) rounds = 1;
    devnull = fopen("/dev/null", "w");
    load_jsonl("data/prompts/gsm8k_train.jsonl", "data/prompts/taskset/gsm8k_train.jsonl",
               "question");
    load_jsonl("data/prompts/arena-hard-v0.1_question.jsonl",
               "data/prompts/organic/arena-hard-v0.1_question.jsonl", "prompt");
    load_gpteacher();
    if (!n_prompts) {
        fprintf(stderr, "bench_scan: no prompt corpus found (data/prompts or ../shared)\n");
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < n_prompts; i++) total += strlen(prompts[i]);
    printf("prompts: %zu from real corpora, mean %.0f bytes\n", n_prompts,
           (double)total / (double)n_prompts);
    bool reuse = getenv("BENCH_REUSE") && atoi(getenv("BENCH_REUSE"));
    if (!reuse || access(path, R_OK) != 0) generate(path, n);

    char err[512];
    struct warden_lines *lr;
    char *line;
    size_t len;
    uint64_t no;
    bool tl;
    size_t bytes = 0;

    struct warden_policy *pol;
    const char *pol_path = bench_find("examples/policy.yaml", NULL);
    char *pol_copy = strdup(pol_path);
    if (warden_policy_load(&pol, pol_copy, err, sizeof err)) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return 1;
    }
    struct warden_intel *intel;
    if (warden_intel_open(&intel, &pol->intel, err, sizeof err)) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return 1;
    }

    /* Best of `rounds` for each, alternating, so that a busy moment on the
     * machine does not favour one of them. */
    double t_base = 1e30, t_engine = 1e30, t_rt = 1e30;
    size_t parsed = 0, ok = 0, rt_events = 0, budget = 0, table_bytes = 0, table_used = 0,
           n_verdicts = 0, verdict_bytes = 0;
    struct warden_counters rt_counters;
    warden_counters_init(&rt_counters);
    uint64_t findings = 0, accounts = 0;
    /* BENCH_ONLY=engine|runtime|jansson, or a comma-separated list of them */
    const char *only = getenv("BENCH_ONLY");
    bool do_jansson = !only || strstr(only, "jansson"), do_engine = !only || strstr(only, "engine"),
         do_rt = !only || strstr(only, "runtime");
    /* each round's runtime/engine ratio: the two passes of a round ran
     * within seconds of each other, so their ratio is less at the mercy of
     * a neighbour than the ratio of two best times */
    double *pair = calloc((size_t)rounds, sizeof *pair);
    int n_pair = 0;
    bool do_decode = only && strstr(only, "decode"), do_text = only && strstr(only, "text");
    double t_dec = 1e30, t_text = 1e30;
    size_t n_dec = 0, n_text = 0;
    uint64_t text_sum = 0;
    for (int r = 0; do_decode || do_text ? r < rounds : 0; r++) {
        double t;
        if (do_decode && (t = run_decode(path, &n_dec)) < t_dec) t_dec = t;
        if (do_text && (t = run_text(path, &n_text, &text_sum)) < t_text) t_text = t;
    }
    if (do_decode)
        printf("warden decode only      : %10.0f events/s  (read + decode; best of %d, CPU time "
               "of one thread)\n",
               (double)n_dec / t_dec, rounds);
    if (do_text)
        printf("distill text pass alone : %10.0f ns/event  (prompts held in memory; best of %d; "
               "checksum %llx)\n",
               t_text / (double)n_text * 1e9, rounds, (unsigned long long)(text_sum & 0xffff));
    if (only && strstr(only, "order")) {
        run_order(path, pol_copy, rounds);
        if (!strstr(only, "engine") && !strstr(only, "runtime") && !strstr(only, "jansson"))
            return 0;
    }
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_cpu(), t, te = 0, tr = 0;
        if (!do_jansson) goto passes;
        /* baseline: jansson */
        warden_lines_open(&lr, path, 0, err, sizeof err);
        parsed = 0;
        bytes = 0;
        while (warden_lines_next(lr, &line, &len, &no, &tl) == 1) {
            json_t *o = json_loadb(line, len, 0, NULL);
            parsed += o != NULL;
            json_decref(o);
            bytes += len + 1;
        }
        warden_lines_close(lr);
        t = bench_cpu() - t0;
        if (t < t_base) t_base = t;
    passes:
        /* the two take turns going first, so neither always inherits the
         * other's freed memory */
        for (int k = 0; k < 2; k++) {
            bool engine_turn = (k == 0) == (r % 2 == 0);
            if (engine_turn && do_engine) {
                t = te = run_engine(path, pol, intel, &ok, &findings, &accounts);
                if (t < t_engine) t_engine = t;
            }
            if (!engine_turn && do_rt) {
                t = tr = run_runtime(path, pol_copy, &rt_events, &budget, &rt_counters,
                                     &table_bytes, &table_used, &n_verdicts, &verdict_bytes);
                if (t < t_rt) t_rt = t;
            }
        }
        if (te > 0 && tr > 0) pair[n_pair++] = te / tr * (double)rt_events / (double)ok;
    }

    if (!bytes) {
        FILE *f = fopen(path, "r");
        if (f && fseek(f, 0, SEEK_END) == 0) bytes = (size_t)ftell(f);
        if (f) fclose(f);
    }
    printf("events: %zu (%.0f MB, mean line %.0f bytes), accounts %llu, findings %llu\n", n,
           (double)bytes / 1e6, (double)bytes / (double)n, (unsigned long long)accounts,
           (unsigned long long)findings);
    printf("best of %d rounds, CPU time of one thread:\n", rounds);
    if (parsed)
        printf("jansson parse only      : %10.0f events/s  (%zu parsed)\n", (double)parsed / t_base,
               parsed);
    printf("engine loop (no reorder): %10.0f events/s  (%zu processed, every detector, intel, "
           "policy)\n",
           (double)ok / t_engine, ok);
    printf("warden runtime          : %10.0f events/s  (%zu processed: source, event-time "
           "reorder, engine, sinks)\n",
           (double)rt_events / t_rt, rt_events);
    printf("per-account memory      : %10zu bytes\n", budget);
    print_memory(&rt_counters, table_bytes, table_used);
    printf("verdict memory          : %10zu bytes (%zu actioned accounts, %.0f bytes each; "
           "grows with actioned accounts, not with events)\n",
           verdict_bytes, n_verdicts,
           n_verdicts ? (double)verdict_bytes / (double)n_verdicts : 0.0);
    printf("ratio runtime/engine loop: %.3f\n", t_engine / t_rt * (double)rt_events / (double)ok);
    if (n_pair) {
        qsort(pair, (size_t)n_pair, sizeof *pair, cmp_double);
        double med =
            n_pair % 2 ? pair[n_pair / 2] : (pair[n_pair / 2 - 1] + pair[n_pair / 2]) / 2.0;
        printf("ratio runtime/engine loop, round by round: median %.3f, %.3f-%.3f over %d rounds\n",
               med, pair[0], pair[n_pair - 1], n_pair);
    }
    if (parsed)
        printf("ratio runtime/jansson    : %.2fx\n",
               t_base / t_rt * (double)rt_events / (double)parsed);
    free(pair);
    warden_intel_free(intel);
    warden_policy_free(pol);
    free(pol_copy);
    fclose(devnull);
    if (!reuse) unlink(path);
    return 0;
}
