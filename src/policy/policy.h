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
#include <stdio.h>

#include "core/conf.h"
#include "core/event.h"
#include "core/ip.h"
#include "intel/intel.h"

enum warden_action { WARDEN_ALLOW = 0, WARDEN_REVIEW, WARDEN_THROTTLE, WARDEN_BLOCK };

const char *warden_action_name(enum warden_action a);
/* Returns 0 and sets *a, or WARDEN_EINVAL. */
int warden_action_parse(const char *s, enum warden_action *a);

/* A rule: findings whose reason code matches `code` (exact, or a prefix glob
 * such as "geo.*", or "*") with score >= min_score lead to `action`. */
struct warden_rule {
    char *code;
    double min_score;
    enum warden_action action;
};

struct warden_policy {
    char *path; /* file it was loaded from, or NULL for the built-in defaults */
    bool shadow;

    /* jurisdictions */
    struct warden_strlist restricted;             /* ISO 3166-1 alpha-2 codes, upper case */
    enum warden_action restricted_ip_action;      /* event IP in a restricted country */
    enum warden_action restricted_billing_action; /* billing/card country restricted */

    struct warden_rule *rules;
    size_t n_rules;

    /* allowlists */
    struct warden_strlist allow_accounts, allow_orgs;
    struct warden_ip *allow_nets; /* prefixes, with lengths in allow_net_len (IPv4 in v4 terms) */
    unsigned *allow_net_len;
    size_t n_allow_nets;

    struct warden_intel_conf intel;

    /* One config struct per registered detector (index as in detect/registry.c),
     * filled from `detectors.<name>:`; enabled[i] from `detectors.<name>.enabled`. */
    void **detector_conf;
    bool *detector_enabled;
    size_t n_detectors;
};

/* Load a policy file; path NULL gives the built-in defaults. On error returns
 * WARDEN_ECONFIG and writes "FILE:LINE: key 'K': reason" into err. */
int warden_policy_load(struct warden_policy **out, const char *path, char *err, size_t errlen);
void warden_policy_free(struct warden_policy *p);

/* The strongest action the rules give a finding (WARDEN_ALLOW when none match). */
enum warden_action warden_policy_decide(const struct warden_policy *p, const char *code,
                                        double score);
bool warden_policy_is_restricted(const struct warden_policy *p, const char *country);
bool warden_policy_allowlisted(const struct warden_policy *p, const struct warden_event *ev);
/* Print every key with its default and meaning (`warden config --dump`). */
void warden_policy_dump(FILE *out);

#endif
