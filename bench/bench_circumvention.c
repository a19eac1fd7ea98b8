/* bench_circumvention.c — what the circumvention detectors (anonymizer,
 * geo_consistency, reach, reseller) add to the per-event cost of the scan
 * pipeline.
 *
 * Runs the same pipeline as bench_scan (read lines + decode + de-duplication
 * + IP intel + every detector + policy, findings written to /dev/null) over
 * the same events file twice per round: with examples/policy.yaml as it is,
 * and with those four detectors disabled. Rounds alternate so that load
 * from other processes hits both alike; time is this process's CPU time.
 * Prints the median ns per event of each and their ratio.
 * Usage: bench_circumvention [FILE] [ROUNDS] (FILE as written by bench_scan). */
#include "bench_common.h"
#include "core/event_decode.h"
#include "core/jbuf.h"
#include "detect/detector.h"
#include "engine/engine.h"
#include "intel/intel.h"
#include "io/lines.h"
#include "io/outputs.h"
#include "policy/policy.h"

#include <stdint.h>

static const char *const circumvention[] = {"anonymizer", "geo_consistency", "reach", "reseller"};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sink_finding(void *ctx, const struct warden_finding *f)
{
    static FILE *null;
    if (!null) null = fopen("/dev/null", "w");
    warden_write_finding(ctx, null, f, NULL);
}

/* ns per event of one pass, or -1. */
static double pass(const char *path, const struct warden_policy *pol,
                   const struct warden_intel *intel, size_t *events)
{
    char err[512], why[256];
    struct warden_jbuf fb;
    warden_jbuf_init(&fb);
    struct warden_engine_opts eo = {
        .policy = pol, .intel = intel, .max_accounts = 100000, .sinks = {sink_finding, NULL, &fb}};
    struct warden_engine *e;
    if (warden_engine_new(&e, &eo, err, sizeof err)) return -1;
    struct warden_lines *lr;
    if (warden_lines_open(&lr, path, 0, err, sizeof err)) return -1;
    char *line;
    size_t len, n = 0;
    uint64_t no;
    bool tl;
    struct warden_event ev;
    double t0 = cpu_now();
    while (warden_lines_next(lr, &line, &len, &no, &tl) == 1)
        if (warden_event_decode(line, len, &ev, why, sizeof why) == 0) {
            warden_engine_process(e, &ev);
            n++;
        }
    warden_engine_drain(e);
    double t = cpu_now() - t0;
    warden_lines_close(lr);
    warden_engine_free(e);
    warden_jbuf_fini(&fb);
    *events = n;
    return n ? t * 1e9 / (double)n : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/tmp/warden_bench_events.jsonl";
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    if (rounds < 1 || rounds > 20) rounds = 3;
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "bench_circumvention: %s not found (run bench_scan first)\n", path);
        return 0;
    }
    char err[512];
    struct warden_policy *on, *off;
    const char *pol_path = bench_find("examples/policy.yaml", NULL);
    if (warden_policy_load(&on, pol_path, err, sizeof err) ||
        warden_policy_load(&off, pol_path, err, sizeof err)) {
        fprintf(stderr, "bench_circumvention: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < sizeof circumvention / sizeof circumvention[0]; i++) {
        int k = warden_detector_index(circumvention[i]);
        if (k >= 0 && (size_t)k < off->n_detectors) off->detector_enabled[k] = false;
    }
    struct warden_intel *intel;
    if (warden_intel_open(&intel, &on->intel, err, sizeof err)) {
        fprintf(stderr, "bench_circumvention: %s\n", err);
        return 1;
    }
    double t_on[20], t_off[20];
    size_t n = 0;
    for (int r = 0; r < rounds; r++) {
        t_off[r] = pass(path, off, intel, &n);
        t_on[r] = pass(path, on, intel, &n);
        printf("round %d: without %.0f ns/event, with %.0f ns/event\n", r + 1, t_off[r], t_on[r]);
    }
    qsort(t_on, (size_t)rounds, sizeof t_on[0], cmp_double);
    qsort(t_off, (size_t)rounds, sizeof t_off[0], cmp_double);
    double a = t_off[rounds / 2], b = t_on[rounds / 2];
    printf("events per pass: %zu\n", n);
    printf("pipeline without circumvention detectors: %8.0f ns/event (median CPU time)\n", a);
    printf("pipeline with circumvention detectors   : %8.0f ns/event\n", b);
    printf("ratio with/without: %.3f (+%.1f %%)\n", b / a, (b / a - 1) * 100);
    warden_intel_free(intel);
    warden_policy_free(on);
    warden_policy_free(off);
    return 0;
}
