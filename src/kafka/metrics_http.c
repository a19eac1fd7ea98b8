/* metrics_http.c — the Kafka processes' /metrics and /healthz (metrics_http.h). */
#include "kafka/metrics_http.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/sockaddr.h"
#include "core/xalloc.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct warden_metrics_http {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    char *text;
    size_t len;
    double published; /* warden_now_s() of the last hand-over */
    double stale_s;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *type,
                              const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_len, void **con_cls)
{
    (void)version;
    (void)upload;
    (void)con_cls;
    struct warden_metrics_http *m = cls;
    static const char text[] = "text/plain; charset=utf-8";
    if (*upload_len) return answer(c, 413, text, "", 0);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return answer(c, 405, text, "GET only\n", 9);
    if (strcmp(url, "/metrics") == 0) {
        pthread_mutex_lock(&m->mu);
        enum MHD_Result r = answer(c, 200, "text/plain; version=0.0.4; charset=utf-8",
                                   m->text ? m->text : "", m->len);
        pthread_mutex_unlock(&m->mu);
        return r;
    }
    if (strcmp(url, "/healthz") == 0) {
        pthread_mutex_lock(&m->mu);
        double age = m->published > 0 ? warden_now_s() - m->published : -1;
        pthread_mutex_unlock(&m->mu);
        if (age >= 0 && age <= m->stale_s) return answer(c, 200, text, "ok\n", 3);
        char b[128];
        int n = age < 0 ? snprintf(b, sizeof b, "starting\n")
                        : snprintf(b, sizeof b, "stale: the loop last reported %.0f s ago\n", age);
        return answer(c, 503, text, b, (size_t)n);
    }
    return answer(c, 404, text, "not found\n", 10);
}

int warden_metrics_http_start(struct warden_metrics_http **out, const char *addr, unsigned port,
                              double healthz_stale_s, unsigned *bound, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    if (warden_sockaddr_parse(&ss, addr, port) != 0) {
        snprintf(err, errlen, "metrics_listen: '%s' is not an IPv4 or IPv6 address", addr);
        return WARDEN_ECONFIG;
    }
    struct warden_metrics_http *m = warden_xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->stale_s = healthz_stale_s;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    m->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, m, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                            MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
    if (!m->d) {
        snprintf(err, errlen, "metrics: cannot listen on %s port %u (in use, or not permitted)",
                 addr, port);
        warden_metrics_http_stop(m);
        return WARDEN_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
    *bound = di ? di->port : port;
    *out = m;
    return 0;
}

void warden_metrics_http_publish(struct warden_metrics_http *m, const char *text, size_t len)
{
    char *copy = warden_xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    pthread_mutex_lock(&m->mu);
    char *old = m->text;
    m->text = copy;
    m->len = len;
    m->published = warden_now_s();
    pthread_mutex_unlock(&m->mu);
    free(old);
}

void warden_metrics_http_stop(struct warden_metrics_http *m)
{
    if (!m) return;
    if (m->d) MHD_stop_daemon(m->d);
    pthread_mutex_destroy(&m->mu);
    free(m->text);
    free(m);
}
