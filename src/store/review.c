/* review.c — queue queries, decisions, appeals, notes and the review
 * allowlist over cases.db (see review.h for the design). */
#include "store/review.h"
#include "core/error.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "store/cases.h"

#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Added to cases.db by the review side; every statement is idempotent. */
static const char review_schema[] =
    "CREATE TABLE IF NOT EXISTS case_notes("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, at TEXT NOT NULL,"
    "  principal TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS case_notes_case ON case_notes(case_id);"
    "CREATE TABLE IF NOT EXISTS appeals("
    "  appeal_id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, opened_at TEXT NOT NULL,"
    "  opened_by TEXT NOT NULL, statement TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',"
    "  version INTEGER NOT NULL DEFAULT 1, decided_at TEXT, decided_by TEXT);"
    "CREATE INDEX IF NOT EXISTS appeals_case ON appeals(case_id);"
    "CREATE TABLE IF NOT EXISTS review_allowlist("
    "  account_id TEXT NOT NULL, reason TEXT NOT NULL, case_id INTEGER,"
    "  principal TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY(account_id, reason));"
    /* the queue: a status and a sort key, so a page is read in index order */
    "CREATE INDEX IF NOT EXISTS cases_status_score ON cases(status, score, case_id);"
    "CREATE INDEX IF NOT EXISTS cases_status_first ON cases(status, first_action_ts, case_id);"
    "CREATE INDEX IF NOT EXISTS cases_status_updated ON cases(status, updated_at, case_id);"
    "CREATE INDEX IF NOT EXISTS cases_status_events ON cases(status, events, case_id);"
    "CREATE INDEX IF NOT EXISTS cases_action ON cases(action, score);"
    "CREATE INDEX IF NOT EXISTS cases_first_action ON cases(first_action_ts, action);"
    "CREATE INDEX IF NOT EXISTS cases_cluster ON cases(cluster_id);"
    "CREATE INDEX IF NOT EXISTS audit_case ON audit(case_id);"
    "CREATE TRIGGER IF NOT EXISTS cases_version_bump AFTER UPDATE ON cases"
    "  WHEN NEW.version = OLD.version BEGIN"
    "  UPDATE cases SET version = OLD.version + 1 WHERE case_id = NEW.case_id; END;";

/* Columns added to tables store/cases.c creates (ALTER only when missing). */
static const struct {
    const char *table, *column, *decl;
} added_columns[] = {
    {"cases", "version", "INTEGER NOT NULL DEFAULT 1"},
    {"audit", "case_id", "INTEGER"},
    {"audit", "from_status", "TEXT"},
    {"audit", "to_status", "TEXT"},
    {"audit", "detail", "TEXT"},
};

/* The case row as the API shows it (c = cases). */
#define CASE_COLS                                                                                  \
    "c.case_id AS case_id, c.account_id AS account_id, c.org_id AS org_id, c.action AS action,"    \
    " c.score AS score, c.reasons AS reasons, c.cluster_id AS cluster_id,"                         \
    " c.first_action_ts AS first_action_ts, c.events AS events, c.allowlisted AS allowlisted,"     \
    " c.status AS status, c.version AS version, c.created_at AS created_at,"                       \
    " c.updated_at AS updated_at, (SELECT a.status FROM appeals a WHERE a.case_id = c.case_id"     \
    " ORDER BY a.appeal_id DESC LIMIT 1) AS appeal_status"
#define CASE_RAW (1u << 5) /* reasons is a JSON array */

struct warden_review {
    sqlite3 *db;
    pthread_mutex_t lock;
    /* The overview scans every case (a second or so for 100,000 on a busy
     * machine), so it is kept until cases.db changes: our own commits count
     * writes, PRAGMA data_version tells of other connections' (a scan). */
    uint64_t writes;
    char *overview;
    int64_t overview_version;
    uint64_t overview_writes;
};

static void now_iso(char *buf)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    warden_ts_format((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf);
}

int warden_review_open(struct warden_review **out, const char *path, char *err, size_t errlen)
{
    struct warden_store *base = NULL;
    if (warden_store_open(&base, path, err, errlen) != 0) return WARDEN_EIO;
    warden_store_close(base);
    struct warden_review *r = warden_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    char *msg = NULL;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, r->db ? sqlite3_errmsg(r->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(r->db, 5000);
    if (sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=OFF; BEGIN IMMEDIATE",
                     NULL, NULL, &msg) != SQLITE_OK)
        goto sqlfail;
    for (size_t i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
        if (warden_store_has_column(r->db, added_columns[i].table, added_columns[i].column))
            continue;
        char *sql = warden_xasprintf("ALTER TABLE %s ADD COLUMN %s %s", added_columns[i].table,
                                     added_columns[i].column, added_columns[i].decl);
        int rc = sqlite3_exec(r->db, sql, NULL, NULL, &msg);
        free(sql);
        if (rc != SQLITE_OK) goto sqlfail;
    }
    if (sqlite3_exec(r->db, review_schema, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        goto sqlfail;
    struct warden_jbuf warm; /* compute the overview now rather than on the first request */
    warden_jbuf_init(&warm);
    warden_review_overview(r, &warm);
    warden_jbuf_fini(&warm);
    *out = r;
    return 0;
sqlfail:
    snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(r->db));
    sqlite3_free(msg);
fail:
    warden_review_close(r);
    return WARDEN_EIO;
}

void warden_review_close(struct warden_review *r)
{
    if (!r) return;
    sqlite3_close(r->db);
    free(r->overview);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* ---- JSON from rows ---- */

/* One row as an object keyed by column name; columns whose bit is set in
 * raw hold JSON text and are inserted as is (when valid). */
static void emit_row(struct warden_jbuf *b, sqlite3_stmt *st, unsigned raw)
{
    warden_jbuf_obj_open(b);
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        warden_jbuf_key(b, sqlite3_column_name(st, i));
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL:
            warden_jbuf_null(b);
            break;
        case SQLITE_INTEGER:
            warden_jbuf_int(b, sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT:
            warden_jbuf_num(b, sqlite3_column_double(st, i));
            break;
        default: {
            const char *t = (const char *)sqlite3_column_text(st, i);
            if (i < 32 && (raw & (1u << i)))
                warden_jbuf_json(b, t);
            else
                warden_jbuf_str_val(b, t, (size_t)sqlite3_column_bytes(st, i));
        }
        }
    }
    warden_jbuf_obj_close(b);
}

/* Every row of st as an array; the statement is finalised. */
static int emit_rows(struct warden_jbuf *b, sqlite3_stmt *st, unsigned raw)
{
    int rc;
    warden_jbuf_arr_open(b);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) emit_row(b, st, raw);
    warden_jbuf_arr_close(b);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : WARDEN_ELIB;
}

/* Prepare sql and bind text parameters (NULL binds null). */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, int n, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    va_list ap;
    va_start(ap, n);
    for (int i = 1; i <= n; i++) {
        const char *v = va_arg(ap, const char *);
        if (v)
            sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, i);
    }
    va_end(ap);
    return st;
}

static int key_rows(struct warden_jbuf *b, sqlite3 *db, const char *key, const char *sql,
                    unsigned raw, int n, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return WARDEN_ELIB;
    va_list ap;
    va_start(ap, n);
    for (int i = 1; i <= n; i++) sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
    va_end(ap);
    warden_jbuf_key(b, key);
    return emit_rows(b, st, raw);
}

/* ---- queries ---- */

static const char *const sort_keys[] = {"case_id", "score",  "first_action_ts", "updated_at",
                                        "events",  "action", "account_id",      NULL};

/* The WHERE clause of a queue query: only the filters given, so the
 * planner can use the indexes; values are bound as ?1..?7 in this order. */
static char *list_where(const struct warden_review_query *q)
{
    static const char *const conds[] = {
        "c.action = ?1",           "instr(c.reasons, '\"' || ?2 || '\"') > 0",
        "c.status = ?3",           "c.cluster_id = ?4",
        "c.first_action_ts >= ?5", "c.first_action_ts < ?6",
        "c.account_id = ?7",
    };
    const char *vals[] = {q->action, q->reason, q->status, q->cluster, q->from, q->to, q->account};
    char *w = warden_xstrdup("");
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        if (!vals[i]) continue;
        char *n = warden_xasprintf("%s%s%s", w, *w ? " AND " : " WHERE ", conds[i]);
        free(w);
        w = n;
    }
    return w;
}

static sqlite3_stmt *prep_query(sqlite3 *db, const char *sql, const struct warden_review_query *q)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    const char *vals[] = {q->action, q->reason, q->status, q->cluster, q->from, q->to, q->account};
    for (int i = 0; i < 7; i++)
        if (vals[i] && sqlite3_bind_parameter_index(st, (char[]){'?', (char)('1' + i), 0}))
            sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_TRANSIENT);
    return st;
}

int warden_review_list(struct warden_review *r, const struct warden_review_query *q,
                       struct warden_jbuf *out)
{
    const char *sort = q->sort && *q->sort ? q->sort : "case_id";
    size_t k = 0;
    while (sort_keys[k] && strcmp(sort_keys[k], sort) != 0) k++;
    if (!sort_keys[k]) return WARDEN_EINVAL;
    const char *dir = q->desc ? "DESC" : "ASC";
    char *where = list_where(q);
    char *count_sql = warden_xasprintf("SELECT count(*) FROM cases c%s", where);
    /* the page's ids first (index order, no other column computed), then its rows */
    char *page_sql = warden_xasprintf(
        "SELECT " CASE_COLS " FROM cases c WHERE c.case_id IN (SELECT c.case_id FROM cases c%s"
        " ORDER BY c.%s %s, c.case_id %s LIMIT ?8 OFFSET ?9) ORDER BY c.%s %s, c.case_id %s",
        where, sort_keys[k], dir, dir, sort_keys[k], dir, dir);
    int rc = WARDEN_ELIB;
    pthread_mutex_lock(&r->lock);
    sqlite3_stmt *cnt = prep_query(r->db, count_sql, q);
    sqlite3_stmt *page = prep_query(r->db, page_sql, q);
    if (cnt && page && sqlite3_step(cnt) == SQLITE_ROW) {
        sqlite3_bind_int64(page, 8, q->limit);
        sqlite3_bind_int64(page, 9, q->offset);
        warden_jbuf_obj_open(out);
        warden_jbuf_kv_int(out, "total", sqlite3_column_int64(cnt, 0));
        warden_jbuf_kv_int(out, "limit", q->limit);
        warden_jbuf_kv_int(out, "offset", q->offset);
        warden_jbuf_key(out, "items");
        rc = emit_rows(out, page, CASE_RAW);
        page = NULL;
        warden_jbuf_obj_close(out);
    }
    sqlite3_finalize(cnt);
    sqlite3_finalize(page);
    pthread_mutex_unlock(&r->lock);
    free(where);
    free(count_sql);
    free(page_sql);
    return rc;
}

int warden_review_case(struct warden_review *r, int64_t case_id, warden_review_extra_fn extra_fn,
                       void *ctx, struct warden_jbuf *out)
{
    int rc = WARDEN_ELIB;
    pthread_mutex_lock(&r->lock);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT " CASE_COLS " FROM cases c WHERE c.case_id = ?", -1, &st,
                           NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(st, 1, case_id);
    int s = sqlite3_step(st);
    if (s != SQLITE_ROW) {
        rc = s == SQLITE_DONE ? WARDEN_ENOENT : WARDEN_ELIB;
        goto out;
    }
    char *account = warden_xstrdup((const char *)sqlite3_column_text(st, 1));
    char *org = sqlite3_column_type(st, 2) == SQLITE_NULL
                    ? NULL
                    : warden_xstrdup((const char *)sqlite3_column_text(st, 2));
    warden_jbuf_obj_open(out);
    warden_jbuf_key(out, "case");
    emit_row(out, st, CASE_RAW);
    sqlite3_finalize(st);
    st = NULL;
    if (extra_fn) extra_fn(ctx, account, org, out);
    /* findings and audit are keyed by account; notes and appeals by case */
    sqlite3_stmt *f =
        prep(r->db,
             "SELECT ts, detector, code, score, action, CASE WHEN json_valid(evidence)"
             " THEN evidence ELSE json_quote(evidence) END AS evidence, run_id"
             " FROM case_findings WHERE account_id = ? ORDER BY ts, id LIMIT 1000",
             1, account);
    sqlite3_stmt *a =
        prep(r->db,
             "SELECT id, at, event_ts, actor, from_action, to_action, reason, score, shadow,"
             " run_id, from_status, to_status, detail FROM audit WHERE account_id = ?"
             " ORDER BY id LIMIT 1000",
             1, account);
    sqlite3_stmt *al = prep(r->db,
                            "SELECT reason, principal, at, case_id FROM review_allowlist"
                            " WHERE account_id = ? ORDER BY reason",
                            1, account);
    free(account);
    free(org);
    if (!f || !a || !al) {
        sqlite3_finalize(f);
        sqlite3_finalize(a);
        sqlite3_finalize(al);
        goto out;
    }
    warden_jbuf_key(out, "findings");
    rc = emit_rows(out, f, 1u << 5);
    warden_jbuf_key(out, "audit");
    if (!rc) rc = emit_rows(out, a, 0);
    warden_jbuf_key(out, "review_allowlist");
    if (!rc) rc = emit_rows(out, al, 0);
    if (!rc)
        rc =
            key_rows(out, r->db, "notes",
                     "SELECT id, at, principal, text FROM case_notes WHERE case_id = ? ORDER BY id",
                     0, 1, case_id);
    if (!rc)
        rc = key_rows(out, r->db, "appeals",
                      "SELECT appeal_id, opened_at, opened_by, statement, status, version,"
                      " decided_at, decided_by FROM appeals WHERE case_id = ? ORDER BY appeal_id",
                      0, 1, case_id);
    warden_jbuf_obj_close(out);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int warden_review_cluster(struct warden_review *r, const char *cluster_id, struct warden_jbuf *out)
{
    pthread_mutex_lock(&r->lock);
    sqlite3_stmt *st = prep(r->db,
                            "SELECT case_id, account_id, org_id, action, status FROM cases"
                            " WHERE cluster_id = ? ORDER BY case_id LIMIT 200",
                            1, cluster_id);
    int rc = st ? emit_rows(out, st, 0) : WARDEN_ELIB;
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* The cluster's newest record (clusters table, written by the link
 * detector at the end of a run): object or null. member_ids and edge_kinds
 * are JSON. A database from before the table existed gives null. */
int warden_review_cluster_record(struct warden_review *r, const char *cluster_id,
                                 struct warden_jbuf *out)
{
    pthread_mutex_lock(&r->lock);
    sqlite3_stmt *st = prep(r->db,
                            "SELECT run_id, members, member_ids, edge_kinds, edges, score,"
                            " actioned_members, enforced_members, harvest_members, action"
                            " FROM clusters"
                            " WHERE cluster_id = ? ORDER BY id DESC LIMIT 1",
                            1, cluster_id);
    int rc = 0;
    if (!st) {
        warden_jbuf_null(out); /* no clusters table */
    } else {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            emit_row(out, st, (1u << 2) | (1u << 3));
        else if (s == SQLITE_DONE)
            warden_jbuf_null(out);
        else
            rc = WARDEN_ELIB;
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* The overview's parts: key and query each. */
static const struct {
    const char *key, *sql;
} overview_parts[] = {
    {"totals", "SELECT count(*) AS cases,"
               " coalesce(sum(status IN ('open','escalated','appealed')),0) AS queue,"
               " (SELECT count(*) FROM appeals WHERE status = 'open') AS open_appeals,"
               " (SELECT count(*) FROM review_allowlist) AS allowlisted FROM cases"},
    {"by_status", "SELECT status, count(*) AS n FROM cases GROUP BY status ORDER BY n DESC"},
    {"by_action", "SELECT action, count(*) AS n FROM cases GROUP BY action ORDER BY n DESC"},
    /* reason sets are few: count them, then split each set once */
    {"top_reasons", "SELECT j.value AS reason, sum(g.n) AS n FROM (SELECT reasons, count(*) AS n"
                    " FROM cases GROUP BY reasons) g, json_each(g.reasons) j"
                    " WHERE json_valid(g.reasons) GROUP BY j.value ORDER BY n DESC, reason"
                    " LIMIT 12"},
    {"actions_per_day", "SELECT substr(first_action_ts, 1, 10) AS day, action, count(*) AS n"
                        " FROM cases GROUP BY day, action ORDER BY day"},
    {"decisions_per_day", "SELECT substr(at, 1, 10) AS day, reason AS decision, count(*) AS n"
                          " FROM audit WHERE reason LIKE 'review.%' GROUP BY day, decision"
                          " ORDER BY day"},
    {"runs", "SELECT run_id, started_at, finished_at, policy, shadow, events, accounts, actioned"
             " FROM runs ORDER BY run_id DESC LIMIT 20"},
    {"shadow_by_action", "SELECT c.action AS action, count(*) AS n FROM cases c JOIN runs ru"
                         " ON ru.run_id = c.run_id WHERE ru.shadow = 1 GROUP BY c.action"},
};

static int64_t data_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int warden_review_overview(struct warden_review *r, struct warden_jbuf *out)
{
    pthread_mutex_lock(&r->lock);
    int64_t version = data_version(r->db);
    int rc = 0;
    if (!r->overview || version != r->overview_version || r->writes != r->overview_writes) {
        struct warden_jbuf b;
        warden_jbuf_init(&b);
        warden_jbuf_obj_open(&b);
        for (size_t i = 0; !rc && i < sizeof overview_parts / sizeof overview_parts[0]; i++)
            rc = key_rows(&b, r->db, overview_parts[i].key, overview_parts[i].sql, 0, 0);
        warden_jbuf_obj_close(&b);
        if (!rc) {
            free(r->overview);
            r->overview = warden_xstrdup(warden_jbuf_str(&b));
            r->overview_version = version;
            r->overview_writes = r->writes;
        }
        warden_jbuf_fini(&b);
    }
    if (!rc) warden_jbuf_json(out, r->overview);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int warden_review_audit(struct warden_review *r, int64_t case_id, int64_t limit, int64_t offset,
                        struct warden_jbuf *out)
{
    pthread_mutex_lock(&r->lock);
    warden_jbuf_obj_open(out);
    int rc = key_rows(out, r->db, "items",
                      "SELECT id, at, event_ts, actor, account_id, case_id, from_action, to_action,"
                      " reason, from_status, to_status, detail, shadow FROM audit"
                      " WHERE ?1 <= 0 OR case_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                      0, 3, case_id, limit, offset);
    warden_jbuf_obj_close(out);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int warden_review_appeals(struct warden_review *r, const char *status, int64_t limit,
                          int64_t offset, struct warden_jbuf *out)
{
    pthread_mutex_lock(&r->lock);
    int rc = WARDEN_ELIB;
    sqlite3_stmt *cnt =
        prep(r->db, "SELECT count(*) FROM appeals WHERE ?1 IS NULL OR status = ?1", 1, status);
    sqlite3_stmt *st = prep(r->db,
                            "SELECT a.appeal_id, a.case_id, c.account_id, a.opened_at, a.opened_by,"
                            " a.statement, a.status, a.version, a.decided_at, a.decided_by"
                            " FROM appeals a LEFT JOIN cases c ON c.case_id = a.case_id"
                            " WHERE ?1 IS NULL OR a.status = ?1 ORDER BY a.appeal_id DESC"
                            " LIMIT ?2 OFFSET ?3",
                            1, status);
    if (cnt && st && sqlite3_step(cnt) == SQLITE_ROW) {
        sqlite3_bind_int64(st, 2, limit);
        sqlite3_bind_int64(st, 3, offset);
        warden_jbuf_obj_open(out);
        warden_jbuf_kv_int(out, "total", sqlite3_column_int64(cnt, 0));
        warden_jbuf_key(out, "items");
        rc = emit_rows(out, st, 0);
        st = NULL;
        warden_jbuf_obj_close(out);
    }
    sqlite3_finalize(cnt);
    sqlite3_finalize(st);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int warden_review_allowlist_each(struct warden_review *r, warden_review_allow_fn fn, void *ctx)
{
    pthread_mutex_lock(&r->lock);
    sqlite3_stmt *st = prep(r->db, "SELECT account_id, reason FROM review_allowlist", 0);
    int rc = st ? 0 : WARDEN_ELIB;
    while (st && sqlite3_step(st) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* ---- changes ---- */

struct case_row {
    int64_t case_id, version;
    char account[256], action[16], status[16];
    char *reasons; /* JSON array text */
    double score;
};

static int load_case(sqlite3 *db, int64_t case_id, struct case_row *c)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT account_id, action, status, version, reasons, score FROM cases"
                           " WHERE case_id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return WARDEN_ELIB;
    sqlite3_bind_int64(st, 1, case_id);
    int s = sqlite3_step(st);
    if (s != SQLITE_ROW) {
        sqlite3_finalize(st);
        return s == SQLITE_DONE ? WARDEN_ENOENT : WARDEN_ELIB;
    }
    c->case_id = case_id;
    snprintf(c->account, sizeof c->account, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(c->action, sizeof c->action, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(c->status, sizeof c->status, "%s", (const char *)sqlite3_column_text(st, 2));
    c->version = sqlite3_column_int64(st, 3);
    c->reasons = warden_xstrdup((const char *)sqlite3_column_text(st, 4));
    c->score = sqlite3_column_double(st, 5);
    sqlite3_finalize(st);
    return 0;
}

struct audit_row {
    const char *principal, *account, *from_action, *to_action, *reason, *from_status, *to_status,
        *detail;
    int64_t case_id;
    double score;
};

static int audit(sqlite3 *db, const struct audit_row *a)
{
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    sqlite3_stmt *st =
        prep(db,
             "INSERT INTO audit(at, event_ts, actor, account_id, from_action,"
             " to_action, reason, score, shadow, run_id, case_id, from_status,"
             " to_status, detail) VALUES(?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, NULL,"
             " ?8, ?9, ?10, ?11)",
             6, now, a->principal, a->account, a->from_action, a->to_action, a->reason);
    if (!st) return WARDEN_ELIB;
    sqlite3_bind_double(st, 7, a->score);
    sqlite3_bind_int64(st, 8, a->case_id);
    sqlite3_bind_text(st, 9, a->from_status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, a->to_status, -1, SQLITE_TRANSIENT);
    if (a->detail)
        sqlite3_bind_text(st, 11, a->detail, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 11);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    sqlite3_finalize(st);
    return rc;
}

static int exec_bound(sqlite3 *db, const char *sql, const char *t1, const char *t2, const char *t3,
                      int64_t i4)
{
    sqlite3_stmt *st = prep(db, sql, 3, t1, t2, t3);
    if (!st) return WARDEN_ELIB;
    sqlite3_bind_int64(st, 4, i4);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : WARDEN_ELIB;
    sqlite3_finalize(st);
    return rc;
}

static bool text_ok(const char *t, const char *what, char *err, size_t errlen)
{
    if (!t || !*t) {
        snprintf(err, errlen, "field '%s': required", what);
        return false;
    }
    if (strlen(t) > WARDEN_REVIEW_MAX_TEXT) {
        snprintf(err, errlen, "field '%s': longer than %d bytes", what, WARDEN_REVIEW_MAX_TEXT);
        return false;
    }
    return true;
}

/* Is code one of the reasons in the JSON array text? */
static bool has_reason(const char *reasons, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = reasons; (p = strchr(p, '"')) != NULL; p++) {
        if (strncmp(p + 1, code, n) == 0 && p[1 + n] == '"') return true;
        p = strchr(p + 1, '"');
        if (!p) break;
    }
    return false;
}

/* Lift the case's action (dismiss, upheld appeal) and allowlist reasons. */
static int lift(sqlite3 *db, const struct warden_review_decision *d, struct case_row *c,
                const char *to_status, struct warden_review_outcome *o, char *err, size_t errlen)
{
    const char *list[WARDEN_REVIEW_MAX_REASONS];
    size_t n = 0;
    if (d->all_reasons) {
        sqlite3_stmt *st = prep(db, "SELECT value FROM json_each(?)", 1, c->reasons);
        if (!st) return WARDEN_ELIB;
        while (sqlite3_step(st) == SQLITE_ROW && n < WARDEN_REVIEW_MAX_REASONS)
            snprintf(o->allowed[n++], sizeof o->allowed[0], "%s", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        for (size_t i = 0; i < n; i++) list[i] = o->allowed[i];
    } else {
        if (d->n_allow > WARDEN_REVIEW_MAX_REASONS) {
            snprintf(err, errlen, "field 'allowlist': more than %d reasons",
                     WARDEN_REVIEW_MAX_REASONS);
            return WARDEN_EINVAL;
        }
        for (size_t i = 0; i < d->n_allow; i++) {
            if (strlen(d->allow[i]) >= sizeof o->allowed[0] ||
                !has_reason(c->reasons, d->allow[i])) {
                snprintf(err, errlen, "field 'allowlist': '%.64s' is not a reason of this case",
                         d->allow[i]);
                return WARDEN_EINVAL;
            }
            snprintf(o->allowed[n], sizeof o->allowed[0], "%s", d->allow[i]);
            list[n] = o->allowed[n];
            n++;
        }
    }
    o->n_allowed = n;
    o->lifted = true;
    for (size_t i = 0; i < n; i++) {
        int rc = exec_bound(
            db,
            "INSERT OR REPLACE INTO review_allowlist(account_id, reason, principal,"
            " at, case_id) VALUES(?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?4)",
            c->account, list[i], d->principal, c->case_id);
        struct audit_row a = {d->principal, c->account, c->action, "allow",    "review.allowlist",
                              c->status,    to_status,  list[i],   c->case_id, c->score};
        if (!rc) rc = audit(db, &a);
        if (rc) return rc;
    }
    return 0;
}

/* Set the case's status (and action), audit it, keep the note. */
static int change_case(sqlite3 *db, const struct warden_review_decision *d, struct case_row *c,
                       const char *verb, const char *to_status, const char *to_action)
{
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    int rc = exec_bound(db,
                        "UPDATE cases SET status = ?1, action = ?2, updated_at = ?3"
                        " WHERE case_id = ?4",
                        to_status, to_action, now, c->case_id);
    char reason[48];
    snprintf(reason, sizeof reason, "review.%s", verb);
    struct audit_row a = {d->principal, c->account, c->action, to_action,  reason,
                          c->status,    to_status,  d->note,   c->case_id, c->score};
    if (!rc) rc = audit(db, &a);
    if (!rc && d->note)
        rc = exec_bound(
            db, "INSERT INTO case_notes(at, principal, text, case_id) VALUES(?1, ?2, ?3, ?4)", now,
            d->principal, d->note, c->case_id);
    return rc;
}

static int begin(sqlite3 *db)
{
    return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : WARDEN_ELIB;
}

/* Commit when rc is 0, else roll back; returns rc (or ELIB when the commit fails). */
static int end(struct warden_review *r, int rc)
{
    if (rc == 0) {
        r->writes++;
        return sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : WARDEN_ELIB;
    }
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int outcome_version(sqlite3 *db, struct case_row *c, struct warden_review_outcome *o)
{
    struct case_row now = {0};
    int rc = load_case(db, c->case_id, &now);
    if (rc) return rc;
    o->version = now.version;
    free(now.reasons);
    return 0;
}

/* End a decision's transaction (commit when rc is 0), unlock, fill in the
 * outcome (emptied when nothing was written). */
static int finish_decision(struct warden_review *r, int rc, struct case_row *c,
                           struct warden_review_outcome *o)
{
    if (!rc) rc = outcome_version(r->db, c, o);
    rc = end(r, rc);
    pthread_mutex_unlock(&r->lock);
    if (rc == 0) {
        snprintf(o->account_id, sizeof o->account_id, "%s", c->account);
        o->case_id = c->case_id;
    } else {
        o->lifted = false;
        o->n_allowed = 0;
    }
    free(c->reasons);
    return rc;
}

int warden_review_decide(struct warden_review *r, const struct warden_review_decision *d,
                         struct warden_review_outcome *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    const char *to_status;
    if (d->verb && strcmp(d->verb, "confirm") == 0)
        to_status = "confirmed";
    else if (d->verb && strcmp(d->verb, "dismiss") == 0)
        to_status = "dismissed";
    else if (d->verb && strcmp(d->verb, "escalate") == 0)
        to_status = "escalated";
    else {
        snprintf(err, errlen, "field 'decision': expected confirm, dismiss or escalate");
        return WARDEN_EINVAL;
    }
    bool dismiss = to_status[0] == 'd';
    if (!text_ok(d->note, "note", err, errlen)) return WARDEN_EINVAL;
    if (!dismiss && (d->n_allow || d->all_reasons)) {
        snprintf(err, errlen, "field 'allowlist': only with dismiss");
        return WARDEN_EINVAL;
    }
    struct case_row c = {0};
    pthread_mutex_lock(&r->lock);
    int rc = begin(r->db);
    if (!rc) rc = load_case(r->db, d->id, &c);
    if (!rc && c.version != d->version) rc = WARDEN_REVIEW_STALE;
    if (!rc && dismiss) rc = lift(r->db, d, &c, to_status, o, err, errlen);
    if (!rc) rc = change_case(r->db, d, &c, d->verb, to_status, dismiss ? "allow" : c.action);
    return finish_decision(r, rc, &c, o);
}

int warden_review_appeal(struct warden_review *r, const struct warden_review_decision *d,
                         int64_t *appeal_id, char *err, size_t errlen)
{
    if (!text_ok(d->note, "statement", err, errlen)) return WARDEN_EINVAL;
    struct case_row c = {0};
    pthread_mutex_lock(&r->lock);
    int rc = begin(r->db);
    if (!rc) rc = load_case(r->db, d->id, &c);
    if (!rc && c.version != d->version) rc = WARDEN_REVIEW_STALE;
    if (!rc && strcmp(c.status, "appealed") == 0) {
        snprintf(err, errlen, "the case has an open appeal");
        rc = WARDEN_EINVAL;
    }
    if (!rc && strcmp(c.action, "allow") == 0) {
        snprintf(err, errlen, "the case has no action to appeal (it was lifted)");
        rc = WARDEN_EINVAL;
    }
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    if (!rc)
        rc = exec_bound(r->db,
                        "INSERT INTO appeals(opened_at, opened_by, statement, case_id)"
                        " VALUES(?1, ?2, ?3, ?4)",
                        now, d->principal, d->note, c.case_id);
    if (!rc) *appeal_id = sqlite3_last_insert_rowid(r->db);
    if (!rc) {
        struct warden_review_decision dd = *d;
        dd.note = NULL; /* the statement is the appeal's, not an analyst note */
        rc = change_case(r->db, &dd, &c, "appeal_open", "appealed", c.action);
    }
    rc = end(r, rc);
    pthread_mutex_unlock(&r->lock);
    free(c.reasons);
    return rc;
}

int warden_review_decide_appeal(struct warden_review *r, const struct warden_review_decision *d,
                                struct warden_review_outcome *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    bool uphold = d->verb && strcmp(d->verb, "uphold") == 0;
    if (!uphold && !(d->verb && strcmp(d->verb, "deny") == 0)) {
        snprintf(err, errlen, "field 'decision': expected uphold or deny");
        return WARDEN_EINVAL;
    }
    if (!text_ok(d->note, "note", err, errlen)) return WARDEN_EINVAL;
    if (!uphold && (d->n_allow || d->all_reasons)) {
        snprintf(err, errlen, "field 'allowlist': only with uphold");
        return WARDEN_EINVAL;
    }
    struct case_row c = {0};
    pthread_mutex_lock(&r->lock);
    int rc = begin(r->db);
    int64_t case_id = 0, version = 0;
    char status[16] = "";
    sqlite3_stmt *st = NULL;
    if (!rc) {
        rc = WARDEN_ELIB;
        if (sqlite3_prepare_v2(r->db,
                               "SELECT case_id, version, status FROM appeals WHERE appeal_id = ?",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, d->id);
            int s = sqlite3_step(st);
            if (s == SQLITE_ROW) {
                case_id = sqlite3_column_int64(st, 0);
                version = sqlite3_column_int64(st, 1);
                snprintf(status, sizeof status, "%s", sqlite3_column_text(st, 2));
                rc = 0;
            } else if (s == SQLITE_DONE) {
                rc = WARDEN_ENOENT;
            }
        }
        sqlite3_finalize(st);
    }
    if (!rc && version != d->version) rc = WARDEN_REVIEW_STALE;
    if (!rc && strcmp(status, "open") != 0) {
        snprintf(err, errlen, "the appeal was decided already (%s)", status);
        rc = WARDEN_EINVAL;
    }
    if (!rc) rc = load_case(r->db, case_id, &c);
    const char *to_status = uphold ? "dismissed" : "confirmed";
    if (!rc && uphold) rc = lift(r->db, d, &c, to_status, o, err, errlen);
    if (!rc)
        rc = change_case(r->db, d, &c, uphold ? "appeal_uphold" : "appeal_deny", to_status,
                         uphold ? "allow" : c.action);
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    if (!rc)
        rc = exec_bound(r->db,
                        "UPDATE appeals SET status = ?1, decided_at = ?2, decided_by = ?3,"
                        " version = version + 1 WHERE appeal_id = ?4",
                        uphold ? "upheld" : "denied", now, d->principal, d->id);
    return finish_decision(r, rc, &c, o);
}

int warden_review_note(struct warden_review *r, int64_t case_id, const char *principal,
                       const char *text, char *err, size_t errlen)
{
    if (!text_ok(text, "text", err, errlen)) return WARDEN_EINVAL;
    struct case_row c = {0};
    pthread_mutex_lock(&r->lock);
    int rc = begin(r->db);
    if (!rc) rc = load_case(r->db, case_id, &c);
    char now[WARDEN_TS_STRLEN];
    now_iso(now);
    if (!rc)
        rc = exec_bound(
            r->db, "INSERT INTO case_notes(at, principal, text, case_id) VALUES(?1, ?2, ?3, ?4)",
            now, principal, text, case_id);
    struct audit_row a = {principal, c.account, c.action, c.action, "review.note",
                          c.status,  c.status,  text,     case_id,  c.score};
    if (!rc) rc = audit(r->db, &a);
    rc = end(r, rc);
    pthread_mutex_unlock(&r->lock);
    free(c.reasons);
    return rc;
}
