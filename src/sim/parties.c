/* parties.c — reads OFAC SDN entity rows and makes realistic name variants.
 *
 * The variant rules are the ways declared names drift from list entries in
 * practice: a legal form spelled out or abbreviated or replaced by its local
 * form (LLC / OOO / Limited Liability Company), words reordered, another
 * romanisation of the same name (KH/H, YU/IU, SH/SCH, ...), a typing error,
 * and mixed case without punctuation. */
#include "sim/parties.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OFAC country names -> ISO 3166-1 alpha-2, for addresses: the names of
 * data/sim/party_countries.tsv, coded by data/screen/countries.tsv. */
struct cc_map {
    char **name;
    char (*cc)[3];
    unsigned *line; /* line of the name in the party countries file */
    size_t n;
};

static void cc_map_fini(struct cc_map *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->name[i]);
    free(m->name);
    free(m->cc);
    free(m->line);
    memset(m, 0, sizeof *m);
}

static int cc_map_read(const char *path, FILE **out)
{
    *out = fopen(path, "r");
    if (*out) return 0;
    warden_err("sim: %s: %s", path, strerror(errno));
    return WARDEN_EIO;
}

static void chomp(char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r')) s[--len] = '\0';
}

static int cc_map_load(struct cc_map *m, const char *data_dir)
{
    memset(m, 0, sizeof *m);
    char *names = warden_xasprintf("%s/sim/party_countries.tsv", data_dir);
    char *codes = warden_xasprintf("%s/screen/countries.tsv", data_dir);
    char *line = NULL;
    size_t lcap = 0, cap = 0;
    unsigned lineno = 0;
    FILE *f;
    int rc = cc_map_read(names, &f);
    while (!rc && getline(&line, &lcap, f) > 0) {
        lineno++;
        chomp(line);
        if (!line[0] || line[0] == '#') continue;
        if (strchr(line, '\t')) {
            warden_err("%s:%u: one column expected (a country name as OFAC writes it)", names,
                       lineno);
            rc = WARDEN_EPARSE;
            break;
        }
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->name[i], line) == 0) {
                warden_err("%s:%u: '%s' is already on line %u", names, lineno, line, m->line[i]);
                rc = WARDEN_EPARSE;
            }
        if (rc) break;
        if (m->n == cap) {
            cap = cap ? cap * 2 : 64;
            m->name = warden_xrealloc(m->name, cap * sizeof *m->name);
            m->cc = warden_xrealloc(m->cc, cap * sizeof *m->cc);
            m->line = warden_xrealloc(m->line, cap * sizeof *m->line);
        }
        m->name[m->n] = warden_xstrdup(line);
        memset(m->cc[m->n], 0, sizeof m->cc[m->n]);
        m->line[m->n++] = lineno;
    }
    if (f) fclose(f);
    f = NULL;
    if (!rc) rc = cc_map_read(codes, &f);
    /* CODE<TAB>name<TAB>name...; the first row naming a country wins */
    lineno = 0;
    while (!rc && getline(&line, &lcap, f) > 0) {
        lineno++;
        chomp(line);
        if (!line[0] || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab - line != 2 || !isupper((unsigned char)line[0]) ||
            !isupper((unsigned char)line[1])) {
            warden_err("%s:%u: want CODE<TAB>name..., CODE an upper-case ISO alpha-2 code", codes,
                       lineno);
            rc = WARDEN_EPARSE;
            break;
        }
        for (char *nm = tab + 1; nm;) {
            char *next = strchr(nm, '\t');
            if (next) *next++ = '\0';
            for (size_t i = 0; i < m->n; i++)
                if (!m->cc[i][0] && strcmp(m->name[i], nm) == 0) memcpy(m->cc[i], line, 2);
            nm = next;
        }
    }
    if (f) fclose(f);
    for (size_t i = 0; !rc && i < m->n; i++)
        if (!m->cc[i][0]) {
            warden_err("%s:%u: '%s' is not a country name in %s", names, m->line[i], m->name[i],
                       codes);
            rc = WARDEN_EPARSE;
        }
    free(line);
    free(names);
    free(codes);
    if (rc) cc_map_fini(m);
    return rc;
}

static const char *country_code(const struct cc_map *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->name[i], name) == 0) return m->cc[i];
    return NULL;
}

/* Split one OFAC CSV line into fields; quotes removed, "-0-" becomes "". */
static size_t csv_split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max) {
        char *start;
        if (*p == '"') {
            start = ++p;
            char *w = p;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = '\0';
            while (*p && *p != ',') p++;
        } else {
            start = p;
            while (*p && *p != ',' && *p != '\r' && *p != '\n') p++;
            if (*p == '\r' || *p == '\n') *p = '\0';
        }
        if (*p == ',') *p++ = '\0';
        /* trim */
        size_t len = strlen(start);
        while (len && isspace((unsigned char)start[len - 1])) start[--len] = '\0';
        if (strcmp(start, "-0-") == 0) start[0] = '\0';
        f[n++] = start;
    }
    return n;
}

static FILE *open_first(const char *const *dirs, size_t ndirs, const char *file)
{
    for (size_t i = 0; i < ndirs; i++) {
        char *path = warden_xasprintf("%s/%s", dirs[i], file);
        FILE *f = fopen(path, "r");
        free(path);
        if (f) return f;
    }
    return NULL;
}

struct idx {
    long ent;
    size_t party;
};

static int cmp_idx(const void *a, const void *b)
{
    long x = ((const struct idx *)a)->ent, y = ((const struct idx *)b)->ent;
    return x < y ? -1 : x > y;
}

/* One list in OFAC's layout: primary names, addresses, aliases. Appends its
 * entities to p. Returns WARDEN_ENOENT when the primary file is missing. */
static int load_ofac(struct warden_parties *p, const struct cc_map *m, const char *const *dirs,
                     size_t ndirs, const char *const files[3])
{
    size_t first = p->n, cap = p->n;
    FILE *f = open_first(dirs, ndirs, files[0]);
    if (!f) return WARDEN_ENOENT;
    struct idx *ix = NULL;
    char *line = NULL;
    size_t lcap = 0;
    char *fld[16];
    while (getline(&line, &lcap, f) > 0) {
        size_t nf = csv_split(line, fld, 16);
        if (nf < 4 || fld[2][0] != '\0' || !fld[1][0]) continue; /* entities only */
        if (p->n == cap) {
            cap = cap ? cap * 2 : 1024;
            p->v = warden_xrealloc(p->v, cap * sizeof *p->v);
            ix = warden_xrealloc(ix, cap * sizeof *ix);
        }
        memset(&p->v[p->n], 0, sizeof p->v[p->n]);
        p->v[p->n].name = warden_xstrdup(fld[1]);
        ix[p->n - first].ent = strtol(fld[0], NULL, 10);
        ix[p->n - first].party = p->n;
        p->n++;
    }
    fclose(f);
    size_t nix = p->n - first;
    if (nix) qsort(ix, nix, sizeof *ix, cmp_idx);
    f = open_first(dirs, ndirs, files[1]);
    while (f && getline(&line, &lcap, f) > 0) {
        size_t nf = csv_split(line, fld, 16);
        if (nf < 5) continue;
        struct idx key = {strtol(fld[0], NULL, 10), 0};
        struct idx *hit = (nix ? bsearch(&key, ix, nix, sizeof *ix, cmp_idx) : NULL);
        if (!hit) continue;
        struct warden_party *pt = &p->v[hit->party];
        if (pt->country[0]) continue;
        const char *cc = country_code(m, fld[4]);
        if (!cc) continue;
        memcpy(pt->country, cc, 3);
        if (fld[2][0] || fld[3][0])
            pt->address =
                warden_xasprintf("%s%s%s, %s", fld[2], fld[2][0] ? ", " : "", fld[3], fld[4]);
    }
    if (f) fclose(f);
    f = open_first(dirs, ndirs, files[2]);
    while (f && getline(&line, &lcap, f) > 0) {
        size_t nf = csv_split(line, fld, 16);
        if (nf < 4 || !fld[3][0]) continue;
        struct idx key = {strtol(fld[0], NULL, 10), 0};
        struct idx *hit = (nix ? bsearch(&key, ix, nix, sizeof *ix, cmp_idx) : NULL);
        if (!hit) continue;
        struct warden_party *pt = &p->v[hit->party];
        if (pt->naliases >= 4) continue;
        pt->aliases = warden_xrealloc(pt->aliases, (pt->naliases + 1) * sizeof(char *));
        pt->aliases[pt->naliases++] = warden_xstrdup(fld[3]);
    }
    if (f) fclose(f);
    free(line);
    free(ix);
    return 0;
}

/* A name's key for warden_parties_listed: ASCII upper case, runs of spaces
 * as one, no space at either end. */
static uint64_t name_key(const char *name)
{
    char buf[512];
    size_t n = 0;
    for (const char *c = name; *c && n < sizeof buf - 1; c++) {
        if (*c == ' ' || *c == '\t') {
            if (n && buf[n - 1] != ' ') buf[n++] = ' ';
            continue;
        }
        buf[n++] = (char)toupper((unsigned char)*c);
    }
    while (n && buf[n - 1] == ' ') n--;
    uint64_t h = warden_hash64(buf, n);
    return h > 1 ? h : 2;
}

int warden_parties_load(struct warden_parties *p, const char *const *dirs, size_t ndirs,
                        const char *data_dir)
{
    static const char *const lists[][3] = {
        {"ofac_sdn_2019.csv", "ofac_add_2019.csv", "ofac_alt_2019.csv"},
        {"ofac_cons_prim_2025.csv", "ofac_cons_add_2025.csv", "ofac_cons_alt_2025.csv"},
    };
    memset(p, 0, sizeof *p);
    warden_u64map_init(&p->listed);
    struct cc_map m;
    int rc = cc_map_load(&m, data_dir);
    if (rc < 0) return rc;
    rc = load_ofac(p, &m, dirs, ndirs, lists[0]);
    if (rc == 0) load_ofac(p, &m, dirs, ndirs, lists[1]); /* optional */
    cc_map_fini(&m);
    if (rc < 0) return WARDEN_ENOENT;
    for (size_t i = 0; i < p->n; i++) {
        warden_u64map_put(&p->listed, name_key(p->v[i].name), 1);
        for (size_t k = 0; k < p->v[i].naliases; k++)
            warden_u64map_put(&p->listed, name_key(p->v[i].aliases[k]), 1);
    }
    /* keep only parties with a known country: they get traffic from there */
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].country[0]) {
            p->v[w++] = p->v[i];
            continue;
        }
        free(p->v[i].name);
        free(p->v[i].address);
        for (size_t k = 0; k < p->v[i].naliases; k++) free(p->v[i].aliases[k]);
        free(p->v[i].aliases);
    }
    p->n = w;
    return p->n ? 0 : WARDEN_ENOENT;
}

void warden_parties_fini(struct warden_parties *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].name);
        free(p->v[i].address);
        for (size_t k = 0; k < p->v[i].naliases; k++) free(p->v[i].aliases[k]);
        free(p->v[i].aliases);
    }
    free(p->v);
    warden_u64map_fini(&p->listed);
    memset(p, 0, sizeof *p);
}

bool warden_parties_listed(const struct warden_parties *p, const char *name)
{
    return warden_u64map_get(&p->listed, name_key(name)) != 0;
}

/* ---- variants ---- */

/* Equivalent legal forms; a group's members replace each other. */
static const char *const legal_forms[][4] = {
    {"LIMITED LIABILITY COMPANY", "LLC", "OOO", "L.L.C."},
    {"CO., LTD.", "COMPANY LIMITED", "CO LTD", "CO. LIMITED"},
    {"JOINT STOCK COMPANY", "JSC", "AO", "J.S.C."},
    {"OPEN JOINT STOCK COMPANY", "OJSC", "OAO", NULL},
    {"PUBLIC JOINT STOCK COMPANY", "PJSC", "PAO", NULL},
    {"LIMITED", "LTD", "LTD.", NULL},
    {"CORPORATION", "CORP", "CORP.", NULL},
    {"S.A.", "SA", "SOCIEDAD ANONIMA", NULL},
    {"INCORPORATED", "INC", "INC.", NULL},
    {"GMBH", "G.M.B.H.", "GESELLSCHAFT MBH", NULL},
    {"FZE", "F.Z.E.", "FREE ZONE ESTABLISHMENT", NULL},
    {"TRADING", "TRADING CO", "GENERAL TRADING", NULL},
};

/* Alternative romanisations of the same sounds. */
static const char *const translit[][2] = {
    {"KH", "H"}, {"YU", "IU"}, {"YA", "IA"}, {"SH", "SCH"}, {"ZH", "J"},  {"OU", "U"},
    {"EE", "I"}, {"Q", "K"},   {"V", "W"},   {"TS", "C"},   {"AI", "AY"}, {"MOHAMMAD", "MUHAMMAD"},
    {"Y", "I"},  {"EI", "EY"}, {"OO", "U"},  {"J", "DJ"},
};

static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *hit = strstr(s, from);
    if (!hit) return NULL;
    size_t a = (size_t)(hit - s), fl = strlen(from), tl = strlen(to), sl = strlen(s);
    char *out = warden_xmalloc(sl - fl + tl + 1);
    memcpy(out, s, a);
    memcpy(out + a, to, tl);
    memcpy(out + a + tl, hit + fl, sl - a - fl + 1);
    return out;
}

static char *v_legal(struct warden_rng *r, const char *s)
{
    size_t ng = sizeof legal_forms / sizeof legal_forms[0];
    for (size_t t = 0; t < ng; t++) {
        const char *const *g = legal_forms[(t + warden_rng_below(r, (uint32_t)ng)) % ng];
        for (int i = 0; i < 4 && g[i]; i++) {
            if (!strstr(s, g[i])) continue;
            int j;
            do j = (int)warden_rng_below(r, 4);
            while (j == i || !g[j]);
            return replace_once(s, g[i], g[j]);
        }
    }
    /* no legal form: add one */
    const char *add[] = {" LLC", " LTD", " CO., LTD.", " JSC", " FZE", " GROUP"};
    return warden_xasprintf("%s%s", s, add[warden_rng_below(r, 6)]);
}

static char *v_order(struct warden_rng *r, const char *s)
{
    /* move the first word to the end, or swap the first two words */
    const char *sp = strchr(s, ' ');
    if (!sp) return NULL;
    if (warden_rng_chance(r, 0.5)) return warden_xasprintf("%s %.*s", sp + 1, (int)(sp - s), s);
    const char *sp2 = strchr(sp + 1, ' ');
    if (!sp2) return warden_xasprintf("%s %.*s", sp + 1, (int)(sp - s), s);
    return warden_xasprintf("%.*s %.*s%s", (int)(sp2 - sp - 1), sp + 1, (int)(sp - s), s, sp2);
}

static char *v_translit(struct warden_rng *r, const char *s)
{
    size_t n = sizeof translit / sizeof translit[0];
    size_t start = warden_rng_below(r, (uint32_t)n);
    for (size_t k = 0; k < n; k++) {
        size_t i = (start + k) % n;
        bool back = warden_rng_chance(r, 0.3);
        char *o = replace_once(s, translit[i][back], translit[i][!back]);
        if (o) return o;
    }
    return NULL;
}

static char *v_typo(struct warden_rng *r, const char *s)
{
    size_t n = strlen(s);
    if (n < 4) return NULL;
    char *o = warden_xmalloc(n + 2);
    size_t pos = 1 + warden_rng_below(r, (uint32_t)(n - 2));
    if (!isalpha((unsigned char)s[pos])) pos = 1;
    switch (warden_rng_below(r, 4)) {
    case 0: /* drop */
        memcpy(o, s, pos);
        memcpy(o + pos, s + pos + 1, n - pos);
        break;
    case 1: /* double */
        memcpy(o, s, pos + 1);
        memcpy(o + pos + 1, s + pos, n - pos + 1);
        break;
    case 2: /* swap */
        memcpy(o, s, n + 1);
        o[pos] = s[pos + 1];
        o[pos + 1] = s[pos];
        break;
    default: /* substitute with a neighbouring letter */
        memcpy(o, s, n + 1);
        if (isalpha((unsigned char)o[pos])) o[pos] = o[pos] == 'Z' ? 'Y' : (char)(o[pos] + 1);
        break;
    }
    return o;
}

static char *v_case(struct warden_rng *r, const char *s)
{
    char *o = warden_xmalloc(strlen(s) + 1);
    size_t w = 0;
    bool start = true, strip = warden_rng_chance(r, 0.6);
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (strip && (c == '.' || c == ',' || c == '"' || c == '\'')) continue;
        if (c >= 0x80) {
            o[w++] = (char)c;
            start = false;
            continue;
        }
        o[w++] = (char)(start ? toupper(c) : tolower(c));
        start = !isalnum(c);
    }
    o[w] = '\0';
    return o;
}

char *warden_name_variant(struct warden_rng *r, const char *name)
{
    char *cur = warden_xstrdup(name);
    uint32_t nops = 1 + warden_rng_below(r, 3);
    for (uint32_t k = 0; k < nops; k++) {
        char *next = NULL;
        switch (warden_rng_below(r, 5)) {
        case 0:
            next = v_legal(r, cur);
            break;
        case 1:
            next = v_order(r, cur);
            break;
        case 2:
            next = v_translit(r, cur);
            break;
        case 3:
            next = v_typo(r, cur);
            break;
        default:
            break;
        }
        if (next) {
            free(cur);
            cur = next;
        }
    }
    if (warden_rng_chance(r, 0.5)) {
        char *next = v_case(r, cur);
        free(cur);
        cur = next;
    }
    if (strcmp(cur, name) == 0) {
        char *next = v_legal(r, cur);
        free(cur);
        cur = next;
    }
    return cur;
}

static bool legal_word(const char *w, size_t n)
{
    static const char *const skip[] = {
        "LLC",     "LTD",   "LTD.", "CO.,", "CO.",  "CO",   "JSC",   "OOO",  "OAO",    "PJSC",
        "OJSC",    "S.A.",  "SA",   "INC",  "INC.", "CORP", "CORP.", "GMBH", "FZE",    "LIMITED",
        "COMPANY", "THE",   "OF",   "AND",  "DE",   "LA",   "EL",    "Y",    "S.A.S.", "SAS",
        "LTDA",    "LTDA.", "C.V.", "R.L.", "DE",   "&",    "-"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strlen(skip[i]) == n && strncasecmp(w, skip[i], n) == 0) return true;
    return n < 2;
}

char *warden_front_name(struct warden_rng *r, const char *party_name, const char *cc,
                        const struct warden_sim_pairs *forms)
{
    static const char *const sector[] = {"Trading",      "International", "Holding",    "Logistics",
                                         "Technologies", "Investments",   "Industrial", "Commerce",
                                         "Group",        "Global"};
    /* one or two significant words of the party's name */
    char words[2][64];
    int nw = 0;
    const char *p = party_name;
    while (*p && nw < 2) {
        while (*p == ' ' || *p == ',' || *p == '"' || *p == '(' || *p == ')') p++;
        const char *st = p;
        while (*p && *p != ' ' && *p != ',' && *p != '"' && *p != '(' && *p != ')') p++;
        size_t n = (size_t)(p - st);
        if (n == 0 || legal_word(st, n) || n >= 63) continue;
        /* title case */
        for (size_t i = 0; i < n; i++)
            words[nw][i] =
                (char)(i == 0 ? toupper((unsigned char)st[i]) : tolower((unsigned char)st[i]));
        words[nw][n] = '\0';
        nw++;
        if (warden_rng_chance(r, 0.5)) break;
    }
    if (nw == 0) {
        snprintf(words[0], sizeof words[0], "Orient");
        nw = 1;
    }
    const char *form = "Ltd";
    uint32_t nc = 0;
    for (size_t i = 0; i < forms->n; i++) nc += strcmp(forms->v[i].key, cc) == 0;
    if (nc) {
        uint32_t k = warden_rng_below(r, nc);
        for (size_t i = 0; i < forms->n; i++) {
            if (strcmp(forms->v[i].key, cc) != 0) continue;
            if (k-- == 0) {
                form = forms->v[i].val;
                break;
            }
        }
    }
    const char *sec = sector[warden_rng_below(r, sizeof sector / sizeof sector[0])];
    if (nw == 2) return warden_xasprintf("%s %s %s %s", words[0], words[1], sec, form);
    return warden_xasprintf("%s %s %s", words[0], sec, form);
}

char *warden_name_cyrillic(const char *name)
{
    static const char *const multi[][2] = {
        {"SHCH", "Щ"}, {"ZH", "Ж"}, {"KH", "Х"}, {"TS", "Ц"}, {"CH", "Ч"},
        {"SH", "Ш"},   {"YU", "Ю"}, {"YA", "Я"}, {"YE", "Е"}, {"YO", "Ё"},
    };
    static const char *const single[26] = {
        "А", "Б", "К", "Д", "Е", "Ф", "Г", "Х", "И", "Ж", "К",  "Л", "М",
        "Н", "О", "П", "К", "Р", "С", "Т", "У", "В", "В", "КС", "Й", "З",
    };
    size_t cap = strlen(name) * 4 + 1, w = 0;
    char *out = warden_xmalloc(cap);
    for (const char *p = name; *p;) {
        char c = (char)toupper((unsigned char)*p);
        bool done = false;
        for (size_t i = 0; i < sizeof multi / sizeof multi[0] && !done; i++) {
            size_t n = strlen(multi[i][0]);
            if (strncasecmp(p, multi[i][0], n) == 0) {
                size_t m = strlen(multi[i][1]);
                memcpy(out + w, multi[i][1], m);
                w += m;
                p += n;
                done = true;
            }
        }
        if (done) continue;
        if (c == 'Y') {
            /* Й after a vowel (KIY, AY, YY), else Ы (OTKRYTOE) */
            char prev = p > name ? (char)toupper((unsigned char)p[-1]) : ' ';
            const char *cy = strchr("AEIOUY", prev) && prev ? "Й" : "Ы";
            memcpy(out + w, cy, strlen(cy));
            w += strlen(cy);
        } else if (c >= 'A' && c <= 'Z') {
            const char *cy = single[c - 'A'];
            size_t m = strlen(cy);
            memcpy(out + w, cy, m);
            w += m;
        } else {
            out[w++] = *p;
        }
        p++;
    }
    out[w] = '\0';
    return out;
}
