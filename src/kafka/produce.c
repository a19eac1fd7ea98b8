/* produce.c — `warden kafka-produce`: an event file into the events topic,
 * each line keyed by its account id, so that all of an account's events land
 * in one partition, in file order, and one worker owns its state. The line
 * is sent as it is; the account id is read with the same decoder the workers
 * use, on a copy. Idempotent producer (no duplicates on retries); a full
 * local queue is drained by polling, then the line is retried
 * (back-pressure, never a drop). */
#include "core/error.h"
#include "core/event_decode.h"
#include "core/xalloc.h"
#include "io/lines.h"
#include "kafka/kafka.h"

#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

struct delivery {
    uint64_t failed;
    rd_kafka_resp_err_t first;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct delivery *d = opaque;
    if (m->err) {
        if (!d->failed) d->first = m->err;
        d->failed++;
    }
}

int warden_kafka_produce_file(const char *brokers, const struct warden_strlist *props,
                              const char *topic, const char *path, uint64_t *n, char *err,
                              size_t errlen)
{
    *n = 0;
    rd_kafka_conf_t *conf = warden_kafka_conf(brokers, props, err, errlen);
    if (!conf) return WARDEN_ECONFIG;
    char e[256];
    struct delivery d = {0, 0};
    rd_kafka_conf_set(conf, "enable.idempotence", "true", e, sizeof e);
    rd_kafka_conf_set(conf, "linger.ms", "20", e, sizeof e);
    rd_kafka_conf_set_opaque(conf, &d);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "%s", e);
        rd_kafka_conf_destroy(conf);
        return WARDEN_ELIB;
    }
    int rc = warden_kafka_partitions(rk, topic, 10000, err, errlen);
    struct warden_lines *in = NULL;
    char *copy = NULL;
    size_t cap = 0;
    if (rc < 0) goto out;
    rc = warden_lines_open(&in, path, WARDEN_LINES_DEFAULT_MAX, err, errlen);
    if (rc) goto out;
    char *line;
    size_t len;
    uint64_t lineno;
    bool too_long;
    for (;;) {
        int r = warden_lines_next(in, &line, &len, &lineno, &too_long);
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, warden_lines_error(in));
            rc = WARDEN_EIO;
            goto out;
        }
        if (r == 0) break;
        if (too_long || len == 0) continue;
        if (len + 1 > cap) {
            cap = len + 1;
            copy = warden_xrealloc(copy, cap);
        }
        memcpy(copy, line, len);
        struct warden_event ev;
        char why[128];
        const char *key = NULL;
        size_t keylen = 0;
        if (warden_event_decode(copy, len, &ev, why, sizeof why) == 0) {
            key = ev.account_id.p;
            keylen = ev.account_id.n;
        }
        for (;;) {
            rd_kafka_resp_err_t pe =
                rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, keylen),
                                  RD_KAFKA_V_VALUE(line, len),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (!pe) break;
            if (pe != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                snprintf(err, errlen, "produce to '%s': %s", topic, rd_kafka_err2str(pe));
                rc = WARDEN_ELIB;
                goto out;
            }
            rd_kafka_poll(rk, 50); /* back-pressure: let deliveries drain the queue */
        }
        (*n)++;
        rd_kafka_poll(rk, 0);
    }
    rc = 0;
out:
    if (rk) {
        rd_kafka_resp_err_t fe = rd_kafka_flush(rk, 60000);
        if (!rc && fe) {
            snprintf(err, errlen, "flush: %s", rd_kafka_err2str(fe));
            rc = WARDEN_EIO;
        }
        if (!rc && d.failed) {
            snprintf(err, errlen, "%llu line(s) not delivered: %s", (unsigned long long)d.failed,
                     rd_kafka_err2str(d.first));
            rc = WARDEN_EIO;
        }
        rd_kafka_destroy(rk);
    }
    if (in) warden_lines_close(in);
    free(copy);
    return rc;
}
