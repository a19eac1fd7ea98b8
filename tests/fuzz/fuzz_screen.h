/* fuzz_screen.h — shared by the list-loader harnesses: load the input as one
 * list of a given format into a fresh screening set (normalisation data from
 * the source tree's data/screen), build the index, screen one name against
 * it, and free everything, so the loaders, the index and the matcher all see
 * what the loader accepted. */
#ifndef WARDEN_FUZZ_SCREEN_H
#define WARDEN_FUZZ_SCREEN_H
#include "fuzz_util.h"
#include "screen/screen.h"

static inline void fuzz_screen_list(const char *format, const char *role, const uint8_t *data,
                                    size_t size)
{
    struct warden_screen *s = NULL;
    char err[1024], file[128];
    if (warden_screen_new(&s, WARDEN_SOURCE_DIR "/data/screen", NULL, err, sizeof err) < 0)
        abort(); /* the tree's own data: not a finding */
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
    warden_screen_free(s);
}

#endif
