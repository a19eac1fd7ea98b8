/* update.h — fetching, verifying and swapping in new list versions
 * (`warden lists update`; see update.c for the checks). */
#ifndef WARDEN_SCREEN_UPDATE_H
#define WARDEN_SCREEN_UPDATE_H
#include <stdbool.h>
#include <stddef.h>

#include "registry/registry.h"
#include "screen/screen.h"

struct warden_lists_update_opts {
    const char *sources;  /* NAME<TAB>FORMAT<TAB>[role=]URL... (data/lists/sources.tsv) */
    const char *dir;      /* downloads: DIR/current, DIR/previous, DIR/incoming */
    const char *out;      /* compiled file to replace; the one in force is kept as OUT.prev */
    const char *norm_dir; /* normalisation data (DATA/screen) */
    const struct warden_screen_conf *conf; /* may be NULL */
    double min_ratio; /* least share of a list's entities and bytes a new version keeps */
    size_t max_bytes; /* largest download accepted (0: 2 GiB) */
    long timeout_s;   /* per download (0: 600 s) */
    bool allow_http;  /* plain HTTP too (loopback tests); HTTPS only when false */
};

/* Fetch, verify, compile and swap. On success *new_out is the new set (and
 * *old_out, when old_out is not NULL, the one that was in force, or NULL when
 * there was none). On refusal nothing in force changes and err says why
 * (WARDEN_EFORMAT for a download that fails the checks). */
int warden_lists_update(const struct warden_lists_update_opts *o, struct warden_screen **old_out,
                        struct warden_screen **new_out, char *err, size_t errlen);

/* Screen orgs[0..n) against both sets; write into idx (up to max) the
 * organisations restricted under neu but not under old (old may be NULL:
 * every restricted one). */
int warden_lists_newly_restricted(const struct warden_screen *old, const struct warden_screen *neu,
                                  const struct warden_org *orgs, size_t n, size_t *idx, size_t max,
                                  size_t *n_out);

#endif
