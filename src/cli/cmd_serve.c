/* cmd_serve.c — `warden serve --config FILE`: load the server config, start
 * the HTTP server (serve/), print the bound address, then wait for signals
 * in the main thread: SIGHUP reloads the policy (a bad one is refused with
 * FILE:LINE and the old one stays), SIGTERM and SIGINT drain in-flight
 * requests and exit 0. The signals are blocked before the server's threads
 * start, so only this thread ever takes them (sigwait, no async handler). */
#include "cli/cli.h"
#include "core/error.h"
#include "serve/serve.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct warden_opt serve_opts[] = {
    {"config", 'c', "FILE",
     "server configuration (YAML; keys: see 'warden config --dump', serve.*); default: all "
     "defaults",
     false},
    {"port", 0, "N", "override the config's port (0: pick a free one)", false},
    {"check", 0, NULL, "validate the config and the policy it names, then exit", false},
    {NULL, 0, NULL, NULL, false},
};

static int serve_main(int argc, char **argv);

const struct warden_cmd warden_cmd_serve = {
    .name = "serve",
    .fn = serve_main,
    .summary = "HTTP server: inline decisions for gateways, ingest, metrics, admin",
    .usage = "[--config FILE] [--port N]",
    .opts = serve_opts,
    .details = "Endpoints: POST /v1/decide (one event, formats.md §1), POST /v1/events (JSON\n"
               "lines), /v1/authz (nginx auth_request), /v1/ext_authz (Envoy ext_authz, HTTP\n"
               "service), GET /healthz, /readyz, /metrics (Prometheus), POST /admin/reload\n"
               "(bearer token). Prints 'warden serve: listening on ADDR:PORT' once ready.\n"
               "SIGHUP reloads the policy; SIGTERM drains in-flight requests and exits.\n"
               "With 'cases: cases.db' also the cases API (/v1/cases, /v1/appeals, ...) and\n"
               "the review console at /; analysts log in with tokens from $WARDEN_ANALYSTS.\n"
               "See docs/serve.md and examples/serve.yaml, examples/nginx-warden.conf.",
};

static int serve_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_serve, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    char err[1024];
    struct warden_serve_conf conf;
    if (a.nrest > 0) {
        fprintf(stderr, "warden serve: unexpected argument '%s'\n", a.rest[0]);
        warden_args_free(&a);
        return WARDEN_EXIT_USAGE;
    }
    if (warden_serve_conf_load(&conf, warden_arg(&a, "config"), err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        warden_serve_conf_fini(&conf);
        warden_args_free(&a);
        return WARDEN_EXIT_CONFIG;
    }
    const char *port = warden_arg(&a, "port");
    if (port) {
        const struct warden_conf_key *k = warden_conf_find(warden_serve_conf_keys, "port");
        if (warden_conf_set(k, &conf, port, err, sizeof err) != 0) {
            fprintf(stderr, "warden serve: --port: %s\n", err);
            ret = WARDEN_EXIT_USAGE;
            goto out;
        }
    }
    if (warden_flag(&a, "check")) conf.port = 0; /* validate without taking the real port */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct warden_server *s = NULL;
    unsigned bound = 0;
    int rc = warden_server_start(&s, &conf, &bound, err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden serve: %s\n", err);
        ret = rc == WARDEN_ECONFIG ? WARDEN_EXIT_CONFIG : WARDEN_EXIT_IO;
        goto out;
    }
    if (warden_flag(&a, "check")) {
        warden_server_stop(s);
        printf("warden serve: configuration ok\n");
        goto out;
    }
    printf("warden serve: listening on %s:%u\n", conf.listen, bound);
    fflush(stdout);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGHUP) {
            if (warden_server_reload(s, err, sizeof err) == 0)
                fprintf(stderr, "warden serve: policy reloaded\n");
            else
                fprintf(stderr, "warden serve: reload refused, old policy kept: %s\n", err);
            continue;
        }
        fprintf(stderr, "warden serve: %s: draining and stopping\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
    warden_server_shutdown(s); /* drains, then the final state snapshot */
out:
    warden_serve_conf_fini(&conf);
    warden_args_free(&a);
    return ret;
}
