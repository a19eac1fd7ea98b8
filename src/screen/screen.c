/* screen.c — the list set: building it from loaders, the manifest of lists,
 * finishing (sorting attributes, building the index), statistics and access.
 *
 * Loaders append entities, names and attributes through the builder functions
 * here; warden_screen_finish() freezes the set, after which it is read-only and
 * shared by every thread. */
#include "screen/internal.h"

#include "core/datadir.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <libgen.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? (cap)*2 : 1024;                                                        \
            (arr) = warden_xrealloc((arr), (cap) * sizeof *(arr));                                 \
        }                                                                                          \
    } while (0)

static void strlist_copy(struct warden_strlist *d, const struct warden_strlist *s)
{
    d->n = s->n;
    d->v = s->n ? warden_xcalloc(s->n, sizeof *d->v) : NULL;
    for (size_t i = 0; i < s->n; i++) d->v[i] = warden_xstrdup(s->v[i]);
}

/* A deep copy: the set owns its configuration's strings and lists. */
void warden_screen_conf_copy(struct warden_screen_conf *d, const struct warden_screen_conf *c)
{
    if (!c) {
        warden_screen_conf_init(d);
        return;
    }
    *d = *c;
    d->data_dir = c->data_dir ? warden_xstrdup(c->data_dir) : NULL;
    d->compiled = c->compiled ? warden_xstrdup(c->compiled) : NULL;
    strlist_copy(&d->restricted_jurisdictions, &c->restricted_jurisdictions);
    strlist_copy(&d->lists, &c->lists);
    strlist_copy(&d->review_programs, &c->review_programs);
}

struct warden_screen *warden_screen_alloc(const struct warden_screen_conf *conf)
{
    struct warden_screen *s = warden_xcalloc(1, sizeof *s);
    warden_screen_conf_copy(&s->conf, conf);
    warden_arena_init(&s->arena);
    warden_smap_init(&s->ids);
    warden_smap_init(&s->tokmap);
    warden_smap_init(&s->domains);
    return s;
}

int warden_screen_new(struct warden_screen **out, const char *data_dir,
                      const struct warden_screen_conf *conf, char *err, size_t errlen)
{
    struct warden_screen *s = warden_screen_alloc(conf);
    int rc = warden_normalizer_new(&s->nz, data_dir, err, errlen);
    if (rc < 0) {
        warden_screen_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void warden_screen_free(struct warden_screen *s)
{
    if (!s) return;
    warden_normalizer_free(s->nz);
    warden_screen_conf_fini(&s->conf);
    free(s->lists);
    free(s->ents);
    free(s->names);
    free(s->attrs);
    free(s->attr_ent);
    warden_smap_fini(&s->ids);
    warden_smap_fini(&s->tokmap);
    warden_smap_fini(&s->domains);
    free(s->dom_next);
    free(s->toks);
    free(s->name_surf);
    if (!s->map) {
        free(s->name_toks);
        free(s->name_inits);
        free(s->ix);
        free(s->postings);
    }
    free(s->rels);
    free(s->ent_level);
    warden_arena_fini(&s->arena);
    warden_screen_unmap(s);
    free(s);
}

static const char *id_key(struct warden_screen *s, const char *list, const char *id, char *buf,
                          size_t cap)
{
    (void)s;
    snprintf(buf, cap, "%s\x1f%s", list, id);
    return buf;
}

uint32_t warden_screen_add_entity(struct warden_screen *s, const char *list, const char *id,
                                  enum warden_screen_kind kind, const char *program)
{
    GROW(s->ents, s->n_ents, s->cap_ents);
    uint32_t e = (uint32_t)s->n_ents++;
    struct warden_screen_entity *en = &s->ents[e];
    memset(en, 0, sizeof *en);
    /* the list name is interned once per list */
    const char *ln = NULL;
    for (size_t i = 0; i < s->n_lists; i++)
        if (strcmp(s->lists[i].name, list) == 0) {
            ln = s->lists[i].name;
            s->lists[i].entities++;
        }
    if (!ln) {
        s->lists = warden_xrealloc(s->lists, (s->n_lists + 1) * sizeof *s->lists);
        ln = warden_arena_strdup(&s->arena, list);
        s->lists[s->n_lists++] = (struct warden_screen_listinfo){ln, 1, 0, 0, false};
    }
    en->list = ln;
    en->source_id = warden_arena_strdup(&s->arena, id ? id : "");
    en->program = warden_arena_strdup(&s->arena, program ? program : "");
    en->kind = kind;
    en->listed = true;
    en->name0 = UINT32_MAX;
    if (id && *id) {
        char buf[512];
        bool found;
        uint32_t *slot = warden_smap_put(
            &s->ids, warden_arena_strdup(&s->arena, id_key(s, list, id, buf, sizeof buf)), &found);
        *slot = e;
    }
    return e;
}

uint32_t warden_screen_find_entity(const struct warden_screen *s, const char *list, const char *id)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s\x1f%s", list, id);
    const uint32_t *v = warden_smap_get(&s->ids, buf, strlen(buf));
    return v ? *v : UINT32_MAX;
}

static bool blank(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)v[i])) return false;
    return true;
}

void warden_screen_add_name(struct warden_screen *s, uint32_t ent, const char *name, size_t n)
{
    while (n && isspace((unsigned char)*name)) name++, n--;
    while (n && isspace((unsigned char)name[n - 1])) n--;
    if (!n) return;
    GROW(s->names, s->n_names, s->cap_names);
    struct warden_screen_name_rec *r = &s->names[s->n_names++];
    memset(r, 0, sizeof *r);
    r->entity = ent;
    r->raw = warden_arena_strndup(&s->arena, name, n);
    r->seq = (uint32_t)(s->n_names - 1);
    for (size_t i = 0; i < s->n_lists; i++)
        if (s->lists[i].name == s->ents[ent].list) s->lists[i].names++;
}

void warden_screen_add_attr(struct warden_screen *s, uint32_t ent, enum warden_screen_attr_type t,
                            const char *v, size_t n)
{
    while (n && isspace((unsigned char)*v)) v++, n--;
    while (n && isspace((unsigned char)v[n - 1])) n--;
    if (!n || blank(v, n)) return;
    if (s->n_attrs == s->cap_attrs) {
        s->cap_attrs = s->cap_attrs ? s->cap_attrs * 2 : 1024;
        s->attrs = warden_xrealloc(s->attrs, s->cap_attrs * sizeof *s->attrs);
        s->attr_ent = warden_xrealloc(s->attr_ent, s->cap_attrs * sizeof *s->attr_ent);
    }
    char *val = (char *)warden_arena_strndup(&s->arena, v, n);
    if (t == WARDEN_SCREEN_ATTR_DOMAIN || t == WARDEN_SCREEN_ATTR_EMAIL)
        for (char *c = val; *c; c++) *c = (char)tolower((unsigned char)*c);
    s->attrs[s->n_attrs] = (struct warden_screen_attr){t, val};
    s->attr_ent[s->n_attrs++] = ent;
}

void warden_screen_add_country(struct warden_screen *s, uint32_t ent, const char *v, size_t n)
{
    while (n && isspace((unsigned char)*v)) v++, n--;
    while (n && isspace((unsigned char)v[n - 1])) n--;
    if (!n) return;
    char cc[3];
    if (warden_normalizer_country(s->nz, warden_normalizer_load_translit(s->nz), v, n, cc)) {
        /* skip duplicates of the same entity's countries */
        for (size_t i = s->n_attrs; i-- > 0 && s->attr_ent[i] == ent;)
            if (s->attrs[i].type == WARDEN_SCREEN_ATTR_COUNTRY &&
                strcmp(s->attrs[i].value, cc) == 0)
                return;
        warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_COUNTRY, cc, 2);
    } else {
        warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_COUNTRY, v, n);
    }
}

void warden_screen_add_rel(struct warden_screen *s, const char *list, const char *owner_ref,
                           const char *asset_ref, double share)
{
    GROW(s->rels, s->n_rels, s->cap_rels);
    s->rels[s->n_rels++] = (struct warden_screen_rel){UINT32_MAX,
                                                      UINT32_MAX,
                                                      share,
                                                      warden_arena_strdup(&s->arena, owner_ref),
                                                      warden_arena_strdup(&s->arena, asset_ref),
                                                      warden_arena_strdup(&s->arena, list)};
}

const char *warden_screen_default_data_dir(void)
{
    return warden_data_dir();
}

/* ---- manifest ---- */

/* The list formats read one file at a time, by the name the manifest gives
 * (lists.tsv); ofac_csv, whose files are read together (prim=, alt=, add=,
 * comments=), is the one exception. A new format is one loader and one line
 * here. */
struct list_format {
    const char *name;
    int (*load)(struct warden_screen *s, const char *list, const char *path, char *err,
                size_t errlen);
};
static const struct list_format list_formats[] = {
    {"csl_csv", warden_screen_load_csl},     {"un_xml", warden_screen_load_un},
    {"bis_dpl", warden_screen_load_dpl},     {"ftm_json", warden_screen_load_ftm},
    {"domains", warden_screen_load_domains},
};

int warden_screen_add_list(struct warden_screen *s, const char *list, const char *format,
                           const char *const *files, size_t n_files, char *err, size_t errlen)
{
    const char *prim = NULL, *alt = NULL, *add = NULL, *comments = NULL;
    for (size_t i = 0; i < n_files; i++) {
        const char *f = files[i];
        if (strncmp(f, "prim=", 5) == 0)
            prim = f + 5;
        else if (strncmp(f, "alt=", 4) == 0)
            alt = f + 4;
        else if (strncmp(f, "add=", 4) == 0)
            add = f + 4;
        else if (strncmp(f, "comments=", 9) == 0)
            comments = f + 9;
        else if (!prim)
            prim = f;
    }
    if (strcmp(format, "ofac_csv") == 0) {
        int rc = warden_screen_load_ofac(s, list, prim, alt, add, comments, err, errlen);
        for (size_t i = 0; i < s->n_lists; i++)
            if (strcmp(s->lists[i].name, list) == 0) s->lists[i].ofac = true;
        return rc;
    }
    const struct list_format *lf = list_formats;
    const struct list_format *end = list_formats + sizeof list_formats / sizeof list_formats[0];
    while (lf < end && strcmp(lf->name, format) != 0) lf++;
    if (lf == end) {
        snprintf(err, errlen, "unknown list format '%s'", format);
        return WARDEN_EFORMAT;
    }
    int rc = 0;
    for (size_t i = 0; i < n_files && rc == 0; i++) {
        const char *f = strchr(files[i], '=') ? strchr(files[i], '=') + 1 : files[i];
        rc = lf->load(s, list, f, err, errlen);
    }
    return rc;
}

static bool list_wanted(const struct warden_screen_conf *c, const char *name)
{
    if (!c->lists.n) return true;
    for (size_t i = 0; i < c->lists.n; i++)
        if (strcmp(c->lists.v[i], name) == 0) return true;
    return false;
}

int warden_screen_load(struct warden_screen **out, const char *manifest, const char *data_dir,
                       const struct warden_screen_conf *conf, char *err, size_t errlen)
{
    struct warden_screen *s = NULL;
    int rc = warden_screen_new(&s, data_dir, conf, err, errlen);
    if (rc < 0) return rc;
    FILE *f = fopen(manifest, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", manifest);
        warden_screen_free(s);
        return WARDEN_EIO;
    }
    char *dcopy = warden_xstrdup(manifest);
    const char *dir = dirname(dcopy);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long ln = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        ln++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n == 0 || line[0] == '#') continue;
        char *fields[16];
        size_t nf = 0;
        for (char *p = line, *t; p && nf < 16; p = t) {
            t = strchr(p, '\t');
            if (t) *t++ = '\0';
            if (*p) fields[nf++] = p;
        }
        if (nf < 3) {
            snprintf(err, errlen, "%s:%ld: expected NAME<TAB>FORMAT<TAB>FILE...", manifest, ln);
            rc = WARDEN_EPARSE;
            break;
        }
        if (!list_wanted(&s->conf, fields[0])) continue;
        int64_t as_of = 0;
        if (strncmp(fields[nf - 1], "as_of=", 6) == 0) {
            if (warden_screen_parse_day(fields[nf - 1] + 6, &as_of) != 0) {
                snprintf(err, errlen, "%s:%ld: as_of: expected YYYY-MM-DD, got '%s'", manifest, ln,
                         fields[nf - 1] + 6);
                rc = WARDEN_EPARSE;
                break;
            }
            nf--;
        }
        if (nf < 3) {
            snprintf(err, errlen, "%s:%ld: expected NAME<TAB>FORMAT<TAB>FILE...", manifest, ln);
            rc = WARDEN_EPARSE;
            break;
        }
        char *paths[16];
        for (size_t i = 2; i < nf; i++) {
            char *eq = strchr(fields[i], '=');
            const char *file = eq ? eq + 1 : fields[i];
            size_t rl = eq ? (size_t)(eq - fields[i]) + 1 : 0;
            if (file[0] == '/')
                paths[i - 2] = warden_xasprintf("%.*s%s", (int)rl, fields[i], file);
            else
                paths[i - 2] = warden_xasprintf("%.*s%s/%s", (int)rl, fields[i], dir, file);
        }
        rc = warden_screen_add_list(s, fields[0], fields[1], (const char *const *)paths, nf - 2,
                                    err, errlen);
        for (size_t i = 2; i < nf; i++) free(paths[i - 2]);
        for (size_t i = 0; i < s->n_lists; i++)
            if (strcmp(s->lists[i].name, fields[0]) == 0) s->lists[i].as_of_day = as_of;
    }
    free(line);
    free(dcopy);
    fclose(f);
    if (rc == 0) rc = warden_screen_finish(s, err, errlen);
    if (rc < 0) {
        warden_screen_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- finish ---- */

static int cmp_attr_ent(const void *a, const void *b, void *ctx)
{
    const uint32_t *ae = ctx;
    uint32_t x = ae[*(const uint32_t *)a], y = ae[*(const uint32_t *)b];
    if (x != y) return x < y ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int cmp_name_ent(const void *a, const void *b)
{
    const struct warden_screen_name_rec *x = a, *y = b;
    if (x->entity != y->entity) return x->entity < y->entity ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static bool ofac_entity(const struct warden_screen *s, const struct warden_screen_entity *e)
{
    for (size_t i = 0; i < s->n_lists; i++)
        if (s->lists[i].name == e->list) return s->lists[i].ofac;
    return false;
}

/* OFAC numbers an entity once across its lists (SDN and consolidated, every
 * edition): a set of aliases without its primary file (data/lists'
 * ofac-sdn-2025-aliases) says nothing of what each entity is, the primary
 * file of another OFAC list loaded beside it does. An alias list's "SUNRISE"
 * is a former name of a tanker, not a company: its kind decides that a
 * customer named "Sunrise GmbH" is not that party (ownership.c). Only the
 * kind is taken over: programmes change between editions. */
static void ofac_kinds(struct warden_screen *s)
{
    struct warden_smap known;
    warden_smap_init(&known);
    size_t unknown = 0;
    for (size_t i = 0; i < s->n_ents; i++) {
        const struct warden_screen_entity *e = &s->ents[i];
        if (!ofac_entity(s, e) || !e->source_id[0]) continue;
        if (e->kind == WARDEN_SCREEN_KIND_UNKNOWN) {
            unknown++;
            continue;
        }
        bool found;
        uint32_t *v = warden_smap_put(&known, e->source_id, &found);
        if (!found) *v = (uint32_t)e->kind;
    }
    for (size_t i = 0; unknown && known.n && i < s->n_ents; i++) {
        struct warden_screen_entity *e = &s->ents[i];
        if (e->kind != WARDEN_SCREEN_KIND_UNKNOWN || !ofac_entity(s, e)) continue;
        const uint32_t *v = warden_smap_get(&known, e->source_id, strlen(e->source_id));
        if (v) e->kind = (enum warden_screen_kind) * v;
    }
    warden_smap_fini(&known);
}

int warden_screen_finish(struct warden_screen *s, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    if (s->finished) return 0;
    ofac_kinds(s);
    /* attributes grouped by entity, stable */
    uint32_t *ord = warden_xmalloc((s->n_attrs + 1) * sizeof *ord);
    for (size_t i = 0; i < s->n_attrs; i++) ord[i] = (uint32_t)i;
    if (s->n_attrs) qsort_r(ord, s->n_attrs, sizeof *ord, cmp_attr_ent, s->attr_ent);
    struct warden_screen_attr *na = warden_xmalloc((s->n_attrs + 1) * sizeof *na);
    uint32_t *ne = warden_xmalloc((s->n_attrs + 1) * sizeof *ne);
    for (size_t i = 0; i < s->n_attrs; i++) {
        na[i] = s->attrs[ord[i]];
        ne[i] = s->attr_ent[ord[i]];
    }
    free(ord);
    free(s->attrs);
    free(s->attr_ent);
    s->attrs = na;
    s->attr_ent = ne;
    for (size_t i = 0; i < s->n_ents; i++) s->ents[i].attrs = NULL;
    for (size_t i = 0; i < s->n_attrs; i++) {
        struct warden_screen_entity *e = &s->ents[ne[i]];
        if (!e->attrs) {
            e->attrs = &na[i];
            e->attr0 = (uint32_t)i;
        }
        e->n_attrs++;
    }
    /* names grouped by entity, in the order they were added (primary first) */
    if (s->n_names) qsort(s->names, s->n_names, sizeof *s->names, cmp_name_ent);
    for (size_t i = 0; i < s->n_names; i++) {
        struct warden_screen_entity *e = &s->ents[s->names[i].entity];
        if (e->name0 == UINT32_MAX) e->name0 = (uint32_t)i;
        e->n_names++;
    }
    for (size_t i = 0; i < s->n_ents; i++)
        if (s->ents[i].name0 == UINT32_MAX) s->ents[i].name0 = 0;
    warden_screen_index_domains(s);
    warden_screen_index_build(s);
    warden_screen_ownership_lists(s);
    s->built_ownership_threshold = s->conf.ownership_threshold;
    s->finished = true;
    return 0;
}

void warden_screen_index_domains(struct warden_screen *s)
{
    const struct warden_screen_attr *na = s->attrs;
    s->dom_next = warden_xmalloc((s->n_attrs + 1) * sizeof *s->dom_next);
    for (size_t i = 0; i < s->n_attrs; i++) {
        s->dom_next[i] = UINT32_MAX;
        if (na[i].type != WARDEN_SCREEN_ATTR_DOMAIN && na[i].type != WARDEN_SCREEN_ATTR_EMAIL)
            continue;
        bool found;
        uint32_t *slot = warden_smap_put(&s->domains, na[i].value, &found);
        if (found) s->dom_next[i] = *slot;
        *slot = (uint32_t)i;
    }
}

/* ---- access ---- */

void warden_screen_stats(const struct warden_screen *s, struct warden_screen_stats *st)
{
    memset(st, 0, sizeof *st);
    st->lists = s->n_lists;
    st->entities = s->n_ents;
    st->names = s->n_names;
    st->attrs = s->n_attrs;
    st->tokens = s->n_toks;
    st->index_keys = s->ix_n;
    st->memory_bytes =
        s->arena.bytes + s->cap_ents * sizeof *s->ents + s->cap_names * sizeof *s->names +
        s->n_attrs * (sizeof *s->attrs + 8) + s->cap_toks * sizeof *s->toks + s->cap_name_toks * 4 +
        s->ix_cap * sizeof *s->ix + s->n_postings * 4 +
        /* string maps: key, value, tag and filter bits per slot */
        (s->ids.cap + s->tokmap.cap + s->domains.cap) * 33 / 2 + s->cap_rels * sizeof *s->rels;
}

size_t warden_screen_n_lists(const struct warden_screen *s)
{
    return s->n_lists;
}

void warden_screen_list_stats(const struct warden_screen *s, size_t i,
                              struct warden_screen_list_stats *st)
{
    st->list = s->lists[i].name;
    st->entities = s->lists[i].entities;
    st->names = s->lists[i].names;
    st->as_of_day = s->lists[i].as_of_day;
}

size_t warden_screen_n_entities(const struct warden_screen *s)
{
    return s->n_ents;
}

const struct warden_screen_entity *warden_screen_entity_at(const struct warden_screen *s, size_t i)
{
    return i < s->n_ents ? &s->ents[i] : NULL;
}

const char *warden_screen_entity_name(const struct warden_screen *s,
                                      const struct warden_screen_entity *e, size_t j)
{
    return j < e->n_names ? s->names[e->name0 + j].raw : NULL;
}

const struct warden_screen_conf *warden_screen_get_conf(const struct warden_screen *s)
{
    return &s->conf;
}

void warden_screen_set_conf(struct warden_screen *s, const struct warden_screen_conf *c)
{
    struct warden_screen_conf old = s->conf;
    warden_screen_conf_copy(&s->conf, c);
    warden_screen_conf_fini(&old);
}
