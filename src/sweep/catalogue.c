/* catalogue.c — load data/sweep/catalogue.yaml and compile its path patterns.
 *
 * The catalogue says which day its footprints were last checked against the
 * vendors' documentation (`as_of: YYYY-MM-DD`); a sweep warns when that is
 * older than the sweep policy's max_age_days, since a tool released or moved
 * since then is missed without a word.
 *
 * Every footprint path becomes a struct warden_sweep_pattern whose last
 * component (and its literal prefix/suffix) lets the matcher reject almost
 * every walked name with one hash probe or memcmp, before any fnmatch. */
#include "sweep/catalogue.h"
#include "core/datadir.h"
#include "core/day.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "sweep/yamldoc.h"

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const kind_names[WARDEN_SWEEP_NKINDS] = {
    "binary", "package", "config", "credential", "extension", "model", "env"};

const char *warden_sweep_kind_name(enum warden_sweep_kind k)
{
    return (unsigned)k < WARDEN_SWEEP_NKINDS ? kind_names[k] : "?";
}

static const struct {
    const char *name;
    unsigned bit;
} magics[] = {
    {"elf", WARDEN_SWEEP_MAGIC_ELF},         {"macho", WARDEN_SWEEP_MAGIC_MACHO},
    {"pe", WARDEN_SWEEP_MAGIC_PE},           {"script", WARDEN_SWEEP_MAGIC_SCRIPT},
    {"json", WARDEN_SWEEP_MAGIC_JSON},       {"gguf", WARDEN_SWEEP_MAGIC_GGUF},
    {"zip", WARDEN_SWEEP_MAGIC_ZIP},         {"sqlite", WARDEN_SWEEP_MAGIC_SQLITE},
    {"symlink", WARDEN_SWEEP_MAGIC_SYMLINK}, {"dir", WARDEN_SWEEP_MAGIC_DIR},
    {"file", WARDEN_SWEEP_MAGIC_FILE},
};

/* glibc's regcomp copies the tree of a group once per '+' and n times per
 * {m,n}, so "(x)+++..." or nested bounds take memory exponential in the
 * pattern (a 449-byte catalogue took 2 GB). A version regex needs neither
 * many '+' nor bounds: those are refused, counted outside [...] brackets. */
#define REGEX_MAX_LEN 256
#define REGEX_MAX_PLUS 8

static bool regex_simple(const char *re)
{
    if (strlen(re) > REGEX_MAX_LEN) return false;
    int plus = 0;
    bool in_br = false;
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (in_br) {
            if (*p == ']' && p[-1] != '[' && !(p[-1] == '^' && p[-2] == '[')) in_br = false;
        } else if (*p == '[') {
            in_br = true;
        } else if (*p == '{') {
            return false;
        } else if (*p == '+' && ++plus > REGEX_MAX_PLUS) {
            return false;
        }
    }
    return true;
}

const char *warden_sweep_catalogue_default(void)
{
    const char *e = getenv("WARDEN_SWEEP_CATALOGUE");
    if (e && *e) return e;
    static char path[4096];
    snprintf(path, sizeof path, "%s/sweep/catalogue.yaml", warden_data_dir());
    return path;
}

static bool has_wild(const char *s)
{
    return strpbrk(s, "*?[\\") != NULL;
}

/* Compile one pattern text into p; returns 0 or WARDEN_EINVAL. */
static int compile_pattern(struct warden_sweep_pattern *p, const char *text, int tool, int fp)
{
    memset(p, 0, sizeof *p);
    const char *g;
    if (strncmp(text, "~/", 2) == 0) {
        p->anchor = WARDEN_SWEEP_AT_HOME;
        g = text + 2;
    } else if (strncmp(text, "**/", 3) == 0) {
        p->anchor = WARDEN_SWEEP_AT_ANY;
        g = text + 3;
    } else if (text[0] == '/') {
        p->anchor = WARDEN_SWEEP_AT_ROOT;
        g = text + 1;
    } else {
        return WARDEN_EINVAL;
    }
    size_t n = strlen(g);
    while (n > 0 && g[n - 1] == '/') n--;
    if (n == 0 || strstr(g, "**") || strstr(g, "//")) return WARDEN_EINVAL;
    p->glob = warden_xstrndup(g, n);
    p->ncomp = 1;
    for (size_t i = 0; i < n; i++)
        if (p->glob[i] == '/') p->ncomp++;
    const char *slash = strrchr(p->glob, '/');
    p->last = warden_xstrdup(slash ? slash + 1 : p->glob);
    p->literal = !has_wild(p->last);
    if (!p->literal) {
        p->pre_len = strcspn(p->last, "*?[\\");
        size_t L = strlen(p->last), s = 0;
        while (s < L && !strchr("*?]\\", p->last[L - 1 - s])) s++;
        p->suf_len = s;
    }
    p->tool = tool;
    p->fp = fp;
    return 0;
}

static void pattern_fini(struct warden_sweep_pattern *p)
{
    free(p->glob);
    free(p->last);
}

static int parse_footprint(struct warden_sweep_ydoc *d, yaml_node_t *n,
                           struct warden_sweep_footprint *f, const char *os)
{
    static const char *const keys[] = {"kind", "paths", "verify", "version", "wrapper", NULL};
    int rc = warden_sweep_ydoc_keys(d, n, keys);
    if (rc) return rc;
    yaml_node_t *k = warden_sweep_ydoc_get(d, n, "kind");
    const char *ks = warden_sweep_ydoc_str(k);
    f->kind = WARDEN_SWEEP_NKINDS;
    for (int i = 0; ks && i < WARDEN_SWEEP_NKINDS; i++)
        if (strcmp(ks, kind_names[i]) == 0) f->kind = (enum warden_sweep_kind)i;
    if (f->kind == WARDEN_SWEEP_NKINDS || f->kind == WARDEN_SWEEP_ENV)
        return warden_sweep_ydoc_fail(d, k ? k : n,
                                      "kind must be one of binary, package, "
                                      "config, credential, extension, model");
    yaml_node_t *paths = warden_sweep_ydoc_get(d, n, "paths");
    if (!paths) return warden_sweep_ydoc_fail(d, n, "footprint without paths");
    if (paths->type == YAML_MAPPING_NODE) {
        static const char *const oses[] = {"linux", "macos", "windows", NULL};
        if ((rc = warden_sweep_ydoc_keys(d, paths, oses))) return rc;
        rc = warden_sweep_ydoc_strlist(d, warden_sweep_ydoc_get(d, paths, os), &f->paths);
    } else {
        rc = warden_sweep_ydoc_strlist(d, paths, &f->paths);
    }
    if (rc) return rc;
    yaml_node_t *v = warden_sweep_ydoc_get(d, n, "verify");
    if (v) {
        static const char *const vkeys[] = {"package_json", "magic", "link_target", NULL};
        if ((rc = warden_sweep_ydoc_keys(d, v, vkeys))) return rc;
        const char *s = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, v, "package_json"));
        if (s) f->package_json = warden_xstrdup(s);
        s = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, v, "link_target"));
        if (s) f->link_target = warden_xstrdup(s);
        struct warden_strlist m = {0};
        yaml_node_t *mn = warden_sweep_ydoc_get(d, v, "magic");
        if ((rc = warden_sweep_ydoc_strlist(d, mn, &m))) return rc;
        for (size_t i = 0; i < m.n; i++) {
            unsigned bit = 0;
            for (size_t j = 0; j < sizeof magics / sizeof magics[0]; j++)
                if (strcmp(magics[j].name, m.v[i]) == 0) bit = magics[j].bit;
            if (!bit) {
                /* format the message before the list (and m.v[i]) is freed */
                rc = warden_sweep_ydoc_fail(d, mn, "unknown magic '%s'", m.v[i]);
                warden_sweep_strlist_free(&m);
                return rc;
            }
            f->magic |= bit;
        }
        warden_sweep_strlist_free(&m);
    }
    yaml_node_t *ver = warden_sweep_ydoc_get(d, n, "version");
    if (ver) {
        static const char *const vk[] = {"from", "regex", NULL};
        if ((rc = warden_sweep_ydoc_keys(d, ver, vk))) return rc;
        yaml_node_t *fromn = warden_sweep_ydoc_get(d, ver, "from");
        const char *from = warden_sweep_ydoc_str(fromn);
        if (!from) return warden_sweep_ydoc_fail(d, ver, "version needs 'from'");
        if (strcmp(from, "package_json") == 0)
            f->vfrom = WARDEN_SWEEP_V_PACKAGE_JSON;
        else if (strcmp(from, "path") == 0)
            f->vfrom = WARDEN_SWEEP_V_PATH;
        else if (strcmp(from, "link_target") == 0)
            f->vfrom = WARDEN_SWEEP_V_LINK_TARGET;
        else if (strcmp(from, "file") == 0)
            f->vfrom = WARDEN_SWEEP_V_FILE;
        else if (strcmp(from, "exec") == 0)
            f->vfrom = WARDEN_SWEEP_V_EXEC;
        else
            return warden_sweep_ydoc_fail(d, fromn,
                                          "version.from must be package_json, path, "
                                          "link_target, file or exec");
        yaml_node_t *ren = warden_sweep_ydoc_get(d, ver, "regex");
        const char *re = warden_sweep_ydoc_str(ren);
        if (re && !regex_simple(re))
            return warden_sweep_ydoc_fail(d, ren,
                                          "regex too complex (at most %d characters and %d '+' "
                                          "outside brackets, no {m,n})",
                                          REGEX_MAX_LEN, REGEX_MAX_PLUS);
        if (re) {
            regex_t *r = warden_xmalloc(sizeof *r);
            if (regcomp(r, re, REG_EXTENDED) != 0) {
                free(r);
                return warden_sweep_ydoc_fail(d, ren, "bad regular expression");
            }
            if (r->re_nsub < 1) {
                regfree(r);
                free(r);
                return warden_sweep_ydoc_fail(d, ren, "regex needs a group for the version");
            }
            f->vregex = warden_xstrdup(re);
            f->vre = r;
        } else if (f->vfrom != WARDEN_SWEEP_V_PACKAGE_JSON) {
            return warden_sweep_ydoc_fail(d, ver, "version.from '%s' needs a regex", from);
        }
    }
    const char *w = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, n, "wrapper"));
    f->wrapper = w && (strcmp(w, "true") == 0 || strcmp(w, "yes") == 0);
    return 0;
}

static int parse_tool(struct warden_sweep_ydoc *d, yaml_node_t *n, struct warden_sweep_tool *t,
                      const char *os)
{
    static const char *const keys[] = {"id",        "name",       "vendor",  "env",
                                       "endpoints", "footprints", "disable", NULL};
    int rc = warden_sweep_ydoc_keys(d, n, keys);
    if (rc) return rc;
    const char *id = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, n, "id"));
    if (!id || !*id) return warden_sweep_ydoc_fail(d, n, "tool without an id");
    t->id = warden_xstrdup(id);
    const char *s = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, n, "name"));
    t->name = warden_xstrdup(s ? s : id);
    s = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, n, "vendor"));
    t->vendor = warden_xstrdup(s ? s : "");
    if ((rc = warden_sweep_ydoc_strlist(d, warden_sweep_ydoc_get(d, n, "env"), &t->env))) return rc;
    yaml_node_t *e = warden_sweep_ydoc_get(d, n, "endpoints");
    if (e) {
        static const char *const ek[] = {"source", "hosts", "ipv4", "ipv6", NULL};
        if ((rc = warden_sweep_ydoc_keys(d, e, ek))) return rc;
        s = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, e, "source"));
        if (s) t->source = warden_xstrdup(s);
        if ((rc = warden_sweep_ydoc_strlist(d, warden_sweep_ydoc_get(d, e, "hosts"), &t->hosts)) ||
            (rc = warden_sweep_ydoc_strlist(d, warden_sweep_ydoc_get(d, e, "ipv4"), &t->ipv4)) ||
            (rc = warden_sweep_ydoc_strlist(d, warden_sweep_ydoc_get(d, e, "ipv6"), &t->ipv6)))
            return rc;
        for (size_t i = 0; i < t->hosts.n; i++)
            if (strspn(t->hosts.v[i], "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
                    strlen(t->hosts.v[i]) ||
                !t->hosts.v[i][0])
                return warden_sweep_ydoc_fail(d, e, "host '%s' is not a lower-case DNS name",
                                              t->hosts.v[i]);
        for (size_t i = 0; i < t->ipv4.n; i++)
            if (strspn(t->ipv4.v[i], "0123456789./") != strlen(t->ipv4.v[i]))
                return warden_sweep_ydoc_fail(d, e, "bad IPv4 range '%s'", t->ipv4.v[i]);
        for (size_t i = 0; i < t->ipv6.n; i++)
            if (strspn(t->ipv6.v[i], "0123456789abcdefABCDEF:./") != strlen(t->ipv6.v[i]))
                return warden_sweep_ydoc_fail(d, e, "bad IPv6 range '%s'", t->ipv6.v[i]);
    }
    yaml_node_t *dis = warden_sweep_ydoc_get(d, n, "disable");
    if (dis) {
        static const char *const dk[] = {"path", "content", NULL};
        if ((rc = warden_sweep_ydoc_keys(d, dis, dk))) return rc;
        yaml_node_t *pn = warden_sweep_ydoc_get(d, dis, "path");
        if (pn && pn->type == YAML_MAPPING_NODE) {
            static const char *const oses[] = {"linux", "macos", "windows", NULL};
            if ((rc = warden_sweep_ydoc_keys(d, pn, oses))) return rc;
            pn = warden_sweep_ydoc_get(d, pn, os);
        }
        const char *pth = warden_sweep_ydoc_str(pn);
        const char *content = warden_sweep_ydoc_str(warden_sweep_ydoc_get(d, dis, "content"));
        if (!content) return warden_sweep_ydoc_fail(d, dis, "disable needs a content");
        if (pth) {
            if (pth[0] != '/' || strstr(pth, "/../") || strstr(pth, "//"))
                return warden_sweep_ydoc_fail(d, dis, "disable.path must be an absolute path");
            t->disable_path = warden_xstrdup(pth);
            t->disable_content = warden_xstrdup(content);
        }
    }
    yaml_node_t *fps = warden_sweep_ydoc_get(d, n, "footprints");
    if (!fps || fps->type != YAML_SEQUENCE_NODE)
        return warden_sweep_ydoc_fail(d, n, "tool '%s' needs a list of footprints", id);
    size_t nf = (size_t)(fps->data.sequence.items.top - fps->data.sequence.items.start);
    t->fps = warden_xcalloc(nf ? nf : 1, sizeof *t->fps);
    for (size_t i = 0; i < nf; i++) {
        t->n_fps = i + 1;
        rc = parse_footprint(d, yaml_document_get_node(&d->doc, fps->data.sequence.items.start[i]),
                             &t->fps[i], os);
        if (rc) return rc;
    }
    return 0;
}

char *warden_sweep_catalogue_age_text(const struct warden_sweep_catalogue *c, int64_t max_age_days,
                                      char *buf, size_t n)
{
    return warden_day_describe(buf, n, c->as_of_day, warden_day_today(), max_age_days,
                               "sweep.max_age_days");
}

bool warden_sweep_catalogue_warn_stale(const struct warden_sweep_catalogue *c, int64_t max_age_days)
{
    if (!warden_day_stale(c->as_of_day, warden_day_today(), max_age_days)) return false;
    char age[128];
    warden_warn("sweep: the catalogue %s is %s: AI tools released, renamed or moved since are "
                "not found; update it (and its as_of: date) from the vendors' documentation",
                c->path, warden_sweep_catalogue_age_text(c, max_age_days, age, sizeof age));
    return true;
}

int warden_sweep_catalogue_find(const struct warden_sweep_catalogue *c, const char *id)
{
    for (size_t i = 0; i < c->n_tools; i++)
        if (strcmp(c->tools[i].id, id) == 0) return (int)i;
    return -1;
}

int warden_sweep_catalogue_load(struct warden_sweep_catalogue **out, const char *path,
                                const char *os, char *err, size_t errlen)
{
    *out = NULL;
    if (!path) path = warden_sweep_catalogue_default();
    if (!os) os = "linux";
    if (strcmp(os, "linux") && strcmp(os, "macos") && strcmp(os, "windows")) {
        snprintf(err, errlen, "unknown OS '%s' (linux, macos or windows)", os);
        return WARDEN_EINVAL;
    }
    struct warden_sweep_ydoc d;
    int rc = warden_sweep_ydoc_load(&d, path, err, errlen);
    if (rc) return rc;
    struct warden_sweep_catalogue *c = warden_xcalloc(1, sizeof *c);
    c->path = warden_xstrdup(path);
    yaml_node_t *root = warden_sweep_ydoc_root(&d);
    static const char *const keys[] = {"version", "as_of", "env_files", "tools", NULL};
    if ((rc = warden_sweep_ydoc_keys(&d, root, keys))) goto out;
    const char *ver = warden_sweep_ydoc_str(warden_sweep_ydoc_get(&d, root, "version"));
    if (!ver || strcmp(ver, "1") != 0) {
        rc = warden_sweep_ydoc_fail(&d, root, "catalogue 'version: 1' expected");
        goto out;
    }
    yaml_node_t *asn = warden_sweep_ydoc_get(&d, root, "as_of");
    if (asn) {
        const char *a = warden_sweep_ydoc_str(asn);
        if (!a || warden_day_parse(a, strlen(a), &c->as_of_day) != 0) {
            rc = warden_sweep_ydoc_fail(&d, asn, "as_of: expected YYYY-MM-DD, got '%.40s'",
                                        a ? a : "(not a string)");
            goto out;
        }
    }
    if ((rc = warden_sweep_ydoc_strlist(&d, warden_sweep_ydoc_get(&d, root, "env_files"),
                                        &c->env_files)))
        goto out;
    yaml_node_t *tools = warden_sweep_ydoc_get(&d, root, "tools");
    if (!tools || tools->type != YAML_SEQUENCE_NODE) {
        rc = warden_sweep_ydoc_fail(&d, root, "'tools' must be a list");
        goto out;
    }
    size_t nt = (size_t)(tools->data.sequence.items.top - tools->data.sequence.items.start);
    c->tools = warden_xcalloc(nt ? nt : 1, sizeof *c->tools);
    for (size_t i = 0; i < nt; i++) {
        yaml_node_t *tn = yaml_document_get_node(&d.doc, tools->data.sequence.items.start[i]);
        c->n_tools = i + 1;
        if ((rc = parse_tool(&d, tn, &c->tools[i], os))) goto out;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->tools[j].id, c->tools[i].id) == 0) {
                rc = warden_sweep_ydoc_fail(&d, tn, "duplicate tool id '%s'", c->tools[i].id);
                goto out;
            }
    }
    /* compile patterns */
    for (size_t t = 0; t < c->n_tools; t++)
        for (size_t f = 0; f < c->tools[t].n_fps; f++) {
            struct warden_sweep_footprint *fp = &c->tools[t].fps[f];
            for (size_t k = 0; k < fp->paths.n; k++) {
                c->pats = warden_xrealloc(c->pats, sizeof *c->pats * (c->n_pats + 1));
                if (compile_pattern(&c->pats[c->n_pats], fp->paths.v[k], (int)t, (int)f)) {
                    snprintf(err, errlen,
                             "%s: tool '%s': bad path pattern '%s' (start with ~/, / or **/; "
                             "no other **)",
                             path, c->tools[t].id, fp->paths.v[k]);
                    rc = WARDEN_ECONFIG;
                    goto out;
                }
                c->n_pats++;
            }
        }
    for (size_t k = 0; k < c->env_files.n; k++) {
        c->env_pats = warden_xrealloc(c->env_pats, sizeof *c->env_pats * (c->n_env_pats + 1));
        if (compile_pattern(&c->env_pats[c->n_env_pats], c->env_files.v[k], -1, -1)) {
            snprintf(err, errlen, "%s: bad env_files pattern '%s'", path, c->env_files.v[k]);
            rc = WARDEN_ECONFIG;
            goto out;
        }
        c->n_env_pats++;
    }
out:
    warden_sweep_ydoc_fini(&d);
    if (rc) {
        warden_sweep_catalogue_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void warden_sweep_catalogue_free(struct warden_sweep_catalogue *c)
{
    if (!c) return;
    for (size_t t = 0; t < c->n_tools; t++) {
        struct warden_sweep_tool *tl = &c->tools[t];
        free(tl->id);
        free(tl->name);
        free(tl->vendor);
        free(tl->source);
        free(tl->disable_path);
        free(tl->disable_content);
        warden_sweep_strlist_free(&tl->env);
        warden_sweep_strlist_free(&tl->hosts);
        warden_sweep_strlist_free(&tl->ipv4);
        warden_sweep_strlist_free(&tl->ipv6);
        for (size_t f = 0; f < tl->n_fps; f++) {
            struct warden_sweep_footprint *fp = &tl->fps[f];
            warden_sweep_strlist_free(&fp->paths);
            free(fp->package_json);
            free(fp->link_target);
            free(fp->vregex);
            if (fp->vre) {
                regfree(fp->vre);
                free(fp->vre);
            }
        }
        free(tl->fps);
    }
    free(c->tools);
    for (size_t i = 0; i < c->n_pats; i++) pattern_fini(&c->pats[i]);
    free(c->pats);
    for (size_t i = 0; i < c->n_env_pats; i++) pattern_fini(&c->env_pats[i]);
    free(c->env_pats);
    warden_sweep_strlist_free(&c->env_files);
    free(c->path);
    free(c);
}
