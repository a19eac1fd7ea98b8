/* model.h — the simulator's internal model, shared by its files:
 * populations (what a scenario mixes), simulated organisations and accounts,
 * and the compact in-memory event that is sorted and then written out.
 * Internal to src/sim/. */
#ifndef WARDEN_SIM_MODEL_H
#define WARDEN_SIM_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ip.h"
#include "sim/corpus.h"
#include "sim/netpool.h"
#include "sim/parties.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/world.h"

enum warden_pop {
    /* benign */
    POP_INDIVIDUAL,
    POP_DEVAPP,
    POP_PRIVACY_VPN,
    POP_CORP_EGRESS,
    POP_ZH_SPEAKER,
    POP_BATCH,
    POP_EVAL,
    POP_RESELLER,
    POP_MINORITY_OWNED,
    /* distillation */
    POP_HYDRA,
    POP_PER_ACCOUNT_PROXY,
    POP_RESIDENTIAL_PROXY,
    POP_COVER_TRAFFIC,
    POP_PARAPHRASE,
    POP_SLOW_LOW,
    POP_MODEL_PIVOT,
    POP_SIGNUP_BURST,
    /* restricted */
    POP_LISTED_ORG,
    POP_SUBSIDIARY,
    /* circumvention */
    POP_CIRC_DIRECT,
    POP_CIRC_VPN,
    POP_CIRC_CLOUD,
    /* circumvention that never leaks, and benign look-alikes (docs/circumvention.md) */
    POP_CIRC_TUNNEL_VPN,
    POP_CIRC_TUNNEL_CLOUD,
    POP_TRAVELLER,
    POP_NEAR_BORDER,
    /* distillation look-alikes (benign) and held-out distillation evasions */
    POP_CODING_AGENT,
    POP_SAAS_APP,
    POP_TRANSLATION,
    POP_EVAL_COT,
    POP_JITTERED,
    POP_SLOW_SHORT,
    POP_AGENTIC,
    POP_REWORDED,
    /* cross-account look-alikes (benign) and hydra joiners (crowds.c, habits.c) */
    POP_CGNAT,
    POP_SAAS_END_USERS,
    POP_JOINER,
    POP_REASONING_USER,
    /* circumvention that never leaks, through rotating residential proxy exits */
    POP_CIRC_TUNNEL_RESIDENTIAL,
    /* a restricted organisation's staff: one card and company domain, most
     * tunnelling, one who sometimes connects from home (linked reach) */
    POP_CIRC_STAFF,
    /* an end user of a declared reseller who harvests through the platform's
     * key: not an account of its own (laid out after the resellers, not
     * counted in the scenario's accounts) */
    POP_VIA_RESELLER,
    /* agent sessions (scenario `agents`): developers directing coding agents,
     * agentic evaluation runs, and a harness harvesting agent trajectories */
    POP_AGENT_DEVELOPER,
    POP_AGENT_EVAL,
    POP_AGENT_HARNESS,
    POP_COUNT
};

struct warden_popdef {
    const char *label, *kind;
    int cluster_min, cluster_max; /* 0: accounts are not grouped */
    const char *summary;
};
extern const struct warden_popdef warden_popdefs[POP_COUNT];

struct warden_scenario {
    const char *name, *summary;
    long accounts;
    int days;
    double rate_scale;       /* multiplies every population's request rate */
    double share[POP_COUNT]; /* relative share of accounts */
};
const struct warden_scenario *warden_scenario_get(const char *name);

struct sim_org {
    char id[48];
    char *name;
    char *aliases[3];
    int naliases;
    char country[3];
    char *domain;
    char *address;
    int owner_org[2]; /* index of owning org, -1 none */
    char *owner_name; /* owner given by name only, or NULL */
    double owner_share[3];
    int nowners_org;
    /* for egress sharing */
    struct warden_ip egress[2];
    int negress;
    uint32_t asn;
};

/* An operator's sign-up and payment habits, drawn per cluster (habits.c). */
struct sim_habits {
    uint8_t pay;        /* HABIT_PAY_* */
    uint8_t burst;      /* signs its accounts up in one burst (else spread over weeks) */
    uint8_t from_infra; /* signs up from its own proxy / cloud networks (else its own) */
    char cards[4][40];  /* the few cards it pays with */
    int ncards;
    const char *program;  /* the sign-up program it uses */
    char email[64];       /* its own throwaway e-mail domain, or "" (webmail) */
    int64_t signup_ms;    /* start of its sign-ups */
    int64_t burst_len_ms; /* how long the burst lasts */
};
enum { HABIT_PAY_ONE, HABIT_PAY_FEW, HABIT_PAY_OWN };

struct sim_cluster {
    int pop;
    int first_acct, nacct;
    struct warden_rng rng;
    /* shared resources */
    struct warden_ip ips[8];
    int nips;
    unsigned client;                       /* SDK / user agent */
    size_t slice_kind, slice_lo, slice_hi; /* corpus slice being harvested */
    int64_t burst_ms;                      /* sign-up burst time */
    unsigned wrapper;                      /* elicitation wrapper */
    const char *system;                    /* shared system prompt, or NULL */
    char card[40];                         /* shared payment instrument */
    int op_offset_min;                     /* operator's time zone */
    struct sim_habits habits;              /* how its operator signs up and pays (habits.c) */
};

struct sim_acct {
    char id[48];
    int pop, cluster, org;
    const struct warden_country *home; /* where the user / payer is */
    const struct warden_country *real; /* where traffic comes from (circumvention) */
    int64_t created_ms, active_from, active_to;
    char billing[3], card_country[3];
    char payfp[40];
    char email_domain[64];
    struct warden_ip signup_ip;
    const char *program;
    bool reseller;
    /* behaviour */
    unsigned client, client2;
    char ja4[48];
    const char *decl_tz, *decl_locale; /* NULL: not declared */
    char keys[3][48];
    int nkeys;
    unsigned eu_style; /* end-user id style */
    struct warden_ip home_ip;
    size_t home_net;
    const struct warden_netpool *pool; /* main pool of the account's addresses */
    double rate;                       /* mean requests per active day */
    const char *system;                /* fixed system prompt, or NULL */
    char *template_text;               /* batch template + blank line (owned), or NULL */
    uint32_t stream;                   /* rng stream id */
    /* a person's own clock: minutes by which their day runs later than the
     * population's diurnal curve (chronotype, late hours, night work) */
    int chrono_min;
    /* travellers: a trip to another allowed country, from its networks and on its clock */
    const struct warden_country *trip;
    const struct warden_netpool *trip_pool;
    int64_t trip_from, trip_to;
    bool vpn_user; /* near-border users who browse through a VPN */
    /* cross-account look-alikes and joiners (crowds.c, habits.c) */
    bool joiner;             /* joined its cluster days after it began (truth kind joiner) */
    struct warden_ip nat[4]; /* CGNAT: the carrier's shared /24s (host byte drawn per session) */
    int nnat;
    int vendor;       /* SaaS end users: whose app they use */
    bool staff_leaks; /* restricted staff: the colleague who sometimes connects from home */
    bool behind;      /* distillation.via_reseller: an end user of the reseller accts[host] */
    uint32_t host;
    /* agent sessions: tools declared per session, share of sessions with
     * thinking on, a developer who runs several agents and sub-agents */
    uint8_t agent_tools;
    double think_p;
    bool power;
};

/* One generated request, compact; strings point into the corpus or tables. */
struct sim_event {
    int64_t ts_ms;
    uint32_t acct;
    uint32_t seq;
    const char *prompt;
    const char *prefix, *suffix; /* wrappers around the prompt, or NULL */
    const char *system;
    struct warden_ip ip;
    uint64_t rid;      /* random bits for the request id */
    uint32_t end_user; /* 0: none; else index of the end user */
    uint8_t key, model, turns, thinking, status, tools, client;
    int32_t max_tokens, in_tok, out_tok, cache_tok;
};

struct sim_world {
    const struct warden_sim_opts *o;
    const struct warden_scenario *sc;
    struct warden_corpus corpus;
    struct warden_netpools nets;
    struct warden_parties parties;
    struct warden_countries countries;     /* data/sim/countries.tsv */
    struct warden_sim_pairs roles;         /* data/sim/roles.tsv */
    struct warden_sim_pairs legal_forms;   /* data/sim/legal_forms.tsv */
    struct warden_sim_pairs domains;       /* data/sim/domains.tsv */
    const struct warden_country **allowed; /* allowed countries (by table entry) */
    size_t nallowed;
    const struct warden_country **restricted;
    size_t nrestricted;
    struct sim_org *orgs;
    size_t norgs, caporgs;
    struct sim_acct *accts;
    size_t naccts;
    struct sim_cluster *clusters;
    size_t nclusters;
    struct sim_event *ev;
    size_t nev, capev;
    int64_t start_ms, end_ms, release_ms;
    int days;
};

/* Random stream ids: a domain (what the stream is for) and an id within it.
 * Account ids are scoped to their population, so adding accounts to one
 * population leaves every other population's accounts unchanged. */
#define SIM_STREAM(domain, id) (((uint64_t)(domain) << 40) | (uint64_t)(id))
#define SIM_ACCT_STREAM(pop, k) (((uint32_t)(pop) << 24) | (uint32_t)(k))

/* True for the look-alike and held-out evasion populations (scenario.c). */
static inline bool warden_sim_is_lookalike(int pop)
{
    return pop >= POP_CODING_AGENT && pop < POP_COUNT;
}

/* habits.c: a cluster's operator habits (after its shared resources are
 * drawn); a member's sign-up (payment, time, program, address, e-mail) from
 * them; a joiner's late sign-up and start. */
void warden_sim_cluster_habits(struct sim_world *w, struct sim_cluster *c);
void warden_sim_member_signup(struct sim_world *w, const struct sim_cluster *c, struct sim_acct *a,
                              struct warden_rng *r);
void warden_sim_join_late(struct sim_world *w, struct sim_acct *a, struct warden_rng *r);
/* crowds.c: benign accounts that share identifiers without belonging
 * together: mobile users behind a carrier-grade NAT, end users of one SaaS
 * vendor's app (after acct_defaults; i is the account's index). A CGNAT
 * user on the previous account's carrier (same_carrier) lives in its
 * country: the caller redraws the account's defaults there first. */
bool warden_sim_same_carrier(struct sim_world *w, uint32_t i, struct warden_rng *r);
void warden_sim_cgnat_user(struct sim_world *w, uint32_t i, struct warden_rng *r, bool same);
void warden_sim_saas_end_user(struct sim_world *w, uint32_t i, struct warden_rng *r);
/* The public address of a CGNAT user's new session. */
void warden_sim_nat_session(struct warden_rng *r, const struct sim_acct *a, struct warden_ip *ip);
/* traffic.c: generate every event of one account. */
void warden_sim_traffic(struct sim_world *w, uint32_t acct);
/* sim.c: mkdir -p. */
int warden_sim_mkdir(const char *dir);
/* output.c: sort events and write the four files. */
int warden_sim_write(struct sim_world *w);
/* Model names: [0..2] before the release, [3] released at release_ms. */
extern const char *const warden_sim_models[4];

#endif
