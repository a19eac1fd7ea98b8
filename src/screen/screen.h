/* screen.h — restricted-party screening: the public API.
 *
 * Loads sanctions and export-control lists (OFAC SDN / non-SDN CSV, the US
 * Consolidated Screening List, the UN consolidated XML, the BIS Denied Persons
 * List, OpenSanctions FollowTheMoney JSON lines and lists of web / e-mail
 * domains) into one read-only, shareable `struct warden_screen`, then answers:
 *
 *   - warden_screen_name():   which listed parties does a name (plus optional
 *                             country, domain, identifier) match, with the
 *                             explanation of every match;
 *   - warden_screen_domain(): is a web / e-mail domain on a list;
 *   - warden_screen_orgs():   for an array of organisations with owners
 *                             (formats.md §3), which are restricted because they
 *                             are listed or because restricted parties own, in
 *                             aggregate, at least 50 % of them (OFAC's rule),
 *                             with the ownership chain as evidence.
 *
 * Thread model (architecture.md rule 3): the struct warden_screen is read-only
 * after loading and may be shared by any number of threads; each thread passes
 * its own struct warden_screen_scratch (query buffers, ICU transliterator) to
 * the query functions. Nothing in this module names a country, list or entity:
 * lists are described by a manifest (data/lists/lists.tsv), normalisation by
 * data files (data/screen/legal_forms.tsv, terms.tsv, countries.tsv), and the
 * thresholds by the `screen:` section of the policy (warden_screen_conf_table). */
#ifndef WARDEN_SCREEN_SCREEN_H
#define WARDEN_SCREEN_SCREEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "registry/registry.h"

/* ---- configuration (policy section `screen:`) ------------------------------ */

struct warden_screen_conf {
    bool enabled;                 /* `warden scan` screens the registry's organisations */
    char *data_dir;               /* lists/ and screen/ data; NULL = default data dir */
    double match_threshold;       /* score at or above which two names are the same party */
    double review_threshold;      /* weaker matches reported as possible (not a match) */
    double country_bonus;         /* added when the query country is one of the entity's */
    double country_penalty;       /* taken when both have countries and none agree */
    double country_penalty_short; /* instead, when they share one short word alone */
    double legal_form_bonus;      /* added when both names carry the same legal-form class */
    double legal_form_penalty;    /* taken when both carry legal forms of different classes */
    double domain_bonus;          /* added when the query domain is one of the entity's */
    double id_bonus;              /* added when a query identifier equals one of the entity's */
    double token_min_sim;         /* least Jaro-Winkler for two tokens to count as the same word */
    double ownership_threshold;   /* percent held by restricted owners that restricts (50) */
    bool jurisdiction_owners;     /* owners incorporated in a restricted jurisdiction count */
    struct warden_strlist restricted_jurisdictions; /* ISO alpha-2 codes (policy data) */
    struct warden_strlist lists;                    /* list names to use; empty = all */
    int64_t max_results;                            /* matches returned per query */
    int64_t max_candidates;                         /* candidate names scored per query */
    char *compiled;          /* compiled list file (warden lists build); NULL = load the sources */
    double qualifier_weight; /* weight factor of qualifier words (countries, regions, branches) */
    bool sibling_review;     /* names differing in a distinguishing word stay below a match */
    bool brand_match;        /* a brand alone matches the full name built around it */
    bool short_acronym_review; /* a match only through an acronym of <= 3 letters: review */
    bool one_word_typo_review; /* a match only through one short word one edit away: review */
    struct warden_strlist review_programs; /* programmes that restrict less than blocking:
                                              a party listed only under them is reviewed */
    double review_program_score; /* score of screen.listed_review (a review, not a block) */
    bool possible_review;        /* a corroborated possible match with a listed organisation is
                                    reported (screen.possible_match) when nothing restricts */
    int64_t max_age_days;        /* warn when a list's as_of is older (or unknown); 0: never */
};

/* The declared table: key, type, default, offset, help, min, max. */
extern const struct warden_conf_key warden_screen_conf_table[];
/* Fill c with the table's defaults (works before core/conf.c lands). */
void warden_screen_conf_init(struct warden_screen_conf *c);
void warden_screen_conf_fini(struct warden_screen_conf *c);

/* ---- list entities -------------------------------------------------------- */

enum warden_screen_kind {
    WARDEN_SCREEN_KIND_UNKNOWN = 0,
    WARDEN_SCREEN_KIND_ORG,
    WARDEN_SCREEN_KIND_PERSON,
    WARDEN_SCREEN_KIND_VESSEL,
    WARDEN_SCREEN_KIND_AIRCRAFT,
};

enum warden_screen_attr_type {
    WARDEN_SCREEN_ATTR_ADDRESS,
    WARDEN_SCREEN_ATTR_COUNTRY, /* ISO alpha-2, or the list's text when unknown */
    WARDEN_SCREEN_ATTR_ID,      /* "type: value" */
    WARDEN_SCREEN_ATTR_DOMAIN,  /* web domain */
    WARDEN_SCREEN_ATTR_EMAIL,   /* e-mail address */
    WARDEN_SCREEN_ATTR_REMARK,
};

struct warden_screen_attr {
    enum warden_screen_attr_type type;
    const char *value;
};

struct warden_screen_entity {
    const char *list;      /* list name from the manifest, e.g. "ofac-sdn-2019" */
    const char *source_id; /* the list's own id (ent_num, reference number, FtM id) */
    const char *program;   /* sanctions programme(s), "" when none */
    enum warden_screen_kind kind;
    bool listed;             /* a designated party (FtM: target); false for related-only */
    bool owned_by_listed;    /* restricted by the 50 % rule over the lists' own ownership */
    uint32_t name0, n_names; /* names: warden_screen_entity_name(s, e, 0..n_names-1) */
    uint32_t attr0, n_attrs;
    const struct warden_screen_attr *attrs; /* n_attrs of them */
};

struct warden_screen_stats {
    size_t lists, entities, names, attrs, tokens, index_keys;
    size_t memory_bytes; /* bytes held by the loaded lists and the index */
};

struct warden_screen_list_stats {
    const char *list;
    size_t entities, names;
    int64_t as_of_day; /* the list's as_of (days since 1970-01-01), 0 when unknown */
};

struct warden_screen;
struct warden_screen_scratch;

/* Load every list named in a manifest (tab-separated: NAME FORMAT FILE...; see
 * data/lists/lists.tsv) with files relative to the manifest's directory, and
 * the normalisation data from data_dir (legal_forms.tsv, terms.tsv,
 * countries.tsv). A malformed record is reported on stderr as FILE:LINE: reason
 * and skipped. Returns 0, or a negative WARDEN_E* code with err naming the
 * file (and line) that could not be read. */
int warden_screen_load(struct warden_screen **out, const char *manifest, const char *data_dir,
                       const struct warden_screen_conf *conf, char *err, size_t errlen);
/* The project's data directory: $WARDEN_DATA_DIR, else ./data when it holds
 * lists/lists.tsv, else the source tree's data/ (compiled in). Lists are in
 * DIR/lists/lists.tsv, normalisation data in DIR/screen/. */
const char *warden_screen_default_data_dir(void);
/* Start an empty set with normalisation data from data_dir; then add lists
 * one by one with warden_screen_add_list(), then warden_screen_finish(). */
int warden_screen_new(struct warden_screen **out, const char *data_dir,
                      const struct warden_screen_conf *conf, char *err, size_t errlen);
/* format: ofac_csv (files prim=,alt=,add=,comments=), csl_csv, un_xml, bis_dpl,
 * ftm_json, domains. files is "role=path" or bare paths. */
int warden_screen_add_list(struct warden_screen *s, const char *list, const char *format,
                           const char *const *files, size_t n_files, char *err, size_t errlen);
/* Build the token index and the lists' own ownership verdicts. */
int warden_screen_finish(struct warden_screen *s, char *err, size_t errlen);
void warden_screen_free(struct warden_screen *s);

void warden_screen_stats(const struct warden_screen *s, struct warden_screen_stats *st);
size_t warden_screen_n_lists(const struct warden_screen *s);
void warden_screen_list_stats(const struct warden_screen *s, size_t i,
                              struct warden_screen_list_stats *st);
size_t warden_screen_n_entities(const struct warden_screen *s);
const struct warden_screen_entity *warden_screen_entity_at(const struct warden_screen *s, size_t i);
const char *warden_screen_entity_name(const struct warden_screen *s,
                                      const struct warden_screen_entity *e, size_t j);
const struct warden_screen_conf *warden_screen_get_conf(const struct warden_screen *s);
/* Replace thresholds and ownership policy (copied) without reloading the lists,
 * e.g. on a policy reload. Not concurrent with queries. The `lists` key only
 * takes effect at load. */
void warden_screen_set_conf(struct warden_screen *s, const struct warden_screen_conf *c);

/* ---- compiled lists (warden lists build) ----------------------------------- */

/* Write the finished set — lists, token index, ownership verdicts and the
 * normalisation tables — into one file that warden_screen_map() maps in
 * milliseconds. Written to PATH.tmp.PID and renamed over path (atomic). */
int warden_screen_save(const struct warden_screen *s, const char *path, char *err, size_t errlen);
/* Map a compiled file. Checks size, magic, version, checksum and every index
 * inside, so a truncated, corrupt or foreign file is refused with a reason
 * (WARDEN_EFORMAT) and never crashes a query. conf may be NULL (defaults);
 * when its ownership_threshold differs from the build's, the lists' own
 * ownership verdicts are recomputed. The `lists` key, when set, must name
 * exactly the lists the file holds. */
int warden_screen_map(struct warden_screen **out, const char *path,
                      const struct warden_screen_conf *conf, char *err, size_t errlen);
/* ---- freshness (freshness.c) ---- */

/* "YYYY-MM-DD" to days since 1970-01-01; 0 or WARDEN_EPARSE. */
int warden_screen_parse_day(const char *s, int64_t *day);
/* Age in days of list i on day today (days since 1970-01-01), or -1 when
 * its as_of is unknown. */
int64_t warden_screen_list_age(const struct warden_screen *s, size_t i, int64_t today);
/* True when list i is older than max_age_days on day today, or its date is
 * unknown; never when max_age_days <= 0. */
bool warden_screen_list_stale(const struct warden_screen *s, size_t i, int64_t today,
                              int64_t max_age_days);
/* Today in days since 1970-01-01 (UTC). */
int64_t warden_screen_today(void);
/* List i's date, age and staleness against the set's screen.max_age_days:
 * "as of 2019-05-01, 2770 days: STALE (screen.max_age_days 30)" into buf, or
 * "as_of", "age_days" (null when unknown) and "stale" into an open object. */
void warden_screen_list_age_text(char *buf, size_t n, const struct warden_screen *s, size_t i);
struct warden_jbuf;
void warden_screen_list_age_json(struct warden_jbuf *b, const struct warden_screen *s, size_t i);
/* Warn (core/log.h) once about the lists that are stale today; returns how many. */
size_t warden_screen_warn_stale(const struct warden_screen *s, int64_t max_age_days);

/* What callers should use: conf->compiled when set (mapped; a missing file
 * falls back to the sources with a note on stderr, a bad one is an error),
 * else DATA/lists/lists.tsv and DATA/screen (DATA = conf->data_dir or the
 * default data directory). Then warns about stale lists (conf->max_age_days,
 * freshness.c). */
int warden_screen_open(struct warden_screen **out, const struct warden_screen_conf *conf, char *err,
                       size_t errlen);
/* The compiled file s was mapped from (NULL when loaded from sources). */
const char *warden_screen_source_file(const struct warden_screen *s);
/* True when s was mapped from a file whose path now names another file (a
 * rebuild or update swapped it in): a server maps the new one and swaps. */
bool warden_screen_file_changed(const struct warden_screen *s);
/* Build time of a mapped file (unix seconds; 0 when loaded from sources). */
int64_t warden_screen_built_at(const struct warden_screen *s);

/* Per-thread query state. */
struct warden_screen_scratch *warden_screen_scratch_new(const struct warden_screen *s);
void warden_screen_scratch_free(struct warden_screen_scratch *w);

/* ---- name screening -------------------------------------------------------- */

#define WARDEN_SCREEN_EXPLAIN_MAX 8

/* One token of the query paired with one of the listed name. */
struct warden_screen_token_pair {
    char query[32], listed[32];
    double sim;    /* 1 exact; else Jaro-Winkler (or joined-token similarity) */
    double weight; /* the word's rarity weight in the lists (IDF) */
};

struct warden_screen_match {
    const struct warden_screen_entity *entity;
    const char *matched_name; /* which of the entity's names matched best */
    double score;             /* final score 0..1 */
    double name_score;        /* token / joined-name similarity before adjustments */
    bool is_match;            /* score >= match_threshold */
    /* explanation */
    char query_norm[128], listed_norm[128]; /* normalised core names compared */
    char query_legal[16], listed_legal[16]; /* legal-form classes ("" when none) */
    struct warden_screen_token_pair pairs[WARDEN_SCREEN_EXPLAIN_MAX];
    int n_pairs;
    const char *method; /* "tokens" or "joined" */
    double adj_country, adj_legal, adj_domain, adj_id;
    bool corroborated; /* the query's country, domain or identifier agrees with the party's */
    bool distinctive;  /* a word of the query paired (>= 0.85) that is neither a connecting
                          word, a place or country, nor a common word of company names */
    bool short_word;   /* the names share one word of six letters or fewer (Latin script)
                          besides connecting words and common words of company names that
                          are not places */
};

struct warden_screen_query {
    const char *name;    /* required */
    const char *country; /* ISO alpha-2 or a country name; may be NULL */
    const char *domain;  /* web / e-mail domain; may be NULL */
    const char *id;      /* an identifier (registration number...); may be NULL */
};

/* Screen one name. Writes up to max matches (best first, score >=
 * review_threshold) into out and returns how many (0..max), or a negative
 * WARDEN_E* code. w may be NULL (a temporary scratch is made: slow). */
int warden_screen_name(const struct warden_screen *s, struct warden_screen_scratch *w,
                       const struct warden_screen_query *q, struct warden_screen_match *out,
                       size_t max);

/* Compare two free-standing names as the matcher would (match-names). */
double warden_screen_compare(const struct warden_screen *s, struct warden_screen_scratch *w,
                             const char *a, const char *b, bool *is_match);

/* Normalise a name into its core tokens joined by spaces (for display/tests);
 * legal-form class written into legal (may be NULL). Returns the length. */
size_t warden_screen_normalize(const struct warden_screen *s, struct warden_screen_scratch *w,
                               const char *name, char *out, size_t outlen, char *legal,
                               size_t legallen);

/* ---- domains ----------------------------------------------------------------- */

/* Entities listing the domain (or a parent of it), or the full e-mail address.
 * Returns how many written into out (max), best (most specific) first. */
int warden_screen_domain(const struct warden_screen *s, const char *domain_or_email,
                         const struct warden_screen_entity **out, size_t max);

/* ---- organisations and ownership ---------------------------------------------- */

enum warden_screen_reason {
    WARDEN_SCREEN_CLEAR = 0,
    WARDEN_SCREEN_LISTED,          /* the organisation's own name/domain is on a list */
    WARDEN_SCREEN_OWNED_BY_LISTED, /* restricted owners hold >= threshold, in aggregate */
    WARDEN_SCREEN_JURISDICTION,    /* counted as restricted for its jurisdiction (owners only) */
};

struct warden_screen_contrib {
    int64_t owner; /* index into the verdict array (orgs first, then name-only owners) */
    double share;
};

struct warden_screen_verdict {
    enum warden_screen_reason reason;
    bool restricted;         /* listed, or owned by listed (an org's own jurisdiction alone
                                does not restrict it: that is geo policy) */
    bool counts_as_owner;    /* restricted, or in a restricted jurisdiction when enabled */
    double restricted_share; /* percent held by owners that count */
    int round; /* level: 0 listed or jurisdiction, 1 + the owner completing its share, -1 never */
    struct warden_screen_match match; /* when LISTED: the best list match */
    bool has_match;
    struct warden_screen_contrib *contribs; /* owners that count, with shares */
    size_t n_contribs;
    const char *name;    /* org name or owner name */
    const char *org_id;  /* NULL for a name-only owner */
    const char *country; /* "" when unknown; the restricted one for JURISDICTION */
    char hq_country[3];  /* country named at the end of the address, when resolved */
    const struct warden_screen_entity *domain_entity; /* its domain is on a list */
    /* when screen.possible_review: the best possible match (review_threshold
     * <= score < match_threshold) with a listed organisation (or one owned by
     * listed parties) that the organisation's own country, domain or
     * identifier corroborates; reported only when nothing restricts it */
    struct warden_screen_match possible;
    bool has_possible;
    /* possible is a match (>= match_threshold) with a party listed only
     * under screen.review_programs: screen.listed_review, scored
     * review_score (the match's, at most screen.review_program_score) */
    bool review_program;
    double review_score;
    /* JURISDICTION from the review party's list entry (its country), not
     * from the organisation's record (list_jurisdiction) */
    bool list_jurisdiction;
    /* not restricted, but owners that are restricted or possible matches as
     * above hold >= the threshold together (contribs: those owners) */
    bool possibly_owned;
};

/* Whether every programme the entity is listed under ("A] [B" on OFAC's
 * lists; ';' or ',' elsewhere) is one of screen.review_programs: such a
 * party does not restrict what matches it (screen.listed_review). */
bool warden_screen_review_only(const struct warden_screen *s, const struct warden_screen_entity *e);
/* Warn (stderr) about every item of screen.review_programs that names no
 * programme of an entry on the loaded lists; returns how many. */
size_t warden_screen_warn_review_programs(const struct warden_screen *s);

struct warden_screen_ownership;

/* Screen an array of organisations (e.g. warden_registry_org_at 0..n-1) and
 * apply the aggregate ownership rule. Owners given by org_id are looked up in
 * the array; owners given by name only (or by an unknown org_id with a name)
 * become extra nodes screened by name alone; an owner id that is neither
 * (missing owner) is ignored and counted. Cycles are handled (least fixed
 * point: a cycle with no restricted entry never restricts itself). */
int warden_screen_orgs(const struct warden_screen *s, struct warden_screen_scratch *w,
                       const struct warden_org *orgs, size_t n_orgs,
                       struct warden_screen_ownership **out);
void warden_screen_ownership_free(struct warden_screen_ownership *o);
size_t warden_screen_ownership_n(const struct warden_screen_ownership *o); /* orgs + extras */
const struct warden_screen_verdict *
warden_screen_ownership_at(const struct warden_screen_ownership *o, size_t i);
size_t warden_screen_ownership_missing(const struct warden_screen_ownership *o);
/* Confidence of node i's restriction: its list match, or for an organisation
 * restricted by ownership the weakest match along the chain (1.0 for a listed
 * domain or a restricted-jurisdiction owner). */
double warden_screen_ownership_score(const struct warden_screen_ownership *o, size_t i);
/* Human-readable chain for node i: "X <- 50% B <- 50% A [listed: ...]"; returns
 * length written (truncated to outlen). */
size_t warden_screen_ownership_chain(const struct warden_screen_ownership *o, size_t i, char *out,
                                     size_t outlen);
/* One organisation (convenience over warden_screen_orgs with its array). */
int warden_screen_org(const struct warden_screen *s, struct warden_screen_scratch *w,
                      const struct warden_org *orgs, size_t n_orgs, size_t index,
                      struct warden_screen_verdict *out_copy, char *chain, size_t chainlen);

const char *warden_screen_reason_code(enum warden_screen_reason r); /* "screen.listed" ... */
/* A verdict's code: its reason when restricted; "screen.possibly_owned_by_listed"
 * when owners that are restricted or corroborated possible matches hold the
 * threshold; "screen.possible_match" when its own name is one; else
 * "screen.clear". */
const char *warden_screen_verdict_code(const struct warden_screen_verdict *v);

/* Why a list entity that is not itself designated is restricted: the chain of
 * list ownership relations to designated owners ("<- 60% Y [listed ...]").
 * Returns the length written; "" for a designated or unrestricted entity. */
size_t warden_screen_entity_chain(const struct warden_screen *s,
                                  const struct warden_screen_entity *e, char *out, size_t outlen);

/* ---- evidence ----------------------------------------------------------------- */

struct warden_jbuf;
const char *warden_screen_kind_name(enum warden_screen_kind k); /* "organisation", ... */
/* One match as a JSON object: list, source_id, program, kind, names, score and
 * "explain" (method, normalised names, legal forms, token pairs, adjustments). */
void warden_screen_match_json(const struct warden_screen *s, const struct warden_screen_match *m,
                              struct warden_jbuf *b);
/* One organisation's verdict: org_id, name, restricted, reason code,
 * restricted_share, match, domain hit and the ownership chain. */
void warden_screen_verdict_json(const struct warden_screen *s,
                                const struct warden_screen_ownership *o, size_t i,
                                struct warden_jbuf *b);

#endif
