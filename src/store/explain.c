/* explain.c — read-only queries over cases.db for `warden explain` (see explain.h). */
#include "store/explain.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? warden_xstrdup((const char *)t) : NULL;
}

static int prepare(sqlite3 *db, const char *sql, const char *account, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) return WARDEN_ELIB;
    sqlite3_bind_text(*st, 1, account, -1, SQLITE_STATIC);
    return 0;
}

int warden_explain_load(struct warden_explain *x, const char *db_path, const char *account_id,
                        char *err, size_t errlen)
{
    memset(x, 0, sizeof *x);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, db ? sqlite3_errmsg(db) : "cannot open");
        rc = WARDEN_EIO;
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    if ((rc = prepare(db,
                      "SELECT account_id, org_id, action, score, reasons, cluster_id, "
                      "first_action_ts, first_action_event, events, allowlisted, status "
                      "FROM cases WHERE account_id = ?",
                      account_id, &st)) < 0)
        goto fail;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        x->has_case = true;
        x->account_id = col(st, 0);
        x->org_id = col(st, 1);
        x->action = col(st, 2);
        x->score = sqlite3_column_double(st, 3);
        x->reasons = col(st, 4);
        x->cluster_id = col(st, 5);
        x->first_action_ts = col(st, 6);
        x->first_action_event = sqlite3_column_int64(st, 7);
        x->events = sqlite3_column_int64(st, 8);
        x->allowlisted = sqlite3_column_int(st, 9) != 0;
        x->status = col(st, 10);
    } else if (s != SQLITE_DONE) {
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;

    if ((rc = prepare(db,
                      "SELECT at, event_ts, from_action, to_action, reason, score, shadow "
                      "FROM audit WHERE account_id = ?1 AND actor = 'warden' ORDER BY id",
                      account_id, &st)) < 0)
        goto fail;
    size_t cap = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (x->n_audit == cap) {
            cap = cap ? cap * 2 : 8;
            x->audit = warden_xrealloc(x->audit, cap * sizeof *x->audit);
        }
        struct warden_explain_audit *a = &x->audit[x->n_audit++];
        a->at = col(st, 0);
        a->event_ts = col(st, 1);
        a->from = col(st, 2);
        a->to = col(st, 3);
        a->reason = col(st, 4);
        a->score = sqlite3_column_double(st, 5);
        a->shadow = sqlite3_column_int(st, 6) != 0;
    }
    if (s != SQLITE_DONE) goto fail;
    sqlite3_finalize(st);
    st = NULL;

    if ((rc = prepare(db,
                      "SELECT ts, detector, code, score, action, evidence FROM case_findings "
                      "WHERE account_id = ?1 AND run_id IS (SELECT max(run_id) FROM case_findings "
                      "WHERE account_id = ?1) ORDER BY id",
                      account_id, &st)) < 0)
        goto fail;
    cap = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (x->n_findings == cap) {
            cap = cap ? cap * 2 : 8;
            x->findings = warden_xrealloc(x->findings, cap * sizeof *x->findings);
        }
        struct warden_explain_finding *f = &x->findings[x->n_findings++];
        f->ts = col(st, 0);
        f->detector = col(st, 1);
        f->code = col(st, 2);
        f->score = sqlite3_column_double(st, 3);
        f->action = col(st, 4);
        f->evidence = col(st, 5);
    }
    if (s != SQLITE_DONE) goto fail;
    rc = 0;
    goto out;
fail:
    snprintf(err, errlen, "%s: %s", db_path, sqlite3_errmsg(db));
    rc = WARDEN_ELIB;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (rc < 0) warden_explain_fini(x);
    return rc;
}

void warden_explain_fini(struct warden_explain *x)
{
    free(x->account_id);
    free(x->org_id);
    free(x->action);
    free(x->reasons);
    free(x->cluster_id);
    free(x->first_action_ts);
    free(x->status);
    for (size_t i = 0; i < x->n_audit; i++) {
        free(x->audit[i].at);
        free(x->audit[i].event_ts);
        free(x->audit[i].from);
        free(x->audit[i].to);
        free(x->audit[i].reason);
    }
    free(x->audit);
    for (size_t i = 0; i < x->n_findings; i++) {
        free(x->findings[i].ts);
        free(x->findings[i].detector);
        free(x->findings[i].code);
        free(x->findings[i].action);
        free(x->findings[i].evidence);
    }
    free(x->findings);
    memset(x, 0, sizeof *x);
}
