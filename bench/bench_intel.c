/* bench_intel.c — IP lookups: Warden's compiled table against libloc.
 *
 * Builds the table from the default sources (libloc database + shipped
 * lists), then looks up the same random addresses with warden_intel_lookup
 * and with loc_database_lookup in the same run and prints both rates and
 * their ratio (target: >= 20x). Also prints the build time, the table's
 * memory, and the time to save it and to map it back (what a server pays at
 * start-up with `table:`). Figures only; nothing is asserted. */
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "intel/intel.h"

#define N_ADDR 500000
#define WARDEN_REPS 10 /* passes over the addresses; the fastest counts */
#define LIBLOC_REPS 3

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Rates are the best of several passes over the same addresses: the machine
 * is shared, and the fastest pass is the one least disturbed by others. */
static void run(const char *label, struct warden_intel *in, struct loc_database *db,
                const struct warden_ip *addrs, size_t n)
{
    uint64_t sink = 0;
    double tw = 1e9, tl = 1e9;
    for (int p = 0; p < WARDEN_REPS; p++) {
        double t0 = now();
        for (size_t i = 0; i < n; i++) sink += warden_intel_lookup(in, &addrs[i])->asn;
        double t = now() - t0;
        if (t < tw) tw = t;
    }
    size_t found = 0;
    for (int p = 0; p < LIBLOC_REPS; p++) {
        double t0 = now();
        found = 0;
        for (size_t i = 0; i < n; i++) {
            struct loc_network *net = NULL;
            if (loc_database_lookup(db, (const struct in6_addr *)addrs[i].b, &net) == 0 && net) {
                sink += loc_network_get_asn(net);
                found++;
                loc_network_unref(net);
            }
        }
        double t = now() - t0;
        if (t < tl) tl = t;
    }
    double rw = (double)n / tw, rl = (double)n / tl;
    printf("%-5s warden %6.1f M lookups/s (%5.1f ns)   libloc %5.2f M lookups/s (%6.1f ns)   "
           "ratio %.0fx   [%zu/%zu known to libloc; sink %llu]\n",
           label, rw / 1e6, 1e9 / rw, rl / 1e6, 1e9 / rl, rw / rl, found, n,
           (unsigned long long)(sink & 0xff));
}

int main(void)
{
    struct warden_intel_conf conf;
    warden_conf_defaults(warden_intel_conf_table, &conf);
    struct warden_intel *in = NULL;
    char err[512];
    if (warden_intel_open(&in, &conf, err, sizeof err)) {
        fprintf(stderr, "bench_intel: %s\n", err);
        return 1;
    }
    struct warden_intel_stats st;
    warden_intel_get_stats(in, &st);
    printf("build (libloc + %zu lists + %zu ASN lists): %.2f s, %zu+%zu prefixes, %zu records, "
           "%zu+%zu nodes, %.1f MB\n",
           conf.lists.n, conf.asn_lists.n, st.load_seconds, st.v4_prefixes, st.v6_prefixes,
           st.records, st.v4_nodes, st.v6_nodes, (double)st.memory_bytes / 1e6);

    char path[] = "/tmp/bench_intel.XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        double t0 = now();
        if (warden_intel_save(in, path, err, sizeof err) == 0) {
            double ts = now() - t0;
            struct warden_intel *m = NULL;
            t0 = now();
            int rc = warden_intel_map(&m, path, err, sizeof err);
            double tm = now() - t0;
            if (rc == 0) printf("save %.3f s; map (checksum + validation) %.4f s\n", ts, tm);
            warden_intel_free(m);
        }
        unlink(path);
    }

    struct loc_ctx *ctx;
    struct loc_database *db;
    FILE *f = conf.locdb ? fopen(conf.locdb, "r") : NULL;
    if (!f || loc_new(&ctx) || loc_database_new(ctx, &db, f)) {
        fprintf(stderr, "bench_intel: cannot open libloc database %s\n",
                conf.locdb ? conf.locdb : "(none)");
        return 1;
    }
    loc_set_log_priority(ctx, LOG_ERR);

    struct warden_ip *addrs = malloc(N_ADDR * sizeof *addrs);
    for (size_t i = 0; i < N_ADDR; i++) warden_ip_from_v4(&addrs[i], (uint32_t)(next() >> 32));
    run("IPv4", in, db, addrs, N_ADDR);
    for (size_t i = 0; i < N_ADDR; i++) {
        uint64_t hi = next(), lo = next();
        for (int k = 0; k < 8; k++) {
            addrs[i].b[k] = (uint8_t)(hi >> (56 - 8 * k));
            addrs[i].b[8 + k] = (uint8_t)(lo >> (56 - 8 * k));
        }
        /* allocated space, mostly in the RIR blocks 2001::/16 and 2[4-c]00::/12 */
        static const uint8_t tops[] = {0x20, 0x24, 0x26, 0x28, 0x2a, 0x2c};
        addrs[i].b[0] = tops[i % sizeof tops];
        if (addrs[i].b[0] == 0x20)
            addrs[i].b[1] = 0x01;
        else
            addrs[i].b[1] &= 0x0f;
    }
    run("IPv6", in, db, addrs, N_ADDR);
    free(addrs);
    loc_database_unref(db);
    loc_unref(ctx);
    fclose(f);
    warden_intel_free(in);
    warden_conf_fini(warden_intel_conf_table, &conf);
    return 0;
}
