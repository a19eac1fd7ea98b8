/* mock.c — `warden kafka-mock`: librdkafka's mock cluster in a process of
 * its own. The brokers speak the real Kafka protocol on loopback sockets
 * (consumer groups, idempotence, transactions), so the workers, the producer
 * and the dump connect to it exactly as to a real cluster; tests and the
 * bench need no JVM. Runs until SIGTERM/SIGINT, until standard input (when
 * it is a pipe) closes, so a test that dies takes its cluster with it, or
 * until the timeout. */
#include "core/clock.h"
#include "core/error.h"
#include "kafka/kafka.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t mock_stop;

static void on_signal(int sig)
{
    (void)sig;
    mock_stop = 1;
}

int warden_kafka_mock_run(int brokers, const char *const *topics, size_t n_topics,
                          int64_t timeout_s, FILE *out, char *err, size_t errlen)
{
    char e[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof e);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "cannot create a client for the mock cluster: %s", e);
        return WARDEN_ELIB;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        snprintf(err, errlen, "cannot start a mock cluster of %d brokers", brokers);
        rd_kafka_destroy(rk);
        return WARDEN_ELIB;
    }
    int rc = 0;
    for (size_t i = 0; i < n_topics; i++) {
        char name[256];
        int parts = 1;
        const char *colon = strrchr(topics[i], ':');
        if (colon) {
            char *end;
            long p = strtol(colon + 1, &end, 10);
            if (*end || p < 1 || p > 10000) {
                snprintf(err, errlen, "topic '%s': expected NAME:PARTITIONS (1 to 10000)",
                         topics[i]);
                rc = WARDEN_EINVAL;
                goto out;
            }
            parts = (int)p;
            snprintf(name, sizeof name, "%.*s", (int)(colon - topics[i]), topics[i]);
        } else {
            snprintf(name, sizeof name, "%s", topics[i]);
        }
        rd_kafka_resp_err_t te =
            rd_kafka_mock_topic_create(mc, name, parts, brokers < 3 ? brokers : 3);
        if (te) {
            snprintf(err, errlen, "topic '%s': %s", name, rd_kafka_err2str(te));
            rc = WARDEN_ELIB;
            goto out;
        }
    }
    fprintf(out, "%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(out);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct stat st;
    bool watch_stdin =
        fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
    double until = timeout_s > 0 ? warden_now_s() + (double)timeout_s : 0;
    while (!mock_stop && (until == 0 || warden_now_s() < until)) {
        struct pollfd p = {STDIN_FILENO, POLLIN, 0};
        int n = poll(&p, watch_stdin ? 1 : 0, 200);
        if (n > 0) {
            char buf[256];
            ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
            if (r == 0) break; /* stdin closed: whoever started us is gone */
            if (r < 0) watch_stdin = false;
        }
    }
out:
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return rc;
}
