/* intel_opts.h — the IP-intelligence options `warden ip` and `warden intel`
 * share, and how they turn into a struct warden_intel_conf. */
#ifndef WARDEN_CLI_INTEL_OPTS_H
#define WARDEN_CLI_INTEL_OPTS_H
#include "cli/cli.h"
#include "intel/intel.h"

/* Rows for a command's option table (followed by the command's own rows). */
#define WARDEN_INTEL_OPTS                                                                          \
    {"policy", 'p', "FILE", "policy file whose intel: section configures the sources", false},     \
        {"table", 0, "FILE", "map this compiled table (warden intel build --out)", false},         \
        {"locdb", 0, "FILE", "libloc database (\"\" for none)", false},                            \
        {"list", 0, "CAT:PROVIDER:PATH", "add a CIDR list (e.g. vpn:acme:nets.txt)", true},        \
        {"asn-list", 0, "CAT:PROVIDER:PATH", "add an ASN list", true},                             \
        {"no-lists", 0, NULL, "drop the default CIDR and ASN lists", false},                       \
        {"mmdb-country", 0, "FILE", "country .mmdb (GeoIP2/GeoLite2/IPinfo)", false},              \
        {"mmdb-asn", 0, "FILE", "ASN .mmdb", false},                                               \
        {"mmdb-anonymous", 0, "FILE", "Anonymous-IP .mmdb", false},                                \
    {                                                                                              \
        "data-dir", 0, "DIR",                                                                      \
            "resolve relative paths here (default: $WARDEN_DATA_DIR, else the installed or "       \
            "source data; see warden --version)",                                                  \
            false                                                                                  \
    }

/* Fill conf (defaults, then --policy, then the other options). On a bad
 * option prints the reason and returns a WARDEN_EXIT_* code; else 0. */
int warden_cli_intel_conf(const struct warden_args *a, struct warden_intel_conf *conf);

#endif
