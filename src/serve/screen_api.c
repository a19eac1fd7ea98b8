/* screen_api.c — POST /v1/screen (see screen_api.h).
 *
 * In: {"name": "...", "aliases": [...], "country": "CC", "domain": "...",
 * "id": "..."} or an organisation record (formats.md §3: org_id, name,
 * aliases, country, domain, address, owners [{org_id | name, share}]).
 * Every name (the name and each alias) is screened with the country, domain
 * and identifier; an entity found under several names is reported once,
 * with its best score and the name that found it. With owners, the record
 * also goes through the ownership rule (an owner given by name is screened
 * by name alone; by org_id alone it cannot be resolved here and is counted
 * as missing). Out: {query, match, total, results: [{id, entity_id,
 * caption, schema, list, datasets, program, score, match, query_name,
 * explanation}], domain_matches, ownership?}. The lists are read-only
 * after load; each request borrows a scratch from a small pool. */
#include "serve/screen_api.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/xalloc.h"
#include "policy/policy.h"
#include "registry/registry.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 33      /* the name and up to 32 aliases */
#define MAX_OWNERS 64     /* owners of a record */
#define MAX_TEXT 1024     /* bytes of any one string field */
#define MAX_PER_NAME 10   /* matches kept per screened name */
#define MAX_DOMAIN_HITS 8 /* entities listing the domain */
#define POOL 8            /* idle scratches kept */

struct warden_serve_screen {
    struct warden_screen *lists;
    pthread_mutex_t lock; /* the scratch pool */
    struct warden_screen_scratch *idle[POOL];
    size_t n_idle;
};

int warden_serve_screen_new(struct warden_serve_screen **out, const struct warden_policy *pol,
                            const char *compiled, char *err, size_t errlen)
{
    struct warden_screen_conf c = pol->screen; /* shallow: warden_screen_open copies it */
    if (c.restricted_jurisdictions.n == 0) c.restricted_jurisdictions = pol->restricted;
    if (compiled) c.compiled = (char *)compiled;
    struct warden_screen *lists = NULL;
    char why[512];
    if (warden_screen_open(&lists, &c, why, sizeof why) < 0) {
        snprintf(err, errlen, "screen_api: %s", why);
        return WARDEN_ECONFIG;
    }
    struct warden_serve_screen *s = warden_xcalloc(1, sizeof *s);
    s->lists = lists;
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return 0;
}

void warden_serve_screen_free(struct warden_serve_screen *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_idle; i++) warden_screen_scratch_free(s->idle[i]);
    pthread_mutex_destroy(&s->lock);
    warden_screen_free(s->lists);
    free(s);
}

static struct warden_screen_scratch *borrow(struct warden_serve_screen *s)
{
    struct warden_screen_scratch *w = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->n_idle) w = s->idle[--s->n_idle];
    pthread_mutex_unlock(&s->lock);
    return w ? w : warden_screen_scratch_new(s->lists);
}

static void give_back(struct warden_serve_screen *s, struct warden_screen_scratch *w)
{
    pthread_mutex_lock(&s->lock);
    if (s->n_idle < POOL) {
        s->idle[s->n_idle++] = w;
        w = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    warden_screen_scratch_free(w);
}

/* ---- the request ---- */

struct query {
    const char *names[MAX_NAMES]; /* [0]: name */
    size_t n_names;
    const char *country, *domain, *id, *org_id, *address;
    struct warden_owner owners[MAX_OWNERS];
    size_t n_owners;
    bool has_owners;
};

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return WARDEN_EPARSE;
}

static int text(json_t *v, const char *field, const char **out, char *why, size_t len)
{
    if (!json_is_string(v)) return bad(why, len, "field '%s': expected a string", field);
    size_t n = json_string_length(v);
    if (n > MAX_TEXT) return bad(why, len, "field '%s': longer than 1024 bytes", field);
    if (strlen(json_string_value(v)) != n)
        return bad(why, len, "field '%s': contains a NUL character", field);
    *out = json_string_value(v);
    return 0;
}

static int parse_owners(json_t *v, struct query *q, char *why, size_t len)
{
    if (!json_is_array(v)) return bad(why, len, "field '%s': expected a list", "owners");
    if (json_array_size(v) > MAX_OWNERS)
        return bad(why, len, "field '%s': more than 64 owners", "owners");
    q->has_owners = true;
    size_t i;
    json_t *o;
    json_array_foreach(v, i, o)
    {
        if (!json_is_object(o))
            return bad(why, len, "field '%s': each owner is an object {org_id | name, share}",
                       "owners");
        struct warden_owner *w = &q->owners[q->n_owners];
        const char *key;
        json_t *f;
        json_object_foreach(o, key, f)
        {
            const char *sv = NULL;
            if (strcmp(key, "org_id") == 0 || strcmp(key, "name") == 0) {
                if (text(f, strcmp(key, "name") == 0 ? "owners[].name" : "owners[].org_id", &sv,
                         why, len))
                    return WARDEN_EPARSE;
                if (!*sv) continue;
                if (key[0] == 'o')
                    w->org_id = (char *)sv;
                else
                    w->name = (char *)sv;
            } else if (strcmp(key, "share") == 0) {
                double sh = json_is_number(f) ? json_number_value(f) : -1;
                if (!(sh >= 0 && sh <= 100))
                    return bad(why, len, "field '%s': expected a number from 0 to 100",
                               "owners[].share");
                w->share = sh;
            } else {
                snprintf(why, len, "field 'owners[].%.64s': unknown (known: org_id, name, share)",
                         key);
                return WARDEN_EPARSE;
            }
        }
        if (!w->org_id && !w->name)
            return bad(why, len, "field '%s': an owner needs an org_id or a name", "owners");
        if (!json_object_get(o, "share"))
            return bad(why, len, "field '%s': an owner needs a share", "owners[].share");
        q->n_owners++;
    }
    return 0;
}

static int parse(json_t *root, struct query *q, char *why, size_t len)
{
    memset(q, 0, sizeof *q);
    if (!json_is_object(root))
        return bad(why, len, "%s", "expected a JSON object {\"name\": ..., ...}");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        int rc = 0;
        if (strcmp(key, "name") == 0) {
            rc = text(v, "name", &q->names[0], why, len);
        } else if (strcmp(key, "aliases") == 0) {
            if (!json_is_array(v)) return bad(why, len, "field '%s': expected a list", key);
            if (json_array_size(v) > MAX_NAMES - 1)
                return bad(why, len, "field '%s': more than 32 aliases", key);
            size_t i;
            json_t *a;
            json_array_foreach(v, i, a)
            {
                const char *s = NULL;
                if (text(a, "aliases[]", &s, why, len)) return WARDEN_EPARSE;
                if (*s) q->names[1 + q->n_names++] = s; /* [0] is kept for the name */
            }
        } else if (strcmp(key, "country") == 0) {
            rc = text(v, key, &q->country, why, len);
        } else if (strcmp(key, "domain") == 0) {
            rc = text(v, key, &q->domain, why, len);
        } else if (strcmp(key, "id") == 0) {
            rc = text(v, key, &q->id, why, len);
        } else if (strcmp(key, "org_id") == 0) {
            rc = text(v, key, &q->org_id, why, len);
        } else if (strcmp(key, "address") == 0) {
            rc = text(v, key, &q->address, why, len);
        } else if (strcmp(key, "owners") == 0) {
            rc = parse_owners(v, q, why, len);
        } else {
            snprintf(why, len,
                     "field '%.64s': unknown (known: name, aliases, country, domain, id, org_id, "
                     "address, owners)",
                     key);
            return WARDEN_EPARSE;
        }
        if (rc) return rc;
    }
    if (!q->names[0] || !*q->names[0]) return bad(why, len, "missing required field '%s'", "name");
    q->n_names++; /* the name itself */
    if (q->country && !*q->country) q->country = NULL;
    if (q->domain && !*q->domain) q->domain = NULL;
    if (q->id && !*q->id) q->id = NULL;
    return 0;
}

/* ---- the answer ---- */

struct hit {
    struct warden_screen_match m;
    const char *query_name;
};

static int by_score(const void *a, const void *b)
{
    double x = ((const struct hit *)a)->m.score, y = ((const struct hit *)b)->m.score;
    return (x < y) - (x > y);
}

static void query_json(const struct query *q, struct warden_jbuf *j)
{
    warden_jbuf_key(j, "query");
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_str(j, "name", q->names[0]);
    warden_jbuf_key(j, "aliases");
    warden_jbuf_arr_open(j);
    for (size_t i = 1; i < q->n_names; i++) warden_jbuf_cstr(j, q->names[i]);
    warden_jbuf_arr_close(j);
    const char *const keys[] = {"country", "domain", "id"};
    const char *const vals[] = {q->country, q->domain, q->id};
    for (size_t i = 0; i < 3; i++) {
        warden_jbuf_key(j, keys[i]);
        warden_jbuf_cstr(j, vals[i]); /* null when not given */
    }
    warden_jbuf_obj_close(j);
}

static void hit_json(const struct warden_screen *lists, const struct hit *h, struct warden_jbuf *j)
{
    const struct warden_screen_entity *e = h->m.entity;
    char id[256];
    snprintf(id, sizeof id, "%s:%s", e->list, e->source_id);
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_str(j, "id", id);
    warden_jbuf_kv_str(j, "entity_id", e->source_id);
    warden_jbuf_key(j, "caption");
    warden_jbuf_cstr(j, warden_screen_entity_name(lists, e, 0));
    warden_jbuf_kv_str(j, "schema", warden_screen_kind_name(e->kind));
    warden_jbuf_kv_str(j, "list", e->list);
    warden_jbuf_key(j, "datasets");
    warden_jbuf_arr_open(j);
    warden_jbuf_cstr(j, e->list);
    warden_jbuf_arr_close(j);
    warden_jbuf_kv_str(j, "program", e->program);
    warden_jbuf_kv_num(j, "score", h->m.score);
    warden_jbuf_kv_bool(j, "match", h->m.is_match);
    warden_jbuf_kv_str(j, "query_name", h->query_name);
    warden_jbuf_key(j, "explanation");
    warden_screen_match_json(lists, &h->m, j);
    warden_jbuf_obj_close(j);
}

static bool screen_names(struct warden_serve_screen *s, struct warden_screen_scratch *w,
                         const struct query *q, struct warden_jbuf *j, size_t *total)
{
    struct hit *hits = warden_xcalloc(q->n_names * MAX_PER_NAME, sizeof *hits);
    struct warden_screen_match m[MAX_PER_NAME];
    size_t n = 0;
    for (size_t k = 0; k < q->n_names; k++) {
        struct warden_screen_query sq = {q->names[k], q->country, q->domain, q->id};
        int got = warden_screen_name(s->lists, w, &sq, m, MAX_PER_NAME);
        for (int i = 0; i < got; i++) {
            size_t at = 0;
            while (at < n && hits[at].m.entity != m[i].entity) at++;
            if (at == n)
                n++;
            else if (hits[at].m.score >= m[i].score)
                continue;
            hits[at].m = m[i];
            hits[at].query_name = q->names[k];
        }
    }
    qsort(hits, n, sizeof *hits, by_score);
    bool any = false;
    warden_jbuf_key(j, "results");
    warden_jbuf_arr_open(j);
    for (size_t i = 0; i < n; i++) {
        any |= hits[i].m.is_match;
        hit_json(s->lists, &hits[i], j);
    }
    warden_jbuf_arr_close(j);
    free(hits);
    *total = n;
    return any;
}

static bool screen_domain(struct warden_serve_screen *s, const struct query *q,
                          struct warden_jbuf *j)
{
    const struct warden_screen_entity *dom[MAX_DOMAIN_HITS];
    int nd = q->domain ? warden_screen_domain(s->lists, q->domain, dom, MAX_DOMAIN_HITS) : 0;
    warden_jbuf_key(j, "domain_matches");
    warden_jbuf_arr_open(j);
    for (int i = 0; i < nd; i++) {
        warden_jbuf_obj_open(j);
        warden_jbuf_kv_str(j, "list", dom[i]->list);
        warden_jbuf_kv_str(j, "entity_id", dom[i]->source_id);
        warden_jbuf_key(j, "caption");
        warden_jbuf_cstr(j, warden_screen_entity_name(s->lists, dom[i], 0));
        warden_jbuf_obj_close(j);
    }
    warden_jbuf_arr_close(j);
    return nd > 0;
}

static bool screen_ownership(struct warden_serve_screen *s, struct warden_screen_scratch *w,
                             struct query *q, struct warden_jbuf *j)
{
    struct warden_org org;
    memset(&org, 0, sizeof org);
    org.org_id = (char *)(q->org_id ? q->org_id : "query");
    org.name = (char *)q->names[0];
    org.aliases = (char **)(q->names + 1);
    org.n_aliases = q->n_names - 1;
    if (q->country) snprintf(org.country, sizeof org.country, "%s", q->country);
    org.domain = (char *)q->domain;
    org.address = (char *)q->address;
    org.owners = q->owners;
    org.n_owners = q->n_owners;
    struct warden_screen_ownership *o = NULL;
    warden_screen_orgs(s->lists, w, &org, 1, &o);
    bool restricted = false;
    warden_jbuf_key(j, "ownership");
    if (o && warden_screen_ownership_n(o) > 0) {
        restricted = warden_screen_ownership_at(o, 0)->restricted;
        warden_screen_verdict_json(s->lists, o, 0, j);
    } else {
        warden_jbuf_null(j);
    }
    warden_jbuf_kv_int(j, "owners_unresolved", o ? (int64_t)warden_screen_ownership_missing(o) : 0);
    warden_screen_ownership_free(o);
    return restricted;
}

void warden_serve_screen_handle(struct warden_serve_screen *s, const char *body, size_t len,
                                unsigned *code, struct warden_jbuf *out)
{
    char why[256];
    json_error_t je;
    memset(&je, 0, sizeof je);
    json_t *root = body && len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    struct query q;
    int rc = 0;
    if (!root) {
        /* jansson's message quotes no input text, only its position */
        snprintf(why, sizeof why,
                 body && len ? "malformed JSON at line %d column %d"
                             : "empty body: expected {\"name\": ...}",
                 je.line, je.column);
        rc = WARDEN_EPARSE;
    } else {
        rc = parse(root, &q, why, sizeof why);
    }
    if (rc) {
        *code = 400;
        warden_jbuf_obj_open(out);
        warden_jbuf_kv_str(out, "error", why);
        warden_jbuf_obj_close(out);
        json_decref(root);
        return;
    }
    struct warden_screen_scratch *w = borrow(s);
    size_t total = 0;
    warden_jbuf_obj_open(out);
    query_json(&q, out);
    bool hit = screen_names(s, w, &q, out, &total);
    hit |= screen_domain(s, &q, out);
    if (q.has_owners) hit |= screen_ownership(s, w, &q, out);
    warden_jbuf_kv_int(out, "total", (int64_t)total);
    warden_jbuf_kv_bool(out, "match", hit);
    warden_jbuf_obj_close(out);
    give_back(s, w);
    json_decref(root);
    *code = 200;
}
