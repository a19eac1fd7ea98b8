/* ownership.c — the aggregate 50 % rule (OFAC, "Revised Guidance on Entities
 * Owned by Persons Whose Property and Interests in Property are Blocked",
 * 2014): an entity is restricted when restricted parties own, directly or
 * indirectly, 50 % or more of it in the aggregate. Indirect ownership counts
 * only through entities that are themselves restricted (Example 3: A owns 50 %
 * of B, B owns 50 % of C, so C is blocked through B); shares held through an
 * entity that is not restricted do not count.
 *
 * Computed as the least fixed point of "restricted(X) = listed(X) or the sum of
 * shares of X held by restricted owners >= threshold" by worklist propagation
 * from the listed parties along ownership edges (linear in the edges), so
 * chains of any depth resolve and a cycle with no restricted entry never
 * restricts itself. Each node records the level at which it became restricted;
 * its evidence is the owners restricted at earlier levels, which makes the
 * chain shown as evidence finite even through cycles. The same
 * rule runs over the lists' own ownership relations (FtM Ownership) and over
 * customer organisations (orgs.jsonl owners). Threshold, and whether owners in
 * a restricted jurisdiction count, are policy. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *warden_screen_reason_code(enum warden_screen_reason r)
{
    switch (r) {
    case WARDEN_SCREEN_LISTED:
        return "screen.listed";
    case WARDEN_SCREEN_OWNED_BY_LISTED:
        return "screen.owned_by_listed";
    case WARDEN_SCREEN_JURISDICTION:
        return "screen.restricted_jurisdiction_owner";
    case WARDEN_SCREEN_CLEAR:
        break;
    }
    return "screen.clear";
}

const char *warden_screen_verdict_code(const struct warden_screen_verdict *v)
{
    if (v->restricted) return warden_screen_reason_code(v->reason);
    if (v->possibly_owned) return "screen.possibly_owned_by_listed";
    if (v->has_possible)
        return v->review_program ? "screen.listed_review" : "screen.possible_match";
    return "screen.clear";
}

struct edge {
    size_t from, to; /* owner -> asset (node indices) */
    double share;
};

/* Worklist propagation. counts[i] (in: seeds, the listed parties and counted
 * jurisdictions; out: also every node restricted by ownership, with owned[i]
 * set); level[i]: 0 for seeds, 1 + the level of the owner that completed the
 * share, -1 for nodes that never count; sum[i]: share held by counting owners. */
static void propagate(size_t n, const struct edge *e, size_t ne, double th, bool *counts,
                      bool *owned, int *level, double *sum)
{
    size_t *off = warden_xcalloc(n + 2, sizeof *off), *idx = warden_xmalloc((ne + 1) * sizeof *idx);
    for (size_t k = 0; k < ne; k++) off[e[k].from + 2]++;
    for (size_t i = 0; i < n; i++) off[i + 2] += off[i + 1];
    for (size_t k = 0; k < ne; k++) idx[off[e[k].from + 1]++] = k;
    size_t *q = warden_xmalloc((n + 1) * sizeof *q), head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) {
        sum[i] = 0;
        level[i] = counts[i] ? 0 : -1;
        if (counts[i]) q[tail++] = i;
    }
    while (head < tail) {
        size_t u = q[head++];
        for (size_t j = off[u]; j < off[u + 1]; j++) {
            const struct edge *ed = &e[idx[j]];
            if (ed->share <= 0) continue; /* unknown or no share */
            size_t v = ed->to;
            sum[v] += ed->share;
            if (!counts[v] && sum[v] + 1e-9 >= th) {
                counts[v] = owned[v] = true;
                level[v] = level[u] + 1;
                q[tail++] = v;
            }
        }
    }
    free(off);
    free(idx);
    free(q);
}

/* ---- over the lists' own relations ---- */

void warden_screen_ownership_lists(struct warden_screen *s)
{
    if (!s->n_rels) return;
    for (size_t i = 0; i < s->n_rels; i++) {
        struct warden_screen_rel *r = &s->rels[i];
        r->owner = warden_screen_find_entity(s, r->list, r->owner_ref);
        r->asset = warden_screen_find_entity(s, r->list, r->asset_ref);
    }
    struct edge *e = warden_xmalloc(s->n_rels * sizeof *e);
    size_t ne = 0;
    for (size_t i = 0; i < s->n_rels; i++)
        if (s->rels[i].owner != UINT32_MAX && s->rels[i].asset != UINT32_MAX)
            e[ne++] = (struct edge){s->rels[i].owner, s->rels[i].asset, s->rels[i].share};
    bool *counts = warden_xcalloc(s->n_ents + 1, sizeof *counts);
    bool *owned = warden_xcalloc(s->n_ents + 1, sizeof *owned);
    double *sum = warden_xmalloc((s->n_ents + 1) * sizeof *sum);
    free(s->ent_level);
    s->ent_level = warden_xmalloc((s->n_ents + 1) * sizeof *s->ent_level);
    for (size_t i = 0; i < s->n_ents; i++) counts[i] = s->ents[i].listed;
    propagate(s->n_ents, e, ne, s->conf.ownership_threshold, counts, owned, s->ent_level, sum);
    for (size_t i = 0; i < s->n_ents; i++) s->ents[i].owned_by_listed = owned[i];
    free(e);
    free(counts);
    free(owned);
    free(sum);
}

static size_t ent_chain(const struct warden_screen *s, uint32_t e, char *out, size_t cap, int depth)
{
    const struct warden_screen_entity *en = &s->ents[e];
    const char *nm = en->n_names ? s->names[en->name0].raw : en->source_id;
    int w;
    if (en->listed || depth > 12)
        w = snprintf(out, cap, "%s [listed: %s %s]", nm, en->list, en->source_id);
    else
        w = snprintf(out, cap, "%s <- (", nm);
    if (w < 0 || (size_t)w >= cap) return cap ? cap - 1 : 0;
    size_t k = (size_t)w;
    if (en->listed || depth > 12) return k;
    bool first = true;
    for (size_t i = 0; i < s->n_rels && k + 1 < cap; i++) {
        const struct warden_screen_rel *r = &s->rels[i];
        if (r->asset != e || r->owner == UINT32_MAX) continue;
        const struct warden_screen_entity *o = &s->ents[r->owner];
        if (!o->listed && !o->owned_by_listed) continue;
        if (s->ent_level[r->owner] < 0 || s->ent_level[r->owner] >= s->ent_level[e]) continue;
        w = snprintf(out + k, cap - k, "%s%g%% ", first ? "" : "; ", r->share);
        if (w < 0 || (size_t)w >= cap - k) break;
        k += (size_t)w;
        k += ent_chain(s, r->owner, out + k, cap - k, depth + 1);
        first = false;
    }
    if (k + 2 < cap) {
        out[k++] = ')';
        out[k] = '\0';
    }
    return k;
}

size_t warden_screen_entity_chain(const struct warden_screen *s,
                                  const struct warden_screen_entity *e, char *out, size_t outlen)
{
    if (!outlen) return 0;
    out[0] = '\0';
    if (e->listed || !e->owned_by_listed) return 0;
    return ent_chain(s, (uint32_t)(e - s->ents), out, outlen, 0);
}

/* ---- over customer organisations ---- */

struct warden_screen_ownership {
    struct warden_screen_verdict *v;
    size_t n, n_orgs;
    struct edge *edges;
    size_t n_edges;
    size_t missing;
    char **owned_names; /* names of name-only owner nodes (owned copies) */
    const struct warden_screen *s;
};

/* Confidence of a restriction: an ownership chain scores as its weakest
 * link (the match of the least certain owner that makes it restricted); a
 * listed node its best match, or 1.0 when its own domain is listed. A node
 * with both a match and an ownership chain (stronger_ownership) scores as
 * the chain, which was found stronger. */
static double node_score(const struct warden_screen_ownership *o, size_t i, int depth)
{
    const struct warden_screen_verdict *v = &o->v[i];
    if (v->reason == WARDEN_SCREEN_OWNED_BY_LISTED && v->n_contribs && depth <= 64) {
        double worst = 1.0;
        for (size_t k = 0; k < v->n_contribs; k++) {
            double s = node_score(o, (size_t)v->contribs[k].owner, depth + 1);
            if (s < worst) worst = s;
        }
        return worst;
    }
    if (v->has_match) return v->match.score;
    /* a restricted jurisdiction by the organisation's own record, or by
     * the list entry it matches (as sure as the match) */
    if (v->reason == WARDEN_SCREEN_JURISDICTION)
        return v->list_jurisdiction ? v->possible.score : 1.0;
    if (!v->restricted && v->has_possible)
        return v->review_program ? v->review_score : v->possible.score;
    return 1.0; /* its own domain listed, a restricted jurisdiction, or too deep */
}

static bool in_list(const struct warden_strlist *l, const char *cc)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcasecmp(l->v[i], cc) == 0) return true;
    return false;
}

/* Whether item ("PROGRAMME", or "LIST:PROGRAMME" for one list only) of
 * screen.review_programs names the programme p[0..n) of an entry on list. */
static bool program_item_is(const char *item, const char *list, const char *p, size_t n)
{
    const char *colon = strchr(item, ':');
    if (colon) {
        size_t ln = (size_t)(colon - item);
        if (strlen(list) != ln || strncasecmp(list, item, ln) != 0) return false;
        item = colon + 1;
    }
    return strlen(item) == n && strncasecmp(item, p, n) == 0;
}

/* The programmes of an entry ("A] [B" on OFAC's lists; ';' or ',' elsewhere),
 * one at a time: the next after *p (moved past it); false at the end. */
static bool next_program(const char **p, const char **prog, size_t *n)
{
    const char *s = *p;
    for (;;) {
        while (*s && strchr(" []:;,", *s)) s++;
        if (!*s) {
            *p = s;
            return false;
        }
        const char *q = s;
        while (*q && !strchr("[];,", *q)) q++;
        size_t len = (size_t)(q - s);
        while (len && s[len - 1] == ' ') len--;
        if (len) {
            *prog = s;
            *n = len;
            *p = q;
            return true;
        }
        s = q;
    }
}

/* Whether every programme the entity is listed under is one of
 * screen.review_programs: an item "PROGRAMME" on any list,
 * "LIST:PROGRAMME" on that list only. */
bool warden_screen_review_only(const struct warden_screen *s, const struct warden_screen_entity *e)
{
    const struct warden_strlist *l = &s->conf.review_programs;
    if (!l->n || !e->program || !*e->program) return false;
    const char *p = e->program, *prog;
    size_t n, seen = 0;
    while (next_program(&p, &prog, &n)) {
        bool in = false;
        for (size_t i = 0; i < l->n && !in; i++) in = program_item_is(l->v[i], e->list, prog, n);
        if (!in) return false;
        seen++;
    }
    return seen > 0;
}

size_t warden_screen_warn_review_programs(const struct warden_screen *s)
{
    const struct warden_strlist *l = &s->conf.review_programs;
    size_t bad = 0, ne = warden_screen_n_entities(s);
    for (size_t i = 0; i < l->n; i++) {
        bool found = false;
        for (size_t k = 0; k < ne && !found; k++) {
            const struct warden_screen_entity *e = warden_screen_entity_at(s, k);
            const char *p = e->program ? e->program : "", *prog;
            size_t n;
            while (!found && next_program(&p, &prog, &n))
                found = program_item_is(l->v[i], e->list, prog, n);
        }
        if (found) continue;
        warden_warn("screen.review_programs[%zu]: '%s' names no programme of an entry on the "
                    "loaded lists (a typo, or a list renamed: LIST:PROGRAMME names a list as "
                    "lists.tsv does); it reviews nothing",
                    i, l->v[i]);
        bad++;
    }
    return bad;
}

/* A party listed for review (screen.review_programs) whose list entry
 * places it in a restricted jurisdiction counts as an owner there when
 * screen.jurisdiction_owners is on: the list says where it is when the
 * organisation's record does not (an owner named without a country). */
static void list_jurisdiction(const struct warden_screen *s, struct warden_screen_verdict *v)
{
    const struct warden_screen_conf *c = &s->conf;
    if (v->counts_as_owner || !c->jurisdiction_owners || !v->review_program) return;
    const struct warden_screen_entity *e = v->possible.entity;
    for (uint32_t k = 0; k < e->n_attrs; k++) {
        if (e->attrs[k].type != WARDEN_SCREEN_ATTR_COUNTRY ||
            !in_list(&c->restricted_jurisdictions, e->attrs[k].value))
            continue;
        v->counts_as_owner = v->list_jurisdiction = true;
        v->reason = WARDEN_SCREEN_JURISDICTION;
        v->country = e->attrs[k].value;
        return;
    }
}

static bool has_address(const struct warden_screen_entity *e)
{
    for (uint32_t k = 0; k < e->n_attrs; k++)
        if (e->attrs[k].type == WARDEN_SCREEN_ATTR_ADDRESS ||
            e->attrs[k].type == WARDEN_SCREEN_ATTR_COUNTRY)
            return true;
    return false;
}

static void screen_node(const struct warden_screen *s, struct warden_screen_scratch *w,
                        struct warden_screen_verdict *v, const char *const *names, size_t n_names,
                        const char *country, const char *domain, bool organisation)
{
    struct warden_screen_match m[4];
    for (size_t i = 0; i < n_names; i++) {
        struct warden_screen_query q = {names[i], country && *country ? country : NULL, domain,
                                        NULL};
        int n = warden_screen_name(s, w, &q, m, 4);
        for (int k = 0; k < n; k++) {
            if (!m[k].entity->listed && !m[k].entity->owned_by_listed) continue;
            if (!m[k].is_match) {
                /* a possible match, kept for review when the organisation's
                 * own country, domain or identifier corroborates it and the
                 * listed party is an organisation (a company named like a
                 * person or a ship is a coincidence of words), on a word
                 * that distinguishes it (a shared country's name agrees
                 * with the country by itself: "Telecom Italia" ~ "TRO
                 * ITALIA") */
                if (s->conf.possible_review && !v->review_program && m[k].corroborated &&
                    m[k].distinctive && m[k].entity->kind == WARDEN_SCREEN_KIND_ORG &&
                    (!v->has_possible || m[k].score > v->possible.score)) {
                    v->possible = m[k];
                    v->has_possible = true;
                }
                continue;
            }
            /* Vessels and aircraft are blocked property, not parties: a
             * company or owner named like a listed ship is not that ship
             * (the ship's owner or operator is listed in its own right). */
            if (m[k].entity->kind == WARDEN_SCREEN_KIND_VESSEL ||
                m[k].entity->kind == WARDEN_SCREEN_KIND_AIRCRAFT)
                continue;
            /* Nor is an organisation a listed person: "Khalifa University"
             * is not a man listed as "Khalifa", nor "Santos Limited" one
             * called "Santoso". A person who owns it is screened as its
             * owner (owners named in the record are screened against
             * persons too). */
            if (organisation && m[k].entity->kind == WARDEN_SCREEN_KIND_PERSON) continue;
            /* An entry of unknown kind (an OFAC set of aliases without its
             * primary file) with no address at all is a ship, an aircraft or
             * a person far more often than a company: in the 2019 SDN list
             * no vessel or aircraft has an address, 42 % of people have
             * none, and 97 % of organisations have one ("Freedom Internet
             * BV" is not the tanker once called FREEDOM). */
            if (organisation && m[k].entity->kind == WARDEN_SCREEN_KIND_UNKNOWN &&
                !has_address(m[k].entity))
                continue;
            /* listed only under programmes that restrict less than
             * blocking (policy): reviewed, ahead of any possible match */
            if (warden_screen_review_only(s, m[k].entity)) {
                if (!v->review_program || m[k].score > v->possible.score) {
                    v->possible = m[k];
                    v->has_possible = v->review_program = true;
                    v->review_score = m[k].score < s->conf.review_program_score
                                          ? m[k].score
                                          : s->conf.review_program_score;
                }
                continue;
            }
            if (!v->has_match || m[k].score > v->match.score) {
                v->match = m[k];
                v->has_match = true;
            }
        }
    }
    if (domain && *domain) {
        const struct warden_screen_entity *e[1];
        if (warden_screen_domain(s, domain, e, 1) > 0) v->domain_entity = e[0];
    }
    if (v->has_match || v->domain_entity) {
        v->restricted = true;
        v->counts_as_owner = true;
        v->reason = WARDEN_SCREEN_LISTED;
    }
}

/* The share of a restricted node held by owners restricted before it (or
 * listed themselves). sum[]
 * from the propagation also holds shares added after the node itself counted,
 * which through a cycle (A owns B, B owns A) are shares restricted because of
 * the node: counting them would count a share twice (restricted_share 110). */
static double earlier_share(const struct edge *edges, const size_t *idx, size_t from, size_t to,
                            const bool *counts, const int *level, int lv)
{
    double s = 0;
    for (size_t j = from; j < to; j++) {
        const struct edge *ed = &edges[idx[j]];
        /* owners restricted before the node, or listed themselves (level 0:
         * restricted whatever the node is) */
        if (counts[ed->from] && (level[ed->from] < lv || level[ed->from] == 0) && ed->share > 0)
            s += ed->share;
    }
    return s;
}

double warden_screen_ownership_score(const struct warden_screen_ownership *o, size_t i)
{
    return node_score(o, i, 0);
}

/* The owners of node i that count and were restricted before it, with
 * their shares (the evidence of an ownership verdict); *n: how many. */
static struct warden_screen_contrib *counted_owners(const struct warden_screen_ownership *o,
                                                    const size_t *idx, const size_t *off, size_t i,
                                                    const bool *counts, const int *level, size_t *n)
{
    struct warden_screen_contrib *cb = warden_xcalloc(off[i + 1] - off[i] + 1, sizeof *cb);
    *n = 0;
    for (size_t j = off[i]; j < off[i + 1]; j++) {
        const struct edge *ed = &o->edges[idx[j]];
        if (!counts[ed->from] || level[ed->from] >= level[i] || ed->share <= 0) continue;
        cb[(*n)++] = (struct warden_screen_contrib){(int64_t)ed->from, ed->share};
    }
    return cb;
}

/* Node i is owned through the owners cb (from counted_owners, taken over). */
static void owned_through(struct warden_screen_ownership *o, const size_t *idx, const size_t *off,
                          size_t i, struct warden_screen_contrib *cb, size_t ncb,
                          const bool *counts, const int *level)
{
    struct warden_screen_verdict *v = &o->v[i];
    free(v->contribs);
    v->contribs = cb;
    v->n_contribs = ncb;
    v->reason = WARDEN_SCREEN_OWNED_BY_LISTED;
    v->round = level[i];
    v->restricted_share = earlier_share(o->edges, idx, off[i], off[i + 1], counts, level, level[i]);
}

/* A name match below certainty on an organisation that restricted owners
 * also hold >= threshold of: the two are independent grounds, and the verdict
 * is the stronger one. The ownership is recomputed for each such node without
 * its own match counting (a propagation per node), so an owner restricted only
 * because of the node itself (a cycle) is not counted, while owners matched
 * below certainty themselves still are; a node whose ownership chain scores
 * above its match keeps the match in its evidence and is reported as owned by
 * listed parties. */
static bool weak_match(const struct warden_screen_verdict *v)
{
    if (v->reason == WARDEN_SCREEN_JURISDICTION) /* placed there by a review party's entry */
        return v->list_jurisdiction && v->possible.score < 1.0;
    return v->reason == WARDEN_SCREEN_LISTED && v->has_match && !v->domain_entity &&
           v->match.score < 1.0;
}

/* The score of a weakly matched node's own ground (weak_match). */
static double weak_score(const struct warden_screen_verdict *v)
{
    return v->reason == WARDEN_SCREEN_JURISDICTION ? v->possible.score : v->match.score;
}

static void stronger_ownership(struct warden_screen_ownership *o, const size_t *idx,
                               const size_t *off, double th)
{
    size_t n_weak = 0;
    for (size_t i = 0; i < o->n; i++)
        if (weak_match(&o->v[i]) && off[i + 1] > off[i]) n_weak++;
    if (!n_weak) return;
    bool *counts = warden_xcalloc(o->n + 1, sizeof *counts);
    bool *owned = warden_xcalloc(o->n + 1, sizeof *owned);
    int *level = warden_xmalloc((o->n + 1) * sizeof *level);
    double *sum = warden_xmalloc((o->n + 1) * sizeof *sum);
    /* only a node whose owners hold the threshold when every node counts can
     * be owned with fewer counting: one propagation finds them (most weakly
     * matched organisations have no restricted owner at all) */
    bool *cand = warden_xcalloc(o->n + 1, sizeof *cand);
    for (size_t k = 0; k < o->n; k++)
        counts[k] =
            o->v[k].reason == WARDEN_SCREEN_LISTED || o->v[k].reason == WARDEN_SCREEN_JURISDICTION;
    propagate(o->n, o->edges, o->n_edges, th, counts, owned, level, sum);
    for (size_t i = 0; i < o->n; i++)
        cand[i] = weak_match(&o->v[i]) && off[i + 1] > off[i] && sum[i] + 1e-9 >= th;
    /* each weakly matched node with owners: the ownership computed with every
     * listed or jurisdiction node counting but the node itself (its owners'
     * own matches count, weak or not, and a share that is restricted only
     * through the node, round a cycle, does not); a few passes, so that an
     * owner decided after what it owns is taken up */
    for (int pass = 0, changed = 1; pass < 3 && changed; pass++) {
        changed = 0;
        for (size_t i = 0; i < o->n; i++) {
            struct warden_screen_verdict *v = &o->v[i];
            if (!cand[i] || !weak_match(v)) continue;
            for (size_t k = 0; k < o->n; k++)
                counts[k] = k != i && (o->v[k].reason == WARDEN_SCREEN_LISTED ||
                                       o->v[k].reason == WARDEN_SCREEN_JURISDICTION);
            propagate(o->n, o->edges, o->n_edges, th, counts, owned, level, sum);
            if (!owned[i]) continue;
            size_t ncb;
            struct warden_screen_contrib *cb = counted_owners(o, idx, off, i, counts, level, &ncb);
            double own_score = 1.0;
            for (size_t k = 0; k < ncb; k++) {
                double sc = node_score(o, (size_t)cb[k].owner, 1);
                if (sc < own_score) own_score = sc;
            }
            if (ncb == 0 || own_score <= weak_score(v)) {
                free(cb);
                continue;
            }
            owned_through(o, idx, off, i, cb, ncb, counts, level);
            v->restricted = true; /* a node placed in a jurisdiction by its entry was not */
            changed = 1;
        }
    }
    free(cand);
    free(counts);
    free(owned);
    free(level);
    free(sum);
}

/* Possibly owned by listed parties: the ownership computed again with the
 * organisations whose own name is a corroborated possible match counting as
 * owners too. An organisation that this makes owned, and that nothing
 * restricts, is reported for review with the chain (its score: the weakest
 * link, a possible match's score); what it owns is decided in the same pass,
 * so a chain through several possibly owned holdings resolves. */
static void possible_ownership(struct warden_screen_ownership *o, const size_t *idx,
                               const size_t *off, double th)
{
    size_t n_possible = 0;
    for (size_t i = 0; i < o->n; i++)
        if (!o->v[i].restricted && o->v[i].has_possible) n_possible++;
    if (!n_possible) return;
    bool *counts = warden_xcalloc(o->n + 1, sizeof *counts);
    bool *owned = warden_xcalloc(o->n + 1, sizeof *owned);
    int *level = warden_xmalloc((o->n + 1) * sizeof *level);
    double *sum = warden_xmalloc((o->n + 1) * sizeof *sum);
    for (size_t i = 0; i < o->n; i++)
        counts[i] = o->v[i].counts_as_owner || (!o->v[i].restricted && o->v[i].has_possible);
    propagate(o->n, o->edges, o->n_edges, th, counts, owned, level, sum);
    for (size_t i = 0; i < o->n; i++) {
        struct warden_screen_verdict *v = &o->v[i];
        if (!owned[i] || v->restricted) continue;
        size_t ncb;
        struct warden_screen_contrib *cb = counted_owners(o, idx, off, i, counts, level, &ncb);
        if (!ncb) {
            free(cb);
            continue;
        }
        owned_through(o, idx, off, i, cb, ncb, counts, level);
        v->possibly_owned = true;
    }
    free(counts);
    free(owned);
    free(level);
    free(sum);
}

int warden_screen_orgs(const struct warden_screen *s, struct warden_screen_scratch *w,
                       const struct warden_org *orgs, size_t n_orgs,
                       struct warden_screen_ownership **out)
{
    struct warden_screen_scratch *own = NULL;
    if (!w) w = own = warden_screen_scratch_new(s);
    struct warden_screen_ownership *o = warden_xcalloc(1, sizeof *o);
    o->s = s;
    o->n_orgs = n_orgs;
    size_t n_extra_max = 0;
    for (size_t i = 0; i < n_orgs; i++) n_extra_max += orgs[i].n_owners;
    o->v = warden_xcalloc(n_orgs + n_extra_max + 1, sizeof *o->v);
    o->owned_names = warden_xcalloc(n_extra_max + 1, sizeof *o->owned_names);
    o->edges = warden_xcalloc(n_extra_max + 1, sizeof *o->edges);
    o->n = n_orgs;
    struct warden_smap ids, extra;
    warden_smap_init(&ids);
    warden_smap_init(&extra);
    for (size_t i = 0; i < n_orgs; i++) {
        if (!orgs[i].org_id) continue;
        bool found;
        uint32_t *slot = warden_smap_put(&ids, orgs[i].org_id, &found);
        if (!found) *slot = (uint32_t)i;
    }
    const struct warden_screen_conf *c = &s->conf;
    /* nodes: organisations */
    for (size_t i = 0; i < n_orgs; i++) {
        struct warden_screen_verdict *v = &o->v[i];
        v->name = orgs[i].name;
        v->org_id = orgs[i].org_id;
        v->country = orgs[i].country;
        const char *names[65];
        size_t nn = 0;
        if (orgs[i].name) names[nn++] = orgs[i].name;
        for (size_t a = 0; a < orgs[i].n_aliases && nn < 65; a++) names[nn++] = orgs[i].aliases[a];
        screen_node(s, w, v, names, nn, orgs[i].country, orgs[i].domain, true);
        if (!v->counts_as_owner && c->jurisdiction_owners) {
            /* incorporated (country) or headquartered (the address's last part
             * names a country) in a restricted jurisdiction */
            const char *cc =
                orgs[i].country[0] && in_list(&c->restricted_jurisdictions, orgs[i].country)
                    ? orgs[i].country
                    : NULL;
            if (!cc && orgs[i].address) {
                /* the last part, or the last two ("..., Korea, North") */
                const char *a = orgs[i].address, *p1 = strrchr(a, ','), *p2 = NULL;
                for (const char *q = a; p1 && q < p1; q++)
                    if (*q == ',') p2 = q;
                const char *tries[2] = {p2 ? p2 + 1 : NULL, p1 ? p1 + 1 : a};
                for (int t = 0; t < 2 && !cc; t++) {
                    if (!tries[t]) continue;
                    if (warden_normalizer_country(s->nz, warden_screen_scratch_translit(w),
                                                  tries[t], strlen(tries[t]), v->hq_country) &&
                        in_list(&c->restricted_jurisdictions, v->hq_country))
                        cc = v->hq_country;
                }
            }
            if (cc) {
                v->counts_as_owner = true;
                v->reason = WARDEN_SCREEN_JURISDICTION;
                v->country = cc;
            }
        }
        list_jurisdiction(s, v);
    }
    /* edges, and nodes for owners known by name only */
    for (size_t i = 0; i < n_orgs; i++) {
        for (size_t k = 0; k < orgs[i].n_owners; k++) {
            const struct warden_owner *ow = &orgs[i].owners[k];
            const uint32_t *idx =
                ow->org_id ? warden_smap_get(&ids, ow->org_id, strlen(ow->org_id)) : NULL;
            size_t from;
            if (idx) {
                from = *idx;
            } else if (ow->name && *ow->name) {
                bool found;
                uint32_t *slot = warden_smap_put(&extra, ow->name, &found);
                if (!found) {
                    *slot = (uint32_t)o->n;
                    struct warden_screen_verdict *v = &o->v[o->n++];
                    v->name = ow->name;
                    v->org_id = NULL;
                    v->country = "";
                    const char *names[1] = {ow->name};
                    screen_node(s, w, v, names, 1, NULL, NULL, false);
                    list_jurisdiction(s, v);
                }
                from = *slot;
            } else {
                o->missing++;
                continue;
            }
            o->edges[o->n_edges++] = (struct edge){from, i, ow->share};
        }
    }
    /* least fixed point */
    bool *counts = warden_xcalloc(o->n + 1, sizeof *counts);
    bool *owned = warden_xcalloc(o->n + 1, sizeof *owned);
    int *level = warden_xmalloc((o->n + 1) * sizeof *level);
    double *sum = warden_xmalloc((o->n + 1) * sizeof *sum);
    for (size_t i = 0; i < o->n; i++) counts[i] = o->v[i].counts_as_owner;
    propagate(o->n, o->edges, o->n_edges, c->ownership_threshold, counts, owned, level, sum);
    /* in-edges of each node, for the evidence */
    size_t *off = warden_xcalloc(o->n + 2, sizeof *off);
    size_t *idx = warden_xmalloc((o->n_edges + 1) * sizeof *idx);
    for (size_t k = 0; k < o->n_edges; k++) off[o->edges[k].to + 2]++;
    for (size_t i = 0; i < o->n; i++) off[i + 2] += off[i + 1];
    for (size_t k = 0; k < o->n_edges; k++) idx[off[o->edges[k].to + 1]++] = k;
    for (size_t i = 0; i < o->n; i++) {
        struct warden_screen_verdict *v = &o->v[i];
        v->restricted_share =
            counts[i] ? earlier_share(o->edges, idx, off[i], off[i + 1], counts, level, level[i])
                      : sum[i];
        v->round = level[i];
        if (!owned[i] || v->restricted) continue;
        v->restricted = true;
        v->counts_as_owner = true;
        v->reason = WARDEN_SCREEN_OWNED_BY_LISTED;
        v->contribs = counted_owners(o, idx, off, i, counts, level, &v->n_contribs);
    }
    stronger_ownership(o, idx, off, c->ownership_threshold);
    possible_ownership(o, idx, off, c->ownership_threshold);
    free(counts);
    free(owned);
    free(level);
    free(sum);
    free(off);
    free(idx);
    warden_smap_fini(&ids);
    warden_smap_fini(&extra);
    warden_screen_scratch_free(own);
    *out = o;
    return 0;
}

void warden_screen_ownership_free(struct warden_screen_ownership *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n; i++) free(o->v[i].contribs);
    free(o->v);
    free(o->edges);
    free(o->owned_names);
    free(o);
}

size_t warden_screen_ownership_n(const struct warden_screen_ownership *o)
{
    return o->n;
}

const struct warden_screen_verdict *
warden_screen_ownership_at(const struct warden_screen_ownership *o, size_t i)
{
    return i < o->n ? &o->v[i] : NULL;
}

size_t warden_screen_ownership_missing(const struct warden_screen_ownership *o)
{
    return o->missing;
}

static size_t chain(const struct warden_screen_ownership *o, size_t i, char *out, size_t cap,
                    int depth)
{
    const struct warden_screen_verdict *v = &o->v[i];
    int w = 0;
    size_t k = 0;
    if (!cap) return 0;
    out[0] = '\0';
    if (v->reason == WARDEN_SCREEN_LISTED && v->has_match) {
        const struct warden_screen_entity *e = v->match.entity;
        w = snprintf(out, cap, "%s [listed: %s %s \"%s\" score %.2f%s]", v->name, e->list,
                     e->source_id, v->match.matched_name, v->match.score,
                     e->listed ? "" : ", owned by listed parties on the list");
    } else if (v->reason == WARDEN_SCREEN_LISTED && v->domain_entity) {
        w = snprintf(out, cap, "%s [domain listed: %s %s]", v->name, v->domain_entity->list,
                     v->domain_entity->source_id);
    } else if (v->reason == WARDEN_SCREEN_JURISDICTION && v->list_jurisdiction) {
        const struct warden_screen_entity *e = v->possible.entity;
        w = snprintf(out, cap,
                     "%s [restricted jurisdiction %s: listed for review: %s %s \"%s\" score %.2f, "
                     "programme %s]",
                     v->name, v->country, e->list, e->source_id, v->possible.matched_name,
                     v->possible.score, e->program);
    } else if (v->reason == WARDEN_SCREEN_JURISDICTION) {
        w = snprintf(out, cap, "%s [restricted jurisdiction %s]", v->name, v->country);
    } else if (v->reason == WARDEN_SCREEN_CLEAR && v->has_possible) {
        const struct warden_screen_entity *e = v->possible.entity;
        w = snprintf(out, cap, "%s [%s: %s %s \"%s\" score %.2f%s%s%s]", v->name,
                     v->review_program ? "listed for review" : "possible match", e->list,
                     e->source_id, v->possible.matched_name, v->possible.score,
                     v->review_program ? ", programme " : "", v->review_program ? e->program : "",
                     e->listed ? "" : ", owned by listed parties on the list");
    } else if (v->reason == WARDEN_SCREEN_OWNED_BY_LISTED && depth < 16) {
        w = snprintf(out, cap, "%s <- ", v->name);
        if (w < 0 || (size_t)w >= cap) return cap - 1;
        k = (size_t)w;
        if (v->n_contribs > 1 && k + 1 < cap) out[k++] = '(';
        for (size_t c = 0; c < v->n_contribs && k + 1 < cap; c++) {
            w = snprintf(out + k, cap - k, "%s%g%% ", c ? "; " : "", v->contribs[c].share);
            if (w < 0 || (size_t)w >= cap - k) return cap - 1;
            k += (size_t)w;
            k += chain(o, (size_t)v->contribs[c].owner, out + k, cap - k, depth + 1);
        }
        if (v->n_contribs > 1 && k + 1 < cap) out[k++] = ')';
        out[k] = '\0';
        return k;
    } else {
        w = snprintf(out, cap, "%s", v->name);
    }
    if (w < 0) return 0;
    return (size_t)w >= cap ? cap - 1 : (size_t)w;
}

size_t warden_screen_ownership_chain(const struct warden_screen_ownership *o, size_t i, char *out,
                                     size_t outlen)
{
    if (i >= o->n) return 0;
    return chain(o, i, out, outlen, 0);
}

int warden_screen_org(const struct warden_screen *s, struct warden_screen_scratch *w,
                      const struct warden_org *orgs, size_t n_orgs, size_t index,
                      struct warden_screen_verdict *out_copy, char *chainbuf, size_t chainlen)
{
    if (index >= n_orgs) return WARDEN_EINVAL;
    struct warden_screen_ownership *o;
    int rc = warden_screen_orgs(s, w, orgs, n_orgs, &o);
    if (rc < 0) return rc;
    if (out_copy) {
        *out_copy = o->v[index];
        out_copy->contribs = NULL;
        out_copy->n_contribs = 0;
    }
    if (chainbuf) warden_screen_ownership_chain(o, index, chainbuf, chainlen);
    warden_screen_ownership_free(o);
    return 0;
}
