/* registry.c — the list of detectors. Adding a detector adds one line here. */
#include "detect/detector.h"
#include "core/error.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

extern const struct warden_detector warden_detect_jurisdiction;
extern const struct warden_detector warden_detect_velocity;
extern const struct warden_detector warden_detect_screening;
extern const struct warden_detector warden_detect_anonymizer;
extern const struct warden_detector warden_detect_geo_consistency;
extern const struct warden_detector warden_detect_reach;
extern const struct warden_detector warden_detect_reseller;
extern const struct warden_detector warden_detect_distill;
extern const struct warden_detector warden_detect_signup;
extern const struct warden_detector warden_detect_link;

/* one detector per line, so that additions merge cleanly */
// clang-format off
const struct warden_detector *const warden_detectors[] = {
    &warden_detect_jurisdiction,
    &warden_detect_velocity,
    &warden_detect_screening,
    &warden_detect_anonymizer,
    &warden_detect_geo_consistency,
    &warden_detect_reach,
    &warden_detect_reseller,
    &warden_detect_distill,
    &warden_detect_signup,
    &warden_detect_link,
};
// clang-format on

const size_t warden_n_detectors = sizeof warden_detectors / sizeof warden_detectors[0];

const struct warden_detector_settings *warden_detector_settings(size_t *n)
{
    /* filled once from the registry; the table is constant after */
    static struct warden_detector_settings
        settings[sizeof warden_detectors / sizeof warden_detectors[0]];
    static bool filled;
    if (!filled) {
        for (size_t i = 0; i < warden_n_detectors; i++)
            settings[i] = (struct warden_detector_settings){
                warden_detectors[i]->name, warden_detectors[i]->description,
                warden_detectors[i]->conf_table, warden_detectors[i]->conf_size};
        filled = true;
    }
    *n = warden_n_detectors;
    return settings;
}

int warden_policy_load(struct warden_policy **out, const char *path, char *err, size_t errlen)
{
    size_t n;
    const struct warden_detector_settings *d = warden_detector_settings(&n);
    return warden_policy_load_with(out, path, d, n, err, errlen);
}

/* Does pattern match a code one of dets declares? Also collects the code
 * families ("geo.*, anon.*") into known for the message. */
static bool code_known(const char *pattern, const struct warden_detector *const *dets, size_t n,
                       bool *any_declared, char *known, size_t knownlen)
{
    bool hit = false;
    for (size_t i = 0; i < n; i++) {
        for (const char *const *c = dets[i]->codes; c && *c; c++) {
            *any_declared = true;
            if (warden_rule_matches(pattern, *c)) hit = true;
            const char *dot = strchr(*c, '.');
            char fam[48];
            snprintf(fam, sizeof fam, "%.*s.*", dot ? (int)(dot - *c) : (int)strlen(*c), *c);
            if (!strstr(known, fam) && strlen(known) + strlen(fam) + 3 < knownlen) {
                if (*known) strcat(known, ", ");
                strcat(known, fam);
            }
        }
    }
    return hit;
}

int warden_policy_check_codes(const struct warden_policy *p,
                              const struct warden_detector *const *dets, size_t n, bool lenient,
                              char *err, size_t errlen)
{
    if (!dets) {
        dets = warden_detectors;
        n = warden_n_detectors;
    }
    for (size_t r = 0; r < p->n_rules; r++) {
        const struct warden_rule *rule = &p->rules[r];
        if (strcmp(rule->code, "*") == 0) continue;
        bool any = false;
        char known[256] = "";
        if (code_known(rule->code, dets, n, &any, known, sizeof known) || !any) continue;
        char where[600];
        snprintf(where, sizeof where,
                 "%s:%u:%u: rules[%zu].code: '%s' matches no reason code any "
                 "detector emits (families: %s; `warden config --codes` lists them)",
                 p->path ? p->path : "(built-in policy)", rule->line, rule->col, r, rule->code,
                 known);
        if (lenient) {
            fprintf(stderr, "warning: %s\n", where);
            continue;
        }
        snprintf(err, errlen, "%s", where);
        return WARDEN_ECONFIG;
    }
    return 0;
}

void warden_policy_dump(FILE *out)
{
    size_t n;
    const struct warden_detector_settings *d = warden_detector_settings(&n);
    warden_policy_dump_with(out, d, n);
}

int warden_detector_index(const char *name)
{
    for (size_t i = 0; i < warden_n_detectors; i++)
        if (strcmp(warden_detectors[i]->name, name) == 0) return (int)i;
    return -1;
}
