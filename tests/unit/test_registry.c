/* test_registry.c — loading accounts and organisations: fields, owners,
 * joins, and bad lines reported and skipped without losing good ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "registry/registry.h"

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void load_and_join(void **st)
{
    (void)st;
    char ap[64], op[64], err[256];
    snprintf(ap, sizeof ap, "/tmp/wr_acc_%d.jsonl", (int)getpid());
    snprintf(op, sizeof op, "/tmp/wr_org_%d.jsonl", (int)getpid());
    put_file(op,
             "{\"org_id\":\"o1\",\"name\":\"Acme GmbH\",\"aliases\":[\"ACME\",\"\xe9\x98\xbf\"],"
             "\"country\":\"de\",\"domain\":\"acme.example\",\"owners\":[{\"org_id\":\"o2\","
             "\"share\":60},{\"name\":\"Someone Ltd\",\"share\":40.5}]}\n"
             "{\"org_id\":\"o2\",\"name\":\"Parent\"}\n"
             "{\"org_id\":\"o3\"}\n"                                           /* no name */
             "{\"org_id\":\"o4\",\"name\":\"X\",\"owners\":[{\"share\":5}]}\n" /* owner w/o id */
             "{\"org_id\":\"o5\",\"name\":\"X\",\"country\":\"Germany\"}\n");
    put_file(ap, "{\"account_id\":\"a1\",\"org_id\":\"o1\",\"billing_country\":\"DE\","
                 "\"card_country\":\"FR\",\"created_at\":\"2026-01-02T03:04:05Z\",\"signup_ip\":"
                 "\"2001:db8::1\",\"reseller\":true,\"program\":\"startup\"}\n"
                 "\n"
                 "{\"account_id\":\"a2\",\"created_at\":1700000000000}\n"
                 "{not json}\n"
                 "{\"account_id\":\"a3\",\"reseller\":\"yes\"}\n"
                 "{\"account_id\":\"a4\",\"signup_ip\":\"300.1.1.1\"}\n"
                 "[1]\n");
    struct warden_registry *r;
    assert_int_equal(warden_registry_load(&r, ap, op, err, sizeof err), 0);
    struct warden_registry_stats s;
    warden_registry_stats(r, &s);
    assert_int_equal(s.accounts, 2);
    assert_int_equal(s.orgs, 2);
    assert_int_equal(s.rejected_lines, 7);
    const struct warden_account *a = warden_registry_account(r, "a1", 2);
    assert_non_null(a);
    assert_string_equal(a->billing_country, "DE");
    assert_string_equal(a->card_country, "FR");
    assert_true(a->reseller);
    assert_true(a->has_signup_ip);
    assert_int_equal(a->created_at_ms, 1767323045000LL);
    assert_non_null(a->org);
    assert_string_equal(a->org->name, "Acme GmbH");
    assert_string_equal(a->org->country, "DE");
    assert_int_equal(a->org->n_aliases, 2);
    assert_int_equal(a->org->n_owners, 2);
    assert_string_equal(a->org->owners[0].org_id, "o2");
    assert_null(a->org->owners[1].org_id);
    assert_string_equal(a->org->owners[1].name, "Someone Ltd");
    assert_true(a->org->owners[1].share > 40.4 && a->org->owners[1].share < 40.6);
    assert_null(warden_registry_account(r, "a3", 2));
    assert_null(warden_registry_account(r, "a", 1));
    assert_int_equal(warden_registry_account(r, "a2", 2)->created_at_ms, 1700000000000LL);
    warden_registry_free(r);
    unlink(ap);
    unlink(op);
}

/* What customer databases export beside the contract's forms: a sign-up
 * time through floating point, a date without a time, a sign-up address
 * with its port, numeric keys; still refused: a date that does not exist. */
static void exported_forms_read(void **st)
{
    (void)st;
    char ap[64], err[256];
    snprintf(ap, sizeof ap, "/tmp/wr_acc2_%d.jsonl", (int)getpid());
    put_file(ap,
             "{\"account_id\":\"b1\",\"created_at\":1700000000000.0,\"billing_country\":\"IR\"}\n"
             "{\"account_id\":\"b2\",\"created_at\":\"2026-01-02\",\"signup_ip\":"
             "\"81.2.69.1:51234\"}\n"
             "{\"account_id\":\"b3\",\"signup_ip\":\"[2001:db8::1]:443\"}\n"
             "{\"account_id\":\"b4\",\"created_at\":\"2026-02-30\"}\n"
             "{\"account_id\":99001,\"org_id\":77}\n");
    struct warden_registry *r;
    assert_int_equal(warden_registry_load(&r, ap, NULL, err, sizeof err), 0);
    struct warden_registry_stats s;
    warden_registry_stats(r, &s);
    assert_int_equal(s.accounts, 4);
    assert_int_equal(s.rejected_lines, 1);
    const struct warden_account *n = warden_registry_account(r, "99001", 5);
    assert_non_null(n);
    assert_string_equal(n->org_id, "77");
    const struct warden_account *a = warden_registry_account(r, "b1", 2);
    assert_non_null(a);
    assert_int_equal(a->created_at_ms, 1700000000000LL);
    assert_string_equal(a->billing_country, "IR");
    a = warden_registry_account(r, "b2", 2);
    assert_int_equal(a->created_at_ms, 1767312000000LL); /* 2026-01-02T00:00:00Z */
    assert_true(a->has_signup_ip);
    char buf[WARDEN_IP_STRLEN];
    assert_string_equal(warden_ip_format(&a->signup_ip, buf), "81.2.69.1");
    a = warden_registry_account(r, "b3", 2);
    assert_string_equal(warden_ip_format(&a->signup_ip, buf), "2001:db8::1");
    warden_registry_free(r);
    unlink(ap);
}

static void missing_file_is_an_error(void **st)
{
    (void)st;
    struct warden_registry *r;
    char err[256];
    assert_int_equal(warden_registry_load(&r, "/nonexistent/accounts.jsonl", NULL, err, sizeof err),
                     WARDEN_EIO);
    assert_non_null(strstr(err, "/nonexistent/accounts.jsonl"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_and_join),
        cmocka_unit_test(exported_forms_read),
        cmocka_unit_test(missing_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
