/* client.c — librdkafka configuration and metadata shared by every Kafka
 * command: the broker list, properties passed through as given (SASL, TLS,
 * timeouts), and the first metadata request, whose failure is turned into a
 * message an operator can act on (nobody answers, no such topic, refused
 * authentication). */
#include "core/error.h"
#include "kafka/kafka.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *warden_kafka_conf(const char *brokers, const struct warden_strlist *props, char *err,
                        size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char e[256];
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "brokers: %s", e);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", e, sizeof e);
    for (size_t i = 0; props && i < props->n; i++) {
        const char *eq = strchr(props->v[i], '=');
        if (!eq) {
            snprintf(err, errlen, "kafka property '%s': expected name=value", props->v[i]);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - props->v[i]), props->v[i]);
        if (rd_kafka_conf_set(conf, name, eq + 1, e, sizeof e) != RD_KAFKA_CONF_OK) {
            snprintf(err, errlen, "kafka.%s: %s", name, e);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}

int warden_kafka_check_property(const char *name, const char *value, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int rc =
        rd_kafka_conf_set(conf, name, value, err, errlen) == RD_KAFKA_CONF_OK ? 0 : WARDEN_EINVAL;
    rd_kafka_conf_destroy(conf);
    return rc;
}

int warden_kafka_partitions(void *rkv, const char *topic, int timeout_ms, char *err, size_t errlen)
{
    rd_kafka_t *rk = rkv;
    const struct rd_kafka_metadata *md = NULL;
    /* the client must have allow.auto.create.topics=false (warden_kafka_conf
     * sets it), or asking about a missing topic may create it */
    rd_kafka_topic_t *tp = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, tp, &md, timeout_ms);
    rd_kafka_topic_destroy(tp);
    if (e) {
        if (e == RD_KAFKA_RESP_ERR__TRANSPORT || e == RD_KAFKA_RESP_ERR__TIMED_OUT)
            snprintf(err, errlen,
                     "no broker answered within %d ms (%s): check the broker list, the network "
                     "and, with SASL/TLS, the kafka.security.protocol and credentials",
                     timeout_ms, rd_kafka_err2str(e));
        else if (e == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
                 e == RD_KAFKA_RESP_ERR__AUTHENTICATION)
            snprintf(err, errlen, "authentication failed: %s", rd_kafka_err2str(e));
        else
            snprintf(err, errlen, "metadata for topic '%s': %s", topic, rd_kafka_err2str(e));
        return e == RD_KAFKA_RESP_ERR__TRANSPORT || e == RD_KAFKA_RESP_ERR__TIMED_OUT ? WARDEN_EIO
                                                                                      : WARDEN_ELIB;
    }
    int rc;
    if (md->topic_cnt != 1 || md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        md->topics[0].partition_cnt == 0) {
        snprintf(err, errlen, "topic '%s' does not exist (create it before starting Warden)",
                 topic);
        rc = WARDEN_ENOENT;
    } else if (md->topics[0].err) {
        snprintf(err, errlen, "topic '%s': %s", topic, rd_kafka_err2str(md->topics[0].err));
        rc = md->topics[0].err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ? WARDEN_EPERM
                                                                               : WARDEN_ELIB;
    } else {
        rc = md->topics[0].partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}
