/* metrics_http.h — /metrics and /healthz of `warden worker` and `warden
 * link-stage` (config metrics_listen, metrics_port).
 *
 * The Kafka loop is single-threaded and owns every figure it reports; it
 * renders the Prometheus text itself, at most once a second, and hands it
 * over here. The HTTP server (libmicrohttpd, its own thread) answers a
 * scrape with the last text handed over, so a scrape never reads the loop's
 * state and never waits for it. /healthz answers 200 while the loop hands
 * over text, 503 once it has not for healthz_stale_s seconds (a loop stuck
 * in a broker call or a rebalance). */
#ifndef WARDEN_KAFKA_METRICS_HTTP_H
#define WARDEN_KAFKA_METRICS_HTTP_H
#include <stddef.h>

struct warden_metrics_http;

/* Listen on addr:port (port 0: any free port); *bound gets the port.
 * Returns 0, WARDEN_ECONFIG (addr is no address literal) or WARDEN_EIO. */
int warden_metrics_http_start(struct warden_metrics_http **out, const char *addr, unsigned port,
                              double healthz_stale_s, unsigned *bound, char *err, size_t errlen);
/* Hand over the exposition text (copied). */
void warden_metrics_http_publish(struct warden_metrics_http *m, const char *text, size_t len);
void warden_metrics_http_stop(struct warden_metrics_http *m);

#endif
