/* test_ip.c — address and prefix parsing and formatting, both families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/ip.h"

static void parse_format(void **st)
{
    (void)st;
    struct warden_ip ip;
    char buf[WARDEN_IP_STRLEN];
    assert_int_equal(warden_ip_parse(&ip, "8.8.4.4", 7), 0);
    assert_true(warden_ip_is_v4(&ip));
    assert_int_equal(warden_ip_v4(&ip), 0x08080404u);
    assert_string_equal(warden_ip_format(&ip, buf), "8.8.4.4");
    assert_int_equal(warden_ip_parse(&ip, "2a00:1450::1", 12), 0);
    assert_false(warden_ip_is_v4(&ip));
    assert_string_equal(warden_ip_format(&ip, buf), "2a00:1450::1");
    assert_int_equal(warden_ip_parse(&ip, "::ffff:1.2.3.4", 14), 0);
    assert_true(warden_ip_is_v4(&ip)); /* v4-mapped is IPv4 */
    const char *bad[] = {"",       "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04",
                         "1..2.3", "::g",   "1.2.3.4 ",  "a.b.c.d",   "12345::"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(warden_ip_parse(&ip, bad[i], strlen(bad[i])), 0);
}

static void cidr(void **st)
{
    (void)st;
    struct warden_ip ip;
    unsigned len;
    assert_int_equal(warden_ip_parse_cidr(&ip, &len, "10.0.0.0/8", 10), 0);
    assert_int_equal(len, 8);
    assert_int_equal(warden_ip_parse_cidr(&ip, &len, "2001:db8::/32", 13), 0);
    assert_int_equal(len, 32);
    assert_int_equal(warden_ip_parse_cidr(&ip, &len, "1.2.3.4", 7), 0);
    assert_int_equal(len, 32);
    assert_int_not_equal(warden_ip_parse_cidr(&ip, &len, "1.2.3.0/33", 10), 0);
    assert_int_not_equal(warden_ip_parse_cidr(&ip, &len, "1.2.3.0/", 8), 0);
    assert_int_not_equal(warden_ip_parse_cidr(&ip, &len, "::/129", 6), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_format),
        cmocka_unit_test(cidr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
