/* orgs_file.c — a small orgs.jsonl reader (formats.md §3) for `warden screen
 * --batch` and the tests, producing struct warden_org arrays exactly as the
 * registry does, so screening plugs into the registry unchanged. A bad line is
 * reported as FILE:LINE: reason and skipped. */
#include "screen/orgs_file.h"

#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char *opt_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? warden_xstrdup(json_string_value(v)) : NULL;
}

/* A share is a percentage: outside 0-100 (1e300, -5, 110) the line is a
 * reject, as in the registry (formats.md §3), never a weight that could push
 * an aggregate past 100. */
static bool bad_share(json_t *owners, char *why, size_t wl)
{
    size_t i;
    json_t *x;
    json_array_foreach(owners, i, x)
    {
        json_t *sh = json_object_get(x, "share");
        if (!json_is_number(sh)) continue; /* warned about and ignored below */
        double v = json_number_value(sh);
        if (!(v >= 0 && v <= 100)) {
            snprintf(why, wl, "field 'owners': item %zu share %g is not within 0..100", i, v);
            return true;
        }
    }
    return false;
}

int warden_orgs_file_read(const char *path, struct warden_org **out, size_t *n_out, char *err,
                          size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    struct warden_org *v = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    long ln = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        ln++;
        if (len <= 1) continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        const char *id = json_string_value(json_object_get(o, "org_id"));
        const char *name = json_string_value(json_object_get(o, "name"));
        if (!json_is_object(o) || !id || !name) {
            warden_warn("%s:%ld: %s; skipped", path, ln,
                        o ? "an organisation needs string org_id and name" : je.text);
            json_decref(o);
            continue;
        }
        char why[128];
        if (bad_share(json_object_get(o, "owners"), why, sizeof why)) {
            warden_warn("%s:%ld: %s; skipped", path, ln, why);
            json_decref(o);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            v = warden_xrealloc(v, cap * sizeof *v);
        }
        struct warden_org *g = &v[n++];
        memset(g, 0, sizeof *g);
        g->org_id = warden_xstrdup(id);
        g->name = warden_xstrdup(name);
        const char *cc = json_string_value(json_object_get(o, "country"));
        if (cc && strlen(cc) == 2) memcpy(g->country, cc, 3);
        g->domain = opt_str(o, "domain");
        g->address = opt_str(o, "address");
        json_t *al = json_object_get(o, "aliases"), *x;
        size_t i;
        if (json_is_array(al)) {
            g->aliases = warden_xcalloc(json_array_size(al) + 1, sizeof *g->aliases);
            json_array_foreach(al, i, x) if (json_is_string(x)) g->aliases[g->n_aliases++] =
                warden_xstrdup(json_string_value(x));
        }
        json_t *ow = json_object_get(o, "owners");
        if (json_is_array(ow)) {
            g->owners = warden_xcalloc(json_array_size(ow) + 1, sizeof *g->owners);
            json_array_foreach(ow, i, x)
            {
                json_t *sh = json_object_get(x, "share");
                if (!json_is_object(x) || !json_is_number(sh)) {
                    warden_warn("%s:%ld: owner %zu needs a numeric share; ignored", path, ln, i);
                    continue;
                }
                struct warden_owner *w = &g->owners[g->n_owners++];
                w->org_id = opt_str(x, "org_id");
                w->name = opt_str(x, "name");
                w->share = json_number_value(sh);
            }
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    *out = v;
    *n_out = n;
    return 0;
}

void warden_orgs_file_free(struct warden_org *orgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct warden_org *g = &orgs[i];
        free(g->org_id);
        free(g->name);
        free(g->domain);
        free(g->address);
        for (size_t a = 0; a < g->n_aliases; a++) free(g->aliases[a]);
        free(g->aliases);
        for (size_t k = 0; k < g->n_owners; k++) {
            free(g->owners[k].org_id);
            free(g->owners[k].name);
        }
        free(g->owners);
    }
    free(orgs);
}
