/* serve_conf.c — the `warden serve --config` file: one flat YAML mapping
 * validated against a declared table (core/conf.h), like the policy, so
 * unknown keys and bad values are refused with FILE:LINE:COLUMN and
 * `warden config --dump` lists every key under "serve.". */
#include "core/error.h"
#include "policy/yaml_load.h"
#include "serve/serve.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define O(f) offsetof(struct warden_serve_conf, f)

const struct warden_conf_key warden_serve_conf_keys[] = {
    {"listen", WARDEN_CONF_STRING, "127.0.0.1", O(listen),
     "address to bind (IPv4 or IPv6 literal); loopback unless a gateway elsewhere must reach it", 0,
     0},
    {"port", WARDEN_CONF_INT, "8080", O(port), "TCP port; 0 picks a free one and prints it", 0,
     65535},
    {"threads", WARDEN_CONF_INT, "2", O(threads), "HTTP worker threads (epoll thread pool)", 1,
     256},
    {"shards", WARDEN_CONF_INT, "8", O(shards),
     "engine shards by account hash, each with its own lock and state", 1, 4096},
    {"policy", WARDEN_CONF_STRING, NULL, O(policy),
     "policy file (YAML); none: built-in policy. Reloaded on SIGHUP and POST /admin/reload", 0, 0},
    {"accounts", WARDEN_CONF_STRING, NULL, O(accounts), "accounts.jsonl (formats.md §2)", 0, 0},
    {"orgs", WARDEN_CONF_STRING, NULL, O(orgs), "orgs.jsonl (formats.md §3)", 0, 0},
    {"max_accounts", WARDEN_CONF_INT, "100000", O(max_accounts),
     "accounts tracked per shard (fixed memory)", 1, 100000000},
    {"max_body_bytes", WARDEN_CONF_INT, "1048576", O(max_body_bytes),
     "largest request body; larger is refused with 413", 256, 1073741824},
    {"max_header_bytes", WARDEN_CONF_INT, "32768", O(max_header_bytes),
     "memory per connection for the request line and headers; larger is refused", 4096, 1048576},
    {"timeout_s", WARDEN_CONF_INT, "10", O(timeout_s),
     "idle connection timeout in seconds (also ends slow clients)", 1, 3600},
    {"max_connections", WARDEN_CONF_INT, "1024", O(max_connections), "open connections at most", 1,
     1000000},
    {"max_connections_per_ip", WARDEN_CONF_INT, "0", O(max_connections_per_ip),
     "open connections per client address; 0: no limit", 0, 1000000},
    {"admin_token", WARDEN_CONF_STRING, NULL, O(admin_token),
     "bearer token for /admin/*; prefer admin_token_env. None: admin endpoints refused", 0, 0},
    {"admin_token_env", WARDEN_CONF_STRING, "WARDEN_ADMIN_TOKEN", O(admin_token_env),
     "environment variable holding the admin token (used when admin_token is unset)", 0, 0},
    {"header_account", WARDEN_CONF_STRING, "x-warden-account", O(header_account),
     "adapters: request header with the account id (required)", 0, 0},
    {"header_api_key", WARDEN_CONF_STRING, "x-warden-api-key", O(header_api_key),
     "adapters: request header with the API key id", 0, 0},
    {"header_end_user", WARDEN_CONF_STRING, "x-warden-end-user", O(header_end_user),
     "adapters: request header with the end user", 0, 0},
    {"header_client_ip", WARDEN_CONF_STRING, "x-real-ip", O(header_client_ip),
     "adapters: request header with the client address, set by a trusted proxy; else "
     "x-forwarded-for is read",
     0, 0},
    {"header_request_id", WARDEN_CONF_STRING, "x-request-id", O(header_request_id),
     "adapters: request header with the request id (de-duplication)", 0, 0},
    {"trusted_hops", WARDEN_CONF_INT, "0", O(trusted_hops),
     "adapters: x-forwarded-for entries appended by your own proxies, skipped from the right", 0,
     32},
    {"retry_after_s", WARDEN_CONF_INT, "60", O(retry_after_s),
     "retry-after (seconds) sent with a throttle", 1, 86400},
    {"screen_api", WARDEN_CONF_BOOL, "false", O(screen_api),
     "POST /v1/screen: screen a name or an organisation record against the lists the policy's "
     "screen: section names (as warden screen --policy does), loaded at start",
     0, 0},
    {"screen_compiled", WARDEN_CONF_STRING, NULL, O(screen_compiled),
     "compiled list file (warden lists build) for /v1/screen; unset: the policy's "
     "screen.compiled, else the list sources in the data directory",
     0, 0},
    {"lateness_s", WARDEN_CONF_INT, "60", O(lateness_s),
     "allowed lateness of event timestamps per shard, seconds", 0, 86400},
    {"field_notice_events", WARDEN_CONF_INT, "10000", O(field_notice_events),
     "events judged before the log says, once per start or reload, which optional event fields "
     "(formats.md §1) none of them carried and what the detectors go without; 0 = never",
     0, 1000000000},
    {"cases", WARDEN_CONF_STRING, NULL, O(cases),
     "cases.db (from warden scan) the cases API (/v1/cases) and the review console read and "
     "write; unset: both off",
     0, 0},
    {"cases_record", WARDEN_CONF_BOOL, "true", O(cases_record),
     "with cases: an account this server reviews, throttles or blocks gets its case, the "
     "findings behind it and an audit row per action change in cases (written a second or so "
     "after the decision, never in its way; an analyst's status and notes are kept); false: "
     "cases holds what scans write only",
     0, 0},
    {"analysts", WARDEN_CONF_STRLIST, NULL, O(analysts),
     "console and cases API logins as principal:role:token (role viewer, analyst or admin); "
     "prefer analysts_env",
     0, 0},
    {"analysts_env", WARDEN_CONF_STRING, "WARDEN_ANALYSTS", O(analysts_env),
     "environment variable holding more principal:role:token entries (comma or space separated)", 0,
     0},
    {"web_dir", WARDEN_CONF_STRING, NULL, O(web_dir),
     "directory of the review console's files; unset: web/ beside the binary (a build "
     "tree), else DATA/web (installed; warden --version prints DATA)",
     0, 0},
    {"snapshot_path", WARDEN_CONF_STRING, NULL, O(snapshot_path),
     "engine state file: restored at start, written every snapshot_interval_s and at SIGTERM "
     "(atomically); unset: state lives in memory only",
     0, 0},
    {"snapshot_interval_s", WARDEN_CONF_INT, "60", O(snapshot_interval_s),
     "seconds between background snapshots (a kill -9 loses at most this); 0: only at stop", 0,
     86400},
    {"snapshot_on_corrupt", WARDEN_CONF_STRING, "refuse", O(snapshot_on_corrupt),
     "a corrupt or truncated snapshot_path at start: refuse (do not start) or ignore (start "
     "empty, with a warning)",
     0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

int warden_serve_conf_load(struct warden_serve_conf *c, const char *path, char *err, size_t errlen)
{
    warden_conf_defaults(warden_serve_conf_keys, c);
    if (!path) return 0;
    struct warden_yaml y = {0};
    int rc = warden_yaml_open(&y, path, err, errlen);
    if (rc) return WARDEN_ECONFIG;
    const struct warden_conf_bind b = {warden_serve_conf_keys, c, NULL};
    rc = warden_yaml_load_tables(&y, warden_yaml_root(&y), "", &b, 1);
    warden_yaml_close(&y);
    const char *oc = c->snapshot_on_corrupt;
    if (!rc && (!oc || (strcmp(oc, "refuse") != 0 && strcmp(oc, "ignore") != 0))) {
        snprintf(err, errlen, "%s: snapshot_on_corrupt: '%s' is not refuse or ignore", path,
                 oc ? oc : "");
        rc = 1;
    }
    return rc ? WARDEN_ECONFIG : 0;
}

void warden_serve_conf_fini(struct warden_serve_conf *c)
{
    warden_conf_fini(warden_serve_conf_keys, c);
}

void warden_serve_conf_dump(FILE *out)
{
    warden_conf_dump(out, "serve", warden_serve_conf_keys);
}
