/* load_un.c — the UN Security Council consolidated list (XML, sc-sanctions.xsd):
 * INDIVIDUAL and ENTITY records with their names (FIRST..FOURTH_NAME), aliases,
 * name in original script, addresses, nationalities and documents. Parsed as a
 * stream with expat, so memory does not grow with the file. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/xalloc.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 64

struct un_rec {
    bool in_rec, entity;
    char name[4][256];
    char ref[64], prog[64];
    char *names[MAXV];
    int n_names;
    char *countries[MAXV];
    int n_countries;
    char *addrs[MAXV];
    int n_addrs;
    char *docs[MAXV];
    int n_docs;
    char addr[512];
    char doc_type[128];
};

struct un_ctx {
    struct warden_screen *s;
    const char *list;
    struct un_rec r;
    char text[4096];
    size_t tl;
    char parent[64]; /* enclosing element of the current leaf */
    char stack[16][48];
    int depth;
};

/* copy with truncation (names longer than a field are cut, not refused) */
static void set(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void push(char **arr, int *n, const char *v)
{
    if (*n < MAXV && *v) arr[(*n)++] = warden_xstrdup(v);
}

static void rec_clear(struct un_rec *r)
{
    for (int i = 0; i < r->n_names; i++) free(r->names[i]);
    for (int i = 0; i < r->n_countries; i++) free(r->countries[i]);
    for (int i = 0; i < r->n_addrs; i++) free(r->addrs[i]);
    for (int i = 0; i < r->n_docs; i++) free(r->docs[i]);
    memset(r, 0, sizeof *r);
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **attr)
{
    (void)attr;
    struct un_ctx *x = ud;
    if (x->depth < 16) snprintf(x->stack[x->depth], sizeof x->stack[0], "%s", el);
    x->depth++;
    x->tl = 0;
    if (strcmp(el, "INDIVIDUAL") == 0 || strcmp(el, "ENTITY") == 0) {
        rec_clear(&x->r);
        x->r.in_rec = true;
        x->r.entity = el[0] == 'E';
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct un_ctx *x = ud;
    if (x->tl + (size_t)len + 1 < sizeof x->text) {
        memcpy(x->text + x->tl, s, (size_t)len);
        x->tl += (size_t)len;
    }
}

static void trim(char *t)
{
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == '\t'))
        t[--n] = '\0';
    size_t b = 0;
    while (t[b] == ' ' || t[b] == '\n' || t[b] == '\t') b++;
    if (b) memmove(t, t + b, n - b + 1);
}

static void finish_rec(struct un_ctx *x)
{
    struct un_rec *r = &x->r;
    struct warden_screen *s = x->s;
    uint32_t e = warden_screen_add_entity(
        s, x->list, r->ref, r->entity ? WARDEN_SCREEN_KIND_ORG : WARDEN_SCREEN_KIND_PERSON,
        r->prog);
    char full[1100] = "";
    for (int i = 0; i < 4; i++) {
        if (!r->name[i][0]) continue;
        size_t l = strlen(full);
        snprintf(full + l, sizeof full - l, "%s%s", l ? " " : "", r->name[i]);
    }
    warden_screen_add_name(s, e, full, strlen(full));
    for (int i = 0; i < r->n_names; i++)
        warden_screen_add_name(s, e, r->names[i], strlen(r->names[i]));
    for (int i = 0; i < r->n_countries; i++)
        warden_screen_add_country(s, e, r->countries[i], strlen(r->countries[i]));
    for (int i = 0; i < r->n_addrs; i++)
        warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ADDRESS, r->addrs[i], strlen(r->addrs[i]));
    for (int i = 0; i < r->n_docs; i++)
        warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ID, r->docs[i], strlen(r->docs[i]));
    rec_clear(r);
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    struct un_ctx *x = ud;
    x->depth--;
    const char *parent = x->depth >= 1 && x->depth <= 16 ? x->stack[x->depth - 1] : "";
    x->text[x->tl] = '\0';
    trim(x->text);
    struct un_rec *r = &x->r;
    if (!r->in_rec) goto out;
    const char *t = x->text;
    if (strcmp(el, "INDIVIDUAL") == 0 || strcmp(el, "ENTITY") == 0) {
        finish_rec(x);
    } else if (strcmp(el, "FIRST_NAME") == 0) {
        set(r->name[0], sizeof r->name[0], t);
    } else if (strcmp(el, "SECOND_NAME") == 0) {
        set(r->name[1], sizeof r->name[1], t);
    } else if (strcmp(el, "THIRD_NAME") == 0) {
        set(r->name[2], sizeof r->name[2], t);
    } else if (strcmp(el, "FOURTH_NAME") == 0) {
        set(r->name[3], sizeof r->name[3], t);
    } else if (strcmp(el, "REFERENCE_NUMBER") == 0) {
        set(r->ref, sizeof r->ref, t);
    } else if (strcmp(el, "UN_LIST_TYPE") == 0) {
        set(r->prog, sizeof r->prog, t);
    } else if (strcmp(el, "ALIAS_NAME") == 0 || strcmp(el, "NAME_ORIGINAL_SCRIPT") == 0) {
        push(r->names, &r->n_names, t);
    } else if (strcmp(el, "VALUE") == 0 && strcmp(parent, "NATIONALITY") == 0) {
        push(r->countries, &r->n_countries, t);
    } else if (strstr(parent, "_ADDRESS")) {
        if (strcmp(el, "COUNTRY") == 0) push(r->countries, &r->n_countries, t);
        if (*t) {
            size_t l = strlen(r->addr);
            if (l && l + 2 < sizeof r->addr) set(r->addr + l, sizeof r->addr - l, ", "), l += 2;
            set(r->addr + l, sizeof r->addr - l, t);
        }
    } else if (strstr(el, "_ADDRESS")) {
        push(r->addrs, &r->n_addrs, r->addr);
        r->addr[0] = '\0';
    } else if (strstr(parent, "_DOCUMENT")) {
        if (strcmp(el, "TYPE_OF_DOCUMENT") == 0) set(r->doc_type, sizeof r->doc_type, t);
        if (strcmp(el, "NUMBER") == 0 && *t) {
            char buf[512];
            set(buf, 300, r->doc_type[0] ? r->doc_type : "Document");
            size_t l = strlen(buf);
            set(buf + l, sizeof buf - l, ": ");
            set(buf + l + 2, sizeof buf - l - 2, t);
            push(r->docs, &r->n_docs, buf);
        }
    }
out:
    x->tl = 0;
}

int warden_screen_load_un(struct warden_screen *s, const char *list, const char *path, char *err,
                          size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    XML_Parser p = XML_ParserCreate("UTF-8");
    struct un_ctx *x = warden_xcalloc(1, sizeof *x);
    x->s = s;
    x->list = list;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    char buf[65536];
    int rc = 0;
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        int done = n < sizeof buf;
        if (XML_Parse(p, buf, (int)n, done) == XML_STATUS_ERROR) {
            snprintf(err, errlen, "%s:%lu: XML error: %s", path,
                     (unsigned long)XML_GetCurrentLineNumber(p),
                     XML_ErrorString(XML_GetErrorCode(p)));
            rc = WARDEN_EPARSE;
            break;
        }
        if (done) break;
    }
    rec_clear(&x->r);
    free(x);
    XML_ParserFree(p);
    fclose(f);
    return rc;
}
