/* geo_rotation.c — the exit-rotation tally of geo_rotation.h: ASN changes
 * between an account's consecutive direct requests and the distinct ASNs,
 * for telling a rotating residential proxy from one person's connections. */
#include "detect/geo_rotation.h"
#include "detect/geo_tally.h"

#include <math.h>

void warden_exit_rotation_add(struct warden_exit_rotation *r, const struct warden_ipinfo *info,
                              int64_t ts_ms, uint32_t gap_min)
{
    if (!info || !info->asn || (info->categories & WARDEN_ANON_CATS)) return;
    uint32_t h = info->asn * 2654435761u; /* Fibonacci hashing: top 6 bits pick the bit */
    r->asns[h >> 31] |= 1u << (h >> 26 & 31);
    uint16_t a16 = (uint16_t)(h >> 8 & 0xffff);
    if (!a16) a16 = 1;
    uint16_t m = (uint16_t)(ts_ms > 0 ? ts_ms / 60000 : 0);
    bool first = r->last_asn == 0;
    if ((first || (uint16_t)(m - r->last_min) >= gap_min) && r->sessions < UINT16_MAX)
        r->sessions++;
    if (!first && r->last_asn != a16 && r->switches < UINT16_MAX) r->switches++;
    r->last_asn = a16;
    r->last_min = m;
}

unsigned warden_exit_rotation_asns(const struct warden_exit_rotation *r)
{
    int set = __builtin_popcount(r->asns[0]) + __builtin_popcount(r->asns[1]);
    if (set >= 64) return 64 * 4; /* saturated: "many" */
    /* linear counting: n = -m ln(empty / m) */
    return (unsigned)lround(-64.0 * log((64.0 - set) / 64.0));
}

bool warden_exit_rotation_rotating(const struct warden_exit_rotation *r, unsigned min_sessions,
                                   unsigned min_asns, double min_switch_share)
{
    return r->sessions >= min_sessions && r->switches >= min_switch_share * (r->sessions - 1) &&
           warden_exit_rotation_asns(r) >= min_asns;
}

void warden_exit_rotation_json(struct warden_jbuf *b, const struct warden_exit_rotation *r)
{
    warden_jbuf_kv_int(b, "exit_asns", warden_exit_rotation_asns(r));
    warden_jbuf_kv_int(b, "asn_switches", r->switches);
    warden_jbuf_kv_int(b, "direct_sessions", r->sessions);
}
