/* test_tzdb.c — time zone → countries and offsets from the system tz
 * database (package tzdata): zones of one and of several countries, links,
 * country offset ranges, unknown names, a missing file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/error.h"
#include "detect/tzdb.h"

#define ZONES "/usr/share/zoneinfo/zone1970.tab"

static const struct warden_tzzone *zone(const struct warden_tzdb *db, const char *n)
{
    return warden_tzdb_zone(db, n, strlen(n));
}

static void zones_countries_offsets(void **st)
{
    (void)st;
    struct warden_tzdb *db;
    char err[256];
    assert_int_equal(warden_tzdb_load(&db, ZONES, err, sizeof err), 0);
    assert_true(warden_tzdb_count(db) > 300);
    const struct warden_tzzone *z = zone(db, "Asia/Shanghai");
    assert_non_null(z);
    assert_int_equal(z->ncc, 1);
    assert_true(warden_tzzone_has(z, "CN"));
    assert_int_equal(z->offset_min, 480);
    z = zone(db, "Europe/Berlin"); /* shared by several countries in zone1970.tab */
    assert_non_null(z);
    assert_true(warden_tzzone_has(z, "DE") && warden_tzzone_has(z, "NO"));
    assert_int_equal(z->offset_min, 60);
    z = zone(db, "Asia/Kolkata");
    assert_int_equal(z->offset_min, 330);
    z = zone(db, "America/St_Johns");
    assert_int_equal(z->offset_min, -210);
    z = zone(db, "Europe/Oslo"); /* zone.tab */
    assert_non_null(z);
    assert_true(warden_tzzone_has(z, "NO"));
    z = zone(db, "Asia/Chongqing"); /* a link (tzdata.zi) */
    if (z) assert_true(warden_tzzone_has(z, "CN"));
    int lo, hi;
    assert_true(warden_tzdb_country_offsets(db, "US", &lo, &hi));
    assert_true(lo <= -600 && hi >= -300);
    assert_false(warden_tzdb_country_offsets(db, "XX", &lo, &hi));
    assert_null(zone(db, "Mars/Olympus_Mons"));
    assert_null(zone(db, ""));
    warden_tzdb_free(db);
}

static void missing_file(void **st)
{
    (void)st;
    struct warden_tzdb *db;
    char err[256];
    assert_int_equal(warden_tzdb_load(&db, "/nonexistent/zone1970.tab", err, sizeof err),
                     WARDEN_EIO);
    assert_null(db);
    assert_non_null(strstr(err, "tzdata"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zones_countries_offsets),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
