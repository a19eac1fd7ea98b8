/* cmd_kafka_produce.c — `warden kafka-produce`: an event file into a topic,
 * keyed by account id (kafka/produce.c). */
#include "cli/cli.h"
#include "core/error.h"
#include "kafka/kafka.h"

#include <stdio.h>

static const struct warden_opt produce_opts[] = {
    {"brokers", 'b', "HOST:PORT,...", "bootstrap servers (required)", false},
    {"topic", 't', "NAME", "topic to produce to (required)", false},
    {"kafka", 0, "PROPERTY=VALUE", "librdkafka property (SASL, TLS, ...); repeatable", true},
    {"quiet", 'q', NULL, "do not print the count", false},
    {NULL, 0, NULL, NULL, false},
};

static int produce_main(int argc, char **argv);

const struct warden_cmd warden_cmd_kafka_produce = {
    .name = "kafka-produce",
    .fn = produce_main,
    .summary = "produce an event file (JSON lines) to a Kafka topic, keyed by account id",
    .usage = "--brokers B --topic T [EVENTS|-]",
    .opts = produce_opts,
    .details = "Each line is sent unchanged, keyed by its account_id, so that an account's\n"
               "events stay in one partition in file order. Waits until every line is\n"
               "acknowledged; a full producer queue is waited on, never dropped.",
};

static int produce_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_kafka_produce, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    const char *brokers = warden_arg(&a, "brokers"), *topic = warden_arg(&a, "topic");
    if (!brokers || !topic || a.nrest > 1) {
        fprintf(stderr, "warden kafka-produce: needs --brokers, --topic and at most one file\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    int np = 0;
    const char **props = warden_arg_all(&a, "kafka", &np);
    struct warden_strlist pl = {(char **)props, (size_t)np};
    char err[512];
    uint64_t n = 0;
    int rc = warden_kafka_produce_file(brokers, &pl, topic, a.nrest ? a.rest[0] : "-", &n, err,
                                       sizeof err);
    if (rc) {
        fprintf(stderr, "warden kafka-produce: %s\n", err);
        ret = rc == WARDEN_ECONFIG ? WARDEN_EXIT_CONFIG : WARDEN_EXIT_IO;
    } else if (!warden_flag(&a, "quiet")) {
        printf("%llu records produced to %s\n", (unsigned long long)n, topic);
    }
out:
    warden_args_free(&a);
    return ret;
}
