/* remarks.c — facts inside free-text list remarks ("Website www.x.com; Email
 * Address a@b.c; Registration ID 123 (Iran); nationality Syria; Linked To: Y").
 * OFAC keeps web sites, e-mail addresses, identifiers and nationalities there,
 * and domain and identifier screening need them as attributes. */
#include "screen/internal.h"

#include <ctype.h>
#include <string.h>

static const char *find_ci(const char *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(s + i, pat, m) == 0) return s + i;
    return NULL;
}

/* host of a URL or bare domain: scheme and "www." removed; 0 when there is no
 * host, or when the URL names a page under the host (www.facebook.com/x is one
 * page, not the whole of facebook.com) */
static size_t host_of(const char *v, size_t n, char *out, size_t cap)
{
    while (n && isspace((unsigned char)*v)) v++, n--;
    const char *sch = find_ci(v, n, "://");
    if (sch) {
        n -= (size_t)(sch + 3 - v);
        v = sch + 3;
    }
    if (n > 4 && strncasecmp(v, "www.", 4) == 0) v += 4, n -= 4;
    size_t k = 0;
    while (k < n && k + 1 < cap && !strchr("/ ?#;,)\t", v[k])) {
        out[k] = (char)tolower((unsigned char)v[k]);
        k++;
    }
    bool page = k < n && v[k] == '/' && k + 1 < n && !strchr(" ;,)\t", v[k + 1]);
    while (k && out[k - 1] == '.') k--;
    out[k] = '\0';
    return strchr(out, '.') && !page ? k : 0;
}

static void item(struct warden_screen *s, uint32_t ent, const char *p, size_t n)
{
    while (n && isspace((unsigned char)*p)) p++, n--;
    while (n && (isspace((unsigned char)p[n - 1]) || p[n - 1] == '.')) n--;
    if (!n) return;
    char buf[512];
    const char *w;
    if ((w = find_ci(p, n, "website "))) {
        size_t off = (size_t)(w - p) + 8;
        if (host_of(p + off, n - off, buf, sizeof buf))
            warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_DOMAIN, buf, strlen(buf));
        else
            warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_REMARK, p, n); /* a page URL */
        return;
    }
    if ((w = find_ci(p, n, "email address ")) || (w = find_ci(p, n, "email:"))) {
        size_t off = (size_t)(w - p) + (w[5] == ':' ? 6 : 14);
        while (off < n && isspace((unsigned char)p[off])) off++;
        size_t k = 0;
        while (off + k < n && !isspace((unsigned char)p[off + k]) && k + 1 < sizeof buf) k++;
        warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_EMAIL, p + off, k);
        return;
    }
    if (find_ci(p, n, "http://") || find_ci(p, n, "https://")) {
        const char *u = find_ci(p, n, "http");
        if (host_of(u, n - (size_t)(u - p), buf, sizeof buf))
            warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_DOMAIN, buf, strlen(buf));
        return;
    }
    if (n > 10 && strncasecmp(p, "Linked To:", 10) == 0) {
        warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_REMARK, p, n);
        return;
    }
    if ((n > 12 && strncasecmp(p, "nationality ", 12) == 0) ||
        (n > 8 && strncasecmp(p, "citizen ", 8) == 0)) {
        const char *c = p[0] == 'n' || p[0] == 'N' ? p + 12 : p + 8;
        warden_screen_add_country(s, ent, c, n - (size_t)(c - p));
        return;
    }
    static const char *const idwords[] = {" ID",      "No.",          "Number", "SWIFT",
                                          "Passport", "Registration", "IMO ",   "MMSI",
                                          "Tax",      "LEI",          NULL};
    for (int i = 0; idwords[i]; i++) {
        if (!find_ci(p, n, idwords[i])) continue;
        /* value: first token containing a digit; type: the text before it */
        size_t k = 0;
        while (k < n) {
            size_t b = k;
            while (k < n && !isspace((unsigned char)p[k])) k++;
            bool digit = false;
            for (size_t j = b; j < k; j++) digit |= isdigit((unsigned char)p[j]) != 0;
            if (digit) {
                int wn = snprintf(buf, sizeof buf, "%.*s: %.*s", (int)(b ? b - 1 : 0), p,
                                  (int)(k - b), p + b);
                if (wn > 0) warden_screen_add_attr(s, ent, WARDEN_SCREEN_ATTR_ID, buf, strlen(buf));
                return;
            }
            while (k < n && isspace((unsigned char)p[k])) k++;
        }
        return;
    }
}

void warden_screen_parse_remarks(struct warden_screen *s, uint32_t ent, const char *r, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || r[i] == ';') {
            item(s, ent, r + b, i - b);
            b = i + 1;
        }
    }
}
