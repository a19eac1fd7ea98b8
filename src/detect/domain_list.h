/* domain_list.h — a set of e-mail domains read from a data file (the public
 * webmail list, data/webmail/webmail.txt), shared by the detectors that must
 * not treat a domain anyone can sign up at as evidence (link, signup). */
#ifndef WARDEN_DETECT_DOMAIN_LIST_H
#define WARDEN_DETECT_DOMAIN_LIST_H
#include <stddef.h>
#include <stdint.h>

#include "core/u64map.h"

/* Hash of a domain, case-insensitive (s need not be NUL-terminated). */
uint64_t warden_domain_hash(const char *s, size_t n);
/* Read one domain per line ('#' comments, blanks ignored) from path, resolved
 * against the data directory when relative, into set (initialised by the
 * caller) as warden_domain_hash -> 1. Returns the number of domains, or -1
 * with a logged error naming the file. */
long warden_domain_list_load(struct warden_u64map *set, const char *path);
/* Is the domain in the set? */
int warden_domain_list_has(const struct warden_u64map *set, const char *s, size_t n);

#endif
