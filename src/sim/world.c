/* world.c — the countries file, the role, legal-form and domain files, clients, id formats: the
 * scenario data of world.h. */
#include "sim/world.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static void countries_free_rows(struct warden_country *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].tz);
        free(v[i].locale);
        free(v[i].mail);
    }
    free(v);
}

/* Split a line at tabs into at most max fields; returns the number. */
static size_t split_tabs(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return max + 1;
        f[n++] = p;
        p = strchr(p, '\t');
        if (!p) return n;
        *p++ = '\0';
    }
}

int warden_countries_load(struct warden_countries *c, const char *path)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "r");
    if (!f) {
        warden_err("sim: %s: %s", path, strerror(errno));
        return WARDEN_EIO;
    }
    char *line = NULL, *fld[7];
    size_t lcap = 0, cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    const char *why = NULL;
    while ((len = getline(&line, &lcap, f)) > 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len || line[0] == '#') continue;
        size_t nf = split_tabs(line, fld, 6);
        char *end;
        if (nf != 6) {
            why = "want 6 tab-separated columns: cc tz locale utc_min weight mail";
        } else if (strlen(fld[0]) != 2 || !isupper((unsigned char)fld[0][0]) ||
                   !isupper((unsigned char)fld[0][1])) {
            why = "cc is not an upper-case ISO 3166-1 alpha-2 code";
        } else if (!fld[1][0] || !fld[2][0] || !fld[5][0]) {
            why = "empty tz, locale or mail (write - for no mail provider)";
        } else {
            long off = strtol(fld[3], &end, 10);
            if (!fld[3][0] || *end || off < -840 || off > 840) {
                why = "utc_min is not a whole number of minutes in -840..840";
            } else {
                double wt = strtod(fld[4], &end);
                if (!fld[4][0] || *end || !(wt >= 0 && wt < 1e6)) {
                    why = "weight is not a number >= 0";
                } else {
                    if (c->n == cap) {
                        cap = cap ? cap * 2 : 64;
                        c->v = warden_xrealloc(c->v, cap * sizeof *c->v);
                    }
                    struct warden_country *r = &c->v[c->n++];
                    memcpy(r->cc, fld[0], 3);
                    r->tz = warden_xstrdup(fld[1]);
                    r->locale = warden_xstrdup(fld[2]);
                    r->utc_offset_min = (int)off;
                    r->weight = wt;
                    r->mail = strcmp(fld[5], "-") == 0 ? NULL : warden_xstrdup(fld[5]);
                }
            }
        }
        if (why) {
            warden_err("%s:%zu: %s", path, lineno, why);
            rc = WARDEN_EPARSE;
            break;
        }
    }
    if (!rc && ferror(f)) {
        warden_err("sim: %s: %s", path, strerror(errno));
        rc = WARDEN_EIO;
    }
    if (!rc && !c->n) {
        warden_err("%s: no countries", path);
        rc = WARDEN_EPARSE;
    }
    free(line);
    fclose(f);
    if (rc) warden_countries_fini(c);
    return rc;
}

void warden_countries_fini(struct warden_countries *c)
{
    countries_free_rows(c->v, c->n);
    memset(c, 0, sizeof *c);
}

const struct warden_country *warden_country_get(const struct warden_countries *c, const char *cc)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].cc, cc) == 0) return &c->v[i];
    return NULL;
}

const char *const warden_sim_roles[] = {
    "hub", "zh", "transit", "subsidiary", "cyrillic_alias", "near_border"};
const size_t warden_sim_nroles = sizeof warden_sim_roles / sizeof warden_sim_roles[0];

static bool is_cc(const char *s)
{
    return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

/* A domain suffix: dot-separated labels of lower-case letters, digits, '-'. */
static bool is_suffix(const char *s)
{
    if (!s[0] || s[0] == '.' || s[strlen(s) - 1] == '.' || strstr(s, "..")) return false;
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '.' && *p != '-')
            return false;
    return true;
}

static const char *pair_check(const struct warden_sim_pairs *p, char **fld, size_t nf,
                              enum warden_pairs_kind kind)
{
    static const char *const want[] = {
        "want 2 tab-separated columns: role cc",
        "want 2 tab-separated columns: cc form",
        "want 2 tab-separated columns: cc suffix",
    };
    if (nf != 2) return want[kind];
    const char *cc = kind == WARDEN_PAIRS_ROLES ? fld[1] : fld[0];
    if (kind == WARDEN_PAIRS_ROLES) {
        bool known = false;
        for (size_t i = 0; i < warden_sim_nroles; i++)
            known |= strcmp(fld[0], warden_sim_roles[i]) == 0;
        if (!known) return "unknown role (see data/sim/README.md for the roles)";
    }
    if (!is_cc(cc)) return "cc is not an upper-case ISO 3166-1 alpha-2 code";
    if (kind == WARDEN_PAIRS_LEGAL_FORMS && !fld[1][0]) return "empty legal form";
    if (kind == WARDEN_PAIRS_DOMAINS) {
        if (!is_suffix(fld[1])) return "suffix is not a lower-case domain suffix such as co.uk";
        if (warden_sim_pairs_get(p, fld[0])) return "country already has a suffix";
    }
    if (warden_sim_pairs_has(p, fld[0], fld[1])) return "row repeats an earlier row";
    return NULL;
}

int warden_sim_pairs_load(struct warden_sim_pairs *p, const char *path, enum warden_pairs_kind kind)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "r");
    if (!f) {
        warden_err("sim: %s: %s", path, strerror(errno));
        return WARDEN_EIO;
    }
    char *line = NULL, *fld[3] = {NULL, NULL, NULL};
    size_t lcap = 0, cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len || line[0] == '#') continue;
        size_t nf = split_tabs(line, fld, 2);
        const char *why = pair_check(p, fld, nf, kind);
        if (why) {
            warden_err("%s:%zu: %s", path, lineno, why);
            rc = WARDEN_EPARSE;
            break;
        }
        if (p->n == cap) {
            cap = cap ? cap * 2 : 32;
            p->v = warden_xrealloc(p->v, cap * sizeof *p->v);
        }
        p->v[p->n].key = warden_xstrdup(fld[0]);
        p->v[p->n].val = warden_xstrdup(fld[1]);
        p->n++;
    }
    if (!rc && ferror(f)) {
        warden_err("sim: %s: %s", path, strerror(errno));
        rc = WARDEN_EIO;
    }
    free(line);
    fclose(f);
    if (rc) warden_sim_pairs_fini(p);
    return rc;
}

void warden_sim_pairs_fini(struct warden_sim_pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].val);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

bool warden_sim_pairs_has(const struct warden_sim_pairs *p, const char *key, const char *val)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0 && strcmp(p->v[i].val, val) == 0) return true;
    return false;
}

const char *warden_sim_pairs_get(const struct warden_sim_pairs *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0) return p->v[i].val;
    return NULL;
}

/* User-Agent strings as the official and common SDKs and HTTP stacks send them. */
const struct warden_client warden_clients[] = {
    {"Anthropic/Python 0.39.0", "/v1/messages", "python-httpx", 5},
    {"Anthropic/Python 0.49.0", "/v1/messages", "python-httpx", 8},
    {"Anthropic/Python 0.64.0", "/v1/messages", "python-httpx", 10},
    {"Anthropic/JS 0.32.1", "/v1/messages", "node", 3},
    {"Anthropic/JS 0.52.0", "/v1/messages", "node", 6},
    {"Anthropic/Go 1.4.0", "/v1/messages", "go", 2},
    {"Anthropic/Java 2.2.0", "/v1/messages", "okhttp", 1},
    {"OpenAI/Python 1.54.3", "/v1/chat/completions", "python-httpx", 6},
    {"OpenAI/Python 1.99.9", "/v1/chat/completions", "python-httpx", 8},
    {"OpenAI/JS 4.73.0", "/v1/chat/completions", "node", 4},
    {"OpenAI/JS 5.10.2", "/v1/chat/completions", "node", 4},
    {"python-httpx/0.28.1", "/v1/messages", "python-httpx", 2},
    {"python-requests/2.32.3", "/v1/messages", "python-urllib3", 3},
    {"python-requests/2.31.0", "/v1/chat/completions", "python-urllib3", 1},
    {"aiohttp/3.10.5", "/v1/messages", "python-aiohttp", 1},
    {"curl/8.5.0", "/v1/messages", "curl", 1},
    {"curl/7.88.1", "/v1/messages", "curl", 1},
    {"Go-http-client/2.0", "/v1/messages", "go", 1},
    {"okhttp/4.12.0", "/v1/chat/completions", "okhttp", 1},
    {"axios/1.7.9", "/v1/messages", "node", 1},
    {"node", "/v1/chat/completions", "node", 1},
    {"Faraday v2.12.2", "/v1/messages", "ruby", 0.5},
    {"Java-http-client/21.0.5", "/v1/chat/completions", "java", 0.5},
};
const size_t warden_nclients = sizeof warden_clients / sizeof warden_clients[0];

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void warden_ja4_for_family(const char *family, char *buf, size_t len)
{
    uint64_t a = fnv(family), b = fnv(family) * 31 + 7;
    unsigned ciphers = 8 + (unsigned)(a % 10), exts = 8 + (unsigned)((a >> 8) % 9);
    snprintf(buf, len, "t13d%02u%02uh2_%012llx_%012llx", ciphers, exts,
             (unsigned long long)(a >> 16) & 0xffffffffffffULL,
             (unsigned long long)(b >> 8) & 0xffffffffffffULL);
}

const char *const warden_free_mail[] = {"gmail.com",      "outlook.com", "yahoo.com",
                                        "icloud.com",     "hotmail.com", "proton.me",
                                        "protonmail.com", "aol.com"};
const size_t warden_nfree_mail = sizeof warden_free_mail / sizeof warden_free_mail[0];

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static const char hex[] = "0123456789abcdef";

static size_t put_rand(struct warden_rng *r, char *p, const char *alpha, unsigned na, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = alpha[warden_rng_below(r, na)];
    return n;
}

static void put_uuid(struct warden_rng *r, char *p)
{
    /* xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx */
    for (int i = 0; i < 36; i++) p[i] = hex[warden_rng_below(r, 16)];
    p[8] = p[13] = p[18] = p[23] = '-';
    p[14] = '4';
    p[19] = "89ab"[warden_rng_below(r, 4)];
    p[36] = '\0';
}

void warden_sim_id(struct warden_rng *r, enum warden_idkind kind, unsigned style, char *buf,
                   size_t len)
{
    char t[80];
    size_t n = 0;
    switch (kind) {
    case WARDEN_ID_ACCOUNT:
        switch (style % 3) {
        case 0:
            n = (size_t)snprintf(t, sizeof t, "acct_");
            n += put_rand(r, t + n, b62, 62, 24);
            break;
        case 1: /* ULID */
            n = (size_t)snprintf(t, sizeof t, "user_01");
            n += put_rand(r, t + n, crockford, 32, 24);
            break;
        default: /* legacy numeric customer number */
            n = (size_t)snprintf(t, sizeof t, "%u%08u", 1 + warden_rng_below(r, 9),
                                 warden_rng_below(r, 100000000));
            break;
        }
        break;
    case WARDEN_ID_ORG:
        if (style % 2 == 0) {
            n = (size_t)snprintf(t, sizeof t, "org_");
            n += put_rand(r, t + n, b62, 62, 20);
        } else {
            put_uuid(r, t);
            n = 36;
        }
        break;
    case WARDEN_ID_KEY:
        if (style % 2 == 0) {
            n = (size_t)snprintf(t, sizeof t, "apikey_01");
            n += put_rand(r, t + n, b62, 62, 22);
        } else {
            n = (size_t)snprintf(t, sizeof t, "key_");
            n += put_rand(r, t + n, b62, 62, 16);
        }
        break;
    case WARDEN_ID_REQUEST:
        n = (size_t)snprintf(t, sizeof t, "req_011C");
        n += put_rand(r, t + n, b62, 62, 20);
        break;
    case WARDEN_ID_END_USER:
        switch (style % 5) {
        case 0:
            put_uuid(r, t);
            n = 36;
            break;
        case 1:
            n = (size_t)snprintf(t, sizeof t, "user-%u", warden_rng_below(r, 9000000) + 1000);
            break;
        case 2:
            n = put_rand(r, t, hex, 16, 64);
            break; /* sha256 of an e-mail */
        case 3:
            n = (size_t)snprintf(t, sizeof t, "u_");
            n += put_rand(r, t + n, "0123456789abcdefghijklmnopqrstuvwxyz", 36, 10);
            break;
        default:
            n = (size_t)snprintf(t, sizeof t, "%u", warden_rng_below(r, 4000000) + 10);
            break;
        }
        break;
    case WARDEN_ID_PAYMENT:
        n = (size_t)snprintf(t, sizeof t, "pm_fp_");
        n += put_rand(r, t + n, b62, 62, 16);
        break;
    }
    t[n] = '\0';
    snprintf(buf, len, "%s", t);
}
