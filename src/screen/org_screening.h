/* org_screening.h — restricted-party verdicts for the registry's organisations,
 * computed once at start and read-only after.
 *
 * `warden scan` screens every organisation of orgs.jsonl (names, aliases,
 * country, domain) and applies the aggregate ownership rule over their
 * declared owners (screen/). The result is one record per organisation that
 * is restricted; the engine attaches it to each event of the organisation's
 * accounts, and the `screening` detector turns it into a screen.* finding.
 * Each account's sign-up e-mail domain is screened against the domains on
 * the lists too (screen.domain_listed). */
#ifndef WARDEN_SCREEN_ORG_SCREENING_H
#define WARDEN_SCREEN_ORG_SCREENING_H
#include <stddef.h>

#include "registry/registry.h"
#include "screen/screen.h"

struct warden_org_screen {
    const char *code;    /* "screen.listed", "screen.owned_by_listed", "screen.domain_listed" */
    double score;        /* match confidence of the weakest link in the chain */
    char *evidence_json; /* the organisation's verdict: match, shares, chain */
};

struct warden_org_screening;

/* Screen every organisation of reg. Returns 0 or a WARDEN_E* code. */
int warden_org_screening_build(struct warden_org_screening **out, const struct warden_screen *s,
                               const struct warden_registry *reg, char *err, size_t errlen);
void warden_org_screening_free(struct warden_org_screening *os);
/* The record of an organisation of the registry, or NULL when it is clear. */
const struct warden_org_screen *warden_org_screening_get(const struct warden_org_screening *os,
                                                         const struct warden_org *org);
size_t warden_org_screening_restricted(const struct warden_org_screening *os);
/* Organisations reported for a corroborated possible match only. */
size_t warden_org_screening_possible(const struct warden_org_screening *os);
/* The e-mail-domain record of an account of the registry, or NULL. */
const struct warden_org_screen *warden_org_screening_account(const struct warden_org_screening *os,
                                                             const struct warden_account *account);
size_t warden_org_screening_domain_hits(const struct warden_org_screening *os);

#endif
