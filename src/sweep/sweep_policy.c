/* sweep_policy.c — load and apply the sweep policy (see sweep_policy.h). */
#include "sweep/sweep_policy.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/yamldoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *warden_sweep_status_name(enum warden_sweep_status s)
{
    switch (s) {
    case WARDEN_SWEEP_BANNED:
        return "banned";
    case WARDEN_SWEEP_ALLOWED:
        return "allowed";
    default:
        return "reported";
    }
}

static int parse_int(struct warden_sweep_ydoc *d, yaml_node_t *n, int lo, int hi, int *out)
{
    const char *s = warden_sweep_ydoc_str(n);
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || v < lo || v > hi)
        return warden_sweep_ydoc_fail(d, n, "expected a whole number between %d and %d", lo, hi);
    *out = (int)v;
    return 0;
}

int warden_sweep_policy_load(struct warden_sweep_policy **out, const char *path, char *err,
                             size_t errlen)
{
    struct warden_sweep_policy *p = warden_xcalloc(1, sizeof *p);
    p->os = warden_xstrdup("linux");
    p->unlisted = WARDEN_SWEEP_BANNED;
    p->max_age_days = WARDEN_SWEEP_MAX_AGE_DAYS;
    *out = NULL;
    if (!path) {
        *out = p;
        return 0;
    }
    p->path = warden_xstrdup(path);
    p->unlisted = WARDEN_SWEEP_REPORTED;
    struct warden_sweep_ydoc d;
    int rc = warden_sweep_ydoc_load(&d, path, err, errlen);
    if (rc) {
        warden_sweep_policy_free(p);
        return rc;
    }
    yaml_node_t *root = warden_sweep_ydoc_root(&d);
    static const char *const top[] = {"sweep", NULL};
    static const char *const keys[] = {"catalogue", "os",           "banned",
                                       "allowed",   "unlisted",     "max_depth",
                                       "threads",   "max_age_days", NULL};
    yaml_node_t *s = NULL;
    if ((rc = warden_sweep_ydoc_keys(&d, root, top))) goto out;
    s = warden_sweep_ydoc_get(&d, root, "sweep");
    if ((rc = warden_sweep_ydoc_keys(&d, s, keys))) goto out;
    const char *v = warden_sweep_ydoc_str(warden_sweep_ydoc_get(&d, s, "catalogue"));
    if (v && *v && strcmp(v, "null") != 0 && strcmp(v, "~") != 0) p->catalogue = warden_xstrdup(v);
    yaml_node_t *n = warden_sweep_ydoc_get(&d, s, "os");
    if (n) {
        v = warden_sweep_ydoc_str(n);
        if (!v || (strcmp(v, "linux") && strcmp(v, "macos") && strcmp(v, "windows"))) {
            rc = warden_sweep_ydoc_fail(&d, n, "os must be linux, macos or windows");
            goto out;
        }
        free(p->os);
        p->os = warden_xstrdup(v);
    }
    if ((rc = warden_sweep_ydoc_strlist(&d, warden_sweep_ydoc_get(&d, s, "banned"), &p->banned)) ||
        (rc = warden_sweep_ydoc_strlist(&d, warden_sweep_ydoc_get(&d, s, "allowed"), &p->allowed)))
        goto out;
    for (size_t i = 0; i < p->banned.n; i++)
        if (warden_sweep_strlist_has(&p->allowed, p->banned.v[i])) {
            rc = warden_sweep_ydoc_fail(&d, s, "tool '%s' is both banned and allowed",
                                        p->banned.v[i]);
            goto out;
        }
    n = warden_sweep_ydoc_get(&d, s, "unlisted");
    if (n) {
        v = warden_sweep_ydoc_str(n);
        if (v && strcmp(v, "banned") == 0)
            p->unlisted = WARDEN_SWEEP_BANNED;
        else if (v && strcmp(v, "allowed") == 0)
            p->unlisted = WARDEN_SWEEP_ALLOWED;
        else if (v && strcmp(v, "reported") == 0)
            p->unlisted = WARDEN_SWEEP_REPORTED;
        else {
            rc = warden_sweep_ydoc_fail(&d, n, "unlisted must be banned, allowed or reported");
            goto out;
        }
    }
    if ((n = warden_sweep_ydoc_get(&d, s, "max_depth")) &&
        (rc = parse_int(&d, n, 0, 4096, &p->max_depth)))
        goto out;
    if ((n = warden_sweep_ydoc_get(&d, s, "threads")) &&
        (rc = parse_int(&d, n, 0, 256, &p->threads)))
        goto out;
    int age = 0;
    if ((n = warden_sweep_ydoc_get(&d, s, "max_age_days"))) {
        if ((rc = parse_int(&d, n, 0, 3650, &age))) goto out;
        p->max_age_days = age;
    }
out:
    warden_sweep_ydoc_fini(&d);
    if (rc) {
        warden_sweep_policy_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int warden_sweep_policy_check(const struct warden_sweep_policy *p,
                              const struct warden_sweep_catalogue *c, char *err, size_t errlen)
{
    const struct warden_strlist *ls[2] = {&p->banned, &p->allowed};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < ls[k]->n; i++)
            if (warden_sweep_catalogue_find(c, ls[k]->v[i]) < 0) {
                snprintf(err, errlen, "%s: %s tool '%s' is not in the catalogue %s",
                         p->path ? p->path : "policy", k ? "allowed" : "banned", ls[k]->v[i],
                         c->path);
                return WARDEN_ECONFIG;
            }
    return 0;
}

enum warden_sweep_status warden_sweep_policy_status(const struct warden_sweep_policy *p,
                                                    const char *tool_id)
{
    if (warden_sweep_strlist_has(&p->banned, tool_id)) return WARDEN_SWEEP_BANNED;
    if (warden_sweep_strlist_has(&p->allowed, tool_id)) return WARDEN_SWEEP_ALLOWED;
    return p->unlisted;
}

void warden_sweep_policy_free(struct warden_sweep_policy *p)
{
    if (!p) return;
    free(p->path);
    free(p->catalogue);
    free(p->os);
    warden_sweep_strlist_free(&p->banned);
    warden_sweep_strlist_free(&p->allowed);
    free(p);
}
