/* blocklist.h — egress rules for banned tools, from the catalogue's endpoints.
 *
 * One catalogue, five enforcement points: an /etc/hosts fragment, dnsmasq and
 * unbound (NXDOMAIN for the hosts and their subdomains), squid (deny by
 * destination domain and IP range) and nftables (reject traffic to the
 * published IP ranges; nftables cannot match host names). Each output names
 * the tools and the vendor page the endpoints come from. */
#ifndef WARDEN_SWEEP_BLOCKLIST_H
#define WARDEN_SWEEP_BLOCKLIST_H
#include <stddef.h>
#include <stdio.h>

#include "sweep/catalogue.h"

enum warden_blocklist_format {
    WARDEN_BLOCKLIST_HOSTS = 0,
    WARDEN_BLOCKLIST_DNSMASQ,
    WARDEN_BLOCKLIST_UNBOUND,
    WARDEN_BLOCKLIST_SQUID,
    WARDEN_BLOCKLIST_NFTABLES,
};

/* Parse a format name; 0 or WARDEN_EINVAL. */
int warden_blocklist_format_parse(const char *s, enum warden_blocklist_format *f);

/* Write rules for the tools (catalogue indexes). Returns 0, or WARDEN_ENOENT
 * when none of the tools has anything this format can block (err says why). */
int warden_blocklist_write(FILE *out, const struct warden_sweep_catalogue *c, const int *tools,
                           size_t n, enum warden_blocklist_format f, char *err, size_t errlen);

#endif
