/* console.c — the cases API: routing, logins and roles, query and body
 * validation, answers (see console.h). */
#include "serve/console.h"
#include "core/error.h"
#include "core/ip.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "registry/registry.h"
#include "serve/auth.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct warden_console {
    struct warden_review *db;
    struct warden_auth *auth;
    struct warden_registry *reg; /* may be NULL */
    struct warden_review_allow *allow;
    warden_console_apply_fn apply;
    warden_console_policy_fn policy;
    void *ctx;
};

static void load_allow(void *ctx, const char *account_id, const char *reason)
{
    warden_review_allow_add(ctx, account_id, reason);
}

int warden_console_new(struct warden_console **out, const struct warden_serve_conf *c,
                       const char *admin_token, warden_console_apply_fn apply,
                       warden_console_policy_fn policy, void *ctx, char *err, size_t errlen)
{
    struct warden_console *k = warden_xcalloc(1, sizeof *k);
    k->apply = apply;
    k->policy = policy;
    k->ctx = ctx;
    k->allow = warden_review_allow_new();
    int rc = warden_auth_new(&k->auth, c, admin_token, err, errlen);
    if (!rc && warden_auth_count(k->auth) == 0) {
        snprintf(err, errlen,
                 "cases: no logins: set analysts_env (%s) or analysts, e.g. "
                 "alice:analyst:TOKEN",
                 c->analysts_env ? c->analysts_env : "unset");
        rc = WARDEN_ECONFIG;
    }
    if (!rc) rc = warden_review_open(&k->db, c->cases, err, errlen);
    if (!rc && (c->accounts || c->orgs))
        rc = warden_registry_load(&k->reg, c->accounts, c->orgs, err, errlen);
    if (!rc) rc = warden_review_allowlist_each(k->db, load_allow, k->allow);
    if (rc) {
        warden_console_free(k);
        return rc == WARDEN_ECONFIG ? rc : WARDEN_EIO;
    }
    *out = k;
    return 0;
}

void warden_console_free(struct warden_console *k)
{
    if (!k) return;
    warden_review_close(k->db);
    warden_auth_free(k->auth);
    warden_registry_free(k->reg);
    warden_review_allow_free(k->allow);
    free(k);
}

struct warden_review_allow *warden_console_allow(struct warden_console *k)
{
    return k->allow;
}

static bool path_prefix(const char *url, const char *p)
{
    size_t n = strlen(p);
    return strncmp(url, p, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

bool warden_console_route(const char *url)
{
    static const char *const roots[] = {"/v1/cases",  "/v1/appeals", "/v1/overview", "/v1/audit",
                                        "/v1/policy", "/v1/whoami",  "/v1/clusters", NULL};
    for (size_t i = 0; roots[i]; i++)
        if (path_prefix(url, roots[i])) return true;
    return false;
}

/* ---- answers ---- */

static void fail(unsigned *code, struct warden_jbuf *out, unsigned status, const char *msg)
{
    warden_jbuf_reset(out);
    warden_jbuf_obj_open(out);
    warden_jbuf_kv_str(out, "error", msg);
    warden_jbuf_obj_close(out);
    *code = status;
}

/* A store result to a status: 0 is 200 (out already written). */
static void store_rc(unsigned *code, struct warden_jbuf *out, int rc, const char *why)
{
    if (rc == 0)
        *code = 200;
    else if (rc == WARDEN_REVIEW_STALE)
        fail(code, out, 409, "the case changed since that version: reload it and decide again");
    else if (rc == WARDEN_ENOENT)
        fail(code, out, 404, "no such case or appeal");
    else if (rc == WARDEN_EINVAL)
        fail(code, out, 400, why && *why ? why : "invalid request");
    else
        fail(code, out, 500, "cases.db could not be read or written");
}

/* ---- query arguments ---- */

struct args {
    const struct warden_console_req *q;
    char why[160];
};

static const char *arg(struct args *a, const char *name)
{
    const char *v = a->q->arg ? a->q->arg(a->q->arg_ctx, name) : NULL;
    return v && *v ? v : NULL;
}

/* An integer argument in [lo, hi]; def when absent. false (and why) when bad. */
static bool int_arg(struct args *a, const char *name, int64_t lo, int64_t hi, int64_t def,
                    int64_t *v)
{
    const char *s = arg(a, name);
    *v = def;
    if (!s) return true;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || end == s || x < lo || x > hi) {
        snprintf(a->why, sizeof a->why, "query '%s': expected a whole number from %lld to %lld",
                 name, (long long)lo, (long long)hi);
        return false;
    }
    *v = x;
    return true;
}

static bool one_of(struct args *a, const char *name, const char *const *allowed, const char **v)
{
    *v = arg(a, name);
    if (!*v) return true;
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(*v, allowed[i]) == 0) return true;
    int w = snprintf(a->why, sizeof a->why, "query '%s': expected one of", name);
    for (size_t i = 0; allowed[i] && w > 0 && (size_t)w < sizeof a->why; i++)
        w += snprintf(a->why + w, sizeof a->why - (size_t)w, " %s", allowed[i]);
    return false;
}

/* An ISO 8601 time, normalised so it compares with stored timestamps. */
static bool time_arg(struct args *a, const char *name, char *buf, const char **v)
{
    const char *s = arg(a, name);
    *v = NULL;
    if (!s) return true;
    int64_t ms;
    if (warden_ts_parse(s, strlen(s), &ms) != 0) {
        snprintf(a->why, sizeof a->why, "query '%s': expected an ISO 8601 time", name);
        return false;
    }
    *v = warden_ts_format(ms, buf);
    return true;
}

static const char *const statuses[] = {"open",      "confirmed", "dismissed",
                                       "escalated", "appealed",  NULL};
static const char *const actions[] = {"allow", "review", "throttle", "block", NULL};
static const char *const sorts[] = {"case_id", "score",  "first_action_ts", "updated_at",
                                    "events",  "action", "account_id",      NULL};
static const char *const orders[] = {"asc", "desc", NULL};
static const char *const appeal_statuses[] = {"open", "upheld", "denied", NULL};

static void list_cases(struct warden_console *k, struct args *a, unsigned *code,
                       struct warden_jbuf *out)
{
    struct warden_review_query q = {0};
    const char *order = NULL;
    char from[WARDEN_TS_STRLEN], to[WARDEN_TS_STRLEN];
    q.reason = arg(a, "reason");
    q.cluster = arg(a, "cluster");
    q.account = arg(a, "account");
    if (!one_of(a, "status", statuses, &q.status) || !one_of(a, "action", actions, &q.action) ||
        !one_of(a, "sort", sorts, &q.sort) || !one_of(a, "order", orders, &order) ||
        !time_arg(a, "from", from, &q.from) || !time_arg(a, "to", to, &q.to) ||
        !int_arg(a, "limit", 1, WARDEN_REVIEW_MAX_LIMIT, 50, &q.limit) ||
        !int_arg(a, "offset", 0, INT64_MAX / 2, 0, &q.offset))
        return fail(code, out, 400, a->why);
    q.desc = order && strcmp(order, "desc") == 0;
    store_rc(code, out, warden_review_list(k->db, &q, out), NULL);
}

/* ---- one case: the registry's view of its account and organisation ---- */

static void account_json(struct warden_jbuf *b, const struct warden_account *ac)
{
    char ts[WARDEN_TS_STRLEN], ip[WARDEN_IP_STRLEN];
    warden_jbuf_obj_open(b);
    if (ac->created_at_ms != INT64_MIN)
        warden_jbuf_kv_str(b, "created_at", warden_ts_format(ac->created_at_ms, ts));
    warden_jbuf_kv_str(b, "billing_country", ac->billing_country);
    warden_jbuf_kv_str(b, "card_country", ac->card_country);
    warden_jbuf_kv_str(b, "payment_fingerprint", ac->payment_fingerprint);
    warden_jbuf_kv_str(b, "email_domain", ac->email_domain);
    warden_jbuf_kv_str(b, "signup_ip",
                       ac->has_signup_ip ? warden_ip_format(&ac->signup_ip, ip) : NULL);
    warden_jbuf_kv_str(b, "program", ac->program);
    warden_jbuf_kv_bool(b, "reseller", ac->reseller);
    warden_jbuf_obj_close(b);
}

/* "key": [strings] */
static void kv_strs(struct warden_jbuf *b, const char *key, char *const *v, size_t n)
{
    warden_jbuf_key(b, key);
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < n; i++) warden_jbuf_cstr(b, v[i]);
    warden_jbuf_arr_close(b);
}

static void org_json(struct warden_jbuf *b, const struct warden_org *o)
{
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "org_id", o->org_id);
    warden_jbuf_kv_str(b, "name", o->name);
    kv_strs(b, "aliases", o->aliases, o->n_aliases);
    warden_jbuf_kv_str(b, "country", o->country);
    warden_jbuf_kv_str(b, "domain", o->domain);
    warden_jbuf_obj_close(b);
}

static void case_extra(void *ctx, const char *account_id, const char *org_id,
                       struct warden_jbuf *out)
{
    const struct warden_registry *reg = ctx;
    const struct warden_account *ac =
        reg ? warden_registry_account(reg, account_id, strlen(account_id)) : NULL;
    if (!org_id && ac) org_id = ac->org_id;
    const struct warden_org *o =
        reg && org_id ? warden_registry_org(reg, org_id, strlen(org_id)) : NULL;
    warden_jbuf_key(out, "account");
    if (ac)
        account_json(out, ac);
    else
        warden_jbuf_null(out);
    warden_jbuf_key(out, "org");
    if (o)
        org_json(out, o);
    else
        warden_jbuf_null(out);
}

/* The cluster as a graph: its accounts (cases sharing the cluster id), the
 * link detector's record of it (clusters table: every member, edges by
 * kind) and the identifiers two or more of them share in the registry
 * (payment fingerprint, sign-up address). */
static void cluster(struct warden_console *k, const char *id, unsigned *code,
                    struct warden_jbuf *out)
{
    struct warden_jbuf members;
    warden_jbuf_init(&members);
    int rc = warden_review_cluster(k->db, id, &members);
    if (rc) {
        warden_jbuf_fini(&members);
        return store_rc(code, out, rc, NULL);
    }
    json_t *arr = json_loads(warden_jbuf_str(&members), 0, NULL);
    size_t n = json_array_size(arr);
    if (n == 0) {
        json_decref(arr);
        warden_jbuf_fini(&members);
        return fail(code, out, 404, "no cases in that cluster");
    }
    warden_jbuf_obj_open(out);
    warden_jbuf_kv_str(out, "cluster_id", id);
    /* how the link detector joined it: members (also those without a case),
     * edges by kind, score, the cluster's action */
    warden_jbuf_key(out, "record");
    rc = warden_review_cluster_record(k->db, id, out);
    if (rc) {
        json_decref(arr);
        warden_jbuf_fini(&members);
        return store_rc(code, out, rc, NULL);
    }
    warden_jbuf_key(out, "accounts");
    warden_jbuf_json(out, warden_jbuf_str(&members));
    warden_jbuf_key(out, "links");
    warden_jbuf_arr_open(out);
    /* pairs (i, j) sharing an identifier: n is at most 200 */
    for (size_t i = 0; k->reg && i < n; i++) {
        const char *ai = json_string_value(json_object_get(json_array_get(arr, i), "account_id"));
        const struct warden_account *x =
            ai ? warden_registry_account(k->reg, ai, strlen(ai)) : NULL;
        if (!x) continue;
        char ipx[WARDEN_IP_STRLEN];
        if (x->payment_fingerprint) {
            warden_jbuf_obj_open(out);
            warden_jbuf_kv_str(out, "account_id", ai);
            warden_jbuf_kv_str(out, "kind", "payment_fingerprint");
            warden_jbuf_kv_str(out, "value", x->payment_fingerprint);
            warden_jbuf_obj_close(out);
        }
        if (x->has_signup_ip) {
            warden_jbuf_obj_open(out);
            warden_jbuf_kv_str(out, "account_id", ai);
            warden_jbuf_kv_str(out, "kind", "signup_ip");
            warden_jbuf_kv_str(out, "value", warden_ip_format(&x->signup_ip, ipx));
            warden_jbuf_obj_close(out);
        }
    }
    warden_jbuf_arr_close(out);
    warden_jbuf_obj_close(out);
    json_decref(arr);
    warden_jbuf_fini(&members);
    *code = 200;
}

void warden_console_policy_json(const struct warden_policy *p, struct warden_jbuf *j)
{
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_str(j, "path", p->path);
    warden_jbuf_kv_str(j, "sha256", p->sha256);
    warden_jbuf_kv_bool(j, "shadow", p->shadow);
    kv_strs(j, "restricted", p->restricted.v, p->restricted.n);
    warden_jbuf_kv_str(j, "restricted_ip_action", warden_action_name(p->restricted_ip_action));
    warden_jbuf_kv_str(j, "restricted_billing_action",
                       warden_action_name(p->restricted_billing_action));
    warden_jbuf_key(j, "rules");
    warden_jbuf_arr_open(j);
    for (size_t i = 0; i < p->n_rules; i++) {
        warden_jbuf_obj_open(j);
        warden_jbuf_kv_str(j, "code", p->rules[i].code);
        warden_jbuf_kv_num(j, "min_score", p->rules[i].min_score);
        warden_jbuf_kv_str(j, "action", warden_action_name(p->rules[i].action));
        /* response controls passed to the gateway while the rule applies */
        warden_jbuf_kv_bool(j, "strip_reasoning", p->rules[i].strip_reasoning);
        warden_jbuf_kv_int(j, "max_tokens", p->rules[i].max_tokens);
        warden_jbuf_obj_close(j);
    }
    warden_jbuf_arr_close(j);
    warden_jbuf_key(j, "allowlists");
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_int(j, "accounts", (int64_t)p->allow_accounts.n);
    warden_jbuf_kv_int(j, "orgs", (int64_t)p->allow_orgs.n);
    warden_jbuf_kv_int(j, "networks", (int64_t)p->allow_networks.n);
    warden_jbuf_kv_int(j, "review", (int64_t)warden_review_allow_count(p->review_allow));
    warden_jbuf_obj_close(j);
    warden_jbuf_obj_close(j);
}

/* ---- bodies ---- */

/* A positive id from a path segment [s, s+n). */
static bool parse_id(const char *s, size_t n, int64_t *id)
{
    if (n == 0 || n > 18) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *id = v;
    return v > 0;
}

struct body {
    json_t *root;
    const char *verb, *note;
    int64_t version;
    const char *allow[WARDEN_REVIEW_MAX_REASONS];
    size_t n_allow;
    bool all_reasons;
};

/* Parse {decision|…, version, note|text|statement, allowlist} as the
 * endpoint needs: text_key names the text field. false with why. */
static bool parse_body(const struct warden_console_req *q, struct body *b, bool want_verb,
                       bool want_version, const char *text_key, char *why, size_t whylen)
{
    memset(b, 0, sizeof *b);
    json_error_t je;
    if (!q->body || q->len == 0) {
        snprintf(why, whylen, "a JSON object body is required");
        return false;
    }
    b->root = json_loadb(q->body, q->len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(b->root)) {
        snprintf(why, whylen, "body: not a JSON object%s%s", b->root ? "" : ": ",
                 b->root ? "" : je.text);
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(b->root, key, v)
    {
        if (want_verb && strcmp(key, "decision") == 0) {
            if (!json_is_string(v)) goto type;
            b->verb = json_string_value(v);
        } else if (want_version && strcmp(key, "version") == 0) {
            if (!json_is_integer(v)) goto type;
            b->version = json_integer_value(v);
        } else if (strcmp(key, text_key) == 0) {
            if (!json_is_string(v)) goto type;
            b->note = json_string_value(v);
        } else if (want_verb && strcmp(key, "allowlist") == 0) {
            if (json_is_boolean(v)) {
                b->all_reasons = json_is_true(v);
            } else if (json_is_array(v)) {
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e)
                {
                    if (!json_is_string(e) || b->n_allow == WARDEN_REVIEW_MAX_REASONS) goto type;
                    b->allow[b->n_allow++] = json_string_value(e);
                }
            } else {
                goto type;
            }
        } else {
            snprintf(why, whylen, "body: unknown field '%.64s'", key);
            return false;
        }
        continue;
    type:
        snprintf(why, whylen, "field '%.64s': wrong type", key);
        return false;
    }
    if (want_verb && !b->verb) {
        snprintf(why, whylen, "missing required field 'decision'");
        return false;
    }
    if (want_version && !json_object_get(b->root, "version")) {
        snprintf(why, whylen, "missing required field 'version'");
        return false;
    }
    return true;
}

static void decision_answer(struct warden_console *k, const struct warden_review_outcome *o,
                            unsigned *code, struct warden_jbuf *out)
{
    if (o->lifted && k->apply) k->apply(k->ctx, o);
    warden_jbuf_obj_open(out);
    warden_jbuf_kv_int(out, "case_id", o->case_id);
    warden_jbuf_kv_int(out, "version", o->version);
    warden_jbuf_kv_bool(out, "lifted", o->lifted);
    char *allowed[WARDEN_REVIEW_MAX_REASONS];
    for (size_t i = 0; i < o->n_allowed; i++) allowed[i] = (char *)o->allowed[i];
    kv_strs(out, "allowlisted", allowed, o->n_allowed);
    warden_jbuf_obj_close(out);
    *code = 200;
}

/* POST /v1/cases/ID/{decision,notes,appeals} and /v1/appeals/ID/decision */
static void write_op(struct warden_console *k, const struct warden_console_req *q,
                     const struct warden_principal *p, bool appeal, int64_t id, const char *op,
                     unsigned *code, struct warden_jbuf *out)
{
    char why[256] = "";
    struct body b;
    bool decision = strcmp(op, "decision") == 0;
    bool note = !appeal && strcmp(op, "notes") == 0;
    bool open = !appeal && strcmp(op, "appeals") == 0;
    if (!decision && !note && !open) return fail(code, out, 404, "no such endpoint");
    if (!parse_body(q, &b, decision, !note,
                    note   ? "text"
                    : open ? "statement"
                           : "note",
                    why, sizeof why)) {
        json_decref(b.root);
        return fail(code, out, 400, why);
    }
    struct warden_review_decision d = {
        p->name, id, b.version, b.verb, b.note, b.allow, b.n_allow, b.all_reasons,
    };
    struct warden_review_outcome o;
    int rc;
    if (note) {
        rc = warden_review_note(k->db, id, p->name, b.note, why, sizeof why);
        if (rc == 0) {
            warden_jbuf_obj_open(out);
            warden_jbuf_kv_int(out, "case_id", id);
            warden_jbuf_obj_close(out);
            *code = 201;
        } else {
            store_rc(code, out, rc, why);
        }
    } else if (open) {
        int64_t appeal_id = 0;
        rc = warden_review_appeal(k->db, &d, &appeal_id, why, sizeof why);
        if (rc == 0) {
            warden_jbuf_obj_open(out);
            warden_jbuf_kv_int(out, "appeal_id", appeal_id);
            warden_jbuf_kv_int(out, "case_id", id);
            warden_jbuf_kv_int(out, "version", 1);
            warden_jbuf_obj_close(out);
            *code = 201;
        } else {
            store_rc(code, out, rc, why);
        }
    } else {
        rc = appeal ? warden_review_decide_appeal(k->db, &d, &o, why, sizeof why)
                    : warden_review_decide(k->db, &d, &o, why, sizeof why);
        if (rc == 0)
            decision_answer(k, &o, code, out);
        else
            store_rc(code, out, rc, why);
    }
    json_decref(b.root);
}

/* ---- routing ---- */

void warden_console_handle(struct warden_console *k, const struct warden_console_req *q,
                           unsigned *code, struct warden_jbuf *out)
{
    struct warden_principal p;
    if (!warden_auth_check(k->auth, q->authorization, &p))
        return fail(code, out, 401, "missing or wrong bearer token");
    bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    bool post = strcmp(q->method, "POST") == 0;
    struct args a = {q, ""};
    const char *u = q->url;
    if (strcmp(u, "/v1/whoami") == 0) {
        if (!get) return fail(code, out, 405, "use GET");
        warden_jbuf_obj_open(out);
        warden_jbuf_kv_str(out, "principal", p.name);
        warden_jbuf_kv_str(out, "role", warden_role_name(p.role));
        warden_jbuf_obj_close(out);
        *code = 200;
        return;
    }
    if (strcmp(u, "/v1/overview") == 0) {
        if (!get) return fail(code, out, 405, "use GET");
        return store_rc(code, out, warden_review_overview(k->db, out), NULL);
    }
    if (strcmp(u, "/v1/policy") == 0) {
        if (!get) return fail(code, out, 405, "use GET");
        k->policy(k->ctx, out);
        *code = 200;
        return;
    }
    if (strcmp(u, "/v1/audit") == 0) {
        int64_t case_id, limit, offset;
        if (!get) return fail(code, out, 405, "use GET");
        if (!int_arg(&a, "case_id", 1, INT64_MAX / 2, 0, &case_id) ||
            !int_arg(&a, "limit", 1, WARDEN_REVIEW_MAX_LIMIT, 100, &limit) ||
            !int_arg(&a, "offset", 0, INT64_MAX / 2, 0, &offset))
            return fail(code, out, 400, a.why);
        return store_rc(code, out, warden_review_audit(k->db, case_id, limit, offset, out), NULL);
    }
    if (path_prefix(u, "/v1/clusters")) {
        const char *id = u + strlen("/v1/clusters");
        if (!get) return fail(code, out, 405, "use GET");
        if (*id != '/' || !id[1]) return fail(code, out, 404, "name a cluster: /v1/clusters/ID");
        return cluster(k, id + 1, code, out);
    }
    bool appeals = path_prefix(u, "/v1/appeals");
    const char *rest = u + strlen(appeals ? "/v1/appeals" : "/v1/cases");
    if (*rest == '\0') { /* the collection */
        if (!get) return fail(code, out, 405, "use GET");
        if (!appeals) return list_cases(k, &a, code, out);
        const char *status;
        int64_t limit, offset;
        if (!one_of(&a, "status", appeal_statuses, &status) ||
            !int_arg(&a, "limit", 1, WARDEN_REVIEW_MAX_LIMIT, 50, &limit) ||
            !int_arg(&a, "offset", 0, INT64_MAX / 2, 0, &offset))
            return fail(code, out, 400, a.why);
        return store_rc(code, out, warden_review_appeals(k->db, status, limit, offset, out), NULL);
    }
    /* /ID or /ID/OP */
    const char *seg = rest + 1, *slash = strchr(seg, '/');
    int64_t id;
    if (!parse_id(seg, slash ? (size_t)(slash - seg) : strlen(seg), &id))
        return fail(code, out, 404, appeals ? "no such appeal" : "no such case");
    if (!slash) {
        if (appeals) return fail(code, out, 404, "no such endpoint");
        if (!get) return fail(code, out, 405, "use GET");
        return store_rc(code, out, warden_review_case(k->db, id, case_extra, k->reg, out), NULL);
    }
    if (!post) return fail(code, out, 405, "use POST");
    if (p.role < WARDEN_ROLE_ANALYST)
        return fail(code, out, 403, "role viewer: read-only (analyst or admin needed)");
    write_op(k, q, &p, appeals, id, slash + 1, code, out);
}
