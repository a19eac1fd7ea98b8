/* intel.h — IP intelligence: address → country, ASN, AS name, categories, provider.
 *
 * All sources (the IPFire Location database through libloc, plain CIDR and ASN
 * lists, optional MaxMind/IPinfo .mmdb files) are compiled once into Warden's
 * own flat prefix table, which maps an address to a compact record id with a
 * side array of attributes. The table is read-only after load and shared by
 * every worker; it can be saved to a file and mapped back (`warden intel build`). */
#ifndef WARDEN_INTEL_INTEL_H
#define WARDEN_INTEL_INTEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/ip.h"

/* Category bits; sets combine when sources overlap. */
enum warden_ipcat {
    WARDEN_IPCAT_HOSTING = 1u << 0,           /* hosting / datacenter */
    WARDEN_IPCAT_VPN = 1u << 1,               /* commercial VPN */
    WARDEN_IPCAT_TOR = 1u << 2,               /* Tor exit */
    WARDEN_IPCAT_CLOUD = 1u << 3,             /* public cloud provider */
    WARDEN_IPCAT_PROXY = 1u << 4,             /* anonymous proxy (libloc flag, Anonymous-IP db) */
    WARDEN_IPCAT_SATELLITE = 1u << 5,         /* satellite provider (libloc flag) */
    WARDEN_IPCAT_ANYCAST = 1u << 6,           /* anycast (libloc flag) */
    WARDEN_IPCAT_DROP = 1u << 7,              /* on a drop / hijacked list (libloc flag) */
    WARDEN_IPCAT_RESIDENTIAL_PROXY = 1u << 8, /* residential proxy (Anonymous-IP db) */
};

struct warden_ipinfo {
    char country[3];      /* ISO 3166-1 alpha-2, "" when unknown */
    uint32_t asn;         /* 0 when unknown */
    uint32_t categories;  /* enum warden_ipcat bits */
    const char *as_name;  /* "" when unknown; owned by the table */
    const char *provider; /* provider from a list (e.g. "aws"), "" when none */
};

/* Where the table comes from; the policy's `intel:` section. */
struct warden_intel_conf {
    char *table;                     /* compiled table file to map, if it exists */
    char *locdb;                     /* libloc database path */
    struct warden_strlist lists;     /* "CATEGORY:PROVIDER:PATH" CIDR list files */
    struct warden_strlist asn_lists; /* "CATEGORY:PROVIDER:PATH" ASN list files */
    char *mmdb_country;              /* optional GeoIP2/GeoLite2/IPinfo Country .mmdb */
    char *mmdb_asn;                  /* optional ASN .mmdb */
    char *mmdb_anonymous;            /* optional Anonymous-IP .mmdb */
    char *data_dir; /* relative paths resolve here; NULL: the data directory (core/datadir.h) */
    int64_t max_age_days; /* warn when the location data or a list is older (or a list undated); 0:
                             never */
};
extern const struct warden_conf_key warden_intel_conf_table[];

struct warden_intel;

/* Age in days of the location data in a table (from its libloc date), or -1
 * when it has none. */
int64_t warden_intel_data_age_days(const struct warden_intel *in);

/* A network or ASN list compiled into the table, and the day its data is as
 * of (from the file's `# as_of=YYYY-MM-DD` header; kept in a saved table). */
struct warden_intel_source {
    const char *name;  /* as configured: CATEGORY:PROVIDER:PATH */
    int64_t as_of_day; /* days since 1970-01-01 (core/day.h); 0: undated */
};
size_t warden_intel_n_sources(const struct warden_intel *in);
const struct warden_intel_source *warden_intel_source_at(const struct warden_intel *in, size_t i);
/* Warn (core/log.h) once about the location data and every list older than
 * max_age_days, or undated; returns how many were. 0 never warns. */
size_t warden_intel_warn_stale(const struct warden_intel *in, int64_t max_age_days);
/* What lookups answer from, as one 64-bit content hash (records, names,
 * tries): equal for a table built from sources and the same table mapped
 * from its file; different when any answer can differ. */
uint64_t warden_intel_digest(const struct warden_intel *in);

/* Build (or map, when conf->table names an existing compiled file) the table.
 * Warns (log) when the location data is older than conf->max_age_days.
 * On error writes a reason naming the file (and line) into err. */
int warden_intel_open(struct warden_intel **out, const struct warden_intel_conf *conf, char *err,
                      size_t errlen);
/* Never NULL: an address no source knows gets an all-empty record. */
const struct warden_ipinfo *warden_intel_lookup(const struct warden_intel *in,
                                                const struct warden_ip *ip);
void warden_intel_free(struct warden_intel *in);

/* Map a table saved by warden_intel_save. Refuses (WARDEN_EFORMAT, reason in
 * err) a file that is truncated, corrupt, or of another format or version. */
int warden_intel_map(struct warden_intel **out, const char *path, char *err, size_t errlen);
/* Save the compiled table (atomically: written beside path, then renamed). */
int warden_intel_save(const struct warden_intel *in, const char *path, char *err, size_t errlen);

struct warden_intel_stats {
    bool mapped;               /* loaded from a saved table file */
    double load_seconds;       /* time warden_intel_open/map took */
    size_t records;            /* distinct attribute records */
    size_t v4_nodes, v6_nodes; /* trie nodes (24 bytes each) */
    size_t v4_leaves, v6_leaves;
    size_t strings_bytes;            /* AS and provider names */
    size_t memory_bytes;             /* everything lookups touch: tries, records, names */
    size_t v4_prefixes, v6_prefixes; /* source prefixes merged (0 when mapped) */
    size_t bad_lines;                /* list lines skipped with a warning */
    int64_t built_at;                /* unix time the table was compiled */
    int64_t locdb_created;           /* date of the libloc data in it; 0 if none */
};
void warden_intel_get_stats(const struct warden_intel *in, struct warden_intel_stats *st);

/* Name of one category bit ("hosting", "vpn", ...); NULL if unknown. */
const char *warden_ipcat_name(uint32_t bit);
/* Comma-separated names of a category set into buf; returns buf. */
char *warden_ipcat_format(uint32_t cats, char *buf, size_t n);
/* A path from the conf resolved against data_dir (absolute paths unchanged); malloc-ed. */
char *warden_intel_resolve(const struct warden_intel_conf *conf, const char *path);

#endif
