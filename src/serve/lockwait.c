/* lockwait.c — shard locks taken with their contention measured, so that
 * /metrics shows how often and how long a decision waited for its shard
 * (another decision on the same shard, /metrics gathering, the cut of a
 * background snapshot). The uncontended path is one trylock: no clock is
 * read unless the lock is held by someone else. */
#include "serve/stats.h"

#include <time.h>

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void warden_serve_stat_max(atomic_uint_fast64_t *max, uint64_t v)
{
    uint_fast64_t cur = atomic_load_explicit(max, memory_order_relaxed);
    while (v > cur && !atomic_compare_exchange_weak_explicit(max, &cur, v, memory_order_relaxed,
                                                             memory_order_relaxed)) {
    }
}

void warden_serve_lock_shard(struct warden_serve_stats *s, pthread_mutex_t *m)
{
    if (pthread_mutex_trylock(m) == 0) return;
    uint64_t t0 = mono_ns();
    pthread_mutex_lock(m);
    if (!s) return;
    uint64_t waited = mono_ns() - t0;
    atomic_fetch_add_explicit(&s->lock_contended, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->lock_wait_ns, waited, memory_order_relaxed);
    warden_serve_stat_max(&s->lock_wait_max_ns, waited);
}
