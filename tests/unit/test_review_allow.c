/* test_review_allow.c — the (account, reason) set of review dismissals:
 * exact matches on both parts, account ids given as slices, idempotent
 * adds, many entries in any order, and a NULL set that allows nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "policy/review_allow.h"

static bool has(const struct warden_review_allow *a, const char *acc, const char *reason)
{
    return warden_review_allow_has(a, acc, strlen(acc), reason);
}

static void exact(void **st)
{
    (void)st;
    struct warden_review_allow *a = warden_review_allow_new();
    assert_false(has(a, "acct-a", "velocity.request_rate"));
    warden_review_allow_add(a, "acct-a", "velocity.request_rate");
    assert_true(has(a, "acct-a", "velocity.request_rate"));
    assert_false(has(a, "acct-a", "velocity.key_request_rate")); /* another reason */
    assert_false(has(a, "acct-b", "velocity.request_rate"));     /* another account */
    assert_false(has(a, "acct-", "velocity.request_rate"));      /* a prefix */
    assert_false(has(a, "acct-aa", "velocity.request_rate"));
    /* the engine passes slices that are not NUL-terminated */
    const char slice[] = "acct-a,rest of the line";
    assert_true(warden_review_allow_has(a, slice, 6, "velocity.request_rate"));
    assert_false(warden_review_allow_has(a, slice, 7, "velocity.request_rate"));
    warden_review_allow_add(a, "acct-a", "velocity.request_rate");
    assert_int_equal(warden_review_allow_count(a), 1);
    warden_review_allow_free(a);
}

static void many(void **st)
{
    (void)st;
    struct warden_review_allow *a = warden_review_allow_new();
    char acc[32];
    for (int i = 999; i >= 0; i -= 2) { /* odd accounts, descending */
        snprintf(acc, sizeof acc, "acct-%d", i);
        warden_review_allow_add(a, acc, i % 3 ? "anon.cloud" : "distill.harvest_shape");
    }
    assert_int_equal(warden_review_allow_count(a), 500);
    for (int i = 0; i < 1000; i++) {
        snprintf(acc, sizeof acc, "acct-%d", i);
        const char *reason = i % 3 ? "anon.cloud" : "distill.harvest_shape";
        assert_int_equal(has(a, acc, reason), i % 2 == 1);
        assert_false(has(a, acc, i % 3 ? "distill.harvest_shape" : "anon.cloud"));
    }
    warden_review_allow_free(a);
}

static void null_set(void **st)
{
    (void)st;
    assert_false(warden_review_allow_has(NULL, "a", 1, "r"));
    assert_int_equal(warden_review_allow_count(NULL), 0);
    warden_review_allow_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact),
        cmocka_unit_test(many),
        cmocka_unit_test(null_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
