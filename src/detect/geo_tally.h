/* geo_tally.h — fixed-size per-account location tallies shared by the
 * location detectors (anonymizer, geo_consistency, reach).
 *
 * A country tally keeps the first WARDEN_CC_SLOTS distinct countries an
 * account's requests came from with their counts (later new countries add to
 * `other`; counts stop at 65535): 20 bytes. An hour tally counts requests per UTC hour of day
 * (24 x uint16, halved when a count would overflow): 48 bytes. Both write
 * themselves as evidence. No allocation. */
#ifndef WARDEN_DETECT_GEO_TALLY_H
#define WARDEN_DETECT_GEO_TALLY_H
#include <stdbool.h>
#include <stdint.h>

#include "core/jbuf.h"
#include "intel/intel.h"

#define WARDEN_CC_SLOTS 4

struct warden_cc_tally {
    char cc[WARDEN_CC_SLOTS][2];
    uint16_t n[WARDEN_CC_SLOTS];
    uint16_t other;
};

struct warden_hour_tally {
    uint16_t h[24];
};

/* Exit categories that say where a relay is, not where its user is. */
#define WARDEN_ANON_CATS                                                                           \
    (WARDEN_IPCAT_VPN | WARDEN_IPCAT_TOR | WARDEN_IPCAT_PROXY | WARDEN_IPCAT_HOSTING |             \
     WARDEN_IPCAT_CLOUD | WARDEN_IPCAT_RESIDENTIAL_PROXY)

void warden_cc_tally_add(struct warden_cc_tally *t, const char *cc);
uint32_t warden_cc_tally_get(const struct warden_cc_tally *t, const char *cc);
uint32_t warden_cc_tally_total(const struct warden_cc_tally *t);
/* {"NL": 12, "DE": 3, "other": 1} */
void warden_cc_tally_json(struct warden_jbuf *b, const struct warden_cc_tally *t);

/* Fill the shared trigonometry table; call once at start-up (detector init),
 * before workers run. */
void warden_hour_tally_setup(void);
void warden_hour_tally_add(struct warden_hour_tally *t, int64_t ts_ms);
/* Circular mean hour (UTC, 0..24) and its concentration R (0 = spread evenly
 * round the clock, 1 = all in one hour). */
void warden_hour_tally_mean(const struct warden_hour_tally *t, double *hour, double *r);
/* [24 counts] shifted to local time by offset_min. */
void warden_hour_tally_json(struct warden_jbuf *b, const struct warden_hour_tally *t,
                            int offset_min);
/* Hash of the address's network: its /24 (IPv4) or /48 (IPv6). */
uint64_t warden_net_hash(const struct warden_ip *ip);
/* Signed distance in minutes between two offsets on a 24 h circle (-720..720). */
int warden_offset_diff(int a_min, int b_min);

#endif
