/* pathenc.c — readable and lossless forms of file names (see pathenc.h). */
#include "sweep/pathenc.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

char *warden_sweep_path_show(const char *s, size_t n, bool *exact)
{
    static const char hex[] = "0123456789abcdef";
    char *out = warden_xmalloc(n * 4 + 1);
    size_t o = 0;
    bool ex = true;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len(u + i, n - i);
        if (l == 1 && u[i] >= 0x20 && u[i] != 0x7f && u[i] != '\\') {
            out[o++] = (char)u[i++];
        } else if (l > 1) {
            memcpy(out + o, u + i, l);
            o += l;
            i += l;
        } else if (u[i] == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            i++;
            ex = false;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[u[i] >> 4];
            out[o++] = hex[u[i] & 15];
            i++;
            ex = false;
        }
    }
    out[o] = '\0';
    if (exact) *exact = ex;
    return out;
}

char *warden_sweep_hex(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *out = warden_xmalloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[(unsigned char)s[i] >> 4];
        out[2 * i + 1] = hex[(unsigned char)s[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

static int nib(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *warden_sweep_unhex(const char *h, size_t *n)
{
    size_t l = strlen(h);
    if (l % 2) return NULL;
    char *out = warden_xmalloc(l / 2 + 1);
    for (size_t i = 0; i < l / 2; i++) {
        int a = nib(h[2 * i]), b = nib(h[2 * i + 1]);
        if (a < 0 || b < 0 || (a == 0 && b == 0)) {
            free(out);
            return NULL;
        }
        out[i] = (char)(a << 4 | b);
    }
    out[l / 2] = '\0';
    if (n) *n = l / 2;
    return out;
}
