/* test_dedup.c — request-id de-duplication: repeats inside the window are
 * recognised, memory is fixed, and old ids age out after the window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/hash.h"
#include "engine/dedup.h"

static uint64_t h(uint64_t i)
{
    return warden_hash64(&i, sizeof i);
}

static void repeats_recognised_within_window(void **st)
{
    (void)st;
    struct warden_dedup *d = warden_dedup_new(1000);
    size_t bytes = warden_dedup_bytes(d);
    for (uint64_t i = 0; i < 500; i++) assert_false(warden_dedup_seen(d, h(i)));
    for (uint64_t i = 0; i < 500; i++) assert_true(warden_dedup_seen(d, h(i)));
    /* 100,000 more ids: memory unchanged, the first ones forgotten */
    for (uint64_t i = 1000; i < 101000; i++) warden_dedup_seen(d, h(i));
    assert_int_equal(warden_dedup_bytes(d), bytes);
    assert_false(warden_dedup_seen(d, h(0)));
    /* the most recent half-window is always remembered */
    for (uint64_t i = 101000 - 499; i < 101000; i++) assert_true(warden_dedup_seen(d, h(i)));
    assert_true(warden_dedup_seen(d, 0) == false); /* hash 0 is a valid id */
    assert_true(warden_dedup_seen(d, 0));
    warden_dedup_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(repeats_recognised_within_window)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
