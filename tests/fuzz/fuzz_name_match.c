/* fuzz_name_match.c — the name normaliser (legal forms, transliteration,
 * skeletons: screen/normalize.c) and the matcher (screen/match.c,
 * similarity.c) on any pair of names against a small fixture list. The input
 * is split at its first newline into a query name and a second name (or
 * country / domain hints after a further newline). */
#include "fuzz_util.h"
#include "screen/screen.h"

static struct warden_screen *S;
static struct warden_screen_scratch *W;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[1024];
    if (warden_screen_load(&S, WARDEN_SOURCE_DIR "/tests/data/screen/lists.tsv",
                           WARDEN_SOURCE_DIR "/data/screen", NULL, err, sizeof err) < 0)
        abort();
    W = warden_screen_scratch_new(S);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = fuzz_str(data, size);
    char *b = strchr(a, '\n'), *c = NULL;
    if (b) {
        *b++ = '\0';
        if ((c = strchr(b, '\n'))) *c++ = '\0';
    }
    char out[512], legal[32];
    warden_screen_normalize(S, W, a, out, sizeof out, legal, sizeof legal);
    struct warden_screen_match m[4];
    struct warden_screen_query q = {a, c, c, b};
    warden_screen_name(S, W, &q, m, 4);
    if (b) {
        bool is_match;
        double sc = warden_screen_compare(S, W, a, b, &is_match);
        if (!(sc >= 0 && sc <= 1.0000001)) abort(); /* a score is a similarity */
    }
    if (c) {
        const struct warden_screen_entity *e[2];
        warden_screen_domain(S, c, e, 2);
    }
    free(a);
    return 0;
}
