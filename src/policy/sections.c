/* sections.c — what a policy file may contain: its sections and their keys.
 *
 * The single list of top-level sections, in the order `warden config --dump`
 * prints them. A section is a declared table (conf.h) over a part of struct
 * warden_policy, or brings its own loader (rules, detectors). To add a
 * module's section: add its config struct to struct warden_policy and one
 * line below naming the module's table. Nothing here names a country. */
#include "policy/sections.h"
#include "intel/intel.h"

#include <stddef.h>
#include <string.h>

#define P(field) offsetof(struct warden_policy, field)

const struct warden_conf_key warden_policy_root_table[] = {
    {"shadow", WARDEN_CONF_BOOL, "false", P(shadow),
     "shadow mode: decide and record every action (verdicts, findings, cases) but enforce none; "
     "use it to see what a policy would do before it acts",
     0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

static const struct warden_conf_key jurisdiction_table[] = {
    {"restricted", WARDEN_CONF_STRLIST, NULL, P(restricted),
     "ISO 3166-1 alpha-2 codes (two letters, any case) of the jurisdictions your terms of "
     "service or the law restrict; Warden has no built-in list, so none are restricted unless "
     "listed here",
     0, 0},
    {"ip_action", WARDEN_CONF_STRING, "block", P(restricted_ip_action_name),
     "allow, review, throttle or block: for a request whose IP address is located in a "
     "restricted jurisdiction (reason code " WARDEN_REASON_RESTRICTED_IP ")",
     0, 0},
    {"billing_action", WARDEN_CONF_STRING, "block", P(restricted_billing_action_name),
     "allow, review, throttle or block: for an account whose billing address or card country "
     "is restricted (reason codes " WARDEN_REASON_RESTRICTED_BILLING
     ", " WARDEN_REASON_RESTRICTED_CARD ")",
     0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

static int check_jurisdiction(const struct warden_conf_key *k, char *value, char *err,
                              size_t errlen)
{
    if (strcmp(k->key, "restricted") == 0) return warden_policy_check_country(value, err, errlen);
    return warden_policy_check_action(value, err, errlen);
}

static const struct warden_conf_key allowlist_table[] = {
    {"accounts", WARDEN_CONF_STRLIST, NULL, P(allow_accounts),
     "account ids that are never actioned (their findings are still recorded)", 0, 0},
    {"orgs", WARDEN_CONF_STRLIST, NULL, P(allow_orgs),
     "organisation ids whose accounts are never actioned (matched against the event's org_id "
     "and the account registry's org)",
     0, 0},
    {"networks", WARDEN_CONF_STRLIST, NULL, P(allow_networks),
     "IPv4/IPv6 addresses or CIDR prefixes (e.g. 192.0.2.0/24, 2001:db8::/32) whose requests "
     "are never actioned, such as your own monitoring",
     0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

static int check_allowlist(const struct warden_conf_key *k, char *value, char *err, size_t errlen)
{
    if (strcmp(k->key, "networks") == 0) return warden_policy_check_cidr(value, err, errlen);
    return warden_policy_check_id(value, err, errlen);
}

const struct warden_policy_section warden_policy_sections[] = {
    {"jurisdictions",
     "restricted jurisdictions and how requests and accounts from them are handled",
     jurisdiction_table, 0, check_jurisdiction, NULL, NULL},
    {"rules", "rules turning findings (reason code, score) into actions", warden_policy_rule_table,
     0, NULL, warden_policy_rules_load, warden_policy_rules_dump},
    {"allowlist", "accounts, organisations and networks that are never actioned", allowlist_table,
     0, check_allowlist, NULL, NULL},
    {"detectors", "per-detector switches and thresholds", NULL, 0, NULL,
     warden_policy_detectors_load, warden_policy_detectors_dump},
    {"intel", "where IP intelligence comes from", warden_intel_conf_table, P(intel), NULL, NULL,
     NULL},
    {"screen", "restricted-party screening: lists, name-matching thresholds, ownership rule",
     warden_screen_conf_table, P(screen), NULL, NULL, NULL},
};

const size_t warden_policy_n_sections =
    sizeof warden_policy_sections / sizeof warden_policy_sections[0];
