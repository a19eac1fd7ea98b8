/* policy.h — the policy: what is restricted and what Warden does about it.
 *
 * A policy is data (YAML, loaded once, read-only after): restricted
 * jurisdictions and their handling, per-detector settings and thresholds,
 * rules mapping reason codes and scores to actions, allowlists (accounts,
 * organisations, networks) and shadow mode (decide and record, never enforce).
 * No country, company or list is built into the code. */
#ifndef WARDEN_POLICY_POLICY_H
#define WARDEN_POLICY_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/conf.h"
#include "core/event.h"
#include "core/ip.h"
#include "core/verdict.h"
#include "intel/intel.h"
#include "screen/screen.h"

/* Reason codes the jurisdiction handling applies to: a finding with the IP
 * code gets at least jurisdictions.ip_action, one with the billing or card
 * code at least jurisdictions.billing_action, on top of whatever the rules
 * say. The detector emits them only for countries the policy lists
 * (warden_policy_is_restricted). */
#define WARDEN_REASON_RESTRICTED_IP "geo.restricted_jurisdiction"
#define WARDEN_REASON_RESTRICTED_BILLING "geo.restricted_billing"
#define WARDEN_REASON_RESTRICTED_CARD "geo.restricted_card"

/* A rule: findings whose reason code matches `code` (exact, or a prefix glob
 * such as "geo.*", or "*") with score >= min_score lead to `action`. */
struct warden_review_allow;

struct warden_rule {
    char *code;
    double min_score;
    enum warden_action action;
    unsigned line, col; /* where the rule is in the policy file (0: built in) */
    /* Response controls for the gateway while the rule applies (serve only;
     * a softer answer than a block for suspected distillers): strip
     * reasoning traces from the answer, cap the output budget (0: no cap). */
    bool strip_reasoning;
    int64_t max_tokens;
};

struct warden_policy {
    char *path; /* file it was loaded from, or NULL for the built-in defaults */
    /* SHA-256 (hex) of the policy file's bytes; of the empty string for the
     * built-in defaults. Every verdict and finding names it. */
    char sha256[65];
    bool shadow;

    /* jurisdictions */
    struct warden_strlist restricted;             /* ISO 3166-1 alpha-2 codes, upper case */
    enum warden_action restricted_ip_action;      /* event IP in a restricted country */
    enum warden_action restricted_billing_action; /* billing or card country restricted */

    struct warden_rule *rules;
    size_t n_rules;

    /* allowlists */
    struct warden_strlist allow_accounts, allow_orgs;
    struct warden_strlist allow_networks; /* the CIDRs as written (allowlist.networks) */
    struct warden_ip *allow_nets; /* prefixes, with lengths in allow_net_len (IPv4 in v4 terms) */
    unsigned *allow_net_len;
    size_t n_allow_nets;
    /* (account, reason) pairs dismissed on review (policy/review_allow.h);
     * not owned, not part of the file: set by the runtime, may be NULL */
    const struct warden_review_allow *review_allow;

    struct warden_intel_conf intel;
    struct warden_screen_conf screen;

    /* One config struct per registered detector (index as in detect/registry.c),
     * filled from `detectors.<name>:`; enabled[i] from `detectors.<name>.enabled`. */
    void **detector_conf;
    bool *detector_enabled;
    size_t n_detectors;
    const struct warden_detector_settings *detector_settings; /* the list it was loaded with */

    /* Internal: as written, and derived at load; read by the functions below. */
    char *restricted_ip_action_name, *restricted_billing_action_name;
    uint64_t restricted_bits[11]; /* 26x26 bitmap of restricted[] */
    struct warden_rule
        jurisdiction_rules[3]; /* the implicit rules for WARDEN_REASON_RESTRICTED_* */
};

/* What the policy needs to know of each detector: the name of its section
 * under `detectors:` and its settings table. The detector registry supplies
 * the list (detect/detector.h), so the policy layer does not depend on the
 * detectors; index i of the list is index i of detector_conf[]. */
struct warden_detector_settings {
    const char *name;
    const char *description;
    const struct warden_conf_key *conf_table; /* may be NULL */
    size_t conf_size;
};

/* Load a policy file against a list of detectors (warden_policy_load() in
 * detect/detector.h passes the registry's); path NULL gives the built-in defaults (no restricted
 * jurisdictions, no allowlists, the built-in rules, every detector enabled
 * with its table's defaults). On error returns WARDEN_ECONFIG and writes
 * "FILE:LINE:COLUMN: key.path: reason" into err (just "FILE: reason" when the
 * file cannot be read). */
int warden_policy_load_with(struct warden_policy **out, const char *path,
                            const struct warden_detector_settings *dets, size_t n_dets, char *err,
                            size_t errlen);
void warden_policy_free(struct warden_policy *p);

/* The strongest action the rules give a finding (WARDEN_ALLOW when none match):
 * over every rule whose code matches and whose min_score <= score, plus the
 * jurisdiction handling for WARDEN_REASON_RESTRICTED_*. Order and specificity
 * of rules do not matter; the strongest action wins. */
enum warden_action warden_policy_decide(const struct warden_policy *p, const char *code,
                                        double score);
/* The same, and *why is set to the rule that gave the action (the first of
 * the strongest), or NULL when none matched — for evidence. */
enum warden_action warden_policy_decide_rule(const struct warden_policy *p, const char *code,
                                             double score, const struct warden_rule **why);
/* Does a rule code ("geo.*", "*", or exact) match a reason code? */
bool warden_rule_matches(const char *pattern, const char *code);
/* What is actually enforced for a decided action: WARDEN_ALLOW in shadow mode
 * (the decision is still recorded), else the action itself. */
enum warden_action warden_policy_enforced(const struct warden_policy *p, enum warden_action a);
/* country: ISO 3166-1 alpha-2, either case; "" or anything else is not restricted. */
bool warden_policy_is_restricted(const struct warden_policy *p, const char *country);
/* The event's account_id, its organisation (event org_id, or the registry's
 * account org_id / org) or its IP address is on an allowlist. Allowlisted
 * traffic is never actioned; its findings are still recorded. */
bool warden_policy_allowlisted(const struct warden_policy *p, const struct warden_event *ev);
/* The same for an account named without an event (a finding a detector
 * emits for another account): account and organisation allowlists only. */
bool warden_policy_allowlisted_account(const struct warden_policy *p, const char *account_id,
                                       size_t len, const char *org_id);
/* Was this account dismissed on review for this reason (review_allow)?
 * A finding with that reason is then recorded but not actioned. */
bool warden_policy_allowlisted_reason(const struct warden_policy *p, const char *account_id,
                                      size_t len, const char *code);
/* The detector's config struct and whether it is enabled; index as in
 * detect/registry.c (warden_detector_index()). */
const void *warden_policy_detector_conf(const struct warden_policy *p, size_t index);
bool warden_policy_detector_enabled(const struct warden_policy *p, size_t index);
/* Print every key with its default and meaning (`warden config --dump`). */
void warden_policy_dump_with(FILE *out, const struct warden_detector_settings *dets, size_t n_dets);

#endif
