/* habits.c — how a hydra operator signs its accounts up and pays for them.
 *
 * Cross-account linking must find clusters through what operators really
 * share, not through simulator artefacts, and must not find them all: each
 * cluster draws its own habits, and evaders draw evasions more often.
 *   payment   one card for (almost) every member, a few cards in turn, or a
 *             card of each member's own (evasion)
 *   sign-up   one burst of 20 minutes to 6 hours through one program
 *             (a few members through another), or spread over weeks
 *   address   sign-up from the cluster's own proxy / cloud networks, or
 *             from each member's own exit (evasion)
 *   e-mail    webmail as everyone, or the operator's own throwaway domain
 * Joiners (truth kind distillation.joiner) are members created days after
 * their cluster began: they pay, sign up and send as the cluster does, but
 * not in its burst. */
#include "sim/model.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL

static const char *const programs[] = {"startup", "education", "research", "standard"};
static const double program_w[] = {0.35, 0.2, 0.15, 0.3};

/* Populations built to evade per-account and cross-account detection. */
static bool evader(int pop)
{
    return pop == POP_PER_ACCOUNT_PROXY || pop == POP_RESIDENTIAL_PROXY || pop == POP_PARAPHRASE ||
           pop == POP_JITTERED || pop == POP_AGENTIC || pop == POP_REWORDED ||
           pop == POP_SLOW_SHORT;
}

/* A made-up domain an operator registers for its sign-ups. */
static void throwaway_domain(struct warden_rng *r, char *buf, size_t len)
{
    static const char *const a[] = {"nova", "kel",  "tri",   "astra", "blue", "zen",
                                    "mira", "orbi", "quant", "luma",  "vex",  "sol"};
    static const char *const b[] = {"labs", "works", "data", "mail", "hub",
                                    "ly",   "io",    "soft", "net",  "cloud"};
    static const char *const tld[] = {"com", "io", "net", "dev", "co", "ai"};
    snprintf(buf, len, "%s%s.%s", a[warden_rng_below(r, 12)], b[warden_rng_below(r, 10)],
             tld[warden_rng_below(r, 6)]);
}

void warden_sim_cluster_habits(struct sim_world *w, struct sim_cluster *c)
{
    struct warden_rng *r = &c->rng;
    struct sim_habits *h = &c->habits;
    bool ev = evader(c->pop);
    double u = warden_rng_unit(r);
    h->pay = u < (ev ? 0.2 : 0.35)   ? HABIT_PAY_ONE
             : u < (ev ? 0.5 : 0.75) ? HABIT_PAY_FEW
                                     : HABIT_PAY_OWN;
    h->ncards = 2 + (int)warden_rng_below(r, 3);
    snprintf(h->cards[0], sizeof h->cards[0], "%s", c->card);
    for (int i = 1; i < h->ncards; i++)
        warden_sim_id(r, WARDEN_ID_PAYMENT, 0, h->cards[i], sizeof h->cards[i]);
    h->burst = c->pop == POP_SIGNUP_BURST || warden_rng_chance(r, ev ? 0.35 : 0.55);
    h->from_infra = warden_rng_chance(r, ev ? 0.3 : 0.55);
    h->program = programs[warden_rng_weighted(r, program_w, 4)];
    if (warden_rng_chance(r, 0.15)) throwaway_domain(r, h->email, sizeof h->email);
    h->burst_len_ms = (20 + (int64_t)warden_rng_below(r, 340)) * 60000;
    /* sign-up burst bursters: during the run (burst_ms); everyone else before it */
    h->signup_ms = c->pop == POP_SIGNUP_BURST
                       ? c->burst_ms
                       : w->start_ms - (int64_t)(1 + warden_rng_below(r, 20)) * DAY_MS -
                             (int64_t)warden_rng_below(r, (uint32_t)DAY_MS);
}

void warden_sim_member_signup(struct sim_world *w, const struct sim_cluster *c, struct sim_acct *a,
                              struct warden_rng *r)
{
    const struct sim_habits *h = &c->habits;
    (void)w;
    if (h->pay == HABIT_PAY_ONE && warden_rng_chance(r, 0.95))
        snprintf(a->payfp, sizeof a->payfp, "%s", h->cards[0]);
    else if (h->pay == HABIT_PAY_FEW)
        snprintf(a->payfp, sizeof a->payfp, "%s",
                 h->cards[warden_rng_below(r, (uint32_t)h->ncards)]);
    if (h->burst)
        a->created_ms = h->signup_ms + (int64_t)(warden_rng_unit(r) * (double)h->burst_len_ms);
    else
        a->created_ms = h->signup_ms - (int64_t)(warden_rng_unit(r) * 28.0 * (double)DAY_MS);
    a->program =
        warden_rng_chance(r, 0.85) ? h->program : programs[warden_rng_weighted(r, program_w, 4)];
    if (h->from_infra && c->nips > 0) {
        a->signup_ip = c->ips[warden_rng_below(r, (uint32_t)c->nips)];
        if (warden_ip_is_v4(&a->signup_ip)) a->signup_ip.b[15] = (uint8_t)warden_rng_below(r, 256);
    }
    if (h->email[0] && warden_rng_chance(r, 0.8))
        snprintf(a->email_domain, sizeof a->email_domain, "%s", h->email);
}

void warden_sim_join_late(struct sim_world *w, struct sim_acct *a, struct warden_rng *r)
{
    int span = w->days > 8 ? w->days - 6 : 1;
    a->created_ms = w->start_ms + (int64_t)(3 + warden_rng_below(r, (uint32_t)span)) * DAY_MS +
                    (int64_t)warden_rng_below(r, (uint32_t)DAY_MS);
    if (a->created_ms >= w->end_ms) a->created_ms = w->end_ms - DAY_MS;
    a->active_from = a->created_ms + (int64_t)warden_rng_below(r, (uint32_t)(6 * HOUR_MS));
    a->active_to = w->end_ms;
}
