/* test_policy.c — loading policies: defaults, the example policy, every section,
 * and every class of error with its file:line:column and key path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "policy/policy.h"

#include "detectors_for_tests.h"

static char *tmp_policy(const char *name, const char *text)
{
    const char *dir = getenv("WARDEN_TMP");
    if (!dir) dir = "/tmp";
    mkdir(dir, 0777);
    char *path = warden_xasprintf("%s/test_policy_%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static struct warden_policy *load_ok(const char *name, const char *text)
{
    char *path = tmp_policy(name, text);
    char err[512];
    struct warden_policy *p = NULL;
    int rc = warden_policy_load(&p, path, err, sizeof err);
    if (rc) print_message("unexpected error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(p);
    assert_string_equal(p->path, path);
    free(path);
    return p;
}

/* The load fails with "PATH:LINE:COL: KEY: ..." (col 0: "PATH:LINE: ", line 0 too: "PATH: ",
 * key NULL: no key part)
 * and the message contains reason. */
static void expect_error(const char *name, const char *text, int line, int col, const char *key,
                         const char *reason)
{
    char *path = tmp_policy(name, text);
    char err[1024], want[600];
    struct warden_policy *p = (struct warden_policy *)&err; /* must be reset to NULL */
    int rc = warden_policy_load(&p, path, err, sizeof err);
    if (col)
        snprintf(want, sizeof want, "%s:%d:%d: %s%s", path, line, col, key ? key : "",
                 key ? ": " : "");
    else if (line)
        snprintf(want, sizeof want, "%s:%d: ", path, line);
    else
        snprintf(want, sizeof want, "%s: ", path);
    if (rc != WARDEN_ECONFIG || strncmp(err, want, strlen(want)) != 0 || !strstr(err, reason))
        print_message("want prefix: %s\n  and reason: %s\n  got:        %s\n", want, reason, err);
    assert_int_equal(rc, WARDEN_ECONFIG);
    assert_null(p);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_non_null(strstr(err, reason));
    free(path);
}

static const struct test_velocity_conf *velocity(const struct warden_policy *p)
{
    int i = warden_detector_index("velocity");
    assert_true(i >= 0);
    return warden_policy_detector_conf(p, (size_t)i);
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    (void)state;
    char err[256];
    struct warden_policy *p = NULL;
    assert_int_equal(warden_policy_load(&p, NULL, err, sizeof err), 0);
    assert_null(p->path);
    assert_false(p->shadow);
    assert_int_equal(p->restricted.n, 0); /* no country is built in */
    assert_false(warden_policy_is_restricted(p, "CU"));
    assert_false(warden_policy_is_restricted(p, "IR"));
    assert_int_equal(p->restricted_ip_action, WARDEN_BLOCK);
    assert_int_equal(p->restricted_billing_action, WARDEN_BLOCK);
    assert_true(p->n_rules > 0);
    assert_int_equal(warden_policy_decide(p, "velocity.burst", 0.1), WARDEN_ALLOW);
    assert_int_equal(warden_policy_decide(p, "velocity.burst", 0.6), WARDEN_REVIEW);
    assert_int_equal(warden_policy_decide(p, "distill.template_reuse", 0.95), WARDEN_THROTTLE);
    assert_int_equal(p->allow_accounts.n + p->allow_orgs.n + p->n_allow_nets, 0);
    assert_string_equal(p->intel.locdb, "/var/lib/location/database.db");
    assert_null(p->intel.table);
    assert_int_equal(p->n_detectors, warden_n_detectors);
    for (size_t i = 0; i < p->n_detectors; i++) assert_true(warden_policy_detector_enabled(p, i));
    const struct test_velocity_conf *v = velocity(p);
    assert_int_equal(v->max_rpm, 600);
    assert_string_equal(v->label, "fast");
    assert_int_equal(v->endpoints.n, 2);
    warden_policy_free(p);
    warden_policy_free(NULL);
}

/* ---- the shipped example ---- */

static void test_example_policy(void **state)
{
    (void)state;
    char err[512];
    struct warden_policy *p = NULL;
    int rc = warden_policy_load(&p, "examples/policy.yaml", err, sizeof err);
    if (rc) print_message("%s\n", err);
    assert_int_equal(rc, 0);
    assert_false(p->shadow);
    assert_true(p->restricted.n >= 5);
    assert_true(warden_policy_is_restricted(p, "KP"));
    assert_true(warden_policy_is_restricted(p, "ir")); /* either case */
    assert_false(warden_policy_is_restricted(p, "NL"));
    assert_true(p->n_rules >= 3);
    assert_int_equal(warden_policy_decide(p, WARDEN_REASON_RESTRICTED_IP, 1.0),
                     p->restricted_ip_action);
    for (size_t i = 0; i < p->n_detectors; i++) assert_true(warden_policy_detector_enabled(p, i));
    assert_int_equal(velocity(p)->max_requests_short, 600);
    warden_policy_free(p);
}

/* ---- every section, values set ---- */

static void test_full_policy(void **state)
{
    (void)state;
    struct warden_policy *p = load_ok("full", "# a policy\n"
                                              "shadow: yes\n"
                                              "jurisdictions:\n"
                                              "  restricted: [cu, Ir, KP]\n"
                                              "  ip_action: review\n"
                                              "  billing_action: throttle\n"
                                              "rules:\n"
                                              "  - {code: \"geo.*\", action: block}\n"
                                              "  - code: distill.template_reuse\n"
                                              "    min_score: 0.8\n"
                                              "    action: throttle\n"
                                              "allowlist:\n"
                                              "  accounts: [acct-2, acct-1]\n"
                                              "  orgs: [org-9]\n"
                                              "  networks:\n"
                                              "    - 192.0.2.0/24\n"
                                              "    - 2001:db8::/32\n"
                                              "    - 198.51.100.7\n"
                                              "detectors:\n"
                                              "  velocity:\n"
                                              "    enabled: false\n"
                                              "    max_rpm: 1200\n"
                                              "    score: 0.5\n"
                                              "    per_key: true\n"
                                              "    label: \"slow: but sure\"\n"
                                              "    endpoints: [/v1/chat/completions]\n"
                                              "  jurisdiction: {check_card: false}\n"
                                              "intel:\n"
                                              "  locdb: /srv/location.db\n"
                                              "  lists: [\"vpn:example:/srv/vpn.txt\"]\n"
                                              "  mmdb_asn: /srv/asn.mmdb\n");
    assert_true(p->shadow);
    assert_int_equal(p->restricted.n, 3);
    assert_string_equal(p->restricted.v[0], "CU"); /* normalised to upper case */
    assert_string_equal(p->restricted.v[1], "IR");
    assert_true(warden_policy_is_restricted(p, "CU"));
    assert_true(warden_policy_is_restricted(p, "kp"));
    assert_false(warden_policy_is_restricted(p, "US"));
    assert_false(warden_policy_is_restricted(p, ""));
    assert_false(warden_policy_is_restricted(p, "CUB"));
    assert_false(warden_policy_is_restricted(p, NULL));
    assert_int_equal(p->restricted_ip_action, WARDEN_REVIEW);
    assert_int_equal(p->restricted_billing_action, WARDEN_THROTTLE);
    assert_int_equal(p->n_rules, 2);
    assert_string_equal(p->rules[0].code, "geo.*");
    assert_true(p->rules[0].min_score == 0.0);
    assert_int_equal(p->rules[0].action, WARDEN_BLOCK);
    assert_true(p->rules[1].min_score == 0.8);
    assert_int_equal(p->allow_accounts.n, 2);
    assert_int_equal(p->n_allow_nets, 3);
    assert_int_equal(p->allow_net_len[0], 24);
    assert_int_equal(p->allow_net_len[1], 32);
    assert_int_equal(p->allow_net_len[2], 32);
    int vi = warden_detector_index("velocity"), ji = warden_detector_index("jurisdiction");
    assert_false(warden_policy_detector_enabled(p, (size_t)vi));
    assert_true(warden_policy_detector_enabled(p, (size_t)ji));
    const struct test_velocity_conf *v = velocity(p);
    assert_int_equal(v->max_rpm, 1200);
    assert_true(v->score == 0.5);
    assert_true(v->per_key);
    assert_string_equal(v->label, "slow: but sure");
    assert_int_equal(v->endpoints.n, 1);
    assert_string_equal(v->endpoints.v[0], "/v1/chat/completions");
    const struct test_jurisdiction_conf *j = warden_policy_detector_conf(p, (size_t)ji);
    assert_false(j->check_card);
    assert_string_equal(p->intel.locdb, "/srv/location.db");
    assert_string_equal(p->intel.mmdb_asn, "/srv/asn.mmdb");
    assert_int_equal(p->intel.lists.n, 1);
    assert_null(warden_policy_detector_conf(p, 99));
    assert_false(warden_policy_detector_enabled(p, 99));
    warden_policy_free(p);
}

static void test_lists_and_nulls(void **state)
{
    (void)state;
    /* A comma string for a list; an empty section; null clears a string; rules: [] = none. */
    struct warden_policy *p = load_ok("lists", "jurisdictions:\n"
                                               "  restricted: \"cu, sy\"\n"
                                               "allowlist:\n"
                                               "detectors:\n"
                                               "  velocity:\n"
                                               "    label: ~\n"
                                               "    endpoints: []\n"
                                               "intel:\n"
                                               "  locdb: null\n"
                                               "rules: []\n");
    assert_int_equal(p->restricted.n, 2);
    assert_string_equal(p->restricted.v[1], "SY");
    assert_null(velocity(p)->label);
    assert_int_equal(velocity(p)->endpoints.n, 0);
    assert_null(p->intel.locdb);
    assert_int_equal(p->n_rules, 0);
    assert_int_equal(warden_policy_decide(p, "anything", 1.0), WARDEN_ALLOW);
    warden_policy_free(p);
}

/* ---- errors: file level ---- */

static void test_error_missing_file(void **state)
{
    (void)state;
    char err[512];
    struct warden_policy *p = NULL;
    assert_int_equal(warden_policy_load(&p, "/nonexistent/policy.yaml", err, sizeof err),
                     WARDEN_ECONFIG);
    assert_null(p);
    assert_string_equal(err, "/nonexistent/policy.yaml: cannot open: No such file or directory");
}

static void test_error_directory(void **state)
{
    (void)state;
    char err[512];
    struct warden_policy *p = NULL;
    assert_int_equal(warden_policy_load(&p, "examples", err, sizeof err), WARDEN_ECONFIG);
    assert_null(p);
    assert_string_equal(err, "examples: cannot read: Is a directory");
}

static void test_error_empty(void **state)
{
    (void)state;
    expect_error("empty", "", 1, 0, NULL, "the policy is empty");
    expect_error("comments", "# nothing here\n\n# at all\n", 1, 0, NULL, "the policy is empty");
    expect_error("docstart", "---\n", 1, 0, NULL, "the policy is empty");
}

static void test_error_root_kind(void **state)
{
    (void)state;
    expect_error("root_list", "- shadow: true\n", 1, 1, NULL,
                 "expected a mapping of sections at the top level");
    expect_error("root_scalar", "# hello\nshadow\n", 2, 1, NULL, "got a value");
}

static void test_error_syntax(void **state)
{
    (void)state;
    expect_error("syntax1", "shadow: true\njurisdictions:\n  restricted: [CU, IR\n", 4, 1, NULL,
                 "YAML syntax error: did not find expected ',' or ']'");
    expect_error("syntax2", "shadow: true\n  ip_action: block\n", 2, 12, NULL,
                 "YAML syntax error: mapping values are not allowed");
    expect_error("syntax3", "rules:\n\t- code: x\n", 2, 1, NULL, "YAML syntax error");
    expect_error("twodocs", "shadow: true\n---\nshadow: false\n", 3, 1, NULL,
                 "a second YAML document");
    expect_error("bad_utf8", "shadow: \xff\xfe\n", 0, 0, NULL,
                 "cannot read: invalid leading UTF-8 octet at byte 8");
    expect_error("alias", "jurisdictions:\n  restricted: &r [CU]\nallowlist:\n  orgs: *r\n", 2, 15,
                 NULL, "YAML aliases (*name) are not supported");
}

static void test_error_duplicate(void **state)
{
    (void)state;
    expect_error("dup_root", "shadow: true\nrules: []\nshadow: false\n", 3, 1, "shadow",
                 "duplicate key (first given at line 1)");
    expect_error("dup_nested",
                 "detectors:\n  velocity:\n    max_rpm: 10\n    score: 0.1\n    max_rpm: 20\n", 5,
                 5, "detectors.velocity.max_rpm", "duplicate key (first given at line 3)");
    expect_error("dup_detector", "detectors:\n  velocity: {}\n  velocity: {max_rpm: 5}\n", 3, 3,
                 "detectors.velocity", "duplicate key");
    expect_error("dup_rule", "rules:\n  - {code: x, action: block, code: y}\n", 2, 30,
                 "rules[0].code", "duplicate key");
}

/* ---- errors: unknown keys at each level ---- */

static void test_error_unknown_keys(void **state)
{
    (void)state;
    expect_error("unk_root", "shadow: true\nshdow: false\n", 2, 1, "shdow",
                 "unknown section (known: shadow, jurisdictions, rules, allowlist, detectors, "
                 "intel, screen)");
    expect_error("unk_jur", "jurisdictions:\n  restricted_countries: [CU]\n", 2, 3,
                 "jurisdictions.restricted_countries",
                 "unknown key (known: restricted, ip_action, billing_action)");
    expect_error("unk_allow", "allowlist:\n  ips: [10.0.0.1]\n", 2, 3, "allowlist.ips",
                 "unknown key (known: accounts, orgs, networks)");
    expect_error("unk_intel", "intel:\n  locdb: /x\n  geoip: /y\n", 3, 3, "intel.geoip",
                 "unknown key (known: table, locdb,");
    expect_error("unk_detector", "detectors:\n  speed:\n    max_rpm: 5\n", 2, 3, "detectors.speed",
                 "unknown detector (known: jurisdiction, velocity, screening");
    expect_error("unk_det_key", "detectors:\n  velocity:\n    enabled: true\n    max_rmp: 5\n", 4,
                 5, "detectors.velocity.max_rmp",
                 "unknown key (known: enabled, short_window_s, max_requests_short, "
                 "max_tokens_short, max_rpm, score, per_key, label, endpoints)");
    expect_error("unk_rule_key",
                 "rules:\n  - code: x\n    action: block\n  - code: y\n    score: "
                 "0.5\n    action: review\n",
                 5, 5, "rules[1].score",
                 "unknown key (known: code, min_score, action, strip_reasoning, max_tokens)");
}

/* ---- errors: bad values ---- */

static void test_error_bad_values(void **state)
{
    (void)state;
    expect_error("bad_bool", "shadow: maybe\n", 1, 9, "shadow",
                 "expected true or false, got 'maybe'");
    expect_error("bad_int_text", "detectors:\n  velocity:\n    enabled: true\n    max_rpm: fast\n",
                 4, 14, "detectors.velocity.max_rpm",
                 "expected a whole number from 1 to 1000000, got 'fast'");
    expect_error("bad_int_bound", "detectors:\n  velocity: {max_rpm: 0}\n", 2, 23,
                 "detectors.velocity.max_rpm", "expected a whole number from 1 to 1000000, got 0");
    expect_error("bad_int_frac", "detectors:\n  velocity: {max_rpm: 2.5}\n", 2, 23,
                 "detectors.velocity.max_rpm", "got '2.5'");
    expect_error("bad_double", "detectors:\n  velocity:\n    score: 1.5\n", 3, 12,
                 "detectors.velocity.score", "expected a number from 0 to 1, got 1.5");
    expect_error("bad_enabled", "detectors:\n  jurisdiction:\n    enabled: sometimes\n", 3, 14,
                 "detectors.jurisdiction.enabled", "expected true or false");
    expect_error("bad_null_int", "detectors:\n  velocity:\n    max_rpm:\n", 3, 13,
                 "detectors.velocity.max_rpm", "got nothing");
    expect_error("bad_min_score", "rules:\n  - {code: x, min_score: high, action: block}\n", 2, 26,
                 "rules[0].min_score", "expected a number from 0 to 1, got 'high'");
}

static void test_error_bad_action(void **state)
{
    (void)state;
    expect_error("bad_ip_action", "jurisdictions:\n  ip_action: deny\n", 2, 14,
                 "jurisdictions.ip_action",
                 "expected one of allow, review, throttle, block, got 'deny'");
    expect_error("bad_rule_action", "rules:\n  - code: \"*\"\n    action: Block\n", 3, 13,
                 "rules[0].action", "expected one of allow, review, throttle, block, got 'Block'");
    expect_error("null_billing_action", "jurisdictions:\n  billing_action:\n", 2, 18,
                 "jurisdictions.billing_action",
                 "expected one of allow, review, throttle, block, got nothing");
    expect_error("rule_no_action", "rules:\n  - code: geo.*\n    min_score: 0.2\n", 2, 5,
                 "rules[0]", "a rule needs an 'action'");
    expect_error("rule_no_code", "rules:\n  - {action: block}\n", 2, 5, "rules[0]",
                 "a rule needs a 'code'");
    expect_error("rule_bad_code", "rules:\n  - {code: \"geo*x\", action: block}\n", 2, 12,
                 "rules[0].code", "expected a reason code");
    expect_error("rule_empty_code", "rules:\n  - {code: \"\", action: block}\n", 2, 12,
                 "rules[0].code", "expected a reason code");
}

static void test_error_bad_cidr(void **state)
{
    (void)state;
    expect_error("bad_cidr", "allowlist:\n  networks:\n    - 192.0.2.0/24\n    - 10.0.0.0/33\n", 4,
                 7, "allowlist.networks[1]",
                 "expected an IP address or CIDR prefix (e.g. 192.0.2.0/24 or 2001:db8::/32), "
                 "got '10.0.0.0/33'");
    expect_error("bad_cidr6", "allowlist:\n  networks: [\"2001:db8::/129\"]\n", 2, 14,
                 "allowlist.networks[0]", "got '2001:db8::/129'");
    expect_error("bad_cidr_text", "allowlist:\n  networks: office\n", 2, 13, "allowlist.networks",
                 "got 'office'");
    expect_error("bad_account", "allowlist:\n  accounts: [a, \"\"]\n", 2, 17,
                 "allowlist.accounts[1]", "expected an id");
}

static void test_error_bad_country(void **state)
{
    (void)state;
    expect_error(
        "bad_cc_name", "jurisdictions:\n  restricted: [CU, Cuba]\n", 2, 20,
        "jurisdictions.restricted[1]",
        "expected an ISO 3166-1 alpha-2 country code (two letters, e.g. 'NL'), got 'Cuba'");
    expect_error("bad_cc_digit", "jurisdictions:\n  restricted:\n    - C1\n", 3, 7,
                 "jurisdictions.restricted[0]", "got 'C1'");
    expect_error("bad_cc_utf8", "jurisdictions:\n  restricted: [\"\xc3\x9c\"]\n", 2, 16,
                 "jurisdictions.restricted[0]", "two letters");
    expect_error("bad_cc_comma", "jurisdictions:\n  restricted: \"CU, IRN\"\n", 2, 15,
                 "jurisdictions.restricted", "got 'IRN'");
}

/* ---- errors: wrong node kinds ---- */

static void test_error_node_kinds(void **state)
{
    (void)state;
    expect_error("kind_map_for_scalar", "shadow:\n  on: true\n", 2, 3, "shadow",
                 "expected true or false, got a mapping");
    expect_error("kind_list_for_enum", "jurisdictions:\n  ip_action: [block]\n", 2, 14,
                 "jurisdictions.ip_action", "got a list");
    expect_error("kind_scalar_for_section", "jurisdictions: CU\n", 1, 16, "jurisdictions",
                 "expected a mapping (key: value lines), got a value");
    expect_error("kind_list_for_section", "detectors:\n  - velocity\n", 2, 3, "detectors",
                 "expected a mapping");
    expect_error("kind_list_for_detector", "detectors:\n  velocity: [1]\n", 2, 13,
                 "detectors.velocity", "expected a mapping");
    expect_error("kind_map_in_list", "jurisdictions:\n  restricted:\n    - {CU: yes}\n", 3, 7,
                 "jurisdictions.restricted[0]", "expected a value, got a mapping");
    expect_error("kind_rules_map", "rules:\n  code: x\n  action: block\n", 2, 3, "rules",
                 "expected a list of rules");
    expect_error("kind_rule_scalar", "rules:\n  - geo.*\n", 2, 5, "rules[0]", "expected a mapping");
    /* a key with line breaks is reported on one line */
    expect_error("multiline_key", "? |\n  multi\n  line\n: 1\n", 1, 3, "multi?line?",
                 "unknown section");
    expect_error("kind_list_key", "? [a, b]\n: 1\n", 1, 3, NULL, "expected a key name, got a list");
    expect_error("kind_list_for_int", "detectors:\n  velocity:\n    max_rpm: [1]\n", 3, 14,
                 "detectors.velocity.max_rpm",
                 "expected a whole number from 1 to 1000000, got a list");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),           cmocka_unit_test(test_example_policy),
        cmocka_unit_test(test_full_policy),        cmocka_unit_test(test_lists_and_nulls),
        cmocka_unit_test(test_error_missing_file), cmocka_unit_test(test_error_directory),
        cmocka_unit_test(test_error_empty),        cmocka_unit_test(test_error_root_kind),
        cmocka_unit_test(test_error_syntax),       cmocka_unit_test(test_error_duplicate),
        cmocka_unit_test(test_error_unknown_keys), cmocka_unit_test(test_error_bad_values),
        cmocka_unit_test(test_error_bad_action),   cmocka_unit_test(test_error_bad_cidr),
        cmocka_unit_test(test_error_bad_country),  cmocka_unit_test(test_error_node_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
