/* auth.c — analyst logins: principal:role:token entries from the serve
 * config and the environment, checked in constant time (see auth.h). */
#include "serve/auth.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_TOKEN 12 /* shorter tokens are refused: they can be guessed */

struct login {
    struct warden_principal p;
    char *token;
};

struct warden_auth {
    struct login *v;
    size_t n;
};

static const char *const role_names[] = {"none", "viewer", "analyst", "admin"};

const char *warden_role_name(enum warden_role r)
{
    return r <= WARDEN_ROLE_ADMIN ? role_names[r] : "none";
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof(((struct warden_principal *)0)->name)) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._@-", s[i])) return false;
    return true;
}

static void add(struct warden_auth *a, const char *name, size_t nn, enum warden_role role,
                const char *token, size_t tn)
{
    a->v = warden_xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    struct login *l = &a->v[a->n++];
    memset(l, 0, sizeof *l);
    memcpy(l->p.name, name, nn);
    l->p.role = role;
    l->token = warden_xstrndup(token, tn);
}

/* One "principal:role:token" entry (not NUL-terminated: s[0..n)). */
static int parse_entry(struct warden_auth *a, const char *s, size_t n, const char *where, char *err,
                       size_t errlen)
{
    const char *c1 = memchr(s, ':', n);
    const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s)) : NULL;
    if (!c2) {
        snprintf(err, errlen, "%s: entry %zu: expected principal:role:token", where, a->n + 1);
        return WARDEN_ECONFIG;
    }
    size_t nn = (size_t)(c1 - s), rn = (size_t)(c2 - c1 - 1), tn = n - (size_t)(c2 + 1 - s);
    if (!name_ok(s, nn)) {
        snprintf(err, errlen,
                 "%s: entry %zu: principal must be 1-63 letters, digits or ._@- characters", where,
                 a->n + 1);
        return WARDEN_ECONFIG;
    }
    enum warden_role role = WARDEN_ROLE_NONE;
    for (int r = WARDEN_ROLE_VIEWER; r <= WARDEN_ROLE_ADMIN; r++)
        if (strlen(role_names[r]) == rn && memcmp(role_names[r], c1 + 1, rn) == 0)
            role = (enum warden_role)r;
    if (role == WARDEN_ROLE_NONE) {
        snprintf(err, errlen, "%s: principal '%.*s': role must be viewer, analyst or admin", where,
                 (int)nn, s);
        return WARDEN_ECONFIG;
    }
    if (tn < MIN_TOKEN) {
        snprintf(err, errlen, "%s: principal '%.*s': token shorter than %d characters", where,
                 (int)nn, s, MIN_TOKEN);
        return WARDEN_ECONFIG;
    }
    add(a, s, nn, role, c2 + 1, tn);
    return 0;
}

int warden_auth_new(struct warden_auth **out, const struct warden_serve_conf *c,
                    const char *admin_token, char *err, size_t errlen)
{
    struct warden_auth *a = warden_xcalloc(1, sizeof *a);
    int rc = 0;
    for (size_t i = 0; !rc && i < c->analysts.n; i++)
        rc = parse_entry(a, c->analysts.v[i], strlen(c->analysts.v[i]), "analysts", err, errlen);
    const char *env = c->analysts_env && *c->analysts_env ? getenv(c->analysts_env) : NULL;
    for (const char *p = env; !rc && p && *p;) {
        while (*p == ',' || isspace((unsigned char)*p)) p++;
        size_t n = 0;
        while (p[n] && p[n] != ',' && !isspace((unsigned char)p[n])) n++;
        if (n) rc = parse_entry(a, p, n, c->analysts_env, err, errlen);
        p += n;
    }
    if (!rc && admin_token && *admin_token)
        add(a, "admin", 5, WARDEN_ROLE_ADMIN, admin_token, strlen(admin_token));
    if (rc) {
        warden_auth_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void warden_auth_free(struct warden_auth *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) free(a->v[i].token);
    free(a->v);
    free(a);
}

size_t warden_auth_count(const struct warden_auth *a)
{
    return a ? a->n : 0;
}

bool warden_auth_check(const struct warden_auth *a, const char *authorization,
                       struct warden_principal *p)
{
    size_t found = a->n;
    /* every entry is compared, whatever matched before */
    for (size_t i = 0; i < a->n; i++)
        if (warden_serve_token_ok(authorization, a->v[i].token) && found == a->n) found = i;
    if (found == a->n) return false;
    *p = a->v[found].p;
    return true;
}
