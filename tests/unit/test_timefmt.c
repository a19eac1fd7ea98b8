/* test_timefmt.c — RFC 3339 parsing and formatting against known instants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/timefmt.h"

static void known_instants(void **st)
{
    (void)st;
    int64_t ms;
    assert_int_equal(warden_ts_parse("2000-02-29T12:00:00.5Z", 22, &ms), 0);
    assert_int_equal(ms, 951825600500LL);
    assert_int_equal(warden_ts_parse("1999-12-31T23:00:00-01:00", 25, &ms), 0);
    assert_int_equal(ms, 946684800000LL);
    char buf[WARDEN_TS_STRLEN];
    assert_string_equal(warden_ts_format(951825600500LL, buf), "2000-02-29T12:00:00.500Z");
    assert_string_equal(warden_ts_format(0, buf), "1970-01-01T00:00:00.000Z");
}

static void round_trip(void **st)
{
    (void)st;
    char buf[WARDEN_TS_STRLEN];
    for (int64_t ms = 0; ms < 4102444800000LL; ms += 7919LL * 86400 * 1000 / 13 + 17) {
        int64_t back;
        warden_ts_format(ms, buf);
        assert_int_equal(warden_ts_parse(buf, strlen(buf), &back), 0);
        assert_int_equal(back, ms);
    }
}

static void rejects(void **st)
{
    (void)st;
    int64_t ms;
    const char *bad[] = {"2026-13-01T00:00:00Z",     "2026-01-32T00:00:00Z",
                         "2025-02-29T00:00:00Z",     "2026-01-01T24:00:00Z",
                         "2026-01-01T00:00:00",      "2026-01-01T00:00:00+1",
                         "2026-01-01 00:00:00Zjunk", "2026-01-01T00:00:00.Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(warden_ts_parse(bad[i], strlen(bad[i]), &ms), 0);
}

/* What log writers produce beside RFC 3339, for input files only: no
 * offset (UTC, flagged) and an offset without its colon; the strict parser
 * still refuses both, and both still refuse what is not a time */
static void lenient_forms(void **st)
{
    (void)st;
    int64_t ms;
    bool naive;
    assert_int_equal(warden_ts_parse_lenient("2026-11-23T08:15:02", 19, &ms, &naive), 0);
    assert_true(naive);
    assert_int_equal(ms, 1795421702000LL);
    assert_int_equal(warden_ts_parse_lenient("2026-11-23T08:15:02.120000", 26, &ms, &naive), 0);
    assert_true(naive);
    assert_int_equal(ms, 1795421702120LL);
    assert_int_equal(warden_ts_parse_lenient("2026-11-23T09:15:02+0100", 24, &ms, &naive), 0);
    assert_false(naive);
    assert_int_equal(ms, 1795421702000LL);
    assert_int_equal(warden_ts_parse_lenient("2026-11-23T08:15:02Z", 20, &ms, &naive), 0);
    assert_false(naive);
    assert_int_not_equal(warden_ts_parse("2026-11-23T08:15:02", 19, &ms), 0);
    assert_int_not_equal(warden_ts_parse("2026-11-23T09:15:02+0100", 24, &ms), 0);
    const char *bad[] = {"2026-11-23T08:15",        "2026-11-23T08:15:02+1",
                         "2026-11-23T08:15:02+010", "2026-11-23T08:15:02 ",
                         "2026-02-30T08:15:02",     "2026-11-23T08:15:02+01:0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(warden_ts_parse_lenient(bad[i], strlen(bad[i]), &ms, &naive), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_instants),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(rejects),
        cmocka_unit_test(lenient_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
