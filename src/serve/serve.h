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
 * dropped. The engine has no way to change the policy of live shards, so a
 * reload builds fresh shards and moves the old shards' state into them
 * through a snapshot in memory, under the write lock (decisions wait for
 * the copy: about a second per million accounts): an account blocked
 * before a reload is still blocked after it.
 *
 * State snapshots (snapshot_path, snapshots.c). At start the file is
 * restored if it exists; a corrupt or truncated one refuses start-up,
 * naming the file and the reason, unless snapshot_on_corrupt: ignore
 * (start empty, with a warning). Every snapshot_interval_s a background
 * thread writes the whole state atomically (temporary file, fsync,
 * rename). It holds the runtime for reading, takes every shard's mutex
 * (the cut: one instant across all shards), forks, and releases both (a
 * reload need not wait for the child's write): the
 * pause a request can see is the fork, which copies page tables, not the
 * state (milliseconds at a million accounts where copying the state took
 * seconds). The child writes the file from its copy-on-write image of the
 * cut and exits; pages the parent changes meanwhile are copied by the
 * kernel, so memory grows by at most the pages written during the save.
 * /metrics shows the pauses (warden_snapshot_pause_*) and every wait for a
 * shard lock (warden_shard_lock_*). When fork fails the save copies each
 * shard under its own lock instead (a request waits at most one shard's
 * copy; shards are then cut one after another). On SIGTERM/SIGINT the
 * server drains in-flight requests first, kills a background child still
 * writing, and writes a final snapshot in process, which is exact. A
 * kill -9 loses at most the last interval, never the previous file (the
 * child dies with the parent's thread: PR_SET_PDEATHSIG). */
#ifndef WARDEN_SERVE_SERVE_H
#define WARDEN_SERVE_SERVE_H
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
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
    int64_t field_notice_events;    /* log once which event fields none carried; 0: never */
    char *cases;                    /* cases.db for the cases API and console; NULL: off */
    bool cases_record;              /* the server's own actions written into cases */
    struct warden_strlist analysts; /* "principal:role:token" */
    char *analysts_env;
    char *web_dir;
    char *snapshot_path;         /* engine state file (snapshots.c); NULL: none */
    int64_t snapshot_interval_s; /* between background snapshots; 0: only at stop */
    char *snapshot_on_corrupt;   /* "refuse" (default) or "ignore" */
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
/* The same; moved (may be NULL) gets the accounts the new rules decided
 * again, raised and lowered (warden_runtime_rederived). */
int warden_server_reload_ex(struct warden_server *s, size_t moved[3], char *err, size_t errlen);
/* Stop accepting, finish in-flight requests, free everything. */
void warden_server_stop(struct warden_server *s);
/* SIGTERM: stop accepting, finish in-flight requests, write the final
 * snapshot (when snapshot_path is set; a failure is printed), free
 * everything. */
void warden_server_shutdown(struct warden_server *s);
/* Write a snapshot now (snapshot_path). 0, or an error with err set. */
int warden_server_snapshot(struct warden_server *s, char *err, size_t errlen);

/* ---- snapshots (snapshots.c) ---- */

struct warden_runtime;
/* Restore rt from c->snapshot_path when set and present: 0 (restored, or
 * nothing to restore); 1 when a bad file was ignored (snapshot_on_corrupt:
 * ignore: the caller rebuilds rt, which may hold part of it); or
 * WARDEN_ECONFIG with "snapshot_path FILE: reason" in err. */
int warden_serve_restore(struct warden_runtime *rt, const struct warden_serve_conf *c, char *err,
                         size_t errlen);
/* How a save takes the shards: their locks, where waits and pauses are
 * counted, and whether it forks. */
struct warden_serve_stats;
struct warden_serve_saver {
    pthread_mutex_t *locks; /* one per shard of the runtime saved */
    size_t n;
    struct warden_serve_stats *stats; /* lock waits, pauses, results; may be NULL */
    bool fork;                        /* the cut under every lock, then a child writes (else each
                                       * shard copied under its own lock, one after another) */
    void (*at_cut)(void *ctx);        /* with fork: called with every lock held; may be NULL */
    /* with fork: called in the parent once the child runs and the shard
     * locks are released, before waiting for the child (the runtime may go:
     * the parent touches it no more); not called when fork failed */
    void (*after_cut)(void *ctx);
    void *cut_ctx;
    uint64_t last_pause_ns;    /* out: every lock held, for the cut (fork only) */
    uint64_t last_fork_cpu_ns; /* out: CPU time the fork itself took (not waiting for a core) */
    atomic_int child;          /* the writing child while it runs, else 0 */
};
/* Write rt to c->snapshot_path (atomically: a temporary file, fsync,
 * rename). The caller holds rt (no reload may free it meanwhile) until the
 * save returns, or with fork until after_cut. A fork
 * that fails falls back to the copy under each shard's lock, with a
 * warning. 0, or an error with err set. */
int warden_serve_save(struct warden_runtime *rt, struct warden_serve_saver *sv,
                      const struct warden_serve_conf *c, char *err, size_t errlen);
/* Kill the child of a save in progress (its file is never renamed into
 * place); the save returns an error. */
void warden_serve_save_cancel(struct warden_serve_saver *sv);
/* Move the state of one runtime into another (a policy reload): a
 * snapshot in memory. 0 or an error with err set. */
int warden_serve_carry(struct warden_runtime *from, struct warden_runtime *to, char *err,
                       size_t errlen);
/* A thread calling fn(ctx) every interval_s seconds until stopped. */
struct warden_serve_ticker;
struct warden_serve_ticker *warden_serve_ticker_start(int64_t interval_s, void (*fn)(void *),
                                                      void *ctx);
void warden_serve_ticker_stop(struct warden_serve_ticker *t);

#endif
