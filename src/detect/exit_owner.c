/* exit_owner.c — which account an exit address carries (see exit_owner.h).
 *
 * An IPv4 exit is its address; an IPv6 exit its /64 (a server's usual
 * allocation, and what a privacy extension rotates within). */
#include "detect/exit_owner.h"

#include "core/hash.h"
#include "core/xalloc.h"

#include <stdlib.h>

#define SHARED 0xFFFFFFFFu

void warden_exit_owners_init(struct warden_exit_owners *t, uint64_t slots)
{
    uint64_t n = 1024;
    while (n < slots) n <<= 1;
    t->slot = warden_xcalloc(n, sizeof *t->slot);
    t->mask = n - 1;
}

void warden_exit_owners_fini(struct warden_exit_owners *t)
{
    free(t->slot);
    t->slot = NULL;
}

bool warden_exit_owners_see(struct warden_exit_owners *t, const struct warden_ip *ip,
                            uint64_t account_hash)
{
    uint64_t h = warden_hash64(ip->b, warden_ip_is_v4(ip) ? 16 : 8);
    uint32_t tag = (uint32_t)(h >> 32) | 1u; /* never 0: 0 is an empty slot */
    uint32_t acct = (uint32_t)account_hash;
    if (acct == SHARED) acct--;
    uint64_t *s = &t->slot[h & t->mask];
    if ((uint32_t)(*s >> 32) != tag) { /* empty, or another address: (re)claim it */
        *s = (uint64_t)tag << 32 | acct;
        return true;
    }
    uint32_t owner = (uint32_t)*s;
    if (owner == acct) return true;
    *s = (uint64_t)tag << 32 | SHARED;
    return false;
}
