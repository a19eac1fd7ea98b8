/* bench_sweep.c — files per second of `warden sweep` against find(1).
 *
 * Generates (once; reused when present) a tree of N empty files (default
 * 1,000,000) spread over 10 x 10 x 100 directories with a few real-looking
 * footprints, then times, on the same warm tree, `find DIR -type f | wc -l`
 * and a full in-process sweep (walk + catalogue matching + verification), best
 * of three runs each, and prints both rates and their ratio. Not a test: it
 * asserts nothing about timings. A tree this run created is removed at the
 * end unless WARDEN_BENCH_KEEP=1 (then later runs reuse it).
 *
 *   bench_sweep [DIR] [FILES] [THREADS]  (defaults: /tmp/warden-bench-sweep,
 *                                         1000000, 0 = two per CPU) */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "sweep/catalogue.h"
#include "sweep/scan.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void mkdir_or_die(const char *p)
{
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        perror(p);
        exit(1);
    }
}

static void generate(const char *dir, long files)
{
    char stamp[4096];
    snprintf(stamp, sizeof stamp, "%s/.generated-%ld", dir, files);
    if (access(stamp, F_OK) == 0) return;
    fprintf(stderr, "generating %ld files under %s ...\n", files, dir);
    mkdir_or_die(dir);
    char p[4096];
    snprintf(p, sizeof p, "%s/home", dir);
    mkdir_or_die(p);
    long leaves = 10 * 10 * 100, per = files / leaves, made = 0;
    for (int a = 0; a < 10; a++)
        for (int b = 0; b < 10; b++)
            for (int c = 0; c < 100; c++) {
                snprintf(p, sizeof p, "%s/home/u%d", dir, a);
                mkdir_or_die(p);
                snprintf(p, sizeof p, "%s/home/u%d/p%d", dir, a, b);
                mkdir_or_die(p);
                snprintf(p, sizeof p, "%s/home/u%d/p%d/d%d", dir, a, b, c);
                mkdir_or_die(p);
                int dfd = open(p, O_RDONLY | O_DIRECTORY);
                long n = per + ((long)(a * 1000 + b * 100 + c) < files % leaves ? 1 : 0);
                for (long i = 0; i < n; i++) {
                    char nm[32];
                    snprintf(nm, sizeof nm, "f%ld.txt", i);
                    int fd = openat(dfd, nm, O_WRONLY | O_CREAT, 0644);
                    if (fd < 0) {
                        perror(nm);
                        exit(1);
                    }
                    close(fd);
                    made++;
                }
                close(dfd);
            }
    /* a few footprints, so that matching and verification run too */
    snprintf(p, sizeof p, "%s/home/u1/.claude", dir);
    mkdir_or_die(p);
    snprintf(p, sizeof p, "%s/home/u1/.claude.json", dir);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) close(fd);
    fd = open(stamp, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) close(fd);
    fprintf(stderr, "generated %ld files\n", made + 1);
}

static double run_find(const char *dir, long *count)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "find '%s' -type f | wc -l", dir);
    double t0 = now();
    FILE *p = popen(cmd, "r");
    if (!p || fscanf(p, "%ld", count) != 1) *count = -1;
    if (p) pclose(p);
    return now() - t0;
}

static int threads;

static double run_sweep(const struct warden_sweep_catalogue *c, const char *dir, long *count,
                        size_t *found)
{
    struct warden_sweep_opts o = {.root = dir, .threads = threads};
    struct warden_sweep_result *r;
    char err[512];
    double t0 = now();
    if (warden_sweep_run(c, &o, &r, err, sizeof err) != 0) {
        fprintf(stderr, "sweep: %s\n", err);
        exit(1);
    }
    double t = now() - t0;
    *count = (long)r->walk.files;
    *found = r->n_items;
    warden_sweep_result_free(r);
    return t;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp/warden-bench-sweep";
    long files = argc > 2 ? atol(argv[2]) : 1000000;
    threads = argc > 3 ? atoi(argv[3]) : 0;
    bool created = access(dir, F_OK) != 0;
    generate(dir, files);
    struct warden_sweep_catalogue *c;
    char err[512];
    if (warden_sweep_catalogue_load(&c, NULL, "linux", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long nf = 0, ns = 0;
    size_t found = 0;
    run_find(dir, &nf); /* warm the caches */
    double bf = 1e9, bs = 1e9;
    for (int i = 0; i < 3; i++) {
        double tf = run_find(dir, &nf);
        double ts = run_sweep(c, dir, &ns, &found);
        if (tf < bf) bf = tf;
        if (ts < bs) bs = ts;
    }
    printf("tree: %s (%ld files by find, %ld by the sweep walk, %zu findings)\n", dir, nf, ns,
           found);
    printf("find -type f | wc -l : %8.3f s  %12.0f files/s\n", bf, (double)nf / bf);
    char th[16];
    if (threads)
        snprintf(th, sizeof th, "%d", threads);
    else
        snprintf(th, sizeof th, "auto");
    printf("warden sweep (%-4s)  : %8.3f s  %12.0f files/s\n", th, bs, (double)ns / bs);
    printf("ratio sweep/find     : %8.2fx\n", ((double)ns / bs) / ((double)nf / bf));
    warden_sweep_catalogue_free(c);
    const char *keep = getenv("WARDEN_BENCH_KEEP");
    if (created && !(keep && strcmp(keep, "1") == 0)) {
        char *cmd = warden_xasprintf("rm -rf '%s'", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
        free(cmd);
    }
    return 0;
}
