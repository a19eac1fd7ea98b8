/* auth.h — who is calling the cases API and the console: bearer tokens
 * mapped to a principal name and a role.
 *
 * Logins come from the serve config (`analysts:`, principal:role:token) and
 * from an environment variable (`analysts_env`, same entries separated by
 * commas or spaces; preferred, so tokens stay out of files); the admin token
 * also logs in, as principal "admin" with role admin. A presented token is
 * compared with every configured one in constant time (SHA-256 of both,
 * XOR), so neither the match nor its position shows in the timing.
 * Roles: viewer reads; analyst also decides, appeals and notes; admin also
 * everything an analyst does (and the admin endpoints, through the admin token). */
#ifndef WARDEN_SERVE_AUTH_H
#define WARDEN_SERVE_AUTH_H
#include <stdbool.h>
#include <stddef.h>

#include "serve/serve.h"

enum warden_role { WARDEN_ROLE_NONE, WARDEN_ROLE_VIEWER, WARDEN_ROLE_ANALYST, WARDEN_ROLE_ADMIN };

struct warden_principal {
    char name[64];
    enum warden_role role;
};

struct warden_auth;

/* From the config, its environment variable and the admin token (may be
 * NULL). 0, or WARDEN_ECONFIG with the bad entry named (never its token). */
int warden_auth_new(struct warden_auth **out, const struct warden_serve_conf *c,
                    const char *admin_token, char *err, size_t errlen);
void warden_auth_free(struct warden_auth *a);
size_t warden_auth_count(const struct warden_auth *a);
/* The principal of an "Authorization: Bearer TOKEN" header: true and *p
 * filled when the token is known. */
bool warden_auth_check(const struct warden_auth *a, const char *authorization,
                       struct warden_principal *p);
const char *warden_role_name(enum warden_role r);

#endif
