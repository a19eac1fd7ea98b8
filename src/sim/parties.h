/* parties.h — real listed parties for the simulator's restricted population,
 * and the name variants a listed party hides behind.
 *
 * Entity rows (not individuals, vessels or aircraft) are read from the OFAC
 * SDN list and, when present, OFAC's consolidated non-SDN list (OFAC's CSV
 * layout: primary, address and alias files), found in data/lists/
 * when present, else ../shared/data/lists/. Each party keeps its listed name,
 * its aliases and the country and address of its first listed address. */
#ifndef WARDEN_SIM_PARTIES_H
#define WARDEN_SIM_PARTIES_H
#include <stdbool.h>
#include <stddef.h>

#include "core/u64map.h"
#include "sim/rng.h"
#include "sim/world.h"

struct warden_party {
    char *name;
    char **aliases;
    size_t naliases;
    char country[3]; /* ISO 3166-1 alpha-2 of the first address, "" if unknown */
    char *address;   /* may be NULL */
};

struct warden_parties {
    struct warden_party *v;
    size_t n;
    /* every entity name and alias read, kept or not (warden_parties_listed) */
    struct warden_u64map listed;
};

/* Load from the first of dirs that has ofac_sdn_2019.csv. A party is kept
 * when its first address is in a country named in
 * data_dir/sim/party_countries.tsv; data_dir/screen/countries.tsv gives the
 * code. Returns 0, WARDEN_ENOENT (no list, or no party kept), or WARDEN_EIO /
 * WARDEN_EPARSE (logged as "FILE:LINE: reason") for a bad country file. */
int warden_parties_load(struct warden_parties *p, const char *const *dirs, size_t ndirs,
                        const char *data_dir);
void warden_parties_fini(struct warden_parties *p);

/* name is, but for case and runs of spaces, the name or an alias of an
 * entity on the lists read (also one of a country not kept). */
bool warden_parties_listed(const struct warden_parties *p, const char *name);

/* A realistic variant of a listed name: legal-form changes, word order,
 * transliteration, typos, case and punctuation, one to three of them.
 * Returns a new string. */
char *warden_name_variant(struct warden_rng *r, const char *name);

/* The name written back in Cyrillic (GOST-style reverse romanisation of an
 * upper-case Latin name), as Russian and Belarusian companies declare it.
 * Returns a new string. */
char *warden_name_cyrillic(const char *name);

/* The name of a company in a listed party's ownership chain, built from the
 * party's own name (as front companies are) plus a sector word and a legal
 * form of country cc from forms (data/sim/legal_forms.tsv; "Ltd" for a
 * country without one), so that no unrelated real company is ever shown as
 * owned by a listed party. Returns a new string. */
char *warden_front_name(struct warden_rng *r, const char *party_name, const char *cc,
                        const struct warden_sim_pairs *forms);

#endif
