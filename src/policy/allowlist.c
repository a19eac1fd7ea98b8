/* allowlist.c — accounts, organisations and networks that are never actioned.
 *
 * Ids are kept sorted after load and found by binary search; networks are
 * parsed once into prefixes (host bits cleared) and compared bytewise. The
 * event's strings are slices (not NUL-terminated), so look-ups take lengths. */
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "policy/sections.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "registry/registry.h"

#include <stdlib.h>
#include <string.h>

int warden_policy_check_id(char *value, char *err, size_t errlen)
{
    if (!value || *value == '\0') {
        snprintf(err, errlen, "expected an id, got an empty string");
        return WARDEN_EINVAL;
    }
    return 0;
}

int warden_policy_check_cidr(char *value, char *err, size_t errlen)
{
    struct warden_ip ip;
    unsigned plen;
    if (!value || warden_ip_parse_cidr(&ip, &plen, value, strlen(value)) != 0) {
        snprintf(err, errlen,
                 "expected an IP address or CIDR prefix (e.g. 192.0.2.0/24 or 2001:db8::/32), "
                 "got '%s'",
                 value ? value : "");
        return WARDEN_EINVAL;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prefix length over the 16-byte form (IPv4 prefixes sit under ::ffff:0:0/96). */
static unsigned bits128(const struct warden_ip *net, unsigned plen)
{
    return warden_ip_is_v4(net) ? 96 + plen : plen;
}

static bool in_prefix(const struct warden_ip *ip, const struct warden_ip *net, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(ip->b, net->b, whole) != 0) return false;
    if (rest == 0) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (ip->b[whole] & mask) == (net->b[whole] & mask);
}

void warden_policy_allowlist_compile(struct warden_policy *p)
{
    if (p->allow_accounts.n)
        qsort(p->allow_accounts.v, p->allow_accounts.n, sizeof(char *), cmp_str);
    if (p->allow_orgs.n) qsort(p->allow_orgs.v, p->allow_orgs.n, sizeof(char *), cmp_str);

    warden_policy_allowlist_free(p);
    size_t n = p->allow_networks.n;
    if (n == 0) return;
    p->allow_nets = warden_xcalloc(n, sizeof *p->allow_nets);
    p->allow_net_len = warden_xcalloc(n, sizeof *p->allow_net_len);
    for (size_t i = 0; i < n; i++) {
        const char *s = p->allow_networks.v[i];
        struct warden_ip *net = &p->allow_nets[p->n_allow_nets];
        unsigned plen;
        if (warden_ip_parse_cidr(net, &plen, s, strlen(s)) != 0) continue; /* checked at load */
        unsigned bits = bits128(net, plen);
        for (unsigned b = bits; b < 128; b++) net->b[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
        p->allow_net_len[p->n_allow_nets++] = plen;
    }
}

void warden_policy_allowlist_free(struct warden_policy *p)
{
    free(p->allow_nets);
    free(p->allow_net_len);
    p->allow_nets = NULL;
    p->allow_net_len = NULL;
    p->n_allow_nets = 0;
}

/* Is the slice s[0..n) one of the sorted strings in l? */
static bool listed(const struct warden_strlist *l, const char *s, size_t n)
{
    if (!s || l->n == 0) return false;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *v = l->v[mid];
        size_t vn = strlen(v);
        int c = memcmp(v, s, vn < n ? vn : n);
        if (c == 0) c = vn < n ? -1 : vn > n ? 1 : 0;
        if (c == 0) return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool listed_cstr(const struct warden_strlist *l, const char *s)
{
    return s && listed(l, s, strlen(s));
}

bool warden_policy_allowlisted(const struct warden_policy *p, const struct warden_event *ev)
{
    if (listed(&p->allow_accounts, ev->account_id.p, ev->account_id.n)) return true;
    if (p->allow_orgs.n) {
        if (listed(&p->allow_orgs, ev->org_id.p, ev->org_id.n)) return true;
        if (ev->account && listed_cstr(&p->allow_orgs, ev->account->org_id)) return true;
        if (ev->org && listed_cstr(&p->allow_orgs, ev->org->org_id)) return true;
    }
    for (size_t i = 0; i < p->n_allow_nets; i++)
        if (in_prefix(&ev->ip, &p->allow_nets[i], bits128(&p->allow_nets[i], p->allow_net_len[i])))
            return true;
    return false;
}

bool warden_policy_allowlisted_account(const struct warden_policy *p, const char *account_id,
                                       size_t len, const char *org_id)
{
    if (listed(&p->allow_accounts, account_id, len)) return true;
    return p->allow_orgs.n && listed_cstr(&p->allow_orgs, org_id);
}

bool warden_policy_allowlisted_reason(const struct warden_policy *p, const char *account_id,
                                      size_t len, const char *code)
{
    return warden_review_allow_has(p->review_allow, account_id, len, code);
}
