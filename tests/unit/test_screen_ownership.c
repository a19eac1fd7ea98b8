/* test_screen_ownership.c — the aggregate 50 % rule: OFAC's worked examples
 * (2014 revised guidance), the counter-example of indirect holdings through a
 * non-blocked entity, chains of 4+ levels, cycles, missing owners, owners
 * known by name only, restricted-jurisdiction owners, and the lists' own
 * FollowTheMoney ownership relations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry/registry.h"
#include "screen/screen.h"

#include <unistd.h>

static struct warden_screen *S;
static struct warden_screen_scratch *W;

static int setup(void **state)
{
    (void)state;
    char err[512];
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    int rc =
        warden_screen_load(&S, "tests/data/screen/lists.tsv", "data/screen", &c, err, sizeof err);
    warden_screen_conf_fini(&c);
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

#define MAXO 8
static struct warden_owner owners[64][MAXO];

static struct warden_org org(int i, const char *id, const char *name, const char *cc)
{
    struct warden_org o;
    memset(&o, 0, sizeof o);
    o.org_id = (char *)id;
    o.name = (char *)name;
    if (cc) memcpy(o.country, cc, 3);
    o.owners = owners[i];
    return o;
}

static void own_id(struct warden_org *o, const char *id, double share)
{
    o->owners[o->n_owners++] = (struct warden_owner){(char *)id, NULL, share};
}

static void own_name(struct warden_org *o, const char *name, double share)
{
    o->owners[o->n_owners++] = (struct warden_owner){NULL, (char *)name, share};
}

static const struct warden_screen_verdict *run(struct warden_org *orgs, size_t n, size_t i,
                                               struct warden_screen_ownership **o, char *chain,
                                               size_t cl)
{
    assert_int_equal(warden_screen_orgs(S, W, orgs, n, o), 0);
    warden_screen_ownership_chain(*o, i, chain, cl);
    return warden_screen_ownership_at(*o, i);
}

/* Example 1: A (blocked) owns 50 % of X -> X blocked. */
static void test_example1(void **state)
{
    (void)state;
    struct warden_org o[1] = {org(0, "x", "Xray Widgets GmbH", "DE")};
    own_name(&o[0], "Alpha Blocked Holdings Ltd", 50);
    struct warden_screen_ownership *ow;
    char chain[1024];
    const struct warden_screen_verdict *v = run(o, 1, 0, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_int_equal(v->reason, WARDEN_SCREEN_OWNED_BY_LISTED);
    assert_true(v->restricted_share >= 50);
    assert_non_null(strstr(chain, "50% Alpha Blocked Holdings Ltd [listed: test-ftm ws-alpha"));
    assert_string_equal(warden_screen_reason_code(v->reason), "screen.owned_by_listed");
    warden_screen_ownership_free(ow);
}

/* Example 2: A 25 % and B 25 %, both blocked -> X blocked in the aggregate. */
static void test_example2(void **state)
{
    (void)state;
    struct warden_org o[1] = {org(0, "x", "Xray Widgets GmbH", "DE")};
    own_name(&o[0], "Alpha Blocked Holdings", 25);
    own_name(&o[0], "Bravo Sanctioned Industries", 25);
    own_name(&o[0], "Some Pension Fund", 50);
    struct warden_screen_ownership *ow;
    char chain[1024];
    const struct warden_screen_verdict *v = run(o, 1, 0, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_int_equal((int)v->n_contribs, 2);
    assert_non_null(strstr(chain, "25% Alpha"));
    assert_non_null(strstr(chain, "25% Bravo"));
    warden_screen_ownership_free(ow);
    /* 25 % + 24 % is below the threshold */
    struct warden_org p[1] = {org(1, "y", "Yankee Widgets GmbH", "DE")};
    own_name(&p[0], "Alpha Blocked Holdings", 25);
    own_name(&p[0], "Bravo Sanctioned Industries", 24);
    v = run(p, 1, 0, &ow, chain, sizeof chain);
    assert_false(v->restricted);
    assert_true(v->restricted_share > 48.9 && v->restricted_share < 49.1);
    warden_screen_ownership_free(ow);
}

/* Example 3: A owns 50 % of B, B owns 50 % of C -> C blocked through B. */
static void test_example3(void **state)
{
    (void)state;
    struct warden_org o[2] = {org(0, "b", "Bellwether Trading LLC", "AE"),
                              org(1, "c", "Cobalt Software Pte. Ltd.", "SG")};
    own_name(&o[0], "Alpha Blocked Holdings", 50);
    own_id(&o[1], "b", 50);
    struct warden_screen_ownership *ow;
    char chain[1024];
    const struct warden_screen_verdict *v = run(o, 2, 1, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_string_equal(chain, "Cobalt Software Pte. Ltd. <- 50% Bellwether Trading LLC <- 50% "
                               "Alpha Blocked Holdings [listed: test-ftm ws-alpha \"Alpha Blocked "
                               "Holdings Ltd\" score 1.00]");
    warden_screen_ownership_free(ow);
}

/* Counter-example: holdings through an entity that is not blocked do not
 * aggregate. A owns 40 % of D (D not blocked); D owns 60 % of E -> E clear.
 * A owns 25 % of F directly and D owns 30 % of F -> F clear (only 25 % counts). */
static void test_counter_example(void **state)
{
    (void)state;
    struct warden_org o[3] = {org(0, "d", "Delta Logistics Ltd", "GB"),
                              org(1, "e", "Echo Robotics Inc", "US"),
                              org(2, "f", "Foxtrot Analytics SA", "FR")};
    own_name(&o[0], "Alpha Blocked Holdings", 40);
    own_id(&o[1], "d", 60);
    own_name(&o[2], "Alpha Blocked Holdings", 25);
    own_id(&o[2], "d", 30);
    struct warden_screen_ownership *ow;
    char chain[1024];
    const struct warden_screen_verdict *v = run(o, 3, 0, &ow, chain, sizeof chain);
    assert_false(v->restricted);
    assert_false(warden_screen_ownership_at(ow, 1)->restricted);
    assert_false(warden_screen_ownership_at(ow, 2)->restricted);
    assert_true(warden_screen_ownership_at(ow, 2)->restricted_share < 25.1);
    warden_screen_ownership_free(ow);
}

/* A chain of five levels below a listed owner. */
static void test_long_chain(void **state)
{
    (void)state;
    struct warden_org o[5] = {
        org(0, "l1", "Level One Holdings", "CY"), org(1, "l2", "Level Two Capital", "VG"),
        org(2, "l3", "Level Three Partners", "LU"), org(3, "l4", "Level Four Ventures", "NL"),
        org(4, "l5", "Level Five Cloud Ltd", "IE")};
    own_name(&o[0], "Bravo Sanctioned Industries", 100);
    own_id(&o[1], "l1", 60);
    own_id(&o[2], "l2", 50);
    own_id(&o[3], "l3", 75);
    own_id(&o[4], "l4", 50);
    struct warden_screen_ownership *ow;
    char chain[2048];
    const struct warden_screen_verdict *v = run(o, 5, 4, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_non_null(strstr(chain, "Level Five Cloud Ltd <- 50% Level Four Ventures <- 75% Level "
                                  "Three Partners <- 50% Level Two Capital <- 60% Level One "
                                  "Holdings <- 100% Bravo Sanctioned Industries [listed"));
    warden_screen_ownership_free(ow);
    /* break the chain in the middle: 49 % */
    o[2].n_owners = 0;
    own_id(&o[2], "l2", 49);
    v = run(o, 5, 4, &ow, chain, sizeof chain);
    assert_false(v->restricted);
    assert_true(warden_screen_ownership_at(ow, 1)->restricted);
    assert_false(warden_screen_ownership_at(ow, 2)->restricted);
    warden_screen_ownership_free(ow);
}

/* Cycles: a cycle with no restricted entry stays clear; one with an entry
 * becomes restricted, and the computation terminates. */
static void test_cycles(void **state)
{
    (void)state;
    struct warden_org o[4] = {
        org(0, "p", "Papa Metals Ltd", "GB"), org(1, "q", "Quebec Metals Ltd", "CA"),
        org(2, "r", "Romeo Mining AG", "CH"), org(3, "s", "Sierra Mining AG", "CH")};
    own_id(&o[0], "q", 50);
    own_id(&o[1], "p", 50);
    own_name(&o[2], "Alpha Blocked Holdings", 50);
    own_id(&o[2], "s", 50);
    own_id(&o[3], "r", 60);
    struct warden_screen_ownership *ow;
    char chain[1024];
    run(o, 4, 0, &ow, chain, sizeof chain);
    assert_false(warden_screen_ownership_at(ow, 0)->restricted);
    assert_false(warden_screen_ownership_at(ow, 1)->restricted);
    assert_true(warden_screen_ownership_at(ow, 2)->restricted);
    assert_true(warden_screen_ownership_at(ow, 3)->restricted);
    warden_screen_ownership_chain(ow, 3, chain, sizeof chain);
    assert_non_null(strstr(chain, "Sierra Mining AG <- 60% Romeo Mining AG <- 50% Alpha"));
    /* the cycle never counts a share twice: Sierra's 50 % of Romeo is held by
     * an owner restricted only because of Romeo, so Romeo's share is Alpha's 50 */
    assert_true(warden_screen_ownership_at(ow, 2)->restricted_share < 50.1);
    assert_true(warden_screen_ownership_at(ow, 2)->restricted_share > 49.9);
    assert_true(warden_screen_ownership_at(ow, 3)->restricted_share < 60.1);
    warden_screen_ownership_free(ow);
}

/* A cycle through a listed owner's asset (the probe's restricted_share: 110):
 * A (listed) owns 60 % of B, B owns 50 % of C, C owns 50 % of B. */
static void test_cycle_share_counted_once(void **state)
{
    (void)state;
    struct warden_org o[2] = {org(0, "b", "Bravo Trading Ltd", "GB"),
                              org(1, "c", "Charlie Trading Ltd", "GB")};
    own_name(&o[0], "Alpha Blocked Holdings", 60);
    own_id(&o[0], "c", 50);
    own_id(&o[1], "b", 50);
    struct warden_screen_ownership *ow;
    char chain[512];
    run(o, 2, 0, &ow, chain, sizeof chain);
    for (size_t i = 0; i < warden_screen_ownership_n(ow); i++)
        assert_true(warden_screen_ownership_at(ow, i)->restricted_share <= 100);
    assert_true(warden_screen_ownership_at(ow, 0)->restricted);
    assert_true(warden_screen_ownership_at(ow, 0)->restricted_share < 60.1);
    assert_true(warden_screen_ownership_at(ow, 1)->restricted);
    warden_screen_ownership_free(ow);
    /* a listed organisation keeps the share of owners listed themselves */
    struct warden_org l[1] = {org(2, "a", "Alpha Blocked Holdings Ltd", "GB")};
    own_name(&l[0], "Bravo Sanctioned Industries", 30);
    run(l, 1, 0, &ow, chain, sizeof chain);
    assert_true(warden_screen_ownership_at(ow, 0)->restricted);
    assert_true(warden_screen_ownership_at(ow, 0)->restricted_share > 29.9);
    assert_true(warden_screen_ownership_at(ow, 0)->restricted_share < 30.1);
    warden_screen_ownership_free(ow);
}

/* orgs.jsonl: a share outside 0-100 makes the line a reject (as in the
 * registry), it is never counted; a valid line next to it is read. */
static void test_orgs_file_share_bounds(void **state)
{
    (void)state;
    char path[] = "/tmp/warden-orgs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *txt =
        "{\"org_id\":\"a\",\"name\":\"Huge Share "
        "Ltd\",\"owners\":[{\"name\":\"X\",\"share\":1e300}]}\n"
        "{\"org_id\":\"b\",\"name\":\"Minus Ltd\",\"owners\":[{\"name\":\"X\",\"share\":-1e300}]}\n"
        "{\"org_id\":\"c\",\"name\":\"Over Ltd\",\"owners\":[{\"name\":\"X\",\"share\":100.5}]}\n"
        "{\"org_id\":\"d\",\"name\":\"Fine Ltd\",\"owners\":[{\"name\":\"X\",\"share\":100}]}\n";
    assert_int_equal(write(fd, txt, strlen(txt)), (int)strlen(txt));
    close(fd);
    struct warden_registry *reg = NULL;
    char err[256];
    assert_int_equal(warden_registry_load(&reg, NULL, path, err, sizeof err), 0);
    unlink(path);
    assert_int_equal((int)warden_registry_n_orgs(reg), 1);
    assert_string_equal(warden_registry_org_at(reg, 0)->org_id, "d");
    assert_int_equal((int)warden_registry_org_at(reg, 0)->n_owners, 1);
    warden_registry_free(reg);
}

/* Missing owners (unknown org_id, no name) are ignored and counted. */
static void test_missing_owner(void **state)
{
    (void)state;
    struct warden_org o[1] = {org(0, "m", "Mike Devices Ltd", "GB")};
    own_id(&o[0], "does-not-exist", 80);
    struct warden_screen_ownership *ow;
    char chain[256];
    const struct warden_screen_verdict *v = run(o, 1, 0, &ow, chain, sizeof chain);
    assert_false(v->restricted);
    assert_int_equal((int)warden_screen_ownership_missing(ow), 1);
    warden_screen_ownership_free(ow);
}

/* The organisation itself listed (by name, alias in another script, domain). */
static void test_self_listed(void **state)
{
    (void)state;
    struct warden_org o[3] = {org(0, "a", "АЛЬФА БЛОКЕД ХОЛДИНГС", "IR"),
                              org(1, "b", "Innocent Name Ltd", "GB"),
                              org(2, "c", "Charlie Clean Ltd", "GB")};
    o[1].domain = "shop.alpha-blocked.example";
    struct warden_screen_ownership *ow;
    char chain[512];
    const struct warden_screen_verdict *v = run(o, 3, 0, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_int_equal(v->reason, WARDEN_SCREEN_LISTED);
    assert_true(warden_screen_ownership_at(ow, 1)->restricted);
    assert_non_null(warden_screen_ownership_at(ow, 1)->domain_entity);
    assert_false(warden_screen_ownership_at(ow, 2)->restricted);
    warden_screen_ownership_free(ow);
}

/* A one-list set written to a temporary directory dir (a mkdtemp template)
 * from FollowTheMoney JSON lines, loaded with conf c. */
static struct warden_screen *temp_lists(char *dir, const char *jsonl,
                                        const struct warden_screen_conf *c)
{
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/lists.tsv", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("t-ftm\tftm_json\tv.jsonl\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/v.jsonl", dir);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(jsonl, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/lists.tsv", dir);
    char err[512];
    struct warden_screen *s = NULL;
    int rc = warden_screen_load(&s, p, "data/screen", c, err, sizeof err);
    if (rc < 0) fprintf(stderr, "%s\n", err);
    assert_true(rc >= 0);
    return s;
}

static void remove_temp_lists(const char *dir)
{
    char p[256];
    snprintf(p, sizeof p, "%s/v.jsonl", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lists.tsv", dir);
    unlink(p);
    rmdir(dir);
}

/* A listed vessel or aircraft is property, not a party: a company named like
 * it (or owned by an owner named like it) is not restricted by that entry,
 * while the same name listed as a company is. */
static void test_vessel_is_not_a_party(void **state)
{
    (void)state;
    char dir[] = "/tmp/warden-own-vessel-XXXXXX";
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    struct warden_screen *s = temp_lists(
        dir,
        "{\"id\":\"v1\",\"schema\":\"Vessel\",\"target\":true,\"properties\":{\"name\":"
        "[\"Destiny Horizon\"]}}\n"
        "{\"id\":\"a1\",\"schema\":\"Airplane\",\"target\":true,\"properties\":{\"name\":"
        "[\"Silver Kestrel\"]}}\n"
        "{\"id\":\"c1\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
        "[\"Northwind Marlin Shipping\"]}}\n",
        &c);
    warden_screen_conf_fini(&c);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    /* the names match their entries (the matcher itself is unchanged) */
    struct warden_screen_match m[2];
    struct warden_screen_query q = {"Destiny Horizon N.V.", NULL, NULL, NULL};
    assert_true(warden_screen_name(s, w, &q, m, 2) > 0 && m[0].is_match);
    struct warden_org o[4] = {org(0, "v", "Destiny Horizon N.V.", "NL"),
                              org(1, "a", "Silver Kestrel Ltd", "GB"),
                              org(2, "o", "Harbour Holdings BV", "NL"),
                              org(3, "c", "Northwind Marlin Shipping LLC", "AE")};
    own_name(&o[2], "Destiny Horizon", 100);
    struct warden_screen_ownership *ow;
    assert_int_equal(warden_screen_orgs(s, w, o, 4, &ow), 0);
    assert_false(warden_screen_ownership_at(ow, 0)->restricted);
    assert_false(warden_screen_ownership_at(ow, 1)->restricted);
    assert_false(warden_screen_ownership_at(ow, 2)->restricted);
    assert_true(warden_screen_ownership_at(ow, 3)->restricted);
    warden_screen_ownership_free(ow);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    remove_temp_lists(dir);
}

/* An organisation is not a listed person: a company whose name holds a
 * listed man's one-word alias is not restricted by it, nor one whose initials
 * spell a listed person's name (a person's name is no acronym's expansion),
 * while an owner named like the person is that person, and the same words
 * listed for a company restrict. */
static void test_person_is_not_the_organisation(void **state)
{
    (void)state;
    char dir[] = "/tmp/warden-own-person-XXXXXX";
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    struct warden_screen *s =
        temp_lists(dir,
                   "{\"id\":\"p1\",\"schema\":\"Person\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Qasimov Khalendar\"],\"alias\":[\"Khalendar\"]}}\n"
                   "{\"id\":\"p2\",\"schema\":\"Person\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Abu Mohammad Aminullah Peshawari\"]}}\n"
                   "{\"id\":\"c1\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Vostrel Orbital Systems\"]}}\n",
                   &c);
    warden_screen_conf_fini(&c);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    /* the one-word alias still matches the company's name as a name ... */
    struct warden_screen_match m[2];
    struct warden_screen_query q = {"Khalendar University", NULL, NULL, NULL};
    assert_true(warden_screen_name(s, w, &q, m, 2) > 0 && m[0].is_match);
    /* ... but no acronym stands for a person: nothing near a match */
    struct warden_screen_query qa = {"AMAP SpA", NULL, NULL, NULL};
    int n = warden_screen_name(s, w, &qa, m, 2);
    for (int k = 0; k < n; k++) assert_false(m[k].is_match);
    struct warden_org o[4] = {
        org(0, "u", "Khalendar University", "GB"), org(1, "h", "Meridian Holdings BV", "NL"),
        org(2, "c", "Vostrel Orbital Systems LLC", "AE"), org(3, "a", "AMAP SpA", "IT")};
    own_name(&o[1], "Qasimov Khalendar", 60);
    struct warden_screen_ownership *ow;
    assert_int_equal(warden_screen_orgs(s, w, o, 4, &ow), 0);
    assert_false(warden_screen_ownership_at(ow, 0)->restricted);
    assert_true(warden_screen_ownership_at(ow, 1)->restricted); /* owned by the person */
    assert_true(warden_screen_ownership_at(ow, 2)->restricted);
    assert_false(warden_screen_ownership_at(ow, 3)->restricted);
    warden_screen_ownership_free(ow);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    remove_temp_lists(dir);
}

/* Lists write out the names they know: a party listed only under an acronym
 * is matched by a name whose initials spell it for review, not as a match; a
 * party listed with its full name matches both ways. */
static void test_listed_acronym_only(void **state)
{
    (void)state;
    char dir[] = "/tmp/warden-own-acr-XXXXXX";
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    struct warden_screen *s =
        temp_lists(dir,
                   "{\"id\":\"c1\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
                   "[\"NQTV\"]}}\n"
                   "{\"id\":\"c2\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Korvel Mining Development Corporation\"],\"alias\":[\"KMDC\"]}}\n",
                   &c);
    warden_screen_conf_fini(&c);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_screen_match m[2];
    struct warden_screen_query q = {"Nordvik Quarry Tellurium Ventures", NULL, NULL, NULL};
    int n = warden_screen_name(s, w, &q, m, 2);
    assert_true(n > 0);
    assert_false(m[0].is_match);
    assert_true(m[0].score >= warden_screen_get_conf(s)->review_threshold);
    q.country = NULL;
    q.name = "KMDC";
    assert_true(warden_screen_name(s, w, &q, m, 2) > 0 && m[0].is_match);
    q.name = "Korvel Mining Development Corp.";
    assert_true(warden_screen_name(s, w, &q, m, 2) > 0 && m[0].is_match);
    /* a free pair of names has no list side: initials still match */
    bool match;
    warden_screen_compare(s, w, "Nordvik Quarry Tellurium Ventures", "NQTV", &match);
    assert_true(match);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    remove_temp_lists(dir);
}

/* An OFAC set of aliases without its primary file leaves entries of unknown
 * kind; one with no address at all is a ship, aircraft or person far more
 * often than a company, so it is not taken for an organisation named like
 * it, while an entry with an address is, and an owner so named still is. */
static void test_unknown_kind_without_address(void **state)
{
    (void)state;
    char dir[] = "/tmp/warden-own-unk-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char alt[256], add[256], a1[300], a2[300];
    snprintf(alt, sizeof alt, "%s/alt.csv", dir);
    snprintf(add, sizeof add, "%s/add.csv", dir);
    FILE *f = fopen(alt, "w");
    assert_non_null(f);
    fputs("900,1,\"fka\",\"BRIGHTWATER\",-0- \n901,2,\"aka\",\"KESTRELNET TRADING\",-0- \n", f);
    fclose(f);
    f = fopen(add, "w");
    assert_non_null(f);
    fputs("900,10,-0- ,-0- ,-0- ,-0- \n901,11,\"Lenina 5\",\"Moscow\",\"Russia\",-0- \n", f);
    fclose(f);
    snprintf(a1, sizeof a1, "alt=%s", alt);
    snprintf(a2, sizeof a2, "add=%s", add);
    const char *files[] = {a1, a2};
    char err[512];
    struct warden_screen *s;
    assert_int_equal(warden_screen_new(&s, "data/screen", NULL, err, sizeof err), 0);
    assert_int_equal(warden_screen_add_list(s, "aliases", "ofac_csv", files, 2, err, sizeof err),
                     0);
    assert_int_equal(warden_screen_finish(s, err, sizeof err), 0);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_org o[3] = {org(0, "b", "Brightwater Internet BV", "NL"),
                              org(1, "k", "Kestrelnet Trading LLC", "AE"),
                              org(2, "h", "Harbour Holdings BV", "NL")};
    own_name(&o[2], "Brightwater", 100);
    struct warden_screen_ownership *ow;
    assert_int_equal(warden_screen_orgs(s, w, o, 3, &ow), 0);
    assert_false(warden_screen_ownership_at(ow, 0)->restricted);
    assert_true(warden_screen_ownership_at(ow, 1)->restricted);
    assert_true(warden_screen_ownership_at(ow, 2)->restricted);
    warden_screen_ownership_free(ow);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    remove(alt);
    remove(add);
    rmdir(dir);
}

/* A possible match (review_threshold .. match_threshold) with a listed
 * organisation is reported for review when the organisation's own country
 * corroborates it (screen.possible_match), and what such an organisation
 * holds the threshold of is possibly owned by listed parties, with the
 * chain; a possible match that nothing corroborates, with a person, or on an
 * unlisted country is clear, and so is a holding under the threshold. */
static void test_possible_matches_for_review(void **state)
{
    (void)state;
    char dir[] = "/tmp/warden-own-possible-XXXXXX";
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    assert_true(c.possible_review); /* the default */
    struct warden_screen *s =
        temp_lists(dir,
                   "{\"id\":\"c1\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Corvina Tidewater Logistics S.A. de C.V.\"],\"country\":[\"mx\"]}}\n"
                   "{\"id\":\"p1\",\"schema\":\"Person\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Tidewater, Corvin Amadeo\"],\"country\":[\"gb\"]}}\n"
                   "{\"id\":\"c2\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
                   "[\"Quillon Ferrous Trading\"]}}\n",
                   &c);
    struct warden_screen_scratch *w = warden_screen_scratch_new(s);
    struct warden_org o[9] = {
        org(0, "pm", "Corvina Tidewater", "MX"),                 /* possible, country agrees */
        org(1, "gb", "Corvina Tidewater Logistics Group", "GB"), /* possible, country differs */
        org(2, "per", "Corvin Tidewater Ltd", "GB"),             /* possible with a person */
        org(3, "nc", "Quillon Ferrous Trading Group", "DE"),     /* the party has no country */
        org(4, "sub", "Harbour Holdings BV", "NL"),              /* 60 % held by pm */
        org(5, "sub2", "Harbour Shipping BV", "NL"),             /* 100 % held by sub */
        org(6, "min", "Minnow Traders BV", "NL"),                /* 40 % held by pm */
        org(7, "full", "Korvina Tidewater Logistic Co", "MX"),   /* a match */
        org(8, "both", "Kestrel Trading BV", "NL"),              /* 30 % pm + 30 % full */
    };
    own_id(&o[4], "pm", 60);
    own_id(&o[5], "sub", 100);
    own_id(&o[6], "pm", 40);
    own_id(&o[8], "pm", 30);
    own_id(&o[8], "full", 30);
    struct warden_screen_ownership *ow;
    assert_int_equal(warden_screen_orgs(s, w, o, 9, &ow), 0);
    const struct warden_screen_verdict *v = warden_screen_ownership_at(ow, 0);
    assert_false(v->restricted);
    assert_true(v->has_possible);
    assert_true(v->possible.corroborated);
    assert_true(v->possible.score >= c.review_threshold && v->possible.score < c.match_threshold);
    assert_string_equal(warden_screen_verdict_code(v), "screen.possible_match");
    for (int i = 1; i <= 3; i++) {
        v = warden_screen_ownership_at(ow, (size_t)i);
        assert_false(v->restricted);
        assert_false(v->has_possible);
        assert_string_equal(warden_screen_verdict_code(v), "screen.clear");
    }
    char chain[1024];
    for (int i = 4; i <= 5; i++) {
        v = warden_screen_ownership_at(ow, (size_t)i);
        assert_false(v->restricted);
        assert_true(v->possibly_owned);
        assert_string_equal(warden_screen_verdict_code(v), "screen.possibly_owned_by_listed");
        /* scored by the weakest link: the possible match */
        assert_true(warden_screen_ownership_score(ow, (size_t)i) ==
                    warden_screen_ownership_at(ow, 0)->possible.score);
        warden_screen_ownership_chain(ow, (size_t)i, chain, sizeof chain);
        assert_non_null(strstr(chain, "60% Corvina Tidewater [possible match: t-ftm c1"));
    }
    v = warden_screen_ownership_at(ow, 6);
    assert_false(v->restricted || v->possibly_owned);
    assert_string_equal(warden_screen_verdict_code(v), "screen.clear");
    v = warden_screen_ownership_at(ow, 7);
    assert_true(v->restricted);
    assert_string_equal(warden_screen_verdict_code(v), "screen.listed");
    v = warden_screen_ownership_at(ow, 8); /* 30 % listed alone is not enough; with pm it is */
    assert_false(v->restricted);
    assert_true(v->possibly_owned);
    assert_int_equal(v->n_contribs, 2);
    warden_screen_ownership_free(ow);
    /* off: nothing is reported below a match */
    c.possible_review = false;
    warden_screen_set_conf(s, &c);
    assert_int_equal(warden_screen_orgs(s, w, o, 9, &ow), 0);
    for (int i = 0; i < 9; i++) {
        v = warden_screen_ownership_at(ow, (size_t)i);
        assert_false(v->has_possible || v->possibly_owned);
        assert_true(i == 7 ? v->restricted : !v->restricted);
    }
    warden_screen_ownership_free(ow);
    warden_screen_conf_fini(&c);
    warden_screen_scratch_free(w);
    warden_screen_free(s);
    remove_temp_lists(dir);
}

/* Policy: owners incorporated in a restricted jurisdiction count when enabled. */
static void test_jurisdiction_owners(void **state)
{
    (void)state;
    struct warden_org o[2] = {org(0, "j", "Juliet Parent Co", "ZZ"),
                              org(1, "k", "Kappa Subsidiary BV", "NL")};
    own_id(&o[1], "j", 51);
    struct warden_screen_ownership *ow;
    char chain[512];
    const struct warden_screen_verdict *v = run(o, 2, 1, &ow, chain, sizeof chain);
    assert_false(v->restricted); /* off by default */
    warden_screen_ownership_free(ow);
    struct warden_screen_conf c;
    warden_screen_conf_init(&c);
    c.jurisdiction_owners = true;
    char *zz = "ZZ";
    c.restricted_jurisdictions.v = &zz;
    c.restricted_jurisdictions.n = 1;
    warden_screen_set_conf(S, &c); /* copies */
    v = run(o, 2, 1, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_false(warden_screen_ownership_at(ow, 0)->restricted); /* geo is not listing */
    assert_non_null(strstr(chain, "51% Juliet Parent Co [restricted jurisdiction ZZ]"));
    warden_screen_ownership_free(ow);
    /* headquartered there: the address names the country (here by its name) */
    char *kp = "KP";
    c.restricted_jurisdictions.v = &kp;
    struct warden_org h[2] = {org(2, "h", "Hotel Parent Co", "SG"),
                              org(3, "i", "India Subsidiary BV", "NL")};
    h[0].address = "1 Some Street, Pyongyang, Korea, North";
    own_id(&h[1], "h", 50);
    warden_screen_set_conf(S, &c);
    v = run(h, 2, 1, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_non_null(strstr(chain, "[restricted jurisdiction KP]"));
    warden_screen_ownership_free(ow);
    c.jurisdiction_owners = false;
    c.restricted_jurisdictions.v = NULL;
    c.restricted_jurisdictions.n = 0;
    warden_screen_set_conf(S, &c);
}

/* The lists' own ownership (FtM Ownership): Kilo is 60 % owned by listed
 * Alpha, so screening "Kilo Shell Co" finds a restricted party; Lima (20 %)
 * is not restricted and an org matching it is clear. */
static void test_list_relations(void **state)
{
    (void)state;
    struct warden_screen_match m[4];
    struct warden_screen_query q = {"Kilo Shell Co.", NULL, NULL, NULL};
    int n = warden_screen_name(S, W, &q, m, 4);
    assert_true(n >= 1);
    assert_true(m[0].is_match);
    assert_false(m[0].entity->listed);
    assert_true(m[0].entity->owned_by_listed);
    char chain[512];
    warden_screen_entity_chain(S, m[0].entity, chain, sizeof chain);
    assert_string_equal(chain, "Kilo Shell Company <- (60% Alpha Blocked Holdings Ltd [listed: "
                               "test-ftm ws-alpha])");
    struct warden_org o[2] = {org(0, "k", "Kilo Shell Company", "AE"),
                              org(1, "l", "Lima Minority Partner", "AE")};
    struct warden_screen_ownership *ow;
    const struct warden_screen_verdict *v = run(o, 2, 0, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_false(warden_screen_ownership_at(ow, 1)->restricted);
    warden_screen_ownership_free(ow);
}

/* Scale: a 5,000-level chain and a wide fan-in resolve (linear propagation). */
static void test_scale(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct warden_org *o = calloc(N + 1, sizeof *o);
    struct warden_owner *ow = calloc(N + 1, sizeof *ow);
    char(*ids)[16] = calloc(N + 1, sizeof *ids);
    char(*names)[32] = calloc(N + 1, sizeof *names);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "n%d", i);
        snprintf(names[i], sizeof names[i], "Node %d Widgets Ltd", i);
        o[i].org_id = ids[i];
        o[i].name = names[i];
        o[i].owners = &ow[i];
        o[i].n_owners = 1;
        if (i == 0)
            ow[i] = (struct warden_owner){NULL, "Bravo Sanctioned Industries", 100};
        else
            ow[i] = (struct warden_owner){ids[i - 1], NULL, 50};
    }
    struct warden_screen_ownership *res;
    assert_int_equal(warden_screen_orgs(S, W, o, N, &res), 0);
    assert_true(warden_screen_ownership_at(res, N - 1)->restricted);
    assert_int_equal(warden_screen_ownership_at(res, N - 1)->round, N); /* Bravo is level 0 */
    char chain[256];
    warden_screen_ownership_chain(res, N - 1, chain, sizeof chain);
    assert_non_null(strstr(chain, "Node 4999 Widgets Ltd <- 50% Node 4998 Widgets Ltd"));
    warden_screen_ownership_free(res);
    free(o);
    free(ow);
    free(ids);
    free(names);
}

/* An organisation whose name matches a listed party below certainty and
 * which listed parties also own >= 50 % of: the stronger ground is reported.
 * The match stays in the evidence; an owner restricted only through the
 * organisation itself (a cycle) or matched no better does not count. */
static void test_stronger_of_match_and_ownership(void **state)
{
    (void)state;
    struct warden_org o[4] = {
        org(0, "x", "Alpha Blockd Holdings", "DE"), org(1, "y", "Alpha Blockd Holdings", NULL),
        org(2, "z", "Alpha Blockd Holdings", "DE"), org(3, "q", "Quiet Trading Ltd", "GB")};
    own_name(&o[0], "Bravo Sanctioned Industries", 60); /* exact listed owner */
    own_name(&o[1], "Alfa Blocked Holdings Ltd", 60);   /* owner matched no better (no
                                                         * country on either side) */
    own_id(&o[2], "q", 60);                             /* cycle through Q */
    own_id(&o[3], "z", 100);
    struct warden_screen_ownership *ow;
    char chain[1024];
    const struct warden_screen_verdict *v = run(o, 4, 0, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_true(v->has_match);
    assert_true(v->match.score < 1.0);
    assert_int_equal(v->reason, WARDEN_SCREEN_OWNED_BY_LISTED);
    assert_true(v->restricted_share >= 60);
    assert_non_null(strstr(chain, "60% Bravo Sanctioned Industries [listed: test-ftm ws-bravo"));
    assert_true(warden_screen_ownership_score(ow, 0) > v->match.score);
    assert_true(warden_screen_ownership_score(ow, 0) > 0.999);

    const struct warden_screen_verdict *y = warden_screen_ownership_at(ow, 1);
    assert_true(y->restricted);
    assert_int_equal(y->reason, WARDEN_SCREEN_LISTED);
    assert_true(warden_screen_ownership_score(ow, 1) < 1.0);

    const struct warden_screen_verdict *z = warden_screen_ownership_at(ow, 2);
    assert_int_equal(z->reason, WARDEN_SCREEN_LISTED);
    warden_screen_ownership_free(ow);

    /* an owner matched below certainty itself still counts: Y in Germany
     * (its match takes the country penalty) is 60 % held by an owner named
     * like the listed party with no country to disagree, whose match is the
     * stronger ground */
    o[1] = org(1, "y", "Alpha Blockd Holdings", "DE");
    own_name(&o[1], "Alfa Blocked Holdings Ltd", 60);
    v = run(o, 4, 1, &ow, chain, sizeof chain);
    assert_true(v->restricted);
    assert_true(v->has_match && v->match.score < 1.0);
    assert_int_equal(v->reason, WARDEN_SCREEN_OWNED_BY_LISTED);
    assert_true(warden_screen_ownership_score(ow, 1) > v->match.score);
    assert_true(warden_screen_ownership_score(ow, 1) < 1.0);
    assert_non_null(strstr(chain, "60% Alfa Blocked Holdings Ltd [listed: test-ftm ws-alpha"));
    assert_int_equal(warden_screen_ownership_at(ow, 3)->reason, WARDEN_SCREEN_OWNED_BY_LISTED);
    assert_true(warden_screen_ownership_score(ow, 3) < 1.0); /* through Z's match */
    warden_screen_ownership_free(ow);
}

/* A party listed only under programmes of screen.review_programs (that do
 * not block) does not restrict the organisation matching it: that one is
 * screen.listed_review, scored at most review_program_score, and what it
 * holds the threshold of is possibly owned; an entry also listed under a
 * programme not named (as the list gives them, "A] [B") still restricts;
 * without the key every entry restricts. Programme names are compared
 * without case. */
static void test_review_programs(void **state)
{
    (void)state;
    const char *lists =
        "{\"id\":\"c1\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
        "[\"Kestrel Signal Holdings\"],\"program\":[\"CMIC-EO13959\"]}}\n"
        "{\"id\":\"c2\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
        "[\"Borealis Petro Trading\"],\"program\":[\"UKRAINE-EO13662] [RUSSIA-EO14024\"]}}\n"
        "{\"id\":\"c3\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
        "[\"Taiga Grain Export\"],\"program\":[\"UKRAINE-EO13662\"],\"country\":[\"ru\"]}}\n";
    struct warden_org o[6] = {org(0, "k", "Kestrel Signal Holdings Ltd", "HK"),
                              org(1, "b", "Borealis Petro Trading LLC", "AE"),
                              org(2, "s", "Harbour Relay Services Ltd", "HK"),
                              org(3, "t", "Taiga Grain Exports JSC", "KZ"),
                              org(4, "g", "Steppe Grain Logistics LLP", "KZ"),
                              org(5, "h", "Harvest Line Trading LLP", "KZ")};
    own_id(&o[2], "k", 60);
    own_name(&o[4], "Taiga Grain Export", 70);
    own_name(&o[3], "Taiga Grain Export", 100);
    own_id(&o[5], "t", 80);
    for (int with = 0; with < 3; with++) {
        char dir[] = "/tmp/warden-own-programs-XXXXXX";
        struct warden_screen_conf c;
        warden_screen_conf_init(&c);
        char *progs[] = {"cmic-eo13959", "UKRAINE-EO13662"};
        char *ru[] = {"RU"};
        if (with) {
            c.review_programs.v = progs;
            c.review_programs.n = 2;
        }
        if (with == 2) { /* the list places the owner in a restricted jurisdiction */
            c.jurisdiction_owners = true;
            c.restricted_jurisdictions.v = ru;
            c.restricted_jurisdictions.n = 1;
        }
        struct warden_screen *s = temp_lists(dir, lists, &c);
        c.review_programs.v = NULL;
        c.review_programs.n = 0;
        c.restricted_jurisdictions.v = NULL;
        c.restricted_jurisdictions.n = 0;
        warden_screen_conf_fini(&c);
        struct warden_screen_scratch *w = warden_screen_scratch_new(s);
        struct warden_screen_ownership *ow;
        assert_int_equal(warden_screen_orgs(s, w, o, 6, &ow), 0);
        const struct warden_screen_verdict *k = warden_screen_ownership_at(ow, 0);
        const struct warden_screen_verdict *b = warden_screen_ownership_at(ow, 1);
        const struct warden_screen_verdict *sub = warden_screen_ownership_at(ow, 2);
        const struct warden_screen_verdict *t = warden_screen_ownership_at(ow, 3);
        const struct warden_screen_verdict *g = warden_screen_ownership_at(ow, 4);
        const struct warden_screen_verdict *h = warden_screen_ownership_at(ow, 5);
        assert_true(b->restricted); /* RUSSIA-EO14024 is not named */
        assert_string_equal(warden_screen_verdict_code(b), "screen.listed");
        if (!with) {
            assert_true(k->restricted && sub->restricted && t->restricted && g->restricted &&
                        h->restricted);
            assert_string_equal(warden_screen_verdict_code(sub), "screen.owned_by_listed");
        } else {
            assert_false(k->restricted);
            assert_true(k->review_program && k->possible.is_match);
            assert_string_equal(warden_screen_verdict_code(k), "screen.listed_review");
            assert_true(k->review_score <= 0.8 + 1e-9 && k->review_score > 0.7);
            assert_false(sub->restricted);
            assert_true(sub->possibly_owned);
            assert_string_equal(warden_screen_verdict_code(sub), "screen.possibly_owned_by_listed");
            assert_true(warden_screen_ownership_score(ow, 2) <= 0.8 + 1e-9);
            char chain[512];
            warden_screen_ownership_chain(ow, 2, chain, sizeof chain);
            assert_non_null(strstr(chain, "listed for review"));
            assert_non_null(strstr(chain, "programme CMIC-EO13959"));
            if (with == 1) { /* jurisdiction owners off: reviewed, possibly owned */
                assert_false(t->restricted);
                assert_string_equal(warden_screen_verdict_code(t), "screen.listed_review");
                assert_false(g->restricted || h->restricted);
                assert_true(g->possibly_owned && h->possibly_owned);
            } else { /* the owner's list entry says RU: restricted, with the match's score */
                assert_true(g->restricted);
                assert_string_equal(warden_screen_verdict_code(g), "screen.owned_by_listed");
                assert_true(warden_screen_ownership_score(ow, 4) > 0.999);
                warden_screen_ownership_chain(ow, 4, chain, sizeof chain);
                assert_non_null(strstr(chain, "restricted jurisdiction RU: listed for review"));
                /* a name matched below certainty (0.96, placed in RU by the
                 * entry) wholly owned by the certain one: the stronger
                 * ground, and what it holds 80 % of through it */
                assert_true(t->restricted);
                assert_string_equal(warden_screen_verdict_code(t), "screen.owned_by_listed");
                assert_true(h->restricted);
                assert_true(warden_screen_ownership_score(ow, 5) > 0.999);
            }
        }
        warden_screen_ownership_free(ow);
        warden_screen_scratch_free(w);
        warden_screen_free(s);
        remove_temp_lists(dir);
    }
}

/* An item LIST:PROGRAMME of screen.review_programs counts on that list
 * only: the same programme name can block on another list. */
static void test_review_programs_per_list(void **state)
{
    (void)state;
    const char *lists =
        "{\"id\":\"c2\",\"schema\":\"Company\",\"target\":true,\"properties\":{\"name\":"
        "[\"Borealis Petro Trading\"],\"program\":[\"UKRAINE-EO13662] [RUSSIA-EO14024\"]}}\n";
    const char *items[3][2] = {{"UKRAINE-EO13662", "other-list:RUSSIA-EO14024"},
                               {"UKRAINE-EO13662", "T-FTM:russia-eo14024"},
                               {"t-ftm:UKRAINE-EO13662", "RUSSIA-EO14024"}};
    const bool want[3] = {false, true, true};
    for (int t = 0; t < 3; t++) {
        char dir[] = "/tmp/warden-own-perlist-XXXXXX";
        struct warden_screen_conf c;
        warden_screen_conf_init(&c);
        char *v[2] = {(char *)items[t][0], (char *)items[t][1]};
        c.review_programs.v = v;
        c.review_programs.n = 2;
        struct warden_screen *s = temp_lists(dir, lists, &c);
        c.review_programs.v = NULL;
        c.review_programs.n = 0;
        warden_screen_conf_fini(&c);
        struct warden_screen_scratch *w = warden_screen_scratch_new(s);
        struct warden_screen_match m[1];
        struct warden_screen_query q = {"Borealis Petro Trading LLC", NULL, NULL, NULL};
        assert_int_equal(warden_screen_name(s, w, &q, m, 1), 1);
        assert_true(m[0].is_match);
        assert_true(warden_screen_review_only(s, m[0].entity) == want[t]);
        warden_screen_scratch_free(w);
        warden_screen_free(s);
        remove_temp_lists(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example1),
        cmocka_unit_test(test_example2),
        cmocka_unit_test(test_example3),
        cmocka_unit_test(test_counter_example),
        cmocka_unit_test(test_long_chain),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_cycle_share_counted_once),
        cmocka_unit_test(test_orgs_file_share_bounds),
        cmocka_unit_test(test_missing_owner),
        cmocka_unit_test(test_self_listed),
        cmocka_unit_test(test_vessel_is_not_a_party),
        cmocka_unit_test(test_person_is_not_the_organisation),
        cmocka_unit_test(test_unknown_kind_without_address),
        cmocka_unit_test(test_listed_acronym_only),
        cmocka_unit_test(test_possible_matches_for_review),
        cmocka_unit_test(test_jurisdiction_owners),
        cmocka_unit_test(test_list_relations),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_stronger_of_match_and_ownership),
        cmocka_unit_test(test_review_programs),
        cmocka_unit_test(test_review_programs_per_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
