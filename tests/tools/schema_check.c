/* schema_check.c — validates JSON-lines files against Warden's JSON Schemas.
 *
 * Implements the subset of JSON Schema (2020-12) the files in schemas/ use:
 * type (string or array of types), required, properties,
 * additionalProperties: false, enum, items, minimum, maximum, minLength,
 * pattern (POSIX extended regex) and format "date-time" (RFC 3339). It is a
 * test tool: e2e tests run it over what `warden` wrote.
 * Usage: schema_check SCHEMA FILE.jsonl — exit 0 when every line validates. */
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

static char where[512];

static bool fail(const char *path, const char *msg)
{
    fprintf(stderr, "%s: %s: %s\n", where, path, msg);
    return false;
}

static bool type_ok(json_t *v, const char *t)
{
    if (!strcmp(t, "object")) return json_is_object(v);
    if (!strcmp(t, "array")) return json_is_array(v);
    if (!strcmp(t, "string")) return json_is_string(v);
    if (!strcmp(t, "integer")) return json_is_integer(v);
    if (!strcmp(t, "number")) return json_is_number(v);
    if (!strcmp(t, "boolean")) return json_is_boolean(v);
    if (!strcmp(t, "null")) return json_is_null(v);
    return false;
}

static bool validate(json_t *s, json_t *v, const char *path)
{
    json_t *t = json_object_get(s, "type");
    if (json_is_string(t) && !type_ok(v, json_string_value(t))) return fail(path, "wrong type");
    if (json_is_array(t)) {
        bool any = false;
        for (size_t i = 0; i < json_array_size(t); i++)
            any |= type_ok(v, json_string_value(json_array_get(t, i)));
        if (!any) return fail(path, "wrong type");
    }
    json_t *en = json_object_get(s, "enum");
    if (en) {
        bool any = false;
        for (size_t i = 0; i < json_array_size(en); i++)
            any |= json_equal(v, json_array_get(en, i));
        if (!any) return fail(path, "not one of the enum values");
    }
    if (json_is_number(v)) {
        json_t *mn = json_object_get(s, "minimum"), *mx = json_object_get(s, "maximum");
        if (mn && json_number_value(v) < json_number_value(mn)) return fail(path, "below minimum");
        if (mx && json_number_value(v) > json_number_value(mx)) return fail(path, "above maximum");
    }
    if (json_is_string(v)) {
        const char *str = json_string_value(v);
        json_t *ml = json_object_get(s, "minLength");
        if (ml && (json_int_t)json_string_length(v) < json_integer_value(ml))
            return fail(path, "shorter than minLength");
        json_t *pat = json_object_get(s, "pattern");
        if (pat) {
            regex_t re;
            if (regcomp(&re, json_string_value(pat), REG_EXTENDED | REG_NOSUB))
                return fail(path, "bad pattern in schema");
            int m = regexec(&re, str, 0, NULL, 0);
            regfree(&re);
            if (m) return fail(path, "does not match pattern");
        }
        json_t *fmt = json_object_get(s, "format");
        int64_t ms;
        if (fmt && !strcmp(json_string_value(fmt), "date-time") &&
            warden_ts_parse(str, strlen(str), &ms))
            return fail(path, "not an RFC 3339 date-time");
    }
    if (json_is_object(v)) {
        json_t *req = json_object_get(s, "required"), *props = json_object_get(s, "properties");
        for (size_t i = 0; i < json_array_size(req); i++) {
            const char *k = json_string_value(json_array_get(req, i));
            if (!json_object_get(v, k)) {
                char p[256];
                snprintf(p, sizeof p, "%s.%s", path, k);
                return fail(p, "required property missing");
            }
        }
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            char p[256];
            snprintf(p, sizeof p, "%s.%s", path, k);
            json_t *ps = json_object_get(props, k);
            if (!ps) {
                if (json_is_false(json_object_get(s, "additionalProperties")))
                    return fail(p, "property not allowed");
                continue;
            }
            if (!validate(ps, x, p)) return false;
        }
    }
    if (json_is_array(v)) {
        json_t *items = json_object_get(s, "items");
        for (size_t i = 0; items && i < json_array_size(v); i++) {
            char p[256];
            snprintf(p, sizeof p, "%s[%zu]", path, i);
            if (!validate(items, json_array_get(v, i), p)) return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: schema_check SCHEMA FILE.jsonl\n");
        return 2;
    }
    json_error_t je;
    json_t *schema = json_load_file(argv[1], 0, &je);
    if (!schema) {
        fprintf(stderr, "%s:%d: %s\n", argv[1], je.line, je.text);
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, bad = 0, good = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        snprintf(where, sizeof where, "%s:%zu", argv[2], lineno);
        json_t *v = json_loadb(line, (size_t)n, 0, &je);
        if (!v) {
            fprintf(stderr, "%s: invalid JSON: %s\n", where, je.text);
            bad++;
            continue;
        }
        if (validate(schema, v, "$"))
            good++;
        else
            bad++;
        json_decref(v);
    }
    free(line);
    fclose(f);
    json_decref(schema);
    printf("%s: %zu valid, %zu invalid\n", argv[2], good, bad);
    return bad ? 1 : 0;
}
