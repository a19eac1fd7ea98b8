/* intel_conf.c — the declared table of the policy's `intel:` section.
 *
 * Where IP intelligence comes from: a compiled table, the IPFire Location
 * database (libloc), CIDR and ASN list files, and optional .mmdb files. The
 * policy loader validates `intel:` against this table and `warden config
 * --dump` prints it. (Written on the policy branch so the policy links; the
 * intel branch owns this table and keeps one definition at merge.) */
#include "intel/intel.h"

#include <stddef.h>

#define F(field) offsetof(struct warden_intel_conf, field)

const struct warden_conf_key warden_intel_conf_table[] = {
    {"table", WARDEN_CONF_STRING, NULL, F(table),
     "compiled prefix table (`warden intel build`); mapped when the file exists, otherwise the "
     "table is built from the sources below at start-up",
     0, 0},
    {"locdb", WARDEN_CONF_STRING, "/var/lib/location/database.db", F(locdb),
     "IPFire Location database (libloc; Debian package libloc-database, refreshed by `location "
     "update`): country, ASN and network flags",
     0, 0},
    {"lists", WARDEN_CONF_STRLIST, NULL, F(lists),
     "CIDR list files as CATEGORY:PROVIDER:PATH (category hosting, vpn, tor, cloud, proxy; "
     "provider a short name such as aws), one prefix per line",
     0, 0},
    {"asn_lists", WARDEN_CONF_STRLIST, NULL, F(asn_lists),
     "ASN list files as CATEGORY:PROVIDER:PATH, one AS number per line", 0, 0},
    {"mmdb_country", WARDEN_CONF_STRING, NULL, F(mmdb_country),
     "optional GeoIP2 / GeoLite2 / IPinfo Country .mmdb; overrides libloc's country", 0, 0},
    {"mmdb_asn", WARDEN_CONF_STRING, NULL, F(mmdb_asn),
     "optional ASN .mmdb; overrides libloc's AS number and name", 0, 0},
    {"mmdb_anonymous", WARDEN_CONF_STRING, NULL, F(mmdb_anonymous),
     "optional Anonymous-IP .mmdb (VPN, proxy, Tor, hosting, residential proxy flags)", 0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};
