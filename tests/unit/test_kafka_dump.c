/* test_kafka_dump.c — which verdict `warden kafka-dump` keeps for an account
 * (kafka/dump.c), on librdkafka's mock cluster in this process.
 *
 * The mock cluster shows read_committed readers aborted and open
 * transactions, as the Kafka e2e tests meet them when a worker is killed.
 * The records are made by hand here so that each case is certain to occur:
 * an output of a transaction that never wrote its progress record (killed
 * before committing), one of a transaction whose input a later transaction
 * consumed again (killed after writing progress, redone by its successor),
 * one of a committed transaction whose later part was redone (the mock
 * cluster at times loses a committed offset): its outputs before the redone
 * part stand, a notice-caused verdict that follows an event-caused one in the topic
 * although its event offset is lower, and verdicts a rebuilt worker owed (caused by no
 * record; its progress record names an empty input range), one committed, one not. Without the
 * progress topic nothing is left out (the control: the filtering is what drops them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/kafka.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static rd_kafka_t *mock_owner;
static rd_kafka_mock_cluster_t *mc;
static char brokers[256];

/* One record: topic, key, warden-pos, warden-txn, value. */
static void put(rd_kafka_t *p, const char *topic, const char *key, const char *pos, const char *txn,
                const char *value)
{
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_KEY(key, strlen(key)),
        RD_KAFKA_V_VALUE((void *)value, strlen(value)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER("warden-pos", pos, -1), RD_KAFKA_V_HEADER("warden-txn", txn, -1),
        RD_KAFKA_V_END);
    assert_int_equal(e, 0);
}

static int setup(void **state)
{
    (void)state;
    char e[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof e);
    mock_owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!mock_owner) return -1;
    mc = rd_kafka_mock_cluster_new(mock_owner, 1);
    if (!mc) return -1;
    rd_kafka_mock_topic_create(mc, "verdicts", 1, 1);
    rd_kafka_mock_topic_create(mc, "progress", 1, 1);
    snprintf(brokers, sizeof brokers, "%s", rd_kafka_mock_cluster_bootstraps(mc));

    rd_kafka_conf_t *pc = rd_kafka_conf_new();
    rd_kafka_conf_set(pc, "bootstrap.servers", brokers, e, sizeof e);
    rd_kafka_conf_set(pc, "log_level", "3", e, sizeof e);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e);
    if (!p) return -1;
    /* Transactions of events partitions 0 and 1: A committed (events 0-9 of
     * p0, 0-4 of p1); B wrote progress for p0 events 10-19 but did not
     * commit, and C (its successor) redid them and notices 4-5; D wrote no
     * progress record. */
    put(p, "progress", "0", "0:0:0", "w1.aaaa.1",
        "{\"partition\":0,\"from\":0,\"to\":10,\"events\":10}");
    put(p, "progress", "1", "1:0:0", "w1.aaaa.1",
        "{\"partition\":1,\"from\":0,\"to\":5,\"events\":5}");
    put(p, "progress", "0", "0:10:0", "w1.aaaa.2",
        "{\"partition\":0,\"from\":10,\"to\":20,\"events\":10}");
    put(p, "progress", "0", "0:10:0", "w1.bbbb.1",
        "{\"partition\":0,\"from\":10,\"to\":20,\"events\":10,\"notices_from\":4,"
        "\"notices_to\":6}");
    /* verdicts, in topic order */
    put(p, "verdicts", "a", "0:3:0", "w1.aaaa.1", "{\"account_id\":\"a\",\"v\":\"a1\"}");
    put(p, "verdicts", "b", "1:2:0", "w1.aaaa.1", "{\"account_id\":\"b\",\"v\":\"b1\"}");
    put(p, "verdicts", "a", "0:12:0", "w1.aaaa.2", "{\"account_id\":\"a\",\"v\":\"a2-aborted\"}");
    put(p, "verdicts", "b", "1:6:0", "w1.aaaa.3", "{\"account_id\":\"b\",\"v\":\"b2-open\"}");
    put(p, "verdicts", "a", "0:12:0", "w1.bbbb.1", "{\"account_id\":\"a\",\"v\":\"a2\"}");
    /* a notice applied after event 10 but read, and committed, after event 12's verdict */
    put(p, "verdicts", "a", "0:10:m4.0", "w1.bbbb.1", "{\"account_id\":\"a\",\"v\":\"a3\"}");
    /* E committed events 5-14 of p1; its successor F found offset 10 committed and redid 10-14 */
    put(p, "progress", "1", "1:5:0", "w2.cccc.1",
        "{\"partition\":1,\"from\":5,\"to\":15,\"events\":10}");
    put(p, "verdicts", "d", "1:7:0", "w2.cccc.1", "{\"account_id\":\"d\",\"v\":\"d1\"}");
    put(p, "verdicts", "e", "1:12:0", "w2.cccc.1", "{\"account_id\":\"e\",\"v\":\"e1-redone\"}");
    put(p, "progress", "1", "1:10:0", "w2.dddd.1",
        "{\"partition\":1,\"from\":10,\"to\":15,\"events\":5}");
    put(p, "verdicts", "e", "1:12:0", "w2.dddd.1", "{\"account_id\":\"e\",\"v\":\"e1\"}");
    /* G, a worker rebuilt at p0's offset 20, owed f's verdict (caused by no
     * record: an empty input range); H owed g's and did not commit */
    put(p, "progress", "0", "0:19:0", "w3.eeee.1",
        "{\"partition\":0,\"from\":20,\"to\":20,\"events\":0}");
    put(p, "verdicts", "f", "0:19:r1a2b3c4d.0", "w3.eeee.1", "{\"account_id\":\"f\",\"v\":\"f1\"}");
    put(p, "verdicts", "g", "0:19:r99999999.0", "w3.ffff.1",
        "{\"account_id\":\"g\",\"v\":\"g-aborted\"}");
    int left = rd_kafka_flush(p, 10000);
    rd_kafka_destroy(p);
    return left ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(mock_owner);
    return 0;
}

/* The dump's verdicts.jsonl into buf. */
static void dump(const char *progress, char *buf, size_t n, struct warden_kafka_dump_stats *st)
{
    char dir[] = "/tmp/warden-test-kafka-dump.XXXXXX", err[512], path[128];
    assert_non_null(mkdtemp(dir));
    struct warden_strlist none = {NULL, 0};
    int rc = warden_kafka_dump(brokers, &none, "verdicts", NULL, NULL, progress, NULL, NULL, dir,
                               st, err, sizeof err);
    if (rc) fprintf(stderr, "kafka-dump: %s\n", err);
    assert_int_equal(rc, 0);
    snprintf(path, sizeof path, "%s/verdicts.jsonl", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = 0;
    fclose(f);
    unlink(path);
    rmdir(dir);
}

static void committed_only_last_in_topic_order(void **state)
{
    (void)state;
    char buf[1024];
    struct warden_kafka_dump_stats st;
    dump("progress", buf, sizeof buf, &st);
    assert_string_equal(buf, "{\"account_id\":\"a\",\"v\":\"a3\"}\n"
                             "{\"account_id\":\"b\",\"v\":\"b1\"}\n"
                             "{\"account_id\":\"d\",\"v\":\"d1\"}\n"
                             "{\"account_id\":\"e\",\"v\":\"e1\"}\n"
                             "{\"account_id\":\"f\",\"v\":\"f1\"}\n");
    assert_int_equal(st.uncommitted_records, 4); /* a2-aborted, b2-open, e1-redone, g-aborted */
    assert_int_equal(st.txn_superseded, 2);      /* B's partition 0, E's partition 1 */
    assert_int_equal(st.verdict_duplicates, 0);
    assert_int_equal(st.verdict_conflicts, 0);
    assert_int_equal(st.events, 35); /* A 10 + 5, C 10, E 5 before the redo, F 5; not B's */
    assert_int_equal(st.offsets_covered, 35);
    assert_int_equal(st.offsets_missing, 0);
}

static void without_progress_nothing_is_left_out(void **state)
{
    (void)state;
    char buf[1024];
    struct warden_kafka_dump_stats st;
    dump(NULL, buf, sizeof buf, &st);
    /* b's open transaction's record is read as b's verdict; a2-aborted and
     * a2 share a position: the first read is kept, the second counted */
    assert_string_equal(buf, "{\"account_id\":\"a\",\"v\":\"a3\"}\n"
                             "{\"account_id\":\"b\",\"v\":\"b2-open\"}\n"
                             "{\"account_id\":\"d\",\"v\":\"d1\"}\n"
                             "{\"account_id\":\"e\",\"v\":\"e1-redone\"}\n"
                             "{\"account_id\":\"f\",\"v\":\"f1\"}\n"
                             "{\"account_id\":\"g\",\"v\":\"g-aborted\"}\n");
    assert_int_equal(st.uncommitted_records, 0);
    assert_int_equal(st.verdict_duplicates, 2);
    assert_int_equal(st.verdict_conflicts, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(committed_only_last_in_topic_order),
        cmocka_unit_test(without_progress_nothing_is_left_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
