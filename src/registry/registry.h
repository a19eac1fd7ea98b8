/* registry.h — accounts and organisations (formats.md §2–3).
 *
 * Loaded once from accounts.jsonl and orgs.jsonl, read-only after, shared by
 * every worker. Events are joined to their account by account_id; an account
 * points to its organisation, and organisations carry their direct owners,
 * from which screen/ builds the ownership graph. A bad line is reported with
 * file:line and skipped; the load goes on. */
#ifndef WARDEN_REGISTRY_REGISTRY_H
#define WARDEN_REGISTRY_REGISTRY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ip.h"

struct warden_owner {
    char *org_id; /* NULL when the owner is given by name only */
    char *name;   /* NULL when given by org_id only */
    double share; /* percent, 0..100 */
};

struct warden_org {
    char *org_id;
    char *name;
    char **aliases;
    size_t n_aliases;
    char country[3]; /* "" when not given */
    char *domain;    /* may be NULL */
    char *address;   /* may be NULL */
    struct warden_owner *owners;
    size_t n_owners;
};

struct warden_account {
    char *account_id;
    char *org_id;                             /* may be NULL */
    int64_t created_at_ms;                    /* INT64_MIN when not given */
    char billing_country[3], card_country[3]; /* "" when not given */
    char *payment_fingerprint;                /* may be NULL */
    char *email_domain;                       /* may be NULL */
    struct warden_ip signup_ip;
    bool has_signup_ip;
    char *program; /* may be NULL */
    bool reseller;
    const struct warden_org *org; /* resolved from org_id; NULL if unknown */
};

struct warden_registry;

struct warden_registry_stats {
    size_t accounts, orgs, rejected_lines;
    size_t lines; /* non-blank lines read, good and bad */
};

/* A rejected line (rejects.jsonl, formats.md): the first
 * WARDEN_REGISTRY_MAX_REJECTS are kept, every one is counted. */
#define WARDEN_REGISTRY_MAX_REJECTS 100000
struct warden_registry_reject {
    char *file;
    uint64_t line;
    char *reason;
};

/* Either path may be NULL. Returns 0, or WARDEN_EIO when a file cannot be
 * opened (err names it). Bad lines do not fail the load: they are reported on
 * stderr as FILE:LINE: reason and counted in stats. */
int warden_registry_load(struct warden_registry **out, const char *accounts_path,
                         const char *orgs_path, char *err, size_t errlen);
void warden_registry_free(struct warden_registry *r);
void warden_registry_stats(const struct warden_registry *r, struct warden_registry_stats *st);
/* The kept rejected lines, in the order read (orgs file first). */
const struct warden_registry_reject *warden_registry_rejects(const struct warden_registry *r,
                                                             size_t *n);

const struct warden_account *warden_registry_account(const struct warden_registry *r,
                                                     const char *id, size_t n);
const struct warden_org *warden_registry_org(const struct warden_registry *r, const char *id,
                                             size_t n);
size_t warden_registry_n_orgs(const struct warden_registry *r);
const struct warden_org *warden_registry_org_at(const struct warden_registry *r, size_t i);
size_t warden_registry_n_accounts(const struct warden_registry *r);
const struct warden_account *warden_registry_account_at(const struct warden_registry *r, size_t i);

#endif
