/* console.h — the cases API of `warden serve` (/v1/cases, /v1/appeals,
 * /v1/overview, /v1/audit, /v1/clusters, /v1/policy, /v1/whoami), which the
 * review console in web/ calls.
 *
 * It knows nothing of HTTP libraries: the server hands it the method, path,
 * query arguments, Authorization header and body, and sends back the JSON
 * answer and status it fills in. Every endpoint needs a bearer token
 * (serve/auth.h; 401 without one); writes need the analyst or admin role
 * (403 for viewers). Reads and writes go to cases.db through store/review.h.
 *
 * A dismissal (or an upheld appeal) changes what the running engine does:
 * the console calls the server's apply function with the outcome, which
 * adds the allowlisted (account, reason) pairs to the set the policy
 * consults and lifts the account's action on its shard. The set is loaded
 * from cases.db at start, so it survives restarts and policy reloads. */
#ifndef WARDEN_SERVE_CONSOLE_H
#define WARDEN_SERVE_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>

#include "core/jbuf.h"
#include "serve/serve.h"
#include "store/review.h"

struct warden_review_allow;

struct warden_console_req {
    const char *method, *url; /* url: the path, without the query */
    const char *authorization;
    const char *body; /* NUL-terminated, may be NULL */
    size_t len;
    const char *(*arg)(void *ctx, const char *name); /* query argument, NULL when absent */
    void *arg_ctx;
};

/* Called with the write side of the server's runtime lock to be taken: add
 * o's allowlisted reasons to the set and lift the account's action. */
typedef void (*warden_console_apply_fn)(void *ctx, const struct warden_review_outcome *o);
/* Writes the current policy as one JSON object (the server holds the runtime). */
typedef void (*warden_console_policy_fn)(void *ctx, struct warden_jbuf *out);

struct warden_console;

/* Open c->cases, load the logins and the registry (for organisation names
 * and shared identifiers), fill the review allowlist from cases.db. 0, or
 * WARDEN_ECONFIG / WARDEN_EIO with err set. */
int warden_console_new(struct warden_console **out, const struct warden_serve_conf *c,
                       const char *admin_token, warden_console_apply_fn apply,
                       warden_console_policy_fn policy, void *ctx, char *err, size_t errlen);
void warden_console_free(struct warden_console *k);
/* The (account, reason) set the runtime's policy consults; owned by k, and
 * only changed inside apply (under the server's write lock). */
struct warden_review_allow *warden_console_allow(struct warden_console *k);

/* The policy as the console shows it: file, hash, shadow, jurisdictions,
 * rules, allowlist sizes (with the review allowlist's). */
struct warden_policy;
void warden_console_policy_json(const struct warden_policy *p, struct warden_jbuf *j);

/* Is url a console API path (/v1/cases..., /v1/appeals..., ...)? */
bool warden_console_route(const char *url);
/* Answer one request: *code and out (a JSON object). */
void warden_console_handle(struct warden_console *k, const struct warden_console_req *q,
                           unsigned *code, struct warden_jbuf *out);

#endif
