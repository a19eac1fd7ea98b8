/* geo_rotation.h — how often an account's direct exits change network
 * operator (ASN): the trace of a rotating residential proxy service.
 *
 * A person's own connections stay with a few operators: the home ISP
 * (whose addresses change within it), a mobile carrier (behind its
 * carrier-grade NAT, one ASN), an office. A residential proxy service
 * hands out a new household's address, usually of a different ISP, at
 * every session or request, and the IP table does not flag most of them
 * (they are ordinary residential addresses). What stays visible is that
 * consecutive requests keep changing operator, many operators in all.
 * Only direct exits count (no anonymizer category): VPN users changing
 * servers are the anonymizer detector's business. Changes are counted per
 * session (direct requests more than a gap apart start a new one), so a
 * long session on one exit weighs as much as a short one. 16 bytes, no
 * allocation (the per-account budget: test_engine). */
#ifndef WARDEN_DETECT_GEO_ROTATION_H
#define WARDEN_DETECT_GEO_ROTATION_H
#include <stdbool.h>
#include <stdint.h>

#include "core/jbuf.h"
#include "intel/intel.h"

struct warden_exit_rotation {
    uint32_t asns[2];  /* 64-bit bitmap of ASN hashes (linear counting), 4-byte aligned */
    uint16_t last_asn; /* 16-bit hash of the previous direct request's ASN (0: none yet) */
    uint16_t last_min; /* its time, minutes since the epoch mod 65536 (45 days) */
    uint16_t sessions; /* direct sessions (saturates) */
    uint16_t switches; /* consecutive direct requests on different ASNs (saturates) */
};

/* Count one request's exit at ts_ms (ignored when it is an anonymizer or its
 * ASN is unknown); a request more than gap_min after the previous direct one
 * starts a session (a gap of 45 days or more can pass for a short one). */
void warden_exit_rotation_add(struct warden_exit_rotation *r, const struct warden_ipinfo *info,
                              int64_t ts_ms, uint32_t gap_min);
/* Distinct ASNs seen, estimated from the bitmap (exact for a handful). */
unsigned warden_exit_rotation_asns(const struct warden_exit_rotation *r);
/* At least min_sessions direct sessions, at least min_asns operators, and
 * at least min_switch_share changes of operator per session after the first. */
bool warden_exit_rotation_rotating(const struct warden_exit_rotation *r, unsigned min_sessions,
                                   unsigned min_asns, double min_switch_share);
/* The same over /24 (/48) networks, in 6 bytes beside an ASN tally whose
 * sessions it shares (it counts the same requests: direct, known ASN). A
 * residential proxy service in a country where a few ISPs hold most
 * addresses rotates among few operators but hands out a new household, a
 * new network, at each session; so can a mobile carrier's address pool,
 * which is why reach only uses it with a declared restricted zone. */
struct warden_net_rotation {
    uint16_t nets;     /* 16-bit bitmap of network hashes (linear counting) */
    uint16_t last;     /* 16-bit hash of the previous counted request's network (0: none) */
    uint16_t switches; /* consecutive counted requests on different networks (saturates) */
};
void warden_net_rotation_add(struct warden_net_rotation *n, const struct warden_ipinfo *info,
                             const struct warden_ip *ip);
/* Distinct networks, estimated (exact for a few; saturated at 16 bits set). */
unsigned warden_net_rotation_nets(const struct warden_net_rotation *n);
/* As warden_exit_rotation_rotating, over networks, with r's sessions. */
bool warden_net_rotation_rotating(const struct warden_net_rotation *n,
                                  const struct warden_exit_rotation *r, unsigned min_sessions,
                                  unsigned min_nets, double min_switch_share);
/* A new network at nearly every session: at least min_sessions sessions,
 * and at least share changes per session after the first and share
 * distinct networks per session (one person's connections come back to a
 * network: a home line, a hotel; a proxy service hands out a new household
 * each session). Exits that rotate among few networks are not fresh. */
bool warden_net_rotation_fresh(const struct warden_net_rotation *n,
                               const struct warden_exit_rotation *r, unsigned min_sessions,
                               double share);

/* The network operator most of an account's direct sessions start on, by
 * a majority vote (Boyer-Moore) over the sessions' first ASNs: 4 bytes. A
 * person comes back to a home line (or an office) between excursions to a
 * café, a hotel, a phone; a residential proxy service hands out another
 * household at each session and has no such network. votes never exceeds
 * the sessions the leading ASN started, and is at least twice that count
 * less the sessions when it started most of them. */
struct warden_exit_home {
    uint16_t asn;   /* 16-bit hash of the leading ASN, as last_asn (0: none) */
    uint16_t votes; /* its majority count (saturates) */
};
/* Count the session that r's latest request started (call it when
 * warden_exit_rotation_add counted a new session). */
void warden_exit_home_vote(struct warden_exit_home *h, const struct warden_exit_rotation *r);
/* Whether one operator started at least share of r's sessions by the
 * majority count (share 0: never). */
bool warden_exit_home_holds(const struct warden_exit_home *h, const struct warden_exit_rotation *r,
                            double share);

/* "exit_asns", "asn_switches", "direct_sessions" keys into an open object. */
void warden_exit_rotation_json(struct warden_jbuf *b, const struct warden_exit_rotation *r);

#endif
