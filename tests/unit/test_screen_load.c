/* test_screen_load.c — list loaders: FollowTheMoney entities and relations,
 * errors that name file and line, bad records skipped, attributes kept
 * (aliases, countries, identifiers, domains, e-mails, addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "screen/screen.h"

static const struct warden_screen_entity *find(const struct warden_screen *s, const char *id)
{
    for (size_t i = 0; i < warden_screen_n_entities(s); i++)
        if (strcmp(warden_screen_entity_at(s, i)->source_id, id) == 0)
            return warden_screen_entity_at(s, i);
    return NULL;
}

static bool has_attr(const struct warden_screen_entity *e, enum warden_screen_attr_type t,
                     const char *v)
{
    for (uint32_t i = 0; i < e->n_attrs; i++)
        if (e->attrs[i].type == t && strcmp(e->attrs[i].value, v) == 0) return true;
    return false;
}

static void test_ftm(void **state)
{
    (void)state;
    struct warden_screen *s;
    char err[512];
    assert_int_equal(
        warden_screen_load(&s, "tests/data/screen/lists.tsv", "data/screen", NULL, err, sizeof err),
        0);
    struct warden_screen_list_stats ls;
    assert_int_equal((int)warden_screen_n_lists(s), 1);
    warden_screen_list_stats(s, 0, &ls);
    assert_string_equal(ls.list, "test-ftm");
    assert_int_equal((int)ls.entities, 5); /* 2 bad lines and 4 non-parties skipped */
    assert_int_equal((int)ls.names, 6);
    const struct warden_screen_entity *a = find(s, "ws-alpha");
    assert_non_null(a);
    assert_true(a->listed);
    assert_int_equal(a->kind, WARDEN_SCREEN_KIND_ORG);
    assert_int_equal((int)a->n_names, 2);
    assert_string_equal(warden_screen_entity_name(s, a, 1), "Альфа Блокед Холдингс");
    assert_string_equal(a->program, "TEST-PROGRAM");
    assert_true(has_attr(a, WARDEN_SCREEN_ATTR_COUNTRY, "IR"));
    assert_true(has_attr(a, WARDEN_SCREEN_ATTR_DOMAIN, "alpha-blocked.example"));
    assert_true(has_attr(a, WARDEN_SCREEN_ATTR_ID, "registrationNumber: AB-123456"));
    const struct warden_screen_entity *b = find(s, "ws-bravo");
    assert_true(has_attr(b, WARDEN_SCREEN_ATTR_EMAIL, "sales@bravo-sanctioned.example"));
    assert_string_equal(b->program, "TEST-2"); /* from the Sanction entity */
    const struct warden_screen_entity *k = find(s, "ws-kilo");
    assert_false(k->listed);
    assert_true(k->owned_by_listed);                   /* 60 % owned by ws-alpha */
    assert_false(find(s, "ws-lima")->owned_by_listed); /* 20 % */
    assert_int_equal(find(s, "ws-person")->kind, WARDEN_SCREEN_KIND_PERSON);
    warden_screen_free(s);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    struct warden_screen *s = NULL;
    char err[512];
    int rc =
        warden_screen_load(&s, "tests/data/screen/bad.tsv", "data/screen", NULL, err, sizeof err);
    assert_int_equal(rc, WARDEN_EPARSE);
    assert_null(s);
    assert_non_null(strstr(err, "bad_quote.csv:2:"));
    rc = warden_screen_load(&s, "tests/data/screen/no-such.tsv", "data/screen", NULL, err,
                            sizeof err);
    assert_true(rc < 0);
    assert_non_null(strstr(err, "no-such.tsv"));
    rc = warden_screen_load(&s, "tests/data/screen/lists.tsv", "tests/data/screen/no-data", NULL,
                            err, sizeof err);
    assert_true(rc < 0);
    assert_non_null(strstr(err, "no-data/")); /* names the missing data file */
}

/* The format names the manifest may give: each known one reaches its
 * loader (which then names the missing file), an unknown one is refused,
 * even with no file to read. */
static void test_list_formats(void **state)
{
    (void)state;
    struct warden_screen *s;
    char err[512];
    assert_int_equal(warden_screen_new(&s, "data/screen", NULL, err, sizeof err), 0);
    static const char *known[] = {"csl_csv", "un_xml", "bis_dpl", "ftm_json", "domains"};
    const char *files[] = {"tests/data/screen/no-such-file"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        err[0] = 0;
        assert_true(warden_screen_add_list(s, "t", known[i], files, 1, err, sizeof err) < 0);
        assert_null(strstr(err, "unknown list format"));
        assert_non_null(strstr(err, "no-such-file"));
    }
    assert_int_equal(warden_screen_add_list(s, "t", "xml_v9", files, 1, err, sizeof err),
                     WARDEN_EFORMAT);
    assert_non_null(strstr(err, "unknown list format 'xml_v9'"));
    assert_int_equal(warden_screen_add_list(s, "t", "xml_v9", NULL, 0, err, sizeof err),
                     WARDEN_EFORMAT);
    warden_screen_free(s);
}

static void test_ofac_attributes(void **state)
{
    (void)state;
    struct warden_screen *s;
    char err[512];
    assert_int_equal(
        warden_screen_load(&s, "data/lists/lists.tsv", "data/screen", NULL, err, sizeof err), 0);
    /* SDN 306: BANCO NACIONAL DE CUBA, aka NATIONAL BANK OF CUBA, branch in Zurich */
    const struct warden_screen_entity *e = NULL;
    for (size_t i = 0; i < warden_screen_n_entities(s) && !e; i++) {
        const struct warden_screen_entity *x = warden_screen_entity_at(s, i);
        if (strcmp(x->list, "ofac-sdn-2019") == 0 && strcmp(x->source_id, "306") == 0) e = x;
    }
    assert_non_null(e);
    assert_string_equal(warden_screen_entity_name(s, e, 0), "BANCO NACIONAL DE CUBA");
    bool aka = false;
    for (uint32_t j = 0; j < e->n_names; j++)
        aka |= strcmp(warden_screen_entity_name(s, e, j), "NATIONAL BANK OF CUBA") == 0;
    assert_true(aka);
    assert_true(has_attr(e, WARDEN_SCREEN_ATTR_COUNTRY, "CH"));
    assert_int_equal(e->kind, WARDEN_SCREEN_KIND_ORG);
    struct warden_screen_stats st;
    warden_screen_stats(s, &st);
    assert_true(st.memory_bytes > 1000000);
    warden_screen_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ftm),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_ofac_attributes),
        cmocka_unit_test(test_list_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
