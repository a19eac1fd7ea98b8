/* counters.c — the named counter set (see counters.h). */
#include "core/counters.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

void warden_counters_init(struct warden_counters *c)
{
    memset(c, 0, sizeof *c);
}

static int find(const struct warden_counters *c, const char *name)
{
    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) return (int)i;
    return -1;
}

unsigned warden_counter_register(struct warden_counters *c, const char *name, const char *help)
{
    int i = find(c, name);
    if (i >= 0) return (unsigned)i;
    if (c->n == WARDEN_MAX_COUNTERS) {
        warden_err("too many counters (%d): raise WARDEN_MAX_COUNTERS", WARDEN_MAX_COUNTERS);
        abort();
    }
    c->name[c->n] = name;
    c->help[c->n] = help;
    c->v[c->n] = 0;
    return c->n++;
}

uint64_t warden_counter_get(const struct warden_counters *c, const char *name)
{
    int i = find(c, name);
    return i < 0 ? 0 : c->v[i];
}

void warden_counters_merge(struct warden_counters *dst, const struct warden_counters *src)
{
    for (unsigned i = 0; i < src->n; i++) {
        unsigned j = warden_counter_register(dst, src->name[i], src->help[i]);
        dst->v[j] += src->v[i];
    }
}
