/* test_serve_controls.c — response controls: declared on policy rules
 * (strip_reasoning, max_tokens), read from the rules that match a
 * decision's reasons, merged strictest-first, none in shadow mode or for
 * allowlisted traffic; their header and JSON forms; bad values refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/jbuf.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "serve/controls.h"

static struct warden_policy *load(const char *name, const char *text, int *rc, char *err,
                                  size_t errlen)
{
    const char *dir = getenv("WARDEN_TMP");
    if (!dir) dir = "/tmp";
    mkdir(dir, 0777);
    char *path = warden_xasprintf("%s/test_serve_controls_%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct warden_policy *p = NULL;
    *rc = warden_policy_load(&p, path, err, errlen);
    free(path);
    return p;
}

static const char *policy_text = "rules:\n"
                                 "  - {code: \"distill.*\", min_score: 0.6, action: review,\n"
                                 "     strip_reasoning: true, max_tokens: 2048}\n"
                                 "  - {code: \"distill.harvest_shape\", min_score: 0.8,\n"
                                 "     action: review, max_tokens: 512}\n"
                                 "  - {code: \"velocity.*\", min_score: 0, action: throttle}\n";

static struct warden_decision decision(const struct warden_reason *r, size_t n)
{
    struct warden_decision d;
    memset(&d, 0, sizeof d);
    d.decided = d.enforced = WARDEN_REVIEW;
    d.reasons = r;
    d.n_reasons = n;
    return d;
}

static void test_merge(void **state)
{
    (void)state;
    int rc;
    char err[512];
    struct warden_policy *p = load("merge", policy_text, &rc, err, sizeof err);
    assert_int_equal(rc, 0);
    struct warden_serve_controls c;
    char h[64];

    /* no reason a control rule matches: none */
    struct warden_reason v[] = {{"velocity.request_rate", 0.9, WARDEN_THROTTLE}};
    struct warden_decision d = decision(v, 1);
    assert_false(warden_serve_controls_of(p, &d, &c));
    assert_false(c.strip_reasoning);
    assert_int_equal(c.max_tokens, 0);
    warden_serve_controls_header(&c, h, sizeof h);
    assert_string_equal(h, "");

    /* below the rule's min_score: none */
    struct warden_reason low[] = {{"distill.template_reuse", 0.5, WARDEN_ALLOW}};
    d = decision(low, 1);
    assert_false(warden_serve_controls_of(p, &d, &c));

    /* one rule */
    struct warden_reason one[] = {{"distill.template_reuse", 0.7, WARDEN_REVIEW}};
    d = decision(one, 1);
    assert_true(warden_serve_controls_of(p, &d, &c));
    assert_true(c.strip_reasoning);
    assert_int_equal(c.max_tokens, 2048);
    warden_serve_controls_header(&c, h, sizeof h);
    assert_string_equal(h, "strip_reasoning,max_tokens=2048");

    /* two rules: strip from the glob, the smaller cap from the exact rule */
    struct warden_reason two[] = {{"velocity.request_rate", 0.9, WARDEN_THROTTLE},
                                  {"distill.harvest_shape", 0.85, WARDEN_REVIEW}};
    d = decision(two, 2);
    assert_true(warden_serve_controls_of(p, &d, &c));
    assert_true(c.strip_reasoning);
    assert_int_equal(c.max_tokens, 512);

    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_jbuf_obj_open(&j);
    warden_serve_controls_json(&c, &j);
    warden_jbuf_obj_close(&j);
    assert_string_equal(warden_jbuf_str(&j),
                        "{\"controls\":{\"strip_reasoning\":true,\"max_tokens\":512}}");

    /* shadow mode and allowlisted traffic: nothing is enforced, no controls */
    d.shadow = true;
    assert_false(warden_serve_controls_of(p, &d, &c));
    d.shadow = false;
    d.allowlisted = true;
    assert_false(warden_serve_controls_of(p, &d, &c));
    warden_jbuf_reset(&j);
    warden_jbuf_obj_open(&j);
    warden_serve_controls_json(&c, &j);
    warden_jbuf_obj_close(&j);
    assert_string_equal(warden_jbuf_str(&j),
                        "{\"controls\":{\"strip_reasoning\":false,\"max_tokens\":null}}");
    warden_jbuf_fini(&j);

    c.strip_reasoning = false;
    c.max_tokens = 64;
    warden_serve_controls_header(&c, h, sizeof h);
    assert_string_equal(h, "max_tokens=64");
    warden_policy_free(p);
}

static void test_bad_values(void **state)
{
    (void)state;
    int rc;
    char err[512];
    struct warden_policy *p = load("bad1",
                                   "rules:\n  - {code: \"distill.*\", action: review, "
                                   "max_tokens: -5}\n",
                                   &rc, err, sizeof err);
    assert_int_not_equal(rc, 0);
    assert_null(p);
    assert_non_null(strstr(err, "max_tokens"));
    p = load("bad2", "rules:\n  - {code: \"distill.*\", action: review, strip_reasoning: maybe}\n",
             &rc, err, sizeof err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "strip_reasoning"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
