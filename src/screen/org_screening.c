/* org_screening.c — per-organisation screening verdicts for the engine. */
#include "screen/org_screening.h"
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
    size_t restricted, possible;
    const struct warden_account *abase;
    size_t na;
    struct warden_org_screen **by_account; /* index in the registry's account array */
    size_t domain_hits;
};

#define DOMAIN_SCORE 0.95 /* a listed party's own web or e-mail domain */

/* Screen every account's e-mail domain against the domains on the lists. */
static void screen_account_domains(struct warden_org_screening *os, const struct warden_screen *s)
{
    os->na = warden_registry_n_accounts(os->reg);
    os->abase = os->na ? warden_registry_account_at(os->reg, 0) : NULL;
    os->by_account = warden_xcalloc(os->na + 1, sizeof *os->by_account);
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    for (size_t i = 0; i < os->na; i++) {
        const struct warden_account *a = &os->abase[i];
        if (!a->email_domain || !*a->email_domain) continue;
        const struct warden_screen_entity *hit[4];
        int n = warden_screen_domain(s, a->email_domain, hit, 4);
        if (n <= 0) continue;
        warden_jbuf_reset(&b);
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "email_domain", a->email_domain);
        warden_jbuf_key(&b, "listed");
        warden_jbuf_arr_open(&b);
        for (int k = 0; k < n; k++) {
            warden_jbuf_obj_open(&b);
            warden_jbuf_kv_str(&b, "list", hit[k]->list);
            warden_jbuf_kv_str(&b, "source_id", hit[k]->source_id);
            warden_jbuf_kv_str(&b, "program", hit[k]->program);
            warden_jbuf_kv_str(&b, "name",
                               hit[k]->n_names ? warden_screen_entity_name(s, hit[k], 0) : "");
            warden_jbuf_obj_close(&b);
        }
        warden_jbuf_arr_close(&b);
        warden_jbuf_obj_close(&b);
        struct warden_org_screen *r = warden_xcalloc(1, sizeof *r);
        r->code = "screen.domain_listed";
        r->score = DOMAIN_SCORE;
        r->evidence_json = warden_xstrdup(warden_jbuf_str(&b));
        os->by_account[i] = r;
        os->domain_hits++;
    }
    warden_jbuf_fini(&b);
}

int warden_org_screening_build(struct warden_org_screening **out, const struct warden_screen *s,
                               const struct warden_registry *reg, char *err, size_t errlen)
{
    struct warden_org_screening *os = warden_xcalloc(1, sizeof *os);
    os->reg = reg;
    os->n = warden_registry_n_orgs(reg);
    os->base = os->n ? warden_registry_org_at(reg, 0) : NULL;
    os->by_org = warden_xcalloc(os->n + 1, sizeof *os->by_org);
    screen_account_domains(os, s);
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
        if (!v->restricted && !v->has_possible && !v->possibly_owned) continue;
        struct warden_org_screen *r = warden_xcalloc(1, sizeof *r);
        r->code = warden_screen_verdict_code(v);
        /* for review: a possible match's score, or the chain's weakest link
         * (a possible match's): below match_threshold */
        r->score = v->restricted || v->possibly_owned ? warden_screen_ownership_score(own, i)
                   : v->review_program                ? v->review_score
                                                      : v->possible.score;
        warden_jbuf_reset(&b);
        warden_screen_verdict_json(s, own, i, &b);
        r->evidence_json = warden_xstrdup(warden_jbuf_str(&b));
        os->by_org[i] = r;
        if (v->restricted)
            os->restricted++;
        else
            os->possible++;
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
    for (size_t i = 0; i < os->na; i++) {
        if (!os->by_account[i]) continue;
        free(os->by_account[i]->evidence_json);
        free(os->by_account[i]);
    }
    free(os->by_account);
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

size_t warden_org_screening_possible(const struct warden_org_screening *os)
{
    return os ? os->possible : 0;
}

const struct warden_org_screen *warden_org_screening_account(const struct warden_org_screening *os,
                                                             const struct warden_account *account)
{
    if (!os || !account || !os->abase || account < os->abase || account >= os->abase + os->na)
        return NULL;
    return os->by_account[account - os->abase];
}

size_t warden_org_screening_domain_hits(const struct warden_org_screening *os)
{
    return os ? os->domain_hits : 0;
}
