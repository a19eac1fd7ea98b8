/* test_serve_auth.c — analyst logins: principal:role:token entries from the
 * config and the environment, the admin token as role admin, refusals that
 * name the entry but never print its token, and the bearer check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "serve/auth.h"

static char *list_one[] = {"carol:admin:carol-token-0001"};

static void conf_init(struct warden_serve_conf *c, char **analysts, size_t n, const char *env)
{
    memset(c, 0, sizeof *c);
    c->analysts.v = analysts;
    c->analysts.n = n;
    c->analysts_env = (char *)"TEST_WARDEN_ANALYSTS";
    if (env)
        setenv("TEST_WARDEN_ANALYSTS", env, 1);
    else
        unsetenv("TEST_WARDEN_ANALYSTS");
}

static void logins(void **st)
{
    (void)st;
    struct warden_serve_conf c;
    conf_init(&c, list_one, 1, " alice:analyst:alice-token-0001,\n vic:viewer:vic-token-00001 ");
    struct warden_auth *a = NULL;
    char err[256];
    assert_int_equal(warden_auth_new(&a, &c, "the-admin-token-01", err, sizeof err), 0);
    assert_int_equal(warden_auth_count(a), 4);
    struct warden_principal p;
    assert_true(warden_auth_check(a, "Bearer alice-token-0001", &p));
    assert_string_equal(p.name, "alice");
    assert_int_equal(p.role, WARDEN_ROLE_ANALYST);
    assert_true(warden_auth_check(a, "Bearer vic-token-00001", &p));
    assert_int_equal(p.role, WARDEN_ROLE_VIEWER);
    assert_true(warden_auth_check(a, "Bearer carol-token-0001", &p));
    assert_string_equal(p.name, "carol");
    assert_int_equal(p.role, WARDEN_ROLE_ADMIN);
    assert_true(warden_auth_check(a, "Bearer the-admin-token-01", &p));
    assert_string_equal(p.name, "admin");
    const char *bad[] = {NULL,
                         "",
                         "Bearer ",
                         "Bearer alice-token-000",
                         "Bearer alice-token-00011",
                         "alice-token-0001",
                         "Basic alice-token-0001",
                         "bearer alice-token-0001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(warden_auth_check(a, bad[i], &p));
    assert_string_equal(warden_role_name(WARDEN_ROLE_VIEWER), "viewer");
    warden_auth_free(a);
}

static void refused(void **st)
{
    (void)st;
    const struct {
        const char *env, *says;
    } cases[] = {
        {"alice:analyst", "expected principal:role:token"},
        {"alice:root:alice-token-0001", "role must be viewer, analyst or admin"},
        {"alice:analyst:short-tok", "token shorter than 12"},
        {"al ice:analyst:alice-token-0001", "expected principal:role:token"},
        {"<b>x</b>:analyst:alice-token-0001", "principal must be"},
        {":analyst:alice-token-0001", "principal must be"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct warden_serve_conf c;
        conf_init(&c, NULL, 0, cases[i].env);
        struct warden_auth *a = NULL;
        char err[256] = "";
        assert_int_not_equal(warden_auth_new(&a, &c, NULL, err, sizeof err), 0);
        assert_non_null(strstr(err, cases[i].says));
        assert_null(strstr(err, "short-tok"));        /* tokens are never printed */
        assert_null(strstr(err, "alice-token-0001")); /* nor here */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logins),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
