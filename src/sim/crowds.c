/* crowds.c — benign accounts that share identifiers without belonging together.
 *
 * Cross-account linking is measured on what must NOT merge as much as on
 * what must: strangers share identifiers all the time.
 *   benign.cgnat           mobile users of one carrier behind its
 *                          carrier-grade NAT: a few /24s shared by hundreds
 *                          of accounts (a new public address of the pool per
 *                          session), the popular mobile client families
 *                          (Android okhttp, React Native); each with their
 *                          own card, webmail and sign-up time
 *   benign.saas_end_users  customers of one SaaS vendor who each bring their
 *                          own API key: the vendor's prompt template and
 *                          client around their own payloads, from their own
 *                          home networks, paid with their own cards
 * Consecutive accounts of a population share a carrier or a vendor (as
 * consecutive corporate accounts share a company); accounts are otherwise
 * drawn as ordinary individuals. */
#include "core/xalloc.h"
#include "sim/model.h"

#include <stdio.h>
#include <string.h>

/* The prompt templates of the simulated SaaS vendors (the payload follows). */
static const char *const vendor_template[] = {
    "Rewrite the text below so that it is clear, concise and friendly. Keep its meaning and its "
    "language. Return only the rewritten text.\n\nText:",
    "Summarise the following document for a busy reader in at most five bullet points, then add "
    "one line with the most important action item.\n\nDocument:",
    "You are the assistant inside a note-taking app. Using only the note below, do what the user "
    "asks. If the note does not contain the answer, say so.\n\nNote and request:",
    "Correct the grammar and spelling of this e-mail draft without changing its tone. Return the "
    "corrected draft only.\n\nDraft:",
    "Turn the following into a well-structured study card with a question on the front and a "
    "short answer on the back.\n\nMaterial:",
};
#define NVENDOR (sizeof vendor_template / sizeof vendor_template[0])

/* A client of one of the given TLS families, weighted as the client table is. */
static unsigned client_of(struct warden_rng *r, const char *fam1, const char *fam2, double p1)
{
    const char *fam = warden_rng_chance(r, p1) ? fam1 : fam2;
    double cw[64];
    size_t n = warden_nclients < 64 ? warden_nclients : 64;
    for (size_t i = 0; i < n; i++)
        cw[i] = strcmp(warden_clients[i].family, fam) == 0 ? warden_clients[i].weight : 0;
    return warden_rng_weighted(r, cw, (uint32_t)n);
}

static void nat_address(struct warden_rng *r, const struct sim_acct *a, struct warden_ip *ip)
{
    *ip = a->nat[warden_rng_below(r, (uint32_t)a->nnat)];
    ip->b[15] = (uint8_t)(1 + warden_rng_below(r, 254));
}

bool warden_sim_same_carrier(struct sim_world *w, uint32_t i, struct warden_rng *r)
{
    const struct sim_acct *prev = i > 0 ? &w->accts[i - 1] : NULL;
    return prev && prev->pop == POP_CGNAT && prev->nnat > 0 && warden_rng_chance(r, 0.995);
}

void warden_sim_cgnat_user(struct sim_world *w, uint32_t i, struct warden_rng *r, bool same)
{
    struct sim_acct *a = &w->accts[i];
    if (same) {
        memcpy(a->nat, w->accts[i - 1].nat, sizeof a->nat);
        a->nnat = w->accts[i - 1].nnat;
    } else {
        char name[16];
        snprintf(name, sizeof name, "res:%s", a->home->cc);
        const struct warden_netpool *p = warden_netpools_get(&w->nets, name);
        if (!p) p = warden_netpools_get(&w->nets, "datacenter");
        a->nnat = 2 + (int)warden_rng_below(r, 3);
        size_t net = 0;
        for (int k = 0; k < a->nnat && p; k++) {
            if (k == 0)
                warden_netpool_draw(p, r, &a->nat[k], &net);
            else
                warden_netpool_draw_in(p, net, r, &a->nat[k]); /* the carrier's own block */
        }
        if (!p) a->nnat = 0;
    }
    if (a->nnat) {
        nat_address(r, a, &a->home_ip);
        nat_address(r, a, &a->signup_ip);
    }
    a->pool = NULL;
    a->client = client_of(r, "okhttp", "node", 0.7);
    a->client2 = a->client;
    warden_ja4_for_family(warden_clients[a->client].family, a->ja4, sizeof a->ja4);
    a->rate = warden_rng_lognormal(r, 1.5, 0.8);
}

void warden_sim_saas_end_user(struct sim_world *w, uint32_t i, struct warden_rng *r)
{
    struct sim_acct *a = &w->accts[i];
    const struct sim_acct *prev = i > 0 ? &w->accts[i - 1] : NULL;
    if (prev && prev->pop == POP_SAAS_END_USERS && warden_rng_chance(r, 0.95)) {
        a->vendor = prev->vendor;
        a->client = prev->client;
    } else {
        a->vendor = (int)warden_rng_below(r, NVENDOR);
        a->client = warden_rng_below(r, 11); /* the vendor's SDK */
    }
    a->client2 = a->client;
    warden_ja4_for_family(warden_clients[a->client].family, a->ja4, sizeof a->ja4);
    a->template_text = warden_xasprintf("%s\n\n", vendor_template[a->vendor]);
    a->rate = warden_rng_lognormal(r, 3, 0.8);
}

/* The address of a CGNAT user's session (traffic.c). */
void warden_sim_nat_session(struct warden_rng *r, const struct sim_acct *a, struct warden_ip *ip)
{
    if (a->nnat) nat_address(r, a, ip);
}
