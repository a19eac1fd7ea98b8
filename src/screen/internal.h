/* internal.h — structures shared by the files of src/screen/ (not public API).
 *
 * The loaded lists are flat arrays: entities, names (each with its normalised
 * tokens as ids into one token dictionary) and attributes, with every string in
 * one arena. The token index maps hashed keys (tokens, their one-deletion
 * variants and adjacent-token joins) to postings of name ids. */
#ifndef WARDEN_SCREEN_INTERNAL_H
#define WARDEN_SCREEN_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "screen/screen.h"

/* ---- arena ---- */
struct warden_arena_blk;
struct warden_arena {
    struct warden_arena_blk *head;
    size_t bytes;
};
void warden_arena_init(struct warden_arena *a);
void warden_arena_fini(struct warden_arena *a);
void *warden_arena_alloc(struct warden_arena *a, size_t n);
const char *warden_arena_strndup(struct warden_arena *a, const char *s, size_t n);
const char *warden_arena_strdup(struct warden_arena *a, const char *s);

/* ---- string hash map (string -> uint32), open addressing ---- */
struct warden_smap {
    const char **keys;
    uint32_t *vals;
    uint32_t *tags;  /* per slot: the key's hash tag (arena.c) */
    uint64_t *bloom; /* 4 bits per slot, one set per key: most look-ups miss (arena.c) */
    size_t cap, n;
};
void warden_smap_init(struct warden_smap *m);
void warden_smap_fini(struct warden_smap *m);
/* Returns the slot's value pointer; *found tells whether it existed. key must
 * outlive the map (arena string). */
uint32_t *warden_smap_put(struct warden_smap *m, const char *key, bool *found);
const uint32_t *warden_smap_get(const struct warden_smap *m, const char *key, size_t n);

/* ---- normalisation ---- */
#define WARDEN_NORM_MAX_TOK 24
#define WARDEN_NORM_TOKLEN 48

#define WARDEN_NORM_INIT 8
enum {
    WARDEN_SCRIPT_ABJAD = 1,
    WARDEN_SCRIPT_INFLECT = 2,
    WARDEN_SCRIPT_HANGUL = 4,
    WARDEN_SCRIPT_OTHER = 8 /* any letter beyond Latin: the name was transliterated */
};

struct warden_norm_name {
    int n; /* core tokens */
    char tok[WARDEN_NORM_MAX_TOK][WARDEN_NORM_TOKLEN];
    uint8_t len[WARDEN_NORM_MAX_TOK];
    char init[WARDEN_NORM_MAX_TOK][WARDEN_NORM_INIT];   /* initials of the words behind each */
    char surf[WARDEN_NORM_MAX_TOK][WARDEN_NORM_TOKLEN]; /* those words joined when rewritten */
    uint32_t qual;  /* bit per token: a qualifier (country, region, branch, in parentheses) */
    uint32_t legal; /* bitmask of legal-form classes found (bit per class) */
    char legal_init[WARDEN_NORM_INIT]; /* initials of the legal words removed at the end */
    uint8_t script; /* WARDEN_SCRIPT_*: vowel-less script, Cyrillic (case endings), Hangul */
    bool abjad;     /* script & WARDEN_SCRIPT_ABJAD */
};
/* Consonant skeleton of a Latin token (vowels, y, w dropped; c, q, kh, ch as k,
 * x as ks, p, ph as f; doubles collapsed). */
size_t warden_skeleton(const char *t, size_t n, char *out, size_t outlen);
/* Korean key of a Latin token: the consonants, with the letters the
 * romanisations of Korean write for one sound as one (g/k, d/t, b/p, j/ch,
 * r/l: Revised Romanization, McCune-Reischauer and companies' own spellings:
 * "gugmin" = "Kookmin", "lyeonbong" = "Ryonbong", "daedong" = "Taedong"). */
size_t warden_korean_key(const char *t, size_t n, char *out, size_t outlen);

struct warden_normalizer; /* legal forms, terms, countries, ICU */
int warden_normalizer_new(struct warden_normalizer **out, const char *data_dir, char *err,
                          size_t errlen);
void warden_normalizer_free(struct warden_normalizer *nz);
/* per-thread transliterator; opaque */
void *warden_normalizer_translit_new(const struct warden_normalizer *nz);
void warden_normalizer_translit_free(void *t);
/* Normalise name into core tokens. translit: the caller's (per thread), or NULL
 * (a private one is made when the name needs one: slow). */
void warden_normalize_name(const struct warden_normalizer *nz, void *translit, const char *name,
                           struct warden_norm_name *out);
/* Another form of the name with the other readings of its Han characters
 * (alt 1: Korean, 2: Japanese); false when it has none. */
bool warden_normalize_name_alt(const struct warden_normalizer *nz, void *translit, const char *name,
                               int alt, struct warden_norm_name *out);
/* The legal-form classes of the families of the classes in mask (legal_families.tsv). */
uint32_t warden_normalizer_legal_family(const struct warden_normalizer *nz, uint32_t mask);
/* The legal-form classes of distinct families (a foundation, a cooperative):
 * such a form distinguishes a name as a word would. */
uint32_t warden_normalizer_legal_distinct(const struct warden_normalizer *nz);
/* A common word of organisation names as rewritten by terms.tsv ("technology",
 * "bank", "laboratory"): it says what a company does, not which one it is. */
bool warden_normalizer_is_generic(const struct warden_normalizer *nz, const char *t, size_t n);
/* An article prefix ("al", "el": articles.tsv)? */
bool warden_normalizer_is_article(const struct warden_normalizer *nz, const char *t, size_t n);
/* Length of t without its longest case ending (inflections.tsv), keeping 4+ letters. */
size_t warden_normalizer_stem(const struct warden_normalizer *nz, const char *t, size_t n);
/* Is this single token a legal-form word ("company", "llc")? */
bool warden_normalizer_is_legal(const struct warden_normalizer *nz, const char *t, size_t n);
/* The legal-form classes of a short single-word form (3-6 letters,
 * legal_forms.tsv) that t is one typo away from, or 0: a form of three or
 * four letters with two neighbours swapped ("ldt", "pjcs"), of five or six
 * any one edit (swap_only: a swap in any case); the first letter as written.
 * Longer forms are rewritten while normalising; these only when the rest of
 * a name matches (score.c). */
uint32_t warden_normalizer_legal_typo(const struct warden_normalizer *nz, const char *t, size_t n,
                                      bool swap_only);
/* A legal form written joined to a word ("kraslesinvestcjsc", "ojscangarsk"):
 * the length of the longest legal form of 3 letters or more (legal_forms.tsv,
 * also a form of several words written joined) that ends t (suffix) or starts
 * it, leaving 4 letters or more ("Kansas" is no "Kan SAS"), with its classes
 * in *cls; 0 when none. */
size_t warden_normalizer_legal_affix(const struct warden_normalizer *nz, const char *t, size_t n,
                                     bool suffix, uint32_t *cls);
/* A legal-form word or a connecting word (stopwords.tsv): weighs little. */
bool warden_normalizer_is_minor(const struct warden_normalizer *nz, const char *t, size_t n);
/* Legal-form class name for bit i ("LTD"), or NULL. */
const char *warden_normalizer_legal_class(const struct warden_normalizer *nz, int bit);
void warden_normalizer_legal_str(const struct warden_normalizer *nz, uint32_t mask, char *out,
                                 size_t outlen);
/* Country name or code -> ISO alpha-2 (upper case) into cc[3]; false if unknown.
 * tl: the caller's transliterator (per thread), or NULL (a private one is made). */
bool warden_normalizer_country(const struct warden_normalizer *nz, void *tl, const char *text,
                               size_t n, char cc[3]);
/* The loader's transliterator (load time only: not for concurrent queries). */
void *warden_normalizer_load_translit(const struct warden_normalizer *nz);

/* ---- similarity ---- */
double warden_jaro_winkler(const char *a, size_t la, const char *b, size_t lb);
/* Does each word have more than k consonants the other lacks? Each needs an
 * edit, so then the two are more than k edits apart (a cheap refusal before
 * warden_osa_distance; one-bit-per-letter: digits may share a bit, which only
 * weakens it). */
bool warden_consonants_apart(const char *a, size_t la, const char *b, size_t lb, int k);
/* The letters of a word, one bit each (digits share bits with letters, which
 * only makes the test below weaker). A letter one word has and the other lacks
 * takes an edit of its own, so when popcount(ma & ~mb) exceeds k the words
 * are more than k edits apart. */
uint32_t warden_letter_mask(const char *t, size_t n);
/* bits set in x (without the library call __builtin_popcount makes when the
 * build does not target a CPU with a popcount instruction) */
static inline int warden_popcount32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (int)((((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24);
}
/* Optimal string alignment distance, or maxd + 1 when it exceeds maxd. */
int warden_osa_distance(const char *a, size_t la, const char *b, size_t lb, int maxd);

/* ---- the name scorer (score.c) ---- */
struct warden_tl { /* a name's tokens with their weights, ready to score */
    int n;
    char t[WARDEN_NORM_MAX_TOK][WARDEN_NORM_TOKLEN];
    char init[WARDEN_NORM_MAX_TOK][WARDEN_NORM_INIT];
    char surf[WARDEN_NORM_MAX_TOK][WARDEN_NORM_TOKLEN]; /* words before rewriting, or "" */
    uint8_t len[WARDEN_NORM_MAX_TOK];
    uint8_t slen[WARDEN_NORM_MAX_TOK]; /* strlen(surf) */
    float w[WARDEN_NORM_MAX_TOK];
    bool minor[WARDEN_NORM_MAX_TOK];
    uint32_t id[WARDEN_NORM_MAX_TOK]; /* token id in the lists, UINT32_MAX when unknown */
    uint32_t legal, qual;
    char legal_init[WARDEN_NORM_INIT];
    uint8_t script;
    bool abjad;
    bool sibling; /* set on the first name by warden_name_score: near siblings */
    bool capped;  /* set on the first name by warden_name_score: held below a match by a
                     name rule (a short acronym alone, a listed acronym spelt by initials,
                     one short word a consonant apart); a legal form does not lift it */
    bool person;  /* the name is a listed person's: it is no acronym's expansion */
    bool listed;  /* the name is a listed party's whose record is whole (its kind known),
                     screened against; not in a free pair */
};
struct warden_screen_name_rec;
float warden_screen_weight(const struct warden_screen *s, const char *t, size_t n);
void warden_tl_from_norm(const struct warden_screen *s, const struct warden_norm_name *nn,
                         struct warden_tl *o);
void warden_tl_from_rec(const struct warden_screen *s, const struct warden_screen_name_rec *r,
                        struct warden_tl *o);
double warden_tok_sim(const struct warden_screen *s, const char *a, size_t la, const char *b,
                      size_t lb, uint8_t script);
/* Score two names (both may be changed: acronyms collapsed, tokens joined);
 * explanation into m when not NULL; a->sibling tells whether they are near siblings. */
double warden_name_score(const struct warden_screen *s, struct warden_tl *a, struct warden_tl *b,
                         struct warden_screen_match *m);
/* The acronyms a name may be written as (initials of its core words without
 * and with connecting words, each also with the removed legal form's
 * initials): up to WARDEN_ACRONYM_KEYS of 3-8 letters. Returns how many. */
#define WARDEN_ACRONYM_KEYS 4
int warden_screen_acronym_keys(const struct warden_tl *x, char keys[][WARDEN_NORM_TOKLEN]);
/* a near sibling's score: kept below match_threshold */
double warden_sibling_cap(const struct warden_screen *s, double score);
void warden_tl_str(const struct warden_tl *x, char *out, size_t cap);
/* copy the header and the n tokens only (a full struct copy moves ~3 KB) */
void warden_tl_copy(struct warden_tl *d, const struct warden_tl *x);

/* ---- the loaded lists ---- */
struct warden_screen_name_rec {
    uint32_t entity;
    const char *raw;
    uint32_t tok0; /* into s->name_toks */
    uint8_t n_tok;
    uint32_t legal;
    uint32_t seq; /* insertion order */
    bool abjad;
    uint8_t script;                    /* WARDEN_SCRIPT_* */
    uint32_t qual;                     /* qualifier tokens (bit per token) */
    char legal_init[WARDEN_NORM_INIT]; /* initials of the legal words removed at the end */
};

struct warden_screen_token {
    const char *str;
    uint32_t len;
    uint32_t df;  /* names containing it */
    float weight; /* IDF */
    bool minor;   /* a legal-form or connecting word: weighs little */
};

struct warden_screen_listinfo {
    const char *name;
    size_t entities, names;
    int64_t as_of_day; /* days since 1970-01-01 of the list's publication; 0: unknown */
    bool ofac;         /* OFAC's CSV layout: source ids are OFAC's entity numbers (ent_num) */
};

struct warden_screen {
    struct warden_screen_conf conf;
    struct warden_normalizer *nz;
    struct warden_arena arena;
    struct warden_screen_listinfo *lists;
    size_t n_lists;
    struct warden_screen_entity *ents;
    size_t n_ents, cap_ents;
    struct warden_screen_name_rec *names;
    size_t n_names, cap_names;
    struct warden_screen_attr *attrs; /* sorted by entity after finish */
    uint32_t *attr_ent;               /* entity of each attr (build time) */
    size_t n_attrs, cap_attrs;
    struct warden_smap ids; /* "list\x1fsource_id" -> entity (build time) */
    /* tokens */
    struct warden_smap tokmap; /* token string -> token id */
    struct warden_screen_token *toks;
    size_t n_toks, cap_toks;
    uint32_t *name_toks;
    char (*name_inits)[WARDEN_NORM_INIT]; /* per name token: initials of its words */
    const char **name_surf;               /* per name token: its words before rewriting, or NULL */
    size_t n_name_toks, cap_name_toks;
    /* index: open-addressed table of 64-bit key hashes -> postings (one slot,
     * one cache line, per probe) */
    struct warden_ix_slot {
        uint64_t key; /* 0: empty */
        uint32_t off, cnt;
    } * ix;
    size_t ix_cap, ix_n;
    uint32_t *postings;
    size_t n_postings;
    float max_weight;
    /* domains and e-mails -> entity */
    struct warden_smap domains; /* value: index into dom_ents lists via chain */
    uint32_t *dom_next;         /* per attr: next attr with the same domain key, or UINT32_MAX */
    /* ownership relations between list entities (FtM Ownership) */
    struct warden_screen_rel {
        uint32_t owner, asset;
        double share;
        const char *owner_ref, *asset_ref; /* source ids until resolved */
        const char *list;
    } * rels;
    size_t n_rels, cap_rels;
    int *ent_level; /* per entity: level at which it became restricted (-1 never) */
    bool finished;
    /* compiled file (compiled.c): name_toks, ix_* and postings point into the
     * read-only mapping and are not freed; strings point into it too */
    void *map;
    size_t map_len;
    char *map_path;
    uint64_t map_dev, map_ino;
    int64_t map_mtime_ns;
    double built_ownership_threshold; /* ent_level was computed with this */
};

/* builder, used by loaders */
uint32_t warden_screen_add_entity(struct warden_screen *s, const char *list, const char *id,
                                  enum warden_screen_kind kind, const char *program);
/* UINT32_MAX when unknown */
uint32_t warden_screen_find_entity(const struct warden_screen *s, const char *list, const char *id);
void warden_screen_add_name(struct warden_screen *s, uint32_t ent, const char *name, size_t n);
void warden_screen_add_attr(struct warden_screen *s, uint32_t ent, enum warden_screen_attr_type t,
                            const char *v, size_t n);
/* country given as a name or code: resolved to ISO alpha-2 when known */
void warden_screen_add_country(struct warden_screen *s, uint32_t ent, const char *v, size_t n);
void warden_screen_add_rel(struct warden_screen *s, const char *list, const char *owner_ref,
                           const char *asset_ref, double share);
/* Extract domains, e-mails and identifiers from free-text remarks ("Website
 * www.x.com; Email Address a@b.c; Registration ID 123 (Iran)") */
void warden_screen_parse_remarks(struct warden_screen *s, uint32_t ent, const char *r, size_t n);

/* loaders: each returns 0 or a negative code with err "FILE:LINE: reason" */
int warden_screen_load_ofac(struct warden_screen *s, const char *list, const char *prim,
                            const char *alt, const char *add, const char *comments, char *err,
                            size_t errlen);
int warden_screen_load_csl(struct warden_screen *s, const char *list, const char *path, char *err,
                           size_t errlen);
int warden_screen_load_un(struct warden_screen *s, const char *list, const char *path, char *err,
                          size_t errlen);
int warden_screen_load_dpl(struct warden_screen *s, const char *list, const char *path, char *err,
                           size_t errlen);
int warden_screen_load_ftm(struct warden_screen *s, const char *list, const char *path, char *err,
                           size_t errlen);
int warden_screen_load_domains(struct warden_screen *s, const char *list, const char *path,
                               char *err, size_t errlen);

/* an empty set owning a copy of conf (NULL: the defaults) */
struct warden_screen *warden_screen_alloc(const struct warden_screen_conf *conf);
/* deep copy of a configuration (c NULL: the defaults) */
void warden_screen_conf_copy(struct warden_screen_conf *d, const struct warden_screen_conf *c);

/* the scratch's transliterator */
void *warden_screen_scratch_translit(struct warden_screen_scratch *w);

/* index key namespaces (hash seeds) */
enum {
    WARDEN_NS_FUZZY = 1,
    WARDEN_NS_SKEL_LATIN = 2,
    WARDEN_NS_SKEL_ABJAD = 3,
    WARDEN_NS_ACRONYM = 4
};
uint64_t warden_screen_key(const char *k, size_t n, int ns);
/* postings of a key; NULL/0 when absent (inline: a screening makes hundreds) */
static inline const uint32_t *warden_screen_postings(const struct warden_screen *s, uint64_t key,
                                                     size_t *n)
{
    *n = 0;
    if (!s->ix_cap) return NULL;
    size_t slot = (size_t)key & (s->ix_cap - 1);
    while (s->ix[slot].key) {
        if (s->ix[slot].key == key) {
            *n = s->ix[slot].cnt;
            return s->postings + s->ix[slot].off;
        }
        slot = (slot + 1) & (s->ix_cap - 1);
    }
    return NULL;
}
/* start fetching the index slot of a key (a group of look-ups overlaps its misses) */
static inline void warden_screen_prefetch(const struct warden_screen *s, uint64_t key)
{
    if (s->ix_cap) __builtin_prefetch(&s->ix[(size_t)key & (s->ix_cap - 1)]);
}
/* token id of a string, UINT32_MAX when not in the lists */
uint32_t warden_screen_token_id(const struct warden_screen *s, const char *t, size_t n);
/* index */
void warden_screen_index_build(struct warden_screen *s);
void warden_screen_ownership_lists(struct warden_screen *s);
/* domain and e-mail attributes -> entity look-up (s->domains, s->dom_next) */
void warden_screen_index_domains(struct warden_screen *s);
/* release the compiled file's mapping (compiled.c); nothing when not mapped */
void warden_screen_unmap(struct warden_screen *s);

/* ---- CSV / TSV records ---- */
struct warden_csv {
    FILE *f;
    const char *path;
    char sep;
    long line;      /* line where the current record starts */
    long next_line; /* line after it */
    char *buf;      /* field text, NUL-separated */
    size_t cap;
    size_t *off; /* field offsets */
    size_t *flen;
    size_t nf, capf;
};
int warden_csv_open(struct warden_csv *c, const char *path, char sep);
void warden_csv_close(struct warden_csv *c);
/* 1 = a record read, 0 = end, negative = error (unterminated quote) */
int warden_csv_next(struct warden_csv *c);
/* field i (trimmed; OFAC's "-0-" null becomes ""); "" when absent */
const char *warden_csv_field(const struct warden_csv *c, size_t i, size_t *len);
/* the record has no non-blank field (empty line, DOS end-of-file mark) */
bool warden_csv_blank(const struct warden_csv *c);

#endif
