/* intel_conf.c — the declared table of the policy's `intel:` section.
 *
 * Where IP intelligence comes from: a compiled table, the IPFire Location
 * database (libloc), CIDR and ASN list files, and optional .mmdb files. The
 * policy loader validates `intel:` against this table, `warden config --dump`
 * prints it, and `warden ip` / `warden intel` start from its defaults: the
 * libloc database Debian installs plus the MIT/CC0 lists shipped in
 * data/ipintel (see its README). Relative paths resolve against data_dir, else
 * the data directory (core/datadir.h) (see warden_intel_resolve). */
#include "intel/intel.h"

#include <stddef.h>

#define F(x) offsetof(struct warden_intel_conf, x)

const struct warden_conf_key warden_intel_conf_table[] = {
    {"table", WARDEN_CONF_STRING, NULL, F(table),
     "compiled table file (warden intel build --out), mapped instead of building; a missing file "
     "is an error",
     0, 0},
    {"locdb", WARDEN_CONF_STRING, "/var/lib/location/database.db", F(locdb),
     "IPFire Location (libloc) database: country, ASN, AS name, proxy/satellite/anycast/drop "
     "flags; \"\" for none",
     0, 0},
    {"lists", WARDEN_CONF_STRLIST,
     "vpn::ipintel/x4bnet/vpn/ipv4.txt,"
     "vpn::ipintel/x4bnet/vpn/ipv6.txt,"
     "hosting::ipintel/x4bnet/datacenter/ipv4.txt,"
     "hosting::ipintel/x4bnet/datacenter/ipv6.txt,"
     "hosting::ipintel/ipcat/datacenters.csv,"
     "cloud:aws:ipintel/providers/aws/aws_ips_merged_v4.txt,"
     "cloud:gcp:ipintel/providers/googlecloud/googlecloud_ips_v4.txt,"
     "cloud:oracle:ipintel/providers/oracle/oracle_ips_merged_v4.txt,"
     "cloud:alibaba:ipintel/providers/alibaba/alibaba_ips_merged_v4.txt,"
     "cloud:tencent:ipintel/providers/tencent/tencent_ips_merged_v4.txt,"
     "hosting:digitalocean:ipintel/providers/digitalocean/digitalocean_ips_merged_v4.txt,"
     "hosting:linode:ipintel/providers/linode/linode_ips_merged_v4.txt,"
     "hosting:vultr:ipintel/providers/vultr/vultr_ips_v4.txt,"
     "hosting:hetzner:ipintel/providers/hetzner/hetzner_ips_v4.txt,"
     "hosting:ovhcloud:ipintel/providers/ovhcloud/ovhcloud_ips_v4.txt,"
     "tor:tor:ipintel/providers/tor/tor_ips_v4.txt,"
     "vpn:mullvad:ipintel/providers/mullvad/mullvad_ips_v4.txt",
     F(lists),
     "CIDR lists as CATEGORY[+CATEGORY]:PROVIDER:PATH; one CIDR (or start,end[,name] range) "
     "per line; categories: hosting vpn tor cloud proxy satellite anycast drop "
     "residential_proxy",
     0, 0},
    {"asn_lists", WARDEN_CONF_STRLIST,
     "vpn::ipintel/x4bnet/vpn_asn.txt,"
     "hosting::ipintel/x4bnet/datacenter_asn.txt,"
     "hosting::ipintel/bad-asn/bad-asn-list.csv",
     F(asn_lists),
     "ASN lists as CATEGORY:PROVIDER:PATH (one ASN per line, 'AS123' or '123'); every network "
     "of a listed ASN gets the category",
     0, 0},
    {"mmdb_country", WARDEN_CONF_STRING, NULL, F(mmdb_country),
     "GeoIP2/GeoLite2/IPinfo country .mmdb; outranks libloc for country", 0, 0},
    {"mmdb_asn", WARDEN_CONF_STRING, NULL, F(mmdb_asn),
     "GeoLite2-ASN/IPinfo ASN .mmdb; outranks libloc for ASN and AS name", 0, 0},
    {"mmdb_anonymous", WARDEN_CONF_STRING, NULL, F(mmdb_anonymous),
     "GeoIP2 Anonymous-IP .mmdb: vpn, tor, hosting, proxy, residential_proxy", 0, 0},
    {"data_dir", WARDEN_CONF_STRING, NULL, F(data_dir),
     "directory relative paths resolve against; unset: $WARDEN_DATA_DIR, else the installed or "
     "source data (warden --version)",
     0, 0},
    {"max_age_days", WARDEN_CONF_INT, "30", F(max_age_days),
     "warn at start-up when the location data or a network list is older than this many days, "
     "or a list has no '# as_of=YYYY-MM-DD' line (run `location update`, refresh the lists, then "
     "rebuild a compiled table); 0 never warns",
     0, 3650},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};
