/* policy.c — loading and freeing a policy.
 *
 * A policy starts as the built-in defaults (every declared key's default, the
 * built-in rules, every registered detector with its defaults); a file then
 * overrides what it names, section by section (sections.c). A key given in
 * the file replaces its default; a list given replaces the default list.
 * After loading, derived look-up data (country bitmap, allowlist prefixes) is
 * built once; from then on the policy is read-only and shared. */
#include "policy/policy.h"
#include "policy/sections.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void *section_obj(struct warden_policy *p, const struct warden_policy_section *s)
{
    return (char *)p + s->offset;
}

static struct warden_policy *policy_defaults(const struct warden_detector_settings *dets,
                                             size_t n_dets)
{
    struct warden_policy *p = warden_xcalloc(1, sizeof *p);
    warden_conf_defaults(warden_policy_root_table, p);
    for (size_t i = 0; i < warden_policy_n_sections; i++) {
        const struct warden_policy_section *s = &warden_policy_sections[i];
        if (!s->load) warden_conf_defaults(s->table, section_obj(p, s));
    }
    warden_policy_rules_defaults(p);
    warden_policy_detectors_defaults(p, dets, n_dets);
    return p;
}

static const struct warden_policy_section *find_section(const char *name)
{
    for (size_t i = 0; i < warden_policy_n_sections; i++)
        if (strcmp(warden_policy_sections[i].name, name) == 0) return &warden_policy_sections[i];
    return NULL;
}

static void known_top(char *buf, size_t len)
{
    buf[0] = '\0';
    for (const struct warden_conf_key *k = warden_policy_root_table; k->key; k++)
        warden_yaml_list_add(buf, len, k->key);
    for (size_t i = 0; i < warden_policy_n_sections; i++)
        warden_yaml_list_add(buf, len, warden_policy_sections[i].name);
}

static int load_file(struct warden_policy *p, const char *path, char *err, size_t errlen)
{
    struct warden_yaml y;
    int rc = warden_yaml_open(&y, path, err, errlen);
    if (rc) goto out;
    memcpy(p->sha256, y.sha256, sizeof p->sha256);
    const yaml_node_t *root = warden_yaml_root(&y);
    char known[512];
    known_top(known, sizeof known);
    if (root->type != YAML_MAPPING_NODE) {
        rc = warden_yaml_fail(&y, root, NULL,
                              "expected a mapping of sections at the top level (%s), got %s", known,
                              warden_yaml_kind(root));
        goto out;
    }
    bool empty;
    rc = warden_yaml_mapping(&y, root, "", &empty);
    if (rc) goto out;
    for (const yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        const yaml_node_t *kn = warden_yaml_node(&y, pr->key);
        const yaml_node_t *v = warden_yaml_node(&y, pr->value);
        const char *key = warden_yaml_text(kn);
        const struct warden_conf_key *k = warden_conf_find(warden_policy_root_table, key);
        const struct warden_policy_section *s = find_section(key);
        if (k) {
            rc = warden_yaml_set(&y, k, p, NULL, v, key);
        } else if (s && s->load) {
            rc = s->load(&y, v, p);
        } else if (s) {
            const struct warden_conf_bind bind = {s->table, section_obj(p, s), s->check};
            rc = warden_yaml_load_tables(&y, v, key, &bind, 1);
        } else {
            rc = warden_yaml_fail(&y, kn, key, "unknown section (known: %s)", known);
        }
        if (rc) goto out;
    }
out:
    warden_yaml_close(&y);
    return rc;
}

int warden_policy_load_with(struct warden_policy **out, const char *path,
                            const struct warden_detector_settings *dets, size_t n_dets, char *err,
                            size_t errlen)
{
    *out = NULL;
    if (errlen) err[0] = '\0';
    struct warden_policy *p = policy_defaults(dets, n_dets);
    {
        struct warden_sha256 h; /* no file: the hash of nothing */
        warden_sha256_init(&h);
        warden_sha256_hex(&h, p->sha256);
    }
    if (path) {
        p->path = warden_xstrdup(path);
        int rc = load_file(p, path, err, errlen);
        if (rc) {
            warden_policy_free(p);
            return WARDEN_ECONFIG;
        }
    }
    warden_policy_jurisdictions_compile(p);
    warden_policy_allowlist_compile(p);
    *out = p;
    return 0;
}

void warden_policy_free(struct warden_policy *p)
{
    if (!p) return;
    warden_conf_fini(warden_policy_root_table, p);
    for (size_t i = 0; i < warden_policy_n_sections; i++) {
        const struct warden_policy_section *s = &warden_policy_sections[i];
        if (!s->load) warden_conf_fini(s->table, section_obj(p, s));
    }
    warden_policy_rules_free(p);
    warden_policy_detectors_free(p);
    warden_policy_allowlist_free(p);
    free(p->path);
    free(p);
}
