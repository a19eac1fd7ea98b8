/* test_acct_table.c — the fixed-memory account table: lookup, LRU eviction
 * order, re-admission, and memory staying within the documented budget with
 * 1,000,000 tracked accounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "core/hash.h"
#include "engine/acct_table.h"

static void lookup_and_state(void **st)
{
    (void)st;
    struct warden_acct_table *t = warden_acct_table_new(100, 16);
    bool is_new;
    struct warden_acct *a = warden_acct_table_get(t, 42, &is_new);
    assert_true(is_new);
    *(uint64_t *)warden_acct_state(a, 0) = 7;
    a = warden_acct_table_get(t, 42, &is_new);
    assert_false(is_new);
    assert_int_equal(*(uint64_t *)warden_acct_state(a, 0), 7);
    assert_null(warden_acct_table_find(t, 43));
    assert_int_equal(warden_acct_table_count(t), 1);
    warden_acct_table_free(t);
}

static void lru_eviction(void **st)
{
    (void)st;
    struct warden_acct_table *t = warden_acct_table_new(3, 8);
    bool is_new;
    warden_acct_table_get(t, 1, &is_new);
    warden_acct_table_get(t, 2, &is_new);
    warden_acct_table_get(t, 3, &is_new);
    warden_acct_table_get(t, 1, &is_new); /* 1 is now most recent; 2 is least */
    struct warden_acct *a = warden_acct_table_get(t, 4, &is_new);
    assert_true(is_new);
    assert_int_equal(a->hash, 4);
    assert_null(warden_acct_table_find(t, 2));
    assert_non_null(warden_acct_table_find(t, 1));
    assert_non_null(warden_acct_table_find(t, 3));
    assert_int_equal(warden_acct_table_evictions(t), 1);
    a = warden_acct_table_get(t, 2, &is_new); /* re-admitted, evicts 3 */
    assert_true(is_new);
    assert_int_equal(a->events, 0);
    assert_null(warden_acct_table_find(t, 3));
    warden_acct_table_free(t);
}

static void churn_keeps_index_consistent(void **st)
{
    (void)st;
    /* many evictions with colliding probe sequences: every tracked hash must
     * stay findable, and exactly `cap` accounts are tracked */
    size_t cap = 1000;
    struct warden_acct_table *t = warden_acct_table_new(cap, 8);
    bool is_new;
    for (uint64_t i = 1; i <= 200000; i++) {
        uint64_t h = warden_hash64(&i, sizeof i);
        warden_acct_table_get(t, h, &is_new);
    }
    assert_int_equal(warden_acct_table_count(t), cap);
    for (uint64_t i = 200000 - cap + 1; i <= 200000; i++) {
        uint64_t h = warden_hash64(&i, sizeof i);
        assert_non_null(warden_acct_table_find(t, h));
    }
    uint64_t old = 1;
    assert_null(warden_acct_table_find(t, warden_hash64(&old, sizeof old)));
    warden_acct_table_free(t);
}

static void million_accounts_within_budget(void **st)
{
    (void)st;
    const size_t n = 1000000, state = 336; /* the scan's detector state today */
    struct warden_acct_table *t = warden_acct_table_new(n, state);
    bool is_new;
    for (uint64_t i = 1; i <= n; i++)
        warden_acct_table_get(t, warden_hash64(&i, sizeof i), &is_new);
    assert_int_equal(warden_acct_table_count(t), n);
    assert_int_equal(warden_acct_table_evictions(t), 0);
    size_t budget = warden_acct_table_slot_bytes(t) + 16; /* documented: slot + <= 16 B index */
    assert_true(warden_acct_table_bytes(t) <= budget * n + 4096);
    /* one more account evicts exactly one, memory unchanged */
    size_t before = warden_acct_table_bytes(t);
    uint64_t extra = n + 1;
    warden_acct_table_get(t, warden_hash64(&extra, sizeof extra), &is_new);
    assert_int_equal(warden_acct_table_count(t), n);
    assert_int_equal(warden_acct_table_evictions(t), 1);
    assert_int_equal(warden_acct_table_bytes(t), before);
    warden_acct_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookup_and_state),
        cmocka_unit_test(lru_eviction),
        cmocka_unit_test(churn_keeps_index_consistent),
        cmocka_unit_test(million_accounts_within_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
