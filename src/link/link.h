/* link.h — cross-account linking state: identifiers shared by accounts,
 * pair evidence, clusters; bounded memory, keyed by identifier.
 *
 * An identifier is (edge kind, 64-bit hash of a value): an IPv4 /24 or IPv6
 * /48 in a time window, ASN + user agent + JA4, a payment fingerprint, a
 * non-webmail e-mail domain, a sign-up address, a sign-up burst (program and
 * time bucket), an LSH band of a prompt-template sketch. The caller
 * (detect/detect_link.c) extracts them; this module only sees hashes.
 *
 * Common identifiers must not merge strangers. Each identifier keeps a
 * 256-bit linear-counting sketch of the accounts that used it (n = distinct
 * accounts, estimated) and the last LINK_SAMPLE accounts. Its weight is
 *
 *     w = weight[kind] * f(n),  f(n) = 1                         n <= cap/8
 *                                    = 1 - log2(8n/cap) / 3      cap/8 < n < cap
 *                                    = 0                         n >= cap
 *
 * (full weight while a handful of accounts share it, one third less per
 * doubling, nothing from cap[kind] on: a CGNAT /24, a corporate egress, a
 * popular SDK's user agent and JA4 in a cloud ASN, a SaaS app's shared
 * template reach the cap and stop counting). When an account meets an
 * identifier, each account in its sample gets pair evidence: a bounded
 * candidate table per account (LINK_CANDS neighbours, each with the kinds
 * seen and their weights; the weakest is replaced) accumulates w once per
 * kind. Infrastructure kinds (net, client, sign-up address) together count
 * at most infra_max, which is below the join threshold, so shared networks
 * alone never join two accounts; two accounts are joined when
 *     sum(non-infrastructure weights) + min(sum(infrastructure weights), infra_max) >= join.
 * Accounts of the same declared organisation are never paired (an
 * organisation is a declared group; linking looks for undeclared ones).
 *
 * Clusters: every account entry names its cluster directly; a join of two
 * clusters relabels the smaller one's members (union by size, O(n log n)
 * overall) through a member ring threaded through the account entries, so
 * there are no parent chains and a cluster slot is freed when its last
 * member leaves the table.
 *
 * A template band is weighed by the larger of its own accounts and its
 * frame's senders (warden_link_use_frame, warden_link_frame_sent): accounts
 * publish a band only when its frame recurs in their own prompts, so the
 * band alone undercounts a public sentence that many accounts send now and
 * then.
 *
 * Memory is fixed at creation (warden_link_memory_bytes): identifier and
 * account tables are 8-way bucketed hash tables that replace the entry seen
 * longest ago when a bucket is full; a replaced account leaves its cluster
 * (whose size and edge counts keep what it contributed) and its identifiers'
 * counts; clusters beyond max_clusters are not formed (counted).
 *
 * Threads: one object may serve several engine shards; callers hold
 * warden_link_lock() around each batch of calls (a plain mutex, held for a
 * few table operations). */
#ifndef WARDEN_LINK_LINK_H
#define WARDEN_LINK_LINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum warden_link_kind {
    WARDEN_LINK_NET,       /* IPv4 /24 or IPv6 /48 in the same time window (infrastructure) */
    WARDEN_LINK_CLIENT,    /* ASN + user agent + JA4 (infrastructure) */
    WARDEN_LINK_SIGNUP_IP, /* sign-up address (infrastructure) */
    WARDEN_LINK_PAYMENT,   /* payment fingerprint */
    WARDEN_LINK_EMAIL,     /* e-mail domain, not a public webmail one */
    WARDEN_LINK_BURST,     /* sign-up through the same program within a window */
    WARDEN_LINK_TEMPLATE,  /* an LSH band of a prompt-template sketch */
    WARDEN_LINK_SYSTEM,    /* a whole system prompt */
    WARDEN_LINK_NKINDS
};
#define WARDEN_LINK_INFRA                                                                          \
    ((1u << WARDEN_LINK_NET) | (1u << WARDEN_LINK_CLIENT) | (1u << WARDEN_LINK_SIGNUP_IP))
/* What a prompt says: one family for weighing a pair (a template band and a
 * system prompt shared by the same two accounts add one weight, the first
 * met) and for the frame rules (co_actioned, anchoring: each identifier is
 * one frame met); told apart in edge counts, where a whole system prompt is
 * an artefact of the software that sends it and a frame is wording. */
#define WARDEN_LINK_WORDING ((1u << WARDEN_LINK_TEMPLATE) | (1u << WARDEN_LINK_SYSTEM))
/* In a join's kinds (not a kind of identifier): the pair reached the join
 * weight because both accounts are actioned on their own evidence (co_actioned;
 * on a frame alone, on their own harvesting evidence). */
#define WARDEN_LINK_CO_ACTIONED (1u << 8)
/* In a join's kinds: the pair was joined as part of a harvesting group, a
 * payment fingerprint, e-mail domain or sign-up network most of whose
 * accounts (and at least suspect_group) carry harvesting evidence of their
 * own (warden_link_pool_with). */
#define WARDEN_LINK_POOLED (1u << 9)

/* "net", "client", "signup_ip", "payment", "email_domain", "signup_burst", "template",
 * "system_prompt" */
extern const char *const warden_link_kind_names[WARDEN_LINK_NKINDS];

struct warden_link_params {
    double weight[WARDEN_LINK_NKINDS];
    double cap[WARDEN_LINK_NKINDS]; /* distinct accounts at which the weight reaches 0 */
    double join;                    /* combined pair weight that joins two accounts */
    double infra_max;               /* most the infrastructure kinds add together */
    /* added to a pair whose accounts are both actioned on their own evidence
     * and share a non-infrastructure identifier (a frame, a burst, a domain):
     * two accounts each judged on their own that also share what an
     * operation shares are likely one; strangers sharing a SaaS frame are
     * not actioned, and infrastructure alone still never joins */
    double co_actioned;
    /* accounts with harvesting evidence of their own (warden_link_mark_suspect)
     * from which, when they are most of a group's (warden_link_pool_with),
     * the group is joined whatever the pair weights (0: never) */
    unsigned suspect_group;
    /* a group too small for suspect_group (two or more suspects, most of
     * it) is pooled when one of its suspects is actioned on its own
     * harvesting evidence: the suspects join it; and a suspect joins such
     * a harvester it shares a frame few accounts use (false: never) */
    bool harvest_anchor;
    /* on a rented sign-up network (warden_link_group.rented), an account of
     * a cluster whose harvest is established (warden_link_harvest_held)
     * counts with the network's suspects and anchors them as a harvester
     * does: the operation's machines signed up both (false: never) */
    bool rented_clusters;
    size_t max_accounts, max_idents, max_clusters;
    size_t max_frames; /* frames whose senders are counted (warden_link_frame_sent; 0: none) */
};

#define WARDEN_LINK_MAX_ID 47 /* longest account id kept for cross-account findings */
#define WARDEN_LINK_NO_OWNER 0xff

struct warden_link;

struct warden_link *warden_link_new(const struct warden_link_params *p);
/* Take another reference (several shards); free drops one. */
void warden_link_ref(struct warden_link *l);
void warden_link_free(struct warden_link *l);
void warden_link_lock(struct warden_link *l);
void warden_link_unlock(struct warden_link *l);
size_t warden_link_memory_bytes(const struct warden_link *l);
/* A number for each caller (shard) sharing the object: 0, 1, ... */
unsigned warden_link_new_owner(struct warden_link *l);
/* State the callers share that is not the link table's own (the sign-up
 * network groups of detect_link.c): hung on once, read by every caller,
 * freed with fn when the last reference goes. attach returns false (and
 * changes nothing) when something is already attached. */
bool warden_link_attach(struct warden_link *l, void *p, void (*fn)(void *));
void *warden_link_attachment(const struct warden_link *l);
/* True for the first caller only, per bit (0..31): one-time work such as
 * loading the account registry once for every shard. */
bool warden_link_first(struct warden_link *l, unsigned bit);

/* The identifier key of a kind and value bytes (never 0). */
uint64_t warden_link_key(enum warden_link_kind kind, const void *p, size_t n);
/* Weight rule (see above) for n distinct accounts of a kind. */
double warden_link_weight(const struct warden_link_params *p, enum warden_link_kind kind, double n);

/* Find or add an account (hash, id for findings, hash of its organisation
 * or 0); now_ms refreshes it; owner (WARDEN_LINK_NO_OWNER: keep) is the
 * shard that sees its events. Returns its index (valid until the next
 * warden_link_account call). */
uint32_t warden_link_account(struct warden_link *l, uint64_t acct, const char *id, size_t len,
                             uint32_t org, int64_t now_ms, unsigned owner);

/* A hint, no effect on the table: the account hashed acct will be looked up
 * soon. Stage 0 starts fetching its two candidate buckets of keys; stage 1,
 * once those have arrived, its entry (when it has one). Takes no lock: it
 * only reads keys (a key changing meanwhile only makes a wasted fetch). */
void warden_link_prefetch(const struct warden_link *l, uint64_t acct, int stage);

/* What warden_link_use() did. */
struct warden_link_join {
    bool joined;    /* the account's cluster changed */
    unsigned kinds; /* kinds of the edge that joined it (bit per kind; WARDEN_LINK_CO_ACTIONED) */
    int via; /* the kind that joined it (mark_actioned: the pair's strongest non-infrastructure
                kind) */
    double pair_weight;  /* that edge's combined weight */
    double ident_weight; /* the identifier's weight now */
    double distinct;     /* accounts using the identifier (estimate) */
};
/* Account at index a used identifier key of a kind; count_only: only count
 * it (first pass over a registry, so that the second sees final counts). */
void warden_link_use(struct warden_link *l, uint32_t a, enum warden_link_kind kind, uint64_t key,
                     int64_t now_ms, bool count_only, struct warden_link_join *out);

/* A template band of a frame the account publishes (it recurs in its own
 * prompts), weighed by the larger of the band's accounts and `senders`,
 * the frame's senders (warden_link_frame_senders): a band counts only the
 * accounts that publish it, while a public sentence (a prompt collection's
 * "explain your reasoning step by step") is sent once or twice by many
 * accounts that never repeat it often enough to publish it. */
void warden_link_use_frame(struct warden_link *l, uint32_t a, uint64_t key, int64_t now_ms,
                           double senders, struct warden_link_join *out);

/* Frame senders. Every frame the caller sketches (an account's prompt's
 * first or last tokens, keyed by the caller: the exact sketch and its end)
 * is counted once per account that sends it, whether or not it recurs in
 * that account, in a table of max_frames entries (8-way buckets, two
 * choices; a 64-bit linear-counting sketch of the senders each, saturated
 * from about 270); a full bucket replaces the frame with the fewest senders,
 * the one sent longest ago among equals, so a one-off prompt's frame is
 * what goes and a frame many accounts send stays. Returns the frame's
 * senders (estimate) after counting a; 0 when the table is off. */
double warden_link_frame_sent(struct warden_link *l, uint32_t a, uint64_t frame, int64_t now_ms);
/* A hint, no effect on the table: the frame will be counted soon (starts
 * fetching its two buckets of keys; takes no lock). */
void warden_link_frame_prefetch(const struct warden_link *l, uint64_t frame);
/* The frame's senders so far (0: not in the table). */
double warden_link_frame_senders(const struct warden_link *l, uint64_t frame);

/* The account at index a is actioned on its own evidence (enforced: throttle
 * or stronger); counted once per account into its cluster. The first time,
 * each neighbour actioned on its own evidence too is joined to it when the
 * pair's weight with co_actioned reaches the join weight (out, may be NULL:
 * the last such join); a pair that shares only a frame needs both marked
 * harvesting as well (warden_link_mark_harvest). */
void warden_link_mark_actioned(struct warden_link *l, uint32_t a, bool enforced,
                               struct warden_link_join *out);
/* The account at index a is actioned on its own harvesting evidence
 * (distill.*, review or stronger): counted once per account into its
 * cluster's `harvest`. Several members each found harvesting on their own,
 * joined by what an operation shares, are one harvest sustained across
 * accounts even when each member's own evidence is held at review (the
 * caller decides what that does: detect_link.c, harvest_members). The first
 * time, when the account is actioned, neighbours that share only a frame
 * with it and are harvesting too are joined as warden_link_mark_actioned
 * joins (out, may be NULL: the last such join). */
void warden_link_mark_harvest(struct warden_link *l, uint32_t a, struct warden_link_join *out);
/* The account at index a carries harvesting evidence of its own, held
 * below every rule or not (the caller decides: detect_link.c, suspect_min):
 * counted once per account into its cluster's `suspect`. The caller then
 * pools it over the groups it belongs to (warden_link_pool_with). */
void warden_link_mark_suspect(struct warden_link *l, uint32_t a, struct warden_link_join *out);

/* harvest_anchor: a suspect (warden_link_mark_suspect) that shares a frame
 * (two template identifiers met together) with a harvester
 * (warden_link_mark_harvest) joins its cluster (WARDEN_LINK_POOLED),
 * whichever of the marks and the meeting (warden_link_use) comes last,
 * when few accounts use the frame: its weight for the pair at least 0.9 of
 * w_template (about cap_template / 6 accounts, its senders counted:
 * warden_link_use_frame). A frame alone never ties an account without
 * harvesting evidence of its own, and a frame many accounts send (an app's,
 * a public prompt collection's) never ties anyone. */

/* A group of accounts that share what an operation shares, known to the
 * caller from the registry (detect_link.c): one payment fingerprint, one
 * e-mail domain, one sign-up network. Complete and fixed (not read from the
 * candidate tables, which hold what requests met in the order they came),
 * so that pooling does not depend on the order of requests. */
struct warden_link_group {
    const uint64_t *acct; /* the accounts' hashes (declared resellers left out) */
    /* per account (may be NULL): it declares the organisation another
     * account of the group declares; such colleagues count in n as no
     * suspects, are never joined, and one of them never pools the group
     * (they stay with their organisation) */
    const uint8_t *stay;
    size_t n;                   /* at most 64: a larger group never pools */
    enum warden_link_kind kind; /* names the edge (with WARDEN_LINK_POOLED) */
    bool every;                 /* a card, a domain: every account of the group joins */
    /* otherwise (a network): the suspects join, and the group's other
     * accounts created within the span of the suspects' creation times
     * (created[k]: sign-up time in ms, INT64_MIN when unknown; created NULL:
     * suspects only) unless elsewhere[k] (the account shares a card or an
     * e-mail domain with an account outside the group: a family's or a
     * company's account that stays with its own) or shared_exit (the
     * network is a public anonymizer's exit: VPN, Tor, proxy, through which
     * strangers sign up in the same days). On a rented network (rented:
     * hosting or cloud, where an operation runs its own machines and no one
     * lives; never with shared_exit) the accounts created after the span
     * join too: the operation's later accounts from the machines it signed
     * its first ones up from. One created before the span stays apart */
    const int64_t *created;
    const uint8_t *elsewhere;
    bool shared_exit;
    bool rented;
    /* on a network that is not rented (people's lines, an anonymizer's
     * exit), with created and wave_ms > 0: the group is read as its sign-up
     * waves, runs of sign-ups each within wave_ms of the one before, and a
     * suspect pools with its own wave only (the accounts of unknown sign-up
     * time are a wave of their own). Unrelated households sign up from one
     * ISP /24, or through one residential proxy exit, months apart; an
     * operation signs its accounts up in days. A rented network is read
     * whole: an operation's machines keep signing up its later accounts */
    int64_t wave_ms;
};
/* The "most of" rule over group g (ai's): when at least suspect_group of
 * its accounts, and most, carry harvesting evidence (warden_link_mark_suspect)
 * and ai does, ai is joined with them as above (WARDEN_LINK_POOLED); with
 * fewer (but two or more, and most), only when one of the suspects is
 * actioned on its own harvesting evidence (harvest_anchor), and then the
 * suspects alone are joined:
 * accounts that each look like a heavy reasoning-model user alone, most of
 * those behind one card, domain or sign-up network, are one operation's (a
 * company's few heavy users among many colleagues are not most; on a
 * network that is not rented, of its sign-up wave: wave_ms). Every
 * condition is known from the group or only grows, so the clusters after
 * every suspect's call do not depend on the order of the calls. out (may
 * be NULL): the last join. */
void warden_link_pool_with(struct warden_link *l, uint32_t a, const struct warden_link_group *g,
                           struct warden_link_join *out);
/* Whether the account at index a is a suspect in no cluster. */
/* The next account whose cluster's harvest became established (a member
 * actioned on its own harvesting evidence, or suspect_group suspects, tied
 * by more than template bands; with rented_clusters only): its index and
 * hash. Each account comes once, when that happens to its cluster (by a
 * mark or a join), whatever the order of the marks and joins: a suspect of
 * its rented sign-up network that pooled before then pools again from
 * here (warden_link_pool_with), so the joins do not depend on the order.
 * false when none is left. */
bool warden_link_held_next(struct warden_link *l, uint32_t *a, uint64_t *acct);

bool warden_link_lone_suspect(const struct warden_link *l, uint32_t a);
/* Whether the account at index a is in a cluster. */
bool warden_link_clustered(const struct warden_link *l, uint32_t a);
/* A suspect of group g that pools it (one that does not stay with its
 * organisation, no declared reseller), into *b; false when none. Pooling
 * with it (warden_link_pool_with) is what the last suspect's call did: an
 * account that entered the registry after the suspects pooled (a later
 * sign-up, known from a registry reload) joins as it would have then.
 * near (0: any): the hash of that account; on a network read as sign-up
 * waves (wave_ms), a suspect of its wave. */
bool warden_link_group_suspect(const struct warden_link *l, const struct warden_link_group *g,
                               uint64_t near, uint32_t *b);
/* The account at index a is a declared reseller (registry): its traffic
 * carries its end users' frames, so sharing one with actioned accounts says
 * nothing about the platform, which is never joined for being actioned
 * (co_actioned); its end users are judged in their own lanes. */
void warden_link_mark_reseller(struct warden_link *l, uint32_t a);
/* The account at index a was seen in a restricted jurisdiction (a direct
 * connection from there, or a restricted payment; the caller decides):
 * counted once per account into its cluster's `restricted`. */
void warden_link_mark_restricted(struct warden_link *l, uint32_t a);

struct warden_link_cluster {
    uint64_t seq;      /* stable cluster number, 0 = no cluster */
    uint32_t size;     /* members ever joined */
    uint32_t live;     /* members in the table */
    uint32_t actioned; /* members actioned on their own evidence */
    uint32_t enforced; /* of those, throttled or blocked */
    uint32_t kind_edges[WARDEN_LINK_NKINDS];
    uint32_t edges;     /* joining edges */
    double score;       /* min(1, mean joining-edge weight / 2) */
    bool self_actioned; /* (per account) the account itself is one of the actioned */
    bool self_enforced;
    bool self_restricted; /* (per account) it is one of the restricted members */
    uint8_t suspect;      /* members with harvesting evidence of their own, held below every
                             rule or not (warden_link_mark_suspect; saturates) */
    uint16_t restricted;  /* members seen in a restricted jurisdiction (saturates) */
    uint16_t harvest;     /* members actioned on their own harvesting evidence (saturates) */
};
/* The cluster of the account at index a (seq 0 when none). */
void warden_link_cluster_of(const struct warden_link *l, uint32_t a, struct warden_link_cluster *c);

/* A harvest carried on by several members, each actioned on its own
 * harvesting evidence (harvest_members of them; 0 = never), is sustained as
 * a whole even when each member's own score is held at review: the cluster
 * counts as enforced. Only when the members are tied by more than wording:
 * a joining edge with another kind than a template band (a payment, domain,
 * sign-up, burst, network, client or a whole system prompt). Frames are
 * phrases: accounts each reviewed as a heavy reasoning-model user that
 * write one corpus's task wording share them as an operation's accounts
 * do. Both counts only grow, so the answer does not depend on the order of
 * the joins. */
bool warden_link_sustained(const struct warden_link_cluster *c, uint32_t harvest_members);

/* Per-account marks the caller keeps in the table (flushed accounts may
 * have no per-shard state): the cluster seq last handed on and the level of
 * cluster.linked_to_actioned already emitted. */
uint64_t *warden_link_seq_mark(struct warden_link *l, uint32_t a);
uint8_t *warden_link_flag_mark(struct warden_link *l, uint32_t a);
/* WARDEN_LINK_USER_BYTES of the caller's own per-account state (zeroed when
 * the account enters the table), 8-byte aligned. */
#define WARDEN_LINK_USER_BYTES 56
void *warden_link_user(struct warden_link *l, uint32_t a);

/* Whether the account's cluster may have changed since it was last looked
 * at (a join or merge touched it); read without the lock, so a change made
 * at the same moment may show at the account's next look instead. Accounts
 * in no cluster whose bit is clear need no look-up at all. A bit is set per
 * account hash in a fixed bitmap and never cleared (a shared bit costs a
 * look-up, never a missed change). */
bool warden_link_maybe_changed(const struct warden_link *l, uint64_t acct);

/* The id kept for the account at index a (*len 0: none, too long to keep). */
void warden_link_account_id(const struct warden_link *l, uint32_t a, const char **id, size_t *len);
/* Every account in the table: fn(ctx, index, id, len, owner). */
void warden_link_foreach_account(struct warden_link *l,
                                 void (*fn)(void *ctx, uint32_t a, const char *id, size_t len,
                                            unsigned owner),
                                 void *ctx);
/* The account at index a and, when it is in a cluster, every other member
 * in the table: fn(ctx, index) (the linking stage notifies them after a join
 * or an action; call under the lock, do not add accounts from fn). */
void warden_link_foreach_member(struct warden_link *l, uint32_t a,
                                void (*fn)(void *ctx, uint32_t a), void *ctx);
/* Every cluster with live members for which want(ctx, info) holds (want
 * NULL: every one): fn(ctx, info, member ids (up to max_ids), n). want sees
 * only the cluster's figures, so a caller that skips unchanged clusters
 * pays for their members' ids only when it takes them. */
void warden_link_foreach_cluster_if(struct warden_link *l, size_t max_ids,
                                    bool (*want)(void *ctx, const struct warden_link_cluster *c),
                                    void (*fn)(void *ctx, const struct warden_link_cluster *c,
                                               const char *const *ids, size_t n),
                                    void *ctx);
/* Every cluster with live members: fn(ctx, info, member ids (up to max_ids), n). */
void warden_link_foreach_cluster(struct warden_link *l, size_t max_ids,
                                 void (*fn)(void *ctx, const struct warden_link_cluster *c,
                                            const char *const *ids, size_t n),
                                 void *ctx);

/* Snapshots (core/snapio.h): every occupied identifier, account and
 * cluster entry, the free clusters, the counters and the change bitmap, as
 * they are (indices, hashes, ids: no pointers), under the lock. load goes
 * into a table of the same sizes and entry layout (else it returns 1 having changed
 * nothing: the state starts empty) and replaces what the table held; with
 * shards != the count the state was saved with, each account's owner
 * becomes its account hash modulo shards (owners are shard numbers). 0, 1,
 * or a negative code with the reason in the reader. */
struct warden_snapwriter;
struct warden_snapreader;
int warden_link_save(struct warden_link *l, struct warden_snapwriter *w);
int warden_link_load(struct warden_link *l, struct warden_snapreader *r, unsigned shards,
                     bool reowner);

struct warden_link_stats {
    uint64_t accounts, idents, clusters, joins, merges, clusters_dropped, accounts_replaced,
        idents_replaced, frames, frames_replaced;
};
void warden_link_stats(const struct warden_link *l, struct warden_link_stats *st);

#endif
