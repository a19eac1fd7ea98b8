/* detectors.c — the `detectors:` section: one sub-section per registered detector.
 *
 * `detectors: {<name>: {enabled: bool, <keys of the detector's table>}}`.
 * Names come from the detector list the policy is loaded with (the
 * registry's, detect/registry.c) and each
 * sub-section is checked against that detector's declared conf_table, so a
 * new detector is configurable, validated and documented by `warden config
 * --dump` without any change here. Every registered detector gets a config
 * struct filled with its defaults, whether the file mentions it or not; the
 * policy owns these structs. `enabled` is reserved: a detector's own table
 * must not declare it. */
#include "policy/policy.h"
#include "policy/sections.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

const struct warden_conf_key warden_policy_detector_table[] = {
    {"enabled", WARDEN_CONF_BOOL, "true", 0,
     "run this detector (false: it sees no events and reports nothing)", 0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

void warden_policy_detectors_defaults(struct warden_policy *p,
                                      const struct warden_detector_settings *dets, size_t n)
{
    p->detector_settings = dets;
    p->n_detectors = n;
    p->detector_conf = warden_xcalloc(n ? n : 1, sizeof *p->detector_conf);
    p->detector_enabled = warden_xcalloc(n ? n : 1, sizeof *p->detector_enabled);
    for (size_t i = 0; i < n; i++) {
        const struct warden_detector_settings *d = &dets[i];
        warden_conf_defaults(warden_policy_detector_table, &p->detector_enabled[i]);
        if (d->conf_table && d->conf_size) {
            p->detector_conf[i] = warden_xcalloc(1, d->conf_size);
            warden_conf_defaults(d->conf_table, p->detector_conf[i]);
        }
    }
}

void warden_policy_detectors_free(struct warden_policy *p)
{
    for (size_t i = 0; p->detector_conf && i < p->n_detectors; i++) {
        if (!p->detector_conf[i]) continue;
        warden_conf_fini(p->detector_settings[i].conf_table, p->detector_conf[i]);
        free(p->detector_conf[i]);
    }
    free(p->detector_conf);
    free(p->detector_enabled);
    p->detector_conf = NULL;
    p->detector_enabled = NULL;
    p->n_detectors = 0;
}

static void known_detectors(const struct warden_policy *p, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < p->n_detectors; i++)
        warden_yaml_list_add(buf, len, p->detector_settings[i].name);
}

static int detector_index(const struct warden_policy *p, const char *name)
{
    for (size_t i = 0; i < p->n_detectors; i++)
        if (strcmp(p->detector_settings[i].name, name) == 0) return (int)i;
    return -1;
}

int warden_policy_detectors_load(struct warden_yaml *y, const yaml_node_t *n,
                                 struct warden_policy *p)
{
    bool empty;
    int rc = warden_yaml_mapping(y, n, "detectors", &empty);
    if (rc || empty) return rc;
    for (const yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *kn = warden_yaml_node(y, pr->key);
        char kp[WARDEN_YAML_KEYPATH];
        warden_yaml_join(kp, sizeof kp, "detectors", warden_yaml_text(kn));
        int i = detector_index(p, warden_yaml_text(kn));
        if (i < 0) {
            char known[512];
            known_detectors(p, known, sizeof known);
            return warden_yaml_fail(y, kn, kp, "unknown detector (known: %s)", known);
        }
        struct warden_conf_bind binds[2] = {
            {warden_policy_detector_table, &p->detector_enabled[i], NULL},
            {p->detector_settings[i].conf_table, p->detector_conf[i], NULL},
        };
        rc = warden_yaml_load_tables(y, warden_yaml_node(y, pr->value), kp, binds,
                                     p->detector_conf[i] ? 2 : 1);
        if (rc) return rc;
    }
    return 0;
}

const void *warden_policy_detector_conf(const struct warden_policy *p, size_t index)
{
    return index < p->n_detectors ? p->detector_conf[index] : NULL;
}

bool warden_policy_detector_enabled(const struct warden_policy *p, size_t index)
{
    return index < p->n_detectors && p->detector_enabled[index];
}

void warden_policy_detectors_dump(FILE *out, const struct warden_detector_settings *dets,
                                  size_t n_dets)
{
    for (size_t i = 0; i < n_dets; i++) {
        const struct warden_detector_settings *d = &dets[i];
        char section[128];
        snprintf(section, sizeof section, "detectors.%s", d->name);
        fprintf(out, "\n### %s — %s\n", section, d->description ? d->description : "");
        warden_conf_dump(out, section, warden_policy_detector_table);
        warden_conf_dump(out, section, d->conf_table);
    }
}
