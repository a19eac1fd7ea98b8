/* cmd_kafka_dump.c — `warden kafka-dump`: the verdict topic of a Kafka run
 * into OUT/verdicts.jsonl, as `warden scan` writes it (kafka/dump.c), so
 * `warden backtest` scores a distributed run. */
#include "cli/cli.h"
#include "core/error.h"
#include "core/fsutil.h"
#include "kafka/kafka.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct warden_opt dump_opts[] = {
    {"brokers", 'b', "HOST:PORT,...", "bootstrap servers (required)", false},
    {"topic", 't', "NAME", "verdict topic (default warden.verdicts)", false},
    {"findings-topic", 0, "NAME", "also count the findings of this topic", false},
    {"audit-topic", 0, "NAME",
     "also count the action changes of this topic, once each into OUT/audit.jsonl", false},
    {"progress-topic", 0, "NAME", "committed transactions and events processed, from this topic",
     false},
    {"clusters-topic", 0, "NAME",
     "also the linking stage's cluster records of this topic: each cluster's newest into "
     "OUT/clusters.jsonl",
     false},
    {"rejects-topic", 0, "NAME", "also count the bad input records of this topic", false},
    {"events-topic", 0, "NAME",
     "with --progress-topic: count input offsets the broker deleted before they were read, "
     "and those not read",
     false},
    {"kafka", 0, "PROPERTY=VALUE", "librdkafka property (SASL, TLS, ...); repeatable", true},
    {"out", 'o', "DIR", "output directory (created if missing; default: out)", false},
    {"quiet", 'q', NULL, "do not print the counts", false},
    {NULL, 0, NULL, NULL, false},
};

static int dump_main(int argc, char **argv);

const struct warden_cmd warden_cmd_kafka_dump = {
    .name = "kafka-dump",
    .fn = dump_main,
    .summary = "read a verdict topic (committed records) into verdicts.jsonl",
    .usage = "--brokers B [--topic T] [-o DIR]",
    .opts = dump_opts,
    .details =
        "Keeps each account's last verdict record (topic order, what compaction keeps),\n"
        "sorted by account id, in DIR/verdicts.jsonl (formats.md §4). With --progress-topic\n"
        "only outputs of committed transactions are kept, also where the cluster shows\n"
        "aborted ones (librdkafka's mock cluster). Prints records read, accounts, duplicates\n"
        "skipped (by the warden-pos header) and, with --progress-topic, the events the\n"
        "workers processed and the uncommitted records skipped; with --events-topic too,\n"
        "the input offsets the broker deleted (retention) before any worker read them and\n"
        "those past the last committed one (not read).",
};

static int dump_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_kafka_dump, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    const char *brokers = warden_arg(&a, "brokers");
    const char *out = warden_arg(&a, "out") ? warden_arg(&a, "out") : "out";
    if (!brokers || a.nrest) {
        fprintf(stderr, "warden kafka-dump: needs --brokers and no other argument\n");
        ret = WARDEN_EXIT_USAGE;
        goto done;
    }
    if (warden_mkdir_p(out) != 0) {
        fprintf(stderr, "warden kafka-dump: cannot create %s: %s\n", out, strerror(errno));
        ret = WARDEN_EXIT_IO;
        goto done;
    }
    int np = 0;
    const char **props = warden_arg_all(&a, "kafka", &np);
    struct warden_strlist pl = {(char **)props, (size_t)np};
    struct warden_kafka_dump_stats st;
    char err[512];
    int rc = warden_kafka_dump(
        brokers, &pl, warden_arg(&a, "topic") ? warden_arg(&a, "topic") : "warden.verdicts",
        warden_arg(&a, "findings-topic"), warden_arg(&a, "audit-topic"),
        warden_arg(&a, "progress-topic"), warden_arg(&a, "rejects-topic"),
        warden_arg(&a, "events-topic"), out, &st, err, sizeof err);
    if (!rc && warden_arg(&a, "clusters-topic"))
        rc = warden_kafka_dump_clusters(brokers, &pl, warden_arg(&a, "clusters-topic"), out, &st,
                                        err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden kafka-dump: %s\n", err);
        ret = rc == WARDEN_ECONFIG ? WARDEN_EXIT_CONFIG : WARDEN_EXIT_IO;
        goto done;
    }
    if (!warden_flag(&a, "quiet")) {
        printf("verdict records %llu, accounts %llu, duplicates %llu\n",
               (unsigned long long)st.verdict_records, (unsigned long long)st.accounts,
               (unsigned long long)st.verdict_duplicates);
        if (st.verdict_conflicts)
            printf("conflicting verdicts %llu (a repeated position with a different verdict)\n",
                   (unsigned long long)st.verdict_conflicts);
        if (warden_arg(&a, "findings-topic"))
            printf("finding records %llu, duplicates %llu\n",
                   (unsigned long long)st.finding_records,
                   (unsigned long long)st.finding_duplicates);
        if (warden_arg(&a, "audit-topic"))
            printf("audit records %llu, duplicates %llu\n", (unsigned long long)st.audit_records,
                   (unsigned long long)st.audit_duplicates);
        if (warden_arg(&a, "progress-topic"))
            printf("progress records %llu, duplicates %llu, events %llu\n",
                   (unsigned long long)st.progress_records,
                   (unsigned long long)st.progress_duplicates, (unsigned long long)st.events);
        if (warden_arg(&a, "progress-topic"))
            printf("input offsets covered %llu, covered twice %llu, missing %llu\n",
                   (unsigned long long)st.offsets_covered, (unsigned long long)st.offsets_twice,
                   (unsigned long long)st.offsets_missing);
        if (warden_arg(&a, "progress-topic") && warden_arg(&a, "events-topic"))
            printf("input offsets deleted before being read %llu, not read %llu\n",
                   (unsigned long long)st.offsets_deleted, (unsigned long long)st.offsets_unread);
        if (warden_arg(&a, "progress-topic"))
            printf("uncommitted records skipped %llu, transaction partitions redone %llu\n",
                   (unsigned long long)st.uncommitted_records,
                   (unsigned long long)st.txn_superseded);
        if (warden_arg(&a, "clusters-topic"))
            printf("cluster records %llu, clusters %llu, joined into others %llu\n",
                   (unsigned long long)st.cluster_records, (unsigned long long)st.clusters,
                   (unsigned long long)st.clusters_gone);
        if (warden_arg(&a, "rejects-topic"))
            printf("reject records %llu, duplicates %llu\n", (unsigned long long)st.reject_records,
                   (unsigned long long)st.reject_duplicates);
    }
done:
    warden_args_free(&a);
    return ret;
}
