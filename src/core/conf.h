/* conf.h — declared configuration.
 *
 * A module does not parse its configuration by hand: it declares a table of
 * {key, type, default, offset, help, min, max} describing a plain C struct.
 * One loader (policy/) validates a YAML mapping against the table and refuses
 * unknown keys and bad values with file:line; the same table fills in the
 * defaults and prints `warden config --dump`. Tables end with a {NULL} row. */
#ifndef WARDEN_CORE_CONF_H
#define WARDEN_CORE_CONF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/sha256.h"

enum warden_conf_type {
    WARDEN_CONF_BOOL,    /* bool */
    WARDEN_CONF_INT,     /* int64_t, bounded by min..max */
    WARDEN_CONF_DOUBLE,  /* double, bounded by min..max */
    WARDEN_CONF_STRING,  /* char * (owned; NULL when default is NULL) */
    WARDEN_CONF_STRLIST, /* struct warden_strlist (owned); default is a comma list */
};

struct warden_strlist {
    char **v;
    size_t n;
};

struct warden_conf_key {
    const char *key;
    enum warden_conf_type type;
    const char *def; /* default, as text; NULL for none */
    size_t offset;   /* offsetof() in the described struct */
    const char *help;
    double min, max; /* for INT and DOUBLE; min == max means unbounded */
};

/* Fill obj with every key's default. */
void warden_conf_defaults(const struct warden_conf_key *table, void *obj);
/* Free owned strings and lists in obj. */
void warden_conf_fini(const struct warden_conf_key *table, void *obj);
/* Find a key in a table; NULL if unknown. */
const struct warden_conf_key *warden_conf_find(const struct warden_conf_key *table,
                                               const char *key);
/* Set one scalar value from text. On error returns WARDEN_EINVAL and writes a
 * one-line reason ("expected a number between 0 and 1") into err. */
int warden_conf_set(const struct warden_conf_key *k, void *obj, const char *value, char *err,
                    size_t errlen);
/* Append one element to a STRLIST key (the loader calls it per YAML sequence item). */
void warden_conf_list_append(const struct warden_conf_key *k, void *obj, const char *value);
/* Clear a STRLIST key (the loader calls it before filling a list from YAML). */
void warden_conf_list_clear(const struct warden_conf_key *k, void *obj);
/* Print every key of the table under `section` with type, default and meaning. */
void warden_conf_dump(FILE *out, const char *section, const struct warden_conf_key *table);
/* What a key accepts, in words ("a whole number from 1 to 100"), for messages. */
void warden_conf_expect(const struct warden_conf_key *k, char *buf, size_t len);

/* Largest YAML configuration file (policy, sweep policy, sweep catalogue) the
 * loaders accept: libyaml holds the whole node tree in memory and aborts the
 * process when an allocation fails, so a bigger file is refused up front. */
#define WARDEN_CONFIG_MAX_BYTES ((size_t)4 * 1024 * 1024)

/* A libyaml read handler (yaml_parser_set_input) over a FILE that fails once
 * more than WARDEN_CONFIG_MAX_BYTES were read, setting `over`: pipes and
 * growing files are bounded too, not only what fstat reports. */
struct warden_config_reader {
    FILE *f;
    size_t n;
    bool over;
    struct warden_sha256 sha; /* of the bytes read (call warden_sha256_init first) */
};
int warden_config_read(void *reader, unsigned char *buf, size_t size, size_t *size_read);
/* The message for a reader that went over, into err. */
void warden_config_too_big(const char *path, char *err, size_t errlen);

#endif
