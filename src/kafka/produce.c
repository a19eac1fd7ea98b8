/* produce.c — `warden kafka-produce`: an event file into the events topic,
 * each line keyed by its account id, so that all of an account's events land
 * in one partition, in the order produced, and one worker owns its state.
 * A worker hands a partition's events to its shard in offset order (it has
 * no reorder buffer), so a file out of order is sorted by time first, by
 * the sorter `warden scan` uses (runtime/sorter.h: auto looks at the file
 * and sorts it when it is out of order beyond the lateness). The line is
 * sent as it is; the account id is read with the same decoder the workers
 * use, on a copy. Idempotent producer (no duplicates on retries); a full
 * local queue is drained by polling, then the line is retried
 * (back-pressure, never a drop). */
#include "core/error.h"
#include "core/event_decode.h"
#include "core/xalloc.h"
#include "io/lines.h"
#include "io/source.h"
#include "kafka/kafka.h"
#include "runtime/sorter.h"

#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
                              const char *topic, const char *path,
                              const struct warden_kafka_produce_opts *o, uint64_t *n, bool *sorted,
                              uint64_t *runs, char *err, size_t errlen)
{
    *n = 0;
    *sorted = false;
    *runs = 0;
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
    const struct warden_source_type *type = &warden_source_jsonl;
    void *in = NULL;
    struct warden_sorter *sorter = NULL;
    char *copy = NULL;
    size_t cap = 0;
    if (rc < 0) goto out;
    if ((rc = type->open(&in, path, WARDEN_LINES_DEFAULT_MAX, err, errlen))) {
        in = NULL;
        rc = WARDEN_EIO;
        goto out;
    }
    struct stat sb;
    bool file = strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    struct warden_sorter_conf sc = {(enum warden_order)o->order,
                                    o->lateness_ms,
                                    0,
                                    o->sort_memory,
                                    WARDEN_LINES_DEFAULT_MAX,
                                    NULL};
    sorter = warden_sorter_new(type, in, file ? path : NULL, &sc);
    for (;;) {
        struct warden_raw_line rl;
        int r = warden_sorter_next(sorter, &rl, err, errlen);
        if (r < 0) {
            rc = r;
            goto out;
        }
        if (r == 0) break;
        if (rl.too_long || rl.len == 0) continue;
        char *line = rl.line;
        size_t len = rl.len;
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
                o->header_name
                    ? rd_kafka_producev(
                          rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, keylen),
                          RD_KAFKA_V_VALUE(line, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_HEADER(o->header_name, o->header_value, -1), RD_KAFKA_V_END)
                    : rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, keylen),
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
    *sorted = warden_sorter_sorted(sorter, runs);
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
    warden_sorter_free(sorter);
    if (in) type->close(in);
    free(copy);
    return rc;
}
