/* test_policy_decide.c — what a loaded policy decides: rule matching (exact,
 * prefix glob, *), score thresholds, strongest-action precedence, the
 * jurisdiction handling, allowlists (accounts, orgs, networks) and shadow mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/xalloc.h"
#include "policy/policy.h"
#include "registry/registry.h"

#include "detectors_for_tests.h"

static struct warden_policy *load(const char *name, const char *text)
{
    const char *dir = getenv("WARDEN_TMP");
    if (!dir) dir = "/tmp";
    mkdir(dir, 0777);
    char *path = warden_xasprintf("%s/test_policy_decide_%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    char err[512];
    struct warden_policy *p = NULL;
    int rc = warden_policy_load(&p, path, err, sizeof err);
    if (rc) print_message("%s\n", err);
    assert_int_equal(rc, 0);
    free(path);
    return p;
}

static void test_action_names(void **state)
{
    (void)state;
    enum warden_action a;
    const char *names[] = {"allow", "review", "throttle", "block"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(warden_action_name((enum warden_action)i), names[i]);
        assert_int_equal(warden_action_parse(names[i], &a), 0);
        assert_int_equal(a, i);
    }
    assert_int_equal(warden_action_parse("deny", &a), WARDEN_EINVAL);
    assert_int_equal(warden_action_parse("BLOCK", &a), WARDEN_EINVAL);
    assert_string_equal(warden_action_name((enum warden_action)7), "?");
    assert_true(WARDEN_ALLOW < WARDEN_REVIEW && WARDEN_REVIEW < WARDEN_THROTTLE &&
                WARDEN_THROTTLE < WARDEN_BLOCK);
}

static void test_rule_matches(void **state)
{
    (void)state;
    assert_true(warden_rule_matches("*", "geo.restricted_jurisdiction"));
    assert_true(warden_rule_matches("*", ""));
    assert_true(warden_rule_matches("geo.*", "geo.restricted_jurisdiction"));
    assert_true(warden_rule_matches("geo.*", "geo."));
    assert_false(warden_rule_matches("geo.*", "geo"));
    assert_false(warden_rule_matches("geo.*", "geography.x"));
    assert_false(warden_rule_matches("geo.*", "xgeo.a"));
    assert_true(warden_rule_matches("distill.template_reuse", "distill.template_reuse"));
    assert_false(warden_rule_matches("distill.template_reuse", "distill.template_reuse2"));
    assert_false(warden_rule_matches("distill.template_reuse", "distill.template"));
}

static const char *rules_yaml = "rules:\n"
                                "  - {code: \"distill.*\", min_score: 0.9, action: block}\n"
                                "  - {code: \"*\", min_score: 0.5, action: review}\n"
                                "  - {code: distill.template_reuse, min_score: 0.7, action: "
                                "throttle}\n"
                                "  - {code: velocity.burst, action: allow}\n"
                                "  - {code: \"geo.*\", action: review}\n";

static void test_decide_precedence(void **state)
{
    (void)state;
    struct warden_policy *p = load("precedence", rules_yaml);
    const struct warden_rule *why = NULL;
    /* nothing matches: allow, no rule */
    assert_int_equal(warden_policy_decide_rule(p, "screen.name_match", 0.4, &why), WARDEN_ALLOW);
    assert_null(why);
    /* "*" only */
    assert_int_equal(warden_policy_decide_rule(p, "screen.name_match", 0.5, &why), WARDEN_REVIEW);
    assert_ptr_equal(why, &p->rules[1]);
    /* exact rule beats the weaker "*"; min_score is inclusive */
    assert_int_equal(warden_policy_decide_rule(p, "distill.template_reuse", 0.7, &why),
                     WARDEN_THROTTLE);
    assert_ptr_equal(why, &p->rules[2]);
    assert_int_equal(warden_policy_decide(p, "distill.template_reuse", 0.69), WARDEN_REVIEW);
    /* the glob's block is stronger than the exact rule's throttle, though listed first */
    assert_int_equal(warden_policy_decide_rule(p, "distill.template_reuse", 0.95, &why),
                     WARDEN_BLOCK);
    assert_ptr_equal(why, &p->rules[0]);
    assert_int_equal(warden_policy_decide(p, "distill.other", 0.95), WARDEN_BLOCK);
    assert_int_equal(warden_policy_decide(p, "distill.other", 0.6), WARDEN_REVIEW);
    /* an exact allow rule does not weaken what "*" says: strongest wins */
    assert_int_equal(warden_policy_decide(p, "velocity.burst", 0.2), WARDEN_ALLOW);
    assert_int_equal(warden_policy_decide_rule(p, "velocity.burst", 0.2, &why), WARDEN_ALLOW);
    assert_ptr_equal(why, &p->rules[3]);
    assert_int_equal(warden_policy_decide(p, "velocity.burst", 0.8), WARDEN_REVIEW);
    /* glob with default min_score 0 */
    assert_int_equal(warden_policy_decide(p, "geo.anything", 0.0), WARDEN_REVIEW);
    /* odd input */
    assert_int_equal(warden_policy_decide(p, NULL, 1.0), WARDEN_ALLOW);
    assert_int_equal(warden_policy_decide(p, "distill.x", NAN), WARDEN_ALLOW);
    assert_int_equal(warden_policy_decide_rule(p, "x", 1.0, NULL), WARDEN_REVIEW);
    warden_policy_free(p);
}

static void test_decide_order_independent(void **state)
{
    (void)state;
    /* the same rules in reverse order decide the same */
    struct warden_policy *a = load("order_a", rules_yaml);
    struct warden_policy *b = load("order_b", "rules:\n"
                                              "  - {code: \"geo.*\", action: review}\n"
                                              "  - {code: velocity.burst, action: allow}\n"
                                              "  - {code: distill.template_reuse, min_score: 0.7, "
                                              "action: throttle}\n"
                                              "  - {code: \"*\", min_score: 0.5, action: review}\n"
                                              "  - {code: \"distill.*\", min_score: 0.9, action: "
                                              "block}\n");
    const char *codes[] = {"distill.template_reuse", "distill.x", "geo.y", "velocity.burst", "z"};
    for (size_t c = 0; c < 5; c++)
        for (double s = 0; s <= 1.0; s += 0.05)
            assert_int_equal(warden_policy_decide(a, codes[c], s),
                             warden_policy_decide(b, codes[c], s));
    warden_policy_free(a);
    warden_policy_free(b);
}

static void test_decide_jurisdictions(void **state)
{
    (void)state;
    struct warden_policy *p =
        load("jur", "jurisdictions:\n"
                    "  restricted: [KP]\n"
                    "  ip_action: throttle\n"
                    "  billing_action: block\n"
                    "rules:\n"
                    "  - {code: \"geo.*\", min_score: 0.5, action: review}\n");
    const struct warden_rule *why;
    assert_int_equal(warden_policy_decide_rule(p, WARDEN_REASON_RESTRICTED_IP, 0.1, &why),
                     WARDEN_THROTTLE);
    assert_ptr_equal(why, &p->jurisdiction_rules[0]);
    assert_string_equal(why->code, WARDEN_REASON_RESTRICTED_IP);
    assert_int_equal(warden_policy_decide(p, WARDEN_REASON_RESTRICTED_BILLING, 0.1), WARDEN_BLOCK);
    assert_int_equal(warden_policy_decide(p, WARDEN_REASON_RESTRICTED_CARD, 0.1), WARDEN_BLOCK);
    assert_int_equal(warden_policy_decide(p, "geo.other", 0.6), WARDEN_REVIEW);
    assert_int_equal(warden_policy_decide(p, "geo.other", 0.1), WARDEN_ALLOW);
    warden_policy_free(p);

    /* a rule stronger than the jurisdiction action wins */
    p = load("jur2", "jurisdictions:\n  ip_action: review\n"
                     "rules:\n  - {code: geo.restricted_jurisdiction, action: block}\n");
    assert_int_equal(warden_policy_decide(p, WARDEN_REASON_RESTRICTED_IP, 1), WARDEN_BLOCK);
    warden_policy_free(p);
}

static void test_shadow(void **state)
{
    (void)state;
    struct warden_policy *p = load("shadow_on", "shadow: true\n"
                                                "rules:\n  - {code: \"*\", action: block}\n");
    assert_true(p->shadow);
    /* decided and recorded as block ... */
    assert_int_equal(warden_policy_decide(p, "x", 0.1), WARDEN_BLOCK);
    /* ... but never enforced */
    for (int a = WARDEN_ALLOW; a <= WARDEN_BLOCK; a++)
        assert_int_equal(warden_policy_enforced(p, (enum warden_action)a), WARDEN_ALLOW);
    warden_policy_free(p);

    p = load("shadow_off", "shadow: false\n");
    assert_false(p->shadow);
    for (int a = WARDEN_ALLOW; a <= WARDEN_BLOCK; a++)
        assert_int_equal(warden_policy_enforced(p, (enum warden_action)a), a);
    warden_policy_free(p);
}

/* An event whose string fields are slices of a larger buffer, as the decoder makes them. */
static struct warden_event event(const char *account, const char *org, const char *ip)
{
    struct warden_event ev;
    memset(&ev, 0, sizeof ev);
    if (account) ev.account_id = (struct warden_str){account, (uint32_t)strlen(account)};
    if (org) ev.org_id = (struct warden_str){org, (uint32_t)strlen(org)};
    assert_int_equal(warden_ip_parse(&ev.ip, ip, strlen(ip)), 0);
    return ev;
}

static const char *allow_yaml = "allowlist:\n"
                                "  accounts: [acct-m, acct-b, acct-z]\n"
                                "  orgs: [org-own]\n"
                                "  networks:\n"
                                "    - 192.0.2.77/24\n" /* host bits set: taken as 192.0.2.0/24 */
                                "    - 2001:db8:aa00::/40\n"
                                "    - 198.51.100.9\n";

static void test_allowlist_accounts(void **state)
{
    (void)state;
    struct warden_policy *p = load("allow_acct", allow_yaml);
    const char *other_ip = "203.0.113.5";
    struct warden_event ev = event("acct-b", NULL, other_ip);
    assert_true(warden_policy_allowlisted(p, &ev));
    ev = event("acct-z", NULL, other_ip);
    assert_true(warden_policy_allowlisted(p, &ev));
    ev = event("acct-c", NULL, other_ip);
    assert_false(warden_policy_allowlisted(p, &ev));
    /* a slice that is a prefix of, or extends, a listed id is not listed */
    const char *line = "acct-bb";
    ev = event(NULL, NULL, other_ip);
    ev.account_id = (struct warden_str){line, 6}; /* "acct-b" inside "acct-bb" */
    assert_true(warden_policy_allowlisted(p, &ev));
    ev.account_id = (struct warden_str){line, 7};
    assert_false(warden_policy_allowlisted(p, &ev));
    ev.account_id = (struct warden_str){line, 5};
    assert_false(warden_policy_allowlisted(p, &ev));
    warden_policy_free(p);
}

static void test_allowlist_orgs(void **state)
{
    (void)state;
    struct warden_policy *p = load("allow_org", allow_yaml);
    const char *ip = "203.0.113.5";
    struct warden_event ev = event("acct-1", "org-own", ip);
    assert_true(warden_policy_allowlisted(p, &ev));
    ev = event("acct-1", "org-other", ip);
    assert_false(warden_policy_allowlisted(p, &ev));
    /* org from the registry's account, when the event does not carry it */
    struct warden_account acct;
    memset(&acct, 0, sizeof acct);
    acct.org_id = "org-own";
    ev = event("acct-1", NULL, ip);
    ev.account = &acct;
    assert_true(warden_policy_allowlisted(p, &ev));
    acct.org_id = NULL;
    assert_false(warden_policy_allowlisted(p, &ev));
    /* or from the resolved organisation */
    struct warden_org org;
    memset(&org, 0, sizeof org);
    org.org_id = "org-own";
    ev.org = &org;
    assert_true(warden_policy_allowlisted(p, &ev));
    warden_policy_free(p);
}

static void test_allowlist_networks(void **state)
{
    (void)state;
    struct warden_policy *p = load("allow_net", allow_yaml);
    struct {
        const char *ip;
        bool listed;
    } cases[] = {
        {"192.0.2.0", true},        {"192.0.2.255", true},          {"192.0.3.0", false},
        {"192.0.1.255", false},     {"198.51.100.9", true},         {"198.51.100.8", false},
        {"2001:db8:aa00::1", true}, {"2001:db8:aaff:ffff::", true}, {"2001:db8:ab00::", false},
        {"2001:db8::1", false},     {"::ffff:192.0.2.5", true}, /* v4-mapped form of a listed v4
                                                                   address */
        {"::c000:205", false}, /* IPv4-compatible form is a different address */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct warden_event ev = event("acct-x", NULL, cases[i].ip);
        if (warden_policy_allowlisted(p, &ev) != cases[i].listed)
            print_message("%s: expected %d\n", cases[i].ip, cases[i].listed);
        assert_int_equal(warden_policy_allowlisted(p, &ev), cases[i].listed);
    }
    assert_int_equal(p->allow_net_len[0], 24);
    assert_int_equal(p->allow_net_len[1], 40);
    warden_policy_free(p);

    /* ::/0 covers every address, IPv4 included; 0.0.0.0/0 only IPv4 */
    p = load("allow_all6", "allowlist:\n  networks: [\"::/0\"]\n");
    struct warden_event ev = event("a", NULL, "8.8.8.8");
    assert_true(warden_policy_allowlisted(p, &ev));
    warden_policy_free(p);
    p = load("allow_all4", "allowlist:\n  networks: [0.0.0.0/0]\n");
    assert_true(warden_policy_allowlisted(p, &ev));
    ev = event("a", NULL, "2001:db8::1");
    assert_false(warden_policy_allowlisted(p, &ev));
    warden_policy_free(p);
}

static void test_allowlist_empty(void **state)
{
    (void)state;
    char err[128];
    struct warden_policy *p = NULL;
    assert_int_equal(warden_policy_load(&p, NULL, err, sizeof err), 0);
    struct warden_event ev = event("acct-b", "org-own", "192.0.2.1");
    assert_false(warden_policy_allowlisted(p, &ev));
    ev.account_id = (struct warden_str){NULL, 0};
    assert_false(warden_policy_allowlisted(p, &ev));
    warden_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_rule_matches),
        cmocka_unit_test(test_decide_precedence),
        cmocka_unit_test(test_decide_order_independent),
        cmocka_unit_test(test_decide_jurisdictions),
        cmocka_unit_test(test_shadow),
        cmocka_unit_test(test_allowlist_accounts),
        cmocka_unit_test(test_allowlist_orgs),
        cmocka_unit_test(test_allowlist_networks),
        cmocka_unit_test(test_allowlist_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
