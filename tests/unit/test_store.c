/* test_store.c — the SQLite case database: schema, audit rows, case upserts
 * across runs (no duplicates), and a clear error for an unusable path. */
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

static void cases_upsert_and_audit(void **st)
{
    (void)st;
    char path[64], err[256];
    snprintf(path, sizeof path, "/tmp/warden_store_%d.db", (int)getpid());
    unlink(path);
    struct warden_verdict v = {0};
    v.account_id = "acct_1";
    v.action = WARDEN_REVIEW;
    v.score = 0.6;
    v.reasons[0] = (struct warden_reason){"velocity.request_rate", 0.6, WARDEN_REVIEW};
    v.n_reasons = 1;
    v.first_action_ts = 1795421702000LL;
    v.first_action_event = 51;
    v.events = 100;
    for (int run = 0; run < 2; run++) {
        struct warden_store *s;
        assert_int_equal(warden_store_open(&s, path, err, sizeof err), 0);
        assert_int_equal(warden_store_run_begin(s, NULL, "[\"x.jsonl\"]", false), 0);
        struct warden_action_change c = {1795421702000LL,         &v,  WARDEN_ALLOW, WARDEN_REVIEW,
                                         "velocity.request_rate", 0.6, false};
        assert_int_equal(warden_store_audit(s, &c), 0);
        struct warden_finding f = {
            1795421702000LL,     "acct_1",     6, "velocity", "velocity.request_rate", 0.6, NULL,
            "{\"observed\":51}", WARDEN_REVIEW};
        assert_int_equal(warden_store_finding(s, &f), 0);
        if (run == 1) v.action = WARDEN_BLOCK;
        assert_int_equal(warden_store_case(s, &v), 0);
        assert_int_equal(warden_store_run_end(s, 100, 0, 1, 1), 0);
        warden_store_close(s);
    }
    assert_int_equal(count(path, "select count(*) from cases"), 1);
    assert_int_equal(count(path, "select count(*) from cases where action='block'"), 1);
    assert_int_equal(count(path, "select count(*) from audit"), 2);
    assert_int_equal(count(path, "select count(*) from runs where finished_at is not null"), 2);
    assert_int_equal(
        count(path, "select count(*) from case_findings where evidence like '%observed%'"), 2);
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
        cmocka_unit_test(unusable_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
