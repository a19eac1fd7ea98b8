/* case_stage.c — `warden case-stage`: the case database of a Kafka
 * deployment (kafka.h).
 *
 * The workers publish findings, verdicts and action changes (the audit
 * topic); this stage keeps cases.db from them, so the review console, the
 * cases API and `warden explain` work for Kafka deployments as for scans
 * and warden serve. It is a plain consumer (group cases_group, read
 * committed: outputs of aborted transactions are never seen) of the three
 * topics. Each record is staged (store/cases.h); about once a second the
 * staged rows are merged into cases.db in one write transaction, and only
 * then are the consumed offsets committed. A stage killed between a merge
 * and its commit reads those records again: the merge is idempotent (an
 * audit row is added only when the same change is not recorded yet, a
 * finding is unique per account, event time, detector and code, a case is
 * rewritten to the newest verdict), so nothing is counted twice. Records
 * that repeat a `warden-pos` already staged in the same batch (a worker
 * redid input the group had committed) are skipped.
 *
 * What comes from where: a case is the account's newest verdict record
 * (review or stronger; allow verdicts are skipped), its organisation from
 * the accounts registry when the config names one; findings whose own
 * policy action is not allow (their `action` field), as a scan keeps them;
 * one audit row per action change, at the event time of the change. A
 * dismissed case actioned again is open again (the merge's rule). One
 * process is one run of cases.db, begun with the first record (its policy
 * hash and shadow flag) and ended at SIGTERM. Bad records (not JSON, a
 * missing or mistyped field) are reported with topic, partition and offset
 * and skipped. Run one stage per case database (SQLite has one writer). */
#include "core/clock.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/jbuf.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "kafka/kafka.h"
#include "kafka/metrics_http.h"
#include "registry/registry.h"
#include "store/cases.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { T_FINDINGS, T_VERDICTS, T_AUDIT, T_CLUSTERS, NTOPICS };
static const char *const tname[NTOPICS] = {"findings", "verdicts", "audit", "clusters"};

/* merge at least this often while records flow, or after this many rows */
#define MERGE_INTERVAL_S 1.0
#define MERGE_ROWS 20000
/* analysts' decisions looked for this often (the way back) */
#define REVIEW_INTERVAL_S 2.0
/* bad records logged one by one, then only counted */
#define BAD_LOGGED 20

struct stage {
    const struct warden_worker_conf *c;
    bool quiet;
    char *err;
    size_t errlen;
    int fatal;
    rd_kafka_t *cons;
    struct warden_store *store;
    struct warden_registry *reg; /* NULL: organisations unknown */
    bool run_begun;
    bool clusters; /* the policy links accounts: the linking stage's cluster records too */
    struct warden_u64map seen;  /* warden-pos of the records staged since the last merge */
    struct warden_u64map accts; /* accounts given a case (hash of the id) */
    uint64_t staged;            /* rows staged since the last merge */
    double last_merge;
    time_t warned;
    /* figures (metrics, stop summary) */
    uint64_t records[NTOPICS], bad, duplicates, skipped_allow;
    uint64_t rows[NTOPICS]; /* findings, cases, audit rows, cluster records staged */
    uint64_t clusters_gone; /* tombstones staged */
    uint64_t merges, merge_failures, commits;
    struct warden_metrics_http *mh;
    double metrics_t;
    /* the way back (review_to_workers): analysts' dismissals to the workers */
    rd_kafka_t *prod;
    sqlite3 *db; /* its own connection to cases.db */
    double last_review;
    uint64_t reviews_sent, review_failures;
    int delivery_errors; /* set by the delivery callback */
};

static volatile sig_atomic_t stage_stop;

static void on_signal(int sig)
{
    (void)sig;
    stage_stop = 1;
}

/* ---- raw members of a record ---- */

/* End of the JSON string whose opening quote is at p[i]: the index after
 * its closing quote. */
static size_t skip_string(const char *p, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return n;
}

/* End of the JSON value starting at p[i] (already validated). */
static size_t skip_value(const char *p, size_t n, size_t i)
{
    if (p[i] == '"') return skip_string(p, n, i);
    if (p[i] == '{' || p[i] == '[') {
        int depth = 0;
        while (i < n) {
            char ch = p[i];
            if (ch == '"') {
                i = skip_string(p, n, i);
                continue;
            }
            if (ch == '{' || ch == '[') depth++;
            if (ch == '}' || ch == ']') {
                if (--depth == 0) return i + 1;
            }
            i++;
        }
        return n;
    }
    while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' && p[i] != ' ' && p[i] != '\n' &&
           p[i] != '\t' && p[i] != '\r')
        i++;
    return i;
}

static size_t skip_ws(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) i++;
    return i;
}

/* The text of the top-level member `key` of the JSON object p (validated
 * by the caller), as written: the evidence is kept byte for byte as the
 * worker wrote it, like a scan's. false when absent. */
static bool raw_member(const char *p, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t klen = strlen(key), i = skip_ws(p, n, 0);
    if (i >= n || p[i] != '{') return false;
    i = skip_ws(p, n, i + 1);
    while (i < n && p[i] == '"') {
        size_t ke = skip_string(p, n, i);
        bool match = ke - i == klen + 2 && memcmp(p + i + 1, key, klen) == 0;
        i = skip_ws(p, n, ke);
        if (i >= n || p[i] != ':') return false;
        i = skip_ws(p, n, i + 1);
        if (i >= n) return false;
        size_t ve = skip_value(p, n, i);
        if (match) {
            *v = p + i;
            *vn = ve - i;
            return true;
        }
        i = skip_ws(p, n, ve);
        if (i < n && p[i] == ',') i = skip_ws(p, n, i + 1);
    }
    return false;
}

/* ---- decoding records ---- */

static const char *str_of(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool ts_of(json_t *o, const char *k, int64_t *ms)
{
    const char *s = str_of(o, k);
    return s && warden_ts_parse(s, strlen(s), ms) == 0;
}

static bool action_of(json_t *o, const char *k, enum warden_action *a)
{
    const char *s = str_of(o, k);
    return s && warden_action_parse(s, a) == 0;
}

static bool score_of(json_t *o, const char *k, double *d)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v)) return false;
    *d = json_number_value(v);
    return *d >= 0 && *d <= 1;
}

/* Begin the run with the first record: the workers' policy hash and mode. */
static int begin_run(struct stage *s, json_t *o)
{
    if (s->run_begun) return 0;
    const char *pol = str_of(o, "policy");
    json_t *sh = json_object_get(o, "shadow");
    char *inputs = warden_xasprintf(
        "[{\"role\":\"kafka\",\"path\":\"%s: %s, %s, %s\",\"sha256\":null}]", s->c->brokers,
        s->c->findings_topic, s->c->verdicts_topic, s->c->audit_topic);
    struct warden_store_run run = {
        .policy_path = s->c->policy,
        .policy_sha256 = pol,
        .inputs_json = inputs,
        .key = NULL, /* never a repeat: a stream */
        .shadow = json_is_true(sh),
    };
    int rc = warden_store_run_begin(s->store, &run);
    free(inputs);
    if (rc) {
        snprintf(s->err, s->errlen, "%s: cannot record the run", s->c->cases);
        return rc;
    }
    s->run_begun = true;
    return 0;
}

/* 0 staged or skipped; 1 a bad record (why set); <0 the store failed. */
static int stage_finding(struct stage *s, json_t *o, const char *p, size_t n, char *why, size_t wl)
{
    struct warden_finding f = {0};
    const char *acct = str_of(o, "account_id");
    f.detector = str_of(o, "detector");
    f.code = str_of(o, "code");
    json_t *cl = json_object_get(o, "cluster_id");
    f.cluster_id = json_is_string(cl) ? json_string_value(cl) : NULL;
    const char *ev = NULL;
    size_t evn = 0;
    if (!acct || !*acct || !f.detector || !f.code || !ts_of(o, "ts", &f.ts_ms) ||
        !score_of(o, "score", &f.score) || !action_of(o, "action", &f.action) ||
        !json_is_object(json_object_get(o, "evidence")) ||
        !raw_member(p, n, "evidence", &ev, &evn)) {
        snprintf(why, wl,
                 "a finding needs ts, account_id, detector, code, score (0-1), action and an "
                 "evidence object");
        return 1;
    }
    if (f.action == WARDEN_ALLOW) { /* as a scan: a case keeps what actioned it */
        s->skipped_allow++;
        return 0;
    }
    int rc = begin_run(s, o);
    if (rc) return rc;
    f.account_id = acct;
    f.account_id_len = strlen(acct);
    char *evidence = warden_xstrndup(ev, evn);
    f.evidence_json = evidence;
    rc = warden_store_finding(s->store, &f);
    free(evidence);
    if (rc) return rc;
    s->rows[T_FINDINGS]++;
    s->staged++;
    return 0;
}

static int stage_verdict(struct stage *s, json_t *o, char *why, size_t wl)
{
    struct warden_verdict v;
    memset(&v, 0, sizeof v);
    const char *acct = str_of(o, "account_id");
    json_t *reasons = json_object_get(o, "reasons");
    json_t *events = json_object_get(o, "events");
    if (!acct || !*acct || !action_of(o, "action", &v.action) || !score_of(o, "score", &v.score) ||
        !json_is_array(reasons) || !json_is_integer(events) || json_integer_value(events) < 0) {
        snprintf(why, wl, "a verdict needs account_id, action, score (0-1), reasons and events");
        return 1;
    }
    if (v.action == WARDEN_ALLOW) {
        s->skipped_allow++;
        return 0;
    }
    json_t *fe = json_object_get(o, "first_action_event");
    if (!ts_of(o, "first_action_ts", &v.first_action_ts) || !json_is_integer(fe) ||
        json_integer_value(fe) < 1) {
        snprintf(why, wl, "an actioned verdict needs first_action_ts and first_action_event");
        return 1;
    }
    v.first_action_event = (uint64_t)json_integer_value(fe);
    v.events = (uint64_t)json_integer_value(events);
    size_t i;
    json_t *r;
    json_array_foreach(reasons, i, r)
    {
        if (!json_is_string(r)) {
            snprintf(why, wl, "reasons must be strings");
            return 1;
        }
        if (v.n_reasons < WARDEN_MAX_REASONS) v.reasons[v.n_reasons++].code = json_string_value(r);
    }
    json_t *cl = json_object_get(o, "cluster_id");
    v.account_id = (char *)acct;
    v.cluster_id = json_is_string(cl) ? (char *)json_string_value(cl) : NULL;
    if (s->reg) {
        const struct warden_account *a = warden_registry_account(s->reg, acct, strlen(acct));
        if (a) v.org_id = a->org_id;
    }
    int rc = begin_run(s, o);
    if (rc) return rc;
    if ((rc = warden_store_case(s->store, &v))) return rc;
    uint64_t h = warden_hash64(acct, strlen(acct));
    if (!warden_u64map_get(&s->accts, h ? h : 1)) warden_u64map_put(&s->accts, h ? h : 1, 1);
    s->rows[T_VERDICTS]++;
    s->staged++;
    return 0;
}

static int stage_audit(struct stage *s, json_t *o, char *why, size_t wl)
{
    struct warden_verdict v;
    memset(&v, 0, sizeof v);
    struct warden_action_change c = {0};
    const char *acct = str_of(o, "account_id");
    c.code = str_of(o, "reason");
    json_t *sh = json_object_get(o, "shadow");
    if (!acct || !*acct || !c.code || !ts_of(o, "ts", &c.ts_ms) || !action_of(o, "from", &c.from) ||
        !action_of(o, "to", &c.to) || c.to == c.from || !score_of(o, "score", &c.score) ||
        !json_is_boolean(sh)) {
        snprintf(
            why, wl,
            "an action change needs ts, account_id, from, to (another action), reason, score (0-1) "
            "and shadow");
        return 1;
    }
    c.shadow = json_is_true(sh);
    v.account_id = (char *)acct;
    c.verdict = &v;
    int rc = begin_run(s, o);
    if (rc) return rc;
    if ((rc = warden_store_audit(s->store, &c))) return rc;
    s->rows[T_AUDIT]++;
    s->staged++;
    return 0;
}

static bool count_of(json_t *o, const char *k, uint64_t *v)
{
    json_t *x = json_object_get(o, k);
    if (!json_is_integer(x) || json_integer_value(x) < 0) return false;
    *v = (uint64_t)json_integer_value(x);
    return true;
}

/* A cluster record of the linking stage (clusters.jsonl's line). */
static int stage_cluster(struct stage *s, json_t *o, char *why, size_t wl)
{
    struct warden_cluster_record c = {0};
    c.cluster_id = str_of(o, "cluster_id");
    json_t *ids = json_object_get(o, "member_ids"), *kinds = json_object_get(o, "edge_kinds");
    if (!c.cluster_id || !*c.cluster_id || !count_of(o, "members", &c.members) ||
        !json_is_array(ids) || !json_is_object(kinds) || !count_of(o, "edges", &c.edges) ||
        !score_of(o, "score", &c.score) || !count_of(o, "actioned_members", &c.actioned) ||
        !count_of(o, "enforced_members", &c.enforced) ||
        !count_of(o, "harvest_members", &c.harvest) || !action_of(o, "action", &c.action)) {
        snprintf(why, wl,
                 "a cluster record needs cluster_id, members, member_ids, edge_kinds, edges, "
                 "score (0-1), actioned_members, enforced_members, harvest_members and action");
        return 1;
    }
    size_t n_ids = json_array_size(ids), n_kinds = json_object_size(kinds);
    const char **idv = warden_xcalloc(n_ids ? n_ids : 1, sizeof *idv);
    const char **kv = warden_xcalloc(n_kinds ? n_kinds : 1, sizeof *kv);
    uint64_t *ke = warden_xcalloc(n_kinds ? n_kinds : 1, sizeof *ke);
    int rc = 0;
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x)
    {
        if (!json_is_string(x))
            rc = 1;
        else
            idv[c.n_ids++] = json_string_value(x);
    }
    const char *k;
    json_object_foreach(kinds, k, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 0) {
            rc = 1;
            continue;
        }
        kv[c.n_kinds] = k;
        ke[c.n_kinds++] = (uint64_t)json_integer_value(x);
    }
    if (rc) {
        snprintf(why, wl, "member_ids must be strings and edge_kinds counts");
    } else if (!(rc = begin_run(s, o))) {
        c.ids = idv;
        c.kinds = kv;
        c.kind_edges = ke;
        if (!(rc = warden_store_cluster(s->store, &c))) {
            s->rows[T_CLUSTERS]++;
            s->staged++;
        }
    }
    free(idv);
    free(kv);
    free(ke);
    return rc;
}

/* A tombstone of the clusters topic: the cluster (the record's key) joined another. */
static int stage_cluster_gone(struct stage *s, const rd_kafka_message_t *m, char *why, size_t wl)
{
    if (!m->key || !m->key_len || m->key_len > 200) {
        snprintf(why, wl, "an empty cluster record (a tombstone) needs its cluster id as key");
        return 1;
    }
    char *id = warden_xstrndup(m->key, m->key_len);
    int rc = warden_store_cluster_gone(s->store, id);
    free(id);
    if (rc) return rc;
    s->clusters_gone++;
    s->staged++;
    return 0;
}

/* A record from topic t. 0, or a store error (fatal). */
static int process(struct stage *s, int t, const rd_kafka_message_t *m)
{
    s->records[t]++;
    /* the same output twice in a batch: a worker redid committed input */
    rd_kafka_headers_t *hdrs = NULL;
    const void *pos = NULL;
    size_t posn = 0;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(hdrs, "warden-pos", &pos, &posn) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        pos) {
        uint64_t k = warden_hash64(pos, posn) ^ (0x9e3779b97f4a7c15ull * (uint64_t)(t + 1));
        if (k == 0) k = 1;
        if (warden_u64map_get(&s->seen, k)) {
            s->duplicates++;
            return 0;
        }
        warden_u64map_put(&s->seen, k, 1);
    }
    char why[256] = "";
    int rc = 1;
    json_error_t je;
    json_t *o = m->len ? json_loadb(m->payload, m->len, 0, &je) : NULL;
    if (t == T_CLUSTERS && !m->len) {
        rc = stage_cluster_gone(s, m, why, sizeof why);
    } else if (!json_is_object(o)) {
        snprintf(why, sizeof why, "not a JSON object%s%s", o ? "" : ": ", o ? "" : je.text);
    } else if (t == T_FINDINGS) {
        rc = stage_finding(s, o, m->payload, m->len, why, sizeof why);
    } else if (t == T_VERDICTS) {
        rc = stage_verdict(s, o, why, sizeof why);
    } else if (t == T_CLUSTERS) {
        rc = stage_cluster(s, o, why, sizeof why);
    } else {
        rc = stage_audit(s, o, why, sizeof why);
    }
    json_decref(o);
    if (rc == 1) {
        s->bad++;
        if (s->bad <= BAD_LOGGED)
            warden_warn("case-stage: %s [%d] offset %lld: %s; skipped%s",
                        rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset, why,
                        s->bad == BAD_LOGGED ? " (further bad records are only counted)" : "");
        return 0;
    }
    if (rc) snprintf(s->err, s->errlen, "%s: a row could not be staged", s->c->cases);
    return rc;
}

/* Merge what is staged, then commit the consumed offsets (never before:
 * a record is acknowledged only once its rows are in cases.db). */
static int flush(struct stage *s)
{
    s->last_merge = warden_now_s();
    if (s->staged == 0 && s->seen.count == 0) return 0;
    if (s->staged) {
        if (warden_store_merge(s->store)) {
            s->merge_failures++;
            time_t now = time(NULL);
            if (now - s->warned >= 60) {
                s->warned = now;
                warden_warn("case-stage: rows could not be merged into %s (locked or full?); "
                            "kept and tried again, offsets not committed",
                            s->c->cases);
            }
            return 0;
        }
        s->merges++;
    }
    s->staged = 0;
    warden_u64map_fini(&s->seen);
    warden_u64map_init(&s->seen);
    rd_kafka_resp_err_t e = rd_kafka_commit(s->cons, NULL, 0);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        s->commits++;
    else if (e != RD_KAFKA_RESP_ERR__NO_OFFSET && !s->quiet)
        fprintf(stderr, "warden case-stage: offset commit: %s (the records are read again)\n",
                rd_kafka_err2str(e));
    return 0;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct stage *s = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (!s->quiet) fprintf(stderr, "warden case-stage: assigned %d partition(s)\n", parts->cnt);
        rd_kafka_assign(rk, parts);
    } else {
        flush(s); /* merge and commit while the partitions are still ours */
        rd_kafka_assign(rk, NULL);
    }
}

/* ---- the way back: analysts' decisions to the workers ----
 *
 * A dismissal (or an upheld appeal) in the review console lifts the
 * account's action and may allowlist its reasons; with warden serve that
 * happens in the server's own engine. On Kafka the engine state is the
 * workers', so the stage reads those decisions from cases.db (audit rows by
 * an analyst: review.dismiss, review.appeal_uphold, review.allowlist, after
 * the last one sent) and writes each to the events topic keyed by account
 * id, with the header warden-review: it reaches the worker that owns the
 * account, among its events, and a replay applies it at the same place.
 * The last audit row sent is kept in cases.db (case_stage_reviews, per
 * consumer group), moved only once every record was delivered: a stage
 * killed before resends, and applying a decision twice changes nothing. */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct stage *s = opaque;
    if (m->err) s->delivery_errors++;
}

static int review_setup(struct stage *s)
{
    const struct warden_worker_conf *c = s->c;
    if (!c->review_to_workers) return 0;
    if (sqlite3_open_v2(c->cases, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK ||
        sqlite3_exec(s->db,
                     "CREATE TABLE IF NOT EXISTS case_stage_reviews(group_name TEXT PRIMARY KEY,"
                     " last_audit_id INTEGER NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(s->err, s->errlen, "%s: %s", c->cases,
                 s->db ? sqlite3_errmsg(s->db) : "cannot open");
        return WARDEN_EIO;
    }
    char e[512];
    rd_kafka_conf_t *pc = warden_kafka_conf(c->brokers, &c->kafka, s->err, s->errlen);
    if (!pc) return WARDEN_ECONFIG;
    if (rd_kafka_conf_set(pc, "enable.idempotence", "true", e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(s->err, s->errlen, "enable.idempotence: %s", e);
        rd_kafka_conf_destroy(pc);
        return WARDEN_ECONFIG;
    }
    rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
    rd_kafka_conf_set_opaque(pc, s);
    if (!(s->prod = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e))) {
        snprintf(s->err, s->errlen, "%s", e);
        rd_kafka_conf_destroy(pc);
        return WARDEN_ELIB;
    }
    int k = warden_kafka_partitions(s->prod, c->events_topic, 15000, s->err, s->errlen);
    return k < 0 ? k : 0;
}

static int64_t review_mark(struct stage *s)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT last_audit_id FROM case_stage_reviews WHERE group_name = ?1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, s->c->cases_group, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

static void send_reviews(struct stage *s)
{
    s->last_review = warden_now_s();
    /* no analyst has decided anything until the review columns exist */
    if (!s->prod || !warden_store_has_column(s->db, "audit", "detail")) return;
    int64_t mark = review_mark(s), last = mark;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, account_id, reason, detail FROM audit WHERE id > ?1"
                           " AND actor != 'warden' AND reason IN ('review.dismiss',"
                           " 'review.appeal_uphold', 'review.allowlist') ORDER BY id LIMIT 1000",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, mark);
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    unsigned n = 0;
    s->delivery_errors = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *acct = (const char *)sqlite3_column_text(st, 1);
        const char *reason = (const char *)sqlite3_column_text(st, 2);
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        if (!acct || !*acct || !reason) continue;
        warden_jbuf_reset(&b);
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "account_id", acct);
        warden_jbuf_kv_bool(&b, "lift", true);
        warden_jbuf_key(&b, "allow");
        warden_jbuf_arr_open(&b);
        if (strcmp(reason, "review.allowlist") == 0 && detail && *detail)
            warden_jbuf_cstr(&b, detail);
        warden_jbuf_arr_close(&b);
        warden_jbuf_kv_int(&b, "audit_id", id);
        warden_jbuf_obj_close(&b);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            s->prod, RD_KAFKA_V_TOPIC(s->c->events_topic), RD_KAFKA_V_KEY(acct, strlen(acct)),
            RD_KAFKA_V_VALUE(b.p, b.len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("warden-review", "1", 1), RD_KAFKA_V_END);
        if (e) {
            s->delivery_errors++;
            break;
        }
        last = id;
        n++;
    }
    sqlite3_finalize(st);
    warden_jbuf_fini(&b);
    if (n == 0) return;
    rd_kafka_flush(s->prod, 10000);
    if (s->delivery_errors || rd_kafka_outq_len(s->prod) > 0) {
        s->review_failures++;
        if (!s->quiet)
            fprintf(stderr,
                    "warden case-stage: %u review decision(s) not delivered to %s; sent again "
                    "later\n",
                    n, s->c->events_topic);
        return;
    }
    if (sqlite3_prepare_v2(
            s->db,
            "INSERT INTO case_stage_reviews(group_name, last_audit_id) VALUES(?1, ?2)"
            " ON CONFLICT(group_name) DO UPDATE SET last_audit_id = excluded.last_audit_id",
            -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, s->c->cases_group, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, last);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    s->reviews_sent += n;
    if (!s->quiet)
        fprintf(stderr, "warden case-stage: %u review decision(s) sent to the workers (%s)\n", n,
                s->c->events_topic);
}

/* ---- /metrics ---- */

static void metric(FILE *f, const char *name, const char *help, const char *type)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void publish_metrics(struct stage *s)
{
    if (!s->mh || warden_now_s() - s->metrics_t < 1.0) return;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    metric(f, "warden_case_stage_records_total", "Records read, by topic.", "counter");
    for (int t = 0; t < NTOPICS; t++)
        fprintf(f, "warden_case_stage_records_total{topic=\"%s\"} %llu\n", tname[t],
                (unsigned long long)s->records[t]);
    metric(f, "warden_case_stage_rows_total",
           "Rows staged into the case database: findings, cases, audit rows, cluster records "
           "(and the tombstones of clusters joined into others).",
           "counter");
    static const char *const kind[NTOPICS] = {"finding", "case", "audit", "cluster"};
    for (int t = 0; t < NTOPICS; t++)
        fprintf(f, "warden_case_stage_rows_total{kind=\"%s\"} %llu\n", kind[t],
                (unsigned long long)s->rows[t]);
    fprintf(f, "warden_case_stage_rows_total{kind=\"cluster_gone\"} %llu\n",
            (unsigned long long)s->clusters_gone);
    metric(f, "warden_case_stage_skipped_total",
           "Records skipped: allow (no case), a repeated position, bad.", "counter");
    fprintf(f, "warden_case_stage_skipped_total{why=\"allow\"} %llu\n",
            (unsigned long long)s->skipped_allow);
    fprintf(f, "warden_case_stage_skipped_total{why=\"duplicate\"} %llu\n",
            (unsigned long long)s->duplicates);
    fprintf(f, "warden_case_stage_skipped_total{why=\"bad\"} %llu\n", (unsigned long long)s->bad);
    metric(f, "warden_case_merges_total", "Merges into the case database, by result.", "counter");
    fprintf(f, "warden_case_merges_total{result=\"ok\"} %llu\n", (unsigned long long)s->merges);
    fprintf(f, "warden_case_merges_total{result=\"failed\"} %llu\n",
            (unsigned long long)s->merge_failures);
    metric(f, "warden_case_stage_reviews_sent_total",
           "Analysts' decisions written to the events topic for the workers.", "counter");
    fprintf(f, "warden_case_stage_reviews_sent_total %llu\n", (unsigned long long)s->reviews_sent);
    metric(f, "warden_case_stage_lag_records",
           "Records of an assigned partition not yet read (high watermark as last fetched minus "
           "the position).",
           "gauge");
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(s->cons, &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a) {
        rd_kafka_position(s->cons, a);
        for (int i = 0; i < a->cnt; i++) {
            int64_t lo = 0, hi = 0;
            rd_kafka_topic_partition_t *tp = &a->elems[i];
            if (rd_kafka_get_watermark_offsets(s->cons, tp->topic, tp->partition, &lo, &hi) ||
                hi < 0)
                continue;
            int64_t at = tp->offset >= 0 ? tp->offset : lo;
            fprintf(f, "warden_case_stage_lag_records{topic=\"%s\",partition=\"%d\"} %lld\n",
                    tp->topic, (int)tp->partition, (long long)(hi > at ? hi - at : 0));
        }
    }
    if (a) rd_kafka_topic_partition_list_destroy(a);
    fclose(f);
    warden_metrics_http_publish(s->mh, buf, len);
    free(buf);
    s->metrics_t = warden_now_s();
}

/* ---- the loop ---- */

static int topic_index(const struct stage *s, const char *name)
{
    if (strcmp(name, s->c->findings_topic) == 0) return T_FINDINGS;
    if (strcmp(name, s->c->verdicts_topic) == 0) return T_VERDICTS;
    if (strcmp(name, s->c->audit_topic) == 0) return T_AUDIT;
    if (s->clusters && strcmp(name, s->c->clusters_topic) == 0) return T_CLUSTERS;
    return -1;
}

static int setup(struct stage *s, const char *id)
{
    const struct warden_worker_conf *c = s->c;
    char e[512];
    if (!c->cases || !*c->cases) {
        snprintf(s->err, s->errlen, "the config names no case database (key cases)");
        return WARDEN_ECONFIG;
    }
    rd_kafka_conf_t *cc = warden_kafka_conf(c->brokers, &c->kafka, s->err, s->errlen);
    if (!cc) return WARDEN_ECONFIG;
    const char *const set[][2] = {
        {"group.id", c->cases_group},      {"client.id", id},
        {"enable.auto.commit", "false"},   {"isolation.level", "read_committed"},
        {"auto.offset.reset", "earliest"}, {"enable.partition.eof", "false"},
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (rd_kafka_conf_set(cc, set[i][0], set[i][1], e, sizeof e) != RD_KAFKA_CONF_OK) {
            snprintf(s->err, s->errlen, "%s: %s", set[i][0], e);
            rd_kafka_conf_destroy(cc);
            return WARDEN_ECONFIG;
        }
    rd_kafka_conf_set_rebalance_cb(cc, on_rebalance);
    rd_kafka_conf_set_opaque(cc, s);
    if (!(s->cons = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof e))) {
        snprintf(s->err, s->errlen, "%s", e);
        rd_kafka_conf_destroy(cc);
        return WARDEN_ELIB;
    }
    rd_kafka_poll_set_consumer(s->cons);
    const char *topics[NTOPICS] = {c->findings_topic, c->verdicts_topic, c->audit_topic,
                                   c->clusters_topic};
    int rc = warden_kafka_link_enabled(c, &s->clusters, s->err, s->errlen);
    if (rc) return rc;
    s->clusters = s->clusters && *c->clusters_topic;
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(NTOPICS);
    for (int t = 0; t < (s->clusters ? NTOPICS : T_CLUSTERS); t++) {
        int k = warden_kafka_partitions(s->cons, topics[t], 15000, s->err, s->errlen);
        if (k < 0) {
            rd_kafka_topic_partition_list_destroy(sub);
            return k;
        }
        rd_kafka_topic_partition_list_add(sub, topics[t], RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t se = rd_kafka_subscribe(s->cons, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (se) {
        snprintf(s->err, s->errlen, "subscribe: %s", rd_kafka_err2str(se));
        return WARDEN_ELIB;
    }
    if (c->accounts && *c->accounts) {
        rc = warden_registry_load(&s->reg, c->accounts, c->orgs, s->err, s->errlen);
        if (rc) return rc;
    }
    rc = warden_store_open(&s->store, c->cases, s->err, s->errlen);
    return rc ? rc : review_setup(s);
}

int warden_kafka_case_stage_run(const struct warden_worker_conf *c, const char *id,
                                int64_t idle_exit_ms, bool quiet, char *err, size_t errlen)
{
    struct stage s = {.c = c, .quiet = quiet, .err = err, .errlen = errlen};
    warden_u64map_init(&s.seen);
    warden_u64map_init(&s.accts);
    err[0] = '\0';
    stage_stop = 0;
    struct sigaction sa = {0}, old_term, old_int;
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGINT, &sa, &old_int);
    int rc = setup(&s, id);
    if (!rc && c->metrics_port >= 0) {
        unsigned bound = 0;
        rc = warden_metrics_http_start(&s.mh, c->metrics_listen, (unsigned)c->metrics_port,
                                       WARDEN_KAFKA_HEALTHZ_STALE_S, &bound, err, errlen);
        if (!rc && !quiet)
            fprintf(stderr, "warden case-stage: %s: metrics on %s port %u (/metrics, /healthz)\n",
                    id, c->metrics_listen, bound);
    }
    if (!rc && !quiet)
        fprintf(stderr, "warden case-stage: %s: %s, %s, %s%s%s -> %s (group %s)\n", id,
                c->findings_topic, c->verdicts_topic, c->audit_topic, s.clusters ? ", " : "",
                s.clusters ? c->clusters_topic : "", c->cases, c->cases_group);
    double last_record = 0;
    s.last_merge = warden_now_s();
    while (!rc && !stage_stop && !s.fatal) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s.cons, 100);
        if (m) {
            if (!m->err) {
                int t = topic_index(&s, rd_kafka_topic_name(m->rkt));
                if (t >= 0) rc = process(&s, t, m);
                last_record = warden_now_s();
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                bool fatal = m->err == RD_KAFKA_RESP_ERR__FATAL ||
                             m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                             m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED;
                if (fatal) {
                    snprintf(err, errlen, "consumer: %s", rd_kafka_message_errstr(m));
                    rc = WARDEN_EIO;
                } else if (!quiet) {
                    fprintf(stderr, "warden case-stage: consumer: %s\n",
                            rd_kafka_message_errstr(m));
                }
            }
            rd_kafka_message_destroy(m);
        }
        if (rc) break;
        if (s.staged >= MERGE_ROWS || warden_now_s() - s.last_merge >= MERGE_INTERVAL_S) flush(&s);
        if (s.prod && warden_now_s() - s.last_review >= REVIEW_INTERVAL_S) send_reviews(&s);
        publish_metrics(&s);
        if (idle_exit_ms > 0 && last_record > 0 &&
            (warden_now_s() - last_record) * 1000.0 >= (double)idle_exit_ms)
            break;
    }
    if (s.cons) {
        if (s.store) flush(&s);
        rd_kafka_consumer_close(s.cons); /* the revoke callback merges and commits */
        rd_kafka_destroy(s.cons);
    }
    if (s.prod) {
        send_reviews(&s);
        rd_kafka_flush(s.prod, 10000);
        rd_kafka_destroy(s.prod);
    }
    if (s.db) sqlite3_close(s.db);
    if (s.store) {
        uint64_t records = s.records[0] + s.records[1] + s.records[2];
        if (s.run_begun &&
            warden_store_run_end(s.store, records, s.bad, s.accts.count, s.accts.count))
            warden_warn("case-stage: the run could not be ended in %s", c->cases);
        warden_store_close(s.store);
    }
    if (!quiet && !rc)
        fprintf(stderr,
                "warden case-stage: %s: read %llu findings, %llu verdicts, %llu action changes; "
                "staged %llu findings, %llu cases, %llu audit rows, %llu cluster records (%llu "
                "gone) in %llu merges (%llu failed); skipped %llu allow, %llu repeated, %llu "
                "bad\n",
                id, (unsigned long long)s.records[T_FINDINGS],
                (unsigned long long)s.records[T_VERDICTS], (unsigned long long)s.records[T_AUDIT],
                (unsigned long long)s.rows[T_FINDINGS], (unsigned long long)s.rows[T_VERDICTS],
                (unsigned long long)s.rows[T_AUDIT], (unsigned long long)s.rows[T_CLUSTERS],
                (unsigned long long)s.clusters_gone, (unsigned long long)s.merges,
                (unsigned long long)s.merge_failures, (unsigned long long)s.skipped_allow,
                (unsigned long long)s.duplicates, (unsigned long long)s.bad);
    if (s.mh) warden_metrics_http_stop(s.mh);
    warden_registry_free(s.reg);
    warden_u64map_fini(&s.seen);
    warden_u64map_fini(&s.accts);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGINT, &old_int, NULL);
    return rc;
}
