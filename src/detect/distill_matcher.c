/* distill_matcher.c — the multi-pattern matcher behind
 * distill.reasoning_elicitation: every pattern of a data file compiled into
 * one Hyperscan block-mode database, scanned once per text.
 *
 * The patterns are data (data/distill/elicitation.tsv, format in
 * data/distill/README.md): one `PATTERN<TAB>COMMENT` per line, the comment
 * saying what the pattern catches and in which language; a line without a
 * comment is refused, so every pattern is explained. Lines starting with #
 * and blank lines are ignored. Patterns are PCRE syntax as Hyperscan takes
 * it, compiled caseless and single-match; a pattern with letters beyond ASCII
 * also in UTF-8 mode with Unicode properties, so that its case folds in every
 * script. Event strings are valid UTF-8 (the event decoder checks), which
 * Hyperscan's UTF-8 mode requires.
 *
 * A space in a pattern matches a run of up to eight white-space characters
 * (the text's line breaks, tabs and doubled spaces say nothing about what it
 * asks): outside a character class it is compiled as \s{1,8}, and a class
 * with a space in it ("step[- ]by") matches such a run of its characters or
 * white space. The bound keeps Hyperscan's literal factoring: an unbounded
 * \s+ made the scan 2.3 times slower on bench_scan's prompts. The
 * texts themselves arrive folded (core/textfold.h): no zero-width or
 * look-alike character stands between a pattern and what the model reads.
 *
 * Each detector context (one per engine worker) owns its database and
 * scratch, so scanning takes no lock. */
#include "detect/distill.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct warden_distill_matcher {
    hs_database_t *db;
    hs_scratch_t *scratch;
    size_t n;
};

/* pat with every space widened as the header says (a new string, at most
 * 7 bytes for each byte of pat). Escapes
 * (\x) are copied as they are, so an escaped space stays one space. */
static char *widen_spaces(const char *pat)
{
    size_t n = strlen(pat);
    char *o = warden_xmalloc(8 * n + 1), *w = o;
    bool in_class = false, class_space = false, negated = false;
    for (size_t i = 0; i < n; i++) {
        char c = pat[i];
        if (c == '\\' && i + 1 < n) {
            *w++ = c;
            *w++ = pat[++i];
            continue;
        }
        if (!in_class && c == '[') {
            in_class = true;
            class_space = false;
            *w++ = c;
            /* a ] or ^] right after the bracket is a member, not the end */
            negated = i + 1 < n && pat[i + 1] == '^';
            if (negated) *w++ = pat[++i];
            if (i + 1 < n && pat[i + 1] == ']') *w++ = pat[++i];
            continue;
        }
        if (c == ' ' && in_class) { /* (in a negated class: any white space but none) */
            class_space = !negated;
            memcpy(w, "\\s", 2);
            w += 2;
            continue;
        }
        bool widen = c == ' ' || (in_class && c == ']' && class_space);
        if (in_class && c == ']') in_class = false;
        if (c == ' ') {
            memcpy(w, "\\s", 2);
            w += 2;
        } else {
            *w++ = c;
        }
        if (widen) {
            /* one or more; optional stays optional, a quantifier of the
             * pattern's own stays */
            char q = i + 1 < n ? pat[i + 1] : 0;
            if (q == '?') {
                memcpy(w, "{0,8}", 5);
                w += 5;
                i++;
            } else if (q != '*' && q != '+' && q != '{') {
                memcpy(w, "{1,8}", 5);
                w += 5;
            }
        }
    }
    *w = '\0';
    return o;
}

int warden_distill_matcher_new(struct warden_distill_matcher **out, const char *path, char *err,
                               size_t errlen)
{
    *out = NULL;
    int rc = 0;
    FILE *f = fopen(path, "r");
    char **pats = NULL;
    unsigned *flags = NULL, *ids = NULL;
    size_t n = 0, cap = 0, lineno = 0;
    char *line = NULL;
    size_t linecap = 0;
    hs_database_t *db = NULL;
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the elicitation patterns", path);
        return WARDEN_EIO;
    }
    while (getline(&line, &linecap, f) >= 0) {
        lineno++;
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        char *comment = tab ? tab + 1 : NULL;
        while (comment && (*comment == '\t' || *comment == ' ')) comment++;
        if (!tab || tab == line || !comment || !*comment) {
            snprintf(err, errlen,
                     "%s:%zu: expected PATTERN<TAB>COMMENT (every pattern says what it catches)",
                     path, lineno);
            rc = WARDEN_EPARSE;
            goto out;
        }
        *tab = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            pats = warden_xrealloc(pats, cap * sizeof *pats);
            flags = warden_xrealloc(flags, cap * sizeof *flags);
            ids = warden_xrealloc(ids, cap * sizeof *ids);
        }
        pats[n] = widen_spaces(line);
        /* a pattern with letters beyond ASCII is compiled for UTF-8 with
         * Unicode properties, so that its case folds ("Объясни", "Étape"
         * match "объясни", "étape"); texts are valid UTF-8 (the event
         * decoder checks). ASCII patterns stay byte patterns. */
        bool wide = false;
        for (const char *q = line; *q; q++) wide |= (unsigned char)*q >= 0x80;
        flags[n] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | (wide ? HS_FLAG_UTF8 | HS_FLAG_UCP : 0);
        ids[n] = (unsigned)lineno;
        n++;
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: no patterns", path);
        rc = WARDEN_EPARSE;
        goto out;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi((const char *const *)pats, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                         &db, &cerr) != HS_SUCCESS) {
        int bad = cerr && cerr->expression >= 0 ? cerr->expression : -1;
        snprintf(err, errlen, "%s:%u: %s", path, bad >= 0 ? ids[bad] : 0u,
                 cerr ? cerr->message : "cannot compile");
        hs_free_compile_error(cerr);
        rc = WARDEN_EPARSE;
        goto out;
    }
    struct warden_distill_matcher *m = warden_xcalloc(1, sizeof *m);
    m->db = db;
    m->n = n;
    if (hs_alloc_scratch(db, &m->scratch) != HS_SUCCESS) {
        snprintf(err, errlen, "%s: hyperscan scratch allocation failed", path);
        hs_free_database(db);
        free(m);
        rc = WARDEN_ELIB;
        goto out;
    }
    *out = m;
out:
    for (size_t i = 0; i < n; i++) free(pats[i]);
    free(pats);
    free(flags);
    free(ids);
    free(line);
    fclose(f);
    return rc;
}

void warden_distill_matcher_free(struct warden_distill_matcher *m)
{
    if (!m) return;
    hs_free_scratch(m->scratch);
    hs_free_database(m->db);
    free(m);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int fl, void *ctx)
{
    (void)from;
    (void)to;
    (void)fl;
    *(unsigned *)ctx = id;
    return 1; /* the first match is enough */
}

bool warden_distill_matcher_match(struct warden_distill_matcher *m, const char *p, size_t n,
                                  unsigned *id)
{
    unsigned got = 0;
    if (!m || !p || !n) return false;
    hs_error_t r = hs_scan(m->db, p, (unsigned)n, 0, m->scratch, on_match, &got);
    if (id) *id = got;
    return r == HS_SCAN_TERMINATED;
}

size_t warden_distill_matcher_count(const struct warden_distill_matcher *m)
{
    return m ? m->n : 0;
}
