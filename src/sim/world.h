/* world.h — the simulator's scenario data about the world it simulates:
 * countries (time zone, UTC offset, locale; read from data/sim/countries.tsv
 * at run time), client software (real SDK
 * User-Agent strings, endpoint, TLS fingerprint), e-mail providers, model
 * names, and the id formats real systems use. This is simulator data only;
 * nothing in detection reads it. */
#ifndef WARDEN_SIM_WORLD_H
#define WARDEN_SIM_WORLD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/rng.h"

struct warden_country {
    char cc[3];
    char *tz, *locale;
    int utc_offset_min;
    double weight; /* share of ordinary users */
    char *mail;    /* a national e-mail provider, or NULL */
};

/* The countries of data/sim/countries.tsv, in file order. */
struct warden_countries {
    struct warden_country *v;
    size_t n;
};

/* Load a countries file (format in its header). Returns 0, WARDEN_EIO when it
 * cannot be read, or WARDEN_EPARSE after logging "FILE:LINE: reason". */
int warden_countries_load(struct warden_countries *c, const char *path);
void warden_countries_fini(struct warden_countries *c);
/* The first row of country cc, or NULL. */
const struct warden_country *warden_country_get(const struct warden_countries *c, const char *cc);

/* A two-column file of data/sim, rows of key and value in file order:
 * roles.tsv (role, country code), legal_forms.tsv (country code, legal form)
 * and domains.tsv (country code, domain suffix). Formats in the files'
 * headers and data/sim/README.md. */
struct warden_sim_pair {
    char *key, *val;
};
struct warden_sim_pairs {
    struct warden_sim_pair *v;
    size_t n;
};
enum warden_pairs_kind { WARDEN_PAIRS_ROLES, WARDEN_PAIRS_LEGAL_FORMS, WARDEN_PAIRS_DOMAINS };

/* The role names roles.tsv may use (the only country knowledge in C is which
 * roles exist, never which countries fill them). */
extern const char *const warden_sim_roles[];
extern const size_t warden_sim_nroles;

/* Load one of those files. Returns 0, WARDEN_EIO when it cannot be read, or
 * WARDEN_EPARSE after logging "FILE:LINE: reason". An empty file is valid. */
int warden_sim_pairs_load(struct warden_sim_pairs *p, const char *path,
                          enum warden_pairs_kind kind);
void warden_sim_pairs_fini(struct warden_sim_pairs *p);
/* Whether the file has the row (key, val). */
bool warden_sim_pairs_has(const struct warden_sim_pairs *p, const char *key, const char *val);
/* The value of the first row of key, or NULL. */
const char *warden_sim_pairs_get(const struct warden_sim_pairs *p, const char *key);

struct warden_client {
    const char *ua;
    const char *endpoint;
    const char *family; /* TLS stack family, for the JA4 fingerprint */
    double weight;
};

extern const struct warden_client warden_clients[];
extern const size_t warden_nclients;
/* A JA4-format fingerprint stable for a TLS stack family (synthetic but
 * well-formed: the simulator has no real captures). */
void warden_ja4_for_family(const char *family, char *buf, size_t len);

/* "acct_", "user_" ULID, numeric... drawn per id so no format marks a label. */
enum warden_idkind {
    WARDEN_ID_ACCOUNT,
    WARDEN_ID_ORG,
    WARDEN_ID_KEY,
    WARDEN_ID_REQUEST,
    WARDEN_ID_END_USER,
    WARDEN_ID_PAYMENT
};
/* Writes an id of the given kind; style selects one of the real-world
 * formats for that kind (callers keep a style per account). */
void warden_sim_id(struct warden_rng *r, enum warden_idkind kind, unsigned style, char *buf,
                   size_t len);

extern const char *const warden_free_mail[];
extern const size_t warden_nfree_mail;

#endif
