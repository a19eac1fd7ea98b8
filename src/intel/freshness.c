/* freshness.c — how old the IP data is, and what a table answers from.
 *
 * Network lists go stale: Tor exits change by the hour, VPN and cloud ranges
 * by the month, and a re-assigned network keeps its old country in an old
 * location database. Each list file says which day it is as of (a
 * "# as_of=YYYY-MM-DD" header, src_list.c) and the libloc database carries
 * its creation time; both are kept in a compiled table. Opening a table warns
 * once about every source older than intel.max_age_days, or undated, with
 * what to do; `warden intel info` and `warden ip --stats` list each one.
 *
 * The digest names the table's content for a run's key (store/run_key.h): a
 * re-run over updated lists is a new run. */
#include "intel/intel_impl.h"
#include "core/day.h"
#include "core/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <xxhash.h>

int64_t warden_intel_data_age_days(const struct warden_intel *in)
{
    if (!in->stats.locdb_created) return -1;
    /* in whole UTC days, as `intel info` and the lists' ages count them */
    int64_t age = warden_day_today() - in->stats.locdb_created / 86400;
    return age < 0 ? 0 : age;
}

size_t warden_intel_n_sources(const struct warden_intel *in)
{
    return in->n_srcs;
}

const struct warden_intel_source *warden_intel_source_at(const struct warden_intel *in, size_t i)
{
    return i < in->n_srcs ? &in->sources[i] : NULL;
}

/* Stale location data gives wrong countries for re-assigned networks. */
static size_t warn_locdb(const struct warden_intel *in, int64_t max_age_days)
{
    int64_t age = warden_intel_data_age_days(in);
    if (max_age_days <= 0 || age <= max_age_days) return 0;
    char when[WARDEN_DAY_STRLEN];
    warden_day_format(in->stats.locdb_created / 86400, when);
    warden_warn("intel: the IP location data is from %s, %" PRId64 " days old (intel.max_age_days "
                "%" PRId64 "): countries of re-assigned networks may be wrong; run `location "
                "update` (and rebuild a compiled intel.table)",
                when, age, max_age_days);
    return 1;
}

#define WARN_NAMED 3 /* lists named in the warning; `warden intel info` lists each */

size_t warden_intel_warn_stale(const struct warden_intel *in, int64_t max_age_days)
{
    size_t n = warn_locdb(in, max_age_days), lists = 0;
    int64_t today = warden_day_today();
    char buf[1024];
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < in->n_srcs; i++) {
        const struct warden_intel_source *s = &in->sources[i];
        if (!warden_day_stale(s->as_of_day, today, max_age_days)) continue;
        if (lists++ >= WARN_NAMED || len >= sizeof buf) continue;
        char when[WARDEN_DAY_STRLEN];
        int64_t age = warden_day_age(s->as_of_day, today);
        int w = age >= 0
                    ? snprintf(buf + len, sizeof buf - len, "%s%s (as of %s, %" PRId64 " days)",
                               len ? ", " : "", s->name, warden_day_format(s->as_of_day, when), age)
                    : snprintf(buf + len, sizeof buf - len, "%s%s (no as_of date)", len ? ", " : "",
                               s->name);
        len += w > 0 ? (size_t)w : 0;
    }
    if (lists)
        warden_warn("intel: %zu of %zu network lists older than intel.max_age_days %" PRId64
                    " or undated: %s%s%.0zu%s; addresses that moved since are misclassified: "
                    "refresh the files (with a '# as_of=YYYY-MM-DD' first line) and rebuild a "
                    "compiled intel.table; `warden intel info` lists each",
                    lists, in->n_srcs, max_age_days, buf, lists > WARN_NAMED ? " and " : "",
                    lists > WARN_NAMED ? lists - WARN_NAMED : 0, lists > WARN_NAMED ? " more" : "");
    return n + lists;
}

uint64_t warden_intel_digest(const struct warden_intel *in)
{
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    const struct warden_iptrie *t[2] = {&in->v4, &in->v6};
    XXH3_64bits_update(st, in->recs, in->n_recs * sizeof *in->recs);
    XXH3_64bits_update(st, in->strings, in->strings_len);
    for (int f = 0; f < 2; f++) {
        XXH3_64bits_update(st, &t[f]->root_bits, sizeof t[f]->root_bits);
        XXH3_64bits_update(st, t[f]->root, ((size_t)1 << t[f]->root_bits) * 4);
        XXH3_64bits_update(st, t[f]->nodes, t[f]->n_nodes * sizeof *t[f]->nodes);
        XXH3_64bits_update(st, t[f]->leaves, t[f]->n_leaves * 4);
    }
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}
