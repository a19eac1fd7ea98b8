/* registry.c — loading accounts.jsonl and orgs.jsonl into hash-indexed arrays.
 *
 * Documents are small and read once at start, so jansson parses them; every
 * field is type-checked and a bad line is reported as FILE:LINE: reason and
 * skipped. Lookups are by exact id through an open-addressing index; when
 * an id repeats, the later line wins. */
#include "registry/registry.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "io/lines.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct index {
    uint32_t *cells; /* item index + 1 */
    size_t mask;
};

struct warden_registry {
    struct warden_account *accounts;
    size_t n_accounts, cap_accounts;
    struct warden_org *orgs;
    size_t n_orgs, cap_orgs;
    struct index acct_ix, org_ix;
    size_t rejected, lines;
    struct warden_registry_reject *rejects; /* the first WARDEN_REGISTRY_MAX_REJECTS */
    size_t n_rejects;
};

static void index_build(struct index *ix, size_t n, const char *(*key)(const void *, size_t),
                        const void *items)
{
    size_t sz = 16;
    while (sz < n * 2 + 2) sz <<= 1;
    ix->cells = warden_xcalloc(sz, sizeof(uint32_t));
    ix->mask = sz - 1;
    for (size_t i = 0; i < n; i++) {
        const char *k = key(items, i);
        size_t pos = (size_t)warden_hash64(k, strlen(k)) & ix->mask;
        while (ix->cells[pos]) {
            if (strcmp(key(items, ix->cells[pos] - 1), k) == 0) break;
            pos = (pos + 1) & ix->mask;
        }
        ix->cells[pos] = (uint32_t)(i + 1); /* later duplicates replace earlier */
    }
}

static const char *acct_key(const void *items, size_t i)
{
    return ((const struct warden_account *)items)[i].account_id;
}

static const char *org_key(const void *items, size_t i)
{
    return ((const struct warden_org *)items)[i].org_id;
}

static long index_find(const struct index *ix, const char *id, size_t n,
                       const char *(*key)(const void *, size_t), const void *items)
{
    if (!ix->cells) return -1;
    size_t pos = (size_t)warden_hash64(id, n) & ix->mask;
    while (ix->cells[pos]) {
        const char *k = key(items, ix->cells[pos] - 1);
        if (strlen(k) == n && memcmp(k, id, n) == 0) return (long)ix->cells[pos] - 1;
        pos = (pos + 1) & ix->mask;
    }
    return -1;
}

static void report(struct warden_registry *r, const char *file, uint64_t line, const char *why)
{
    r->rejected++;
    warden_warn("%s:%llu: %s (line skipped)", file, (unsigned long long)line, why);
    if (r->n_rejects == WARDEN_REGISTRY_MAX_REJECTS) return;
    if (!r->rejects) r->rejects = warden_xcalloc(WARDEN_REGISTRY_MAX_REJECTS, sizeof *r->rejects);
    r->rejects[r->n_rejects++] =
        (struct warden_registry_reject){warden_xstrdup(file), line, warden_xstrdup(why)};
}

/* Optional string field: NULL when absent or null; -1 on wrong type. */
static int opt_str(json_t *o, const char *k, char **out, char *why, size_t wl)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) {
        snprintf(why, wl, "field '%s': expected a string", k);
        return -1;
    }
    *out = warden_xstrdup(json_string_value(v));
    return 0;
}

/* An identifier: a non-empty string, or a JSON integer (a database's numeric
 * key), whose digits are the id as if quoted (as events read it). NULL when
 * v is neither. */
static char *id_text(json_t *v)
{
    if (json_is_string(v) && json_string_length(v) > 0) return warden_xstrdup(json_string_value(v));
    if (json_is_integer(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return warden_xstrdup(buf);
    }
    return NULL;
}

/* An optional identifier (id_text), absent when null. */
static int opt_id(json_t *o, const char *k, char **out, char *why, size_t wl)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!(*out = id_text(v))) {
        snprintf(why, wl, "field '%s': expected a string", k);
        return -1;
    }
    return 0;
}

static int opt_country(json_t *o, const char *k, char out[3], char *why, size_t wl)
{
    json_t *v = json_object_get(o, k);
    out[0] = '\0';
    if (!v || json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 2 || !((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z') ||
        !((s[1] | 32) >= 'a' && (s[1] | 32) <= 'z')) {
        snprintf(why, wl, "field '%s': expected an ISO 3166-1 alpha-2 code", k);
        return -1;
    }
    out[0] = (char)(s[0] & ~32);
    out[1] = (char)(s[1] & ~32);
    out[2] = '\0';
    return 0;
}

static void free_account(struct warden_account *a)
{
    free(a->account_id);
    free(a->org_id);
    free(a->payment_fingerprint);
    free(a->email_domain);
    free(a->program);
}

static void free_org(struct warden_org *o)
{
    free(o->org_id);
    free(o->name);
    for (size_t i = 0; i < o->n_aliases; i++) free(o->aliases[i]);
    free(o->aliases);
    free(o->domain);
    free(o->address);
    for (size_t i = 0; i < o->n_owners; i++) {
        free(o->owners[i].org_id);
        free(o->owners[i].name);
    }
    free(o->owners);
}

/* A sign-up date without a time (YYYY-MM-DD, as customer databases export
 * a date column): midnight UTC of that day. 0, or -1 when s is not one. */
static int created_date(const char *s, size_t n, int64_t *ms)
{
    if (n != 10 || s[4] != '-' || s[7] != '-') return -1;
    char full[32];
    snprintf(full, sizeof full, "%.10sT00:00:00Z", s);
    return warden_ts_parse(full, strlen(full), ms) ? -1 : 0;
}

static int parse_account(json_t *o, struct warden_account *a, char *why, size_t wl)
{
    memset(a, 0, sizeof *a);
    a->created_at_ms = INT64_MIN;
    json_t *id = json_object_get(o, "account_id");
    if (!id) {
        snprintf(why, wl, "missing required field 'account_id'");
        return -1;
    }
    if (!(a->account_id = id_text(id))) {
        snprintf(why, wl, "field 'account_id': expected a non-empty string");
        return -1;
    }
    if (opt_id(o, "org_id", &a->org_id, why, wl) ||
        opt_str(o, "payment_fingerprint", &a->payment_fingerprint, why, wl) ||
        opt_str(o, "email_domain", &a->email_domain, why, wl) ||
        opt_str(o, "program", &a->program, why, wl) ||
        opt_country(o, "billing_country", a->billing_country, why, wl) ||
        opt_country(o, "card_country", a->card_country, why, wl))
        return -1;
    json_t *v = json_object_get(o, "created_at");
    if (v && !json_is_null(v)) {
        double d = json_is_real(v) ? json_real_value(v) : 0;
        if (json_is_integer(v)) {
            a->created_at_ms = json_integer_value(v);
        } else if (json_is_real(v) && d > -9.2e18 && d < 9.2e18) {
            a->created_at_ms = (int64_t)floor(d); /* epoch ms through floating point */
        } else if (json_is_string(v)) {
            bool naive;
            if (created_date(json_string_value(v), json_string_length(v), &a->created_at_ms) &&
                warden_ts_parse_lenient(json_string_value(v), json_string_length(v),
                                        &a->created_at_ms, &naive)) {
                snprintf(why, wl,
                         "field 'created_at': not an RFC 3339 timestamp (or a YYYY-MM-DD date)");
                return -1;
            }
        } else {
            snprintf(why, wl, "field 'created_at': expected a timestamp");
            return -1;
        }
    }
    v = json_object_get(o, "signup_ip");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) ||
            warden_ip_parse_peer(&a->signup_ip, json_string_value(v), json_string_length(v))) {
            snprintf(why, wl, "field 'signup_ip': not an IP address");
            return -1;
        }
        a->has_signup_ip = true;
    }
    v = json_object_get(o, "reseller");
    if (v && !json_is_null(v)) {
        if (!json_is_boolean(v)) {
            snprintf(why, wl, "field 'reseller': expected a boolean");
            return -1;
        }
        a->reseller = json_is_true(v);
    }
    return 0;
}

static int parse_org(json_t *o, struct warden_org *g, char *why, size_t wl)
{
    memset(g, 0, sizeof *g);
    json_t *id = json_object_get(o, "org_id"), *name = json_object_get(o, "name");
    if (!id || !(g->org_id = id_text(id))) {
        snprintf(why, wl,
                 id ? "field 'org_id': expected a non-empty string"
                    : "missing required field 'org_id'");
        return -1;
    }
    if (!name || !json_is_string(name)) {
        snprintf(why, wl,
                 name ? "field 'name': expected a string" : "missing required field 'name'");
        return -1;
    }
    g->name = warden_xstrdup(json_string_value(name));
    if (opt_str(o, "domain", &g->domain, why, wl) || opt_str(o, "address", &g->address, why, wl) ||
        opt_country(o, "country", g->country, why, wl))
        return -1;
    json_t *al = json_object_get(o, "aliases");
    if (al && !json_is_null(al)) {
        if (!json_is_array(al)) {
            snprintf(why, wl, "field 'aliases': expected an array of strings");
            return -1;
        }
        g->aliases = warden_xcalloc(json_array_size(al) + 1, sizeof(char *));
        for (size_t i = 0; i < json_array_size(al); i++) {
            json_t *s = json_array_get(al, i);
            if (!json_is_string(s)) {
                snprintf(why, wl, "field 'aliases': item %zu is not a string", i);
                return -1;
            }
            g->aliases[g->n_aliases++] = warden_xstrdup(json_string_value(s));
        }
    }
    json_t *ow = json_object_get(o, "owners");
    if (ow && !json_is_null(ow)) {
        if (!json_is_array(ow)) {
            snprintf(why, wl, "field 'owners': expected an array of objects");
            return -1;
        }
        g->owners = warden_xcalloc(json_array_size(ow) + 1, sizeof *g->owners);
        for (size_t i = 0; i < json_array_size(ow); i++) {
            json_t *x = json_array_get(ow, i);
            struct warden_owner *w = &g->owners[g->n_owners];
            json_t *oid = json_object_get(x, "org_id"), *on = json_object_get(x, "name"),
                   *sh = json_object_get(x, "share");
            if (!json_is_object(x) ||
                (!json_is_string(oid) && !json_is_integer(oid) && !json_is_string(on)) ||
                !json_is_number(sh)) {
                snprintf(why, wl,
                         "field 'owners': item %zu needs \"org_id\" or \"name\" and a numeric "
                         "\"share\"",
                         i);
                return -1;
            }
            double share = json_number_value(sh);
            if (share < 0 || share > 100) {
                snprintf(why, wl, "field 'owners': item %zu share %g is not within 0..100", i,
                         share);
                return -1;
            }
            w->org_id = oid ? id_text(oid) : NULL;
            w->name = json_is_string(on) ? warden_xstrdup(json_string_value(on)) : NULL;
            w->share = share;
            g->n_owners++;
        }
    }
    return 0;
}

typedef int (*parse_fn)(json_t *, void *, char *, size_t);

static int load_file(struct warden_registry *r, const char *path, bool is_org, char *err,
                     size_t errlen)
{
    struct warden_lines *lr;
    int rc = warden_lines_open(&lr, path, 0, err, errlen);
    if (rc) return rc;
    char *line;
    size_t len;
    uint64_t lineno;
    bool too_long;
    char why[256];
    size_t before = r->rejected, good0 = is_org ? r->n_orgs : r->n_accounts;
    while ((rc = warden_lines_next(lr, &line, &len, &lineno, &too_long)) == 1) {
        if (too_long) {
            r->lines++;
            report(r, path, lineno, "line too long");
            continue;
        }
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k == len) continue; /* blank lines are allowed between records */
        r->lines++;
        json_error_t je;
        json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
        if (!o || !json_is_object(o)) {
            snprintf(why, sizeof why, o ? "not a JSON object" : "invalid JSON: %s", je.text);
            report(r, path, lineno, why);
            json_decref(o);
            continue;
        }
        if (is_org) {
            if (r->n_orgs == r->cap_orgs) {
                r->cap_orgs = r->cap_orgs ? r->cap_orgs * 2 : 256;
                r->orgs = warden_xrealloc(r->orgs, r->cap_orgs * sizeof *r->orgs);
            }
            if (parse_org(o, &r->orgs[r->n_orgs], why, sizeof why)) {
                free_org(&r->orgs[r->n_orgs]);
                report(r, path, lineno, why);
            } else {
                r->n_orgs++;
            }
        } else {
            if (r->n_accounts == r->cap_accounts) {
                r->cap_accounts = r->cap_accounts ? r->cap_accounts * 2 : 256;
                r->accounts = warden_xrealloc(r->accounts, r->cap_accounts * sizeof *r->accounts);
            }
            if (parse_account(o, &r->accounts[r->n_accounts], why, sizeof why)) {
                free_account(&r->accounts[r->n_accounts]);
                report(r, path, lineno, why);
            } else {
                r->n_accounts++;
            }
        }
        json_decref(o);
    }
    warden_lines_close(lr);
    if (rc < 0) {
        snprintf(err, errlen, "%s: read error", path);
        return rc;
    }
    size_t good = (is_org ? r->n_orgs : r->n_accounts) - good0;
    if (good == 0 && r->rejected > before) {
        /* every line rejected: a CSV or a JSON array, not JSON lines */
        snprintf(err, errlen,
                 "%s: not one good %s record in %zu line(s): wrong file or format? (JSON lines, "
                 "one object per line: docs/formats.md)",
                 path, is_org ? "organisation" : "account", r->rejected - before);
        return WARDEN_EPARSE;
    }
    return 0;
}

int warden_registry_load(struct warden_registry **out, const char *accounts_path,
                         const char *orgs_path, char *err, size_t errlen)
{
    struct warden_registry *r = warden_xcalloc(1, sizeof *r);
    int rc = 0;
    if (orgs_path && (rc = load_file(r, orgs_path, true, err, errlen))) goto out;
    if (accounts_path && (rc = load_file(r, accounts_path, false, err, errlen))) goto out;
    index_build(&r->org_ix, r->n_orgs, org_key, r->orgs);
    index_build(&r->acct_ix, r->n_accounts, acct_key, r->accounts);
    for (size_t i = 0; i < r->n_accounts; i++) {
        struct warden_account *a = &r->accounts[i];
        if (a->org_id) a->org = warden_registry_org(r, a->org_id, strlen(a->org_id));
    }
out:
    if (rc) {
        warden_registry_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void warden_registry_free(struct warden_registry *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_accounts; i++) free_account(&r->accounts[i]);
    for (size_t i = 0; i < r->n_orgs; i++) free_org(&r->orgs[i]);
    free(r->accounts);
    free(r->orgs);
    free(r->acct_ix.cells);
    free(r->org_ix.cells);
    for (size_t i = 0; i < r->n_rejects; i++) {
        free(r->rejects[i].file);
        free(r->rejects[i].reason);
    }
    free(r->rejects);
    free(r);
}

const struct warden_registry_reject *warden_registry_rejects(const struct warden_registry *r,
                                                             size_t *n)
{
    *n = r->n_rejects;
    return r->rejects;
}

void warden_registry_stats(const struct warden_registry *r, struct warden_registry_stats *st)
{
    st->accounts = r->n_accounts;
    st->orgs = r->n_orgs;
    st->rejected_lines = r->rejected;
    st->lines = r->lines;
}

const struct warden_account *warden_registry_account(const struct warden_registry *r,
                                                     const char *id, size_t n)
{
    long i = index_find(&r->acct_ix, id, n, acct_key, r->accounts);
    return i < 0 ? NULL : &r->accounts[i];
}

const struct warden_org *warden_registry_org(const struct warden_registry *r, const char *id,
                                             size_t n)
{
    long i = index_find(&r->org_ix, id, n, org_key, r->orgs);
    return i < 0 ? NULL : &r->orgs[i];
}

size_t warden_registry_n_orgs(const struct warden_registry *r)
{
    return r->n_orgs;
}

const struct warden_org *warden_registry_org_at(const struct warden_registry *r, size_t i)
{
    return i < r->n_orgs ? &r->orgs[i] : NULL;
}

size_t warden_registry_n_accounts(const struct warden_registry *r)
{
    return r->n_accounts;
}

const struct warden_account *warden_registry_account_at(const struct warden_registry *r, size_t i)
{
    return i < r->n_accounts ? &r->accounts[i] : NULL;
}
