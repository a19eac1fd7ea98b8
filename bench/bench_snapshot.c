/* bench_snapshot.c — engine state snapshots at scale: N accounts (default
 * 1,000,000; argv[1]) over 8 shards with every detector the example policy
 * enables (link included), one event each (a prompt, a client address,
 * an API key); then a save to a file (size, seconds), the longest and mean
 * time a shard is held while it is copied (what a request on that shard
 * waits during a background snapshot of `warden serve`), and a load into a
 * fresh runtime (seconds). Baseline: without snapshots a restart starts
 * every account from nothing. Prints figures; never a test. */
#include "bench_common.h"
#include "core/event_decode.h"
#include "runtime/runtime.h"

#include <sys/stat.h>

#define SHARDS 8

static struct warden_runtime *up(size_t accounts)
{
    char err[512];
    const char *pol = bench_find("examples/policy.yaml", NULL);
    struct warden_runtime_conf c = {.policy_path = pol,
                                    .lateness_ms = -1,
                                    .quiet = true,
                                    .max_accounts = accounts / SHARDS + accounts / 64 + 16,
                                    .shards = SHARDS};
    struct warden_runtime *rt = NULL;
    if (warden_runtime_new(&rt, &c, err, sizeof err)) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        exit(1);
    }
    return rt;
}

struct pause {
    double t0, c0, max, sum, cpu_max, cpu_sum;
    int n;
};

/* CPU time of this thread: on a shared machine the wall time of a hold
 * includes waiting for a core. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hold(void *ctx, size_t shard, bool lock)
{
    (void)shard;
    struct pause *p = ctx;
    if (lock) {
        p->t0 = bench_now();
        p->c0 = cpu_now();
        return;
    }
    double d = bench_now() - p->t0, c = cpu_now() - p->c0;
    if (d > p->max) p->max = d;
    if (c > p->cpu_max) p->cpu_max = c;
    p->sum += d;
    p->cpu_sum += c;
    p->n++;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    struct warden_runtime *rt = up(n);
    char line[512], why[256];
    double t0 = bench_now();
    for (int round = 0; round < 1; round++) {
        for (size_t i = 0; i < n; i++) {
            int len = snprintf(line, sizeof line,
                               "{\"ts\":%lld,\"account_id\":\"acct-%zu\",\"ip\":\"81.2.%zu.%zu\","
                               "\"api_key_id\":\"key-%zu\",\"model\":\"m-1\",\"user_agent\":"
                               "\"sdk/1.%d\",\"prompt\":\"Question %zu about item %d\","
                               "\"input_tokens\":50,\"output_tokens\":300}",
                               1795421700000LL + (long long)(round * n + i), i, (i >> 8) & 255,
                               i & 255, i, (int)(i % 7), i, round);
            struct warden_event ev;
            if (warden_event_decode(line, (size_t)len, &ev, why, sizeof why)) {
                fprintf(stderr, "bench_snapshot: %s\n", why);
                return 1;
            }
            warden_runtime_decide(rt, &ev, NULL);
        }
    }
    double tf = bench_now() - t0;
    char path[] = "/tmp/bench_snapshot.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    struct pause p = {0};
    struct warden_runtime_snapinfo info = {.lock_shard = hold, .lock_ctx = &p};
    char err[512];
    t0 = bench_now();
    if (warden_runtime_save_file_ex(rt, path, &info, err, sizeof err)) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        return 1;
    }
    double ts = bench_now() - t0;
    struct stat st;
    stat(path, &st);
    struct warden_runtime *b = up(n);
    struct warden_runtime_snapinfo li = {0};
    t0 = bench_now();
    if (warden_runtime_load_file_ex(b, path, &li, err, sizeof err)) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        return 1;
    }
    double tl = bench_now() - t0;
    printf("accounts %llu (%zu events fed in %.1f s), %d shards, every detector of "
           "examples/policy.yaml\n",
           (unsigned long long)info.accounts, n, tf, SHARDS);
    printf("save (fsync, rename): %.2f s, %.1f MB (%.0f bytes per account)\n", ts,
           (double)st.st_size / 1e6, (double)st.st_size / (double)info.accounts);
    printf("shard held while copied into memory: longest %.0f ms, mean %.0f ms (of %d); CPU "
           "time longest %.0f ms, mean %.0f ms\n",
           p.max * 1e3, p.sum / p.n * 1e3, p.n, p.cpu_max * 1e3, p.cpu_sum / p.n * 1e3);
    printf("load (checksums first, then applied): %.2f s, %llu accounts\n", tl,
           (unsigned long long)li.accounts);
    unlink(path);
    warden_runtime_free(b);
    warden_runtime_free(rt);
    return 0;
}
