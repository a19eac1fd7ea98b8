/* counters.h — named counters, registered once and incremented by id.
 *
 * A component registers each counter by dotted name at start-up
 * ("engine.events", "runtime.late") and keeps the id; the hot path then
 * increments an array slot, with no lookup and no lock (a counter set
 * belongs to one worker). The end-of-run summary and, later, /metrics read
 * the same set by name, summing the sets of several workers. Registering a
 * name twice returns the same id. */
#ifndef WARDEN_CORE_COUNTERS_H
#define WARDEN_CORE_COUNTERS_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WARDEN_MAX_COUNTERS 64

struct warden_counters {
    uint64_t v[WARDEN_MAX_COUNTERS];
    const char *name[WARDEN_MAX_COUNTERS]; /* static strings */
    const char *help[WARDEN_MAX_COUNTERS];
    unsigned n;
};

void warden_counters_init(struct warden_counters *c);
/* Register (or find) a counter; name and help must outlive the set. Aborts
 * when more than WARDEN_MAX_COUNTERS are registered (a programming error). */
unsigned warden_counter_register(struct warden_counters *c, const char *name, const char *help);
static inline void warden_counter_add(struct warden_counters *c, unsigned id, uint64_t n)
{
    c->v[id] += n;
}
static inline void warden_counter_inc(struct warden_counters *c, unsigned id)
{
    c->v[id]++;
}
/* Value by name (0 when not registered). */
uint64_t warden_counter_get(const struct warden_counters *c, const char *name);
/* Add every counter of src into dst by name (registering what dst lacks). */
void warden_counters_merge(struct warden_counters *dst, const struct warden_counters *src);
/* Every counter as a Prometheus counter (text exposition 0.0.4), named
 * warden_NAME_total with the dots of NAME as underscores
 * ("engine.events" -> warden_engine_events_total), its help as HELP. */
void warden_counters_prometheus(FILE *out, const struct warden_counters *c);

#endif
