/* yamldoc.h — small helpers over libyaml's document API for the sweep files.
 *
 * The catalogue and the sweep policy are small YAML documents read once; these
 * helpers look up mapping keys, refuse unknown keys with file:line, and turn
 * scalars and sequences into C strings and string lists. */
#ifndef WARDEN_SWEEP_YAMLDOC_H
#define WARDEN_SWEEP_YAMLDOC_H
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "core/conf.h"

struct warden_sweep_ydoc {
    yaml_document_t doc;
    const char *path;
    char *err;
    size_t errlen;
};

/* Load a file; WARDEN_EIO or WARDEN_ECONFIG with the reason in err. */
int warden_sweep_ydoc_load(struct warden_sweep_ydoc *d, const char *path, char *err, size_t errlen);
void warden_sweep_ydoc_fini(struct warden_sweep_ydoc *d);
yaml_node_t *warden_sweep_ydoc_root(struct warden_sweep_ydoc *d);
/* Write "FILE:LINE: message" into the error buffer; returns WARDEN_ECONFIG. */
int warden_sweep_ydoc_fail(struct warden_sweep_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Value of key in a mapping node, or NULL. */
yaml_node_t *warden_sweep_ydoc_get(struct warden_sweep_ydoc *d, yaml_node_t *map, const char *key);
/* Every key of map must be in the NULL-terminated list; else fails. */
int warden_sweep_ydoc_keys(struct warden_sweep_ydoc *d, yaml_node_t *map,
                           const char *const *allowed);
/* Scalar text, or NULL if n is not a scalar. */
const char *warden_sweep_ydoc_str(yaml_node_t *n);
/* A scalar or a sequence of scalars, appended to l. */
int warden_sweep_ydoc_strlist(struct warden_sweep_ydoc *d, yaml_node_t *n,
                              struct warden_strlist *l);
/* Append one string to a list (takes a copy); free a list. */
void warden_sweep_strlist_add(struct warden_strlist *l, const char *s);
void warden_sweep_strlist_free(struct warden_strlist *l);
bool warden_sweep_strlist_has(const struct warden_strlist *l, const char *s);

#endif
