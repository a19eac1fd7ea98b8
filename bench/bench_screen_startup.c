/* bench_screen_startup.c — how long screening takes to start: the lists
 * loaded from their sources (what `warden scan` does today) next to the same
 * lists mapped from a compiled file (`warden lists build`), with the first
 * screening after each; then `warden scan` on a 1,000-event file with
 * screening on, wall time start-up included, as it runs today and as it will
 * once the scan maps the compiled file (measured as the same scan without
 * screening plus the mapped lists' start-up and the organisations' screening).
 * Usage: bench_screen_startup [WARDEN_BIN]   (scan figures need the binary;
 * default: the build's warden next to this bench) */
#include "bench_common.h"
#include "registry/registry.h"
#include "screen/screen.h"

#include <sys/stat.h>
#include <sys/wait.h>

static double first_screening(const struct warden_screen *s)
{
    double t0 = bench_now();
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_screen_match m[5];
    struct warden_screen_query q = {"Islamic Republic of Iran Shipping Lines", NULL, NULL, NULL};
    warden_screen_name(s, w, &q, m, 5);
    warden_screen_scratch_free(w);
    return bench_now() - t0;
}

/* wall seconds of a shell command, best of 3 (the machine is shared) */
static double timed(const char *cmd)
{
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t0 = bench_now();
        int rc = system(cmd);
        double t = bench_now() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench_screen_startup: '%s' failed\n", cmd);
            return -1;
        }
        if (t < best) best = t;
    }
    return best;
}

static void write_inputs(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/orgs.jsonl", dir);
    FILE *f = fopen(p, "w");
    /* 200 organisations: 2 listed under a variant of their name, the rest clean */
    fprintf(f, "{\"org_id\":\"o0\",\"name\":\"Islamic Republic of Iran Shipping Lines Co.\","
               "\"country\":\"IR\"}\n");
    fprintf(f, "{\"org_id\":\"o1\",\"name\":\"NITC\",\"country\":\"IR\"}\n");
    for (int i = 2; i < 200; i++)
        fprintf(
            f, "{\"org_id\":\"o%d\",\"name\":\"Northwind Analytics %d GmbH\",\"country\":\"DE\"}\n",
            i, i);
    fclose(f);
    snprintf(p, sizeof p, "%s/accounts.jsonl", dir);
    f = fopen(p, "w");
    for (int i = 0; i < 200; i++)
        fprintf(f, "{\"account_id\":\"a%d\",\"org_id\":\"o%d\",\"billing_country\":\"DE\"}\n", i,
                i);
    fclose(f);
    snprintf(p, sizeof p, "%s/events.jsonl", dir);
    f = fopen(p, "w");
    for (int i = 0; i < 1000; i++)
        fprintf(
            f,
            "{\"ts\":\"2026-11-23T08:%02d:%02dZ\",\"account_id\":\"a%d\",\"ip\":\"81.2.69.%d\"}\n",
            i / 60 % 60, i % 60, i % 200, i % 250 + 1);
    fclose(f);
    snprintf(p, sizeof p, "%s/on.yaml", dir);
    f = fopen(p, "w");
    fprintf(f, "rules:\n  - code: \"screen.*\"\n    min_score: 0.6\n    action: block\n");
    fclose(f);
    snprintf(p, sizeof p, "%s/off.yaml", dir);
    f = fopen(p, "w");
    fprintf(f, "rules:\n  - code: \"screen.*\"\n    min_score: 0.6\n    action: block\n"
               "screen:\n  enabled: false\n");
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *data = warden_screen_default_data_dir();
    char manifest[1024], ndir[1024], err[512], tmp[] = "/tmp/bench_startup.XXXXXX";
    if (!mkdtemp(tmp)) return 1;
    snprintf(manifest, sizeof manifest, "%s/lists/lists.tsv", data);
    snprintf(ndir, sizeof ndir, "%s/screen", data);
    char compiled[1100];
    snprintf(compiled, sizeof compiled, "%s/lists.wsl", tmp);

    double t0 = bench_now();
    struct warden_screen *s;
    if (warden_screen_load(&s, manifest, ndir, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "bench_screen_startup: %s\n", err);
        return 1;
    }
    double load = bench_now() - t0, load_first = first_screening(s);
    t0 = bench_now();
    if (warden_screen_save(s, compiled, err, sizeof err) < 0) {
        fprintf(stderr, "bench_screen_startup: %s\n", err);
        return 1;
    }
    double save = bench_now() - t0;
    warden_screen_free(s);
    double map = 1e9, map_first = 0;
    for (int i = 0; i < 5; i++) { /* best of 5 */
        t0 = bench_now();
        if (warden_screen_map(&s, compiled, NULL, err, sizeof err) < 0) {
            fprintf(stderr, "bench_screen_startup: %s\n", err);
            return 1;
        }
        double t = bench_now() - t0, f = first_screening(s);
        if (t + f < map + map_first) map = t, map_first = f;
        if (i < 4) warden_screen_free(s);
    }
    struct stat st;
    stat(compiled, &st);
    printf("lists from sources:  %.3f s to load + %.1f ms to the first screening\n", load,
           1e3 * load_first);
    printf("lists compiled:      %.1f ms to map and check + %.1f ms to the first screening "
           "(file %.1f MB, written in %.2f s); start-up x%.0f faster\n",
           1e3 * map, 1e3 * map_first, (double)st.st_size / 1e6, save,
           (load + load_first) / (map + map_first));

    /* warden scan on 1,000 events with screening on */
    char bin[1100];
    snprintf(bin, sizeof bin, "%s", argc > 1 ? argv[1] : "");
    if (!*bin) {
        snprintf(bin, sizeof bin, "%s", argv[0]);
        char *slash = strrchr(bin, '/');
        if (slash) snprintf(slash, sizeof bin - (size_t)(slash - bin), "/../warden");
    }
    if (access(bin, X_OK) != 0) {
        printf("warden scan: no binary at %s (give it as the argument)\n", bin);
        warden_screen_free(s);
        return 0;
    }
    write_inputs(tmp);
    char cmd[4096], a[2048];
    snprintf(a, sizeof a,
             "--quiet --accounts %s/accounts.jsonl --orgs %s/orgs.jsonl --out %s/out "
             "%s/events.jsonl",
             tmp, tmp, tmp, tmp);
    snprintf(cmd, sizeof cmd, "'%s' scan --policy %s/on.yaml %s >/dev/null 2>&1", bin, tmp, a);
    double today = timed(cmd);
    /* the IP table compiled too (warden intel build), as a fast start needs */
    snprintf(cmd, sizeof cmd, "'%s' intel build --out %s/intel.table >/dev/null 2>&1", bin, tmp);
    if (system(cmd) != 0) fprintf(stderr, "bench_screen_startup: intel build failed\n");
    char pol[1100];
    snprintf(pol, sizeof pol, "%s/on.yaml", tmp);
    FILE *f = fopen(pol, "a");
    fprintf(f, "intel:\n  table: %s/intel.table\n", tmp);
    fclose(f);
    snprintf(pol, sizeof pol, "%s/off.yaml", tmp);
    f = fopen(pol, "a");
    fprintf(f, "intel:\n  table: %s/intel.table\n", tmp);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' scan --policy %s/on.yaml %s >/dev/null 2>&1", bin, tmp, a);
    double intel_only = timed(cmd);
    snprintf(cmd, sizeof cmd, "'%s' scan --policy %s/off.yaml %s >/dev/null 2>&1", bin, tmp, a);
    double noscreen = timed(cmd);
    /* what the scan adds for screening with the compiled file: map + screen the orgs */
    char o[1100], ac[1100];
    snprintf(o, sizeof o, "%s/orgs.jsonl", tmp);
    snprintf(ac, sizeof ac, "%s/accounts.jsonl", tmp);
    struct warden_registry *reg;
    if (warden_registry_load(&reg, ac, o, err, sizeof err) != 0) {
        fprintf(stderr, "bench_screen_startup: %s\n", err);
        return 1;
    }
    warden_screen_free(s);
    t0 = bench_now();
    warden_screen_map(&s, compiled, NULL, err, sizeof err);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_screen_ownership *own = NULL;
    warden_screen_orgs(s, w, warden_registry_org_at(reg, 0), warden_registry_n_orgs(reg), &own);
    double screened = bench_now() - t0;
    size_t restricted = 0;
    for (size_t i = 0; i < warden_registry_n_orgs(reg); i++)
        restricted += warden_screen_ownership_at(own, i)->restricted;
    printf("warden scan, 1,000 events, 200 organisations, screening on (wall, start-up "
           "included, best of 3):\n");
    printf("  today (IP table and lists from sources):   %.3f s\n", today);
    printf("  IP table compiled, lists from sources:     %.3f s\n", intel_only);
    printf("  IP table and lists compiled:               %.3f s = %.3f s scan without screening "
           "+ %.3f s to map the lists and screen %zu organisations (%zu restricted)\n",
           noscreen + screened, noscreen, screened, warden_registry_n_orgs(reg), restricted);
    warden_screen_ownership_free(own);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    warden_registry_free(reg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) return 1;
    return 0;
}
