/* corpus.h — real prompt corpora for the simulator, split by kind.
 *
 * Machine-generated instruction sets and benchmark task sets feed attackers
 * (capability harvesting); organic human-written prompts feed benign users.
 * Permissively licensed corpora ship in data/prompts/ (see its README); the
 * non-commercial ones are only read, when present, from the shared directory
 * (../shared/data/prompts) and never copied. Any corpus can be held out by
 * name so detectors can be tested on text they were not tuned on. */
#ifndef WARDEN_SIM_CORPUS_H
#define WARDEN_SIM_CORPUS_H
#include <stdbool.h>
#include <stddef.h>

enum warden_corpus_kind {
    WARDEN_CORPUS_MACHINE = 0, /* machine-generated instruction sets */
    WARDEN_CORPUS_TASKSET,     /* benchmark task sets */
    WARDEN_CORPUS_ORGANIC,     /* human-written prompts, English */
    WARDEN_CORPUS_ORGANIC_ZH,  /* human-written prompts, Chinese */
    WARDEN_CORPUS_NKINDS
};

struct warden_corpus_text {
    const char *text;
    unsigned source; /* index into warden_corpus.sources */
};

struct warden_corpus {
    struct warden_corpus_text *items[WARDEN_CORPUS_NKINDS];
    size_t n[WARDEN_CORPUS_NKINDS];
    /* Name of each corpus that was loaded, and the texts it gave. */
    const char *sources[32];
    size_t source_n[32];
    unsigned nsources;
    /* Owned storage. */
    char **strings;
    size_t nstrings, capstrings;
};

/* Load every known corpus found in data_dir/prompts (shipped) or, unless
 * shared_dir is NULL, shared_dir/data/prompts/<kind>/ (optional). Corpora
 * whose name (file name without extension, or a prefix of it) is in exclude
 * are skipped. Returns 0, or WARDEN_ENOENT when no organic or no attacker
 * corpus could be read. */
int warden_corpus_load(struct warden_corpus *c, const char *data_dir, const char *shared_dir,
                       const char *const *exclude, size_t nexclude);
void warden_corpus_fini(struct warden_corpus *c);

#endif
