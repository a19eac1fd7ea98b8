/* yaml_load.h — YAML documents checked against declared config tables.
 *
 * The one place where YAML meets conf.h's tables: a file is read whole with
 * libyaml into a node tree (each node keeps its line and column), and a
 * mapping is validated against one or more tables. Every refusal names the
 * file, line, column and dotted key path, e.g.
 *   policy.yaml:12:12: detectors.velocity.max_rpm: expected a whole number ..., got 'fast'
 * Unknown keys, duplicate keys, wrong node kinds (a mapping where a value is
 * expected), values outside a key's type or bounds, YAML syntax errors, empty
 * files and YAML aliases are all refused. Internal to policy/. */
#ifndef WARDEN_POLICY_YAML_LOAD_H
#define WARDEN_POLICY_YAML_LOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "core/conf.h"

#define WARDEN_YAML_KEYPATH 256 /* room for a dotted key path */

struct warden_yaml {
    const char *file; /* as given; used in messages */
    yaml_document_t doc;
    bool loaded;
    char *err; /* where messages go */
    size_t errlen;
    char sha256[65]; /* of the file's bytes, once loaded */
};

/* Extra validation beyond a key's type and bounds: called with each STRING
 * value or STRLIST element once it is stored, which it may normalise in place
 * (shrinking only); value is NULL when a STRING is set to nothing. Returns 0,
 * or WARDEN_EINVAL with a reason in err. */
typedef int (*warden_conf_check_fn)(const struct warden_conf_key *k, char *value, char *err,
                                    size_t errlen);

/* One table, the struct it describes and its optional check; a mapping may be
 * checked against several at once (a detector's section: `enabled` + its own). */
struct warden_conf_bind {
    const struct warden_conf_key *table;
    void *obj;
    warden_conf_check_fn check; /* may be NULL */
};

/* Read and parse path. Refuses a missing file, YAML syntax errors, an empty
 * document, more than one document and aliases. 0 or WARDEN_ECONFIG; when
 * refused, nothing is left to close (closing anyway is harmless). */
int warden_yaml_open(struct warden_yaml *y, const char *path, char *err, size_t errlen);
void warden_yaml_close(struct warden_yaml *y);
yaml_node_t *warden_yaml_root(struct warden_yaml *y);
yaml_node_t *warden_yaml_node(struct warden_yaml *y, int index);

/* Write "FILE:LINE:COL: KEYPATH: reason" (KEYPATH omitted when empty) into
 * y->err; returns WARDEN_ECONFIG. */
int warden_yaml_fail(struct warden_yaml *y, const yaml_node_t *at, const char *keypath,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "a mapping", "a list", "a value". */
const char *warden_yaml_kind(const yaml_node_t *n);
/* A plain empty scalar, ~ or null. */
bool warden_yaml_is_null(const yaml_node_t *n);
/* The text of a scalar node (NUL-terminated by libyaml). */
const char *warden_yaml_text(const yaml_node_t *n);
/* parent + "." + key (or just key) into buf. */
void warden_yaml_join(char *buf, size_t len, const char *parent, const char *key);

/* Check that n is a mapping whose keys are distinct plain values. A null node
 * counts as an empty mapping (a section whose contents are all commented out):
 * *is_empty is set then. */
int warden_yaml_mapping(struct warden_yaml *y, const yaml_node_t *n, const char *keypath,
                        bool *is_empty);
/* Set one declared key from a node: a scalar for any type, or a sequence of
 * scalars for a STRLIST. A null value clears a STRING or STRLIST. check may be NULL. */
int warden_yaml_set(struct warden_yaml *y, const struct warden_conf_key *k, void *obj,
                    warden_conf_check_fn check, const yaml_node_t *v, const char *keypath);
/* Validate mapping n against the tables in binds and set every key it has;
 * unknown keys are refused with the list of known ones. */
int warden_yaml_load_tables(struct warden_yaml *y, const yaml_node_t *n, const char *keypath,
                            const struct warden_conf_bind *binds, size_t nbinds);
/* Append name to the ", "-separated list in buf (for "known: a, b" messages). */
void warden_yaml_list_add(char *buf, size_t len, const char *name);

#endif
