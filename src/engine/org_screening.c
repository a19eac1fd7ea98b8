/* org_screening.c — per-organisation screening verdicts for the engine. */
#include "engine/org_screening.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct warden_org_screening {
    const struct warden_registry *reg;
    const struct warden_org *base;
    size_t n;
    struct warden_org_screen **by_org; /* index in the registry's org array */
    size_t restricted;
};

/* Confidence of a restriction: the list match itself, or for an owned
 * organisation the weakest match among the owners that make it restricted. */
static double chain_score(const struct warden_screen_ownership *o, size_t i, int depth)
{
    const struct warden_screen_verdict *v = warden_screen_ownership_at(o, i);
    if (v->has_match) return v->match.score;
    if (v->domain_entity) return 1.0; /* its own domain is on a list */
    if (depth > 64 || v->n_contribs == 0) return 1.0;
    double worst = 1.0;
    for (size_t k = 0; k < v->n_contribs; k++) {
        double s = chain_score(o, (size_t)v->contribs[k].owner, depth + 1);
        if (s < worst) worst = s;
    }
    return worst;
}

int warden_org_screening_build(struct warden_org_screening **out, const struct warden_screen *s,
                               const struct warden_registry *reg, char *err, size_t errlen)
{
    struct warden_org_screening *os = warden_xcalloc(1, sizeof *os);
    os->reg = reg;
    os->n = warden_registry_n_orgs(reg);
    os->base = os->n ? warden_registry_org_at(reg, 0) : NULL;
    os->by_org = warden_xcalloc(os->n + 1, sizeof *os->by_org);
    if (os->n == 0) {
        *out = os;
        return 0;
    }
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_screen_ownership *own = NULL;
    int rc = warden_screen_orgs(s, w, os->base, os->n, &own);
    if (rc) {
        snprintf(err, errlen, "screening organisations failed: %s", warden_strerror(rc));
        warden_screen_scratch_free(w);
        warden_org_screening_free(os);
        return rc;
    }
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    for (size_t i = 0; i < os->n; i++) {
        const struct warden_screen_verdict *v = warden_screen_ownership_at(own, i);
        if (!v->restricted) continue;
        struct warden_org_screen *r = warden_xcalloc(1, sizeof *r);
        r->code = warden_screen_reason_code(v->reason);
        r->score = chain_score(own, i, 0);
        warden_jbuf_reset(&b);
        warden_screen_verdict_json(s, own, i, &b);
        r->evidence_json = warden_xstrdup(warden_jbuf_str(&b));
        os->by_org[i] = r;
        os->restricted++;
    }
    warden_jbuf_fini(&b);
    warden_screen_ownership_free(own);
    warden_screen_scratch_free(w);
    *out = os;
    return 0;
}

void warden_org_screening_free(struct warden_org_screening *os)
{
    if (!os) return;
    for (size_t i = 0; i < os->n; i++) {
        if (!os->by_org[i]) continue;
        free(os->by_org[i]->evidence_json);
        free(os->by_org[i]);
    }
    free(os->by_org);
    free(os);
}

const struct warden_org_screen *warden_org_screening_get(const struct warden_org_screening *os,
                                                         const struct warden_org *org)
{
    if (!os || !org || !os->base || org < os->base || org >= os->base + os->n) return NULL;
    return os->by_org[org - os->base];
}

size_t warden_org_screening_restricted(const struct warden_org_screening *os)
{
    return os ? os->restricted : 0;
}
