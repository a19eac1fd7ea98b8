/* yaml_load.c — read a YAML file with libyaml and check it against declared tables.
 *
 * See yaml_load.h. libyaml's document loader gives a node tree whose nodes
 * keep their start marks, so every message can point at the exact line and
 * column. libyaml itself accepts duplicate keys and aliases; both are refused
 * here (a duplicate is almost always a mistake, and an alias would let one
 * node be read twice, or a document grow exponentially when walked). */
#include "policy/yaml_load.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

yaml_node_t *warden_yaml_root(struct warden_yaml *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *warden_yaml_node(struct warden_yaml *y, int index)
{
    return yaml_document_get_node(&y->doc, index);
}

/* A message is one line: control characters from the file (a key or value
 * with a line break or tab) are shown as '?'. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

int warden_yaml_fail(struct warden_yaml *y, const yaml_node_t *at, const char *keypath,
                     const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const char *kp = keypath ? keypath : "", *sep = *kp ? ": " : "";
    if (at)
        snprintf(y->err, y->errlen, "%s:%zu:%zu: %s%s%s", y->file, at->start_mark.line + 1,
                 at->start_mark.column + 1, kp, sep, reason);
    else
        snprintf(y->err, y->errlen, "%s: %s%s%s", y->file, kp, sep, reason);
    one_line(y->err);
    return WARDEN_ECONFIG;
}

const char *warden_yaml_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        return warden_yaml_is_null(n) ? "nothing" : "a value";
    default:
        return "nothing";
    }
}

bool warden_yaml_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    return n->data.scalar.length == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

const char *warden_yaml_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

void warden_yaml_join(char *buf, size_t len, const char *parent, const char *key)
{
    if (parent && *parent)
        snprintf(buf, len, "%s.%s", parent, key);
    else
        snprintf(buf, len, "%s", key);
}

/* Scalars with an embedded NUL would be silently cut short by C strings. */
static int check_nul(struct warden_yaml *y, const yaml_node_t *n, const char *keypath)
{
    if (strlen(warden_yaml_text(n)) != n->data.scalar.length)
        return warden_yaml_fail(y, n, keypath, "value contains a NUL character");
    return 0;
}

static int syntax_error(struct warden_yaml *y, const yaml_parser_t *p)
{
    if (p->error == YAML_READER_ERROR)
        return warden_yaml_fail(y, NULL, NULL, "cannot read: %s at byte %zu",
                                p->problem ? p->problem : "input error", p->problem_offset);
    if (p->error == YAML_MEMORY_ERROR) {
        fprintf(stderr, "warden: out of memory in libyaml\n");
        abort();
    }
    char ctx[128] = "";
    if (p->context)
        snprintf(ctx, sizeof ctx, " (%s at line %zu)", p->context, p->context_mark.line + 1);
    snprintf(y->err, y->errlen, "%s:%zu:%zu: YAML syntax error: %s%s", y->file,
             p->problem_mark.line + 1, p->problem_mark.column + 1,
             p->problem ? p->problem : "malformed YAML", ctx);
    one_line(y->err);
    return WARDEN_ECONFIG;
}

/* Each node must be reached from exactly one parent: more means an alias. */
static int refuse_aliases(struct warden_yaml *y)
{
    size_t n = (size_t)(y->doc.nodes.top - y->doc.nodes.start);
    unsigned char *refs = warden_xcalloc(n + 1, 1);
    int rc = 0;
    for (yaml_node_t *node = y->doc.nodes.start; node < y->doc.nodes.top && !rc; node++) {
        int kids[2];
        if (node->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
                 p < node->data.mapping.pairs.top && !rc; p++) {
                kids[0] = p->key;
                kids[1] = p->value;
                for (int k = 0; k < 2 && !rc; k++)
                    if (kids[k] >= 1 && (size_t)kids[k] <= n && refs[kids[k]]++)
                        rc = warden_yaml_fail(y, warden_yaml_node(y, kids[k]), NULL,
                                              "YAML aliases (*name) are not supported: write the "
                                              "value out where it is used");
            }
        } else if (node->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = node->data.sequence.items.start;
                 it < node->data.sequence.items.top && !rc; it++)
                if (*it >= 1 && (size_t)*it <= n && refs[*it]++)
                    rc = warden_yaml_fail(y, warden_yaml_node(y, *it), NULL,
                                          "YAML aliases (*name) are not supported: write the "
                                          "value out where it is used");
        }
    }
    free(refs);
    return rc;
}

int warden_yaml_open(struct warden_yaml *y, const char *path, char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    y->file = path;
    y->err = err;
    y->errlen = errlen;
    int rc = WARDEN_ECONFIG;
    yaml_parser_t parser;
    bool parser_ready = false;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return WARDEN_ECONFIG;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(EISDIR));
        fclose(f);
        return WARDEN_ECONFIG;
    }
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: cannot initialise the YAML parser", path);
        goto out;
    }
    parser_ready = true;
    struct warden_config_reader rd = {.f = f};
    warden_sha256_init(&rd.sha);
    yaml_parser_set_input(&parser, warden_config_read, &rd);
    if (!yaml_parser_load(&parser, &y->doc)) {
        rc = syntax_error(y, &parser);
        if (rd.over) warden_config_too_big(path, err, errlen);
        goto out;
    }
    y->loaded = true;
    yaml_node_t *root = warden_yaml_root(y);
    if (!root || warden_yaml_is_null(root)) {
        snprintf(err, errlen,
                 "%s:1: the policy is empty (expected a mapping of sections; see "
                 "`warden config --dump`)",
                 path);
        goto out;
    }
    yaml_document_t next;
    if (!yaml_parser_load(&parser, &next)) {
        rc = syntax_error(y, &parser);
        goto out;
    }
    yaml_node_t *next_root = yaml_document_get_root_node(&next);
    if (next_root)
        warden_yaml_fail(y, next_root, NULL,
                         "a second YAML document: a policy is one document (remove the `---`)");
    yaml_document_delete(&next);
    if (next_root) goto out;
    {
        /* the parser has seen the end of the stream; hash anything it left */
        unsigned char rest[4096];
        size_t got;
        while ((got = fread(rest, 1, sizeof rest, f)) > 0) warden_sha256_update(&rd.sha, rest, got);
        warden_sha256_hex(&rd.sha, y->sha256);
    }
    rc = refuse_aliases(y);
out:
    if (rc) warden_yaml_close(y); /* a refused file leaves nothing to close */
    if (parser_ready) yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

void warden_yaml_close(struct warden_yaml *y)
{
    if (y->loaded) yaml_document_delete(&y->doc);
    y->loaded = false;
}

int warden_yaml_mapping(struct warden_yaml *y, const yaml_node_t *n, const char *keypath,
                        bool *is_empty)
{
    *is_empty = false;
    if (warden_yaml_is_null(n)) {
        *is_empty = true;
        return 0;
    }
    if (n->type != YAML_MAPPING_NODE)
        return warden_yaml_fail(y, n, keypath, "expected a mapping (key: value lines), got %s",
                                warden_yaml_kind(n));
    const yaml_node_pair_t *start = n->data.mapping.pairs.start, *top = n->data.mapping.pairs.top;
    for (const yaml_node_pair_t *p = start; p < top; p++) {
        const yaml_node_t *k = warden_yaml_node(y, p->key);
        if (k->type != YAML_SCALAR_NODE || warden_yaml_is_null(k))
            return warden_yaml_fail(y, k, keypath, "expected a key name, got %s",
                                    warden_yaml_kind(k));
        if (check_nul(y, k, keypath)) return WARDEN_ECONFIG;
        for (const yaml_node_pair_t *q = start; q < p; q++) {
            const yaml_node_t *prev = warden_yaml_node(y, q->key);
            if (strcmp(warden_yaml_text(prev), warden_yaml_text(k)) == 0) {
                char kp[WARDEN_YAML_KEYPATH];
                warden_yaml_join(kp, sizeof kp, keypath, warden_yaml_text(k));
                return warden_yaml_fail(y, k, kp, "duplicate key (first given at line %zu)",
                                        prev->start_mark.line + 1);
            }
        }
    }
    return 0;
}

static void *field(void *obj, const struct warden_conf_key *k)
{
    return (char *)obj + k->offset;
}

int warden_yaml_set(struct warden_yaml *y, const struct warden_conf_key *k, void *obj,
                    warden_conf_check_fn check, const yaml_node_t *v, const char *keypath)
{
    char reason[320], want[160];
    if (k->type == WARDEN_CONF_STRLIST && v->type == YAML_SEQUENCE_NODE) {
        struct warden_strlist *l = field(obj, k);
        warden_conf_list_clear(k, obj);
        int i = 0;
        for (const yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++, i++) {
            const yaml_node_t *item = warden_yaml_node(y, *it);
            char kp[WARDEN_YAML_KEYPATH];
            snprintf(kp, sizeof kp, "%s[%d]", keypath, i);
            if (item->type != YAML_SCALAR_NODE || warden_yaml_is_null(item))
                return warden_yaml_fail(y, item, kp, "expected a value, got %s",
                                        warden_yaml_kind(item));
            if (check_nul(y, item, kp)) return WARDEN_ECONFIG;
            warden_conf_list_append(k, obj, warden_yaml_text(item));
            if (check && check(k, l->v[l->n - 1], reason, sizeof reason))
                return warden_yaml_fail(y, item, kp, "%s", reason);
        }
        return 0;
    }
    warden_conf_expect(k, want, sizeof want);
    if (v->type != YAML_SCALAR_NODE)
        return warden_yaml_fail(y, v, keypath, "expected %s, got %s", want, warden_yaml_kind(v));
    if (warden_yaml_is_null(v)) {
        if (k->type == WARDEN_CONF_STRLIST) {
            warden_conf_list_clear(k, obj);
            return 0;
        }
        if (k->type == WARDEN_CONF_STRING) {
            char **s = field(obj, k);
            free(*s);
            *s = NULL;
            if (check && check(k, NULL, reason, sizeof reason))
                return warden_yaml_fail(y, v, keypath, "%s", reason);
            return 0;
        }
        return warden_yaml_fail(y, v, keypath, "expected %s, got nothing", want);
    }
    if (check_nul(y, v, keypath)) return WARDEN_ECONFIG;
    if (warden_conf_set(k, obj, warden_yaml_text(v), reason, sizeof reason))
        return warden_yaml_fail(y, v, keypath, "%s", reason);
    if (!check) return 0;
    if (k->type == WARDEN_CONF_STRING) {
        char *s = *(char **)field(obj, k);
        if (check(k, s, reason, sizeof reason))
            return warden_yaml_fail(y, v, keypath, "%s", reason);
    } else if (k->type == WARDEN_CONF_STRLIST) { /* a comma-separated scalar */
        struct warden_strlist *l = field(obj, k);
        for (size_t i = 0; i < l->n; i++)
            if (check(k, l->v[i], reason, sizeof reason))
                return warden_yaml_fail(y, v, keypath, "%s", reason);
    }
    return 0;
}

void warden_yaml_list_add(char *buf, size_t len, const char *name)
{
    size_t n = strlen(buf);
    if (n + 1 < len) snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
}

static void known_keys(char *buf, size_t len, const struct warden_conf_bind *binds, size_t nbinds)
{
    buf[0] = '\0';
    for (size_t b = 0; b < nbinds; b++)
        for (const struct warden_conf_key *k = binds[b].table; k && k->key; k++)
            warden_yaml_list_add(buf, len, k->key);
    if (!buf[0]) snprintf(buf, len, "none");
}

int warden_yaml_load_tables(struct warden_yaml *y, const yaml_node_t *n, const char *keypath,
                            const struct warden_conf_bind *binds, size_t nbinds)
{
    bool empty;
    int rc = warden_yaml_mapping(y, n, keypath, &empty);
    if (rc || empty) return rc;
    for (const yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *kn = warden_yaml_node(y, p->key);
        const char *key = warden_yaml_text(kn);
        char kp[WARDEN_YAML_KEYPATH];
        warden_yaml_join(kp, sizeof kp, keypath, key);
        const struct warden_conf_key *k = NULL;
        const struct warden_conf_bind *bind = NULL;
        for (size_t b = 0; b < nbinds && !k; b++) {
            k = warden_conf_find(binds[b].table, key);
            bind = &binds[b];
        }
        if (!k) {
            char known[512];
            known_keys(known, sizeof known, binds, nbinds);
            return warden_yaml_fail(y, kn, kp, "unknown key (known: %s)", known);
        }
        rc = warden_yaml_set(y, k, bind->obj, bind->check, warden_yaml_node(y, p->value), kp);
        if (rc) return rc;
    }
    return 0;
}
