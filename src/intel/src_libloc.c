/* src_libloc.c — the IPFire Location database (Debian's libloc-database) as a
 * source: every network with its country, ASN and flags, and every AS name.
 *
 * libloc is read once, through its public enumerators (not flattened: the
 * builder's sweep resolves nesting itself, which is cheaper than libloc's
 * flattening and gives exactly loc_database_lookup's most-specific-network
 * answer). The database's own networks nest (e.g. 1.0.0.0/8 AU with
 * 1.0.0.0/24 AS13335 inside). */
#include "intel/intel_build.h"
#include "core/error.h"

#include <errno.h>
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static uint32_t loc_cats(struct loc_network *n)
{
    uint32_t c = 0;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_ANONYMOUS_PROXY)) c |= WARDEN_IPCAT_PROXY;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_SATELLITE_PROVIDER)) c |= WARDEN_IPCAT_SATELLITE;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_ANYCAST)) c |= WARDEN_IPCAT_ANYCAST;
    if (loc_network_has_flag(n, LOC_NETWORK_FLAG_DROP)) c |= WARDEN_IPCAT_DROP;
    return c;
}

int warden_intel_load_libloc(struct warden_intel_builder *b, const char *path, char *err,
                             size_t errlen)
{
    int rc = WARDEN_ELIB;
    struct loc_ctx *ctx = NULL;
    struct loc_database *db = NULL;
    struct loc_database_enumerator *en = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "libloc database %s: %s (Debian: apt install libloc-database)", path,
                 strerror(errno));
        return WARDEN_ECONFIG;
    }
    if (loc_new(&ctx) != 0) {
        snprintf(err, errlen, "libloc: cannot create a context");
        goto out;
    }
    loc_set_log_priority(ctx, LOG_ERR);
    if (loc_database_new(ctx, &db, f) != 0) {
        snprintf(err, errlen, "%s: not a readable libloc database", path);
        rc = WARDEN_EFORMAT;
        goto out;
    }
    b->locdb_created = (int64_t)loc_database_created_at(db);

    if (loc_database_enumerator_new(&en, db, LOC_DB_ENUMERATE_ASES, 0) != 0) {
        snprintf(err, errlen, "%s: cannot enumerate autonomous systems", path);
        goto out;
    }
    for (;;) {
        struct loc_as *as = NULL;
        if (loc_database_enumerator_next_as(en, &as) != 0) {
            snprintf(err, errlen, "%s: reading autonomous systems failed", path);
            goto out;
        }
        if (!as) break;
        const char *name = loc_as_get_name(as);
        if (name) warden_intel_builder_as_name(b, loc_as_get_number(as), name, strlen(name));
        loc_as_unref(as);
    }
    loc_database_enumerator_unref(en);
    en = NULL;

    if (loc_database_enumerator_new(&en, db, LOC_DB_ENUMERATE_NETWORKS, 0) != 0) {
        snprintf(err, errlen, "%s: cannot enumerate networks", path);
        goto out;
    }
    struct warden_pfx p;
    memset(&p, 0, sizeof p);
    p.fields = WARDEN_PF_LOC;
    p.rank = WARDEN_RANK_LIBLOC;
    for (;;) {
        struct loc_network *n = NULL;
        if (loc_database_enumerator_next_network(en, &n) != 0) {
            snprintf(err, errlen, "%s: reading networks failed", path);
            goto out;
        }
        if (!n) break;
        struct warden_ip ip;
        memcpy(ip.b, loc_network_get_first_address(n), 16);
        const char *cc = loc_network_get_country_code(n);
        p.cc[0] = cc && cc[0] && cc[1] ? cc[0] : '\0';
        p.cc[1] = cc && cc[0] && cc[1] ? cc[1] : '\0';
        p.asn = loc_network_get_asn(n);
        p.cats = loc_cats(n);
        warden_intel_builder_add(b, &ip, loc_network_prefix(n), &p);
        loc_network_unref(n);
    }
    rc = 0;
out:
    if (en) loc_database_enumerator_unref(en);
    if (db) loc_database_unref(db);
    if (ctx) loc_unref(ctx);
    fclose(f);
    return rc;
}
