/* test_screen_match.c — screening against the shipped lists (data/lists):
 * variants in other scripts, legal forms, typos and word order find the listed
 * party; look-alikes do not; every match explains itself; country, domain and
 * identifier adjustments (a disagreeing country counts more against one short
 * shared word); domain screening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "screen/screen.h"

static struct warden_screen *S;
static struct warden_screen_scratch *W;

static int setup(void **state)
{
    (void)state;
    char err[512];
    int rc = warden_screen_load(&S, "data/lists/lists.tsv", "data/screen", NULL, err, sizeof err);
    if (rc < 0) fprintf(stderr, "%s\n", err);
    W = S ? warden_screen_scratch_new(S) : NULL;
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    warden_screen_scratch_free(W);
    warden_screen_free(S);
    return 0;
}

/* The best match of q, or fail. */
static struct warden_screen_match best(const char *name, const char *cc)
{
    struct warden_screen_match m[5];
    struct warden_screen_query q = {name, cc, NULL, NULL};
    int n = warden_screen_name(S, W, &q, m, 5);
    if (n <= 0) fail_msg("no match for '%s'", name);
    return m[0];
}

static void expect_match(const char *name, const char *listed_primary)
{
    struct warden_screen_match m = best(name, NULL);
    const char *primary = warden_screen_entity_name(S, m.entity, 0);
    if (!m.is_match || strcmp(primary, listed_primary) != 0)
        fail_msg("'%s' -> '%s' (%.3f, match %d), expected '%s'", name, primary, m.score, m.is_match,
                 listed_primary);
}

static void expect_no_match(const char *name)
{
    struct warden_screen_match m[5];
    struct warden_screen_query q = {name, NULL, NULL, NULL};
    int n = warden_screen_name(S, W, &q, m, 5);
    for (int i = 0; i < n; i++)
        if (m[i].is_match)
            fail_msg("'%s' matched '%s' (%.3f)", name, m[i].matched_name, m[i].score);
}

static void test_variants(void **state)
{
    (void)state;
    expect_match("Banco Nacional de Cuba SA", "BANCO NACIONAL DE CUBA");
    expect_match("Anglo Caribbean Company Limited", "ANGLO-CARIBBEAN CO., LTD.");
    expect_match("ANGLO-CARIBEAN CO LTD", "ANGLO-CARIBBEAN CO., LTD.");
    expect_match("Caribbean Anglo Co Ltd", "ANGLO-CARIBBEAN CO., LTD.");
    expect_match("Sara Properties Ltd.", "SARA PROPERTIES LIMITED");
    expect_match("华为技术有限公司", "HUAWEI TECHNOLOGIES CO., LTD.");
    expect_match("Роснефть", "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY");
    expect_match("حزب الله", "HIZBALLAH");
    expect_match("Hizbollah", "HIZBALLAH");
}

static void test_non_matches(void **state)
{
    (void)state;
    expect_no_match("Microsoft Corporation");
    expect_no_match("Acme Trading Co Ltd");
    expect_no_match("Anglo American Mining Ltd");
    expect_no_match("Sara Lee Corporation");
    expect_no_match("National Bank of Canada");
}

/* A word that spells pieces of a listed name's words is no match unless
 * the record writes it: "Sensa" is not SENat Shipping Agency, "Samba Bank"
 * not SAMan BAnk; KOMID, written in its record, matches. */
static void test_contractions(void **state)
{
    (void)state;
    expect_no_match("Sensa ehf");
    expect_no_match("Samba Bank Limited");
    expect_match("KOMID", "KOREA MINING DEVELOPMENT TRADING CORPORATION");
    /* still reported, for review */
    struct warden_screen_match m = best("Sensa ehf", NULL);
    assert_true(m.score >= 0.7);
}

/* A listed name that shares only common words of company names with the
 * query, and keeps a word the query lacks (a place here), is for review;
 * the same common words that make up the whole listed name still match. */
static void test_shared_generic_words(void **state)
{
    (void)state;
    expect_no_match("Information Systems Company");
    expect_no_match("Advance Technology");
    expect_match("Information Systems Iran", "INFORMATION SYSTEMS IRAN");
    expect_match("United Shipbuilding Corporation", "UNITED SHIPBUILDING CORPORATION");
}

/* A listed name ties, on its one word, with every name one typo from it
 * ("gorge": "george"); past the tied names scored, those holding the
 * query's word as it is come first, so the listed name itself is found. */
static void test_exact_name_among_typo_ties(void **state)
{
    (void)state;
    expect_match("Gorge Limited", "GORGE LIMITED");
    expect_match("GORGE LIMITED", "GORGE LIMITED");
}

/* A common word is found one typo away from its full spelling
 * ("Internatinal"), not from a truncation: "internet" is one letter from
 * "internat" (an abbreviation of "international") and is another word. */
static void test_typo_of_truncation(void **state)
{
    (void)state;
    expect_no_match("Alpha Internet Limited");
    expect_match("Alpha Internatinal Ltd", "ALPHA INTERNATIONAL (PRIVATE) LTD");
    expect_match("Alpha Internat Ltd", "ALPHA INTERNATIONAL (PRIVATE) LTD");
}

static void test_explanation(void **state)
{
    (void)state;
    struct warden_screen_match m = best("ANGLO-CARIBEAN CO LTD", NULL);
    assert_string_equal(m.method, "tokens");
    assert_string_equal(m.query_norm, "anglo caribean");
    assert_string_equal(m.listed_norm, "anglo caribbean");
    assert_string_equal(m.query_legal, "LTD");
    assert_string_equal(m.listed_legal, "LTD");
    assert_int_equal(m.n_pairs, 2);
    bool saw_typo = false;
    for (int i = 0; i < m.n_pairs; i++)
        if (strcmp(m.pairs[i].query, "caribean") == 0) {
            assert_string_equal(m.pairs[i].listed, "caribbean");
            assert_true(m.pairs[i].sim < 1 && m.pairs[i].sim > 0.9);
            saw_typo = true;
        }
    assert_true(saw_typo);
    assert_true(m.adj_legal > 0);
    assert_string_equal(m.entity->list, "ofac-sdn-2019");
    assert_string_equal(m.entity->source_id, "173");
    assert_string_equal(m.entity->program, "CUBA");
}

static void test_country_and_id(void **state)
{
    (void)state;
    struct warden_screen_match a = best("Anglo Caribbean Co Ltd", "GB");
    struct warden_screen_match b = best("Anglo Caribbean Co Ltd", "Japan");
    assert_true(a.adj_country > 0);
    assert_true(b.adj_country < 0);
    assert_true(a.score > b.score);
    /* an identifier from the remarks ("Registered Charity No. 4636613") */
    struct warden_screen_match m[5];
    struct warden_screen_query q = {"Sara Properties", NULL, NULL, "4636613"};
    int n = warden_screen_name(S, W, &q, m, 5);
    assert_true(n > 0);
    assert_true(m[0].adj_id > 0);
}

/* All "Cone" shares with the listed "CONE S.A." (Colombia) is one short word:
 * from another country it is still a match, but the country takes twice the
 * penalty, so it stays below a blocking score; a longer word ("Rosneft"), or
 * one short word with a place ("China Mobile"), keeps the usual penalty. */
static void test_short_word_country(void **state)
{
    (void)state;
    struct warden_screen_match co = best("Cone", "CO"), us = best("Cone", "US");
    assert_true(co.is_match && us.is_match);
    assert_true(co.adj_country > 0);
    assert_true(us.adj_country <= -0.079 && us.adj_country >= -0.081);
    assert_true(us.score < 0.95);
    struct warden_screen_match r = best("Rosneft", "DE"), c = best("China Mobile", "HK");
    assert_true(r.adj_country <= -0.039 && r.adj_country >= -0.041);
    assert_true(c.adj_country <= -0.039 && c.adj_country >= -0.041);
    assert_true(r.score >= 0.95 && c.score >= 0.95);
}

static void test_domains(void **state)
{
    (void)state;
    const struct warden_screen_entity *e[4];
    /* from the SDN remarks: "http://www.saraproperties.co.uk (website)" */
    int n = warden_screen_domain(S, "mail.saraproperties.co.uk", e, 4);
    assert_true(n >= 1);
    bool sara = false;
    for (int i = 0; i < n; i++)
        sara |= strcmp(warden_screen_entity_name(S, e[i], 0) ? warden_screen_entity_name(S, e[i], 0)
                                                             : "",
                       "SARA PROPERTIES LIMITED") == 0;
    assert_true(sara);
    /* from the websites list */
    assert_true(warden_screen_domain(S, "https://1vpns.com/login", e, 4) >= 1);
    /* a listed e-mail address restricts that address, not its provider */
    assert_true(warden_screen_domain(S, "1044064266@qq.com", e, 4) >= 1);
    assert_int_equal(warden_screen_domain(S, "someone@qq.com", e, 4), 0);
    assert_int_equal(warden_screen_domain(S, "qq.com", e, 4), 0);
    assert_int_equal(warden_screen_domain(S, "example.org", e, 4), 0);
    /* a page on a big site is not its whole domain */
    assert_int_equal(warden_screen_domain(S, "facebook.com", e, 4), 0);
}

static void test_conf_table(void **state)
{
    (void)state;
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    assert_true(c.match_threshold > 0.8 && c.match_threshold < 0.95);
    assert_true(c.ownership_threshold == 50);
    assert_false(c.jurisdiction_owners);
    int keys = 0;
    for (const struct warden_conf_key *k = warden_screen_conf_table; k->key; k++) {
        assert_non_null(k->help);
        keys++;
    }
    assert_true(keys >= 10);
    warden_screen_conf_fini(&c);
}

/* The loaded lists are shared read-only: two threads, each with its own
 * scratch, get the same answers as one. */
static const char *const tq[] = {
    "华为技术有限公司",      "Роснефть",           "حزب الله", "Sara Properties Ltd",
    "ANGLO-CARIBEAN CO LTD", "Acme Trading Co Ltd"};
#define NTQ (sizeof tq / sizeof tq[0])

static void *worker(void *arg)
{
    double *scores = arg;
    struct warden_screen_scratch *w = warden_screen_scratch_new(S);
    for (int rep = 0; rep < 50; rep++)
        for (size_t i = 0; i < NTQ; i++) {
            struct warden_screen_match m[3];
            struct warden_screen_query q = {tq[i], "Россия", NULL, NULL};
            int n = warden_screen_name(S, w, &q, m, 3);
            double sc = n > 0 ? m[0].score : -1;
            if (rep == 0)
                scores[i] = sc;
            else if (scores[i] != sc)
                scores[i] = -2; /* changed between repetitions */
        }
    warden_screen_scratch_free(w);
    return NULL;
}

/* A scratch reused across queries (names found marked per query, each
 * candidate scored and explained once) gives what a fresh scratch gives: the
 * same matches in the same order, with the same scores and explanations. */
static void test_scratch_reuse(void **state)
{
    (void)state;
    static const char *const names[] = {
        "ANGLO-CARIBEAN CO LTD",
        "NIOC",
        "Bank of China",
        "三菱重工業",
        "中兴通讯股份有限公司",
        "Islamic Republic of Iran Shipping Lines",
        "TRADING COMPANY",
        "Green Leaf Trading LLC",
        "Rosneft",
        "Kaspersky",
    };
    size_t nn = sizeof names / sizeof *names;
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < nn; i++) {
            struct warden_screen_match a[8], b[8];
            struct warden_screen_query q = {names[i], NULL, NULL, NULL};
            int na = warden_screen_name(S, NULL, &q, a, 8); /* a fresh scratch */
            int nb = warden_screen_name(S, W, &q, b, 8);
            assert_int_equal(na, nb);
            for (int k = 0; k < na; k++) {
                assert_ptr_equal(a[k].entity, b[k].entity);
                assert_true(a[k].score == b[k].score && a[k].name_score == b[k].name_score);
                assert_string_equal(a[k].matched_name, b[k].matched_name);
                assert_string_equal(a[k].method, b[k].method);
                assert_string_equal(a[k].query_norm, b[k].query_norm);
                assert_string_equal(a[k].listed_norm, b[k].listed_norm);
                assert_string_equal(a[k].query_legal, b[k].query_legal);
                assert_string_equal(a[k].listed_legal, b[k].listed_legal);
                assert_int_equal(a[k].n_pairs, b[k].n_pairs);
                assert_true(a[k].adj_legal == b[k].adj_legal);
                if (k) assert_true(a[k - 1].score >= a[k].score);
            }
        }
}

static void test_threads(void **state)
{
    (void)state;
    double one[NTQ], a[NTQ], b[NTQ];
    worker(one);
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, worker, a), 0);
    assert_int_equal(pthread_create(&t2, NULL, worker, b), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    for (size_t i = 0; i < NTQ; i++) {
        assert_true(one[i] != -2);
        assert_true(a[i] == one[i]);
        assert_true(b[i] == one[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_non_matches),
        cmocka_unit_test(test_explanation),
        cmocka_unit_test(test_country_and_id),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_conf_table),
        cmocka_unit_test(test_short_word_country),
        cmocka_unit_test(test_contractions),
        cmocka_unit_test(test_shared_generic_words),
        cmocka_unit_test(test_exact_name_among_typo_ties),
        cmocka_unit_test(test_typo_of_truncation),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_scratch_reuse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
