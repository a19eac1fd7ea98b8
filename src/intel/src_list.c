/* src_list.c — plain network lists as sources: CIDR lists and ASN lists.
 *
 * CIDR lists: one entry per line, a CIDR or bare address ("1.2.3.0/24",
 * "2001:db8::/32"), or an address range "start,end[,name[,...]]" as in
 * client9/ipcat's datacenters.csv (converted to the covering CIDRs; the name
 * column becomes the provider when the configuration gives none).
 * ASN lists: "AS123" or "123" first on a line (X4BNet *_asn.txt, bad-asn csv).
 * '#' starts a comment; a first line without digits is a header. A bad line is
 * reported with file:line and skipped: one typo must not drop a whole list.
 * A comment before the first entry may give the day the data is as of,
 * "# as_of=YYYY-MM-DD" (intel freshness: `intel.max_age_days`); the table
 * keeps it per file, and a malformed date is refused at FILE:LINE. */
#include "intel/intel_build.h"
#include "core/day.h"
#include "core/error.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARN_MAX 10 /* bad lines reported one by one per file */

static void trim(char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
}

static bool has_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isdigit((unsigned char)s[i])) return true;
    return false;
}

/* Strip the comment and surrounding space; false for a line with nothing left. */
static bool clean_line(char *line, size_t len, char **s, size_t *n)
{
    char *hash = memchr(line, '#', len);
    *s = line;
    *n = hash ? (size_t)(hash - line) : len;
    trim(s, n);
    return *n > 0;
}

int warden_intel_comment_as_of(const char *line, size_t n, int64_t *day, char *bad, size_t badlen)
{
    static const char key[] = "as_of";
    for (size_t i = 0; i + sizeof key - 1 < n; i++) {
        if (memcmp(line + i, key, sizeof key - 1) != 0) continue;
        size_t j = i + sizeof key - 1;
        if (line[j] != '=' && line[j] != ':') continue;
        j++;
        while (j < n && (line[j] == ' ' || line[j] == '\t')) j++;
        size_t k = j;
        while (k < n && !isspace((unsigned char)line[k])) k++;
        if (warden_day_parse(line + j, k - j, day) == 0) return 1;
        snprintf(bad, badlen, "%.*s", (int)(k - j > 40 ? 40 : k - j), line + j);
        return WARDEN_EPARSE;
    }
    return 0;
}

static warden_u128 ip_key(const struct warden_ip *ip, bool v4)
{
    if (v4) return warden_ip_v4(ip);
    warden_u128 x = 0;
    for (int i = 0; i < 16; i++) x = x << 8 | ip->b[i];
    return x;
}

static void key_ip(struct warden_ip *ip, warden_u128 k, bool v4)
{
    if (v4) {
        warden_ip_from_v4(ip, (uint32_t)k);
        return;
    }
    for (int i = 15; i >= 0; i--, k >>= 8) ip->b[i] = (uint8_t)k;
}

/* Add [lo, hi] as the fewest covering CIDRs. */
static void add_range(struct warden_intel_builder *b, bool v4, warden_u128 lo, warden_u128 hi,
                      const struct warden_pfx *attrs)
{
    unsigned bits = v4 ? 32 : 128;
    struct warden_ip ip;
    if (!v4 && lo == 0 && hi == ~(warden_u128)0) {
        key_ip(&ip, 0, false);
        warden_intel_builder_add(b, &ip, 0, attrs);
        return;
    }
    for (;;) {
        unsigned k = 0; /* block of 2^k addresses */
        while (k + 1 < 128 && k < bits) {
            warden_u128 size = (warden_u128)1 << (k + 1);
            if ((lo & (size - 1)) || hi - lo < size - 1) break;
            k++;
        }
        key_ip(&ip, lo, v4);
        warden_intel_builder_add(b, &ip, bits - k, attrs);
        warden_u128 last = lo + (((warden_u128)1 << k) - 1);
        if (last >= hi) break;
        lo = last + 1;
    }
}

/* One CIDR-list line; false when it cannot be parsed. */
static bool list_line(struct warden_intel_builder *b, const char *s, size_t n, uint32_t cats,
                      uint32_t provider)
{
    struct warden_pfx p;
    memset(&p, 0, sizeof p);
    p.fields = WARDEN_PF_LIST;
    p.cats = cats;
    p.provider = provider;
    const char *comma = memchr(s, ',', n);
    size_t first = comma ? (size_t)(comma - s) : n;
    char *f0 = (char *)s;
    size_t n0 = first;
    trim(&f0, &n0);
    struct warden_ip ip;
    unsigned plen;
    if (memchr(f0, '/', n0) || !comma) {
        if (warden_ip_parse_cidr(&ip, &plen, f0, n0)) return false;
        warden_intel_builder_add(b, &ip, plen, &p);
        return true;
    }
    /* start,end[,name,...] */
    const char *rest = comma + 1, *end = s + n;
    const char *c2 = memchr(rest, ',', (size_t)(end - rest));
    char *f1 = (char *)rest;
    size_t n1 = c2 ? (size_t)(c2 - rest) : (size_t)(end - rest);
    trim(&f1, &n1);
    struct warden_ip ip2;
    if (warden_ip_parse(&ip, f0, n0) || warden_ip_parse(&ip2, f1, n1)) return false;
    bool v4 = warden_ip_is_v4(&ip);
    if (v4 != warden_ip_is_v4(&ip2)) return false;
    warden_u128 lo = ip_key(&ip, v4), hi = ip_key(&ip2, v4);
    if (lo > hi) return false;
    if (!provider && c2) {
        char *f2 = (char *)c2 + 1;
        const char *c3 = memchr(f2, ',', (size_t)(end - f2));
        size_t n2 = c3 ? (size_t)(c3 - f2) : (size_t)(end - f2);
        trim(&f2, &n2);
        if (n2 >= 2 && f2[0] == '"' && f2[n2 - 1] == '"') f2++, n2 -= 2;
        p.provider = warden_strpool_add(&b->strings, f2, n2);
    }
    add_range(b, v4, lo, hi, &p);
    return true;
}

static bool asn_line(struct warden_intel_builder *b, const char *s, size_t n, uint32_t cats,
                     const char *provider)
{
    size_t i = 0;
    if (n && s[0] == '"') s++, n--; /* "123","name" */
    if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) i = 2;
    uint64_t v = 0;
    size_t d = 0;
    for (; i < n && isdigit((unsigned char)s[i]) && d < 11; i++, d++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (d == 0 || v == 0 || v > UINT32_MAX) return false;
    if (i < n && s[i] == '"') i++;
    if (i < n && !isspace((unsigned char)s[i]) && s[i] != ',' && s[i] != ';') return false;
    warden_intel_builder_add_asn(b, (uint32_t)v, cats, provider);
    return true;
}

static int load(struct warden_intel_builder *b, bool asn, uint32_t cats, const char *provider,
                const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s list %s: %s", asn ? "ASN" : "network", path, strerror(errno));
        return WARDEN_ECONFIG;
    }
    uint32_t prov =
        provider && *provider ? warden_strpool_add(&b->strings, provider, strlen(provider)) : 0;
    char *line = NULL;
    size_t cap = 0, lineno = 0, good = 0, bad = 0;
    ssize_t len;
    int rc = 0;
    int64_t as_of = 0;
    bool header = true; /* before the first entry */
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *s;
        size_t n;
        char *hash = header ? memchr(line, '#', (size_t)len) : NULL;
        if (hash && !as_of) {
            char what[48];
            size_t rest = (size_t)len - (size_t)(hash - line);
            if (warden_intel_comment_as_of(hash + 1, rest - 1, &as_of, what, sizeof what) < 0) {
                snprintf(err, errlen, "%s:%zu: as_of: expected YYYY-MM-DD, got '%s'", path, lineno,
                         what);
                rc = WARDEN_ECONFIG;
                break;
            }
        }
        if (!clean_line(line, (size_t)len, &s, &n)) continue;
        bool first = header;
        header = false;
        if (first && !has_digit(s, n)) continue; /* a CSV header */
        bool ok = asn ? asn_line(b, s, n, cats, provider) : list_line(b, s, n, cats, prov);
        if (ok) {
            good++;
            continue;
        }
        b->bad_lines++;
        if (++bad > WARN_MAX) continue;
        warden_warn("%s:%zu: not %s: '%.*s'; line skipped", path, lineno,
                    asn ? "an ASN" : "a CIDR, address or address range", (int)(n > 60 ? 60 : n), s);
    }
    if (rc) {
        /* a malformed date: reported in err */
    } else if (ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = WARDEN_EIO;
    } else if (bad > WARN_MAX) {
        warden_warn("%s: %zu more bad lines skipped", path, bad - WARN_MAX);
    }
    if (!rc && good == 0) {
        warden_warn("%s: no usable entries", path);
    }
    if (!rc) warden_intel_builder_source(b, path, as_of);
    free(line);
    fclose(f);
    return rc;
}

int warden_intel_load_list(struct warden_intel_builder *b, uint32_t cats, const char *provider,
                           const char *path, char *err, size_t errlen)
{
    return load(b, false, cats, provider, path, err, errlen);
}

int warden_intel_load_asn_list(struct warden_intel_builder *b, uint32_t cats, const char *provider,
                               const char *path, char *err, size_t errlen)
{
    return load(b, true, cats, provider, path, err, errlen);
}
