/* sections.h — the top-level sections of a policy file (internal to policy/).
 *
 * A policy file is a YAML mapping of sections. Most sections are a plain
 * declared table over a struct inside struct warden_policy (`offset`), with
 * an optional check for values beyond their type (country codes, CIDRs,
 * action names); two have a shape of their own and bring a loader and a dump
 * function: `rules` (a list of {code, min_score, action}) and `detectors`
 * (one sub-section per registered detector). Adding a section for another
 * module is one line in sections.c plus the struct field it fills. */
#ifndef WARDEN_POLICY_SECTIONS_H
#define WARDEN_POLICY_SECTIONS_H
#include <stddef.h>
#include <stdio.h>

#include "core/conf.h"
#include "policy/policy.h"
#include "policy/yaml_load.h"

struct warden_policy_section {
    const char *name;
    const char *help;
    const struct warden_conf_key *table; /* keys of the section's mapping */
    size_t offset;                       /* where `table` points into struct warden_policy */
    warden_conf_check_fn check;          /* extra validation of its values, or NULL */
    /* A section with its own shape: load it from node n (may be a null node),
     * and print its reference; NULL for plain table sections. */
    int (*load)(struct warden_yaml *y, const yaml_node_t *n, struct warden_policy *p);
    void (*dump)(FILE *out, const struct warden_detector_settings *dets, size_t n_dets);
};

extern const struct warden_policy_section warden_policy_sections[];
extern const size_t warden_policy_n_sections;

/* Keys at the top level of the file itself (shadow). */
extern const struct warden_conf_key warden_policy_root_table[];

/* rules.c */
struct warden_policy_rule_conf {
    char *code;
    double min_score;
    char *action;
    bool strip_reasoning;
    int64_t max_tokens;
};
extern const struct warden_conf_key warden_policy_rule_table[];
void warden_policy_rules_defaults(struct warden_policy *p);
int warden_policy_rules_load(struct warden_yaml *y, const yaml_node_t *n, struct warden_policy *p);
void warden_policy_rules_free(struct warden_policy *p);
void warden_policy_rules_dump(FILE *out, const struct warden_detector_settings *dets,
                              size_t n_dets);

/* detectors.c */
extern const struct warden_conf_key warden_policy_detector_table[];
void warden_policy_detectors_defaults(struct warden_policy *p,
                                      const struct warden_detector_settings *dets, size_t n_dets);
int warden_policy_detectors_load(struct warden_yaml *y, const yaml_node_t *n,
                                 struct warden_policy *p);
void warden_policy_detectors_free(struct warden_policy *p);
void warden_policy_detectors_dump(FILE *out, const struct warden_detector_settings *dets,
                                  size_t n_dets);

/* Value checks: 0, or WARDEN_EINVAL with a reason; value may be NULL (nothing given). */
int warden_policy_check_action(char *value, char *err, size_t errlen);    /* action.c */
int warden_policy_check_country(char *value, char *err, size_t errlen);   /* jurisdictions.c */
int warden_policy_check_cidr(char *value, char *err, size_t errlen);      /* allowlist.c */
int warden_policy_check_id(char *value, char *err, size_t errlen);        /* allowlist.c */
int warden_policy_check_rule_code(char *value, char *err, size_t errlen); /* rules.c */

/* Derived data, built once after loading. */
void warden_policy_jurisdictions_compile(struct warden_policy *p); /* jurisdictions.c */
void warden_policy_allowlist_compile(struct warden_policy *p);     /* allowlist.c */
void warden_policy_allowlist_free(struct warden_policy *p);        /* allowlist.c */

#endif
