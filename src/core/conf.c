/* conf.c — defaults, validation and documentation for declared config tables.
 *
 * See conf.h. The YAML walking lives in policy/; this file knows only how to
 * turn one textual value into a typed field, checked against the key's type
 * and bounds, and how to print the table. */
#include "core/conf.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *field(void *obj, const struct warden_conf_key *k)
{
    return (char *)obj + k->offset;
}

const struct warden_conf_key *warden_conf_find(const struct warden_conf_key *table, const char *key)
{
    for (const struct warden_conf_key *k = table; k && k->key; k++)
        if (strcmp(k->key, key) == 0) return k;
    return NULL;
}

void warden_conf_list_clear(const struct warden_conf_key *k, void *obj)
{
    struct warden_strlist *l = field(obj, k);
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void warden_conf_list_append(const struct warden_conf_key *k, void *obj, const char *value)
{
    struct warden_strlist *l = field(obj, k);
    l->v = warden_xrealloc(l->v, sizeof(char *) * (l->n + 1));
    l->v[l->n++] = warden_xstrdup(value);
}

static int parse_bool(const char *s, bool *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return WARDEN_EINVAL;
}

static bool bounded(const struct warden_conf_key *k)
{
    return k->min != k->max;
}

void warden_conf_expect(const struct warden_conf_key *k, char *buf, size_t len)
{
    switch (k->type) {
    case WARDEN_CONF_BOOL:
        snprintf(buf, len, "true or false");
        return;
    case WARDEN_CONF_INT:
        if (bounded(k))
            snprintf(buf, len, "a whole number from %.0f to %.0f", k->min, k->max);
        else
            snprintf(buf, len, "a whole number");
        return;
    case WARDEN_CONF_DOUBLE:
        if (bounded(k))
            snprintf(buf, len, "a number from %.15g to %.15g", k->min, k->max);
        else
            snprintf(buf, len, "a number");
        return;
    case WARDEN_CONF_STRING:
        snprintf(buf, len, "a string");
        return;
    case WARDEN_CONF_STRLIST:
        snprintf(buf, len, "a list");
        return;
    }
    snprintf(buf, len, "?");
}

int warden_conf_set(const struct warden_conf_key *k, void *obj, const char *value, char *err,
                    size_t errlen)
{
    char *end = NULL, want[96];
    switch (k->type) {
    case WARDEN_CONF_BOOL: {
        bool b;
        if (parse_bool(value, &b)) {
            snprintf(err, errlen, "expected true or false, got '%s'", value);
            return WARDEN_EINVAL;
        }
        *(bool *)field(obj, k) = b;
        return 0;
    }
    case WARDEN_CONF_INT: {
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end != '\0') {
            warden_conf_expect(k, want, sizeof want);
            snprintf(err, errlen, "expected %s, got '%s'", want, value);
            return WARDEN_EINVAL;
        }
        if (bounded(k) && ((double)v < k->min || (double)v > k->max)) {
            snprintf(err, errlen, "expected a whole number from %.0f to %.0f, got %lld", k->min,
                     k->max, v);
            return WARDEN_EINVAL;
        }
        *(int64_t *)field(obj, k) = (int64_t)v;
        return 0;
    }
    case WARDEN_CONF_DOUBLE: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end != '\0' || !isfinite(v)) {
            warden_conf_expect(k, want, sizeof want);
            snprintf(err, errlen, "expected %s, got '%s'", want, value);
            return WARDEN_EINVAL;
        }
        if (bounded(k) && (v < k->min || v > k->max)) {
            snprintf(err, errlen, "expected a number from %.15g to %.15g, got %.15g", k->min,
                     k->max, v);
            return WARDEN_EINVAL;
        }
        *(double *)field(obj, k) = v;
        return 0;
    }
    case WARDEN_CONF_STRING: {
        char **s = field(obj, k);
        free(*s);
        *s = warden_xstrdup(value);
        return 0;
    }
    case WARDEN_CONF_STRLIST: {
        /* A scalar for a list key: a comma-separated list. */
        warden_conf_list_clear(k, obj);
        const char *p = value;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            while (n && (*p == ' ')) p++, n--;
            while (n && p[n - 1] == ' ') n--;
            if (n) {
                char *item = warden_xstrndup(p, n);
                warden_conf_list_append(k, obj, item);
                free(item);
            }
            if (!c) break;
            p = c + 1;
        }
        return 0;
    }
    }
    snprintf(err, errlen, "internal: unknown type");
    return WARDEN_EINVAL;
}

void warden_conf_defaults(const struct warden_conf_key *table, void *obj)
{
    char err[160];
    for (const struct warden_conf_key *k = table; k && k->key; k++) {
        switch (k->type) {
        case WARDEN_CONF_STRING:
            *(char **)field(obj, k) = NULL;
            break;
        case WARDEN_CONF_STRLIST:
            memset(field(obj, k), 0, sizeof(struct warden_strlist));
            break;
        default:
            break;
        }
        if (k->def && warden_conf_set(k, obj, k->def, err, sizeof err) != 0) {
            fprintf(stderr, "warden: internal: bad default for '%s': %s\n", k->key, err);
            abort();
        }
    }
}

void warden_conf_fini(const struct warden_conf_key *table, void *obj)
{
    for (const struct warden_conf_key *k = table; k && k->key; k++) {
        if (k->type == WARDEN_CONF_STRING) {
            char **s = field(obj, k);
            free(*s);
            *s = NULL;
        } else if (k->type == WARDEN_CONF_STRLIST) {
            warden_conf_list_clear(k, obj);
        }
    }
}

static const char *type_name(enum warden_conf_type t)
{
    switch (t) {
    case WARDEN_CONF_BOOL:
        return "bool";
    case WARDEN_CONF_INT:
        return "int";
    case WARDEN_CONF_DOUBLE:
        return "number";
    case WARDEN_CONF_STRING:
        return "string";
    case WARDEN_CONF_STRLIST:
        return "list";
    }
    return "?";
}

void warden_conf_dump(FILE *out, const char *section, const struct warden_conf_key *table)
{
    for (const struct warden_conf_key *k = table; k && k->key; k++) {
        fprintf(out, "%s%s%s  (%s", section ? section : "", section && *section ? "." : "", k->key,
                type_name(k->type));
        if (bounded(k) && k->type == WARDEN_CONF_INT)
            fprintf(out, ", %.0f..%.0f", k->min, k->max);
        else if (bounded(k))
            fprintf(out, ", %.15g..%.15g", k->min, k->max);
        fprintf(out, ", default: %s)\n      %s\n", k->def ? (*k->def ? k->def : "\"\"") : "none",
                k->help);
    }
}

int warden_config_read(void *reader, unsigned char *buf, size_t size, size_t *size_read)
{
    struct warden_config_reader *r = reader;
    size_t room = WARDEN_CONFIG_MAX_BYTES + 1 - r->n; /* one byte over is enough to know */
    size_t got = fread(buf, 1, size < room ? size : room, r->f);
    r->n += got;
    warden_sha256_update(&r->sha, buf, got);
    *size_read = got;
    if (r->n > WARDEN_CONFIG_MAX_BYTES) {
        r->over = true;
        return 0;
    }
    return !ferror(r->f);
}

void warden_config_too_big(const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: larger than %zu MiB, the limit for a configuration file", path,
             WARDEN_CONFIG_MAX_BYTES >> 20);
}
