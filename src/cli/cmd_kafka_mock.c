/* cmd_kafka_mock.c — `warden kafka-mock`: librdkafka's mock cluster in its
 * own process (kafka/mock.c), for tests, the bench and trying the workers
 * without a Kafka installation. */
#include "cli/cli.h"
#include "core/error.h"
#include "kafka/kafka.h"

#include <stdio.h>
#include <stdlib.h>

static const struct warden_opt mock_opts[] = {
    {"brokers", 0, "N", "brokers in the cluster (1 to 16, default 3)", false},
    {"topic", 't', "NAME[:PARTITIONS]", "create a topic (default 1 partition); repeatable", true},
    {"timeout", 0, "SECONDS", "stop after this long (default 0: no limit)", false},
    {NULL, 0, NULL, NULL, false},
};

static int mock_main(int argc, char **argv);

const struct warden_cmd warden_cmd_kafka_mock = {
    .name = "kafka-mock",
    .fn = mock_main,
    .summary = "run a mock Kafka cluster (real protocol on loopback) for tests and trials",
    .usage = "[--brokers N] [--topic NAME:PARTITIONS]...",
    .opts = mock_opts,
    .details = "Prints the bootstrap servers (host:port,...) on one line once the cluster is up,\n"
               "then runs until SIGTERM or SIGINT, until standard input closes when it is a\n"
               "pipe, or until --timeout. The cluster keeps everything in memory.",
};

static int mock_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_kafka_mock, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    long brokers = 3, timeout = 0;
    const char *b = warden_arg(&a, "brokers"), *t = warden_arg(&a, "timeout");
    char *end;
    if (b && ((brokers = strtol(b, &end, 10)) < 1 || brokers > 16 || *end)) {
        fprintf(stderr, "warden kafka-mock: --brokers needs a number from 1 to 16, got '%s'\n", b);
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (t && ((timeout = strtol(t, &end, 10)) < 0 || *end)) {
        fprintf(stderr, "warden kafka-mock: --timeout needs a whole number of seconds, got '%s'\n",
                t);
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    int n = 0;
    const char **topics = warden_arg_all(&a, "topic", &n);
    char err[512];
    if (warden_kafka_mock_run((int)brokers, topics, (size_t)n, timeout, stdout, err, sizeof err)) {
        fprintf(stderr, "warden kafka-mock: %s\n", err);
        ret = WARDEN_EXIT_IO;
    }
out:
    warden_args_free(&a);
    return ret;
}
