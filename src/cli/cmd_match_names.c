/* cmd_match_names.c — `warden match-names` (formats.md §7): reads LEFT<TAB>RIGHT
 * lines on standard input and writes SCORE<TAB>MATCH per line, scoring the two
 * names exactly as screening would (same normalisation, weights and
 * threshold). Used to measure precision and recall on labelled pairs. */
#include "cli/cli.h"
#include "screen/screen.h"

#include <stdlib.h>
#include <string.h>

extern const struct warden_cmd warden_cmd_match_names;

static const struct warden_opt opts[] = {
    {"lists", 'l', "MANIFEST", "list manifest (word weights come from the lists)", false},
    {"data-dir", 0, "DIR",
     "data directory (default: $WARDEN_DATA_DIR, else the installed or source tree's; see warden "
     "--version)",
     false},
    {"threshold", 't', "X", "match threshold 0..1 (policy screen.match_threshold)", false},
    {"compiled", 0, "FILE", "compiled list file (warden lists build) instead of the sources",
     false},
    {NULL, 0, NULL, NULL, false},
};

int warden_cli_screen_open(const struct warden_args *a, struct warden_screen **out);

static int run(int argc, char **argv)
{
    struct warden_args a;
    int r = warden_args_parse(&a, &warden_cmd_match_names, argc, argv);
    if (r != 0) {
        warden_args_free(&a);
        return r > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    struct warden_screen *s = NULL;
    int rc = warden_cli_screen_open(&a, &s);
    if (rc != WARDEN_EXIT_OK) {
        warden_args_free(&a);
        return rc;
    }
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long ln = 0;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        ln++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "warden match-names: stdin:%ld: no TAB between the two names\n", ln);
            printf("0\t0\n");
            continue;
        }
        *tab = '\0';
        char *right = tab + 1;
        char *t2 = strchr(right, '\t'); /* extra columns (labels) are ignored */
        if (t2) *t2 = '\0';
        bool m = false;
        double sc = warden_screen_compare(s, w, line, right, &m);
        printf("%.4f\t%d\n", sc, m ? 1 : 0);
    }
    free(line);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    warden_args_free(&a);
    return WARDEN_EXIT_OK;
}

const struct warden_cmd warden_cmd_match_names = {
    "match-names",
    run,
    "score pairs of names (LEFT<TAB>RIGHT on stdin) as screening would",
    "[OPTIONS] < PAIRS.tsv",
    opts,
    "Writes SCORE<TAB>MATCH for every input line: SCORE 0-1, MATCH 1 when\n"
    "screening would treat the two names as the same party (formats.md §7).",
};
