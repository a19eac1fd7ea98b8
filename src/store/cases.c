/* cases.c — SQLite schema and writes for cases, findings, audit, clusters and runs. */
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

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS runs("
    "  run_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,"
    "  policy TEXT, inputs TEXT, shadow INTEGER NOT NULL,"
    "  events INTEGER, rejects INTEGER, accounts INTEGER, actioned INTEGER);"
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
    "  evidence TEXT NOT NULL);"
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
    "  enforced_members INTEGER NOT NULL, action TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS clusters_id ON clusters(cluster_id);";

struct warden_store {
    sqlite3 *db;
    sqlite3_stmt *ins_audit, *ins_finding, *upsert_case;
    int64_t run_id;
    bool in_tx;
    unsigned pending;
};

static void now_iso(char *buf)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    warden_ts_format((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf);
}

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
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : "schema error");
        sqlite3_free(msg);
        goto fail;
    }
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO audit(at,event_ts,actor,account_id,from_action,to_action,"
                           "reason,score,shadow,run_id) VALUES(?,?,'warden',?,?,?,?,?,?,?)",
                           -1, &s->ins_audit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO case_findings(account_id,run_id,ts,detector,code,score,"
                           "action,evidence) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &s->ins_finding, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            s->db,
            "INSERT INTO cases(account_id,org_id,action,score,reasons,cluster_id,first_action_ts,"
            "first_action_event,events,allowlisted,run_id,created_at,updated_at) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(account_id) DO UPDATE SET "
            "org_id=excluded.org_id, action=excluded.action, score=excluded.score,"
            "reasons=excluded.reasons, cluster_id=excluded.cluster_id,"
            "first_action_ts=excluded.first_action_ts,"
            "first_action_event=excluded.first_action_event, events=excluded.events,"
            "allowlisted=excluded.allowlisted, run_id=excluded.run_id,"
            "updated_at=excluded.updated_at",
            -1, &s->upsert_case, NULL) != SQLITE_OK) {
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
    sqlite3_finalize(s->upsert_case);
    sqlite3_close(s->db);
    free(s);
}

int warden_store_run_begin(struct warden_store *s, const char *policy_path, const char *inputs,
                           bool shadow)
{
    sqlite3_stmt *st;
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO runs(started_at,policy,inputs,shadow) VALUES(?,?,?,?)", -1,
                           &st, NULL) != SQLITE_OK)
        return WARDEN_ELIB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, policy_path ? policy_path : "(built-in)", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, inputs, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, shadow);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    sqlite3_finalize(st);
    s->run_id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int warden_store_run_end(struct warden_store *s, uint64_t events, uint64_t rejects,
                         uint64_t accounts, uint64_t actioned)
{
    int rc = begin(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE runs SET finished_at=?, events=?, rejects=?, accounts=?, "
                           "actioned=? WHERE run_id=?",
                           -1, &st, NULL) != SQLITE_OK)
        return WARDEN_ELIB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)events);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)rejects);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)accounts);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)actioned);
    sqlite3_bind_int64(st, 6, s->run_id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    sqlite3_finalize(st);
    if (rc) return rc;
    return warden_store_commit(s);
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
    sqlite3_bind_int64(st, 9, s->run_id);
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
    sqlite3_bind_int64(st, 2, s->run_id);
    sqlite3_bind_text(st, 3, ts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, f->detector, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->code, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, f->score);
    sqlite3_bind_text(st, 7, warden_action_name(f->action), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, f->evidence_json, -1, SQLITE_STATIC);
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
    sqlite3_stmt *st = s->upsert_case;
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
    sqlite3_bind_int64(st, 11, s->run_id);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 13, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    warden_jbuf_fini(&b);
    if (rc) return rc;
    return tick(s);
}

int warden_store_cluster(struct warden_store *s, const struct warden_cluster_record *c)
{
    int rc = begin(s);
    if (rc) return rc;
    static const char sql[] =
        "INSERT INTO clusters(run_id, cluster_id, members, member_ids, edge_kinds, edges, score,"
        " actioned_members, enforced_members, action) VALUES(?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return WARDEN_ELIB;
    struct warden_jbuf ids, kinds;
    warden_jbuf_init(&ids);
    warden_jbuf_init(&kinds);
    warden_write_cluster_ids(&ids, c);
    warden_write_cluster_kinds(&kinds, c);
    sqlite3_bind_int64(st, 1, s->run_id);
    sqlite3_bind_text(st, 2, c->cluster_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)c->members);
    sqlite3_bind_text(st, 4, warden_jbuf_str(&ids), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, warden_jbuf_str(&kinds), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)c->edges);
    sqlite3_bind_double(st, 7, c->score);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)c->actioned);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)c->enforced);
    sqlite3_bind_text(st, 10, warden_action_name(c->action), -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    sqlite3_finalize(st);
    warden_jbuf_fini(&ids);
    warden_jbuf_fini(&kinds);
    if (rc) return rc;
    return tick(s);
}
