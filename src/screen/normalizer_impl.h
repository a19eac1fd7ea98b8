/* normalizer_impl.h — the normaliser's tables (not public API).
 *
 * Shared by normalize.c, which builds them from the data/screen files, and
 * compiled.c, which writes them into a compiled list file and maps them back:
 * building them transliterates every variant with ICU (about 0.2 s), mapping
 * them takes a few milliseconds. */
#ifndef WARDEN_SCREEN_NORMALIZER_IMPL_H
#define WARDEN_SCREEN_NORMALIZER_IMPL_H
#include "screen/internal.h"

#define MAX_CLASSES 32
#define PHRASE_MAX 6
#define WARDEN_NZ_MAX_SUFFIXES 64
#define WARDEN_NZ_NAME_CHARS 16 /* longest Japanese name word looked up (ja_names.tsv) */
enum { WARDEN_QUAL_REGION = 1, WARDEN_QUAL_BRANCH = 2 };

/* single-word variants of 6+ letters, for one-typo look-ups ("compnay") */
struct warden_nz_fuzzy {
    const char *variant, *repl;
    uint8_t len;
    uint32_t mask; /* warden_letter_mask of variant (set by warden_normalizer_fuzzy_buckets) */
};

struct warden_normalizer {
    struct warden_arena arena;
    struct warden_smap legal; /* phrase -> its classes (bit mask) */
    struct warden_smap terms; /* phrase -> index into canon */
    const char **canon;
    size_t n_canon, cap_canon;
    size_t n_generic; /* canon[0..n_generic): terms.tsv, the common words of organisation names */
    struct warden_smap countries; /* joined core tokens -> index into codes */
    struct warden_smap stop;      /* connecting words (stopwords.tsv) */
    char (*codes)[3];
    size_t n_codes, cap_codes;
    const char *classes[MAX_CLASSES];
    int n_classes;
    int legal_maxlen, terms_maxlen;
    void *translit; /* used while loading */
    struct warden_nz_fuzzy *fuzzy;
    size_t n_fuzzy, cap_fuzzy;
    uint32_t fz_start[257]; /* fuzzy sorted by first byte: [start[c], start[c+1]) */
    uint32_t fz_long[256];  /* in each, short legal forms first: [start[c], long[c]) */
    /* legal forms written joined to a word (warden_normalizer_legal_affix):
     * a bit per hash of the first and of the last three letters of every
     * single-word form, so most words are refused without a look-up */
    uint64_t legal_head[64], legal_tail[64];
    struct warden_smap qual; /* qualifier phrase -> WARDEN_QUAL_* */
    int qual_maxlen;
    struct warden_smap articles;                  /* article prefixes ("al", "el") */
    const char *suffixes[WARDEN_NZ_MAX_SUFFIXES]; /* case endings, longest first */
    size_t n_suffixes;
    /* Han character (UTF-8) -> index into han_read; also Japanese name words
     * of 2 to WARDEN_NZ_NAME_CHARS characters (ja_names.tsv), Korean reading "" */
    struct warden_smap han;
    const char *(*han_read)[2]; /* Korean, Japanese reading (romanised) */
    size_t n_han, cap_han;
    /* first words of the multi-word phrases of terms and qual: a word that
     * starts none is looked up alone (derived: warden_normalizer_index_phrases) */
    struct warden_smap terms_first, qual_first, legal_first;
    struct warden_smap stems;         /* stem of a Cyrillic term variant -> index into canon */
    uint32_t family[MAX_CLASSES + 1]; /* per class: its family's classes; last: distinct ones */
};

/* Fill terms_first and qual_first from the phrase tables. */
void warden_normalizer_index_phrases(struct warden_normalizer *nz);

/* Sort the fuzzy variants by first byte (short legal forms first in each)
 * and fill fz_start and fz_long. */
void warden_normalizer_fuzzy_buckets(struct warden_normalizer *nz);

#endif
