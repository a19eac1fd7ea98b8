/* exit_owner.h — which account an exit address carries, across accounts.
 *
 * A person who tunnels through a server of their own (a relay rented in a
 * cloud, a private VPN server) sends every request from one or a few
 * server addresses that carry nobody else's traffic; a commercial VPN exit
 * or a company's egress carries many accounts. This table remembers, per
 * exit address, the one account seen on it, or that several were: a
 * direct-mapped array of 64-bit slots (32-bit tag of the address, 32-bit
 * tag of the account; all ones = shared), fixed size, no allocation after
 * creation. A slot taken by another address forgets the old one (bounded
 * memory: what is forgotten starts again as exclusive). One table per
 * detector context, that is per engine shard: an address shared by accounts
 * of different shards looks exclusive in each (docs/circumvention.md). */
#ifndef WARDEN_DETECT_EXIT_OWNER_H
#define WARDEN_DETECT_EXIT_OWNER_H
#include <stdbool.h>
#include <stdint.h>

#include "core/ip.h"

struct warden_exit_owners {
    uint64_t *slot;
    uint64_t mask;
};

/* slots is rounded up to a power of two (at least 1024). */
void warden_exit_owners_init(struct warden_exit_owners *t, uint64_t slots);
void warden_exit_owners_fini(struct warden_exit_owners *t);
/* Record that account_hash used ip; true when no other account was seen on
 * ip (as far as the table remembers). */
bool warden_exit_owners_see(struct warden_exit_owners *t, const struct warden_ip *ip,
                            uint64_t account_hash);

#endif
