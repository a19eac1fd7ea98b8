/* kafka.h — Warden on Kafka: the scale-out deployment (README "Kafka deployment").
 *
 *   gateway ─► events topic ─► warden worker × N ─► verdicts, findings, rejects, progress topics
 *              (key: account)  (consumer group;      (key: account id; transactions:
 *                               one engine shard      exactly once with the consumed offsets)
 *                               per partition)
 *
 * A worker runs the same runtime and engine as `warden scan` and `warden
 * serve`; only the source (a consumer group), the sinks (transactional
 * producers) and the state hand-off differ. Each partition is one engine shard, so
 * an account's state lives in the worker that owns its partition. Every
 * output record is produced in the transaction that commits the input
 * offsets it came from (read-process-write with send_offsets_to_transaction),
 * and every one carries the partition and offset of the event that caused it,
 * so a reader can also de-duplicate by that position (kafka-dump does).
 *
 * Partition state. When a worker is given partitions (start, rebalance) or
 * a transaction aborts, it rebuilds its engine by replaying each partition
 * up to the group's committed offset with every output suppressed (the
 * engine is deterministic in partition order), then goes on live from the
 * committed offset: from the partition's snapshot in state_dir when there
 * is one at or before that offset, else from the partition's beginning.
 *
 * Linking (link/remote.h): workers publish link observations to a linking
 * topic; `warden link-stage` (the same loop in stage mode) links them and
 * sends membership notices back to the account's events partition.
 *
 * Also here: the librdkafka mock cluster as a command (tests and the bench
 * connect to it like to a real cluster), a producer of event files keyed by
 * account id, and the reader of the verdict topic into scan's verdicts.jsonl. */
#ifndef WARDEN_KAFKA_KAFKA_H
#define WARDEN_KAFKA_KAFKA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/conf.h"

/* ---- client configuration (client.c) ---- */

/* A librdkafka configuration (rd_kafka_conf_t *, returned as void * so that
 * callers need not include librdkafka) with bootstrap.servers = brokers and
 * each "property=value" of props (SASL, TLS, timeouts: passed through).
 * NULL with err set when librdkafka refuses a property. */
void *warden_kafka_conf(const char *brokers, const struct warden_strlist *props, char *err,
                        size_t errlen);
/* Check one librdkafka property=value against librdkafka; 0 or WARDEN_EINVAL with err. */
int warden_kafka_check_property(const char *name, const char *value, char *err, size_t errlen);
/* Partitions of topic (> 0), or a negative WARDEN_E* code with err set: a
 * broker list nobody answers on, a missing topic, refused authentication. */
int warden_kafka_partitions(void *rk, const char *topic, int timeout_ms, char *err, size_t errlen);

/* ---- the mock cluster (mock.c) ---- */

/* Start librdkafka's mock cluster with `brokers` brokers and the topics
 * "NAME:PARTITIONS" (or "NAME", 1 partition), print its bootstrap servers on
 * out, and run until SIGTERM/SIGINT, end of standard input when it is a
 * pipe, or timeout_s seconds (0: no limit). 0 or WARDEN_E*. */
int warden_kafka_mock_run(int brokers, const char *const *topics, size_t n_topics,
                          int64_t timeout_s, FILE *out, char *err, size_t errlen);

/* ---- producing event files (produce.c) ---- */

/* How kafka-produce reads its file. */
struct warden_kafka_produce_opts {
    int order;           /* enum warden_order (runtime/sorter.h): auto, sort, stream */
    int64_t lateness_ms; /* auto: disorder beyond it sorts the file */
    size_t sort_memory;  /* bytes for sorting (0: the sorter's default) */
    /* one header on every record (e.g. warden-review for review decisions
     * written by hand), or NULL */
    const char *header_name, *header_value;
};

/* Every line of the JSON-lines file at path ("-": stdin) to topic, keyed by
 * the line's account_id (lines without one are produced without a key, so a
 * worker reports them as rejects), in event-time order when the sorter
 * (runtime/sorter.h) finds the file out of order or is told to sort: a
 * worker hands a partition's events to its shard in offset order, so that
 * order is the one its windows see. Waits for every delivery. *n gets the
 * number of lines produced, *sorted whether the file was sorted first and
 * *runs into how many runs on disk. 0 or WARDEN_E* with err. */
int warden_kafka_produce_file(const char *brokers, const struct warden_strlist *props,
                              const char *topic, const char *path,
                              const struct warden_kafka_produce_opts *o, uint64_t *n, bool *sorted,
                              uint64_t *runs, char *err, size_t errlen);

/* ---- the worker (worker_conf.c, worker.c) ---- */

/* /healthz answers 503 once the loop has not reported for this long (a
 * loop stuck in a broker call, a rebalance or a transaction commit) */
#define WARDEN_KAFKA_HEALTHZ_STALE_S 60.0

struct warden_worker_conf {
    char *brokers;
    char *group;
    char *events_topic, *verdicts_topic, *findings_topic, *rejects_topic, *progress_topic;
    char *audit_topic;
    char *cases, *cases_group; /* warden case-stage */
    bool review_to_workers;    /* the stage sends analysts' dismissals to the workers */
    char *transactional_id_prefix;
    char *linking_topic, *membership_topic, *link_group;
    char *clusters_topic; /* the linking stage's cluster records */
    char *policy, *accounts, *orgs;
    int64_t max_accounts;
    int64_t lateness_s;
    int64_t field_notice_events; /* log once which event fields none carried; 0: never */
    char *metrics_listen;        /* address of /metrics and /healthz */
    int64_t metrics_port;        /* their port; 0: any free one; -1: none */
    int64_t commit_interval_ms;
    int64_t commit_events;
    char *state_dir;             /* partition snapshots, or NULL */
    int64_t snapshot_interval_s; /* at most this often per partition while it is consumed */
    struct warden_strlist kafka; /* librdkafka properties, "name=value" (the kafka: mapping) */
};
extern const struct warden_conf_key warden_worker_conf_keys[];
/* Defaults, then the YAML file at path: its keys are checked against the
 * table (FILE:LINE:COLUMN on an unknown key or a bad value), except the
 * `kafka:` mapping, whose properties librdkafka checks. 0 or WARDEN_ECONFIG. */
int warden_worker_conf_load(struct warden_worker_conf *c, const char *path, char *err,
                            size_t errlen);
void warden_worker_conf_fini(struct warden_worker_conf *c);
void warden_worker_conf_dump(FILE *out);

/* Run a worker named id (its transactional id is PREFIX-ID: a worker started
 * again under the same id fences its predecessor and aborts its open
 * transaction) until SIGTERM/SIGINT, or until idle_exit_ms pass without a
 * message once it has had partitions (0: never). Returns 0 or WARDEN_E* with
 * err (bad brokers, missing topics, authentication, a fatal producer error). */
int warden_kafka_worker_run(const struct warden_worker_conf *c, const char *id,
                            int64_t idle_exit_ms, bool quiet, char *err, size_t errlen);

/* Whether the config's policy enables the link detector (then workers link
 * through the linking stage, and the case stage reads its cluster records). */
int warden_kafka_link_enabled(const struct warden_worker_conf *c, bool *on, char *err,
                              size_t errlen);

/* Run the linking stage named id (transactional id PREFIX-link-ID): the
 * consumer group link_group on the linking topic, the link state of
 * src/link/ (policy detectors.link, the accounts registry linked once),
 * membership notices to the membership topic in transactions with the
 * consumed offsets, state rebuilt by replay like a worker's. Same arguments
 * and result as warden_kafka_worker_run(). */
int warden_kafka_link_stage_run(const struct warden_worker_conf *c, const char *id,
                                int64_t idle_exit_ms, bool quiet, char *err, size_t errlen);

/* Run the case stage named id (case_stage.c): the consumer group
 * cases_group on the findings, verdicts and audit topics (read committed),
 * keeping the case database `cases` (store/cases.h) with the same merge as
 * a scan's: rows merged about once a second, offsets committed after each
 * merge; organisations from the accounts registry when configured. Until
 * SIGTERM/SIGINT, or until idle_exit_ms pass without a record after the
 * first one (0: never). 0 or WARDEN_E* with err. */
int warden_kafka_case_stage_run(const struct warden_worker_conf *c, const char *id,
                                int64_t idle_exit_ms, bool quiet, char *err, size_t errlen);

/* ---- linking records (link_wire.c; link/remote.h) ---- */

struct warden_link_obs;
struct warden_link_notice;
#define WARDEN_LINK_WIRE_MAX 400 /* longest record */
/* Bytes written into buf (0: does not fit, id longer than 255). */
size_t warden_link_obs_encode(const struct warden_link_obs *o, int partition, void *buf,
                              size_t cap);
size_t warden_link_notice_encode(const struct warden_link_notice *n, void *buf, size_t cap);
/* 0 or WARDEN_EFORMAT; the account id points into p. */
int warden_link_obs_decode(const void *p, size_t n, struct warden_link_obs *o, int *partition);
int warden_link_notice_decode(const void *p, size_t n, struct warden_link_notice *x);

/* ---- reading results back (dump.c) ---- */

struct warden_kafka_dump_stats {
    uint64_t verdict_records, verdict_duplicates, accounts;
    uint64_t verdict_conflicts; /* a repeated position with a different verdict */
    uint64_t progress_records, progress_duplicates, events;
    uint64_t offsets_covered, offsets_twice, offsets_missing; /* input offsets, from progress */
    /* with the events topic: of the offsets not covered, those below the
     * partition's log start (deleted by the broker before being read,
     * not in offsets_missing) and those after the last covered one up to
     * its end (not read yet, or never) */
    uint64_t offsets_deleted, offsets_unread;
    uint64_t finding_records, finding_duplicates;
    uint64_t audit_records, audit_duplicates;
    uint64_t reject_records, reject_duplicates;
    uint64_t uncommitted_records; /* outputs of transactions that did not commit, skipped */
    uint64_t txn_superseded; /* (transaction, partition) whose input was consumed again, in part */
    uint64_t cluster_records, clusters, clusters_gone; /* warden_kafka_dump_clusters() */
};
/* The linking stage's clusters topic to its end into outdir/clusters.jsonl:
 * each cluster's newest record (topic order), sorted by cluster id, those
 * whose newest record is a tombstone (joined into another) left out and
 * counted. Adds to st's cluster_records, clusters and clusters_gone. */
int warden_kafka_dump_clusters(const char *brokers, const struct warden_strlist *props,
                               const char *topic, const char *outdir,
                               struct warden_kafka_dump_stats *st, char *err, size_t errlen);
/* Read the verdict topic (read_committed) to its end into outdir/verdicts.jsonl:
 * the last record of each account in topic order (what compaction keeps),
 * sorted by account id, as `warden scan` writes it. With progress_topic, read
 * first, only outputs of committed transactions are kept (dump.c: for
 * clusters that show aborted ones) and the events processed and input
 * offsets covered are counted; with findings_topic and rejects_topic (each
 * may be NULL) the findings (also to outdir/findings.jsonl) and the bad
 * records; with audit_topic, the action changes (to outdir/audit.jsonl); with events_topic too (and
 * progress_topic), the input offsets the broker deleted before they were read and those not read at
 * all. Records repeating a position already read are counted as duplicates and skipped. 0 or
 * WARDEN_E* with err. */
int warden_kafka_dump(const char *brokers, const struct warden_strlist *props,
                      const char *verdicts_topic, const char *findings_topic,
                      const char *audit_topic, const char *progress_topic,
                      const char *rejects_topic, const char *events_topic, const char *outdir,
                      struct warden_kafka_dump_stats *st, char *err, size_t errlen);

#endif
