/* detect_link.c — hydra clusters: links accounts that share identifiers
 * into clusters and lets an actioned member's cluster act on every member.
 *
 * Identifiers (link/link.h has the weights, the common-identifier rule and
 * the memory): from the account registry at load — payment fingerprint,
 * e-mail domain unless it is on the webmail list (data/webmail/webmail.txt),
 * sign-up address, sign-up burst (a program of burst_programs, created in
 * the same burst_window; two half-shifted buckets so that two sign-ups
 * within half a window always share one) — counted over the whole registry
 * first, then linked, so registry identifiers are weighed with their final
 * counts. From events — the client network (IPv4 /24, IPv6 /48) in the same
 * net_window, ASN + user agent + JA4, the system prompt, and the account's
 * prompt templates: the head and tail SimHash sketches of its first
 * template_prompts prompts (distill_text.c) in four slots; a sketch that
 * recurs template_min times is published as four 16-bit LSH bands, so
 * accounts whose frames match in any band meet without a pairwise scan.
 * An account that has not published two slots (a frame's head and tail, or
 * two frames) by then keeps sketching up to template_budget prompts: cover traffic (ordinary,
 * diverse prompts mixed in) dilutes a harvesting frame but does not stop it repeating. A one-off
 * sketch replaces only a slot still at count 1 (oldest first), never one
 * that has repeated, so the cover prompts cannot wash out the frame.
 * An identifier is fed once per account and value (repeats are skipped in
 * the account's 8-byte engine slot; the template slots live in the link
 * table's per-account area), so the hot path is a few hashes per event and
 * a text scan for each of an account's first template_prompts prompts
 * (up to template_budget until it has published two template slots).
 *
 * Findings (score below every default rule except the last one):
 *   cluster.shared_templates / cluster.shared_payment /
 *   cluster.shared_signup / cluster.shared_infrastructure (edge_score) —
 *     the account joined a cluster; the code names the strongest kind of
 *     the joining edge. Evidence: cluster_id, members, via (kind),
 *     identifier (64-bit hash, hex: never the address, domain or payment
 *     value), accounts_sharing (estimate), pair_weight, edge_kinds (of the
 *     joining pair), cluster_edge_kinds ({kind: joining edges}).
 *   cluster.linked_to_actioned — another member was actioned (review or
 *     stronger) on reasons that are not cluster.* (so a cluster finding
 *     never makes a cluster "actioned": no cascade). Score linked_enforced
 *     when a member is throttled or blocked, or when harvest_members
 *     members are actioned on their own harvesting evidence (distill.*
 *     but distill.crowd_frame: a harvest sustained across accounts whose
 *     members are each held at review on their own; not when template bands
 *     are all that joined them, link.h warden_link_sustained), else
 *     linked_review;
 *     emitted at the member's next request (a new account: at the request
 *     at which it links, or its first when the registry links it) and, at
 *     the end of the run, for members that did not come back. Evidence:
 *     cluster_id, members, actioned_members, enforced_members,
 *     harvest_members (when any), cluster_score, cluster_edge_kinds.
 *   cluster.linked_restricted (linked_restricted) — another member was seen
 *     in a restricted jurisdiction (policy): a direct connection from there
 *     (no anonymizer category: residential, mobile) or a restricted billing
 *     or card country in the registry. Carried as a per-cluster count
 *     (link.h `restricted`), also across processes, whatever the policy did
 *     about that member; emitted once per account like
 *     cluster.linked_to_actioned, and never itself a reason for the
 *     cluster (a cluster.* code). Evidence: cluster_id, members,
 *     restricted_members, cluster_edge_kinds (the shared identifier kinds).
 *   cluster.harvest_pooled (pooled_score) — suspect_members members, and
 *     most of the cluster's, carry
 *     harvesting evidence of their own from suspect_min (the highest
 *     distill.* finding but distill.crowd_frame, held below every rule or
 *     not: distill reports it once from its suspect_min): each looks like a
 *     heavy user alone, several in one cluster are one harvest. Emitted once
 *     per member like cluster.linked_to_actioned. When suspect_group
 *     suspects or more are most of the registry's accounts behind one
 *     payment fingerprint or e-mail domain, every account behind it is
 *     joined; when they are most of the registry's accounts that signed up
 *     from one network (an IPv4 /22 by default, signup_prefix_v4; IPv6
 *     /48), the suspects among them are
 *     joined, with the network's other accounts that signed up within the
 *     span of the suspects' sign-ups, and on a rented network (hosting,
 *     cloud) also after it (link.h, warden_link_pool_with; the
 *     groups are the registry's, built once, so the joins do not depend on
 *     the order of requests). With pool_anchored, a suspect also joins an
 *     account actioned on its own harvesting evidence when they are two or
 *     more suspects, most of such a group, or share a frame (one many
 *     accounts use: when that account is also enforced on its own
 *     evidence; link.h, harvest_anchor).
 *     Evidence: cluster_id,
 * members, suspect_members, suspect_min, actioned_members, cluster_edge_kinds.
 *
 * Cluster ids are "lk-N" (N in order of formation); every member's
 * verdict and findings carry it. One link state serves every shard of a
 * process (share() hook; a mutex held for a few table operations per
 * event); each shard sets cluster ids and emits findings only for accounts
 * whose events it saw, the first shard also for registry accounts that
 * sent none. At the end the first shard writes one record per cluster
 * (clusters.jsonl, cases.db; docs/clusters.md).
 *
 * Counters: link.memory_bytes (fixed at start), link.clusters, link.joins,
 * link.accounts_replaced, link.clusters_dropped. */
#include "detect/detector.h"
#include "detect/distill.h"
#include "detect/domain_list.h"
#include "detect/geo_tally.h"
#include "core/datadir.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/snapio.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "intel/intel.h"
#include "link/link.h"
#include "link/remote.h"
#include "registry/registry.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NK WARDEN_LINK_NKINDS
#define TSLOTS 4
#define BANDS 4

struct link_conf {
    double w[NK], cap[NK];
    double join, infra_max, co_actioned;
    int64_t net_window_s, burst_window_s;
    struct warden_strlist burst_programs;
    char *webmail;
    int64_t template_prompts, template_budget, template_min, template_max_hamming;
    double edge_score, linked_review, linked_enforced, linked_restricted;
    int64_t max_accounts, max_idents, max_clusters, max_member_ids, max_frames;
    int64_t harvest_members;
    double suspect_min, pooled_score;
    int64_t suspect_group, suspect_members;
    bool pool_anchored, pool_rented_clusters;
    int64_t pool_wave_s;
    int64_t signup_prefix_v4;
};

#define C(f) offsetof(struct link_conf, f)
static const struct warden_conf_key link_conf_table[] = {
    {"w_net", WARDEN_CONF_DOUBLE, "0.35", C(w[WARDEN_LINK_NET]),
     "weight of a shared client network (IPv4 /24, IPv6 /48) in the same net_window", 0, 10},
    {"cap_net", WARDEN_CONF_DOUBLE, "64", C(cap[WARDEN_LINK_NET]),
     "distinct accounts on one network and window at which it stops counting (NAT, egress)", 0,
     1e9},
    {"w_client", WARDEN_CONF_DOUBLE, "0.25", C(w[WARDEN_LINK_CLIENT]),
     "weight of the same ASN + user agent + JA4", 0, 10},
    {"cap_client", WARDEN_CONF_DOUBLE, "64", C(cap[WARDEN_LINK_CLIENT]),
     "distinct accounts at which an ASN + client combination stops counting (popular SDKs)", 0,
     1e9},
    {"w_signup_ip", WARDEN_CONF_DOUBLE, "0.5", C(w[WARDEN_LINK_SIGNUP_IP]),
     "weight of the same sign-up address", 0, 10},
    {"cap_signup_ip", WARDEN_CONF_DOUBLE, "32", C(cap[WARDEN_LINK_SIGNUP_IP]),
     "distinct accounts at which a sign-up address stops counting", 0, 1e9},
    {"w_payment", WARDEN_CONF_DOUBLE, "1.0", C(w[WARDEN_LINK_PAYMENT]),
     "weight of the same payment fingerprint (one card behind several accounts)", 0, 10},
    {"cap_payment", WARDEN_CONF_DOUBLE, "512", C(cap[WARDEN_LINK_PAYMENT]),
     "distinct accounts at which a payment fingerprint stops counting", 0, 1e9},
    {"w_email_domain", WARDEN_CONF_DOUBLE, "0.25", C(w[WARDEN_LINK_EMAIL]),
     "weight of the same e-mail domain (never one on the webmail list)", 0, 10},
    {"cap_email_domain", WARDEN_CONF_DOUBLE, "128", C(cap[WARDEN_LINK_EMAIL]),
     "distinct accounts at which an e-mail domain stops counting", 0, 1e9},
    {"w_signup_burst", WARDEN_CONF_DOUBLE, "0.5", C(w[WARDEN_LINK_BURST]),
     "weight of sign-ups through the same burst program within burst_window_s", 0, 10},
    {"cap_signup_burst", WARDEN_CONF_DOUBLE, "256", C(cap[WARDEN_LINK_BURST]),
     "distinct accounts in one program and window at which the burst stops counting", 0, 1e9},
    {"w_template", WARDEN_CONF_DOUBLE, "0.6", C(w[WARDEN_LINK_TEMPLATE]),
     "weight of a shared prompt template (LSH band of a frame sketch) or system prompt (one "
     "family: a pair sharing both is weighed once)",
     0, 10},
    {"cap_template", WARDEN_CONF_DOUBLE, "256", C(cap[WARDEN_LINK_TEMPLATE]),
     "distinct accounts at which a template stops counting (a SaaS app's shared frame)", 0, 1e9},
    {"w_system_prompt", WARDEN_CONF_DOUBLE, "0.6", C(w[WARDEN_LINK_SYSTEM]),
     "weight of a shared system prompt (in one family with templates: a pair sharing both is "
     "weighed once, the first met)",
     0, 10},
    {"cap_system_prompt", WARDEN_CONF_DOUBLE, "256", C(cap[WARDEN_LINK_SYSTEM]),
     "distinct accounts at which a system prompt stops counting (a product's or a framework's "
     "default prompt)",
     0, 1e9},
    {"join", WARDEN_CONF_DOUBLE, "1.0", C(join),
     "combined pair weight that joins two accounts into one cluster", 0.01, 100},
    {"infra_max", WARDEN_CONF_DOUBLE, "0.7", C(infra_max),
     "most that network, client and sign-up address add together (keep it below join: "
     "shared infrastructure alone never links)",
     0, 100},
    {"co_actioned", WARDEN_CONF_DOUBLE, "0.4", C(co_actioned),
     "added to a pair of accounts both actioned on their own evidence that share a "
     "non-infrastructure identifier (a frame, a sign-up burst, a domain): 0.6 for a frame + 0.4 "
     "joins; 0 turns it off",
     0, 100},
    {"net_window_s", WARDEN_CONF_INT, "21600", C(net_window_s),
     "time window of the network identifier, seconds", 60, 1e8},
    {"burst_window_s", WARDEN_CONF_INT, "3600", C(burst_window_s),
     "sign-ups this close in time through one program form a burst, seconds", 60, 1e8},
    {"burst_programs", WARDEN_CONF_STRLIST, "startup,education,research", C(burst_programs),
     "sign-up programs whose bursts link accounts (easy credits)", 0, 0},
    {"webmail", WARDEN_CONF_STRING, "webmail/webmail.txt", C(webmail),
     "public e-mail domains never used to link (one per line); relative paths resolve against "
     "$WARDEN_DATA_DIR, ./data, then the source tree's data/",
     0, 0},
    {"template_prompts", WARDEN_CONF_INT, "8", C(template_prompts),
     "an account's first prompts whose templates are sketched", 0, 255},
    {"template_budget", WARDEN_CONF_INT, "128", C(template_budget),
     "prompts sketched at most until the account has published two template slots (a harvesting "
     "frame diluted by cover prompts); at most template_prompts means no more than those",
     0, 255},
    {"template_min", WARDEN_CONF_INT, "3", C(template_min),
     "times a frame must recur among them before it is published", 2, 255},
    {"template_max_hamming", WARDEN_CONF_INT, "6", C(template_max_hamming),
     "SimHash bits two frames may differ by and count as one in the account", 0, 32},
    {"edge_score", WARDEN_CONF_DOUBLE, "0.3", C(edge_score),
     "score of cluster.shared_* findings (explanations; below review by default)", 0, 1},
    {"linked_review", WARDEN_CONF_DOUBLE, "0.6", C(linked_review),
     "score of cluster.linked_to_actioned when the actioned member is only reviewed", 0, 1},
    {"linked_enforced", WARDEN_CONF_DOUBLE, "0.85", C(linked_enforced),
     "score of cluster.linked_to_actioned when a member is throttled or blocked", 0, 1},
    {"linked_restricted", WARDEN_CONF_DOUBLE, "0.6", C(linked_restricted),
     "score of cluster.linked_restricted: another member connected directly from a restricted "
     "jurisdiction or pays from one (0: never emitted)",
     0, 1},
    {"max_accounts", WARDEN_CONF_INT, "262144", C(max_accounts),
     "accounts in the linking table (304 bytes each); the longest unseen is replaced", 64, 1e9},
    {"max_identifiers", WARDEN_CONF_INT, "1048576", C(max_idents),
     "identifiers in the linking table (96 bytes each); the longest unseen is replaced", 64, 1e9},
    {"max_frames", WARDEN_CONF_INT, "262144", C(max_frames),
     "prompt frames whose senders are counted (16 bytes each; link.h warden_link_frame_sent): a "
     "template band weighs the larger of its publishers and its frame's senders; the frame with "
     "the fewest senders is replaced",
     64, 1e9},
    {"max_clusters", WARDEN_CONF_INT, "65536", C(max_clusters),
     "clusters at once (88 bytes each); joins that need a new one beyond it are dropped", 1, 1e9},
    {"max_member_ids", WARDEN_CONF_INT, "100", C(max_member_ids),
     "member account ids listed per cluster in clusters.jsonl", 0, 1e6},
    {"harvest_members", WARDEN_CONF_INT, "3", C(harvest_members),
     "members actioned on their own harvesting evidence (distill.*, review or stronger) from "
     "which a cluster counts as enforced: a harvest carried on across accounts, each held at "
     "review on its own, is sustained as a whole (cluster.linked_to_actioned at linked_enforced "
     "for every member) when its members are tied by more than template bands (wording is "
     "shared by strangers; 0 = off)",
     0, 1e6},
    {"suspect_min", WARDEN_CONF_DOUBLE, "0.3", C(suspect_min),
     "an account's own harvesting evidence (distill.*, the highest finding score, held below "
     "every rule or not) from which it counts as a suspect for pooling; 0 = off",
     0, 1},
    {"suspect_group", WARDEN_CONF_INT, "3", C(suspect_group),
     "suspects from which, when they are most of the registry's accounts behind one payment "
     "fingerprint or e-mail domain (64 accounts at most), every account behind it is joined "
     "whatever the pair weights (behind one sign-up network: the suspects and the accounts "
     "that signed up within the span of their sign-ups); 0 = off",
     0, 255},
    {"pool_anchored", WARDEN_CONF_BOOL, "true", C(pool_anchored),
     "a group behind one card, domain or sign-up network with fewer than suspect_group "
     "suspects (two or more, most of it) is pooled when one of them is actioned on its own "
     "harvesting evidence, and a suspect that shares a frame few accounts send with such a "
     "harvester (the pair's frame weight at least 0.9 of w_template) joins it: the cluster's "
     "action then applies",
     0, 0},
    {"pool_rented_clusters", WARDEN_CONF_BOOL, "true", C(pool_rented_clusters),
     "with pool_anchored: on a rented sign-up network (hosting or cloud, no sign-up through a "
     "public anonymizer), an account of a cluster whose harvest is established (a member "
     "actioned on its own harvesting evidence, or suspect_group suspects, tied by more than "
     "template bands) counts with the network's suspects and anchors them: a suspect the "
     "operation's machines signed up joins its cluster",
     0, 0},
    {"pool_wave_s", WARDEN_CONF_INT, "604800", C(pool_wave_s),
     "a sign-up network that is not rented (people's lines, an anonymizer's exit) pools as "
     "its sign-up waves: runs of sign-ups each at most this long after the one before; a "
     "suspect counts, and pools, with its own wave's accounts only (households sign up from "
     "one ISP /24 months apart, an operation signs its accounts up in days); a rented network "
     "pools whole; 0 = the whole network",
     0, 315360000},
    {"signup_prefix_v4", WARDEN_CONF_INT, "22", C(signup_prefix_v4),
     "prefix length of an IPv4 sign-up network (IPv6: /48): the accounts that signed up from "
     "one such block are one group for pooling; a provider hands a customer's machines, and an "
     "ISP its subscribers, addresses across adjacent /24s",
     16, 32},
    {"suspect_members", WARDEN_CONF_INT, "2", C(suspect_members),
     "suspects in one cluster, and most of its members, from which every member gets "
     "cluster.harvest_pooled: harvesting evidence held below every rule in each account, "
     "pooled; 0 = off",
     0, 255},
    {"pooled_score", WARDEN_CONF_DOUBLE, "0.6", C(pooled_score),
     "score of cluster.harvest_pooled (review under the example policy; never an enforcement "
     "on pooled evidence alone)",
     0, 1},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

struct link_ctx {
    struct link_conf conf;
    bool own_conf;
    const struct warden_policy *policy;
    struct warden_link *l;
    unsigned owner;
    struct warden_u64map webmail; /* hashes of webmail domains */
    size_t n_webmail;
    unsigned cid_mem;
    bool counters_set;
    struct warden_link_remote *remote; /* remote mode (link/remote.h), else NULL */
    const struct warden_registry *reg; /* the linking stage: declared resellers */
    const struct pool_groups *pg;      /* on the shared link state (warden_link_attach) */
    struct warden_u64map exits;        /* remote mode: sign-up networks' NET_* flags (net_flags) */
    struct published *pub;             /* the linking stage: cluster records handed on */
};

/* The registry's accounts grouped by what an operation shares (POOL_*):
 * group g (1-based, map) of a kind holds acct[off[g-1] .. off[g]), declared
 * resellers left out; colleagues of one declared organisation in the group
 * are marked (stay: they count, as no suspects, and stay with their
 * organisation). One per process, hung on the link state the shards share. */
enum { POOL_CARD, POOL_DOMAIN, POOL_NET, POOL_KINDS };
struct pool_groups {
    struct {
        struct warden_u64map map;
        uint32_t *off;
        uint64_t *acct;
        uint8_t *stay;
    } k[POOL_KINDS];
    int64_t *created;   /* POOL_NET: the members' sign-up times (ms), INT64_MIN when unknown */
    uint8_t *elsewhere; /* POOL_NET: the member shares a card or domain outside the network */
    uint8_t *net;       /* POOL_NET, per group: NET_EXIT, NET_RENTED (net_flags) */
    struct warden_u64map net_of; /* account hash -> its POOL_NET group when not alone there */
    int64_t wave_ms;             /* POOL_NET not rented: read as sign-up waves (pool_wave_s) */
};

static void pool_groups_free(void *p)
{
    struct pool_groups *g = p;
    for (int k = 0; k < POOL_KINDS; k++) {
        warden_u64map_fini(&g->k[k].map);
        free(g->k[k].off);
        free(g->k[k].acct);
        free(g->k[k].stay);
    }
    free(g->created);
    free(g->elsewhere);
    free(g->net);
    warden_u64map_fini(&g->net_of);
    free(g);
}

static struct warden_link_remote *remote_hook;

void warden_detect_link_remote(struct warden_link_remote *r)
{
    remote_hook = r;
}

/* Per account in the engine's slot (8 bytes): what was fed already. */
struct link_state {
    uint32_t last_net;    /* low bits of the last network key fed */
    uint16_t last_client; /* low bits of the last client key fed */
    uint8_t prompts;      /* prompts sketched */
    uint8_t flags;        /* low 2 bits: own (non-cluster) action last seen; RSEEN, CLUSTERED */
};
#define OWN(st) ((enum warden_action)((st)->flags & 3))
#define CLUSTERED 0x80 /* in a cluster when last looked at */
#define RSEEN 0x40     /* seen connecting directly from a restricted jurisdiction */
#define PUBLISHED 0x20 /* has published two template slots: no sketching past template_prompts */
#define HARVEST 0x10   /* actioned on its own harvesting evidence (marked in the link table) */
#define SUSPECT 0x08   /* harvesting evidence of its own from suspect_min (marked likewise) */
#define LOOKED 0x04    /* looked at its sign-up network's pooling once, in the registry */

/* Reasons that are an account's own harvesting evidence, and those of them
 * that are not its own (WARDEN_NOT_OWN_EVIDENCE) */
#define HARVEST_CODES "distill."
#define HARVEST_NOT_OWN "distill.crowd_frame"

/* Per account in the link table (warden_link_user): the template slots. */
struct link_user {
    uint64_t last_system;
    uint64_t tsk[TSLOTS];
    uint8_t tcount[TSLOTS], tend[TSLOTS];
    uint8_t tseq[TSLOTS]; /* when the slot's sketch came (tnext at the time) */
    uint8_t tnext;        /* sketches placed so far (mod 256) */
    uint8_t published;    /* bit per slot */
    uint16_t last_prompt; /* 16 bits of the last sketched prompt's hash, never 0 (0: none) */
};
_Static_assert(sizeof(struct link_user) <= WARDEN_LINK_USER_BYTES, "link_user too big");

/* ---- set-up ---- */

static int load_webmail(struct link_ctx *c)
{
    long n = warden_domain_list_load(&c->webmail,
                                     c->conf.webmail ? c->conf.webmail : "webmail/webmail.txt");
    if (n < 0) return -1;
    c->n_webmail = (size_t)n;
    return 0;
}

struct published;
static void published_free(struct published *p);

static void link_free(void *vctx)
{
    struct link_ctx *c = vctx;
    if (!c) return;
    warden_link_free(c->l);
    warden_u64map_fini(&c->webmail);
    warden_u64map_fini(&c->exits);
    if (c->own_conf) warden_conf_fini(link_conf_table, &c->conf);
    published_free(c->pub);
    free(c);
}

static int link_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    struct link_ctx *c = warden_xcalloc(1, sizeof *c);
    if (conf) {
        memcpy(&c->conf, conf, sizeof c->conf);
    } else {
        warden_conf_defaults(link_conf_table, &c->conf);
        c->own_conf = true;
    }
    c->policy = policy;
    warden_u64map_init(&c->webmail);
    warden_u64map_init(&c->exits);
    if (load_webmail(c)) {
        link_free(c);
        return -1;
    }
    struct warden_link_params p;
    memset(&p, 0, sizeof p);
    memcpy(p.weight, c->conf.w, sizeof p.weight);
    memcpy(p.cap, c->conf.cap, sizeof p.cap);
    p.join = c->conf.join;
    p.infra_max = c->conf.infra_max;
    p.co_actioned = c->conf.co_actioned;
    p.suspect_group = c->conf.suspect_min > 0 ? (unsigned)c->conf.suspect_group : 0;
    p.harvest_anchor = p.suspect_group && c->conf.pool_anchored;
    p.rented_clusters = p.harvest_anchor && c->conf.pool_rented_clusters;
    p.max_accounts = (size_t)c->conf.max_accounts;
    p.max_idents = (size_t)c->conf.max_idents;
    p.max_clusters = (size_t)c->conf.max_clusters;
    p.max_frames = (size_t)c->conf.max_frames;
    c->remote = remote_hook;
    if (c->remote) { /* the table keeps only template slots: no identifiers, no clusters */
        p.max_idents = 64;
        p.max_clusters = 1;
        p.max_frames = 0;
    }
    c->l = warden_link_new(&p);
    c->owner = warden_link_new_owner(c->l);
    *vctx = c;
    return 0;
}

/* Several shards: every one uses the first one's link state. */
static void link_share(void *vctx, void **slot)
{
    struct link_ctx *c = vctx;
    if (!*slot) {
        *slot = c->l;
        return;
    }
    warden_link_free(c->l);
    c->l = *slot;
    warden_link_ref(c->l);
    c->owner = warden_link_new_owner(c->l);
}

static uint32_t org_hash(const char *s, size_t n)
{
    if (!s || !n) return 0;
    uint32_t h = (uint32_t)warden_hash64(s, n);
    return h ? h : 1;
}

/* ---- identifiers ---- */

struct idset {
    enum warden_link_kind kind[16];
    uint64_t key[16];
    int n;
};

static void idset_add(struct idset *s, enum warden_link_kind k, uint64_t key)
{
    if (s->n < 16) {
        s->kind[s->n] = k;
        s->key[s->n++] = key;
    }
}

static void registry_ids(const struct link_ctx *c, const struct warden_account *a, struct idset *s)
{
    if (a->payment_fingerprint && *a->payment_fingerprint)
        idset_add(s, WARDEN_LINK_PAYMENT,
                  warden_link_key(WARDEN_LINK_PAYMENT, a->payment_fingerprint,
                                  strlen(a->payment_fingerprint)));
    if (a->email_domain && *a->email_domain) {
        size_t n = strlen(a->email_domain);
        uint64_t h = warden_domain_hash(a->email_domain, n);
        if (!warden_u64map_get(&c->webmail, h))
            idset_add(s, WARDEN_LINK_EMAIL, warden_link_key(WARDEN_LINK_EMAIL, &h, sizeof h));
    }
    if (a->has_signup_ip)
        idset_add(s, WARDEN_LINK_SIGNUP_IP,
                  warden_link_key(WARDEN_LINK_SIGNUP_IP, a->signup_ip.b, sizeof a->signup_ip.b));
    if (a->program && a->created_at_ms != INT64_MIN) {
        bool burst = false;
        for (size_t i = 0; i < c->conf.burst_programs.n && !burst; i++)
            burst = strcasecmp(a->program, c->conf.burst_programs.v[i]) == 0;
        if (burst) {
            int64_t w = c->conf.burst_window_s * 1000;
            for (int64_t phase = 0; phase < 2; phase++) {
                struct {
                    uint64_t prog;
                    int64_t bucket, phase;
                } v = {warden_domain_hash(a->program, strlen(a->program)),
                       (a->created_at_ms + phase * (w / 2)) / w, phase};
                idset_add(s, WARDEN_LINK_BURST, warden_link_key(WARDEN_LINK_BURST, &v, sizeof v));
            }
        }
    }
}

static bool restricted_cc(const struct link_ctx *c, const char *cc)
{
    return c->policy && cc[0] && warden_policy_is_restricted(c->policy, cc);
}

static bool restricted_payment(const struct link_ctx *c, const struct warden_account *a)
{
    return restricted_cc(c, a->billing_country) || restricted_cc(c, a->card_country);
}

/* The event is the account's first direct connection (no anonymizer
 * category) from a restricted jurisdiction: an exit located there says
 * nothing about who uses it. */
static bool restricted_direct(const struct link_ctx *c, const struct warden_event *ev,
                              struct link_state *st)
{
    const struct warden_ipinfo *info = ev->ipinfo;
    if ((st->flags & RSEEN) || !info || (info->categories & WARDEN_ANON_CATS) ||
        !restricted_cc(c, info->country))
        return false;
    st->flags |= RSEEN;
    return true;
}

/* The network an account signed up from: its IPv4 block of `prefix` bits
 * (signup_prefix_v4) or its IPv6 /48. */
static uint64_t signup_net_key(const struct warden_ip *ip, int64_t prefix)
{
    uint8_t net[8] = {0};
    if (warden_ip_is_v4(ip)) {
        uint32_t v = (uint32_t)ip->b[12] << 24 | (uint32_t)ip->b[13] << 16 |
                     (uint32_t)ip->b[14] << 8 | ip->b[15];
        v &= prefix >= 32 ? UINT32_MAX : ~(UINT32_MAX >> prefix);
        for (int k = 0; k < 4; k++) net[k] = (uint8_t)(v >> (24 - 8 * k));
        net[7] = (uint8_t)prefix;
    } else {
        memcpy(net, ip->b, 6);
    }
    return warden_hash64(net, sizeof net);
}

/* Exits strangers share by design: a commercial VPN, Tor, an open or a
 * residential proxy (not a cloud or hosting range, where an operation rents
 * its own machines). */
#define SHARED_EXIT                                                                                \
    (WARDEN_IPCAT_VPN | WARDEN_IPCAT_TOR | WARDEN_IPCAT_PROXY | WARDEN_IPCAT_RESIDENTIAL_PROXY)
#define RENTED (WARDEN_IPCAT_HOSTING | WARDEN_IPCAT_CLOUD)

/* A sign-up network's flags: NET_EXIT, strangers': at least one of the
 * registry's accounts signed up from it through such an exit (a residential
 * proxy's exit is one address in an ISP's /24); NET_RENTED, machines: an
 * account signed up from it from a hosting or cloud range, and none through
 * an exit (people do not live there; an operation runs its machines there). */
enum { NET_EXIT = 1, NET_RENTED = 2 };

/* The sign-up networks' (signup_net_key) flags, into m (absent: none).
 * Known from the registry and the IP intelligence alone, so that one
 * process and the Kafka workers (which tell the linking stage, which has no
 * intelligence) agree. */
static void net_flags(const struct warden_registry *reg, const struct warden_intel *intel,
                      int64_t prefix, struct warden_u64map *m)
{
    size_t n = warden_registry_n_accounts(reg);
    for (size_t i = 0; intel && i < n; i++) {
        const struct warden_account *a = warden_registry_account_at(reg, i);
        if (!a->has_signup_ip) continue;
        uint32_t cats = warden_intel_lookup(intel, &a->signup_ip)->categories;
        uint32_t f = (cats & SHARED_EXIT) ? NET_EXIT : (cats & RENTED) ? NET_RENTED : 0;
        if (!f) continue;
        uint64_t key = signup_net_key(&a->signup_ip, prefix);
        uint32_t was = warden_u64map_get(m, key);
        f |= was;
        if (f & NET_EXIT) f = NET_EXIT;
        if (f != was) warden_u64map_put(m, key, f);
    }
}

/* The key of account a's group of kind k, 0: none (webmail is no one's). */
static uint64_t pool_key(const struct link_ctx *c, const struct warden_account *a, int k)
{
    uint64_t key = 0;
    if (k == POOL_CARD && a->payment_fingerprint && *a->payment_fingerprint) {
        key = warden_hash64(a->payment_fingerprint, strlen(a->payment_fingerprint));
    } else if (k == POOL_DOMAIN && a->email_domain && *a->email_domain) {
        uint64_t h = warden_domain_hash(a->email_domain, strlen(a->email_domain));
        if (!warden_u64map_get(&c->webmail, h)) key = h;
    } else if (k == POOL_NET && a->has_signup_ip) {
        key = signup_net_key(&a->signup_ip, c->conf.signup_prefix_v4);
    }
    return key ? key : 1;
}

/* Group the registry's accounts by card, domain and sign-up network (up to
 * about 140 bytes per account, once per process). */
static struct pool_groups *pool_groups(const struct link_ctx *c, const struct warden_registry *reg,
                                       const struct warden_intel *intel)
{
    struct pool_groups *pg = warden_xcalloc(1, sizeof *pg);
    pg->wave_ms = c->conf.pool_wave_s * 1000;
    size_t n = warden_registry_n_accounts(reg), ng[POOL_KINDS];
    uint32_t *grp[POOL_KINDS]; /* account i's group (1-based) */
    uint32_t *idx[POOL_KINDS]; /* per group's places: the registry index */
    uint32_t *cnt = warden_xcalloc(n + 1, sizeof *cnt);
    uint8_t *col = warden_xcalloc(n ? n : 1, 1); /* account i is a colleague in its group */
    for (int k = 0; k < POOL_KINDS; k++) {
        warden_u64map_init(&pg->k[k].map);
        grp[k] = warden_xcalloc(n ? n : 1, sizeof *grp[k]);
        size_t g = 0;
        for (size_t i = 0; i < n; i++) {
            const struct warden_account *a = warden_registry_account_at(reg, i);
            uint64_t key = pool_key(c, a, k);
            if (key == 1 || a->reseller) continue;
            uint32_t v = warden_u64map_get(&pg->k[k].map, key);
            if (!v) warden_u64map_put(&pg->k[k].map, key, v = (uint32_t)++g);
            grp[k][i] = v;
        }
        ng[k] = g;
        /* colleagues (members declaring one organisation) stay with it */
        memset(col, 0, n ? n : 1);
        struct warden_u64map orgs;
        warden_u64map_init(&orgs);
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < n; i++) {
                const struct warden_account *a = warden_registry_account_at(reg, i);
                if (!grp[k][i] || !a->org_id || !*a->org_id) continue;
                struct {
                    uint64_t g;
                    uint32_t org;
                } v = {grp[k][i], org_hash(a->org_id, strlen(a->org_id))};
                uint64_t key = warden_hash64(&v, sizeof v);
                key = key > 1 ? key : 2;
                uint32_t m = warden_u64map_get(&orgs, key);
                if (pass == 0)
                    warden_u64map_put(&orgs, key, m + 1);
                else if (m > 1)
                    col[i] = 1;
            }
        warden_u64map_fini(&orgs);
        memset(cnt, 0, (n + 1) * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            if (grp[k][i]) cnt[grp[k][i] - 1]++;
        pg->k[k].off = warden_xcalloc(g + 1, sizeof *pg->k[k].off);
        for (size_t q = 0; q < g; q++) pg->k[k].off[q + 1] = pg->k[k].off[q] + cnt[q];
        size_t total = pg->k[k].off[g] ? pg->k[k].off[g] : 1;
        pg->k[k].acct = warden_xcalloc(total, sizeof *pg->k[k].acct);
        pg->k[k].stay = warden_xcalloc(total, 1);
        idx[k] = warden_xcalloc(total, sizeof *idx[k]);
        memset(cnt, 0, (n + 1) * sizeof *cnt);
        for (size_t i = 0; i < n; i++) {
            if (!grp[k][i]) continue;
            const struct warden_account *a = warden_registry_account_at(reg, i);
            uint32_t p = pg->k[k].off[grp[k][i] - 1] + cnt[grp[k][i] - 1]++;
            pg->k[k].acct[p] = warden_hash64(a->account_id, strlen(a->account_id));
            pg->k[k].stay[p] = col[i];
            idx[k][p] = (uint32_t)i;
        }
    }
    /* the networks' members: sign-up times, a card or domain shared with an
     * account that signed up elsewhere (each below its cap), the exit */
    size_t nn = pg->k[POOL_NET].off[ng[POOL_NET]];
    pg->created = warden_xcalloc(nn ? nn : 1, sizeof *pg->created);
    pg->elsewhere = warden_xcalloc(nn ? nn : 1, 1);
    pg->net = warden_xcalloc(ng[POOL_NET] ? ng[POOL_NET] : 1, 1);
    struct warden_u64map nets;
    warden_u64map_init(&nets);
    net_flags(reg, intel, c->conf.signup_prefix_v4, &nets);
    static const int chosen[] = {POOL_CARD, POOL_DOMAIN};
    static const enum warden_link_kind chosen_kind[] = {WARDEN_LINK_PAYMENT, WARDEN_LINK_EMAIL};
    warden_u64map_init(&pg->net_of);
    for (size_t p = 0; p < nn; p++) {
        uint32_t i = idx[POOL_NET][p], g = grp[POOL_NET][i];
        const struct warden_account *a = warden_registry_account_at(reg, i);
        pg->created[p] = a->created_at_ms;
        if (pg->k[POOL_NET].off[g] - pg->k[POOL_NET].off[g - 1] > 1)
            warden_u64map_put(&pg->net_of, pg->k[POOL_NET].acct[p], g);
        if (p == pg->k[POOL_NET].off[g - 1])
            pg->net[g - 1] = (uint8_t)warden_u64map_get(
                &nets, signup_net_key(&a->signup_ip, c->conf.signup_prefix_v4));
        for (int q = 0; q < 2 && !pg->elsewhere[p]; q++) {
            int k = chosen[q];
            uint32_t h = grp[k][i];
            if (!h) continue;
            uint32_t lo = pg->k[k].off[h - 1], hi = pg->k[k].off[h];
            if (hi - lo > c->conf.cap[chosen_kind[q]]) continue; /* a common one says nothing */
            for (uint32_t r = lo; r < hi && !pg->elsewhere[p]; r++)
                pg->elsewhere[p] = grp[POOL_NET][idx[k][r]] != g;
        }
    }
    warden_u64map_fini(&nets);
    for (int k = 0; k < POOL_KINDS; k++) {
        free(grp[k]);
        free(idx[k]);
    }
    free(col);
    free(cnt);
    return pg;
}

/* Sign-up network group g (1-based) as the pooling reads it, with the
 * network's NET_* flags f. */
static void net_group(const struct pool_groups *pg, uint32_t g, int f,
                      struct warden_link_group *grp)
{
    uint32_t off = pg->k[POOL_NET].off[g - 1];
    grp->acct = pg->k[POOL_NET].acct + off;
    grp->stay = pg->k[POOL_NET].stay + off;
    grp->n = pg->k[POOL_NET].off[g] - off;
    grp->kind = WARDEN_LINK_SIGNUP_IP;
    grp->created = pg->created + off;
    grp->elsewhere = pg->elsewhere + off;
    grp->shared_exit = (f & NET_EXIT) != 0;
    grp->rented = !grp->shared_exit && (f & NET_RENTED);
    grp->wave_ms = pg->wave_ms;
}

/* Suspect ai (registry account a) over its card's, its domain's and its
 * sign-up network's groups (warden_link_pool_with), each whatever the others
 * did: the joins must not depend on which suspect came last (the linking
 * stage meets them in another order). net: the network's NET_* flags when
 * the caller knows them (the linking stage, from the worker's observation),
 * -1: from the groups (built with the IP intelligence). j: the last join. */
static void pool_suspect(const struct link_ctx *c, const struct warden_account *a, uint32_t ai,
                         int net, struct warden_link_join *j)
{
    j->joined = false;
    const struct pool_groups *pg = c->pg;
    if (!a || !pg) return;
    for (int k = 0; k < POOL_KINDS; k++) {
        uint32_t g = warden_u64map_get(&pg->k[k].map, pool_key(c, a, k));
        if (!g) continue;
        uint32_t off = pg->k[k].off[g - 1], n = pg->k[k].off[g] - off;
        if (n < 2 || (n < (uint32_t)c->conf.suspect_group && !c->conf.pool_anchored)) continue;
        static const enum warden_link_kind kind[] = {WARDEN_LINK_PAYMENT, WARDEN_LINK_EMAIL,
                                                     WARDEN_LINK_SIGNUP_IP};
        struct warden_link_group grp = {
            .acct = pg->k[k].acct + off, .stay = pg->k[k].stay + off, .n = n, .kind = kind[k]};
        if (k == POOL_NET) {
            net_group(pg, g, net < 0 ? pg->net[g - 1] : net, &grp);
        } else {
            grp.every = true;
        }
        struct warden_link_join jk;
        warden_link_pool_with(c->l, ai, &grp, &jk);
        if (jk.joined) *j = jk;
    }
}

/* An account that is no suspect (registry account a) looks once at its
 * sign-up network: when the network's suspects have pooled it, the pooling
 * runs again from one of them (warden_link_group_suspect), so an account
 * that entered the registry after they pooled (a later sign-up, known from
 * a registry reload) is joined as it would have been then. stage: the
 * network's flags as that suspect's mark told the linking stage, else from
 * the groups. j: the last join. */
static void pool_newcomer(const struct link_ctx *c, const struct warden_account *a, bool stage,
                          struct warden_link_join *j);
static void pool_held(const struct link_ctx *c, bool stage, void (*fn)(void *, uint32_t),
                      void *ctx);

static int link_attach(void *vctx, const struct warden_registry *reg,
                       const struct warden_intel *intel)
{
    struct link_ctx *c = vctx;
    if (c->remote) { /* the linking stage links the registry; it is told of exits */
        net_flags(reg, intel, c->conf.signup_prefix_v4, &c->exits);
        return 0;
    }
    if (c->conf.suspect_min > 0 && c->conf.suspect_group > 0) {
        warden_link_lock(c->l); /* built by the first shard, shared by the others */
        if (!warden_link_attachment(c->l))
            warden_link_attach(c->l, pool_groups(c, reg, intel), pool_groups_free);
        c->pg = warden_link_attachment(c->l);
        warden_link_unlock(c->l);
    }
    if (!warden_link_first(c->l, 0)) return 0; /* another shard loaded it */
    size_t n = warden_registry_n_accounts(reg);
    warden_link_lock(c->l);
    /* pass 0 counts every identifier's accounts; pass 1 links with the final counts */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            const struct warden_account *a = warden_registry_account_at(reg, i);
            struct idset s = {.n = 0};
            registry_ids(c, a, &s);
            if (!s.n && !a->reseller) continue;
            size_t len = strlen(a->account_id);
            int64_t t = a->created_at_ms == INT64_MIN ? 0 : a->created_at_ms;
            uint32_t ai = warden_link_account(
                c->l, warden_hash64(a->account_id, len), a->account_id, len,
                org_hash(a->org_id, a->org_id ? strlen(a->org_id) : 0), t, WARDEN_LINK_NO_OWNER);
            for (int k = 0; k < s.n; k++)
                warden_link_use(c->l, ai, s.kind[k], s.key[k], t, pass == 0, NULL);
            if (pass == 1 && restricted_payment(c, a)) warden_link_mark_restricted(c->l, ai);
            if (a->reseller) warden_link_mark_reseller(c->l, ai);
        }
    }
    pool_held(c, false, NULL, NULL); /* a state loaded with its marks: the registry's joins */
    warden_link_unlock(c->l);
    return 0;
}

/* Template slots: returns a slot index whose sketch just reached template_min.
 * A new sketch takes an empty slot; when there is none, one new sketch in
 * ADMIT (drawn from the whole prompt's hash, so each occurrence of a frame
 * around a new payload draws afresh) replaces the oldest slot still at
 * count 1: a one-off then stays for about TSLOTS * ADMIT new sketches, long
 * enough for a frame diluted by cover prompts to recur, and a slot whose
 * sketch has repeated is never replaced (the new sketch is dropped). */
#define ADMIT 8
static int template_update(const struct link_conf *k, struct link_user *st, uint64_t sk,
                           uint8_t end, uint64_t draw)
{
    int best = -1, victim = -1;
    for (int i = 0; i < TSLOTS; i++) {
        if (st->tcount[i] && st->tend[i] == end &&
            warden_distill_hamming(st->tsk[i], sk) <= (int)k->template_max_hamming) {
            best = i;
            break;
        }
        if (st->tcount[i] > 1) continue;
        if (victim < 0 ||
            (st->tcount[victim] && (!st->tcount[i] || (uint8_t)(st->tnext - st->tseq[i]) >
                                                          (uint8_t)(st->tnext - st->tseq[victim]))))
            victim = i;
    }
    if (best < 0) {
        if (victim < 0 || (st->tcount[victim] && draw % ADMIT)) return -1;
        best = victim;
        st->tsk[best] = sk;
        st->tend[best] = end;
        st->tcount[best] = 0;
        st->tseq[best] = st->tnext++;
        st->published &= (uint8_t) ~(1u << best);
    }
    if (st->tcount[best] < 255) st->tcount[best]++;
    if (st->tcount[best] >= k->template_min && !(st->published & (1u << best))) {
        st->published |= (uint8_t)(1u << best);
        return best;
    }
    return -1;
}

/* Network and client identifiers of an event, when they differ from the
 * last ones fed; *scan: the prompt is to be sketched (into t). */
static void event_ids(const struct link_ctx *c, const struct warden_event *ev,
                      struct link_state *st, struct idset *s, struct warden_emit *em,
                      struct warden_distill_text *own, const struct warden_distill_text **t,
                      bool *scan)
{
    const struct link_conf *k = &c->conf;
    if (!ev->late) {
        struct {
            uint8_t net[8];
            int64_t window;
        } v;
        memset(&v, 0, sizeof v);
        if (warden_ip_is_v4(&ev->ip))
            memcpy(v.net, ev->ip.b + 12, 3);
        else
            memcpy(v.net, ev->ip.b, 6);
        v.window = ev->ts_ms / (k->net_window_s * 1000);
        uint64_t key = warden_link_key(WARDEN_LINK_NET, &v, sizeof v);
        if ((uint32_t)key != st->last_net) {
            st->last_net = (uint32_t)key;
            idset_add(s, WARDEN_LINK_NET, key);
        }
    }
    if (ev->user_agent.n || ev->tls_ja4.n) {
        uint64_t h = warden_hash64(ev->user_agent.p ? ev->user_agent.p : "", ev->user_agent.n);
        h = warden_hash64_seed(ev->tls_ja4.p ? ev->tls_ja4.p : "", ev->tls_ja4.n, h);
        uint64_t v[2] = {h, ev->ipinfo ? ev->ipinfo->asn : 0};
        uint64_t key = warden_link_key(WARDEN_LINK_CLIENT, v, sizeof v);
        if ((uint16_t)key != st->last_client) {
            st->last_client = (uint16_t)key;
            idset_add(s, WARDEN_LINK_CLIENT, key);
        }
    }
    *scan = ev->prompt.n && (st->prompts < k->template_prompts ||
                             (!(st->flags & PUBLISHED) && st->prompts < k->template_budget));
    if (!*scan) return;
    st->prompts++;
    *t = warden_emit_text(em, ev, own);
}

/* A frame: an end's sketch (1 head, 2 tail). Its key in the frame-sender
 * count and the identifiers of its LSH bands. */
static uint64_t frame_key(uint64_t sk, unsigned end)
{
    uint64_t v[2] = {sk, 0x10000u | end};
    return warden_link_key(WARDEN_LINK_TEMPLATE, v, sizeof v);
}

static uint64_t band_key(uint64_t sk, unsigned end, unsigned b)
{
    uint64_t v[2] = {(sk >> (16 * b)) & 0xffff, ((uint64_t)b << 8) | end};
    return warden_link_key(WARDEN_LINK_TEMPLATE, v, sizeof v);
}

/* The frames of a sketched prompt: the ends it sent (each counted once per
 * account among the frame's senders) and the template slots it made
 * recur template_min times (published: their bands link). */
struct frames {
    uint64_t sent[2], pub[2];
    uint8_t sent_end[2], pub_end[2];
    int nsent, npub;
};

/* Template identifiers from a sketched prompt (under the lock: the slots
 * live in the link table): the system prompt into s, the frames into f. */
static void template_ids(const struct link_conf *k, struct link_user *u,
                         const struct warden_distill_text *t, struct idset *s,
                         struct link_state *st, struct frames *f)
{
    f->nsent = f->npub = 0;
    if (t->system_hash && t->system_hash != u->last_system) {
        u->last_system = t->system_hash;
        uint64_t v[2] = {t->system_hash, 3};
        idset_add(s, WARDEN_LINK_SYSTEM, warden_link_key(WARDEN_LINK_SYSTEM, v, sizeof v));
    }
    if (t->ntokens < 2 * WARDEN_DISTILL_EDGE) return; /* too short for a frame and a payload */
    /* the same prompt again (an SDK's retry after an error, an answer
     * regenerated) is no frame around a new payload: not counted */
    uint16_t ph = (uint16_t)(t->prompt_hash >> 48) | 1;
    if (ph == u->last_prompt) return;
    u->last_prompt = ph;
    uint64_t sk[2] = {t->head_sketch, t->tail_sketch};
    for (uint8_t end = 1; end <= 2; end++) {
        f->sent[f->nsent] = sk[end - 1];
        f->sent_end[f->nsent++] = end;
        int slot = template_update(k, u, sk[end - 1], end, t->prompt_hash >> (8 * end));
        if (slot < 0) continue;
        f->pub[f->npub] = u->tsk[slot];
        f->pub_end[f->npub++] = end;
    }
    if (warden_distill_popcount(u->published) >= 2)
        st->flags |= PUBLISHED; /* both ends, or two frames */
}

/* A frame published by the account at ai: its bands meet the accounts that
 * published them, weighed by the larger of each band's publishers and the
 * frame's senders. Returns whether one joined (j, *key: the last that did). */
static bool frame_bands(struct warden_link *l, uint32_t ai, uint64_t sk, unsigned end,
                        int64_t ts_ms, struct warden_link_join *j, uint64_t *key)
{
    double senders = warden_link_frame_senders(l, frame_key(sk, end));
    bool joined = false;
    struct warden_link_join b;
    for (unsigned k = 0; k < BANDS; k++) {
        uint64_t bk = band_key(sk, end, k);
        warden_link_use_frame(l, ai, bk, ts_ms, senders, &b);
        if (b.joined) {
            *j = b;
            *key = bk;
            joined = true;
        }
    }
    if (!joined) *j = b;
    return joined;
}

/* ---- findings ---- */

static const char *edge_code(unsigned kinds)
{
    if (kinds & WARDEN_LINK_WORDING) return "cluster.shared_templates";
    if (kinds & (1u << WARDEN_LINK_PAYMENT)) return "cluster.shared_payment";
    if (kinds &
        ((1u << WARDEN_LINK_BURST) | (1u << WARDEN_LINK_SIGNUP_IP) | (1u << WARDEN_LINK_EMAIL)))
        return "cluster.shared_signup";
    return "cluster.shared_infrastructure";
}

static void cluster_name(uint64_t seq, char *buf, size_t n)
{
    snprintf(buf, n, "lk-%llu", (unsigned long long)seq);
}

static void kinds_obj(struct warden_jbuf *b, const uint32_t *kind_edges)
{
    warden_jbuf_key(b, "cluster_edge_kinds");
    warden_jbuf_obj_open(b);
    for (int k = 0; k < NK; k++)
        if (kind_edges[k]) warden_jbuf_kv_int(b, warden_link_kind_names[k], kind_edges[k]);
    warden_jbuf_obj_close(b);
}

/* What an account is due after a batch of link operations (decided under
 * the lock, emitted after it). */
struct due {
    struct warden_link_cluster info;
    bool set_cluster; /* the cluster changed since it was last handed on */
    int linked;       /* 0, or the level of cluster.linked_to_actioned to emit (1, 2) */
    bool restricted;  /* cluster.linked_restricted to emit */
    bool pooled;      /* cluster.harvest_pooled to emit */
};

#define FLAG_RESTRICTED 4 /* in the flag mark: cluster.linked_restricted emitted */
#define FLAG_POOLED 8     /* in the flag mark: cluster.harvest_pooled emitted */

/* A harvest sustained across members tied by more than wording (link.h). */
static bool harvest_sustained(const struct warden_link_cluster *ci, int64_t harvest_members)
{
    return harvest_members > 0 && warden_link_sustained(ci, (uint32_t)harvest_members);
}

/* Harvesting evidence held below every rule in suspect_members members or
 * more, and in most of the cluster's members: pooled, one harvest. (A few
 * heavy reasoning-model users among colleagues on one card are not most.) */
static bool pooled_cluster(const struct warden_link_cluster *ci, const struct link_conf *k)
{
    return k->suspect_min > 0 && k->suspect_members > 0 && ci->suspect >= k->suspect_members &&
           2 * (uint32_t)ci->suspect > ci->size;
}

static void decide(struct warden_link *l, uint32_t ai, struct due *d, const struct link_conf *k)
{
    int64_t harvest_members = k->harvest_members;
    warden_link_cluster_of(l, ai, &d->info);
    uint64_t *seq = warden_link_seq_mark(l, ai);
    uint8_t *flag = warden_link_flag_mark(l, ai);
    d->set_cluster = d->info.seq != *seq;
    *seq = d->info.seq;
    uint32_t others = d->info.actioned - (d->info.self_actioned ? 1 : 0);
    uint32_t others_enf = d->info.enforced - (d->info.self_enforced ? 1 : 0);
    bool sustained = harvest_sustained(&d->info, harvest_members);
    int level = !d->info.seq ? 0 : others_enf || sustained ? 2 : others ? 1 : 0;
    int done = *flag & 3;
    d->linked = level > done ? level : 0;
    if (level > done) *flag = (uint8_t)((*flag & ~3) | level);
    uint32_t others_res = d->info.restricted - (d->info.self_restricted ? 1 : 0);
    d->restricted = d->info.seq && others_res && !(*flag & FLAG_RESTRICTED);
    if (d->restricted) *flag |= FLAG_RESTRICTED;
    /* harvesting evidence held below every rule in each of several members */
    d->pooled = d->info.seq && pooled_cluster(&d->info, k) && !(*flag & FLAG_POOLED);
    if (d->pooled) *flag |= FLAG_POOLED;
}

/* cluster.harvest_pooled: several members carry harvesting evidence of
 * their own, each held below every rule or not */
static void emit_pooled(const struct link_ctx *c, struct warden_emit *em, const char *id,
                        size_t len, const struct due *d, const char *name)
{
    struct warden_jbuf *b = &em->scratch;
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "cluster_id", name);
    warden_jbuf_kv_int(b, "members", d->info.size);
    warden_jbuf_kv_int(b, "suspect_members", d->info.suspect);
    warden_jbuf_kv_num(b, "suspect_min", c->conf.suspect_min);
    warden_jbuf_kv_int(b, "actioned_members", d->info.actioned);
    kinds_obj(b, d->info.kind_edges);
    warden_jbuf_obj_close(b);
    warden_emit_finding_for(em, id, len, "cluster.harvest_pooled", c->conf.pooled_score,
                            warden_jbuf_str(b));
}

/* cluster.linked_to_actioned, or (restricted) cluster.linked_restricted */
static void emit_linked(const struct link_ctx *c, struct warden_emit *em, const char *id,
                        size_t len, const struct due *d, const char *name, bool restricted)
{
    if (restricted && c->conf.linked_restricted <= 0) return;
    struct warden_jbuf *b = &em->scratch;
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "cluster_id", name);
    warden_jbuf_kv_int(b, "members", d->info.size);
    if (restricted) {
        warden_jbuf_kv_int(b, "restricted_members", d->info.restricted);
    } else {
        warden_jbuf_kv_int(b, "actioned_members", d->info.actioned);
        warden_jbuf_kv_int(b, "enforced_members", d->info.enforced);
        if (d->info.harvest) warden_jbuf_kv_int(b, "harvest_members", d->info.harvest);
        warden_jbuf_kv_num(b, "cluster_score", d->info.score);
    }
    kinds_obj(b, d->info.kind_edges);
    warden_jbuf_obj_close(b);
    double score = restricted       ? c->conf.linked_restricted
                   : d->linked == 2 ? c->conf.linked_enforced
                                    : c->conf.linked_review;
    warden_emit_finding_for(em, id, len,
                            restricted ? "cluster.linked_restricted" : "cluster.linked_to_actioned",
                            score, warden_jbuf_str(b));
}

static void set_memory_counter(struct link_ctx *c, struct warden_emit *em)
{
    if (c->counters_set || !em->counters) return;
    c->counters_set = true;
    c->cid_mem = warden_counter_register(em->counters, "link.memory_bytes",
                                         "bytes of the cross-account linking state (fixed)");
    /* one state for every shard: counted once */
    if (c->owner == 0) em->counters->v[c->cid_mem] = warden_link_memory_bytes(c->l);
}

/* The account's action on its own evidence (every reason but this
 * detector's); *changed when it rose since the account's last event. */
static enum warden_action own_action(const struct warden_event *ev, struct link_state *st,
                                     struct warden_emit *em, bool *changed)
{
    enum warden_action own =
        OWN(st) >= WARDEN_THROTTLE
            ? OWN(st)
            : em->action_of(em, ev->account_id.p, ev->account_id.n, WARDEN_NOT_OWN_EVIDENCE);
    *changed = own > OWN(st);
    if (*changed) st->flags = (uint8_t)((st->flags & ~3) | (own & 3));
    return own;
}

/* Whether the account is newly actioned on its own harvesting evidence
 * (once: the HARVEST flag); own is its action on all its own evidence. */
static bool own_harvest(const struct warden_event *ev, struct link_state *st,
                        struct warden_emit *em, enum warden_action own)
{
    if (own < WARDEN_REVIEW || (st->flags & HARVEST) || !em->action_from) return false;
    if (em->action_from(em, ev->account_id.p, ev->account_id.n, HARVEST_CODES, HARVEST_NOT_OWN) <
        WARDEN_REVIEW)
        return false;
    st->flags |= HARVEST;
    return true;
}

/* Whether the account newly carries harvesting evidence of its own from
 * suspect_min (once: the SUSPECT flag), held below every rule or not. */
static bool own_suspect(const struct link_ctx *c, const struct warden_event *ev,
                        struct link_state *st, struct warden_emit *em)
{
    if (c->conf.suspect_min <= 0 || (st->flags & SUSPECT) || !em->score_from) return false;
    if (em->score_from(em, ev->account_id.p, ev->account_id.n, HARVEST_CODES, HARVEST_NOT_OWN) <
        c->conf.suspect_min)
        return false;
    st->flags |= SUSPECT;
    return true;
}

static uint32_t event_org(const struct warden_event *ev)
{
    const char *org = ev->account && ev->account->org_id ? ev->account->org_id : ev->org_id.p;
    size_t org_n = ev->account && ev->account->org_id ? strlen(org) : ev->org_id.n;
    return org_hash(org, org_n);
}

/* Hand on what an account is due: its cluster id, a cluster.shared_*
 * finding (naming the joining edge when j->joined) and
 * cluster.linked_to_actioned. current: the account is the event's. */
static void emit_due(const struct link_ctx *c, struct warden_emit *em, const char *id, size_t len,
                     const struct due *d, const struct warden_link_notice *j, bool current)
{
    if (!d->set_cluster && !d->linked && !d->restricted && !d->pooled) return;
    char name[32];
    cluster_name(d->info.seq, name, sizeof name);
    if (d->set_cluster) warden_emit_set_cluster(em, id, len, d->info.seq ? name : NULL);
    if (d->set_cluster && d->info.seq) {
        struct warden_jbuf *b = &em->scratch;
        warden_jbuf_reset(b);
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_str(b, "cluster_id", name);
        warden_jbuf_kv_int(b, "members", d->info.size);
        if (j->joined) {
            char hex[17];
            snprintf(hex, sizeof hex, "%016llx", (unsigned long long)j->key);
            warden_jbuf_kv_str(b, "via", warden_link_kind_names[j->via]);
            if (j->key) { /* a join on an action names no one identifier */
                warden_jbuf_kv_str(b, "identifier", hex);
                warden_jbuf_kv_num(b, "accounts_sharing", j->distinct);
            }
            if (j->kinds & WARDEN_LINK_CO_ACTIONED) warden_jbuf_kv_bool(b, "co_actioned", true);
            if (j->kinds & WARDEN_LINK_POOLED) warden_jbuf_kv_bool(b, "pooled", true);
            warden_jbuf_kv_num(b, "pair_weight", j->pair_weight);
            warden_jbuf_key(b, "edge_kinds");
            warden_jbuf_arr_open(b);
            for (int k = 0; k < NK; k++)
                if (j->kinds & (1u << k)) warden_jbuf_cstr(b, warden_link_kind_names[k]);
            warden_jbuf_arr_close(b);
        } else {
            warden_jbuf_kv_str(b, "via", "registry");
        }
        kinds_obj(b, d->info.kind_edges);
        warden_jbuf_obj_close(b);
        unsigned kinds = j->joined ? j->kinds : 0;
        if (!kinds)
            for (int k = 0; k < NK; k++)
                if (d->info.kind_edges[k]) kinds |= 1u << k;
        if (current)
            warden_emit_finding(em, edge_code(kinds), c->conf.edge_score, warden_jbuf_str(b));
        else
            warden_emit_finding_for(em, id, len, edge_code(kinds), c->conf.edge_score,
                                    warden_jbuf_str(b));
    }
    if (d->linked) emit_linked(c, em, id, len, d, name, false);
    if (d->restricted) emit_linked(c, em, id, len, d, name, true);
    if (d->pooled) emit_pooled(c, em, id, len, d, name);
}

/* Frames as observations of a kind: key the sketch, level its end. */
static void publish_frames(const struct link_ctx *c, struct warden_link_obs *o, int kind,
                           const uint64_t *sk, const uint8_t *end, int n)
{
    for (int k = 0; k < n; k++) {
        o->kind = kind;
        o->key = sk[k];
        o->level = end[k];
        c->remote->publish(c->remote->ctx, o);
    }
    o->level = 0;
}

/* Remote mode: the identifiers and own action changes leave the process;
 * membership comes back through link_flush(). */
static void remote_observe(struct link_ctx *c, const struct warden_event *ev, struct link_state *st,
                           struct warden_emit *em)
{
    struct idset s;
    s.n = 0;
    struct warden_distill_text tbuf;
    const struct warden_distill_text *t = NULL;
    bool scan, own_changed;
    event_ids(c, ev, st, &s, em, &tbuf, &t, &scan);
    enum warden_action own = own_action(ev, st, em, &own_changed);
    bool harvest = own_harvest(ev, st, em, own);
    bool suspect = own_suspect(c, ev, st, em);
    struct warden_link_obs o = {
        ev->account_id.p, ev->account_id.n, event_org(ev), ev->ts_ms, 0, 0, 0};
    struct frames f = {.nsent = 0, .npub = 0};
    if (scan) {
        warden_link_lock(c->l);
        uint32_t ai = warden_link_account(c->l, ev->account_hash, ev->account_id.p,
                                          ev->account_id.n, o.org, ev->ts_ms, c->owner);
        template_ids(&c->conf, warden_link_user(c->l, ai), t, &s, st, &f);
        warden_link_unlock(c->l);
    }
    /* in the order link_observe applies them: frames sent, identifiers,
     * frames published (the stage derives their bands: frame_bands) */
    publish_frames(c, &o, WARDEN_LINK_OBS_SENT, f.sent, f.sent_end, f.nsent);
    for (int k = 0; k < s.n; k++) {
        o.kind = (int)s.kind[k];
        o.key = s.key[k];
        c->remote->publish(c->remote->ctx, &o);
    }
    publish_frames(c, &o, WARDEN_LINK_TEMPLATE, f.pub, f.pub_end, f.npub);
    if (own_changed && own >= WARDEN_REVIEW) {
        o.kind = -1;
        o.key = 0;
        o.level = own >= WARDEN_THROTTLE ? 2 : 1;
        c->remote->publish(c->remote->ctx, &o);
    }
    if (harvest) {
        o.kind = -1;
        o.key = 0;
        o.level = 3;
        c->remote->publish(c->remote->ctx, &o);
    }
    if (suspect) {
        o.kind = -1;
        /* key: its sign-up network's NET_* flags (net_flags; the stage has no
         * IP intelligence): 1 a public anonymizer's exit, 2 rented, 0 neither.
         * A stage of a build that knew only 1 reads any flag as an exit
         * (suspects only): the cautious reading */
        o.key = ev->account && ev->account->has_signup_ip
                    ? warden_u64map_get(&c->exits, signup_net_key(&ev->account->signup_ip,
                                                                  c->conf.signup_prefix_v4))
                    : 0;
        o.level = 4;
        c->remote->publish(c->remote->ctx, &o);
    }
    if (restricted_direct(c, ev, st)) {
        o.kind = WARDEN_LINK_OBS_RESTRICTED;
        o.key = 0;
        o.level = 0;
        c->remote->publish(c->remote->ctx, &o);
    }
}

/* A join made by the accounts' own evidence (an action, harvesting
 * evidence pooled), not by one identifier: the finding names no identifier. */
static struct warden_link_notice joined_on_evidence(const struct warden_link_join *j)
{
    return (struct warden_link_notice){.joined = true,
                                       .via = j->via,
                                       .key = 0,
                                       .kinds = j->kinds,
                                       .distinct = 0,
                                       .pair_weight = j->pair_weight};
}

static void link_observe(void *vctx, const struct warden_event *ev, void *vstate,
                         struct warden_emit *em)
{
    struct link_ctx *c = vctx;
    struct link_state *st = vstate;
    set_memory_counter(c, em);
    if (c->remote) {
        remote_observe(c, ev, st, em);
        return;
    }
    struct idset s; /* (only n set: the arrays are filled up to it) */
    s.n = 0;
    struct warden_distill_text tbuf;
    const struct warden_distill_text *t = NULL;
    bool scan, own_changed;
    event_ids(c, ev, st, &s, em, &tbuf, &t, &scan);
    if (scan && t->ntokens >= 2 * WARDEN_DISTILL_EDGE) { /* counted below (frame senders) */
        warden_link_frame_prefetch(c->l, frame_key(t->head_sketch, 1));
        warden_link_frame_prefetch(c->l, frame_key(t->tail_sketch, 2));
    }
    enum warden_action own = own_action(ev, st, em, &own_changed);
    bool harvest = own_harvest(ev, st, em, own);
    bool suspect = own_suspect(c, ev, st, em);
    bool res = restricted_direct(c, ev, st);
    /* once in the registry, an account looks at its sign-up network once */
    bool newcomer = !(st->flags & LOOKED) && ev->account && ev->account->has_signup_ip && c->pg;

    /* nothing to feed, nothing new about itself, in no cluster and not
     * touched by a join since: the link table has nothing for it */
    if (!s.n && !scan && !own_changed && !harvest && !suspect && !res && !newcomer &&
        !(st->flags & CLUSTERED) && !warden_link_maybe_changed(c->l, ev->account_hash))
        return;
    struct due d;
    struct warden_link_join j;
    struct warden_link_notice joined; /* read only when .joined */
    joined.joined = false;
    warden_link_lock(c->l);
    uint32_t ai = warden_link_account(c->l, ev->account_hash, ev->account_id.p, ev->account_id.n,
                                      event_org(ev), ev->ts_ms, c->owner);
    if (ev->account && ev->account->reseller) warden_link_mark_reseller(c->l, ai);
    struct frames f = {.nsent = 0, .npub = 0};
    if (scan) template_ids(&c->conf, warden_link_user(c->l, ai), t, &s, st, &f);
    for (int k = 0; k < f.nsent; k++)
        warden_link_frame_sent(c->l, ai, frame_key(f.sent[k], f.sent_end[k]), ev->ts_ms);
    for (int k = 0; k < s.n; k++) {
        warden_link_use(c->l, ai, s.kind[k], s.key[k], ev->ts_ms, false, &j);
        if (j.joined) {
            joined = (struct warden_link_notice){.joined = true,
                                                 .via = (int)s.kind[k],
                                                 .key = s.key[k],
                                                 .kinds = j.kinds,
                                                 .distinct = j.distinct,
                                                 .pair_weight = j.pair_weight};
        }
    }
    for (int k = 0; k < f.npub; k++) {
        uint64_t key;
        if (frame_bands(c->l, ai, f.pub[k], f.pub_end[k], ev->ts_ms, &j, &key))
            joined = (struct warden_link_notice){.joined = true,
                                                 .via = WARDEN_LINK_TEMPLATE,
                                                 .key = key,
                                                 .kinds = j.kinds,
                                                 .distinct = j.distinct,
                                                 .pair_weight = j.pair_weight};
    }
    if (own_changed && own >= WARDEN_REVIEW) {
        warden_link_mark_actioned(c->l, ai, own >= WARDEN_THROTTLE, &j);
        if (j.joined) joined = joined_on_evidence(&j); /* a neighbour actioned too (co_actioned) */
    }
    if (harvest) {
        warden_link_mark_harvest(c->l, ai, &j);
        if (j.joined) joined = joined_on_evidence(&j); /* a frame with a neighbour harvesting too */
    }
    /* its harvesting or its enforcement mark may make it a harvester that
     * pools the suspects of its groups (warden_link_pool_with) */
    bool anchor = harvest || (own_changed && own >= WARDEN_THROTTLE);
    if (suspect || (anchor && (st->flags & SUSPECT)) || (s.n && (st->flags & SUSPECT))) {
        if (suspect) {
            warden_link_mark_suspect(c->l, ai, &j);
            if (j.joined)
                joined = joined_on_evidence(&j); /* a frame with a neighbour harvesting too */
        }
        /* a suspect in no cluster looks again when it feeds identifiers */
        if (suspect || anchor || !(st->flags & CLUSTERED)) {
            pool_suspect(c, ev->account, ai, -1, &j);
            if (j.joined) joined = joined_on_evidence(&j); /* most of a card, domain or network */
        }
    }
    if (newcomer) {
        st->flags |= LOOKED;
        if (!(st->flags & SUSPECT) && !warden_link_clustered(c->l, ai))
            pool_newcomer(c, ev->account, false, &j); /* joined: reported as the registry's */
    }
    if (res) warden_link_mark_restricted(c->l, ai);
    pool_held(c, false, NULL, NULL); /* the members learn at their next request */
    decide(c->l, ai, &d, &c->conf);
    warden_link_unlock(c->l);
    st->flags = (uint8_t)(d.info.seq ? st->flags | CLUSTERED : st->flags & ~CLUSTERED);
    emit_due(c, em, ev->account_id.p, ev->account_id.n, &d, &joined, true);
}

/* The account's entry in the link table is a cache miss or two (a large
 * table hit at random): start them while the other detectors work, when
 * link_observe() will look the account up (its first template_prompts
 * prompts, up to template_budget until it has published two slots, or it
 * is in a cluster; a new identifier is not known yet). */
static void link_prefetch(void *vctx, const struct warden_event *ev, const void *vstate, int stage)
{
    struct link_ctx *c = vctx;
    const struct link_state *st = vstate;
    if (stage == 1 && st->prompts >= c->conf.template_prompts &&
        ((st->flags & PUBLISHED) || st->prompts >= c->conf.template_budget) &&
        !(st->flags & CLUSTERED))
        return;
    warden_link_prefetch(c->l, ev->account_hash, stage);
}

/* ---- end of run ---- */

struct pending {
    char id[WARDEN_LINK_MAX_ID + 1];
    size_t len;
    struct due d;
};

struct flush_walk {
    struct link_ctx *c;
    struct pending *v;
    size_t n, cap;
};

static void flush_account(void *ctx, uint32_t ai, const char *id, size_t len, unsigned owner)
{
    struct flush_walk *w = ctx;
    bool mine = owner == w->c->owner || (owner == WARDEN_LINK_NO_OWNER && w->c->owner == 0);
    if (!mine || !len) return;
    struct due d;
    uint8_t flag_before = *warden_link_flag_mark(w->c->l, ai);
    uint64_t seq_before = *warden_link_seq_mark(w->c->l, ai);
    decide(w->c->l, ai, &d, &w->c->conf);
    /* an account that sent no event is named only when its cluster was actioned */
    if (owner == WARDEN_LINK_NO_OWNER && !d.linked && !d.restricted && !d.pooled) {
        *warden_link_flag_mark(w->c->l, ai) = flag_before;
        *warden_link_seq_mark(w->c->l, ai) = seq_before;
        return;
    }
    if (!d.set_cluster && !d.linked && !d.restricted && !d.pooled) return;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        w->v = warden_xrealloc(w->v, w->cap * sizeof *w->v);
    }
    struct pending *p = &w->v[w->n++];
    memcpy(p->id, id, len);
    p->id[len] = '\0';
    p->len = len;
    p->d = d;
    if (owner == WARDEN_LINK_NO_OWNER) p->d.set_cluster = true;
}

/* A cluster's record as clusters.jsonl has it (formats.md), to fn. */
static void cluster_record(const struct link_ctx *c, const struct warden_link_cluster *ci,
                           const char *const *ids, size_t n,
                           void (*fn)(void *ctx, const struct warden_cluster_record *r), void *ctx)
{
    char name[32];
    cluster_name(ci->seq, name, sizeof name);
    uint64_t kind_edges[NK];
    for (int k = 0; k < NK; k++) kind_edges[k] = ci->kind_edges[k];
    bool sustained = harvest_sustained(ci, c->conf.harvest_members);
    double score = ci->enforced || sustained ? c->conf.linked_enforced
                   : ci->actioned            ? c->conf.linked_review
                                             : 0;
    struct warden_cluster_record r = {
        .cluster_id = name,
        .members = ci->size,
        .ids = ids,
        .n_ids = n,
        .kinds = warden_link_kind_names,
        .kind_edges = kind_edges,
        .n_kinds = NK,
        .edges = ci->edges,
        .actioned = ci->actioned,
        .enforced = ci->enforced,
        .harvest = ci->harvest,
        .score = ci->score,
        .action = ci->actioned
                      ? warden_policy_decide(c->policy, "cluster.linked_to_actioned", score)
                      : WARDEN_ALLOW,
    };
    const struct link_conf *k = &c->conf;
    if (pooled_cluster(ci, k)) {
        enum warden_action a =
            warden_policy_decide(c->policy, "cluster.harvest_pooled", k->pooled_score);
        if (a > r.action) r.action = a;
    }
    fn(ctx, &r);
}

static void emit_cluster(void *ctx, const struct warden_cluster_record *r)
{
    struct warden_emit *em = ctx;
    em->cluster_record(em, r);
}

struct cluster_walk {
    struct link_ctx *c;
    struct warden_emit *em;
};

static void flush_cluster(void *ctx, const struct warden_link_cluster *ci, const char *const *ids,
                          size_t n)
{
    struct cluster_walk *w = ctx;
    cluster_record(w->c, ci, ids, n, emit_cluster, w->em);
}

static void link_flush(void *vctx, struct warden_emit *em)
{
    struct link_ctx *c = vctx;
    set_memory_counter(c, em);
    if (c->remote) { /* a membership notice from the linking stage, if one is set */
        const struct warden_link_notice *n = c->remote->notice;
        if (n) {
            struct due d = {n->info, n->set_cluster, n->linked, n->linked_restricted, n->pooled};
            emit_due(c, em, n->account_id, n->len, &d, n, false);
        }
        return;
    }
    struct flush_walk w = {c, NULL, 0, 0};
    warden_link_lock(c->l);
    warden_link_foreach_account(c->l, flush_account, &w);
    if (c->owner == 0 && em->cluster_record) {
        struct cluster_walk cw = {c, em};
        warden_link_foreach_cluster(c->l, (size_t)c->conf.max_member_ids, flush_cluster, &cw);
    }
    struct warden_link_stats ls;
    warden_link_stats(c->l, &ls);
    warden_link_unlock(c->l);
    /* as at an event (and as a linking stage's notice): the cluster id, its
     * cluster.shared_* finding, cluster.linked_* (an account joined after
     * its last event, by another's identifier or action, is explained too) */
    struct warden_link_notice none;
    memset(&none, 0, sizeof none);
    for (size_t i = 0; i < w.n; i++)
        emit_due(c, em, w.v[i].id, w.v[i].len, &w.v[i].d, &none, false);
    free(w.v);
    if (c->owner == 0 && em->counters) {
        static const char *const names[4][2] = {
            {"link.clusters", "linked-account clusters at the end of the run"},
            {"link.joins", "account pairs joined into clusters"},
            {"link.accounts_replaced", "accounts replaced in the full linking table"},
            {"link.clusters_dropped", "joins dropped: the cluster table was full"},
        };
        uint64_t v[4] = {ls.clusters, ls.joins, ls.accounts_replaced, ls.clusters_dropped};
        for (int i = 0; i < 4; i++)
            em->counters->v[warden_counter_register(em->counters, names[i][0], names[i][1])] = v[i];
    }
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const link_codes[] = {
    "cluster.linked_to_actioned", "cluster.harvest_pooled",
    "cluster.shared_templates",   "cluster.shared_payment",
    "cluster.shared_signup",      "cluster.shared_infrastructure",
    "cluster.linked_restricted",  NULL};

/* Snapshots: the link state, shared by the shards, saved once. */
static int link_save(void *vctx, struct warden_snapwriter *w)
{
    struct link_ctx *c = vctx;
    return warden_link_save(c->l, w);
}

static int link_load(void *vctx, struct warden_snapreader *r)
{
    struct link_ctx *c = vctx;
    const struct warden_snap_layout *lay = warden_snap_layout(r);
    return warden_link_load(c->l, r, lay->shards, lay->saved_shards != lay->shards);
}

const struct warden_detector warden_detect_link = {
    .name = "link",
    .description = "hydra clusters: accounts linked by shared infrastructure, payment, sign-up "
                   "and prompt templates; an actioned member acts on its whole cluster",
    .conf_table = link_conf_table,
    .conf_size = sizeof(struct link_conf),
    .state_size = sizeof(struct link_state),
    .init = link_init,
    .observe = link_observe,
    .flush = link_flush,
    .free = link_free,
    .attach_registry = link_attach,
    .share = link_share,
    .state_version = 1,
    .save = link_save,
    .load = link_load,
    .codes = link_codes,
    .prefetch = link_prefetch,
};

/* ---- the linking stage (link/remote.h) ---- */

/* Per account in the stage's table (warden_link_user; the template slots are
 * the workers'): the events partition it was last seen in, + 1, and a suspect's exit. */
struct stage_user {
    int32_t part1;
    /* a suspect's sign-up network as its mark told: 0 not told, 1 own, 2 a
     * public anonymizer's exit, 3 own and rented (NET_RENTED) */
    int8_t exit;
    uint8_t looked; /* a newcomer looked at its network's pooling (pool_newcomer) */
};
_Static_assert(sizeof(struct stage_user) <= WARDEN_LINK_USER_BYTES, "stage_user too big");

/* The NET_* flags of a suspect's sign-up network as its mark told the
 * stage; not told: an exit's (the network's suspects only). */
static int stage_net(const struct stage_user *u)
{
    return u->exit == 1 ? 0 : u->exit == 3 ? NET_RENTED : NET_EXIT;
}

static void pool_newcomer(const struct link_ctx *c, const struct warden_account *a, bool stage,
                          struct warden_link_join *j)
{
    j->joined = false;
    const struct pool_groups *pg = c->pg;
    if (!a || !pg || !a->has_signup_ip || a->reseller) return;
    uint32_t g = warden_u64map_get(&pg->k[POOL_NET].map, pool_key(c, a, POOL_NET));
    if (!g) return;
    uint32_t n = pg->k[POOL_NET].off[g] - pg->k[POOL_NET].off[g - 1];
    if (n < 2 || (n < (uint32_t)c->conf.suspect_group && !c->conf.pool_anchored)) return;
    struct warden_link_group grp = {.n = 0};
    net_group(pg, g, pg->net[g - 1], &grp);
    uint32_t bi;
    if (!warden_link_group_suspect(c->l, &grp, 0, &bi)) return;
    if (stage) net_group(pg, g, stage_net(warden_link_user(c->l, bi)), &grp);
    /* on a network read as sign-up waves, one of its own wave's suspects
     * (the flags first: the stage knows them from a suspect's mark) */
    if (!warden_link_group_suspect(c->l, &grp, warden_hash64(a->account_id, strlen(a->account_id)),
                                   &bi))
        return;
    warden_link_pool_with(c->l, bi, &grp, j);
}

/* The accounts whose cluster's harvest became established since the last
 * call (warden_link_held_next): a suspect of such an account's rented
 * sign-up network pools again (warden_link_pool_with), so a suspect that
 * looked before the cluster's harvest was known joins as it would have
 * after. stage: the network's flags as the suspect's mark told the linking
 * stage, else from the groups. Each suspect pooled, when fn: to fn. */
static void pool_held(const struct link_ctx *c, bool stage, void (*fn)(void *, uint32_t), void *ctx)
{
    const struct pool_groups *pg = c->pg;
    uint32_t mi, bi;
    uint64_t h;
    while (warden_link_held_next(c->l, &mi, &h)) {
        uint32_t g = pg ? warden_u64map_get(&pg->net_of, h) : 0;
        if (!g) continue;
        struct warden_link_group grp = {.n = 0};
        net_group(pg, g, pg->net[g - 1], &grp);
        if (!warden_link_group_suspect(c->l, &grp, 0, &bi)) continue;
        if (stage) net_group(pg, g, stage_net(warden_link_user(c->l, bi)), &grp);
        if (!grp.rented) continue;
        struct warden_link_join j;
        warden_link_pool_with(c->l, bi, &grp, &j);
        if (j.joined && fn) fn(ctx, bi);
    }
}

int warden_link_stage_new(struct warden_link_stage **out, const struct warden_policy *pol,
                          const struct warden_registry *reg, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < warden_n_detectors && warden_detectors[i] != &warden_detect_link) i++;
    if (i == warden_n_detectors || !warden_policy_detector_enabled(pol, i)) {
        snprintf(err, errlen, "the policy turns the link detector off: nothing to link");
        return WARDEN_ECONFIG;
    }
    struct warden_link_remote *saved = remote_hook;
    remote_hook = NULL;
    void *ctx = NULL;
    int rc = link_init(&ctx, pol, warden_policy_detector_conf(pol, i));
    remote_hook = saved;
    if (rc) {
        snprintf(err, errlen, "link detector: cannot start (webmail list?)");
        return WARDEN_ECONFIG;
    }
    if (reg) link_attach(ctx, reg, NULL);
    ((struct link_ctx *)ctx)->reg = reg;
    *out = ctx;
    return 0;
}

void warden_link_stage_free(struct warden_link_stage *s)
{
    link_free(s);
}

struct stage_walk {
    struct link_ctx *c;
    uint32_t ai;
    uint64_t key; /* the identifier that joined it (0: an action, co_actioned) */
    const struct warden_link_join *j;
    void (*notify)(void *ctx, const struct warden_link_notice *n, int partition);
    void *ctx;
};

static void stage_member(void *ctx, uint32_t a)
{
    struct stage_walk *w = ctx;
    struct warden_link *l = w->c->l;
    const struct stage_user *u = warden_link_user(l, a);
    if (!u->part1) return; /* no event seen yet: handed on at its first */
    struct due d;
    decide(l, a, &d, &w->c->conf);
    if (!d.set_cluster && !d.linked && !d.restricted && !d.pooled) return;
    struct warden_link_notice n = {.set_cluster = d.set_cluster,
                                   .linked = d.linked,
                                   .linked_restricted = d.restricted,
                                   .pooled = d.pooled,
                                   .info = d.info};
    warden_link_account_id(l, a, &n.account_id, &n.len);
    if (!n.len) return; /* an id too long to keep (WARDEN_LINK_MAX_ID) */
    if (a == w->ai && w->j->joined) {
        n.joined = true;
        n.via = w->j->via;
        n.key = w->key;
        n.kinds = w->j->kinds;
        n.distinct = w->j->distinct;
        n.pair_weight = w->j->pair_weight;
    }
    w->notify(w->ctx, &n, u->part1 - 1);
}

/* The suspects pool_held pooled (the linking stage walks their clusters). */
struct held_pooled {
    uint32_t *a;
    size_t n, cap;
};

static void held_pooled_add(void *ctx, uint32_t a)
{
    struct held_pooled *h = ctx;
    if (h->n == h->cap)
        h->a = warden_xrealloc(h->a, (h->cap = h->cap ? h->cap * 2 : 8) * sizeof *h->a);
    h->a[h->n++] = a;
}

/* A mark that may make the account a harvester (harvesting, enforced): it
 * pools the suspects of its groups (warden_link_pool_with; the exit as its
 * suspect mark told it, not told: a network's suspects only). */
static void stage_anchor_pool(struct link_ctx *c, const struct warden_link_obs *o, uint32_t ai,
                              struct warden_link_join *j)
{
    if (!c->reg) return;
    const struct stage_user *u = warden_link_user(c->l, ai);
    pool_suspect(c, warden_registry_account(c->reg, o->account_id, o->len), ai, stage_net(u), j);
}

void warden_link_stage_apply(
    struct warden_link_stage *s, const struct warden_link_obs *o, int partition,
    void (*notify)(void *ctx, const struct warden_link_notice *n, int partition), void *ctx)
{
    struct link_ctx *c = (struct link_ctx *)s;
    struct warden_link *l = c->l;
    struct warden_link_join j = {0};
    if (o->kind == WARDEN_LINK_OBS_FRAME) return; /* no link: the caller sends it on (remote.h) */
    uint64_t jkey = o->kind >= 0 ? o->key : 0;    /* the identifier a join names */
    warden_link_lock(l);
    uint32_t ai = warden_link_account(l, warden_hash64(o->account_id, o->len), o->account_id,
                                      o->len, o->org, o->ts_ms, WARDEN_LINK_NO_OWNER);
    ((struct stage_user *)warden_link_user(l, ai))->part1 = partition + 1;
    if (c->reg) { /* also after the entry was replaced and came back */
        const struct warden_account *ra = warden_registry_account(c->reg, o->account_id, o->len);
        if (ra && ra->reseller) warden_link_mark_reseller(l, ai);
    }
    bool members = false;
    if (o->kind == WARDEN_LINK_OBS_SENT) {
        warden_link_frame_sent(l, ai, frame_key(o->key, (unsigned)o->level), o->ts_ms);
    } else if (o->kind >= 0 && o->kind < NK) {
        if (o->kind == WARDEN_LINK_TEMPLATE) /* a published frame: its bands */
            frame_bands(l, ai, o->key, (unsigned)o->level, o->ts_ms, &j, &jkey);
        else
            warden_link_use(l, ai, (enum warden_link_kind)o->kind, o->key, o->ts_ms, false, &j);
        members = j.joined;
        struct stage_user *u = warden_link_user(l, ai);
        if (!members && warden_link_lone_suspect(l, ai)) { /* it looks again */
            if (c->reg) /* the exit as its mark told it; not told: a network's suspects only */
                pool_suspect(c, warden_registry_account(c->reg, o->account_id, o->len), ai,
                             stage_net(u), &j);
            members = j.joined;
        } else if (!members && !u->looked && c->reg) { /* a newcomer looks once */
            const struct warden_account *ra =
                warden_registry_account(c->reg, o->account_id, o->len);
            if (ra) {
                u->looked = 1;
                if (!warden_link_clustered(l, ai)) { /* the members hear of it when it joins */
                    pool_newcomer(c, ra, true, &j);
                    members = warden_link_clustered(l, ai);
                }
            }
        }
    } else if (o->kind == WARDEN_LINK_OBS_RESTRICTED) {
        warden_link_mark_restricted(l, ai);
        members = true;
    } else if (o->kind < 0 && o->level == 3) {
        warden_link_mark_harvest(l, ai, &j);
        stage_anchor_pool(c, o, ai, &j);
        members = true;
    } else if (o->kind < 0 && o->level == 4) {
        warden_link_mark_suspect(l, ai, &j);
        struct stage_user *u = warden_link_user(l, ai);
        u->exit = (o->key & NET_EXIT) ? 2 : (o->key & NET_RENTED) ? 3 : 1;
        if (c->reg)
            pool_suspect(c, warden_registry_account(c->reg, o->account_id, o->len), ai,
                         stage_net(u), &j);
        members = true;
    } else if (o->kind < 0 && o->level > 0) {
        warden_link_mark_actioned(l, ai, o->level >= 2, &j);
        if (o->level >= 2) stage_anchor_pool(c, o, ai, &j);
        members = true;
    }
    struct held_pooled hp = {0};
    pool_held(c, true, held_pooled_add, &hp);
    struct stage_walk w = {c, ai, jkey, &j, notify, ctx};
    if (members || hp.n)
        warden_link_foreach_member(l, ai, stage_member, &w);
    else
        stage_member(&w, ai);
    /* suspects pooled into another cluster than this account's: theirs */
    struct warden_link_join none = {0};
    struct warden_link_cluster mine, theirs;
    if (hp.n) warden_link_cluster_of(l, ai, &mine);
    for (size_t k = 0; k < hp.n; k++) {
        warden_link_cluster_of(l, hp.a[k], &theirs);
        if (theirs.seq == mine.seq) continue;
        struct stage_walk wk = {c, hp.a[k], o->key, &none, notify, ctx};
        warden_link_foreach_member(l, hp.a[k], stage_member, &wk);
    }
    free(hp.a);
    warden_link_unlock(l);
}

uint32_t warden_link_told_fold(uint32_t told, const struct warden_link_notice *n)
{
    told |= WARDEN_LINK_TOLD_SEEN;
    if (n->set_cluster)
        told = n->info.seq ? told | WARDEN_LINK_TOLD_CLUSTER : told & ~WARDEN_LINK_TOLD_CLUSTER;
    if (n->linked > 0 && (uint32_t)n->linked > (told & WARDEN_LINK_TOLD_LEVEL) >> 1)
        told = (told & ~WARDEN_LINK_TOLD_LEVEL) |
               (((uint32_t)n->linked << 1) & WARDEN_LINK_TOLD_LEVEL);
    if (n->linked_restricted) told |= WARDEN_LINK_TOLD_RESTRICTED;
    if (n->pooled) told |= WARDEN_LINK_TOLD_POOLED;
    return told;
}

struct resync_walk {
    struct link_ctx *c;
    uint32_t (*told)(void *ctx, const char *id, size_t len);
    void (*notify)(void *ctx, const struct warden_link_notice *n, int partition);
    void *ctx;
    size_t sent;
};

static void resync_account(void *ctx, uint32_t a, const char *id, size_t len, unsigned owner)
{
    (void)owner;
    struct resync_walk *w = ctx;
    struct warden_link *l = w->c->l;
    if (!len) return; /* an id too long to keep (WARDEN_LINK_MAX_ID) */
    uint32_t t = w->told(w->ctx, id, len);
    uint8_t *fm = warden_link_flag_mark(l, a);
    int told_level = (int)((t & WARDEN_LINK_TOLD_LEVEL) >> 1);
    /* what it was told stands: the marks take it in, so that a replay in
     * another order than the records first came (a level or a pooling
     * reached later in it) does not tell it again when the state gets there */
    if (told_level > (*fm & 3)) *fm = (uint8_t)((*fm & ~3) | told_level);
    if (t & WARDEN_LINK_TOLD_RESTRICTED) *fm |= FLAG_RESTRICTED;
    if (t & WARDEN_LINK_TOLD_POOLED) *fm |= FLAG_POOLED;
    const struct stage_user *u = warden_link_user(l, a);
    if (!u->part1) return; /* no event seen: handed on at its first */
    uint64_t seq = *warden_link_seq_mark(l, a);
    uint8_t flag = *fm;
    if (!seq && !flag) return;
    struct warden_link_notice n = {.account_id = id, .len = len};
    int level = flag & 3;
    n.set_cluster = seq && !(t & WARDEN_LINK_TOLD_CLUSTER);
    n.linked = level > told_level ? level : 0;
    n.linked_restricted = (flag & FLAG_RESTRICTED) && !(t & WARDEN_LINK_TOLD_RESTRICTED);
    n.pooled = (flag & FLAG_POOLED) && !(t & WARDEN_LINK_TOLD_POOLED);
    if (!n.set_cluster && !n.linked && !n.linked_restricted && !n.pooled) return;
    warden_link_cluster_of(l, a, &n.info);
    if (!n.info.seq) return; /* its cluster is gone since */
    w->notify(w->ctx, &n, u->part1 - 1);
    w->sent++;
}

size_t warden_link_stage_resync(
    struct warden_link_stage *s, uint32_t (*told)(void *ctx, const char *id, size_t len),
    void (*notify)(void *ctx, const struct warden_link_notice *n, int partition), void *ctx)
{
    struct link_ctx *c = (struct link_ctx *)s;
    struct resync_walk w = {c, told, notify, ctx, 0};
    warden_link_lock(c->l);
    warden_link_foreach_account(c->l, resync_account, &w);
    warden_link_unlock(c->l);
    return w.sent;
}

/* ---- the stage's cluster records ----
 *
 * What the stage handed on: per cluster number, a hash of the cluster's
 * figures when its record was last handed on, and the walk that last saw it
 * (open addressing, linear probing, rebuilt without the clusters gone). */
struct published {
    uint64_t *seq, *sig;
    uint32_t *walk;
    size_t mask, count;
    uint32_t now;
};

static void published_free(struct published *p)
{
    if (!p) return;
    free(p->seq);
    free(p->sig);
    free(p->walk);
    free(p);
}

static void published_alloc(struct published *p, size_t slots)
{
    p->seq = warden_xcalloc(slots, sizeof *p->seq);
    p->sig = warden_xcalloc(slots, sizeof *p->sig);
    p->walk = warden_xcalloc(slots, sizeof *p->walk);
    p->mask = slots - 1;
    p->count = 0;
}

/* The slot of seq (its own, or the empty one where it goes). */
static size_t published_slot(const struct published *p, uint64_t seq)
{
    size_t i = (size_t)((seq * 0x9e3779b97f4a7c15ull) >> 17) & p->mask;
    while (p->seq[i] && p->seq[i] != seq) i = (i + 1) & p->mask;
    return i;
}

/* Move to a table of `slots` slots; only_seen: keep only the entries the
 * current walk saw (the others are gone). */
static void published_resize(struct published *p, size_t slots, bool only_seen)
{
    struct published old = *p;
    published_alloc(p, slots);
    p->now = old.now;
    for (size_t i = 0; i <= old.mask; i++) {
        if (!old.seq[i] || (only_seen && old.walk[i] != old.now)) continue;
        size_t j = published_slot(p, old.seq[i]);
        p->seq[j] = old.seq[i];
        p->sig[j] = old.sig[i];
        p->walk[j] = old.walk[i];
        p->count++;
    }
    free(old.seq);
    free(old.sig);
    free(old.walk);
}

struct publish_walk {
    struct link_ctx *c;
    void (*put)(void *ctx, const struct warden_cluster_record *r);
    void *ctx;
};

/* A cluster whose figures changed since its record was handed on (or that
 * was never handed on): take it. Every live cluster is marked seen. */
static bool publish_want(void *ctx, const struct warden_link_cluster *ci)
{
    struct publish_walk *w = ctx;
    struct published *p = w->c->pub;
    /* the figures the record is made of (the info is zeroed, then filled) */
    uint64_t sig = warden_hash64(ci, sizeof *ci);
    if (p->count * 2 + 2 > p->mask + 1) published_resize(p, (p->mask + 1) * 2, false);
    size_t i = published_slot(p, ci->seq);
    bool changed = !p->seq[i] || p->sig[i] != sig;
    if (!p->seq[i]) p->count++;
    p->seq[i] = ci->seq;
    p->sig[i] = sig;
    p->walk[i] = p->now;
    return changed;
}

static void publish_take(void *ctx, const struct warden_link_cluster *ci, const char *const *ids,
                         size_t n)
{
    struct publish_walk *w = ctx;
    cluster_record(w->c, ci, ids, n, w->put, w->ctx);
}

void warden_link_stage_clusters(struct warden_link_stage *s,
                                void (*put)(void *ctx, const struct warden_cluster_record *r),
                                void (*gone)(void *ctx, const char *cluster_id), void *ctx)
{
    warden_detect_link_records(s, put, gone, ctx);
}

void warden_detect_link_records(void *detector_ctx,
                                void (*put)(void *ctx, const struct warden_cluster_record *r),
                                void (*gone)(void *ctx, const char *cluster_id), void *ctx)
{
    struct link_ctx *c = detector_ctx;
    if (!c->pub) {
        c->pub = warden_xcalloc(1, sizeof *c->pub);
        published_alloc(c->pub, 64);
    }
    struct published *p = c->pub;
    p->now++;
    /* the walks are told apart by their number: one that wraps round to 0
     * starts a clean table (each cluster is then handed on once more) */
    if (p->now == 0) {
        published_free(p);
        c->pub = p = warden_xcalloc(1, sizeof *p);
        published_alloc(p, 64);
        p->now = 1;
    }
    struct publish_walk w = {c, put, ctx};
    warden_link_lock(c->l);
    warden_link_foreach_cluster_if(c->l, (size_t)c->conf.max_member_ids, publish_want, publish_take,
                                   &w);
    warden_link_unlock(c->l);
    size_t n_gone = 0;
    for (size_t i = 0; i <= p->mask; i++) {
        if (!p->seq[i] || p->walk[i] == p->now) continue;
        char name[32];
        cluster_name(p->seq[i], name, sizeof name);
        gone(ctx, name);
        n_gone++;
    }
    if (n_gone) {
        size_t slots = 64;
        while (slots < (p->count - n_gone) * 2 + 2) slots *= 2;
        published_resize(p, slots, true);
    }
}

void warden_link_stage_stats(struct warden_link_stage *s, struct warden_link_stats *st)
{
    struct link_ctx *c = (struct link_ctx *)s;
    warden_link_lock(c->l);
    warden_link_stats(c->l, st);
    warden_link_unlock(c->l);
}
