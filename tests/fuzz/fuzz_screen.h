/* fuzz_screen.h — shared by the list-loader harnesses: load the input as one
 * list of a given format into a fresh screening set, build the index, screen
 * one name against it, and free everything, so the loaders, the index and the
 * matcher all see what the loader accepted; each input starts from a fresh
 * set, so every crash reproduces from its input alone.
 *
 * Loading the normalisation data (data/screen: terms, legal forms, countries,
 * each variant transliterated by ICU) costs tens of milliseconds under the
 * sanitizers, which would hold a harness to ~10 inputs a second. So it is
 * loaded once: each set is made from a one-line-per-file data directory
 * (tests/fuzz/data/screen-min) and then given the shared normaliser, which
 * the set only reads; it is detached again before the set is freed. Likewise
 * every set opens ICU's "Any-Latin; Latin-ASCII" transliterator (for the
 * index and the query), and opening one walks ICU's locale tables through
 * strcmp calls that libFuzzer intercepts: the definition of utrans_openU
 * below takes the place of ICU's in the harness binaries only, opens the real
 * one on the first call and returns clones of it after (utrans_clone: same
 * rules, closed by utrans_close as before). */
#ifndef WARDEN_FUZZ_SCREEN_H
#define WARDEN_FUZZ_SCREEN_H
#include "fuzz_util.h"
#include "screen/internal.h"
#include "screen/screen.h"

#include <dlfcn.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#define FUZZ_STR2(x) #x
#define FUZZ_STR(x) FUZZ_STR2(x)
UTransliterator *utrans_openU(const UChar *id, int32_t idlen, UTransDirection dir,
                              const UChar *rules, int32_t ruleslen, UParseError *pe, UErrorCode *st)
{
    typedef UTransliterator *(*open_fn)(const UChar *, int32_t, UTransDirection, const UChar *,
                                        int32_t, UParseError *, UErrorCode *);
    static open_fn real;
    static UTransliterator *first;
    static UChar first_id[128];
    if (!real && !(real = (open_fn)dlsym(RTLD_NEXT, FUZZ_STR(utrans_openU)))) abort();
    int32_t n = idlen < 0 ? u_strlen(id) : idlen;
    if (rules || dir != UTRANS_FORWARD || n >= 128) /* not the one cached */
        return real(id, idlen, dir, rules, ruleslen, pe, st);
    if (!first) {
        if (!(first = real(id, idlen, dir, rules, ruleslen, pe, st))) return NULL;
        u_strncpy(first_id, id, n);
        first_id[n] = 0;
    } else if (u_strncmp(id, first_id, n) != 0 || first_id[n] != 0) {
        return real(id, idlen, dir, rules, ruleslen, pe, st);
    }
    return utrans_clone(first, st);
}

static inline void fuzz_screen_list(const char *format, const char *role, const uint8_t *data,
                                    size_t size)
{
    static struct warden_normalizer *nz;
    char err[1024], file[128];
    if (!nz && warden_normalizer_new(&nz, WARDEN_SOURCE_DIR "/data/screen", err, sizeof err) < 0)
        fprintf(stderr, "fuzz: %s\n", err), abort(); /* the tree's own data: not a finding */
    struct warden_screen *s = NULL;
    if (warden_screen_new(&s, WARDEN_SOURCE_DIR "/tests/fuzz/data/screen-min", NULL, err,
                          sizeof err) < 0) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    warden_normalizer_free(s->nz);
    s->nz = nz;
    snprintf(file, sizeof file, "%s%s", role, fuzz_file(data, size));
    const char *files[1] = {file};
    if (warden_screen_add_list(s, "fuzz", format, files, 1, err, sizeof err) == 0 &&
        warden_screen_finish(s, err, sizeof err) == 0) {
        struct warden_screen_scratch *w = warden_screen_scratch_new(s);
        struct warden_screen_match m[4];
        struct warden_screen_query q = {"Alpha Trading Company Ltd", "IR", "alpha.example", NULL};
        warden_screen_name(s, w, &q, m, 4);
        warden_screen_scratch_free(w);
    }
    s->nz = NULL;
    warden_screen_free(s);
}

#endif
