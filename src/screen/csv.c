/* csv.c — RFC 4180 records (quoted fields, doubled quotes, line breaks inside
 * quotes) with any single-character separator, keeping the line number where
 * each record starts so that loaders report FILE:LINE. OFAC's null marker
 * "-0-" is returned as an empty field. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

int warden_csv_open(struct warden_csv *c, const char *path, char sep)
{
    memset(c, 0, sizeof *c);
    c->f = fopen(path, "r");
    if (!c->f) return WARDEN_EIO;
    c->path = path;
    c->sep = sep;
    c->next_line = 1;
    c->cap = 4096;
    c->buf = warden_xmalloc(c->cap);
    c->capf = 64;
    c->off = warden_xmalloc(c->capf * sizeof *c->off);
    c->flen = warden_xmalloc(c->capf * sizeof *c->flen);
    return 0;
}

void warden_csv_close(struct warden_csv *c)
{
    if (c->f) fclose(c->f);
    free(c->buf);
    free(c->off);
    free(c->flen);
    memset(c, 0, sizeof *c);
}

static void put(struct warden_csv *c, size_t *len, char ch)
{
    if (*len + 2 > c->cap) {
        c->cap *= 2;
        c->buf = warden_xrealloc(c->buf, c->cap);
    }
    c->buf[(*len)++] = ch;
}

static void end_field(struct warden_csv *c, size_t *len, size_t start)
{
    if (c->nf == c->capf) {
        c->capf *= 2;
        c->off = warden_xrealloc(c->off, c->capf * sizeof *c->off);
        c->flen = warden_xrealloc(c->flen, c->capf * sizeof *c->flen);
    }
    c->off[c->nf] = start;
    c->flen[c->nf] = *len - start;
    c->nf++;
    put(c, len, '\0');
}

int warden_csv_next(struct warden_csv *c)
{
    size_t len = 0, start = 0;
    c->nf = 0;
    c->line = c->next_line;
    int ch = getc(c->f);
    if (ch == EOF) return 0;
    bool inq = false, any = false;
    for (;; ch = getc(c->f)) {
        if (ch == EOF) {
            if (inq) return WARDEN_EPARSE;
            break;
        }
        any = true;
        if (inq) {
            if (ch == '"') {
                int nx = getc(c->f);
                if (nx == '"') {
                    put(c, &len, '"');
                } else {
                    inq = false;
                    if (nx != EOF) ungetc(nx, c->f);
                }
            } else {
                if (ch == '\n') c->next_line++;
                put(c, &len, (char)ch);
            }
            continue;
        }
        if (ch == '"') {
            inq = true;
        } else if (ch == c->sep) {
            end_field(c, &len, start);
            start = len;
        } else if (ch == '\n') {
            c->next_line++;
            break;
        } else if (ch != '\r') {
            put(c, &len, (char)ch);
        }
    }
    (void)any;
    end_field(c, &len, start);
    return 1;
}

const char *warden_csv_field(const struct warden_csv *c, size_t i, size_t *len)
{
    if (i >= c->nf) {
        *len = 0;
        return "";
    }
    const char *p = c->buf + c->off[i];
    size_t n = c->flen[i];
    while (n && (*p == ' ' || *p == '\t' || *p == '\x1a')) p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\x1a')) n--;
    if (n == 3 && memcmp(p, "-0-", 3) == 0) n = 0;
    *len = n;
    return p;
}

bool warden_csv_blank(const struct warden_csv *c)
{
    size_t n;
    for (size_t i = 0; i < c->nf; i++) {
        warden_csv_field(c, i, &n);
        if (n) return false;
    }
    return true;
}
