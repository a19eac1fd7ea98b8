/* match.c — indexed path-pattern matching for the sweep (see match.h). */
#include "sweep/match.h"
#include "core/xalloc.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bucket {
    const char *name; /* NULL: empty */
    size_t len;
    int *pats;
    size_t n;
};

struct warden_sweep_matcher {
    const struct warden_sweep_pattern *pats;
    size_t n_pats;
    const struct warden_sweep_users *users;
    struct bucket *tab;
    size_t mask;
    int *globs; /* patterns with a wildcard in the last component */
    size_t n_globs;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

struct warden_sweep_matcher *warden_sweep_matcher_new(const struct warden_sweep_pattern *pats,
                                                      size_t n,
                                                      const struct warden_sweep_users *users)
{
    struct warden_sweep_matcher *m = warden_xcalloc(1, sizeof *m);
    m->pats = pats;
    m->n_pats = n;
    m->users = users;
    size_t cap = 64;
    while (cap < n * 4) cap *= 2;
    m->tab = warden_xcalloc(cap, sizeof *m->tab);
    m->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        const struct warden_sweep_pattern *p = &pats[i];
        if (!p->literal) {
            m->globs = warden_xrealloc(m->globs, sizeof(int) * (m->n_globs + 1));
            m->globs[m->n_globs++] = (int)i;
            continue;
        }
        size_t len = strlen(p->last);
        size_t h = (size_t)hash(p->last, len) & m->mask;
        while (m->tab[h].name &&
               !(m->tab[h].len == len && memcmp(m->tab[h].name, p->last, len) == 0))
            h = (h + 1) & m->mask;
        struct bucket *b = &m->tab[h];
        b->name = p->last;
        b->len = len;
        b->pats = warden_xrealloc(b->pats, sizeof(int) * (b->n + 1));
        b->pats[b->n++] = (int)i;
    }
    return m;
}

void warden_sweep_matcher_free(struct warden_sweep_matcher *m)
{
    if (!m) return;
    for (size_t i = 0; i <= m->mask; i++) free(m->tab[i].pats);
    free(m->tab);
    free(m->globs);
    free(m);
}

static bool full_match(const struct warden_sweep_matcher *m, const struct warden_sweep_pattern *p,
                       const char *rel, size_t len)
{
    switch (p->anchor) {
    case WARDEN_SWEEP_AT_ROOT:
        return fnmatch(p->glob, rel, FNM_PATHNAME) == 0;
    case WARDEN_SWEEP_AT_ANY: {
        int comps = 0;
        size_t i = len;
        while (i > 0) {
            if (rel[i - 1] == '/' && ++comps == p->ncomp) break;
            i--;
        }
        if (i == 0 && comps + 1 < p->ncomp) return false;
        return fnmatch(p->glob, rel + i, FNM_PATHNAME) == 0;
    }
    case WARDEN_SWEEP_AT_HOME:
        for (size_t u = 0; u < m->users->n; u++) {
            const struct warden_sweep_user *us = &m->users->v[u];
            if (!us->selected) continue;
            size_t hl = us->home_len;
            if (len > hl + 1 && rel[hl] == '/' && memcmp(rel, us->home, hl) == 0)
                return fnmatch(p->glob, rel + hl + 1, FNM_PATHNAME) == 0;
        }
        return false;
    }
    return false;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

size_t warden_sweep_match(const struct warden_sweep_matcher *m, const char *rel, size_t rel_len,
                          const char *name, size_t name_len, int *out, size_t max)
{
    size_t k = 0;
    size_t h = (size_t)hash(name, name_len) & m->mask;
    while (m->tab[h].name) {
        const struct bucket *b = &m->tab[h];
        if (b->len == name_len && memcmp(b->name, name, name_len) == 0) {
            for (size_t i = 0; i < b->n && k < max; i++)
                if (full_match(m, &m->pats[b->pats[i]], rel, rel_len)) out[k++] = b->pats[i];
            break;
        }
        h = (h + 1) & m->mask;
    }
    for (size_t g = 0; g < m->n_globs && k < max; g++) {
        const struct warden_sweep_pattern *p = &m->pats[m->globs[g]];
        if (name_len < p->pre_len + p->suf_len) continue;
        if (p->pre_len && memcmp(name, p->last, p->pre_len) != 0) continue;
        if (p->suf_len && memcmp(name + name_len - p->suf_len,
                                 p->last + strlen(p->last) - p->suf_len, p->suf_len) != 0)
            continue;
        if (fnmatch(p->last, name, 0) != 0) continue;
        if (full_match(m, p, rel, rel_len)) out[k++] = m->globs[g];
    }
    if (k > 1) qsort(out, k, sizeof *out, cmp_int);
    return k;
}
