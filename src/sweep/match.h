/* match.h — which catalogue patterns a walked path matches.
 *
 * Called for every file the walk sees, so the common case (no match) costs
 * one hash of the name and one probe: patterns are indexed by their literal
 * last component, and patterns whose last component has wildcards are
 * screened by literal prefix and suffix before fnmatch. */
#ifndef WARDEN_SWEEP_MATCH_H
#define WARDEN_SWEEP_MATCH_H
#include <stddef.h>

#include "sweep/catalogue.h"
#include "sweep/users.h"

struct warden_sweep_matcher;

/* Index pats (not copied: must outlive the matcher). */
struct warden_sweep_matcher *warden_sweep_matcher_new(const struct warden_sweep_pattern *pats,
                                                      size_t n,
                                                      const struct warden_sweep_users *users);
void warden_sweep_matcher_free(struct warden_sweep_matcher *m);

/* Patterns matching rel (relative to the root; name is its last component).
 * Writes up to max pattern indexes into out, in catalogue order; returns how
 * many. A ~/ pattern matches only under a selected user's home. */
size_t warden_sweep_match(const struct warden_sweep_matcher *m, const char *rel, size_t rel_len,
                          const char *name, size_t name_len, int *out, size_t max);

#endif
