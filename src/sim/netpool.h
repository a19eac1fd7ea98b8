/* netpool.h — real networks the simulator draws client addresses from.
 *
 * Pools are named: cloud providers ("aws", "googlecloud", "oracle",
 * "digitalocean", "linode", "vultr", "hetzner", "ovhcloud", "alibaba",
 * "tencent"), "datacenter" (X4BNet + ipcat hosting ranges), "vpn" (X4BNet VPN
 * ranges and Mullvad exits), "tor" (Tor exits), and per-country ISP pools
 * "res:CC" enumerated from the IPFire Location database through libloc, with
 * hosting ASNs (bad-asn list, X4BNet datacenter ASNs) and anonymous-proxy /
 * anycast networks left out, so what remains is access and business ISPs.
 * A network of the database may contain more-specific networks of other
 * countries, so every draw from an ISP pool is checked against the database
 * and redrawn when it lands in another country.
 * List files are read from data/ipintel/ when present, else from
 * ../shared/data/ipintel/. */
#ifndef WARDEN_SIM_NETPOOL_H
#define WARDEN_SIM_NETPOOL_H
#include <stddef.h>
#include <stdint.h>

#include "core/ip.h"
#include "sim/rng.h"

struct warden_net {
    struct warden_ip base;
    uint8_t plen; /* in IPv6 terms (IPv4 /24 is 120) */
    uint32_t asn; /* 0 when unknown */
};

struct warden_netpool {
    char name[16];
    char cc[3];             /* ISP pools: their country; draws are checked against it */
    void *loc_db;           /* struct loc_database *, for the check */
    const char (*avoid)[3]; /* other pools: countries a draw must not land in */
    size_t navoid;
    struct warden_net *nets;
    size_t n, cap;
    uint64_t *cum; /* IPv4 ISP pools: cumulative weights (addresses, capped at a
                    * /16), so large access networks carry most users; else NULL */
};

struct warden_netpools {
    struct warden_netpool *pools;
    size_t n;
    char (*avoid)[3];
    size_t navoid;
    void *loc_db;  /* struct loc_database *, for AS names */
    void *loc_ctx; /* struct loc_ctx * */
};

/* Load the list pools from ipintel_dirs (first that exists wins per file),
 * and the ISP pools of the given countries from the libloc database at
 * loc_path (NULL: the system default). Returns 0, or a negative code when
 * the location database cannot be opened. */
int warden_netpools_load(struct warden_netpools *p, const char *const *ipintel_dirs, size_t ndirs,
                         const char *loc_path, const char *const *countries, size_t ncountries);
void warden_netpools_fini(struct warden_netpools *p);
/* Draws from the list pools (cloud, VPN, Tor, datacenter) will not land in
 * these countries: a benign VPN user or app is not in a restricted
 * jurisdiction by accident. ISP pools keep their own country. */
void warden_netpools_avoid(struct warden_netpools *p, const char *const *countries, size_t n);
/* The pool of that name, or NULL (also when empty). */
const struct warden_netpool *warden_netpools_get(const struct warden_netpools *p, const char *name);
/* A random address inside a random network of the pool; the network's index
 * is stored in *net when net is not NULL. */
void warden_netpool_draw(const struct warden_netpool *pool, struct warden_rng *r,
                         struct warden_ip *out, size_t *net);
/* A random address inside network net of the pool, checked like a draw. */
void warden_netpool_draw_in(const struct warden_netpool *pool, size_t net, struct warden_rng *r,
                            struct warden_ip *out);
/* A random address inside one given network (unchecked). */
void warden_net_draw(const struct warden_net *n, struct warden_rng *r, struct warden_ip *out);
/* Name of an autonomous system from the location database; NULL if unknown.
 * The string is copied into buf. */
const char *warden_netpools_as_name(const struct warden_netpools *p, uint32_t asn, char *buf,
                                    size_t len);

#endif
