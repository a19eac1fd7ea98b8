/* worker_conf.c — the `warden worker --config` file: one YAML mapping
 * validated against a declared table (core/conf.h) like the policy and the
 * server config, so unknown keys and bad values are refused with
 * FILE:LINE:COLUMN and `warden config --dump` lists every key under
 * "worker.". The one exception is the `kafka:` mapping: its keys are
 * librdkafka properties (security.protocol, sasl.*, ssl.*, timeouts), passed
 * through as they are and checked by librdkafka at load time. */
#include "core/error.h"
#include "kafka/kafka.h"
#include "policy/yaml_load.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define O(f) offsetof(struct warden_worker_conf, f)

const struct warden_conf_key warden_worker_conf_keys[] = {
    {"brokers", WARDEN_CONF_STRING, "127.0.0.1:9092", O(brokers),
     "bootstrap servers, host:port[,host:port...]", 0, 0},
    {"group", WARDEN_CONF_STRING, "warden", O(group),
     "consumer group of the workers; partitions of the events topic are shared among its members",
     0, 0},
    {"events_topic", WARDEN_CONF_STRING, "warden.events", O(events_topic),
     "input: request events (formats.md §1), keyed by account id", 0, 0},
    {"verdicts_topic", WARDEN_CONF_STRING, "warden.verdicts", O(verdicts_topic),
     "output: an account's verdict (formats.md §4) each time it changes, keyed by account id", 0,
     0},
    {"findings_topic", WARDEN_CONF_STRING, "warden.findings", O(findings_topic),
     "output: findings (formats.md §5), keyed by account id", 0, 0},
    {"rejects_topic", WARDEN_CONF_STRING, "warden.rejects", O(rejects_topic),
     "output: bad input records with partition:offset and reason (never their content)", 0, 0},
    {"progress_topic", WARDEN_CONF_STRING, "warden.progress", O(progress_topic),
     "output: per transaction and partition, the offsets and number of events processed", 0, 0},
    {"audit_topic", WARDEN_CONF_STRING, "warden.audit", O(audit_topic),
     "output: each action change of an account (the audit trail: event time, from, to, reason; "
     "schemas/audit.schema.json), keyed by account id",
     0, 0},
    {"cases", WARDEN_CONF_STRING, NULL, O(cases),
     "case database (SQLite) that `warden case-stage` keeps from the findings, verdicts and "
     "audit topics; the review console and `warden explain` read it",
     0, 0},
    {"cases_group", WARDEN_CONF_STRING, "warden-cases", O(cases_group),
     "consumer group of `warden case-stage` on the findings, verdicts and audit topics", 0, 0},
    {"review_to_workers", WARDEN_CONF_BOOL, "true", O(review_to_workers),
     "`warden case-stage` writes analysts' dismissals and upheld appeals in the case database "
     "(the lift and the reasons allowlisted) to the events topic, keyed by account id with the "
     "header warden-review, so the worker that owns the account applies them among its events",
     0, 0},
    {"transactional_id_prefix", WARDEN_CONF_STRING, "warden-worker", O(transactional_id_prefix),
     "a worker's transactional id is PREFIX-ID (warden worker --id)", 0, 0},
    {"linking_topic", WARDEN_CONF_STRING, "warden.linking", O(linking_topic),
     "linking observations from the workers to the linking stage, keyed by identifier (used "
     "when the policy enables the link detector)",
     0, 0},
    {"membership_topic", WARDEN_CONF_STRING, "warden.membership", O(membership_topic),
     "cluster membership notices from the linking stage, keyed by account id, as many "
     "partitions as the events topic (an account's notices go to its events partition)",
     0, 0},
    {"clusters_topic", WARDEN_CONF_STRING, "warden.clusters", O(clusters_topic),
     "output of the linking stage: each cluster's record (clusters.jsonl's, formats.md) when it "
     "changes, keyed by cluster id, and an empty record (a tombstone) when the cluster joined "
     "another; `warden case-stage` keeps the clusters table from it. Compacted topic advised; "
     "empty: not written",
     0, 0},
    {"link_group", WARDEN_CONF_STRING, "warden-link", O(link_group),
     "consumer group of the linking stage (warden link-stage) on the linking topic", 0, 0},
    {"policy", WARDEN_CONF_STRING, NULL, O(policy), "policy file (YAML); none: built-in policy", 0,
     0},
    {"accounts", WARDEN_CONF_STRING, NULL, O(accounts), "accounts.jsonl (formats.md §2)", 0, 0},
    {"orgs", WARDEN_CONF_STRING, NULL, O(orgs), "orgs.jsonl (formats.md §3)", 0, 0},
    {"max_accounts", WARDEN_CONF_INT, "100000", O(max_accounts),
     "accounts tracked per partition (fixed memory)", 1, 100000000},
    {"lateness_s", WARDEN_CONF_INT, "60", O(lateness_s),
     "allowed lateness of event timestamps per partition, seconds", 0, 86400},
    {"field_notice_events", WARDEN_CONF_INT, "10000", O(field_notice_events),
     "events judged before the log says, once per start, which optional event fields "
     "(formats.md §1) none of them carried and what the detectors go without; 0 = never",
     0, 1000000000},
    {"metrics_listen", WARDEN_CONF_STRING, "127.0.0.1", O(metrics_listen),
     "address of the Prometheus endpoint (/metrics) and the health check (/healthz; 503 when "
     "the consumer loop has not reported for 60 s)",
     0, 0},
    {"metrics_port", WARDEN_CONF_INT, "-1", O(metrics_port),
     "port of /metrics and /healthz; 0 = any free port (logged); -1 = none", -1, 65535},
    {"commit_interval_ms", WARDEN_CONF_INT, "1000", O(commit_interval_ms),
     "a transaction is committed at least this often while events flow", 10, 600000},
    {"commit_events", WARDEN_CONF_INT, "10000", O(commit_events),
     "... or after this many events, whichever comes first", 1, 10000000},
    {"state_dir", WARDEN_CONF_STRING, NULL, O(state_dir),
     "directory of partition snapshots (PREFIX.GROUP.TOPIC.PARTITION.snap): saved after a "
     "commit and when a partition is revoked, loaded when it is assigned, so only the records "
     "after the snapshot are replayed; shared by the workers (a volume every worker mounts) or "
     "per machine; none: replay from the partition's beginning",
     0, 0},
    {"snapshot_interval_s", WARDEN_CONF_INT, "60", O(snapshot_interval_s),
     "a consumed partition's snapshot is saved after a commit at most this often, seconds", 0,
     86400},
    {"kafka", WARDEN_CONF_STRLIST, NULL, O(kafka),
     "mapping of librdkafka properties passed through to every client (e.g. "
     "security.protocol: SASL_SSL, sasl.mechanism, sasl.username, ssl.ca.location)",
     0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

/* The kafka: mapping, each property checked by librdkafka. */
static int load_kafka(struct warden_yaml *y, const yaml_node_t *n, struct warden_worker_conf *c)
{
    bool empty;
    int rc = warden_yaml_mapping(y, n, "kafka", &empty);
    if (rc || empty) return rc;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = warden_yaml_node(y, p->key), *v = warden_yaml_node(y, p->value);
        char path[WARDEN_YAML_KEYPATH];
        warden_yaml_join(path, sizeof path, "kafka", warden_yaml_text(k));
        if (v->type != YAML_SCALAR_NODE)
            return warden_yaml_fail(y, v, path, "expected a value, got %s", warden_yaml_kind(v));
        char e[256];
        if (warden_kafka_check_property(warden_yaml_text(k), warden_yaml_text(v), e, sizeof e))
            return warden_yaml_fail(y, v, path, "%s", e);
        char kv[1024];
        snprintf(kv, sizeof kv, "%s=%s", warden_yaml_text(k), warden_yaml_text(v));
        const struct warden_conf_key *key = warden_conf_find(warden_worker_conf_keys, "kafka");
        warden_conf_list_append(key, c, kv);
    }
    return 0;
}

int warden_worker_conf_load(struct warden_worker_conf *c, const char *path, char *err,
                            size_t errlen)
{
    warden_conf_defaults(warden_worker_conf_keys, c);
    if (!path) return 0;
    struct warden_yaml y = {0};
    if (warden_yaml_open(&y, path, err, errlen)) return WARDEN_ECONFIG;
    yaml_node_t *root = warden_yaml_root(&y);
    bool empty;
    int rc = warden_yaml_mapping(&y, root, "", &empty);
    for (yaml_node_pair_t *p = rc || empty ? NULL : root->data.mapping.pairs.start;
         p && p < root->data.mapping.pairs.top && !rc; p++) {
        const yaml_node_t *k = warden_yaml_node(&y, p->key), *v = warden_yaml_node(&y, p->value);
        const char *name = warden_yaml_text(k);
        if (strcmp(name, "kafka") == 0) {
            rc = load_kafka(&y, v, c);
            continue;
        }
        const struct warden_conf_key *key = warden_conf_find(warden_worker_conf_keys, name);
        if (!key) {
            char known[1024] = "";
            for (const struct warden_conf_key *t = warden_worker_conf_keys; t->key; t++)
                warden_yaml_list_add(known, sizeof known, t->key);
            rc = warden_yaml_fail(&y, k, name, "unknown key (known: %s)", known);
            break;
        }
        rc = warden_yaml_set(&y, key, c, NULL, v, name);
    }
    warden_yaml_close(&y);
    return rc ? WARDEN_ECONFIG : 0;
}

void warden_worker_conf_fini(struct warden_worker_conf *c)
{
    warden_conf_fini(warden_worker_conf_keys, c);
}

void warden_worker_conf_dump(FILE *out)
{
    warden_conf_dump(out, "worker", warden_worker_conf_keys);
}
