/* detect_screening.c — accounts of restricted parties.
 *
 * The organisation behind an account is screened once, at start, against the
 * sanctions and export-control lists (screen/, engine/org_screening.c): its
 * names and aliases in any script, country, domain, and the aggregate 50 %
 * ownership rule over its declared owners. This detector reports the result
 * on the account's first event:
 *   screen.listed            the organisation itself matches a listed party
 *   screen.owned_by_listed   restricted owners hold >= the threshold, in
 *                            aggregate, directly or through restricted
 *                            intermediaries
 *   screen.domain_listed     the account's sign-up e-mail domain is a listed
 *                            party's web or e-mail domain (score 0.95)
 *   screen.possible_match    nothing restricts the organisation, but its name
 *                            is a possible match (screen.review_threshold to
 *                            match_threshold) with a listed organisation that
 *                            its own country, domain or identifier
 *                            corroborates (screen.possible_review): for an
 *                            analyst, scored by the match (below every block)
 *   screen.possibly_owned_by_listed  nothing restricts it, but owners that are
 *                            restricted or such possible matches hold the
 *                            ownership threshold together: for an analyst,
 *                            scored by the chain's weakest link
 *   screen.listed_review     the organisation matches a party listed only
 *                            under programmes that do not block
 *                            (screen.review_programs: OFAC's CMIC list,
 *                            sectoral sanctions): for an analyst, scored
 *                            screen.review_program_score
 * Score: the list match's confidence (for ownership, the weakest match in the
 * chain). Evidence: the organisation's verdict (org_id, name, match with its
 * explanation, restricted_share, ownership chain). Screening is about
 * organisations and listed parties, never about a person's name or language. */
#include "detect/detector.h"
#include "screen/org_screening.h"

#include <stdint.h>
#include <stdlib.h>

struct scr_state {
    uint8_t done;
};

static int scr_init(void **ctx, const struct warden_policy *policy, const void *conf)
{
    (void)policy;
    (void)conf;
    *ctx = NULL;
    return 0;
}

static void scr_observe(void *ctx, const struct warden_event *ev, void *vstate,
                        struct warden_emit *em)
{
    (void)ctx;
    struct scr_state *s = vstate;
    if (!(s->done & 1) && ev->org_screen) {
        s->done |= 1;
        warden_emit_finding(em, ev->org_screen->code, ev->org_screen->score,
                            ev->org_screen->evidence_json);
    }
    if (!(s->done & 2) && ev->account_screen) {
        s->done |= 2;
        warden_emit_finding(em, ev->account_screen->code, ev->account_screen->score,
                            ev->account_screen->evidence_json);
    }
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const screening_codes[] = {"screen.listed",
                                              "screen.owned_by_listed",
                                              "screen.possible_match",
                                              "screen.listed_review",
                                              "screen.possibly_owned_by_listed",
                                              "screen.restricted_jurisdiction_owner",
                                              "screen.domain_listed",
                                              NULL};

const struct warden_detector warden_detect_screening = {
    .name = "screening",
    .description = "the account's organisation is a listed party or owned by listed parties",
    .conf_table = NULL,
    .conf_size = 0,
    .state_size = sizeof(struct scr_state),
    .init = scr_init,
    .observe = scr_observe,
    .flush = NULL,
    .free = NULL,
    .codes = screening_codes,
};
