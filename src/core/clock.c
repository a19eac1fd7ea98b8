/* clock.c — CLOCK_MONOTONIC as seconds (see clock.h). */
#include "core/clock.h"

#include <time.h>

double warden_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
