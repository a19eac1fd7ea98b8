/* rules.c — rules: findings (reason code, score) to actions.
 *
 * `rules:` is a list of {code, min_score, action}. A rule matches a finding
 * when its code equals the finding's reason code, or is a prefix glob
 * ("geo.*": every code starting with "geo."), or is "*"; and the finding's
 * score is at least min_score. The decision is the strongest action among the
 * matching rules (allow < review < throttle < block), whatever their order,
 * so adding a rule can only make a decision stricter — except through the
 * allowlists, which are the one way to exempt traffic. A policy without
 * `rules:` gets the built-in list below; `rules: []` means no rules. */
#include "policy/policy.h"
#include "policy/sections.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define R(field) offsetof(struct warden_policy_rule_conf, field)

const struct warden_conf_key warden_policy_rule_table[] = {
    {"code", WARDEN_CONF_STRING, NULL, R(code),
     "reason code to match (required): exact (distill.template_reuse), a prefix glob ending in "
     "* (geo.*), or * for every finding",
     0, 0},
    {"min_score", WARDEN_CONF_DOUBLE, "0", R(min_score),
     "the rule applies to findings with at least this score", 0, 1},
    {"action", WARDEN_CONF_STRING, NULL, R(action),
     "what to do (required): allow, review, throttle or block", 0, 0},
    {"strip_reasoning", WARDEN_CONF_BOOL, "false", R(strip_reasoning),
     "response control while the rule applies: the gateway strips reasoning traces from the "
     "answer (warden serve: x-warden-strip-reasoning, /v1/decide \"controls\")",
     0, 0},
    {"max_tokens", WARDEN_CONF_INT, "0", R(max_tokens),
     "response control while the rule applies: the gateway caps the request's output budget at "
     "this many tokens (x-warden-max-tokens; the smallest cap of the rules applying wins); 0: none",
     0, 10000000},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

static int check_rule(const struct warden_conf_key *k, char *value, char *err, size_t errlen)
{
    if (strcmp(k->key, "code") == 0) return warden_policy_check_rule_code(value, err, errlen);
    if (strcmp(k->key, "action") == 0) return warden_policy_check_action(value, err, errlen);
    return 0;
}

/* The built-in rules: findings are reviewed, strong ones throttled; nothing is
 * blocked unless a policy says so (jurisdictions block only countries the
 * policy lists, and the built-in policy lists none). */
static const struct {
    const char *code;
    double min_score;
    enum warden_action action;
} builtin_rules[] = {
    {"*", 0.5, WARDEN_REVIEW},
    {"*", 0.9, WARDEN_THROTTLE},
    /* a member of a linked cluster whose other member is throttled or blocked */
    {"cluster.linked_to_actioned", 0.8, WARDEN_THROTTLE},
};

int warden_policy_check_rule_code(char *value, char *err, size_t errlen)
{
    if (!value) return 0; /* "a rule needs a 'code'" says it better */
    const char *star = strchr(value, '*');
    bool ok = *value != '\0' && (!star || star[1] == '\0');
    for (const char *c = value; ok && *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f) ok = false;
    if (!ok) {
        snprintf(err, errlen,
                 "expected a reason code (e.g. geo.restricted_jurisdiction), a prefix glob (e.g. "
                 "'geo.*') or '*', got '%s'",
                 value);
        return WARDEN_EINVAL;
    }
    return 0;
}

void warden_policy_rules_free(struct warden_policy *p)
{
    for (size_t i = 0; i < p->n_rules; i++) free(p->rules[i].code);
    free(p->rules);
    p->rules = NULL;
    p->n_rules = 0;
}

void warden_policy_rules_defaults(struct warden_policy *p)
{
    warden_policy_rules_free(p);
    size_t n = sizeof builtin_rules / sizeof builtin_rules[0];
    p->rules = warden_xcalloc(n, sizeof *p->rules);
    for (size_t i = 0; i < n; i++)
        p->rules[p->n_rules++] = (struct warden_rule){warden_xstrdup(builtin_rules[i].code),
                                                      builtin_rules[i].min_score,
                                                      builtin_rules[i].action,
                                                      0,
                                                      0,
                                                      false,
                                                      0};
}

int warden_policy_rules_load(struct warden_yaml *y, const yaml_node_t *n, struct warden_policy *p)
{
    warden_policy_rules_free(p);
    if (warden_yaml_is_null(n)) return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return warden_yaml_fail(
            y, n, "rules", "expected a list of rules (lines '- code: ..., action: ...'), got %s",
            warden_yaml_kind(n));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    p->rules = warden_xcalloc(count ? count : 1, sizeof *p->rules);
    for (size_t i = 0; i < count; i++) {
        const yaml_node_t *item = warden_yaml_node(y, n->data.sequence.items.start[i]);
        char kp[WARDEN_YAML_KEYPATH];
        snprintf(kp, sizeof kp, "rules[%zu]", i);
        struct warden_policy_rule_conf rc;
        memset(&rc, 0, sizeof rc);
        warden_conf_defaults(warden_policy_rule_table, &rc);
        const struct warden_conf_bind bind = {warden_policy_rule_table, &rc, check_rule};
        int err = warden_yaml_load_tables(y, item, kp, &bind, 1);
        if (!err && !rc.code)
            err = warden_yaml_fail(y, item, kp, "a rule needs a 'code' (and an 'action')");
        enum warden_action action = WARDEN_ALLOW;
        if (!err && warden_action_parse(rc.action, &action) != 0)
            err = warden_yaml_fail(y, item, kp,
                                   "a rule needs an 'action' (one of allow, review, "
                                   "throttle, block)");
        if (err) {
            warden_conf_fini(warden_policy_rule_table, &rc);
            return err;
        }
        p->rules[p->n_rules++] = (struct warden_rule){rc.code,
                                                      rc.min_score,
                                                      action,
                                                      (unsigned)item->start_mark.line + 1,
                                                      (unsigned)item->start_mark.column + 1,
                                                      rc.strip_reasoning,
                                                      rc.max_tokens};
        free(rc.action);
    }
    return 0;
}

bool warden_rule_matches(const char *pattern, const char *code)
{
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*') return strncmp(pattern, code, n - 1) == 0;
    return strcmp(pattern, code) == 0;
}

static void consider(const struct warden_rule *r, const char *code, double score,
                     enum warden_action *best, const struct warden_rule **why)
{
    if (!(score >= r->min_score) || !warden_rule_matches(r->code, code)) return;
    if (!*why || r->action > *best) {
        *best = r->action;
        *why = r;
    }
}

enum warden_action warden_policy_decide_rule(const struct warden_policy *p, const char *code,
                                             double score, const struct warden_rule **why)
{
    enum warden_action best = WARDEN_ALLOW;
    const struct warden_rule *rule = NULL;
    if (code) {
        for (size_t i = 0; i < p->n_rules; i++) consider(&p->rules[i], code, score, &best, &rule);
        for (size_t i = 0; i < sizeof p->jurisdiction_rules / sizeof p->jurisdiction_rules[0]; i++)
            consider(&p->jurisdiction_rules[i], code, score, &best, &rule);
    }
    if (why) *why = rule;
    return best;
}

enum warden_action warden_policy_decide(const struct warden_policy *p, const char *code,
                                        double score)
{
    return warden_policy_decide_rule(p, code, score, NULL);
}

enum warden_action warden_policy_enforced(const struct warden_policy *p, enum warden_action a)
{
    return p->shadow ? WARDEN_ALLOW : a;
}

void warden_policy_rules_dump(FILE *out, const struct warden_detector_settings *dets, size_t n_dets)
{
    (void)dets;
    (void)n_dets;
    warden_conf_dump(out, "rules[]", warden_policy_rule_table);
    fprintf(out,
            "  built-in rules (used when the policy has no `rules:`; `rules: []` means none):\n");
    for (size_t i = 0; i < sizeof builtin_rules / sizeof builtin_rules[0]; i++)
        fprintf(out, "    - {code: \"%s\", min_score: %g, action: %s}\n", builtin_rules[i].code,
                builtin_rules[i].min_score, warden_action_name(builtin_rules[i].action));
    fprintf(out,
            "  jurisdiction handling, on top of the rules: a finding coded %s gets at least\n"
            "  jurisdictions.ip_action; one coded %s or %s at least\n"
            "  jurisdictions.billing_action\n",
            WARDEN_REASON_RESTRICTED_IP, WARDEN_REASON_RESTRICTED_BILLING,
            WARDEN_REASON_RESTRICTED_CARD);
}
