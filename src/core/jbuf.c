/* jbuf.c — JSON writing into a reusable growable buffer. */
#include "core/jbuf.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void warden_jbuf_init(struct warden_jbuf *b)
{
    memset(b, 0, sizeof *b);
}

void warden_jbuf_fini(struct warden_jbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void warden_jbuf_reset(struct warden_jbuf *b)
{
    b->len = 0;
    b->need_comma = false;
    if (b->p) b->p[0] = '\0';
}

static void reserve(struct warden_jbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    b->p = warden_xrealloc(b->p, cap);
    b->cap = cap;
}

const char *warden_jbuf_str(struct warden_jbuf *b)
{
    reserve(b, 0);
    b->p[b->len] = '\0';
    return b->p;
}

void warden_jbuf_raw(struct warden_jbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void putc1(struct warden_jbuf *b, char c)
{
    reserve(b, 1);
    b->p[b->len++] = c;
}

static void sep(struct warden_jbuf *b)
{
    if (b->need_comma) putc1(b, ',');
    b->need_comma = true;
}

void warden_jbuf_obj_open(struct warden_jbuf *b)
{
    sep(b);
    putc1(b, '{');
    b->need_comma = false;
}

void warden_jbuf_obj_close(struct warden_jbuf *b)
{
    putc1(b, '}');
    b->need_comma = true;
}

void warden_jbuf_arr_open(struct warden_jbuf *b)
{
    sep(b);
    putc1(b, '[');
    b->need_comma = false;
}

void warden_jbuf_arr_close(struct warden_jbuf *b)
{
    putc1(b, ']');
    b->need_comma = true;
}

static void escaped(struct warden_jbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    reserve(b, n + 2);
    b->p[b->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            reserve(b, 1);
            b->p[b->len++] = (char)c;
            continue;
        }
        reserve(b, 6);
        b->p[b->len++] = '\\';
        switch (c) {
        case '"':
            b->p[b->len++] = '"';
            break;
        case '\\':
            b->p[b->len++] = '\\';
            break;
        case '\n':
            b->p[b->len++] = 'n';
            break;
        case '\r':
            b->p[b->len++] = 'r';
            break;
        case '\t':
            b->p[b->len++] = 't';
            break;
        default:
            b->p[b->len++] = 'u';
            b->p[b->len++] = '0';
            b->p[b->len++] = '0';
            b->p[b->len++] = hex[c >> 4];
            b->p[b->len++] = hex[c & 15];
        }
    }
    reserve(b, 1);
    b->p[b->len++] = '"';
}

void warden_jbuf_key(struct warden_jbuf *b, const char *key)
{
    sep(b);
    escaped(b, key, strlen(key));
    putc1(b, ':');
    b->need_comma = false;
}

void warden_jbuf_str_val(struct warden_jbuf *b, const char *s, size_t n)
{
    sep(b);
    escaped(b, s, n);
}

void warden_jbuf_cstr(struct warden_jbuf *b, const char *s)
{
    if (!s) {
        warden_jbuf_null(b);
        return;
    }
    warden_jbuf_str_val(b, s, strlen(s));
}

/* v in decimal, as printf's %" PRId64 " writes it (without stdio: findings
 * and evidence write many integers). Returns the length. */
static int fmt_i64(char *dst, int64_t v)
{
    char rev[20];
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int n = 0, k = 0;
    do {
        rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) dst[k++] = '-';
    while (n) dst[k++] = rev[--n];
    return k;
}

void warden_jbuf_int(struct warden_jbuf *b, int64_t v)
{
    char tmp[24];
    int n = fmt_i64(tmp, v);
    sep(b);
    warden_jbuf_raw(b, tmp, (size_t)n);
}

void warden_jbuf_num(struct warden_jbuf *b, double v)
{
    char tmp[40];
    int n;
    if (!isfinite(v))
        n = snprintf(tmp, sizeof tmp, "null");
    else if (v == (double)(int64_t)v && fabs(v) < 1e15)
        n = fmt_i64(tmp, (int64_t)v);
    else
        n = snprintf(tmp, sizeof tmp, "%.6g", v);
    sep(b);
    warden_jbuf_raw(b, tmp, (size_t)n);
}

void warden_jbuf_bool(struct warden_jbuf *b, bool v)
{
    sep(b);
    warden_jbuf_raw(b, v ? "true" : "false", v ? 4 : 5);
}

void warden_jbuf_null(struct warden_jbuf *b)
{
    sep(b);
    warden_jbuf_raw(b, "null", 4);
}

void warden_jbuf_json(struct warden_jbuf *b, const char *json)
{
    sep(b);
    warden_jbuf_raw(b, json, strlen(json));
}

void warden_jbuf_kv_str(struct warden_jbuf *b, const char *key, const char *s)
{
    warden_jbuf_key(b, key);
    warden_jbuf_cstr(b, s);
}

void warden_jbuf_kv_int(struct warden_jbuf *b, const char *key, int64_t v)
{
    warden_jbuf_key(b, key);
    warden_jbuf_int(b, v);
}

void warden_jbuf_kv_num(struct warden_jbuf *b, const char *key, double v)
{
    warden_jbuf_key(b, key);
    warden_jbuf_num(b, v);
}

void warden_jbuf_kv_bool(struct warden_jbuf *b, const char *key, bool v)
{
    warden_jbuf_key(b, key);
    warden_jbuf_bool(b, v);
}
