/* dump.c — `warden config --dump`: every policy key, its default and meaning.
 *
 * Printed from the same declared tables the loader validates against, so the
 * reference cannot drift from what the loader accepts. */
#include "policy/policy.h"
#include "policy/sections.h"

void warden_policy_dump_with(FILE *out, const struct warden_detector_settings *dets, size_t n_dets)
{
    fprintf(out, "# Warden policy reference: every key, its type, default and meaning.\n"
                 "# A policy is one YAML file; its top-level keys are the sections below.\n"
                 "# A key not given keeps its default; a list given replaces the default list.\n"
                 "# Check a file with `warden config --check FILE`.\n"
                 "\n## top level\n");
    warden_conf_dump(out, "", warden_policy_root_table);
    for (size_t i = 0; i < warden_policy_n_sections; i++) {
        const struct warden_policy_section *s = &warden_policy_sections[i];
        fprintf(out, "\n## %s — %s\n", s->name, s->help);
        if (s->dump)
            s->dump(out, dets, n_dets);
        else
            warden_conf_dump(out, s->name, s->table);
    }
}
