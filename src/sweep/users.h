/* users.h — the people whose homes a sweep reports on.
 *
 * Findings are reported per user: a path under a home belongs to that home's
 * user, anything else to "(system)". Homes come from the scanned root's own
 * etc/passwd (login accounts: uid 0 or >= 1000, or a home under /home) plus
 * any directory under home/ (or Users/, for macOS and Windows images) that
 * passwd does not mention, so that an image or a backup without a passwd file
 * still sweeps per person. */
#ifndef WARDEN_SWEEP_USERS_H
#define WARDEN_SWEEP_USERS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct warden_sweep_user {
    char *name;
    char *home; /* relative to the root, no leading '/' ("home/alice", "root") */
    size_t home_len;
    long uid;      /* -1 when unknown */
    bool selected; /* reported (--users) */
};

struct warden_sweep_users {
    struct warden_sweep_user *v; /* homes, longest first */
    size_t n;
    struct {
        long uid;
        char *name;
    } * ids; /* every passwd line, for owner names */
    size_t n_ids;
};

/* Find the users under root. only: NULL or "all" selects everyone, else one
 * user name (WARDEN_ENOENT when that user has no home under root); the others
 * stay listed, unselected, so their homes can be skipped. */
int warden_sweep_users_load(struct warden_sweep_users *u, const char *root, const char *only);
void warden_sweep_users_fini(struct warden_sweep_users *u);
/* Index of the user whose home holds rel (rel itself or beneath), or -1. */
int warden_sweep_users_owner_of(const struct warden_sweep_users *u, const char *rel, size_t len);
/* Name for a uid from the root's passwd, or NULL. */
const char *warden_sweep_users_name(const struct warden_sweep_users *u, long uid);

#endif
