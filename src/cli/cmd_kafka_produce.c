/* cmd_kafka_produce.c — `warden kafka-produce`: an event file into a topic,
 * keyed by account id (kafka/produce.c). */
#include "cli/cli.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "kafka/kafka.h"
#include "runtime/sorter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct warden_opt produce_opts[] = {
    {"brokers", 'b', "HOST:PORT,...", "bootstrap servers (required)", false},
    {"topic", 't', "NAME", "topic to produce to (required)", false},
    {"kafka", 0, "PROPERTY=VALUE", "librdkafka property (SASL, TLS, ...); repeatable", true},
    {"order", 0, "MODE",
     "auto (a file out of order beyond --lateness, in its first 64 MiB or at 64 places of the "
     "rest, is sorted by time first; standard input is sent as it comes), sort (sort it "
     "whatever it is: a pipe, a gzip file disordered further in), stream (send in file "
     "order); default auto",
     false},
    {"lateness", 0, "SECONDS",
     "disorder auto tolerates: the workers' lateness_s (0 to 86400, default 60)", false},
    {"sort-memory", 0, "MIB",
     "memory for sorting: a plain file's index (40 bytes a line) or the lines of a gzip file or "
     "a pipe, beyond which they go to temporary files in $TMPDIR (16 to 65536, default 256)",
     false},
    {"header", 0, "NAME=VALUE",
     "a header on every record (e.g. warden-review=1: the lines are review decisions, "
     "formats.md)",
     false},
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
               "events stay in one partition, in the order sent. A worker hands a partition's\n"
               "events to its engine in that order, so a file out of order (grouped by\n"
               "account, merged from exports) is sorted by time first, as `warden scan` does.\n"
               "Waits until every line is acknowledged; a full producer queue is waited on,\n"
               "never dropped.",
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
    char *hdr = NULL; /* --header, split at '=' */
    const char *brokers = warden_arg(&a, "brokers"), *topic = warden_arg(&a, "topic");
    if (!brokers || !topic || a.nrest > 1) {
        fprintf(stderr, "warden kafka-produce: needs --brokers, --topic and at most one file\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    struct warden_kafka_produce_opts po = {.order = WARDEN_ORDER_AUTO};
    size_t lateness = 60, sort_mib = 256;
    if (!warden_arg_order(&a, &po.order) ||
        !warden_arg_size(&a, "sort-memory", 16, 65536, &sort_mib) ||
        !warden_arg_size(&a, "lateness", 0, 86400, &lateness)) {
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    po.lateness_ms = (int64_t)lateness * 1000;
    if (warden_arg(&a, "header")) {
        hdr = warden_xstrdup(warden_arg(&a, "header"));
        char *eq = strchr(hdr, '=');
        if (!eq || eq == hdr) {
            fprintf(stderr, "warden kafka-produce: --header needs NAME=VALUE, got '%s'\n", hdr);
            ret = WARDEN_EXIT_USAGE;
            goto out;
        }
        *eq = '\0';
        po.header_name = hdr;
        po.header_value = eq + 1;
    }
    po.sort_memory = sort_mib << 20;
    int np = 0;
    const char **props = warden_arg_all(&a, "kafka", &np);
    struct warden_strlist pl = {(char **)props, (size_t)np};
    char err[512];
    uint64_t n = 0, runs = 0;
    bool sorted = false;
    int rc = warden_kafka_produce_file(brokers, &pl, topic, a.nrest ? a.rest[0] : "-", &po, &n,
                                       &sorted, &runs, err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden kafka-produce: %s\n", err);
        ret = rc == WARDEN_ECONFIG ? WARDEN_EXIT_CONFIG : WARDEN_EXIT_IO;
    } else if (!warden_flag(&a, "quiet")) {
        if (sorted && runs)
            printf("%llu records produced to %s, sorted by time first (%llu run(s) on disk)\n",
                   (unsigned long long)n, topic, (unsigned long long)runs);
        else if (sorted)
            printf("%llu records produced to %s, sorted by time first\n", (unsigned long long)n,
                   topic);
        else
            printf("%llu records produced to %s\n", (unsigned long long)n, topic);
    }
out:
    free(hdr);
    warden_args_free(&a);
    return ret;
}
