/* fuzz_serve_screen.c — the body of POST /v1/screen (serve/screen_api.c:
 * a name with aliases, country, domain and identifier, or an organisation
 * record with owners) through the request parser, the screening and the
 * answer's rendering, against the small fixture list (tests/data/screen)
 * with the project's normalisation data. No crash, no read outside the
 * body; every answer is 200 or 400, and a 400 names what was wrong. */
#include "core/jbuf.h"
#include "detect/detector.h"
#include "fuzz_util.h"
#include "policy/policy.h"
#include "serve/screen_api.h"

#include <sys/stat.h>

static struct warden_serve_screen *S;
static struct warden_policy *P, Local; /* kept for the run: the screen may point into them */
static char dir[64];

static void cleanup(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/lists/lists.tsv", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lists/ftm_small.jsonl", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lists", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/screen", dir);
    unlink(p);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* a data directory of the fixture list and the real normalisation data */
    snprintf(dir, sizeof dir, "/tmp/warden-fuzz-screen-XXXXXX");
    if (!mkdtemp(dir)) abort();
    atexit(cleanup);
    char p[128];
    snprintf(p, sizeof p, "%s/lists", dir);
    if (mkdir(p, 0700) != 0) abort();
    snprintf(p, sizeof p, "%s/lists/lists.tsv", dir);
    if (symlink(WARDEN_SOURCE_DIR "/tests/data/screen/lists.tsv", p) != 0) abort();
    snprintf(p, sizeof p, "%s/lists/ftm_small.jsonl", dir);
    if (symlink(WARDEN_SOURCE_DIR "/tests/data/screen/ftm_small.jsonl", p) != 0) abort();
    snprintf(p, sizeof p, "%s/screen", dir);
    if (symlink(WARDEN_SOURCE_DIR "/data/screen", p) != 0) abort();

    char err[1024];
    if (warden_policy_load(&P, NULL, err, sizeof err) != 0) abort();
    Local = *P; /* shallow: only the data directory differs */
    Local.screen.data_dir = dir;
    Local.screen.compiled = NULL;
    Local.screen.max_age_days = 0;
    if (warden_serve_screen_new(&S, &Local, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1); /* exact size: reads past it are caught */
    if (!body) abort();
    if (size) memcpy(body, data, size);
    unsigned code = 0;
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_serve_screen_handle(S, body, size, &code, &j);
    if (code != 200 && code != 400) abort();
    if (code == 400 && !strstr(warden_jbuf_str(&j), "\"error\"")) abort();
    warden_jbuf_fini(&j);
    free(body);
    return 0;
}
