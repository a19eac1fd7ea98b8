/* manifest.c — read and validate a quarantine manifest (see manifest.h). */
#include "sweep/manifest.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/pathenc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const state_names[] = {"pending", "moved", "failed", "restored"};

const char *warden_sweep_mstate_name(enum warden_sweep_mstate s)
{
    return state_names[s];
}

bool warden_sweep_rel_ok(const char *p, size_t n)
{
    if (!n || p[0] == '/' || p[n - 1] == '/' || memchr(p, '\0', n)) return false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j] != '/') j++;
        size_t l = j - i;
        if (l == 0 || (l == 1 && p[i] == '.') || (l == 2 && p[i] == '.' && p[i + 1] == '.'))
            return false;
        i = j + 1;
    }
    return true;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return WARDEN_EFORMAT;
}

/* Integer member k of o, required; within [lo, hi]. */
static bool get_int(json_t *o, const char *k, json_int_t lo, json_int_t hi, json_int_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v)) return false;
    *out = json_integer_value(v);
    return *out >= lo && *out <= hi;
}

static bool is_hex64(const char *s)
{
    if (!s || strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* The part of the absolute path in hex h below root, validated; NULL if h is
 * not hex, not absolute, not strictly beneath root, or not clean. */
static char *below_root(const char *root, const char *h)
{
    size_t n;
    char *abs = h ? warden_sweep_unhex(h, &n) : NULL;
    if (!abs) return NULL;
    size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
    char *rel = NULL;
    if (n > rl + 1 && memcmp(abs, root, rl) == 0 && abs[rl] == '/' &&
        warden_sweep_rel_ok(abs + rl + 1, n - rl - 1))
        rel = warden_xstrdup(abs + rl + 1);
    free(abs);
    return rel;
}

/* Whether a is a proper ancestor of b (both relative; "" is the root). */
static bool ancestor(const char *a, const char *b)
{
    size_t al = strlen(a);
    if (!al) return b[0] != '\0';
    return strncmp(a, b, al) == 0 && b[al] == '/';
}

static unsigned type_bits(char t)
{
    switch (t) {
    case 'f':
        return S_IFREG;
    case 'd':
        return S_IFDIR;
    case 'l':
        return S_IFLNK;
    default:
        return 0;
    }
}

static int cmp_sub(const void *a, const void *b)
{
    const struct warden_sweep_fentry *x = *(const struct warden_sweep_fentry *const *)a,
                                     *y = *(const struct warden_sweep_fentry *const *)b;
    return strcmp(x->sub, y->sub);
}

static int parse_entries(json_t *a, struct warden_sweep_ftree *t, char *err, size_t errlen)
{
    if (!json_is_array(a) || json_array_size(a) == 0)
        return fail(err, errlen, "'entries' must be a non-empty list");
    size_t n = json_array_size(a);
    t->v = warden_xcalloc(n, sizeof *t->v);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(a, i);
        struct warden_sweep_fentry *e = &t->v[t->n++];
        const char *sub_hex = json_string_value(json_object_get(o, "sub_hex"));
        const char *ty = json_string_value(json_object_get(o, "type"));
        if (!sub_hex || !ty || strlen(ty) != 1 || !strchr("fdlo", ty[0]))
            return fail(err, errlen, "entry %zu: needs sub_hex and a type f, d, l or o", i);
        e->type = ty[0];
        if (sub_hex[0]) {
            e->sub = warden_sweep_unhex(sub_hex, &e->sub_len);
            if (!e->sub || !warden_sweep_rel_ok(e->sub, e->sub_len) || i == 0)
                return fail(err, errlen, "entry %zu: path below the item is not clean", i);
        } else {
            e->sub = warden_xstrdup("");
            if (i != 0) return fail(err, errlen, "entry %zu: only the first entry is the item", i);
        }
        json_int_t mode, uid, gid, at, mt, size;
        if (!get_int(o, "mode", 0, 0177777, &mode) || !get_int(o, "uid", 0, 0xfffffffeLL, &uid) ||
            !get_int(o, "gid", 0, 0xfffffffeLL, &gid) ||
            !get_int(o, "atime_ns", INT64_MIN, INT64_MAX, &at) ||
            !get_int(o, "mtime_ns", INT64_MIN, INT64_MAX, &mt) ||
            !get_int(o, "size", 0, INT64_MAX, &size))
            return fail(err, errlen,
                        "entry %zu: mode, uid, gid, times or size missing or out of range", i);
        unsigned fmt = (unsigned)mode & S_IFMT;
        bool type_ok = e->type == 'o'
                           ? (fmt == S_IFCHR || fmt == S_IFBLK || fmt == S_IFIFO || fmt == S_IFSOCK)
                           : fmt == type_bits(e->type);
        if (!type_ok)
            return fail(err, errlen, "entry %zu: mode does not match type '%c'", i, e->type);
        e->mode = (unsigned)mode;
        e->uid = (long)uid;
        e->gid = (long)gid;
        e->atime_ns = (int64_t)at;
        e->mtime_ns = (int64_t)mt;
        e->size = (uint64_t)size;
        const char *sh = json_string_value(json_object_get(o, "sha256"));
        if ((e->type == 'f') != (sh != NULL) || (sh && !is_hex64(sh)))
            return fail(err, errlen, "entry %zu: a file (and only a file) has a SHA-256", i);
        if (sh) memcpy(e->sha256, sh, 65);
        const char *th = json_string_value(json_object_get(o, "target_hex"));
        if ((e->type == 'l') != (th != NULL))
            return fail(err, errlen, "entry %zu: a symlink (and only a symlink) has a target", i);
        if (th && (!th[0] || !(e->target = warden_sweep_unhex(th, NULL))))
            return fail(err, errlen, "entry %zu: bad symlink target", i);
    }
    /* unique paths, each one's parent an earlier directory entry */
    struct warden_sweep_fentry **s = warden_xmalloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++) s[i] = &t->v[i];
    qsort(s, n, sizeof *s, cmp_sub);
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++)
        if (strcmp(s[i - 1]->sub, s[i]->sub) == 0) rc = fail(err, errlen, "duplicate entry");
    for (size_t i = 1; i < n && !rc; i++) {
        const struct warden_sweep_fentry *e = &t->v[i];
        const char *sl = strrchr(e->sub, '/');
        struct warden_sweep_fentry key = {.sub = sl ? warden_xstrndup(e->sub, (size_t)(sl - e->sub))
                                                    : warden_xstrdup("")};
        struct warden_sweep_fentry *kp = &key, **hit = bsearch(&kp, s, n, sizeof *s, cmp_sub);
        if (!hit || (*hit)->type != 'd' || *hit >= e)
            rc = fail(err, errlen, "entry %zu: its parent is not an earlier directory entry", i);
        free(key.sub);
    }
    free(s);
    return rc;
}

static int parse_item(struct warden_sweep_manifest *mf, size_t i, json_t *o, char *err,
                      size_t errlen)
{
    struct warden_sweep_mitem *it = &mf->items[i];
    json_int_t id, pa, pm;
    if (!json_is_object(o) || !get_int(o, "id", (json_int_t)i, (json_int_t)i, &id))
        return fail(err, errlen, "item %zu: 'id' must be %zu", i, i);
    it->id = (long)id;
    it->obj = o;
    it->rel = below_root(mf->root, json_string_value(json_object_get(o, "path_hex")));
    if (!it->rel) return fail(err, errlen, "item %zu: path is not strictly beneath the root", i);
    it->tool = json_string_value(json_object_get(o, "tool"));
    if (!it->tool || !it->tool[0]) return fail(err, errlen, "item %zu: no tool", i);
    const char *st = json_string_value(json_object_get(o, "state"));
    size_t k = 0;
    while (st && k < 4 && strcmp(st, state_names[k]) != 0) k++;
    if (!st || k == 4) return fail(err, errlen, "item %zu: unknown state", i);
    it->state = (enum warden_sweep_mstate)k;
    json_t *w = json_object_get(o, "wrapper");
    if (!json_is_boolean(w))
        return fail(err, errlen, "item %zu: 'wrapper' must be true or false", i);
    it->wrapper = json_is_true(w);
    if (!get_int(o, "parent_atime_ns", 0, INT64_MAX, &pa) ||
        !get_int(o, "parent_mtime_ns", 0, INT64_MAX, &pm))
        return fail(err, errlen, "item %zu: parent times missing or out of range", i);
    it->parent_atime_ns = (int64_t)pa;
    it->parent_mtime_ns = (int64_t)pm;
    char why[200];
    if (parse_entries(json_object_get(o, "entries"), &it->tree, why, sizeof why))
        return fail(err, errlen, "item %zu: %s", i, why);
    if (it->wrapper && it->tree.v[0].type == 'd')
        return fail(err, errlen, "item %zu: a directory cannot have a wrapper", i);
    return 0;
}

static int parse_created(struct warden_sweep_manifest *mf, size_t i, json_t *o, char *err,
                         size_t errlen)
{
    struct warden_sweep_mcreated *c = &mf->created[i];
    c->rel = below_root(mf->root, json_string_value(json_object_get(o, "path_hex")));
    const char *sh = json_string_value(json_object_get(o, "sha256"));
    c->tool = json_string_value(json_object_get(o, "tool"));
    if (!c->rel || !is_hex64(sh) || !c->tool)
        return fail(err, errlen, "created file %zu: needs a path beneath the root, sha256, tool",
                    i);
    memcpy(c->sha256, sh, 65);
    bool tool_known = false;
    for (size_t k = 0; k < mf->n_items; k++)
        if (strcmp(mf->items[k].tool, c->tool) == 0) tool_known = true;
    if (!tool_known) return fail(err, errlen, "created file %zu: tool of no item", i);
    json_t *dirs = json_object_get(o, "dirs_hex");
    if (!json_is_array(dirs)) return fail(err, errlen, "created file %zu: dirs_hex", i);
    c->dirs = warden_xcalloc(json_array_size(dirs) + 1, sizeof *c->dirs);
    for (size_t k = 0; k < json_array_size(dirs); k++) {
        char *d = below_root(mf->root, json_string_value(json_array_get(dirs, k)));
        if (d) c->dirs[c->ndirs++] = d;
        if (!d || !ancestor(d, c->rel) || (k && !ancestor(c->dirs[k - 1], d)))
            return fail(err, errlen, "created file %zu: directory %zu is not its ancestor", i, k);
    }
    const char *tph = json_string_value(json_object_get(o, "top_parent_hex"));
    if (tph && tph[0]) {
        char *t = warden_sweep_unhex(tph, NULL);
        if (t && strcmp(t, mf->root) == 0)
            c->top_parent = warden_xstrdup("");
        else
            c->top_parent = below_root(mf->root, tph);
        free(t);
    }
    json_int_t ta, tm;
    if (!c->top_parent || !ancestor(c->top_parent, c->rel) ||
        (c->ndirs && !ancestor(c->top_parent, c->dirs[0])) ||
        !get_int(o, "top_parent_atime_ns", 0, INT64_MAX, &ta) ||
        !get_int(o, "top_parent_mtime_ns", 0, INT64_MAX, &tm))
        return fail(err, errlen, "created file %zu: top parent is not an ancestor", i);
    c->top_atime_ns = (int64_t)ta;
    c->top_mtime_ns = (int64_t)tm;
    return 0;
}

int warden_sweep_manifest_parse(json_t *m, struct warden_sweep_manifest *mf, char *err,
                                size_t errlen)
{
    memset(mf, 0, sizeof *mf);
    mf->json = json_incref(m);
    const char *fmt = json_string_value(json_object_get(m, "format"));
    if (!fmt || strcmp(fmt, WARDEN_SWEEP_MANIFEST_FORMAT) != 0)
        return fail(err, errlen, "not a warden sweep quarantine manifest");
    json_int_t ver;
    if (!get_int(m, "version", WARDEN_SWEEP_MANIFEST_VERSION, WARDEN_SWEEP_MANIFEST_VERSION, &ver))
        return fail(err, errlen,
                    "manifest version %lld: this warden restores version %d (with a MAC); a "
                    "version 1 manifest must be restored by the warden that wrote it",
                    (long long)json_integer_value(json_object_get(m, "version")),
                    WARDEN_SWEEP_MANIFEST_VERSION);
    const char *rh = json_string_value(json_object_get(m, "root_hex"));
    size_t rn;
    mf->root = rh ? warden_sweep_unhex(rh, &rn) : NULL;
    if (!mf->root || mf->root[0] != '/' || (rn > 1 && !warden_sweep_rel_ok(mf->root + 1, rn - 1)))
        return fail(err, errlen, "'root_hex' is not a clean absolute path");
    json_t *items = json_object_get(m, "items"), *cr = json_object_get(m, "created_files");
    if (!json_is_array(items) || !json_is_array(cr))
        return fail(err, errlen, "'items' and 'created_files' must be lists");
    mf->items = warden_xcalloc(json_array_size(items) + 1, sizeof *mf->items);
    for (size_t i = 0; i < json_array_size(items); i++) {
        mf->n_items = i + 1;
        int rc = parse_item(mf, i, json_array_get(items, i), err, errlen);
        if (rc) return rc;
    }
    for (size_t i = 0; i < mf->n_items; i++)
        for (size_t j = 0; j < mf->n_items; j++)
            if (i != j && (strcmp(mf->items[i].rel, mf->items[j].rel) == 0 ||
                           ancestor(mf->items[i].rel, mf->items[j].rel)))
                return fail(err, errlen, "items %zu and %zu overlap", i, j);
    mf->created = warden_xcalloc(json_array_size(cr) + 1, sizeof *mf->created);
    for (size_t i = 0; i < json_array_size(cr); i++) {
        mf->n_created = i + 1;
        json_t *o = json_array_get(cr, i);
        if (!json_is_object(o)) return fail(err, errlen, "created file %zu: not an object", i);
        int rc = parse_created(mf, i, o, err, errlen);
        if (rc) return rc;
    }
    return 0;
}

void warden_sweep_manifest_fini(struct warden_sweep_manifest *mf)
{
    for (size_t i = 0; i < mf->n_items; i++) {
        free(mf->items[i].rel);
        warden_sweep_ftree_fini(&mf->items[i].tree);
    }
    free(mf->items);
    for (size_t i = 0; i < mf->n_created; i++) {
        free(mf->created[i].rel);
        for (size_t k = 0; k < mf->created[i].ndirs; k++) free(mf->created[i].dirs[k]);
        free(mf->created[i].dirs);
        free(mf->created[i].top_parent);
    }
    free(mf->created);
    free(mf->root);
    json_decref(mf->json);
    memset(mf, 0, sizeof *mf);
}
