/* serve.h — `warden serve`: inline decisions over HTTP for API gateways.
 *
 * One long-running process answers, per request, what a gateway should do
 * with it: POST /v1/decide (one event, formats.md §1), POST /v1/events (a
 * JSON-lines batch from gateway logs), the gateway adapters (nginx
 * auth_request at /v1/authz, Envoy ext_authz at /v1/ext_authz/...),
 * POST /v1/screen (restricted-party screening, screen_api.h), and
 * /healthz, /readyz, /metrics, /admin/reload. Every path feeds the same
 * engine shards (runtime/), so logged and inline traffic build one state.
 *
 * Concurrency. libmicrohttpd runs a pool of `threads` epoll threads; a
 * request is decoded on whichever thread got it, then decided on the shard
 * its account hashes to, under that shard's mutex. The mutex is held only
 * for the engine call and the shard's own statistics (a few microseconds);
 * two requests contend only when their accounts share a shard, and with
 * `shards` several times `threads` that is rare. Account state is never
 * touched by two threads at once, and nothing else is shared on the hot path
 * except atomic request counters and the latency histogram.
 *
 * Policy reload (SIGHUP, POST /admin/reload) loads and checks the new policy
 * first, outside any lock; a bad one is refused with FILE:LINE:COLUMN and
 * the old one stays. A good one is swapped in under a write lock on the
 * runtime pointer that every decision holds for reading, so each request is
 * decided wholly by the old or wholly by the new policy, and none is
 * dropped. The engine has no way to change the policy of live shards yet,
 * so a reload builds fresh shards: account state starts again (see README). */
#ifndef WARDEN_SERVE_SERVE_H
#define WARDEN_SERVE_SERVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/conf.h"
#include "core/event.h"

struct warden_serve_conf {
    char *listen;
    int64_t port;
    int64_t threads;
    int64_t shards;
    char *policy;
    char *accounts;
    char *orgs;
    int64_t max_accounts;
    int64_t max_body_bytes;
    int64_t max_header_bytes;
    int64_t timeout_s;
    int64_t max_connections;
    int64_t max_connections_per_ip;
    char *admin_token;
    char *admin_token_env;
    char *header_account;
    char *header_api_key;
    char *header_end_user;
    char *header_client_ip;
    char *header_request_id;
    int64_t trusted_hops;
    int64_t retry_after_s;
    bool screen_api;       /* POST /v1/screen on */
    char *screen_compiled; /* its compiled list file; NULL: the policy's screen: section */
    int64_t lateness_s;
    char *cases;                    /* cases.db for the cases API and console; NULL: off */
    struct warden_strlist analysts; /* "principal:role:token" */
    char *analysts_env;
    char *web_dir;
};

extern const struct warden_conf_key warden_serve_conf_keys[];

/* Defaults, then the YAML file at path (NULL: defaults only), validated
 * against warden_serve_conf_keys: unknown keys and bad values are refused
 * with FILE:LINE:COLUMN. 0 or WARDEN_ECONFIG with err set. */
int warden_serve_conf_load(struct warden_serve_conf *c, const char *path, char *err, size_t errlen);
void warden_serve_conf_fini(struct warden_serve_conf *c);
void warden_serve_conf_dump(FILE *out);

/* ---- gateway adapters: a request's headers to an event ---- */

/* Header lookup by (case-insensitive) name; NULL when absent. */
typedef const char *(*warden_serve_header_fn)(void *ctx, const char *name);

/* The client address from an X-Forwarded-For value: the entry trusted_hops
 * places from the right (0: the rightmost). 0, or WARDEN_EPARSE when the
 * list is too short or the entry is not an address. */
int warden_serve_xff_client(const char *xff, size_t n, unsigned trusted_hops,
                            struct warden_ip *out);

/* Build an event from a gateway's request headers (names from the config):
 * account (required), API key, end user, request id, user agent, the client
 * address (client-ip header, else X-Forwarded-For with trusted_hops, else
 * peer, which may be NULL), ts = now_ms. Strings point into the header
 * values. 0, or WARDEN_EPARSE with a reason naming the header in why. */
int warden_serve_adapter_event(const struct warden_serve_conf *c, warden_serve_header_fn get,
                               void *ctx, const struct warden_ip *peer, int64_t now_ms,
                               struct warden_event *ev, char *why, size_t whylen);

/* Bearer-token check in constant time (SHA-256 of both, compared by XOR):
 * true when header is "Bearer <token>" and token matches. */
bool warden_serve_token_ok(const char *authorization, const char *token);

/* ---- the server ---- */

struct warden_server;

/* Load runtime and start listening. Prints nothing; *port_out is the bound
 * port (port 0 picks a free one). 0, WARDEN_ECONFIG or WARDEN_EIO. */
int warden_server_start(struct warden_server **out, const struct warden_serve_conf *c,
                        unsigned *port_out, char *err, size_t errlen);
/* Reload the policy (the configured path): 0, or WARDEN_ECONFIG with
 * FILE:LINE in err and the old policy still in force. Thread-safe. */
int warden_server_reload(struct warden_server *s, char *err, size_t errlen);
/* Stop accepting, finish in-flight requests, free everything. */
void warden_server_stop(struct warden_server *s);

#endif
