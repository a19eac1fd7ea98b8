/* ip.c — parsing and formatting of IP addresses and CIDR prefixes. */
#include "core/ip.h"
#include "core/error.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool warden_ip_is_v4(const struct warden_ip *ip)
{
    return memcmp(ip->b, v4_prefix, 12) == 0;
}

uint32_t warden_ip_v4(const struct warden_ip *ip)
{
    return (uint32_t)ip->b[12] << 24 | (uint32_t)ip->b[13] << 16 | (uint32_t)ip->b[14] << 8 |
           ip->b[15];
}

void warden_ip_from_v4(struct warden_ip *ip, uint32_t a)
{
    memcpy(ip->b, v4_prefix, 12);
    ip->b[12] = (uint8_t)(a >> 24);
    ip->b[13] = (uint8_t)(a >> 16);
    ip->b[14] = (uint8_t)(a >> 8);
    ip->b[15] = (uint8_t)a;
}

/* Fast path for dotted quads; strict: four decimal parts 0..255, no leading zeros
 * beyond a single 0, nothing else. */
static int parse_v4(const char *s, size_t n, uint32_t *out)
{
    uint32_t a = 0;
    unsigned parts = 0, val = 0, digits = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (digits == 0 || val > 255) return WARDEN_EPARSE;
            a = a << 8 | val;
            parts++;
            if (i < n && parts == 4) return WARDEN_EPARSE;
            val = 0;
            digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (digits == 1 && val == 0) return WARDEN_EPARSE; /* leading zero */
            val = val * 10 + (unsigned)(s[i] - '0');
            if (++digits > 3) return WARDEN_EPARSE;
        } else {
            return WARDEN_EPARSE;
        }
    }
    if (parts != 4) return WARDEN_EPARSE;
    *out = a;
    return 0;
}

int warden_ip_parse(struct warden_ip *ip, const char *s, size_t n)
{
    uint32_t a;
    if (n == 0 || n >= WARDEN_IP_STRLEN) return WARDEN_EPARSE;
    if (parse_v4(s, n, &a) == 0) {
        warden_ip_from_v4(ip, a);
        return 0;
    }
    char buf[WARDEN_IP_STRLEN];
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, ip->b) != 1) return WARDEN_EPARSE;
    return 0;
}

int warden_ip_parse_peer(struct warden_ip *ip, const char *s, size_t n)
{
    if (warden_ip_parse(ip, s, n) == 0) return 0;
    const char *e = s + n, *colon = e;
    while (colon > s && colon[-1] >= '0' && colon[-1] <= '9') colon--;
    if (colon == e || e - colon > 5 || colon <= s || colon[-1] != ':') return WARDEN_EPARSE;
    colon--; /* at the ':' before the port */
    if (*s == '[') {
        if (colon - s < 3 || colon[-1] != ']') return WARDEN_EPARSE;
        return warden_ip_parse(ip, s + 1, (size_t)(colon - 1 - (s + 1)));
    }
    if (memchr(s, ':', (size_t)(colon - s))) return WARDEN_EPARSE; /* IPv6 without brackets */
    return warden_ip_parse(ip, s, (size_t)(colon - s));
}

int warden_ip_parse_cidr(struct warden_ip *ip, unsigned *plen, const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    int rc = warden_ip_parse(ip, s, alen);
    if (rc) return rc;
    unsigned max = warden_ip_is_v4(ip) ? 32 : 128;
    if (!slash) {
        *plen = max;
        return 0;
    }
    const char *p = slash + 1, *end = s + n;
    if (p == end || end - p > 3) return WARDEN_EPARSE;
    unsigned v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return WARDEN_EPARSE;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > max) return WARDEN_EPARSE;
    *plen = v;
    return 0;
}

char *warden_ip_format(const struct warden_ip *ip, char *buf)
{
    if (warden_ip_is_v4(ip))
        inet_ntop(AF_INET, ip->b + 12, buf, WARDEN_IP_STRLEN);
    else
        inet_ntop(AF_INET6, ip->b, buf, WARDEN_IP_STRLEN);
    return buf;
}
