/* test_store.c — the SQLite case database: schema, audit rows, case upserts
 * across runs (no duplicates: the same change is audited once, a finding is
 * kept once), a run keyed like an earlier one is that run again, a run that
 * never ends leaves nothing but its unfinished run row, a run merged while
 * it stays open (warden serve's), and a clear error for an unusable path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/cases.h"

static int64_t count(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int64_t n = -1;
    sqlite3_open(db, &h);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

struct fixture {
    struct warden_verdict v;
    struct warden_action_change c;
    struct warden_finding f;
};

static void fixture_init(struct fixture *x)
{
    memset(x, 0, sizeof *x);
    x->v.account_id = "acct_1";
    x->v.action = WARDEN_REVIEW;
    x->v.score = 0.6;
    x->v.reasons[0] = (struct warden_reason){"velocity.request_rate", 0.6, WARDEN_REVIEW};
    x->v.n_reasons = 1;
    x->v.first_action_ts = 1795421702000LL;
    x->v.first_action_event = 51;
    x->v.events = 100;
    x->c = (struct warden_action_change){
        1795421702000LL, &x->v, WARDEN_ALLOW, WARDEN_REVIEW, "velocity.request_rate", 0.6, false};
    x->f = (struct warden_finding){
        1795421702000LL,     "acct_1",     6, "velocity", "velocity.request_rate", 0.6, NULL,
        "{\"observed\":51}", WARDEN_REVIEW};
}

/* One run: begin, the change, the finding, the case, and (if end) its end. */
static void one_run(const char *path, struct fixture *x, const char *key, char uuid[65], bool end)
{
    char err[256];
    struct warden_store *s;
    assert_int_equal(warden_store_open(&s, path, err, sizeof err), 0);
    struct warden_store_run r = {NULL, "00", "[]", key, false, false, ""};
    snprintf(r.uuid, sizeof r.uuid, "%s", uuid);
    assert_int_equal(warden_store_run_begin(s, &r), 0);
    snprintf(uuid, 65, "%s", r.uuid);
    assert_int_equal(warden_store_audit(s, &x->c), 0);
    assert_int_equal(warden_store_finding(s, &x->f), 0);
    assert_int_equal(warden_store_case(s, &x->v), 0);
    if (end) assert_int_equal(warden_store_run_end(s, 100, 0, 1, 1), 0);
    warden_store_close(s);
}

static void db_path(char *path, size_t n, const char *what)
{
    snprintf(path, n, "/tmp/warden_store_%s_%d.db", what, (int)getpid());
    unlink(path);
}

static void cases_upsert_and_audit(void **st)
{
    (void)st;
    char path[64], uuid[65] = "a";
    db_path(path, sizeof path, "upsert");
    struct fixture x;
    fixture_init(&x);
    one_run(path, &x, NULL, uuid, true);
    x.v.action = WARDEN_BLOCK; /* a second run without a key: a new run, same change and finding */
    one_run(path, &x, NULL, uuid, true);
    assert_int_equal(count(path, "select count(*) from cases"), 1);
    assert_int_equal(count(path, "select count(*) from cases where action='block'"), 1);
    assert_int_equal(count(path, "select count(*) from audit"), 1);
    assert_int_equal(count(path, "select count(*) from runs where finished_at is not null"), 2);
    assert_int_equal(
        count(path, "select count(*) from case_findings where evidence like '%observed%'"), 1);
    assert_int_equal(count(path, "select run_id from case_findings"), 2);
    /* a real change is audited */
    x.c.to = WARDEN_BLOCK;
    x.c.code = "velocity.burst";
    one_run(path, &x, NULL, uuid, true);
    assert_int_equal(count(path, "select count(*) from audit"), 2);
    assert_int_equal(count(path, "select count(*) from audit where run_id = 3"), 1);
    unlink(path);
}

static void keyed_repeat_is_the_same_run(void **st)
{
    (void)st;
    char path[64], uuid[65] = "first";
    db_path(path, sizeof path, "repeat");
    struct fixture x;
    fixture_init(&x);
    one_run(path, &x, "k1", uuid, true);
    assert_int_equal(count(path, "select count(*) from runs"), 1);
    snprintf(uuid, sizeof uuid, "second");
    one_run(path, &x, "k1", uuid, true);
    assert_string_equal(uuid, "first"); /* the earlier run's id comes back */
    assert_int_equal(count(path, "select count(*) from runs"), 1);
    assert_int_equal(count(path, "select count(*) from audit"), 1);
    assert_int_equal(count(path, "select count(*) from case_findings"), 1);
    assert_int_equal(count(path, "select count(*) from cases where updated_at = created_at"),
                     1); /* never rewritten */
    snprintf(uuid, sizeof uuid, "third");
    one_run(path, &x, "k2", uuid, true);
    assert_string_equal(uuid, "third");
    assert_int_equal(count(path, "select count(*) from runs"), 2);
    unlink(path);
}

static void unfinished_run_leaves_no_rows(void **st)
{
    (void)st;
    char path[64], uuid[65] = "killed";
    db_path(path, sizeof path, "killed");
    struct fixture x;
    fixture_init(&x);
    one_run(path, &x, "k1", uuid, false); /* never ended: as if killed */
    assert_int_equal(count(path, "select count(*) from runs where finished_at is null"), 1);
    assert_int_equal(count(path, "select count(*) from audit"), 0);
    assert_int_equal(count(path, "select count(*) from case_findings"), 0);
    assert_int_equal(count(path, "select count(*) from cases"), 0);
    snprintf(uuid, sizeof uuid, "again");
    one_run(path, &x, "k1", uuid, true); /* the same run again: resumes the row */
    assert_string_equal(uuid, "killed");
    assert_int_equal(count(path, "select count(*) from runs"), 1);
    assert_int_equal(count(path, "select count(*) from runs where finished_at is null"), 0);
    assert_int_equal(count(path, "select count(*) from audit"), 1);
    assert_int_equal(count(path, "select count(*) from cases"), 1);
    unlink(path);
}

/* A long-running writer (warden serve) merges while its run stays open:
 * each merge's rows are visible to other connections at once, a merge of
 * nothing new adds nothing, and the same change staged again after a merge
 * is not audited twice; the run ends later with its totals. */
static void merge_keeps_the_run_open(void **st)
{
    (void)st;
    char path[64], err[256];
    db_path(path, sizeof path, "merge");
    struct fixture x;
    fixture_init(&x);
    struct warden_store *s;
    assert_int_equal(warden_store_open(&s, path, err, sizeof err), 0);
    struct warden_store_run r = {NULL, "00", "[]", NULL, false, false, "serve"};
    assert_int_equal(warden_store_run_begin(s, &r), 0);
    assert_int_equal(warden_store_audit(s, &x.c), 0);
    assert_int_equal(warden_store_finding(s, &x.f), 0);
    assert_int_equal(warden_store_case(s, &x.v), 0);
    assert_int_equal(count(path, "select count(*) from cases"), 0); /* staged only */
    assert_int_equal(warden_store_merge(s), 0);
    assert_int_equal(count(path, "select count(*) from cases where action='review'"), 1);
    assert_int_equal(count(path, "select count(*) from audit"), 1);
    assert_int_equal(count(path, "select count(*) from case_findings"), 1);
    assert_int_equal(count(path, "select count(*) from runs where finished_at is null"), 1);
    assert_int_equal(warden_store_merge(s), 0); /* nothing new */
    assert_int_equal(count(path, "select count(*) from audit"), 1);
    /* the account escalates: the same first change again, a new one, the case */
    x.v.action = WARDEN_BLOCK;
    assert_int_equal(warden_store_audit(s, &x.c), 0);
    struct warden_action_change c2 = x.c;
    c2.from = WARDEN_REVIEW;
    c2.to = WARDEN_BLOCK;
    c2.ts_ms += 60000;
    assert_int_equal(warden_store_audit(s, &c2), 0);
    assert_int_equal(warden_store_case(s, &x.v), 0);
    assert_int_equal(warden_store_merge(s), 0);
    assert_int_equal(count(path, "select count(*) from audit"), 2);
    assert_int_equal(count(path, "select count(*) from cases where action='block'"), 1);
    /* an analyst dismisses it and lifts the action: the same changes staged
     * again leave it dismissed; a new change opens it again */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(h, "update cases set status='dismissed', action='allow'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(warden_store_audit(s, &c2), 0);
    assert_int_equal(warden_store_merge(s), 0);
    assert_int_equal(count(path, "select count(*) from cases where status='dismissed'"), 1);
    c2.from = WARDEN_ALLOW;
    c2.ts_ms += 60000;
    assert_int_equal(warden_store_audit(s, &c2), 0);
    assert_int_equal(warden_store_case(s, &x.v), 0);
    assert_int_equal(warden_store_merge(s), 0);
    assert_int_equal(
        count(path, "select count(*) from cases where status='open' and action='block'"), 1);
    assert_int_equal(warden_store_run_end(s, 7, 0, 1, 1), 0);
    warden_store_close(s);
    assert_int_equal(count(path, "select events from runs where finished_at is not null"), 7);
    assert_int_equal(count(path, "select count(*) from runs"), 1);
    unlink(path);
}

static void unusable_path(void **st)
{
    (void)st;
    struct warden_store *s;
    char err[256] = "";
    assert_int_not_equal(warden_store_open(&s, "/nonexistent/dir/cases.db", err, sizeof err), 0);
    assert_non_null(strstr(err, "/nonexistent/dir/cases.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases_upsert_and_audit),
        cmocka_unit_test(keyed_repeat_is_the_same_run),
        cmocka_unit_test(unfinished_run_leaves_no_rows),
        cmocka_unit_test(merge_keeps_the_run_open),
        cmocka_unit_test(unusable_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
