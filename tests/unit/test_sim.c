/* test_sim.c — `warden sim`: the same seed gives byte-identical files, a
 * different seed does not, and every line of every file has the fields and
 * types of formats.md §1-3 and §6 (checked with jansson). Also: held-out
 * corpora are not loaded, listed names get realistic variants, and the
 * country files of data/sim load (and a bad line is refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/error.h"
#include "core/ip.h"
#include "sim/corpus.h"
#include "sim/netpool.h"
#include "sim/parties.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/world.h"

static const char *const restricted[] = {"CU", "IR", "KP", "SY", "RU", "BY", "CN"};

static char *tmpdir(const char *name)
{
    const char *t = getenv("WARDEN_TMP");
    char *p = NULL;
    if (asprintf(&p, "%s/%s", t ? t : "/tmp", name) < 0) abort();
    return p;
}

static const char *shared(void)
{
    struct stat st;
    return stat("../shared/data", &st) == 0 ? "../shared" : NULL;
}

static void sim_in(const char *scenario, const char *out, uint64_t seed, long accounts, int days,
                   struct warden_sim_stats *st)
{
    struct warden_sim_opts o;
    memset(&o, 0, sizeof o);
    o.scenario = scenario;
    o.seed = seed;
    o.out_dir = out;
    o.accounts = accounts;
    o.days = days;
    o.start_ms = 1791158400000LL; /* 2026-10-05 */
    o.data_dir = "data";
    o.shared_dir = shared();
    o.restricted = restricted;
    o.nrestricted = 7;
    assert_int_equal(warden_sim_run(&o, st), 0);
}

static void run_sim(const char *out, uint64_t seed)
{
    struct warden_sim_stats st;
    sim_in("demo", out, seed, 90, 3, &st);
    assert_true(st.events > 200);
    assert_true(st.accounts >= 90);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0) abort();
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    free(path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *const files[] = {"events.jsonl", "accounts.jsonl", "orgs.jsonl", "truth.jsonl"};

static void test_deterministic(void **state)
{
    (void)state;
    char *a = tmpdir("sim_a"), *b = tmpdir("sim_b"), *c = tmpdir("sim_c");
    run_sim(a, 42);
    run_sim(b, 42);
    run_sim(c, 43);
    for (int i = 0; i < 4; i++) {
        size_t la, lb, lc;
        char *x = slurp(a, files[i], &la), *y = slurp(b, files[i], &lb),
             *z = slurp(c, files[i], &lc);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
        assert_true(la != lc || memcmp(x, z, la) != 0);
        free(x);
        free(y);
        free(z);
    }
    free(a);
    free(b);
    free(c);
}

/* ---- format validation ---- */

static bool is_rfc3339(const char *s)
{
    int y, mo, d, h, mi;
    double sec;
    char z = 0;
    return sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%c", &y, &mo, &d, &h, &mi, &sec, &z) == 7 &&
           z == 'Z' && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60;
}

static bool is_cc(json_t *v)
{
    const char *s = json_string_value(v);
    return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static bool is_ip(json_t *v)
{
    struct warden_ip ip;
    const char *s = json_string_value(v);
    return s && warden_ip_parse(&ip, s, strlen(s)) == 0;
}

struct spec {
    const char *key;
    char type; /* s string, i integer, b bool, t timestamp, c country, p ip, a array, n number */
    bool required;
};

static const struct spec event_spec[] = {
    {"ts", 't', true},
    {"account_id", 's', true},
    {"ip", 'p', true},
    {"request_id", 's', false},
    {"org_id", 's', false},
    {"api_key_id", 's', false},
    {"end_user", 's', false},
    {"user_agent", 's', false},
    {"tls_ja4", 's', false},
    {"client_tz", 's', false},
    {"client_locale", 's', false},
    {"model", 's', false},
    {"endpoint", 's', false},
    {"system", 's', false},
    {"prompt", 's', false},
    {"turns", 'i', false},
    {"thinking", 'b', false},
    {"max_tokens", 'i', false},
    {"input_tokens", 'i', false},
    {"output_tokens", 'i', false},
    {"cache_read_tokens", 'i', false},
    {"tools", 'i', false},
    {"status", 'i', false},
    {NULL, 0, false},
};
static const struct spec account_spec[] = {
    {"account_id", 's', true},
    {"org_id", 's', false},
    {"created_at", 't', false},
    {"billing_country", 'c', false},
    {"card_country", 'c', false},
    {"payment_fingerprint", 's', false},
    {"email_domain", 's', false},
    {"signup_ip", 'p', false},
    {"program", 's', false},
    {"reseller", 'b', false},
    {NULL, 0, false},
};
static const struct spec org_spec[] = {
    {"org_id", 's', true},   {"name", 's', true},    {"aliases", 'a', false},
    {"country", 'c', false}, {"domain", 's', false}, {"address", 's', false},
    {"owners", 'a', false},  {NULL, 0, false},
};
static const struct spec truth_spec[] = {
    {"account_id", 's', true}, {"label", 's', true},  {"kind", 's', false},
    {"cluster", 's', false},   {"tells", 'a', false}, {NULL, 0, false},
};

static void check_obj(json_t *o, const struct spec *sp, const char *what, size_t line)
{
    if (!json_is_object(o)) fail_msg("%s:%zu: not an object", what, line);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const struct spec *s = sp;
        while (s->key && strcmp(s->key, k) != 0) s++;
        if (!s->key) fail_msg("%s:%zu: field %s is not in formats.md", what, line, k);
    }
    for (const struct spec *s = sp; s->key; s++) {
        v = json_object_get(o, s->key);
        if (!v) {
            if (s->required) fail_msg("%s:%zu: %s missing", what, line, s->key);
            continue;
        }
        bool ok = false;
        switch (s->type) {
        case 's':
            ok = json_is_string(v) && json_string_length(v) > 0;
            break;
        case 'i':
            ok = json_is_integer(v) && json_integer_value(v) >= 0;
            break;
        case 'b':
            ok = json_is_boolean(v);
            break;
        case 't':
            ok = (json_is_string(v) && is_rfc3339(json_string_value(v))) || json_is_integer(v);
            break;
        case 'c':
            ok = is_cc(v);
            break;
        case 'p':
            ok = is_ip(v);
            break;
        case 'a':
            ok = json_is_array(v);
            break;
        default:
            break;
        }
        if (!ok) fail_msg("%s:%zu: field %s has the wrong type or value", what, line, s->key);
    }
}

struct idset {
    char **v;
    size_t n;
};

static void ids_add(struct idset *s, const char *id)
{
    s->v = realloc(s->v, (s->n + 1) * sizeof(char *));
    s->v[s->n++] = strdup(id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ids_has(struct idset *s, const char *id)
{
    return s->n && bsearch(&id, s->v, s->n, sizeof(char *), cmp_str) != NULL;
}

static void ids_free(struct idset *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

typedef void (*line_cb)(json_t *o, size_t line, void *ctx);

static size_t each_line(const char *dir, const char *name, const struct spec *sp, line_cb cb,
                        void *ctx)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0) abort();
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) > 0) {
        n++;
        assert_true(buf[len - 1] == '\n');
        json_error_t err;
        json_t *o = json_loadb(buf, (size_t)len, 0, &err);
        if (!o) fail_msg("%s:%zu: invalid JSON: %s", name, n, err.text);
        check_obj(o, sp, name, n);
        if (cb) cb(o, n, ctx);
        json_decref(o);
    }
    free(buf);
    fclose(f);
    free(path);
    return n;
}

struct ctx {
    struct idset accounts, orgs, truth, benign, attackers, active;
    int64_t last_ts;
    size_t labels[4];
    size_t with_tells; /* truth lines with tells (circumvention accounts) */
};

static void on_org(json_t *o, size_t line, void *p)
{
    (void)line;
    struct ctx *c = p;
    ids_add(&c->orgs, json_string_value(json_object_get(o, "org_id")));
    json_t *owners = json_object_get(o, "owners"), *w;
    size_t i;
    json_array_foreach(owners, i, w)
    {
        assert_true(json_is_object(w));
        json_t *share = json_object_get(w, "share");
        assert_true(json_is_number(share));
        assert_true(json_number_value(share) >= 0 && json_number_value(share) <= 100);
        assert_true(json_is_string(json_object_get(w, "org_id")) ||
                    json_is_string(json_object_get(w, "name")));
    }
    json_t *al = json_object_get(o, "aliases");
    json_array_foreach(al, i, w) assert_true(json_is_string(w));
}

static void on_account(json_t *o, size_t line, void *p)
{
    (void)line;
    ids_add(&((struct ctx *)p)->accounts, json_string_value(json_object_get(o, "account_id")));
}

static void on_truth(json_t *o, size_t line, void *p)
{
    (void)line;
    struct ctx *c = p;
    const char *label = json_string_value(json_object_get(o, "label"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    static const char *const labels[] = {"benign", "distillation", "restricted", "circumvention"};
    int li = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(label, labels[i]) == 0) li = i;
    assert_true(li >= 0);
    c->labels[li]++;
    assert_non_null(kind);
    assert_true(strncmp(kind, label, strlen(label)) == 0 && kind[strlen(label)] == '.');
    ids_add(&c->truth, json_string_value(json_object_get(o, "account_id")));
    json_t *tells = json_object_get(o, "tells"); /* circumvention accounts only, known names */
    if (tells) {
        assert_int_equal(li, 3);
        c->with_tells++;
        static const char *const known = " tz card email hours locale ";
        for (size_t i = 0; i < json_array_size(tells); i++) {
            char w[32];
            snprintf(w, sizeof w, " %s ", json_string_value(json_array_get(tells, i)));
            assert_non_null(strstr(known, w));
        }
    }
    if (li == 0)
        ids_add(&c->benign, json_string_value(json_object_get(o, "account_id")));
    else
        ids_add(&c->attackers, json_string_value(json_object_get(o, "account_id")));
}

static int64_t parse_ms(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int ms = 0;
    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
           &tm.tm_min, &tm.tm_sec, &ms);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

static void on_event(json_t *o, size_t line, void *p)
{
    struct ctx *c = p;
    const char *acct = json_string_value(json_object_get(o, "account_id"));
    if (!ids_has(&c->accounts, acct))
        fail_msg("events:%zu: account %s not in accounts", line, acct);
    const char *org = json_string_value(json_object_get(o, "org_id"));
    if (org && !ids_has(&c->orgs, org)) fail_msg("events:%zu: org %s not in orgs", line, org);
    if (!c->active.n || strcmp(c->active.v[c->active.n - 1], acct) != 0) ids_add(&c->active, acct);
    int64_t ts = parse_ms(json_string_value(json_object_get(o, "ts")));
    assert_true(ts >= c->last_ts); /* a gateway log is in arrival order */
    c->last_ts = ts;
    json_t *turns = json_object_get(o, "turns");
    if (turns) assert_true(json_integer_value(turns) >= 1);
}

static void test_formats(void **state)
{
    (void)state;
    char *dir = tmpdir("sim_a");
    struct ctx c;
    memset(&c, 0, sizeof c);
    each_line(dir, "orgs.jsonl", org_spec, on_org, &c);
    each_line(dir, "accounts.jsonl", account_spec, on_account, &c);
    each_line(dir, "truth.jsonl", truth_spec, on_truth, &c);
    qsort(c.accounts.v, c.accounts.n, sizeof(char *), cmp_str);
    qsort(c.orgs.v, c.orgs.n, sizeof(char *), cmp_str);
    qsort(c.truth.v, c.truth.n, sizeof(char *), cmp_str);
    /* ids are unique, and truth covers exactly the accounts */
    for (size_t i = 1; i < c.accounts.n; i++)
        assert_true(strcmp(c.accounts.v[i - 1], c.accounts.v[i]) != 0);
    for (size_t i = 1; i < c.orgs.n; i++) assert_true(strcmp(c.orgs.v[i - 1], c.orgs.v[i]) != 0);
    assert_int_equal(c.truth.n, c.accounts.n);
    for (size_t i = 0; i < c.truth.n; i++) assert_true(ids_has(&c.accounts, c.truth.v[i]));
    /* every label is present in the demo scenario */
    for (int i = 0; i < 4; i++) assert_true(c.labels[i] > 0);
    assert_true(c.with_tells > 0 && c.with_tells <= c.labels[3]);
    size_t n = each_line(dir, "events.jsonl", event_spec, on_event, &c);
    assert_true(n > 200);
    /* every attacker account shows up in the traffic */
    qsort(c.active.v, c.active.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < c.attackers.n; i++)
        if (!ids_has(&c.active, c.attackers.v[i]))
            fail_msg("attacker %s has no events", c.attackers.v[i]);
    ids_free(&c.accounts);
    ids_free(&c.orgs);
    ids_free(&c.truth);
    ids_free(&c.benign);
    ids_free(&c.attackers);
    ids_free(&c.active);
    free(dir);
}

static void test_exclude_corpus(void **state)
{
    (void)state;
    struct warden_corpus c;
    assert_int_equal(warden_corpus_load(&c, "data", NULL, NULL, 0), 0);
    size_t organic = c.n[WARDEN_CORPUS_ORGANIC];
    bool has_arena = false;
    for (unsigned i = 0; i < c.nsources; i++) has_arena |= strcmp(c.sources[i], "arena_hard") == 0;
    assert_true(has_arena);
    warden_corpus_fini(&c);
    const char *ex[] = {"arena_hard", "gsm8k"};
    assert_int_equal(warden_corpus_load(&c, "data", NULL, ex, 2), 0);
    for (unsigned i = 0; i < c.nsources; i++) {
        assert_string_not_equal(c.sources[i], "arena_hard");
        assert_string_not_equal(c.sources[i], "gsm8k");
    }
    assert_int_equal(c.n[WARDEN_CORPUS_ORGANIC], organic - 500);
    assert_int_equal(c.n[WARDEN_CORPUS_TASKSET], 0);
    warden_corpus_fini(&c);
}

static void test_name_variants(void **state)
{
    (void)state;
    struct warden_rng r;
    warden_rng_seed(&r, 5, 0);
    const char *names[] = {"BANCO NACIONAL DE CUBA", "ANGLO-CARIBBEAN CO., LTD.",
                           "KHORASAN PETROCHEMICAL JOINT STOCK COMPANY", "X"};
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 50; k++) {
            char *v = warden_name_variant(&r, names[i]);
            assert_non_null(v);
            assert_true(strlen(v) > 0);
            assert_string_not_equal(v, names[i]);
            free(v);
        }
    }
    struct warden_rng a, b;
    warden_rng_seed(&a, 9, 3);
    warden_rng_seed(&b, 9, 3);
    char *x = warden_name_variant(&a, names[2]), *y = warden_name_variant(&b, names[2]);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

/* Draws from an ISP pool geolocate to the pool's country, although database
 * networks nest more-specific networks of other countries. */
static void test_isp_pools(void **state)
{
    (void)state;
    const char *cc[] = {"SG", "DE", "KP", "RU"};
    const char *dirs[] = {"data/ipintel", "../shared/data/ipintel"};
    struct warden_netpools p;
    assert_int_equal(warden_netpools_load(&p, dirs, 2, NULL, cc, 4), 0);
    struct loc_database *db = p.loc_db;
    struct warden_rng r;
    warden_rng_seed(&r, 1, 1);
    const char *pools[] = {"res:SG", "res:DE", "res:RU", "res6:DE"};
    for (int k = 0; k < 4; k++) {
        const struct warden_netpool *np = warden_netpools_get(&p, pools[k]);
        assert_non_null(np);
        for (int i = 0; i < 300; i++) {
            struct warden_ip ip;
            warden_netpool_draw(np, &r, &ip, NULL);
            struct loc_network *n = NULL;
            assert_int_equal(loc_database_lookup(db, (const struct in6_addr *)ip.b, &n), 0);
            assert_non_null(n);
            const char *got = loc_network_get_country_code(n);
            char buf[WARDEN_IP_STRLEN];
            if (strncmp(got, np->cc, 2) != 0)
                fail_msg("%s drew %s in %s", pools[k], warden_ip_format(&ip, buf), got);
            loc_network_unref(n);
        }
    }
    warden_netpools_fini(&p);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* data/sim/countries.tsv and party_countries.tsv load; a bad row is refused. */
static void test_country_files(void **state)
{
    (void)state;
    struct warden_countries c;
    assert_int_equal(warden_countries_load(&c, "data/sim/countries.tsv"), 0);
    assert_true(c.n >= 50);
    const struct warden_country *fr = warden_country_get(&c, "FR");
    assert_non_null(fr);
    assert_string_equal(fr->tz, "Europe/Paris");
    assert_int_equal(fr->utc_offset_min, 60);
    assert_non_null(fr->mail);
    const struct warden_country *us = warden_country_get(&c, "US");
    assert_non_null(us);
    assert_null(us->mail); /* "-" */
    assert_null(warden_country_get(&c, "ZZ"));
    warden_countries_fini(&c);

    char *path = tmpdir("sim_countries.tsv");
    static const char *const bad[] = {
        "# c\nFR\tEurope/Paris\tfr-FR\t60\t4\n",                  /* 5 columns */
        "FR\tEurope/Paris\tfr-FR\t60\t4\t-\nfr\tX\tx\t0\t1\t-\n", /* lower case */
        "FR\tEurope/Paris\tfr-FR\t60x\t4\t-\n",                   /* offset */
        "FR\tEurope/Paris\tfr-FR\t60\t-1\t-\n",                   /* weight */
        "# only a comment\n",                                     /* no rows */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i]);
        assert_int_equal(warden_countries_load(&c, path), WARDEN_EPARSE);
        assert_null(c.v);
    }
    assert_int_equal(warden_countries_load(&c, "/nonexistent/countries.tsv"), WARDEN_EIO);
    remove(path);
    free(path);

    /* the party country names all have a code in data/screen/countries.tsv */
    const char *dirs[1] = {"data/lists"};
    struct warden_parties p;
    int rc = warden_parties_load(&p, dirs, 1, "data");
    assert_true(rc == 0 || rc == WARDEN_ENOENT);
    for (size_t i = 0; i < p.n; i++) assert_int_equal(strlen(p.v[i].country), 2);
    if (rc == 0) {
        /* a name on the lists, whatever its case and spacing */
        assert_true(warden_parties_listed(&p, "Petropars International FZE"));
        assert_true(warden_parties_listed(&p, "  petropars   INTERNATIONAL fze "));
        assert_false(warden_parties_listed(&p, "Petropars International Trading FZE"));
    }
    warden_parties_fini(&p);
    /* a data directory without the files is an error, not "no list" */
    assert_true(warden_parties_load(&p, dirs, 1, "/nonexistent") == WARDEN_EIO);
}

/* data/sim/roles.tsv, legal_forms.tsv and domains.tsv load; a bad row is
 * refused with its line. */
static void test_pair_files(void **state)
{
    (void)state;
    struct warden_sim_pairs p;
    assert_int_equal(warden_sim_pairs_load(&p, "data/sim/roles.tsv", WARDEN_PAIRS_ROLES), 0);
    for (size_t i = 0; i < warden_sim_nroles; i++)
        assert_non_null(warden_sim_pairs_get(&p, warden_sim_roles[i]));
    warden_sim_pairs_fini(&p);
    assert_int_equal(
        warden_sim_pairs_load(&p, "data/sim/legal_forms.tsv", WARDEN_PAIRS_LEGAL_FORMS), 0);
    assert_true(p.n > 0);
    /* a front company's name ends in a legal form of its country, or "Ltd" */
    struct warden_rng r;
    warden_rng_seed(&r, 1, 1);
    const char *cc = p.v[0].key;
    char *nm = warden_front_name(&r, "EXAMPLE TRADING LLC", cc, &p);
    bool ok = false;
    for (size_t i = 0; i < p.n; i++) {
        size_t n = strlen(nm), m = strlen(p.v[i].val);
        ok |= strcmp(p.v[i].key, cc) == 0 && n > m && strcmp(nm + n - m, p.v[i].val) == 0;
    }
    assert_true(ok);
    free(nm);
    warden_sim_pairs_fini(&p);
    assert_int_equal(warden_sim_pairs_load(&p, "data/sim/domains.tsv", WARDEN_PAIRS_DOMAINS), 0);
    warden_sim_pairs_fini(&p);

    char *path = tmpdir("sim_pairs.tsv");
    static const struct {
        enum warden_pairs_kind kind;
        const char *text;
    } bad[] = {
        {WARDEN_PAIRS_ROLES, "# c\nhub\tCY\nharbour\tCY\n"}, /* unknown role */
        {WARDEN_PAIRS_ROLES, "hub\tcy\n"},                   /* lower case */
        {WARDEN_PAIRS_ROLES, "hub\tCY\textra\n"},            /* 3 columns */
        {WARDEN_PAIRS_ROLES, "hub\tCY\nhub\tCY\n"},          /* repeated */
        {WARDEN_PAIRS_LEGAL_FORMS, "DE\tGmbH\nD\tAG\n"},     /* bad code */
        {WARDEN_PAIRS_LEGAL_FORMS, "DE\n"},                  /* 1 column */
        {WARDEN_PAIRS_LEGAL_FORMS, "DE\t\n"},                /* empty form */
        {WARDEN_PAIRS_DOMAINS, "GB\tco.uk\nGB\tuk\n"},       /* two suffixes */
        {WARDEN_PAIRS_DOMAINS, "GB\t.co.uk\n"},              /* leading dot */
        {WARDEN_PAIRS_DOMAINS, "GB\tCO.UK\n"},               /* upper case */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i].text);
        assert_int_equal(warden_sim_pairs_load(&p, path, bad[i].kind), WARDEN_EPARSE);
        assert_null(p.v);
        assert_int_equal(p.n, 0);
    }
    /* comments only: valid and empty */
    write_file(path, "# nothing\n");
    assert_int_equal(warden_sim_pairs_load(&p, path, WARDEN_PAIRS_DOMAINS), 0);
    assert_int_equal(p.n, 0);
    warden_sim_pairs_fini(&p);
    assert_int_equal(warden_sim_pairs_load(&p, "/nonexistent/roles.tsv", WARDEN_PAIRS_ROLES),
                     WARDEN_EIO);
    remove(path);
    free(path);
}

/* A harvester behind a declared reseller has no account of its own: its
 * truth id is the platform's lane ACCOUNT/END_USER, the platform is a
 * declared reseller of accounts.jsonl, and the events under that account
 * with that end_user are the harvester's (the platform's own users keep
 * their ids); the other accounts are those of the scenario without it. */
struct lanes_ctx {
    struct idset lanes, resellers, seen;
    size_t truth;
};

static void lanes_truth(json_t *o, size_t line, void *p)
{
    (void)line;
    struct lanes_ctx *c = p;
    c->truth++;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (strcmp(kind, "distillation.via_reseller") == 0)
        ids_add(&c->lanes, json_string_value(json_object_get(o, "account_id")));
    else
        assert_null(strchr(json_string_value(json_object_get(o, "account_id")), '/'));
}

static void lanes_account(json_t *o, size_t line, void *p)
{
    (void)line;
    if (json_is_true(json_object_get(o, "reseller")))
        ids_add(&((struct lanes_ctx *)p)->resellers,
                json_string_value(json_object_get(o, "account_id")));
}

static void lanes_event(json_t *o, size_t line, void *p)
{
    (void)line;
    struct lanes_ctx *c = p;
    const char *eu = json_string_value(json_object_get(o, "end_user"));
    if (!eu) return;
    char id[512];
    snprintf(id, sizeof id, "%s/%s", json_string_value(json_object_get(o, "account_id")), eu);
    if (ids_has(&c->lanes, id) && !ids_has(&c->seen, id)) {
        ids_add(&c->seen, id);
        qsort(c->seen.v, c->seen.n, sizeof(char *), cmp_str);
    }
}

static void test_via_reseller(void **state)
{
    (void)state;
    char *dir = tmpdir("sim_lanes");
    struct warden_sim_stats st;
    sim_in("evasive", dir, 11, 600, 2, &st);
    struct lanes_ctx c;
    memset(&c, 0, sizeof c);
    each_line(dir, "truth.jsonl", truth_spec, lanes_truth, &c);
    each_line(dir, "accounts.jsonl", account_spec, lanes_account, &c);
    assert_true(c.lanes.n >= 1);
    assert_int_equal(c.truth, st.accounts + c.lanes.n); /* no account of their own */
    qsort(c.lanes.v, c.lanes.n, sizeof(char *), cmp_str);
    qsort(c.resellers.v, c.resellers.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < c.lanes.n; i++) {
        char acct[256];
        snprintf(acct, sizeof acct, "%s", c.lanes.v[i]);
        *strchr(acct, '/') = '\0';
        if (!ids_has(&c.resellers, acct)) fail_msg("%s: not a declared reseller", acct);
    }
    each_line(dir, "events.jsonl", event_spec, lanes_event, &c);
    assert_int_equal(c.seen.n, c.lanes.n); /* every harvester sends through its platform */
    ids_free(&c.lanes);
    ids_free(&c.resellers);
    ids_free(&c.seen);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),  cmocka_unit_test(test_formats),
        cmocka_unit_test(test_exclude_corpus), cmocka_unit_test(test_name_variants),
        cmocka_unit_test(test_isp_pools),      cmocka_unit_test(test_country_files),
        cmocka_unit_test(test_pair_files),     cmocka_unit_test(test_via_reseller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
