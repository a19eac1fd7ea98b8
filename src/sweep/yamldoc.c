/* yamldoc.c — libyaml document helpers for the sweep catalogue and policy. */
#include "sweep/yamldoc.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int warden_sweep_ydoc_load(struct warden_sweep_ydoc *d, const char *path, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    d->err = err;
    d->errlen = errlen;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return WARDEN_EIO;
    }
    yaml_parser_t p;
    int rc = 0;
    yaml_parser_initialize(&p);
    struct warden_config_reader rd = {.f = f};
    warden_sha256_init(&rd.sha);
    yaml_parser_set_input(&p, warden_config_read, &rd);
    if (!yaml_parser_load(&p, &d->doc)) {
        if (rd.over)
            warden_config_too_big(path, err, errlen);
        else
            snprintf(err, errlen, "%s:%zu: %s", path, p.problem_mark.line + 1,
                     p.problem ? p.problem : "YAML error");
        rc = WARDEN_ECONFIG;
        memset(&d->doc, 0, sizeof d->doc);
    } else if (!yaml_document_get_root_node(&d->doc)) {
        snprintf(err, errlen, "%s: empty document", path);
        yaml_document_delete(&d->doc);
        memset(&d->doc, 0, sizeof d->doc);
        rc = WARDEN_ECONFIG;
    }
    yaml_parser_delete(&p);
    fclose(f);
    return rc;
}

void warden_sweep_ydoc_fini(struct warden_sweep_ydoc *d)
{
    if (d->doc.nodes.start) yaml_document_delete(&d->doc);
    memset(&d->doc, 0, sizeof d->doc);
}

yaml_node_t *warden_sweep_ydoc_root(struct warden_sweep_ydoc *d)
{
    return yaml_document_get_root_node(&d->doc);
}

int warden_sweep_ydoc_fail(struct warden_sweep_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(d->err, d->errlen, "%s:%zu: %s", d->path, n ? n->start_mark.line + 1 : 0, msg);
    return WARDEN_ECONFIG;
}

const char *warden_sweep_ydoc_str(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *warden_sweep_ydoc_get(struct warden_sweep_ydoc *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = warden_sweep_ydoc_str(yaml_document_get_node(&d->doc, p->key));
        if (k && strcmp(k, key) == 0) return yaml_document_get_node(&d->doc, p->value);
    }
    return NULL;
}

int warden_sweep_ydoc_keys(struct warden_sweep_ydoc *d, yaml_node_t *map,
                           const char *const *allowed)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return warden_sweep_ydoc_fail(d, map, "expected a mapping");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(&d->doc, p->key);
        const char *k = warden_sweep_ydoc_str(kn);
        if (!k) return warden_sweep_ydoc_fail(d, kn, "keys must be plain text");
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0) ok = true;
        if (!ok) return warden_sweep_ydoc_fail(d, kn, "unknown key '%s'", k);
    }
    return 0;
}

void warden_sweep_strlist_add(struct warden_strlist *l, const char *s)
{
    l->v = warden_xrealloc(l->v, sizeof(char *) * (l->n + 1));
    l->v[l->n++] = warden_xstrdup(s);
}

void warden_sweep_strlist_free(struct warden_strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

bool warden_sweep_strlist_has(const struct warden_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return true;
    return false;
}

int warden_sweep_ydoc_strlist(struct warden_sweep_ydoc *d, yaml_node_t *n, struct warden_strlist *l)
{
    if (!n) return 0;
    if (n->type == YAML_SCALAR_NODE) {
        warden_sweep_strlist_add(l, (const char *)n->data.scalar.value);
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return warden_sweep_ydoc_fail(d, n, "expected a text or a list of texts");
    size_t n0 = l->n;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yaml_document_get_node(&d->doc, *it);
        const char *s = warden_sweep_ydoc_str(e);
        if (!s) {
            /* failing part-way: drop what this call appended, so that a caller
             * holding a local list does not leak it */
            while (l->n > n0) free(l->v[--l->n]);
            if (!l->n) {
                free(l->v);
                l->v = NULL;
            }
            return warden_sweep_ydoc_fail(d, e, "expected a text");
        }
        warden_sweep_strlist_add(l, s);
    }
    return 0;
}
