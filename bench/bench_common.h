/* bench_common.h — helpers shared by the benchmark programs: timing and
 * locating the project's data directory (or ../shared/data beside it). */
#ifndef WARDEN_BENCH_COMMON_H
#define WARDEN_BENCH_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* First existing of $WARDEN_SRC/REL, SOURCE/REL, SOURCE/../shared/REL2; NULL if none. */
static inline char *bench_find(const char *rel, const char *shared_rel)
{
    static char buf[4096];
    const char *src = getenv("WARDEN_SRC") ? getenv("WARDEN_SRC") : WARDEN_SOURCE_DIR;
    if (rel) {
        snprintf(buf, sizeof buf, "%s/%s", src, rel);
        if (access(buf, R_OK) == 0) return buf;
    }
    if (shared_rel) {
        snprintf(buf, sizeof buf, "%s/../shared/%s", src, shared_rel);
        if (access(buf, R_OK) == 0) return buf;
    }
    return NULL;
}

#endif
