/* geo_rotation.c — the exit-rotation tallies of geo_rotation.h: ASN (and
 * /24 network) changes between an account's consecutive direct requests and
 * the distinct ASNs (networks), for telling a rotating residential proxy
 * from one person's connections. */
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

void warden_exit_home_vote(struct warden_exit_home *h, const struct warden_exit_rotation *r)
{
    if (!r->last_asn) return;
    if (h->votes == 0) {
        h->asn = r->last_asn;
        h->votes = 1;
    } else if (h->asn == r->last_asn) {
        if (h->votes < UINT16_MAX) h->votes++;
    } else {
        h->votes--;
    }
}

bool warden_exit_home_holds(const struct warden_exit_home *h, const struct warden_exit_rotation *r,
                            double share)
{
    return share > 0 && r->sessions > 0 && h->votes >= share * r->sessions;
}

void warden_exit_rotation_json(struct warden_jbuf *b, const struct warden_exit_rotation *r)
{
    warden_jbuf_kv_int(b, "exit_asns", warden_exit_rotation_asns(r));
    warden_jbuf_kv_int(b, "asn_switches", r->switches);
    warden_jbuf_kv_int(b, "direct_sessions", r->sessions);
}

void warden_net_rotation_add(struct warden_net_rotation *n, const struct warden_ipinfo *info,
                             const struct warden_ip *ip)
{
    if (!info || !info->asn || (info->categories & WARDEN_ANON_CATS)) return;
    uint64_t h = warden_net_hash(ip);
    n->nets |= (uint16_t)(1u << (h >> 60));
    uint16_t h16 = (uint16_t)(h >> 8 & 0xffff);
    if (!h16) h16 = 1;
    if (n->last && n->last != h16 && n->switches < UINT16_MAX) n->switches++;
    n->last = h16;
}

unsigned warden_net_rotation_nets(const struct warden_net_rotation *n)
{
    int set = __builtin_popcount(n->nets);
    if (set >= 16) return 16 * 4; /* saturated: "many" */
    return (unsigned)lround(-16.0 * log((16.0 - set) / 16.0));
}

bool warden_net_rotation_rotating(const struct warden_net_rotation *n,
                                  const struct warden_exit_rotation *r, unsigned min_sessions,
                                  unsigned min_nets, double min_switch_share)
{
    return r->sessions >= min_sessions && n->switches >= min_switch_share * (r->sessions - 1) &&
           warden_net_rotation_nets(n) >= min_nets;
}

bool warden_net_rotation_fresh(const struct warden_net_rotation *n,
                               const struct warden_exit_rotation *r, unsigned min_sessions,
                               double share)
{
    /* a network belongs to one operator: the distinct ASNs (a 64-bit
     * bitmap) are a floor on the distinct networks when the 16-bit one
     * collides */
    unsigned nets = warden_net_rotation_nets(n), asns = warden_exit_rotation_asns(r);
    return r->sessions >= min_sessions && n->switches >= share * (r->sessions - 1) &&
           (nets > asns ? nets : asns) >= share * r->sessions;
}
