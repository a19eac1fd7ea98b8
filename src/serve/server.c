/* server.c — the HTTP server of `warden serve` on libmicrohttpd (see
 * serve.h for the concurrency and reload design): routing, body limits,
 * the decision endpoints, the gateway adapters, health, metrics, admin. */
#include "core/clock.h"
#include "core/error.h"
#include "core/event_decode.h"
#include "core/jbuf.h"
#include "core/log.h"
#include "core/sockaddr.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "link/remote.h"
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "runtime/runtime.h"
#include "serve/case_writer.h"
#include "serve/console.h"
#include "serve/controls.h"
#include "serve/litellm.h"
#include "serve/screen_api.h"
#include "serve/serve.h"
#include "serve/static_files.h"
#include "serve/stats.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE_ERRORS 100 /* per-line errors listed in a /v1/events answer */

struct warden_server {
    struct warden_serve_conf conf; /* borrowed strings: the caller's conf outlives us */
    const char *token;             /* admin token, or NULL: admin refused */
    pthread_rwlock_t rt_lock;      /* readers: every decision; writer: the policy swap */
    struct warden_runtime *rt;
    struct warden_counters retired; /* counters of runtimes replaced by reloads (under rt_lock) */
    pthread_mutex_t reload_lock;    /* one reload at a time */
    size_t n_shards;
    pthread_mutex_t *shard_lock;
    struct warden_serve_shard_stats *shard_stats;
    struct warden_serve_stats stats;
    atomic_uint_fast64_t in_flight;
    atomic_uint reloaders; /* reload threads running (stop waits for them) */
    struct MHD_Daemon *d;
    struct warden_console *console; /* cases API and review console; NULL when off */
    struct warden_case_writer *cw;  /* its own actions into cases (cases_record) */
    /* the link detector's cluster records into cases.db, every CLUSTER_RECORDS_S */
    pthread_t cl_thread;
    bool cl_started, cl_stop;
    pthread_mutex_t cl_mu;
    pthread_cond_t cl_cv;
    struct warden_serve_screen *screen; /* POST /v1/screen; NULL when off */
    char *web_dir;
    struct warden_serve_ticker *snap_ticker; /* background snapshots; NULL when off */
    struct warden_serve_saver saver;         /* the shard locks as snapshots take them */
    atomic_bool stopping;                    /* no new background snapshot */
    bool saver_rt_held;                      /* the snapshot's read lock on rt is still held */
};

/* One request's state across libmicrohttpd's calls. */
struct req {
    uint64_t t0_ns;
    enum warden_serve_ep ep;
    const char *url; /* libmicrohttpd's, valid for the request */
    char *body;
    size_t len, cap;
    bool too_big;
    unsigned code;
    /* POST /admin/reload runs on its own thread while the connection is
     * suspended, so an HTTP worker never spends seconds loading a runtime */
    int reload_state; /* 0 not started, 1 running, 2 done */
    int reload_rc;
    size_t reload_moved[3]; /* accounts decided again, raised, lowered */
    char reload_err[1024];
    struct warden_server *srv;
    struct MHD_Connection *conn;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- runtime ---- */

static int build_runtime(const struct warden_server *s, struct warden_runtime **out, char *err,
                         size_t errlen)
{
    struct warden_runtime_conf rc = {
        .policy_path = s->conf.policy,
        .accounts_path = s->conf.accounts,
        .orgs_path = s->conf.orgs,
        .max_accounts = (size_t)s->conf.max_accounts,
        .lateness_ms = s->conf.lateness_s * 1000,
        .field_notice_events = (uint64_t)s->conf.field_notice_events,
        .shards = (unsigned)s->n_shards,
        .quiet = true,
        .review_allow = s->console ? warden_console_allow(s->console) : NULL,
    };
    int ret = warden_runtime_new(out, &rc, err, errlen);
    if (!ret && s->cw) warden_runtime_add_sink(*out, &warden_case_writer_sink, s->cw);
    return ret;
}

int warden_server_reload(struct warden_server *s, char *err, size_t errlen)
{
    return warden_server_reload_ex(s, NULL, err, errlen);
}

int warden_server_reload_ex(struct warden_server *s, size_t moved[3], char *err, size_t errlen)
{
    if (moved) moved[0] = moved[1] = moved[2] = 0;
    pthread_mutex_lock(&s->reload_lock);
    struct warden_runtime *fresh = NULL;
    int rc = build_runtime(s, &fresh, err, errlen);
    if (rc) {
        atomic_fetch_add(&s->stats.reloads_failed, 1);
        pthread_mutex_unlock(&s->reload_lock);
        return WARDEN_ECONFIG;
    }
    pthread_rwlock_wrlock(&s->rt_lock);
    struct warden_runtime *old = s->rt;
    char why[1024];
    if (warden_serve_carry(old, fresh, why, sizeof why) != 0) { /* state survives the reload */
        warden_warn("reload: account state not carried over, it starts again: %s", why);
    } else {
        size_t raised = 0, lowered = 0, n = warden_runtime_rederived(fresh, &raised, &lowered);
        atomic_fetch_add(&s->stats.rederived_raised, raised);
        atomic_fetch_add(&s->stats.rederived_lowered, lowered);
        if (moved) {
            moved[0] = n;
            moved[1] = raised;
            moved[2] = lowered;
        }
        if (n) /* the carried accounts' evidence, decided by the new rules */
            fprintf(stderr,
                    "warden serve: reload: %zu account(s) decided again under the new policy's "
                    "rules: %zu raised, %zu lowered\n",
                    n, raised, lowered);
    }
    s->rt = fresh;
    /* no reader holds the old runtime now: keep its counts so /metrics stays monotonic */
    struct warden_counters *gone = warden_xmalloc(sizeof *gone);
    warden_runtime_counters(old, gone);
    warden_counters_merge(&s->retired, gone);
    free(gone);
    pthread_rwlock_unlock(&s->rt_lock);
    warden_runtime_free(old);
    atomic_fetch_add(&s->stats.reloads_ok, 1);
    pthread_mutex_unlock(&s->reload_lock);
    return 0;
}

/* The child has its copy: the runtime may be reloaded while it writes (a
 * reload waiting for the whole save would hold every decision behind it). */
static void release_runtime(void *ctx)
{
    struct warden_server *s = ctx;
    s->saver_rt_held = false;
    pthread_rwlock_unlock(&s->rt_lock);
}

/* fork: the background kind (the pause is the cut); else in process (the
 * final one, nothing else running). Snapshots never overlap: the ticker
 * makes them one at a time and stops before the final one. */
static int snapshot(struct warden_server *s, bool fork, char *err, size_t errlen)
{
    pthread_rwlock_rdlock(&s->rt_lock);
    s->saver.fork = fork;
    s->saver.after_cut = release_runtime;
    s->saver.cut_ctx = s;
    s->saver_rt_held = true;
    int rc = warden_serve_save(s->rt, &s->saver, &s->conf, err, errlen);
    if (s->saver_rt_held) release_runtime(s);
    return rc;
}

int warden_server_snapshot(struct warden_server *s, char *err, size_t errlen)
{
    return snapshot(s, false, err, errlen);
}

static void snapshot_tick(void *ctx)
{
    struct warden_server *s = ctx;
    char err[1024];
    if (atomic_load(&s->stopping)) return;
    if (snapshot(s, true, err, sizeof err) != 0 && !atomic_load(&s->stopping))
        warden_warn("background snapshot failed (the previous file is kept): %s", err);
}

/* Decide one event; the caller holds rt_lock for reading. */
static bool decide(struct warden_server *s, struct warden_event *ev, struct warden_decision *d)
{
    size_t i = warden_runtime_shard_index(s->rt, ev);
    warden_serve_lock_shard(&s->stats, &s->shard_lock[i]);
    bool fresh = warden_runtime_decide_shard(s->rt, i, ev, d);
    warden_serve_shard_stats_add(&s->shard_stats[i], d);
    pthread_mutex_unlock(&s->shard_lock[i]);
    return fresh;
}

/* ---- answers ---- */

static enum MHD_Result send_buf(struct MHD_Connection *c, struct req *r, unsigned code,
                                const char *type, const char *buf, size_t len,
                                struct MHD_Response **keep)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)buf, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    if (keep) {
        *keep = resp;
        r->code = code;
        return MHD_YES;
    }
    r->code = code;
    enum MHD_Result ret = MHD_queue_response(c, code, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, struct req *r, unsigned code,
                                 struct warden_jbuf *j)
{
    const char *s = warden_jbuf_str(j);
    enum MHD_Result ret = send_buf(c, r, code, "application/json", s, strlen(s), NULL);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, struct req *r, unsigned code,
                                  const char *msg)
{
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_jbuf_obj_open(&j);
    warden_jbuf_kv_str(&j, "error", msg);
    warden_jbuf_obj_close(&j);
    warden_jbuf_raw(&j, "\n", 1);
    enum MHD_Result ret = send_json(c, r, code, &j);
    warden_jbuf_fini(&j);
    return ret;
}

/* The caller holds rt_lock for reading: the policy named is the one that decided. */
static void decision_json(struct warden_jbuf *j, const struct warden_event *ev,
                          const struct warden_decision *d, const struct warden_policy *pol)
{
    warden_jbuf_obj_open(j);
    warden_jbuf_key(j, "request_id");
    if (ev->request_id.p)
        warden_jbuf_str_val(j, ev->request_id.p, ev->request_id.n);
    else
        warden_jbuf_null(j);
    warden_jbuf_kv_str(j, "action", warden_action_name(d->decided));
    warden_jbuf_kv_str(j, "enforced", warden_action_name(d->enforced));
    warden_jbuf_kv_num(j, "score", d->score);
    warden_jbuf_key(j, "reasons");
    warden_jbuf_arr_open(j);
    for (size_t i = 0; i < d->n_reasons; i++) {
        warden_jbuf_obj_open(j);
        warden_jbuf_kv_str(j, "code", d->reasons[i].code);
        warden_jbuf_kv_num(j, "score", d->reasons[i].score);
        warden_jbuf_obj_close(j);
    }
    warden_jbuf_arr_close(j);
    warden_jbuf_key(j, "cluster_id");
    warden_jbuf_cstr(j, d->cluster_id);
    warden_jbuf_kv_bool(j, "shadow", d->shadow);
    warden_jbuf_kv_bool(j, "duplicate", d->duplicate);
    warden_jbuf_kv_bool(j, "late", d->late);
    warden_jbuf_kv_bool(j, "end_user_decided", d->end_user);
    struct warden_serve_controls ctl;
    warden_serve_controls_of(pol, d, &ctl);
    warden_serve_controls_json(&ctl, j);
    warden_jbuf_kv_str(j, "policy", pol->sha256);
    warden_jbuf_obj_close(j);
    warden_jbuf_raw(j, "\n", 1);
}

/* ---- endpoints ---- */

static enum MHD_Result ep_decide(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    struct warden_event ev;
    char why[256];
    if (!r->body || warden_event_decode(r->body, r->len, &ev, why, sizeof why) != 0)
        return send_error(c, r, 400, r->body ? why : "empty body: expected one event (JSON)");
    struct warden_decision d;
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    pthread_rwlock_rdlock(&s->rt_lock);
    decide(s, &ev, &d);
    decision_json(&j, &ev, &d, warden_runtime_policy(s->rt)); /* valid while we hold it */
    pthread_rwlock_unlock(&s->rt_lock);
    enum MHD_Result ret = send_json(c, r, 200, &j);
    warden_jbuf_fini(&j);
    return ret;
}

static enum MHD_Result ep_events(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    uint64_t accepted = 0, rejected = 0, duplicates = 0, lineno = 0;
    struct warden_jbuf errs;
    warden_jbuf_init(&errs);
    warden_jbuf_arr_open(&errs);
    size_t listed = 0;
    pthread_rwlock_rdlock(&s->rt_lock);
    size_t pos = 0;
    while (r->body && pos < r->len) {
        char *line = r->body + pos;
        char *nl = memchr(line, '\n', r->len - pos);
        size_t n = nl ? (size_t)(nl - line) : r->len - pos;
        pos += n + 1;
        lineno++;
        if (n && line[n - 1] == '\r') n--;
        if (n == 0) continue;
        struct warden_event ev;
        struct warden_decision d;
        char why[256];
        if (warden_event_decode(line, n, &ev, why, sizeof why) != 0) {
            rejected++;
            if (listed++ < MAX_LINE_ERRORS) {
                warden_jbuf_obj_open(&errs);
                warden_jbuf_kv_int(&errs, "line", (int64_t)lineno);
                warden_jbuf_kv_str(&errs, "error", why);
                warden_jbuf_obj_close(&errs);
            }
            continue;
        }
        if (decide(s, &ev, &d))
            accepted++;
        else
            duplicates++;
    }
    pthread_rwlock_unlock(&s->rt_lock);
    warden_jbuf_arr_close(&errs);
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_jbuf_obj_open(&j);
    warden_jbuf_kv_int(&j, "accepted", (int64_t)accepted);
    warden_jbuf_kv_int(&j, "duplicates", (int64_t)duplicates);
    warden_jbuf_kv_int(&j, "rejected", (int64_t)rejected);
    warden_jbuf_key(&j, "errors");
    warden_jbuf_json(&j, warden_jbuf_str(&errs));
    warden_jbuf_kv_bool(&j, "errors_truncated", listed > MAX_LINE_ERRORS);
    warden_jbuf_obj_close(&j);
    warden_jbuf_raw(&j, "\n", 1);
    enum MHD_Result ret = send_json(c, r, 200, &j);
    warden_jbuf_fini(&j);
    warden_jbuf_fini(&errs);
    return ret;
}

static const char *mhd_header(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static bool peer_ip(struct MHD_Connection *c, struct warden_ip *ip)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return false;
    char buf[INET6_ADDRSTRLEN];
    const struct sockaddr *sa = ci->client_addr;
    const char *p = NULL;
    if (sa->sa_family == AF_INET)
        p = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                      sizeof buf);
    else if (sa->sa_family == AF_INET6)
        p = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                      sizeof buf);
    return p && warden_ip_parse(ip, p, strlen(p)) == 0;
}

/* Response controls as headers: x-warden-controls (all in one), and one
 * header each, for gateways that copy a single header into a variable. */
static void add_controls_headers(struct MHD_Response *resp, const struct warden_serve_controls *c)
{
    char v[64];
    warden_serve_controls_header(c, v, sizeof v);
    MHD_add_response_header(resp, "x-warden-controls", v);
    if (c->strip_reasoning) MHD_add_response_header(resp, "x-warden-strip-reasoning", "1");
    if (c->max_tokens) {
        snprintf(v, sizeof v, "%lld", (long long)c->max_tokens);
        MHD_add_response_header(resp, "x-warden-max-tokens", v);
    }
}

/* nginx auth_request (2xx / 403 only; throttle is 403 + x-warden-action:
 * throttle, which the nginx config maps to 429) and Envoy ext_authz
 * (200 / 403 / 429 + retry-after). Either way the x-warden-* headers. */
static enum MHD_Result ep_authz(struct warden_server *s, struct MHD_Connection *c, struct req *r,
                                bool envoy)
{
    struct warden_event ev;
    struct warden_ip peer;
    bool have_peer = peer_ip(c, &peer);
    char why[256];
    if (warden_serve_adapter_event(&s->conf, mhd_header, c, have_peer ? &peer : NULL, wall_ms(),
                                   &ev, why, sizeof why) != 0)
        return send_error(c, r, 400, why);
    struct warden_decision d;
    char reasons[512], score[32], retry[24];
    size_t rl = 0;
    reasons[0] = '\0';
    pthread_rwlock_rdlock(&s->rt_lock);
    decide(s, &ev, &d);
    for (size_t i = 0; i < d.n_reasons; i++) {
        int w =
            snprintf(reasons + rl, sizeof reasons - rl, "%s%s", i ? "," : "", d.reasons[i].code);
        if (w < 0 || (size_t)w >= sizeof reasons - rl) break;
        rl += (size_t)w;
    }
    char cluster[128] = "";
    if (d.cluster_id) snprintf(cluster, sizeof cluster, "%s", d.cluster_id);
    const struct warden_policy *pol = warden_runtime_policy(s->rt);
    char policy[sizeof pol->sha256];
    memcpy(policy, pol->sha256, sizeof policy);
    struct warden_serve_controls ctl;
    bool controlled = warden_serve_controls_of(pol, &d, &ctl);
    pthread_rwlock_unlock(&s->rt_lock);
    snprintf(score, sizeof score, "%.4f", d.score);
    unsigned code = 200;
    if (d.enforced == WARDEN_BLOCK) code = 403;
    if (d.enforced == WARDEN_THROTTLE) code = envoy ? 429 : 403;
    const char *body = code == 200 ? "" : "{\"error\":\"denied by warden\"}\n";
    struct MHD_Response *resp = NULL;
    if (send_buf(c, r, code, "application/json", body, strlen(body), &resp) != MHD_YES)
        return MHD_NO;
    MHD_add_response_header(resp, "x-warden-action", warden_action_name(d.enforced));
    MHD_add_response_header(resp, "x-warden-decided", warden_action_name(d.decided));
    MHD_add_response_header(resp, "x-warden-score", score);
    if (rl) MHD_add_response_header(resp, "x-warden-reasons", reasons);
    if (*cluster) MHD_add_response_header(resp, "x-warden-cluster", cluster);
    MHD_add_response_header(resp, "x-warden-policy", policy);
    if (controlled) add_controls_headers(resp, &ctl);
    if (d.enforced == WARDEN_THROTTLE) {
        snprintf(retry, sizeof retry, "%lld", (long long)s->conf.retry_after_s);
        MHD_add_response_header(resp, "retry-after", retry);
    }
    enum MHD_Result ret = MHD_queue_response(c, code, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result ep_metrics(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    struct warden_serve_snapshot *snap = warden_xcalloc(1, sizeof *snap);
    snap->stats = &s->stats;
    snap->in_flight = atomic_load(&s->in_flight);
    if (s->cw) {
        snap->has_cases = true;
        warden_case_writer_stats(s->cw, &snap->cases);
    }
    pthread_rwlock_rdlock(&s->rt_lock);
    for (size_t i = 0; i < s->n_shards; i++) warden_serve_lock_shard(&s->stats, &s->shard_lock[i]);
    warden_runtime_counters(s->rt, &snap->counters);
    warden_counters_merge(&snap->counters, &s->retired);
    for (size_t i = 0; i < s->n_shards; i++) {
        struct warden_engine_stats st;
        warden_engine_stats(warden_runtime_shard(s->rt, i), &st);
        snap->accounts_tracked += st.accounts_tracked;
        const struct warden_serve_shard_stats *ss = &s->shard_stats[i];
        for (int a = 0; a < 4; a++) snap->shards.decisions[a] += ss->decisions[a];
        for (unsigned k = 0; k < ss->n_reasons; k++) {
            unsigned m = 0;
            while (m < snap->shards.n_reasons && strcmp(snap->shards.reason[m], ss->reason[k])) m++;
            if (m == snap->shards.n_reasons) {
                if (m == WARDEN_SERVE_MAX_REASONS) continue;
                snap->shards.reason[m] = ss->reason[k];
                snap->shards.n_reasons++;
            }
            snap->shards.reason_n[m] += ss->reason_n[k];
        }
    }
    for (size_t i = s->n_shards; i-- > 0;) pthread_mutex_unlock(&s->shard_lock[i]);
    pthread_rwlock_unlock(&s->rt_lock);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    enum MHD_Result ret;
    if (!f) {
        ret = send_error(c, r, 500, "out of memory");
    } else {
        warden_serve_metrics_render(f, snap);
        fclose(f);
        ret = send_buf(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len, NULL);
    }
    free(buf);
    free(snap);
    return ret;
}

static void *reload_thread(void *arg)
{
    struct req *r = arg;
    r->reload_rc =
        warden_server_reload_ex(r->srv, r->reload_moved, r->reload_err, sizeof r->reload_err);
    r->reload_state = 2;
    struct warden_server *s = r->srv;
    MHD_resume_connection(r->conn);
    atomic_fetch_sub(&s->reloaders, 1);
    return NULL;
}

static enum MHD_Result ep_reload(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    if (r->reload_state == 0) {
        if (!s->token) return send_error(c, r, 403, "admin endpoints are disabled: no admin token");
        if (!warden_serve_token_ok(mhd_header(c, "authorization"), s->token))
            return send_error(c, r, 401, "missing or wrong bearer token");
        r->srv = s;
        r->conn = c;
        r->reload_state = 1;
        atomic_fetch_add(&s->reloaders, 1);
        MHD_suspend_connection(c);
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, reload_thread, r) != 0) {
            r->reload_rc =
                warden_server_reload_ex(s, r->reload_moved, r->reload_err, sizeof r->reload_err);
            r->reload_state = 2;
            MHD_resume_connection(c);
            atomic_fetch_sub(&s->reloaders, 1);
        }
        pthread_attr_destroy(&at);
        return MHD_YES;
    }
    if (r->reload_state == 1) return MHD_YES; /* still running */
    if (r->reload_rc != 0) return send_error(c, r, 422, r->reload_err);
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_jbuf_obj_open(&j);
    warden_jbuf_kv_str(&j, "status", "reloaded");
    warden_jbuf_kv_int(&j, "decided_again", (int64_t)r->reload_moved[0]);
    warden_jbuf_kv_int(&j, "raised", (int64_t)r->reload_moved[1]);
    warden_jbuf_kv_int(&j, "lowered", (int64_t)r->reload_moved[2]);
    warden_jbuf_obj_close(&j);
    warden_jbuf_raw(&j, "\n", 1);
    enum MHD_Result ret = send_json(c, r, 200, &j);
    warden_jbuf_fini(&j);
    return ret;
}

/* LiteLLM's Generic Guardrail API: the request phase is decided like any
 * event; the response phase is answered NONE without touching state. */
static enum MHD_Result ep_litellm(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    struct warden_event ev;
    struct warden_serve_litellm_req *lr = NULL;
    char why[256];
    int rc = warden_serve_litellm_parse(r->body, r->len, wall_ms(), &ev, &lr, why, sizeof why);
    if (rc < 0) {
        warden_serve_litellm_free(lr);
        return send_error(c, r, 400, why);
    }
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    if (rc == 1) {
        warden_serve_litellm_answer(NULL, s->conf.retry_after_s, &j);
    } else {
        struct warden_decision d;
        pthread_rwlock_rdlock(&s->rt_lock);
        decide(s, &ev, &d);
        warden_serve_litellm_answer(&d, s->conf.retry_after_s, &j); /* reasons: under the lock */
        pthread_rwlock_unlock(&s->rt_lock);
    }
    warden_serve_litellm_free(lr);
    warden_jbuf_raw(&j, "\n", 1);
    enum MHD_Result ret = send_json(c, r, 200, &j);
    warden_jbuf_fini(&j);
    return ret;
}

static enum MHD_Result ep_screen(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    if (!s->screen)
        return send_error(c, r, 404, "screening over HTTP is off: set 'screen_api: true'");
    unsigned code = 500;
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_serve_screen_handle(s->screen, r->body, r->len, &code, &j);
    warden_jbuf_raw(&j, "\n", 1);
    enum MHD_Result ret = send_json(c, r, code, &j);
    warden_jbuf_fini(&j);
    return ret;
}

/* ---- cases API and review console ---- */

/* A dismissal on review: the pairs join the set the policy consults and the
 * account's action is lifted on its shard, with no decision running. */
static void console_apply(void *ctx, const struct warden_review_outcome *o)
{
    struct warden_server *s = ctx;
    pthread_rwlock_wrlock(&s->rt_lock);
    for (size_t i = 0; i < o->n_allowed; i++)
        warden_review_allow_add(warden_console_allow(s->console), o->account_id, o->allowed[i]);
    struct warden_event ev;
    memset(&ev, 0, sizeof ev);
    ev.account_id.p = o->account_id;
    ev.account_id.n = (uint32_t)strlen(o->account_id);
    if (o->lifted)
        warden_runtime_lift_shard(s->rt, warden_runtime_shard_index(s->rt, &ev), ev.account_id.p,
                                  ev.account_id.n);
    pthread_rwlock_unlock(&s->rt_lock);
}

static void console_policy(void *ctx, struct warden_jbuf *j)
{
    struct warden_server *s = ctx;
    pthread_rwlock_rdlock(&s->rt_lock);
    warden_console_policy_json(warden_runtime_policy(s->rt), j);
    pthread_rwlock_unlock(&s->rt_lock);
}

/* Headers every console and cases API answer carries. */
static enum MHD_Result send_console(struct MHD_Connection *c, struct req *r, unsigned code,
                                    const char *type, const char *buf, size_t len)
{
    struct MHD_Response *resp = NULL;
    if (send_buf(c, r, code, type, buf, len, &resp) != MHD_YES) return MHD_NO;
    MHD_add_response_header(resp, "Content-Security-Policy", WARDEN_CONSOLE_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, code, resp);
    MHD_destroy_response(resp);
    return ret;
}

static const char *mhd_arg(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result ep_cases(struct warden_server *s, struct MHD_Connection *c, struct req *r,
                                const char *method)
{
    if (!s->console)
        return send_error(c, r, 404, "the cases API is off: set 'cases' in the config");
    struct warden_console_req q = {method,  r->url, mhd_header(c, "authorization"), r->body, r->len,
                                   mhd_arg, c};
    unsigned code = 500;
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_console_handle(s->console, &q, &code, &j);
    warden_jbuf_raw(&j, "\n", 1);
    const char *out = warden_jbuf_str(&j);
    enum MHD_Result ret = send_console(c, r, code, "application/json", out, strlen(out));
    warden_jbuf_fini(&j);
    return ret;
}

static enum MHD_Result ep_static(struct warden_server *s, struct MHD_Connection *c, struct req *r)
{
    if (!s->console) return send_error(c, r, 404, "no such endpoint");
    char *data = NULL;
    size_t len = 0;
    const char *type = NULL;
    int rc = warden_serve_static_load(s->web_dir, r->url, &data, &len, &type);
    if (rc) return send_error(c, r, 404, "no such file");
    enum MHD_Result ret = send_console(c, r, 200, type, data, len);
    free(data);
    return ret;
}

/* ---- routing ---- */

static bool prefix(const char *url, const char *p)
{
    size_t n = strlen(p);
    return strncmp(url, p, n) == 0 && (url[n] == '\0' || url[n] == '/' || url[n] == '?');
}

static enum warden_serve_ep route(const char *url)
{
    if (strcmp(url, "/v1/decide") == 0) return WSE_DECIDE;
    if (strcmp(url, "/v1/events") == 0) return WSE_EVENTS;
    if (strcmp(url, "/v1/screen") == 0) return WSE_SCREEN;
    if (strcmp(url, "/beta/litellm_basic_guardrail_api") == 0) return WSE_LITELLM;
    if (prefix(url, "/v1/authz")) return WSE_AUTHZ;
    if (prefix(url, "/v1/ext_authz")) return WSE_EXT_AUTHZ;
    if (strcmp(url, "/healthz") == 0) return WSE_HEALTH;
    if (strcmp(url, "/readyz") == 0) return WSE_READY;
    if (strcmp(url, "/metrics") == 0) return WSE_METRICS;
    if (strcmp(url, "/admin/reload") == 0) return WSE_RELOAD;
    if (warden_console_route(url)) return WSE_CASES;
    if (strncmp(url, "/v1/", 4) != 0 && strncmp(url, "/admin/", 7) != 0) return WSE_CONSOLE;
    return WSE_OTHER;
}

static bool wants_body(enum warden_serve_ep ep)
{
    return ep == WSE_DECIDE || ep == WSE_EVENTS || ep == WSE_CASES || ep == WSE_SCREEN ||
           ep == WSE_LITELLM;
}

static enum MHD_Result dispatch(struct warden_server *s, struct MHD_Connection *c, struct req *r,
                                const char *method)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    switch (r->ep) {
    case WSE_DECIDE:
        return post ? ep_decide(s, c, r) : send_error(c, r, 405, "use POST");
    case WSE_EVENTS:
        return post ? ep_events(s, c, r) : send_error(c, r, 405, "use POST");
    case WSE_SCREEN:
        return post ? ep_screen(s, c, r) : send_error(c, r, 405, "use POST");
    case WSE_LITELLM:
        return post ? ep_litellm(s, c, r) : send_error(c, r, 405, "use POST");
    case WSE_AUTHZ:
    case WSE_EXT_AUTHZ:
        return ep_authz(s, c, r, r->ep == WSE_EXT_AUTHZ); /* any method: gateways differ */
    case WSE_HEALTH:
        return get ? send_buf(c, r, 200, "text/plain", "ok\n", 3, NULL)
                   : send_error(c, r, 405, "use GET");
    case WSE_READY:
        return get ? send_buf(c, r, 200, "text/plain", "ready\n", 6, NULL)
                   : send_error(c, r, 405, "use GET");
    case WSE_METRICS:
        return get ? ep_metrics(s, c, r) : send_error(c, r, 405, "use GET");
    case WSE_RELOAD:
        return post ? ep_reload(s, c, r) : send_error(c, r, 405, "use POST");
    case WSE_CASES:
        return ep_cases(s, c, r, method);
    case WSE_CONSOLE:
        return get ? ep_static(s, c, r) : send_error(c, r, 405, "use GET");
    default:
        return send_error(c, r, 404, "no such endpoint");
    }
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    struct warden_server *s = cls;
    struct req *r = *con_cls;
    if (!r) {
        r = warden_xcalloc(1, sizeof *r);
        r->t0_ns = now_ns();
        r->ep = route(url);
        r->url = url;
        *con_cls = r;
        atomic_fetch_add(&s->in_flight, 1);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "content-length");
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)s->conf.max_body_bytes)
            return send_error(c, r, 413, "request body too large");
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_big || !wants_body(r->ep)) return MHD_YES; /* discarded */
        if (r->len + n > (size_t)s->conf.max_body_bytes) {
            r->too_big = true;
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            r->cap = (r->len + n + 1) * 2;
            if (r->cap > (size_t)s->conf.max_body_bytes + 1)
                r->cap = (size_t)s->conf.max_body_bytes + 1;
            r->body = warden_xrealloc(r->body, r->cap);
        }
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->code) return MHD_YES;                    /* answered already (413 up front) */
    if (r->reload_state) return ep_reload(s, c, r); /* resumed after the reload */
    if (r->too_big) return send_error(c, r, 413, "request body too large");
    return dispatch(s, c, r, method);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    struct warden_server *s = cls;
    struct req *r = *con_cls;
    if (!r) return;
    warden_serve_stats_request(&s->stats, r->ep, r->code, now_ns() - r->t0_ns);
    atomic_fetch_sub(&s->in_flight, 1);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* ---- cluster records into cases.db (the console's cluster view) ---- */

/* how often the link detector's clusters are walked for records that changed */
#define CLUSTER_RECORDS_S 5

static void cw_cluster_put(void *ctx, const struct warden_cluster_record *r)
{
    warden_case_writer_cluster(ctx, r);
}

static void cw_cluster_gone(void *ctx, const char *cluster_id)
{
    warden_case_writer_cluster_gone(ctx, cluster_id);
}

/* The records of the clusters that changed since the last walk, to the case
 * writer. The caller holds rt_lock (or no request is in flight). */
static void cluster_records(struct warden_server *s)
{
    if (!s->cw || !s->rt || warden_runtime_n_shards(s->rt) == 0) return;
    void *lc = warden_engine_detector_ctx(warden_runtime_shard(s->rt, 0), &warden_detect_link);
    if (lc) warden_detect_link_records(lc, cw_cluster_put, cw_cluster_gone, s->cw);
}

static void *cluster_thread(void *arg)
{
    struct warden_server *s = arg;
    pthread_mutex_lock(&s->cl_mu);
    while (!s->cl_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CLUSTER_RECORDS_S;
        pthread_cond_timedwait(&s->cl_cv, &s->cl_mu, &until);
        if (s->cl_stop) break;
        pthread_mutex_unlock(&s->cl_mu);
        pthread_rwlock_rdlock(&s->rt_lock);
        cluster_records(s);
        pthread_rwlock_unlock(&s->rt_lock);
        pthread_mutex_lock(&s->cl_mu);
    }
    pthread_mutex_unlock(&s->cl_mu);
    return NULL;
}

static void stop_cluster_thread(struct warden_server *s)
{
    if (!s->cl_started) return;
    pthread_mutex_lock(&s->cl_mu);
    s->cl_stop = true;
    pthread_cond_signal(&s->cl_cv);
    pthread_mutex_unlock(&s->cl_mu);
    pthread_join(s->cl_thread, NULL);
    s->cl_started = false;
}

/* ---- start and stop ---- */

int warden_server_start(struct warden_server **out, const struct warden_serve_conf *c,
                        unsigned *port_out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    if (warden_sockaddr_parse(&ss, c->listen, (unsigned)c->port) != 0) {
        snprintf(err, errlen, "listen: '%s' is not an IPv4 or IPv6 address", c->listen);
        return WARDEN_ECONFIG;
    }
    struct warden_server *s = warden_xcalloc(1, sizeof *s);
    s->conf = *c;
    s->n_shards = (size_t)c->shards;
    s->token = c->admin_token && *c->admin_token ? c->admin_token : NULL;
    if (!s->token && c->admin_token_env) {
        const char *t = getenv(c->admin_token_env);
        if (t && *t) s->token = t;
    }
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    /* a reload must not wait behind an endless stream of readers */
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->rt_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_init(&s->reload_lock, NULL);
    pthread_mutex_init(&s->cl_mu, NULL);
    pthread_cond_init(&s->cl_cv, NULL);
    warden_counters_init(&s->retired);
    s->shard_lock = warden_xcalloc(s->n_shards, sizeof *s->shard_lock);
    for (size_t i = 0; i < s->n_shards; i++) pthread_mutex_init(&s->shard_lock[i], NULL);
    s->saver.locks = s->shard_lock;
    s->saver.n = s->n_shards;
    s->saver.stats = &s->stats;
    s->shard_stats = warden_xcalloc(s->n_shards, sizeof *s->shard_stats);
    int rc = 0;
    if (c->cases) {
        rc = warden_console_new(&s->console, c, s->token, console_apply, console_policy, s, err,
                                errlen);
        s->web_dir = warden_serve_web_dir(c->web_dir);
    }
    if (!rc) rc = build_runtime(s, &s->rt, err, errlen);
    if (!rc && (rc = warden_serve_restore(s->rt, c, err, errlen)) == 1) {
        warden_runtime_free(s->rt); /* a bad snapshot ignored: start really empty */
        s->rt = NULL;
        rc = build_runtime(s, &s->rt, err, errlen);
    }
    if (!rc && c->cases && c->cases_record) {
        const struct warden_policy *pol = warden_runtime_policy(s->rt);
        char origin[300];
        snprintf(origin, sizeof origin, "warden serve on %s port %lld, pid %ld", c->listen,
                 (long long)c->port, (long)getpid());
        rc = warden_case_writer_start(&s->cw, c->cases, c->policy, pol->sha256, pol->shadow, origin,
                                      0, err, errlen);
        if (!rc) warden_runtime_add_sink(s->rt, &warden_case_writer_sink, s->cw);
        if (!rc && pthread_create(&s->cl_thread, NULL, cluster_thread, s) == 0)
            s->cl_started = true;
    }
    if (!rc && c->screen_api)
        rc = warden_serve_screen_new(&s->screen, warden_runtime_policy(s->rt), c->screen_compiled,
                                     err, errlen);
    if (rc) {
        warden_server_stop(s);
        return rc;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(
        flags, (uint16_t)c->port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)c->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)c->max_connections_per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)c->max_header_bytes, MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot listen on %s port %lld (in use, or not permitted)", c->listen,
                 (long long)c->port);
        warden_server_stop(s);
        return WARDEN_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = di ? di->port : (unsigned)c->port;
    if (c->snapshot_path && c->snapshot_interval_s > 0)
        s->snap_ticker = warden_serve_ticker_start(c->snapshot_interval_s, snapshot_tick, s);
    *out = s;
    return 0;
}

/* Stop the snapshot ticker and the HTTP daemon; in-flight requests finish. */
static void drain(struct warden_server *s)
{
    atomic_store(&s->stopping, true);
    warden_serve_save_cancel(&s->saver); /* a background save being written: superseded */
    warden_serve_ticker_stop(s->snap_ticker);
    s->snap_ticker = NULL;
    if (s->d) {
        MHD_quiesce_daemon(s->d);            /* stop accepting; in-flight requests finish */
        while (atomic_load(&s->reloaders)) { /* a reload over HTTP holds a suspended connection */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(s->d);
        s->d = NULL;
    }
}

void warden_server_shutdown(struct warden_server *s)
{
    if (!s) return;
    drain(s); /* in-flight requests are done: the state is final */
    char err[1024];
    if (s->conf.snapshot_path) {
        if (warden_server_snapshot(s, err, sizeof err) == 0)
            fprintf(stderr, "warden serve: state saved to %s\n", s->conf.snapshot_path);
        else
            fprintf(stderr, "warden serve: final snapshot failed: %s\n", err);
    }
    warden_server_stop(s);
}

/* The case writer's end: every actioned account's final verdict as its
 * case, then the run's totals (no request is in flight any more). */
static void stop_case_writer(struct warden_server *s)
{
    if (!s->cw) return;
    struct warden_run_totals t = {0};
    stop_cluster_thread(s);
    cluster_records(s); /* what changed since the last walk */
    if (s->rt) {
        for (size_t i = 0; i < warden_runtime_n_shards(s->rt); i++) {
            const struct warden_engine *e = warden_runtime_shard(s->rt, i);
            struct warden_engine_stats st;
            warden_engine_stats(e, &st);
            t.accounts += st.accounts_tracked;
            for (size_t k = 0; k < warden_engine_n_verdicts(e); k++) {
                const struct warden_verdict *v = warden_engine_verdict_at(e, k);
                if (v->action == WARDEN_ALLOW) continue;
                warden_case_writer_verdict(s->cw, v);
                t.actioned++;
            }
        }
        struct warden_counters *c = warden_xmalloc(sizeof *c);
        warden_runtime_counters(s->rt, c);
        warden_counters_merge(c, &s->retired); /* runtimes replaced by reloads */
        t.events = warden_counter_get(c, "engine.events");
        t.late = warden_counter_get(c, "engine.late");
        free(c);
    }
    warden_case_writer_stop(s->cw, &t);
    s->cw = NULL;
}

void warden_server_stop(struct warden_server *s)
{
    if (!s) return;
    drain(s);
    stop_case_writer(s);
    warden_runtime_free(s->rt);
    warden_console_free(s->console);
    warden_serve_screen_free(s->screen);
    free(s->web_dir);
    for (size_t i = 0; s->shard_lock && i < s->n_shards; i++)
        pthread_mutex_destroy(&s->shard_lock[i]);
    free(s->shard_lock);
    free(s->shard_stats);
    pthread_rwlock_destroy(&s->rt_lock);
    pthread_mutex_destroy(&s->reload_lock);
    pthread_mutex_destroy(&s->cl_mu);
    pthread_cond_destroy(&s->cl_cv);
    free(s);
}
