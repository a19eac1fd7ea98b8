/* sim.h — `warden sim`: labelled API traffic from real material.
 *
 * A scenario is a mix of populations (benign users, hard negatives,
 * distillation clusters and their evasions, restricted parties, circumvention)
 * each with its own timing and request shape. The simulator writes
 * events.jsonl, accounts.jsonl, orgs.jsonl and truth.jsonl (formats.md §1-3,
 * §6) to a directory; the same options and seed give byte-identical files. */
#ifndef WARDEN_SIM_SIM_H
#define WARDEN_SIM_SIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_sim_opts {
    const char *scenario; /* "demo", "mixed", "evasive", "benign-heavy" */
    uint64_t seed;
    const char *out_dir;
    long accounts;          /* 0: scenario default */
    int days;               /* 0: scenario default */
    int64_t start_ms;       /* first day, 00:00 UTC */
    const char *data_dir;   /* project data/ (prompts/, ipintel/, lists/) */
    const char *shared_dir; /* ../shared (lists, networks, optional corpora), or NULL */
    bool shippable;         /* read no non-commercial corpus, even when shared has it */
    const char *const *exclude_corpus;
    size_t nexclude;
    const char *const *restricted; /* restricted jurisdictions (ISO alpha-2) */
    size_t nrestricted;
    const char *loc_db; /* NULL: /var/lib/location/database.db */
};

struct warden_sim_stats {
    size_t events, accounts, orgs, clusters;
    double seconds;
};

struct warden_sim_scenario_info {
    const char *name, *summary;
};
/* The named scenarios; ends with {NULL}. */
extern const struct warden_sim_scenario_info warden_sim_scenarios[];

/* The populations (truth kinds) scenarios mix: i in 0..count-1. */
size_t warden_sim_population_count(void);
void warden_sim_population(size_t i, const char **kind, const char **summary);

/* Run a scenario and write its four files. Returns 0 or a negative code. */
int warden_sim_run(const struct warden_sim_opts *o, struct warden_sim_stats *st);

#endif
