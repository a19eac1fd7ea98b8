/* test_screen_normalize.c — name normalisation (Unicode folding, ICU
 * transliteration, legal forms and common words from data/screen) and the
 * word similarity measures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "screen/internal.h"
#include "screen/screen.h"

static struct warden_screen *S;

static int setup(void **state)
{
    (void)state;
    char err[512];
    /* an empty list set: only the normalisation data */
    int rc = warden_screen_new(&S, "data/screen", NULL, err, sizeof err);
    if (rc == 0) rc = warden_screen_finish(S, err, sizeof err);
    if (rc < 0) fprintf(stderr, "%s\n", err);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    warden_screen_free(S);
    return 0;
}

static void norm_is(const char *in, const char *core, const char *legal)
{
    char out[256], lg[64];
    warden_screen_normalize(S, NULL, in, out, sizeof out, lg, sizeof lg);
    if (strcmp(out, core) != 0 || strcmp(lg, legal) != 0)
        fail_msg("'%s' -> '%s' [%s], expected '%s' [%s]", in, out, lg, core, legal);
}

static void test_legal_forms(void **state)
{
    (void)state;
    norm_is("Anglo-Caribbean Co., Ltd.", "anglo caribbean", "LTD");
    norm_is("ANGLO CARIBBEAN COMPANY LIMITED", "anglo caribbean", "LTD");
    norm_is("Acme Pte. Ltd.", "acme", "LTD");
    norm_is("Müller Maschinenbau GmbH", "muller maschinenbau", "GMBH");
    norm_is("OOO Romashka", "romashka", "LLC");
    norm_is("ООО «Ромашка»", "romashka", "LLC"); /* BGN, as English-language lists write it */
    norm_is("Grupo Alfa, S.A. de C.V.", "group alfa", "SA");
    norm_is("JOINT STOCK CO TEKHNODINAMIKA", "tekhnodinamika", "JSC");
    norm_is("Carvana Compnay", "carvana", "CO"); /* a typo in the legal form */
    /* a legal form alone is kept: a name never becomes empty */
    norm_is("Limited", "limited", "");
}

static void test_scripts(void **state)
{
    (void)state;
    norm_is("华为技术有限公司", "hua wei technology", "LTD");
    norm_is("Роснефть", "rosneft", "");
    norm_is("حزب الله", "hzb allh", "");
    norm_is("Τράπεζα Πειραιώς", "bank peiraios", "");     /* terms.tsv translates "bank" */
    norm_is("ＡＢＣ　Ｔｒａｄｉｎｇ", "abc trading", ""); /* NFKC: full-width */
    norm_is("Société Générale", "societe general", "");   /* one typo from a term */
}

static void test_tokens_and_terms(void **state)
{
    (void)state;
    norm_is("U.S.A. Intl. Trading", "united_states international trading", ""); /* places.tsv */
    norm_is("A B C Holdings", "abc holding", "");
    norm_is("Smith & Sons", "smith and sons", "");
    norm_is("O'Brien Technologies", "obrien technology", "");
    norm_is("中国电子科技集团公司", "china electronics technology group", "CO");
}

static void test_similarity(void **state)
{
    (void)state;
    assert_true(warden_jaro_winkler("martha", 6, "marhta", 6) > 0.96);
    assert_true(warden_jaro_winkler("abc", 3, "xyz", 3) == 0.0);
    assert_int_equal(warden_osa_distance("huawei", 6, "huawey", 6, 2), 1);
    assert_int_equal(warden_osa_distance("inversiones", 11, "inevrsiones", 11, 2), 1);
    assert_int_equal(warden_osa_distance("sharif", 6, "sharing", 7, 1), 2);
    assert_int_equal(warden_osa_distance("kitten", 6, "sitting", 7, 3), 3);
    char sk[32];
    warden_skeleton("hizballah", 9, sk, sizeof sk);
    assert_string_equal(sk, "hzblh");
    /* transliterations' letters for one sound: c, q, k, kh, ch, ck; p, f, ph */
    char sk2[32];
    warden_skeleton("rostekh", 7, sk, sizeof sk);
    warden_skeleton("rostec", 6, sk2, sizeof sk2);
    assert_string_equal(sk, "rstk");
    assert_string_equal(sk2, "rstk");
    warden_skeleton("rpl", 3, sk, sizeof sk);
    warden_skeleton("raphael", 7, sk2, sizeof sk2);
    assert_string_equal(sk, "rfl");
    assert_string_equal(sk2, "rfl");
    warden_skeleton("kahn", 4, sk, sizeof sk); /* an h after a vowel stays */
    assert_string_equal(sk, "khn");
}

static void test_countries(void **state)
{
    (void)state;
    struct warden_screen_stats st;
    warden_screen_stats(S, &st);
    assert_int_equal((int)st.entities, 0);
    bool m;
    /* two names compared without lists: all words unknown, equal weights */
    double sc = warden_screen_compare(S, NULL, "Korea Kwangson Banking Corp",
                                      "KOREA KWANGSON BANKING CORPORATION", &m);
    assert_true(m);
    assert_true(sc > 0.99);
    sc = warden_screen_compare(S, NULL, "Golden Star Trading LLC", "Golden Sun Trading LLC", &m);
    assert_false(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legal_forms),      cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_tokens_and_terms), cmocka_unit_test(test_similarity),
        cmocka_unit_test(test_countries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
