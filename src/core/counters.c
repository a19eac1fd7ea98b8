/* counters.c — the named counter set (see counters.h). */
#include "core/counters.h"
#include "core/log.h"

#include <inttypes.h>
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

void warden_counters_prometheus(FILE *out, const struct warden_counters *c)
{
    char name[160];
    for (unsigned i = 0; i < c->n; i++) {
        size_t j = 0;
        for (const char *p = c->name[i]; *p && j + 1 < sizeof name; p++)
            name[j++] =
                (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
                    ? *p
                    : '_';
        name[j] = '\0';
        fprintf(out, "# HELP warden_%s_total %s\n# TYPE warden_%s_total counter\n", name,
                c->help[i] ? c->help[i] : c->name[i], name);
        fprintf(out, "warden_%s_total %" PRIu64 "\n", name, c->v[i]);
    }
}
