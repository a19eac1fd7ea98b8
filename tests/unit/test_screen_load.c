/* test_screen_load.c — list loaders: FollowTheMoney entities and relations,
 * errors that name file and line, bad records skipped, attributes kept
 * (aliases, countries, identifiers, domains, e-mails, addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
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

static const struct warden_screen_entity *in_list(const struct warden_screen *s, const char *list,
                                                  const char *id);

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
    /* the 2025 alias set's SUNRISE is a former name of SDN 15905, a tanker */
    const struct warden_screen_entity *v = in_list(s, "ofac-sdn-2025-aliases", "15905");
    assert_non_null(v);
    assert_int_equal(v->kind, WARDEN_SCREEN_KIND_VESSEL);
    struct warden_screen_stats st;
    warden_screen_stats(s, &st);
    assert_true(st.memory_bytes > 1000000);
    warden_screen_free(s);
}

static void write_file(const char *dir, const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const struct warden_screen_entity *in_list(const struct warden_screen *s, const char *list,
                                                  const char *id)
{
    for (size_t i = 0; i < warden_screen_n_entities(s); i++) {
        const struct warden_screen_entity *e = warden_screen_entity_at(s, i);
        if (strcmp(e->list, list) == 0 && strcmp(e->source_id, id) == 0) return e;
    }
    return NULL;
}

/* An OFAC alias set without its primary file takes each entity's kind from
 * another OFAC list's primary file loaded beside it (OFAC numbers an entity
 * once across its lists), never from a list in another format that happens
 * to use the same id; loaded alone, the kind stays unknown. */
static void test_ofac_kind_across_lists(void **state)
{
    (void)state;
    char dir[] = "/tmp/warden-ofac-kind-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char prim[256], alt[256], ftm[256], f1[300], f2[300];
    write_file(dir, "prim.csv",
               "900,\"MARIA III\",\"vessel\",\"IRAN\",-0- ,-0- ,\"LPG Tanker\",-0- ,-0- ,"
               "\"Panama\",\"NITC\",-0- \n"
               "901,\"ACME TRADING LLC\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"
               "904,\"DOE, John\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
               "-0- \n",
               prim, sizeof prim);
    write_file(dir, "alt.csv",
               "900,1,\"fka\",\"SUNRISE\",-0- \n901,2,\"aka\",\"ACME\",-0- \n"
               "902,3,\"aka\",\"LONE ALIAS\",-0- \n904,4,\"aka\",\"DOE, Johnny\",-0- \n",
               alt, sizeof alt);
    write_file(dir, "other.jsonl",
               "{\"id\":\"902\",\"schema\":\"Vessel\",\"target\":true,\"properties\":{\"name\":"
               "[\"Lone Alias\"]}}\n",
               ftm, sizeof ftm);
    snprintf(f1, sizeof f1, "prim=%s", prim);
    snprintf(f2, sizeof f2, "alt=%s", alt);
    const char *sdn[] = {f1}, *aliases[] = {f2}, *other[] = {ftm};
    char err[512];
    for (int with_prim = 0; with_prim < 2; with_prim++) {
        struct warden_screen *s;
        assert_int_equal(warden_screen_new(&s, "data/screen", NULL, err, sizeof err), 0);
        assert_int_equal(
            warden_screen_add_list(s, "aliases", "ofac_csv", aliases, 1, err, sizeof err),
            0); /* before the primary file: the order does not matter */
        if (with_prim)
            assert_int_equal(warden_screen_add_list(s, "sdn", "ofac_csv", sdn, 1, err, sizeof err),
                             0);
        assert_int_equal(warden_screen_add_list(s, "other", "ftm_json", other, 1, err, sizeof err),
                         0);
        assert_int_equal(warden_screen_finish(s, err, sizeof err), 0);
        enum warden_screen_kind want_vessel =
            with_prim ? WARDEN_SCREEN_KIND_VESSEL : WARDEN_SCREEN_KIND_UNKNOWN;
        assert_int_equal(in_list(s, "aliases", "900")->kind, want_vessel);
        assert_int_equal(in_list(s, "aliases", "901")->kind,
                         with_prim ? WARDEN_SCREEN_KIND_ORG : WARDEN_SCREEN_KIND_UNKNOWN);
        assert_int_equal(in_list(s, "aliases", "904")->kind,
                         with_prim ? WARDEN_SCREEN_KIND_PERSON : WARDEN_SCREEN_KIND_UNKNOWN);
        assert_int_equal(in_list(s, "aliases", "902")->kind, WARDEN_SCREEN_KIND_UNKNOWN);
        assert_int_equal(in_list(s, "other", "902")->kind, WARDEN_SCREEN_KIND_VESSEL);
        assert_string_equal(in_list(s, "aliases", "900")->program, ""); /* only the kind */
        warden_screen_free(s);
    }
    remove(prim);
    remove(alt);
    remove(ftm);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ftm),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_ofac_attributes),
        cmocka_unit_test(test_list_formats),
        cmocka_unit_test(test_ofac_kind_across_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
