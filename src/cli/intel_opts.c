/* intel_opts.c — builds the `intel:` configuration from the shared command
 * line options (see intel_opts.h). Defaults come from the declared table
 * (warden_intel_conf_table); options override them one by one. */
#include "cli/intel_opts.h"
#include "core/error.h"
#include "detect/detector.h"
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

int warden_cli_intel_conf(const struct warden_args *a, struct warden_intel_conf *conf)
{
    const char *policy = warden_arg(a, "policy");
    if (policy) {
        /* the policy's intel: section, then the options below override it */
        struct warden_policy *p;
        char perr[512];
        if (warden_policy_load(&p, policy, perr, sizeof perr)) {
            fprintf(stderr, "warden %s: %s\n", a->cmd->name, perr);
            warden_conf_defaults(warden_intel_conf_table, conf); /* the caller frees conf */
            return WARDEN_EXIT_CONFIG;
        }
        *conf = p->intel;
        memset(&p->intel, 0, sizeof p->intel);
        warden_policy_free(p);
    } else {
        warden_conf_defaults(warden_intel_conf_table, conf);
    }
    static const char *const strs[][2] = {
        {"table", "table"},
        {"locdb", "locdb"},
        {"mmdb-country", "mmdb_country"},
        {"mmdb-asn", "mmdb_asn"},
        {"mmdb-anonymous", "mmdb_anonymous"},
        {"data-dir", "data_dir"},
    };
    char err[200];
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        const char *v = warden_arg(a, strs[i][0]);
        if (!v) continue;
        const struct warden_conf_key *k = warden_conf_find(warden_intel_conf_table, strs[i][1]);
        if (warden_conf_set(k, conf, v, err, sizeof err)) {
            fprintf(stderr, "warden %s: --%s: %s\n", a->cmd->name, strs[i][0], err);
            return WARDEN_EXIT_USAGE;
        }
    }
    const struct warden_conf_key *kl = warden_conf_find(warden_intel_conf_table, "lists");
    const struct warden_conf_key *ka = warden_conf_find(warden_intel_conf_table, "asn_lists");
    if (warden_flag(a, "no-lists")) {
        warden_conf_list_clear(kl, conf);
        warden_conf_list_clear(ka, conf);
    }
    int n;
    const char **v = warden_arg_all(a, "list", &n);
    for (int i = 0; i < n; i++) warden_conf_list_append(kl, conf, v[i]);
    v = warden_arg_all(a, "asn-list", &n);
    for (int i = 0; i < n; i++) warden_conf_list_append(ka, conf, v[i]);
    return 0;
}
