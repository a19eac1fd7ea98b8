/* intel_build.h — internal: how sources feed the table builder.
 *
 * Every source (libloc, CIDR lists, ASN lists, .mmdb files) turns its data into
 * prefixes with attributes and hands them to one builder. The builder sweeps
 * all prefixes in address order (longest prefix wins per field, category sets
 * combine), deduplicates the resulting attribute records and produces sorted,
 * non-overlapping intervals, which iptrie.c compiles into the lookup structure.
 * Not part of the public API: only src/intel/ and its tests include it. */
#ifndef WARDEN_INTEL_INTEL_BUILD_H
#define WARDEN_INTEL_INTEL_BUILD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ip.h"
#include "intel/intel.h"

__extension__ typedef unsigned __int128 warden_u128;

/* Which fields a prefix sets. */
enum warden_pfx_field {
    WARDEN_PF_LOC = 1u << 0,     /* libloc network: country, ASN and flags as one */
    WARDEN_PF_COUNTRY = 1u << 1, /* .mmdb country */
    WARDEN_PF_ASN = 1u << 2,     /* .mmdb ASN */
    WARDEN_PF_LIST = 1u << 3,    /* CIDR list: categories OR-ed, provider if set */
    WARDEN_PF_ANON = 1u << 4,    /* .mmdb Anonymous-IP categories */
};

/* Source ranks: a higher rank wins a field regardless of prefix length. */
enum { WARDEN_RANK_LIBLOC = 1, WARDEN_RANK_MMDB = 2 };

/* One prefix. IPv4 prefixes live in their own 128-bit key space with the
 * address in the top 32 bits and plen in IPv4 terms; IPv6 use the full space. */
struct warden_pfx {
    warden_u128 start;
    uint32_t asn;
    uint32_t cats;
    uint32_t provider; /* string offset, 0 = none */
    uint32_t seq;      /* insertion order, for a stable sort */
    char cc[2];
    uint8_t plen;
    uint8_t fields; /* enum warden_pfx_field */
    uint8_t rank;
};

struct warden_pfxvec {
    struct warden_pfx *v;
    size_t n, cap;
};

/* Sorted, non-overlapping intervals covering the whole key space. */
struct warden_ival {
    warden_u128 first, last;
    uint32_t rec;
};

struct warden_ivalvec {
    struct warden_ival *v;
    size_t n, cap;
};

/* A stored attribute record: what warden_ipinfo is built from. */
struct warden_intel_rec {
    char cc[2];
    uint16_t pad;
    uint32_t asn;
    uint32_t cats;
    uint32_t as_name;  /* string offset */
    uint32_t provider; /* string offset */
};

/* Deduplicating string pool; offset 0 is the empty string. */
struct warden_strpool {
    char *buf;
    size_t len, cap;
    uint32_t *slots; /* open addressing: offset+1, 0 = empty */
    size_t nslots, count;
};

/* uint32 -> uint32 map (ASN -> name offset, ASN -> list index). */
struct warden_u32map {
    uint32_t *keys, *vals; /* key 0 is never stored (ASN 0 = unknown) */
    size_t nslots, count;
};

/* A list file compiled into the table: its name (the configured
 * CATEGORY:PROVIDER:PATH) and the day its data is as of. Saved as is. */
struct warden_intel_srcrec {
    int64_t as_of_day; /* days since 1970-01-01 (core/day.h); 0: the file gives no date */
    uint32_t name;     /* string offset */
    uint32_t pad;
};

struct warden_asnattr {
    uint32_t cats;
    uint32_t provider;
};

struct warden_intel_builder {
    struct warden_pfxvec v4, v6;
    struct warden_strpool strings;
    struct warden_u32map as_names; /* ASN -> string offset */
    struct warden_u32map asn_idx;  /* ASN -> index in asn_attr (+1) */
    struct warden_asnattr *asn_attr;
    size_t n_asn_attr;
    uint32_t seq;
    size_t bad_lines;                 /* list lines skipped with a warning */
    int64_t locdb_created;            /* loc_database_created_at, 0 without libloc */
    struct warden_intel_srcrec *srcs; /* list files read, in order */
    size_t n_srcs;
    const char *src_name; /* name the next list file is recorded under (NULL: its path) */
    /* results */
    struct warden_intel_rec *recs;
    size_t n_recs, cap_recs;
    uint32_t *rec_slots; /* open addressing: record id+1, 0 = empty */
    size_t rec_nslots;
    struct warden_ivalvec iv4, iv6;
};

void warden_strpool_init(struct warden_strpool *p);
void warden_strpool_fini(struct warden_strpool *p);
uint32_t warden_strpool_add(struct warden_strpool *p, const char *s, size_t n);

void warden_u32map_init(struct warden_u32map *m);
void warden_u32map_fini(struct warden_u32map *m);
/* Returns a pointer to the value slot for key, inserting 0 when absent. */
uint32_t *warden_u32map_slot(struct warden_u32map *m, uint32_t key);
/* Value for key, or 0 when absent. */
uint32_t warden_u32map_get(const struct warden_u32map *m, uint32_t key);

void warden_intel_builder_init(struct warden_intel_builder *b);
void warden_intel_builder_fini(struct warden_intel_builder *b);
/* Add a prefix: ip with plen in warden_ip_parse_cidr terms (IPv4: 0..32). */
void warden_intel_builder_add(struct warden_intel_builder *b, const struct warden_ip *ip,
                              unsigned plen, const struct warden_pfx *attrs);
/* Categories and provider for every network of an ASN (ASN lists). */
void warden_intel_builder_add_asn(struct warden_intel_builder *b, uint32_t asn, uint32_t cats,
                                  const char *provider);
void warden_intel_builder_as_name(struct warden_intel_builder *b, uint32_t asn, const char *name,
                                  size_t n);
/* Sweep all prefixes into records and intervals (iv4, iv6). */
void warden_intel_builder_finish(struct warden_intel_builder *b);

/* Category names ("hosting", "vpn", ...; "+"-joined sets) <-> bits. */
int warden_ipcat_parse(const char *s, size_t n, uint32_t *cats);

/* Record a list file read (name: b->src_name or path) and its as_of day. */
void warden_intel_builder_source(struct warden_intel_builder *b, const char *path,
                                 int64_t as_of_day);
/* A list file's date from a header comment before its first entry:
 * "# as_of=YYYY-MM-DD" (or "as_of: YYYY-MM-DD"), the day the data was
 * published or fetched. line is the comment text after '#'. Returns 1 and
 * sets *day when the comment carries one, 0 when it does not, and
 * WARDEN_EPARSE (what was found in bad) for a malformed date. */
int warden_intel_comment_as_of(const char *line, size_t n, int64_t *day, char *bad, size_t badlen);

/* Sources. Each returns 0 or a negative WARDEN_E* with a reason in err. */
int warden_intel_load_libloc(struct warden_intel_builder *b, const char *path, char *err,
                             size_t errlen);
/* spec: "CATEGORY:PROVIDER:PATH"; path already resolved. */
int warden_intel_load_list(struct warden_intel_builder *b, uint32_t cats, const char *provider,
                           const char *path, char *err, size_t errlen);
int warden_intel_load_asn_list(struct warden_intel_builder *b, uint32_t cats, const char *provider,
                               const char *path, char *err, size_t errlen);
int warden_intel_load_mmdb(struct warden_intel_builder *b, const char *path, char *err,
                           size_t errlen);
/* Split "CATEGORY:PROVIDER:PATH" (PATH may itself contain ':'). */
int warden_intel_parse_spec(const char *spec, uint32_t *cats, char **provider, char **path,
                            char *err, size_t errlen);

#endif
