/* sockaddr.h — a listening address from configuration: an IPv4 or IPv6
 * address literal ("127.0.0.1", "::1", "0.0.0.0") and a port. */
#ifndef WARDEN_CORE_SOCKADDR_H
#define WARDEN_CORE_SOCKADDR_H
#include <sys/socket.h>

/* Fill ss from addr and port. Returns 0, or WARDEN_EINVAL when addr is no
 * address literal (host names are not resolved). */
int warden_sockaddr_parse(struct sockaddr_storage *ss, const char *addr, unsigned port);

#endif
