/* cases.c — SQLite schema and writes for cases, findings, audit, clusters and runs.
 *
 * A run's rows are staged in temporary tables (batched transactions that
 * lock nothing in cases.db) and merged in one transaction at its end, which
 * also marks the run complete: a run killed at any point leaves cases.db as
 * it was, apart from its run row without finished_at. The merge is
 * idempotent: an audit row is added only for a change not already recorded
 * (same account, event time, from, to, reason, shadow), a finding is unique
 * per (account, event time, detector, code, occurrence), a case or cluster
 * row is rewritten only when its content differs, and a run whose key (the
 * SHA-256 of its inputs and policy) matches an earlier run reuses that run. */
#include "store/cases.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "io/outputs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS runs("
    "  run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,"
    "  policy TEXT, inputs TEXT, shadow INTEGER NOT NULL,"
    "  events INTEGER, rejects INTEGER, accounts INTEGER, actioned INTEGER,"
    "  policy_sha256 TEXT, run_key TEXT, run_uuid TEXT, pid INTEGER);"
    "CREATE TABLE IF NOT EXISTS cases("
    "  case_id INTEGER PRIMARY KEY, account_id TEXT NOT NULL UNIQUE, org_id TEXT,"
    "  action TEXT NOT NULL, score REAL NOT NULL, reasons TEXT NOT NULL, cluster_id TEXT,"
    "  first_action_ts TEXT NOT NULL, first_action_event INTEGER NOT NULL,"
    "  events INTEGER NOT NULL, allowlisted INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'open', run_id INTEGER REFERENCES runs(run_id),"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS case_findings("
    "  id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, run_id INTEGER, ts TEXT NOT NULL,"
    "  detector TEXT NOT NULL, code TEXT NOT NULL, score REAL NOT NULL, action TEXT NOT NULL,"
    "  evidence TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS case_findings_account ON case_findings(account_id);"
    "CREATE TABLE IF NOT EXISTS audit("
    "  id INTEGER PRIMARY KEY, at TEXT NOT NULL, event_ts TEXT NOT NULL, actor TEXT NOT NULL,"
    "  account_id TEXT NOT NULL, from_action TEXT NOT NULL, to_action TEXT NOT NULL,"
    "  reason TEXT NOT NULL, score REAL NOT NULL, shadow INTEGER NOT NULL, run_id INTEGER);"
    "CREATE INDEX IF NOT EXISTS audit_account ON audit(account_id);"
    "CREATE TABLE IF NOT EXISTS clusters("
    "  id INTEGER PRIMARY KEY, run_id INTEGER, cluster_id TEXT NOT NULL,"
    "  members INTEGER NOT NULL, member_ids TEXT NOT NULL, edge_kinds TEXT NOT NULL,"
    "  edges INTEGER NOT NULL, score REAL NOT NULL, actioned_members INTEGER NOT NULL,"
    "  enforced_members INTEGER NOT NULL, action TEXT NOT NULL,"
    "  harvest_members INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS clusters_id ON clusters(cluster_id);";

/* Columns and indexes added since the first schema, for databases that
 * predate them (ALTER only when missing; duplicates of earlier re-runs go
 * before the unique indexes are made). */
static const struct {
    const char *table, *column, *decl;
} added_columns[] = {
    {"runs", "policy_sha256", "TEXT"},
    {"runs", "run_key", "TEXT"},
    {"runs", "run_uuid", "TEXT"},
    {"runs", "pid", "INTEGER"},
    {"case_findings", "seq", "INTEGER NOT NULL DEFAULT 0"},
    {"clusters", "harvest_members", "INTEGER NOT NULL DEFAULT 0"},
};

static const char unique_indexes[] =
    "DELETE FROM case_findings WHERE id NOT IN (SELECT max(id) FROM case_findings"
    "  GROUP BY account_id, ts, detector, code, seq);"
    "CREATE UNIQUE INDEX IF NOT EXISTS case_findings_identity"
    "  ON case_findings(account_id, ts, detector, code, seq);"
    "DELETE FROM clusters WHERE id NOT IN (SELECT max(id) FROM clusters"
    "  GROUP BY run_id, cluster_id);"
    "CREATE UNIQUE INDEX IF NOT EXISTS clusters_run ON clusters(run_id, cluster_id);"
    "CREATE INDEX IF NOT EXISTS runs_key ON runs(run_key);";

/* Where a run's rows wait for its end (this connection only). */
static const char staging[] =
    "CREATE TEMP TABLE IF NOT EXISTS s_audit(id INTEGER PRIMARY KEY, at TEXT, event_ts TEXT,"
    "  account_id TEXT, from_action TEXT, to_action TEXT, reason TEXT, score REAL,"
    "  shadow INTEGER);"
    "CREATE TEMP TABLE IF NOT EXISTS s_findings(id INTEGER PRIMARY KEY, account_id TEXT,"
    "  ts TEXT, detector TEXT, code TEXT, score REAL, action TEXT, evidence TEXT);"
    "CREATE TEMP TABLE IF NOT EXISTS s_cases(account_id TEXT PRIMARY KEY, org_id TEXT,"
    "  action TEXT, score REAL, reasons TEXT, cluster_id TEXT, first_action_ts TEXT,"
    "  first_action_event INTEGER, events INTEGER, allowlisted INTEGER, at TEXT);"
    "CREATE TEMP TABLE IF NOT EXISTS s_clusters(cluster_id TEXT PRIMARY KEY, members INTEGER,"
    "  member_ids TEXT, edge_kinds TEXT, edges INTEGER, score REAL, actioned_members INTEGER,"
    "  enforced_members INTEGER, action TEXT, harvest_members INTEGER,"
    "  gone INTEGER NOT NULL DEFAULT 0);"
    "DELETE FROM s_audit; DELETE FROM s_findings; DELETE FROM s_cases; DELETE FROM s_clusters;";

/* The run's staged rows into cases.db (?1 = run id). */
static const char merge[] =
    "INSERT INTO audit(at, event_ts, actor, account_id, from_action, to_action, reason, score,"
    "  shadow, run_id)"
    " SELECT at, event_ts, 'warden', account_id, from_action, to_action, reason, score, shadow,"
    "  ?1 FROM temp.s_audit s WHERE NOT EXISTS (SELECT 1 FROM audit a"
    "  WHERE a.account_id = s.account_id AND a.actor = 'warden' AND a.event_ts = s.event_ts"
    "  AND a.from_action = s.from_action AND a.to_action = s.to_action"
    "  AND a.reason = s.reason AND a.shadow = s.shadow) ORDER BY s.id;"
    "INSERT INTO case_findings(account_id, run_id, ts, detector, code, seq, score, action,"
    "  evidence)"
    " SELECT account_id, ?1, ts, detector, code,"
    "  row_number() OVER (PARTITION BY account_id, ts, detector, code ORDER BY id) - 1,"
    "  score, action, evidence FROM temp.s_findings WHERE true ORDER BY id"
    " ON CONFLICT(account_id, ts, detector, code, seq) DO UPDATE SET run_id = excluded.run_id,"
    "  score = excluded.score, action = excluded.action, evidence = excluded.evidence"
    "  WHERE run_id IS NOT excluded.run_id OR score IS NOT excluded.score"
    "  OR action IS NOT excluded.action OR evidence IS NOT excluded.evidence;"
    "INSERT INTO cases(account_id, org_id, action, score, reasons, cluster_id, first_action_ts,"
    "  first_action_event, events, allowlisted, run_id, created_at, updated_at)"
    " SELECT account_id, org_id, action, score, reasons, cluster_id, first_action_ts,"
    "  first_action_event, events, allowlisted, ?1, at, at FROM temp.s_cases WHERE true"
    " ORDER BY account_id"
    " ON CONFLICT(account_id) DO UPDATE SET org_id = excluded.org_id, action = excluded.action,"
    "  score = excluded.score, reasons = excluded.reasons, cluster_id = excluded.cluster_id,"
    "  first_action_ts = excluded.first_action_ts,"
    "  first_action_event = excluded.first_action_event, events = excluded.events,"
    "  allowlisted = excluded.allowlisted, run_id = excluded.run_id,"
    "  updated_at = excluded.updated_at"
    "  WHERE org_id IS NOT excluded.org_id OR action IS NOT excluded.action"
    "  OR score IS NOT excluded.score OR reasons IS NOT excluded.reasons"
    "  OR cluster_id IS NOT excluded.cluster_id OR first_action_ts IS NOT excluded.first_action_ts"
    "  OR first_action_event IS NOT excluded.first_action_event OR events IS NOT excluded.events"
    "  OR allowlisted IS NOT excluded.allowlisted;"
    "DELETE FROM clusters WHERE cluster_id IN (SELECT cluster_id FROM temp.s_clusters"
    "  WHERE gone);"
    "INSERT INTO clusters(run_id, cluster_id, members, member_ids, edge_kinds, edges, score,"
    "  actioned_members, enforced_members, action, harvest_members)"
    " SELECT ?1, cluster_id, members, member_ids, edge_kinds, edges, score, actioned_members,"
    "  enforced_members, action, harvest_members FROM temp.s_clusters WHERE NOT gone"
    "  ORDER BY cluster_id"
    " ON CONFLICT(run_id, cluster_id) DO UPDATE SET members = excluded.members,"
    "  member_ids = excluded.member_ids, edge_kinds = excluded.edge_kinds,"
    "  edges = excluded.edges, score = excluded.score,"
    "  actioned_members = excluded.actioned_members,"
    "  enforced_members = excluded.enforced_members, action = excluded.action,"
    "  harvest_members = excluded.harvest_members"
    "  WHERE members IS NOT excluded.members OR member_ids IS NOT excluded.member_ids"
    "  OR edge_kinds IS NOT excluded.edge_kinds OR edges IS NOT excluded.edges"
    "  OR score IS NOT excluded.score OR actioned_members IS NOT excluded.actioned_members"
    "  OR enforced_members IS NOT excluded.enforced_members OR action IS NOT excluded.action"
    "  OR harvest_members IS NOT excluded.harvest_members;";

/* Before the merge: a dismissed case whose action an analyst lifted, for an
 * account with a new action change in this run (one not already audited:
 * a re-run of the same data changes nothing), is open again, for review of
 * the new evidence; with the review tables' columns (store/review.c), the
 * reopening is in the case's trail (reason review.reopen, the change's
 * reason as detail). ?1 = run id. */
#define NEW_CHANGE                                                                                 \
    "x.to_action != 'allow' AND NOT EXISTS (SELECT 1 FROM audit a"                                 \
    "  WHERE a.account_id = x.account_id AND a.actor = 'warden' AND a.event_ts = x.event_ts"       \
    "  AND a.from_action = x.from_action AND a.to_action = x.to_action"                            \
    "  AND a.reason = x.reason AND a.shadow = x.shadow)"
static const char reopen_trail[] =
    "INSERT INTO audit(at, event_ts, actor, account_id, from_action, to_action, reason, score,"
    "  shadow, run_id, case_id, from_status, to_status, detail)"
    " SELECT s.at, s.event_ts, 'warden', c.account_id, c.action, s.to_action, 'review.reopen',"
    "  s.score, s.shadow, ?1, c.case_id, 'dismissed', 'open', s.reason"
    " FROM cases c JOIN (SELECT x.account_id, min(x.id) AS id FROM temp.s_audit x"
    "  WHERE " NEW_CHANGE " GROUP BY x.account_id) f ON f.account_id = c.account_id"
    " JOIN temp.s_audit s ON s.id = f.id"
    " WHERE c.status = 'dismissed' AND c.action = 'allow' ORDER BY c.account_id;";
static const char reopen[] =
    "UPDATE cases SET status = 'open' WHERE status = 'dismissed' AND action = 'allow'"
    " AND account_id IN (SELECT x.account_id FROM temp.s_audit x WHERE " NEW_CHANGE ");";

struct warden_store {
    sqlite3 *db;
    sqlite3_stmt *ins_audit, *ins_finding, *ins_case, *ins_cluster, *ins_gone;
    int64_t run_id;
    bool in_tx, repeat;
    unsigned pending;
};

static void now_iso(char *buf)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    warden_ts_format((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf);
}

/* A batch of staged rows: a transaction on the temporary tables only. */
static int begin(struct warden_store *s)
{
    if (s->in_tx) return 0;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return WARDEN_ELIB;
    s->in_tx = true;
    return 0;
}

int warden_store_commit(struct warden_store *s)
{
    if (!s->in_tx) return 0;
    s->in_tx = false;
    s->pending = 0;
    return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : WARDEN_ELIB;
}

static int tick(struct warden_store *s)
{
    if (++s->pending >= 5000) return warden_store_commit(s);
    return 0;
}

bool warden_store_has_column(sqlite3 *db, const char *table, const char *column)
{
    sqlite3_stmt *st;
    char *sql = warden_xasprintf("PRAGMA table_info(%s)", table);
    bool found = false;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            if (strcmp((const char *)sqlite3_column_text(st, 1), column) == 0) found = true;
        sqlite3_finalize(st);
    }
    free(sql);
    return found;
}

static int upgrade(sqlite3 *db, char **msg)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, msg) != SQLITE_OK) return -1;
    for (size_t i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
        if (warden_store_has_column(db, added_columns[i].table, added_columns[i].column)) continue;
        char *sql = warden_xasprintf("ALTER TABLE %s ADD COLUMN %s %s", added_columns[i].table,
                                     added_columns[i].column, added_columns[i].decl);
        int rc = sqlite3_exec(db, sql, NULL, NULL, msg);
        free(sql);
        if (rc != SQLITE_OK) goto fail;
    }
    sqlite3_stmt *st = NULL;
    bool have = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'clusters_run'",
                                   -1, &st, NULL) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!have && sqlite3_exec(db, unique_indexes, NULL, NULL, msg) != SQLITE_OK) goto fail;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, msg) == SQLITE_OK) return 0;
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int warden_store_open(struct warden_store **out, const char *path, char *err, size_t errlen)
{
    struct warden_store *s = warden_xcalloc(1, sizeof *s);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK || upgrade(s->db, &msg) ||
        sqlite3_exec(s->db, staging, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        goto fail;
    }
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO temp.s_audit(at,event_ts,account_id,from_action,"
                           "to_action,reason,score,shadow) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &s->ins_audit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO temp.s_findings(account_id,ts,detector,code,score,"
                           "action,evidence) VALUES(?,?,?,?,?,?,?)",
                           -1, &s->ins_finding, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO temp.s_cases(account_id,org_id,action,score,"
                           "reasons,cluster_id,first_action_ts,first_action_event,events,"
                           "allowlisted,at) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->ins_case, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO temp.s_clusters(cluster_id, members,"
                           " member_ids, edge_kinds, edges, score, actioned_members,"
                           " enforced_members, action, harvest_members)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->ins_cluster, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO temp.s_clusters(cluster_id, gone)"
                           " VALUES(?, 1)",
                           -1, &s->ins_gone, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    *out = s;
    return 0;
fail:
    warden_store_close(s);
    return WARDEN_EIO;
}

void warden_store_close(struct warden_store *s)
{
    if (!s) return;
    if (s->db) warden_store_commit(s);
    sqlite3_finalize(s->ins_audit);
    sqlite3_finalize(s->ins_finding);
    sqlite3_finalize(s->ins_case);
    sqlite3_finalize(s->ins_cluster);
    sqlite3_finalize(s->ins_gone);
    sqlite3_close(s->db);
    free(s);
}

/* An earlier run with this key: its id, run id text and whether it finished. */
static int64_t find_run(sqlite3 *db, const char *key, char uuid[65], bool *complete)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    if (!key || sqlite3_prepare_v2(db,
                                   "SELECT run_id, run_uuid, finished_at IS NOT NULL FROM runs"
                                   " WHERE run_key = ? ORDER BY finished_at IS NOT NULL DESC,"
                                   " run_id LIMIT 1",
                                   -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        const unsigned char *u = sqlite3_column_text(st, 1);
        if (u) snprintf(uuid, 65, "%s", (const char *)u);
        *complete = sqlite3_column_int(st, 2) != 0;
    }
    sqlite3_finalize(st);
    return id;
}

int warden_store_run_begin(struct warden_store *s, struct warden_store_run *r)
{
    sqlite3_stmt *st;
    char now[WARDEN_TS_STRLEN], earlier[65] = "";
    bool complete = false;
    now_iso(now);
    int64_t id = find_run(s->db, r->key, earlier, &complete);
    if (id && complete) {
        /* a repeat: same rows, same run; its row keeps what it said */
        s->run_id = id;
        s->repeat = true;
        if (!r->uuid_given && earlier[0]) snprintf(r->uuid, sizeof r->uuid, "%s", earlier);
        return 0;
    }
    const char *sql =
        id ? "UPDATE runs SET started_at=?1, policy=?2, inputs=?3, shadow=?4, policy_sha256=?5,"
             " run_key=?6, run_uuid=?7, pid=?8 WHERE run_id=?9"
           : "INSERT INTO runs(started_at,policy,inputs,shadow,policy_sha256,run_key,run_uuid,pid)"
             " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)";
    if (id && !r->uuid_given && earlier[0]) snprintf(r->uuid, sizeof r->uuid, "%s", earlier);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return WARDEN_ELIB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->policy_path ? r->policy_path : "(built-in)", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, r->inputs_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, r->shadow);
    sqlite3_bind_text(st, 5, r->policy_sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, r->key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, r->uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)getpid());
    if (id) sqlite3_bind_int64(st, 9, id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    sqlite3_finalize(st);
    s->run_id = id ? id : sqlite3_last_insert_rowid(s->db);
    s->repeat = false;
    return rc;
}

bool warden_store_run_repeat(const struct warden_store *s)
{
    return s->repeat;
}

/* The staged rows into cases.db, inside the caller's write transaction. */
static int run_sql(struct warden_store *s, const char *sql)
{
    int rc = 0;
    sqlite3_stmt *st = NULL;
    const char *tail = sql;
    while (!rc && *tail) {
        if (sqlite3_prepare_v2(s->db, tail, -1, &st, &tail) != SQLITE_OK) return WARDEN_ELIB;
        if (!st) break;
        sqlite3_bind_int64(st, 1, s->run_id);
        if (sqlite3_step(st) != SQLITE_DONE) rc = WARDEN_ELIB;
        sqlite3_finalize(st);
        st = NULL;
    }
    return rc;
}

static int merge_staged(struct warden_store *s)
{
    int rc = 0;
    if (warden_store_has_column(s->db, "audit", "from_status")) rc = run_sql(s, reopen_trail);
    if (!rc) rc = run_sql(s, reopen);
    if (!rc) rc = run_sql(s, merge);
    return rc;
}

int warden_store_merge(struct warden_store *s)
{
    int rc = warden_store_commit(s);
    if (rc) return rc;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return WARDEN_ELIB;
    if (merge_staged(s) != 0 || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return WARDEN_ELIB;
    }
    return sqlite3_exec(s->db, staging, NULL, NULL, NULL) == SQLITE_OK ? 0 : WARDEN_ELIB;
}

int warden_store_run_end(struct warden_store *s, uint64_t events, uint64_t rejects,
                         uint64_t accounts, uint64_t actioned)
{
    int rc = warden_store_commit(s);
    if (rc) return rc;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return WARDEN_ELIB;
    sqlite3_stmt *st = NULL;
    rc = merge_staged(s);
    if (!rc && !s->repeat) {
        char now[WARDEN_TS_STRLEN];
        now_iso(now);
        if (sqlite3_prepare_v2(s->db,
                               "UPDATE runs SET finished_at=?, events=?, rejects=?, accounts=?, "
                               "actioned=? WHERE run_id=?",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = WARDEN_ELIB;
        } else {
            sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)events);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)rejects);
            sqlite3_bind_int64(st, 4, (sqlite3_int64)accounts);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)actioned);
            sqlite3_bind_int64(st, 6, s->run_id);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
            sqlite3_finalize(st);
        }
    }
    if (rc || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return WARDEN_ELIB;
    }
    return sqlite3_exec(s->db, staging, NULL, NULL, NULL) == SQLITE_OK ? 0 : WARDEN_ELIB;
}

int warden_store_audit(struct warden_store *s, const struct warden_action_change *c)
{
    int rc = begin(s);
    if (rc) return rc;
    char now[WARDEN_TS_STRLEN], ts[WARDEN_TS_STRLEN];
    now_iso(now);
    warden_ts_format(c->ts_ms, ts);
    sqlite3_stmt *st = s->ins_audit;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, c->verdict->account_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, warden_action_name(c->from), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, warden_action_name(c->to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->code, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, c->score);
    sqlite3_bind_int(st, 8, c->shadow);
    if (sqlite3_step(st) != SQLITE_DONE) return WARDEN_ELIB;
    return tick(s);
}

int warden_store_finding(struct warden_store *s, const struct warden_finding *f)
{
    int rc = begin(s);
    if (rc) return rc;
    char ts[WARDEN_TS_STRLEN];
    warden_ts_format(f->ts_ms, ts);
    sqlite3_stmt *st = s->ins_finding;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, f->account_id, (int)f->account_id_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, f->detector, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->code, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, f->score);
    sqlite3_bind_text(st, 6, warden_action_name(f->action), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, f->evidence_json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) return WARDEN_ELIB;
    return tick(s);
}

int warden_store_case(struct warden_store *s, const struct warden_verdict *v)
{
    int rc = begin(s);
    if (rc) return rc;
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < v->n_reasons; i++) warden_jbuf_cstr(&b, v->reasons[i].code);
    warden_jbuf_arr_close(&b);
    char now[WARDEN_TS_STRLEN], ts[WARDEN_TS_STRLEN];
    now_iso(now);
    warden_ts_format(v->first_action_ts, ts);
    sqlite3_stmt *st = s->ins_case;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, v->account_id, -1, SQLITE_STATIC);
    if (v->org_id)
        sqlite3_bind_text(st, 2, v->org_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, warden_action_name(v->action), -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, v->score);
    sqlite3_bind_text(st, 5, warden_jbuf_str(&b), -1, SQLITE_TRANSIENT);
    if (v->cluster_id)
        sqlite3_bind_text(st, 6, v->cluster_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, ts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)v->first_action_event);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)v->events);
    sqlite3_bind_int(st, 10, v->allowlisted);
    sqlite3_bind_text(st, 11, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    warden_jbuf_fini(&b);
    if (rc) return rc;
    return tick(s);
}

int warden_store_cluster(struct warden_store *s, const struct warden_cluster_record *c)
{
    int rc = begin(s);
    if (rc) return rc;
    struct warden_jbuf ids, kinds;
    warden_jbuf_init(&ids);
    warden_jbuf_init(&kinds);
    warden_write_cluster_ids(&ids, c);
    warden_write_cluster_kinds(&kinds, c);
    sqlite3_stmt *st = s->ins_cluster;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, c->cluster_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)c->members);
    sqlite3_bind_text(st, 3, warden_jbuf_str(&ids), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, warden_jbuf_str(&kinds), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)c->edges);
    sqlite3_bind_double(st, 6, c->score);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)c->actioned);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)c->enforced);
    sqlite3_bind_text(st, 9, warden_action_name(c->action), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)c->harvest);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    warden_jbuf_fini(&ids);
    warden_jbuf_fini(&kinds);
    if (rc) return rc;
    return tick(s);
}

int warden_store_cluster_gone(struct warden_store *s, const char *cluster_id)
{
    int rc = begin(s);
    if (rc) return rc;
    sqlite3_stmt *st = s->ins_gone;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, cluster_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    if (rc) return rc;
    return tick(s);
}
