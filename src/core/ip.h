/* ip.h — IP addresses as Warden stores them.
 *
 * Every address is 16 bytes in network order; IPv4 is kept as the v4-mapped
 * IPv6 form (::ffff:a.b.c.d) so tables and hashes handle both families alike. */
#ifndef WARDEN_CORE_IP_H
#define WARDEN_CORE_IP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_ip {
    uint8_t b[16];
};

#define WARDEN_IP_STRLEN 46

/* Parse a textual IPv4 or IPv6 address of length n (not NUL-terminated).
 * Returns 0 or WARDEN_EPARSE. */
int warden_ip_parse(struct warden_ip *ip, const char *s, size_t n);
/* As warden_ip_parse, and also an "address:port" as proxies log a peer
 * (Envoy's DOWNSTREAM_REMOTE_ADDRESS: 192.0.2.1:51234, [2001:db8::1]:51234),
 * read as its address. A bare IPv6 address has no port to cut (its last
 * group would read as one): only the bracketed form is taken for it. */
int warden_ip_parse_peer(struct warden_ip *ip, const char *s, size_t n);
/* Parse "ADDR/LEN" (or a bare address = host prefix); for IPv4 the returned
 * prefix length is in IPv4 terms (0..32), see warden_ip_is_v4(). */
int warden_ip_parse_cidr(struct warden_ip *ip, unsigned *plen, const char *s, size_t n);
bool warden_ip_is_v4(const struct warden_ip *ip);
/* The IPv4 address as a host-order integer; only meaningful when is_v4. */
uint32_t warden_ip_v4(const struct warden_ip *ip);
void warden_ip_from_v4(struct warden_ip *ip, uint32_t host_order);
/* Format into buf (at least WARDEN_IP_STRLEN bytes); returns buf. */
char *warden_ip_format(const struct warden_ip *ip, char *buf);

#endif
