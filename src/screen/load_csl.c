/* load_csl.c — the US Consolidated Screening List CSV (trade.gov): one row per
 * party from eleven US lists (OFAC SDN and non-SDN, BIS Entity List, Denied
 * Persons, Unverified, Military End User, State ISN/DTC...). Columns are found
 * by the header's names, so column order may change. Alternate names are
 * ';'-separated; each address ends with a country code. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/log.h"

#include <string.h>
#include <strings.h>

enum { C_SOURCE, C_NUM, C_TYPE, C_PROG, C_NAME, C_ADDR, C_ALT, C_CIT, C_NAT, C_IDS, C_REM, C_N };
static const char *const colnames[C_N] = {
    "source",    "entity_number", "type",          "programs", "name",   "addresses",
    "alt_names", "citizenships",  "nationalities", "ids",      "remarks"};

static void split_add(struct warden_screen *s, uint32_t e, const char *v, size_t n, char sep,
                      int what)
{
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && v[i] != sep) continue;
        const char *p = v + b;
        size_t l = i - b;
        b = i + 1;
        while (l && *p == ' ') p++, l--;
        if (!l) continue;
        if (what == 0) {
            warden_screen_add_name(s, e, p, l);
        } else if (what == 1) {
            warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ADDRESS, p, l);
            const char *c = p + l;
            while (c > p && c[-1] != ',') c--;
            warden_screen_add_country(s, e, c, l - (size_t)(c - p));
        } else if (what == 2) {
            warden_screen_add_country(s, e, p, l);
        } else {
            warden_screen_parse_remarks(s, e, p, l);
            warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ID, p, l);
        }
    }
}

int warden_screen_load_csl(struct warden_screen *s, const char *list, const char *path, char *err,
                           size_t errlen)
{
    struct warden_csv c;
    if (warden_csv_open(&c, path, ',') < 0) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    int col[C_N];
    for (int i = 0; i < C_N; i++) col[i] = -1;
    int r = warden_csv_next(&c);
    for (size_t i = 0; r > 0 && i < c.nf; i++) {
        size_t n;
        const char *h = warden_csv_field(&c, i, &n);
        for (int k = 0; k < C_N; k++)
            if (strlen(colnames[k]) == n && strncasecmp(h, colnames[k], n) == 0) col[k] = (int)i;
    }
    if (r <= 0 || col[C_NAME] < 0) {
        snprintf(err, errlen, "%s:1: not a Consolidated Screening List CSV (no 'name' column)",
                 path);
        warden_csv_close(&c);
        return WARDEN_EFORMAT;
    }
#define F(k, n) (col[k] >= 0 ? warden_csv_field(&c, (size_t)col[k], &(n)) : ((n) = 0, ""))
    while ((r = warden_csv_next(&c)) > 0) {
        size_t n, sn, pn, tn;
        if (warden_csv_blank(&c)) continue;
        const char *name = F(C_NAME, n);
        if (!n) {
            warden_warn("%s:%ld: row without a name; skipped", path, c.line);
            continue;
        }
        const char *src = F(C_SOURCE, sn);
        const char *prog = F(C_PROG, pn);
        const char *type = F(C_TYPE, tn);
        char pbuf[512], idbuf[64];
        snprintf(pbuf, sizeof pbuf, "%.*s%s%.*s", (int)pn, prog, pn && sn ? " | " : "", (int)sn,
                 src);
        size_t in;
        const char *num = F(C_NUM, in);
        if (in && in < sizeof idbuf)
            snprintf(idbuf, sizeof idbuf, "%.*s", (int)in, num);
        else
            snprintf(idbuf, sizeof idbuf, "line-%ld", c.line);
        enum warden_screen_kind k = WARDEN_SCREEN_KIND_UNKNOWN;
        if (tn && strncasecmp(type, "Entity", tn) == 0)
            k = WARDEN_SCREEN_KIND_ORG;
        else if (tn && strncasecmp(type, "Individual", tn) == 0)
            k = WARDEN_SCREEN_KIND_PERSON;
        else if (tn && strncasecmp(type, "Vessel", tn) == 0)
            k = WARDEN_SCREEN_KIND_VESSEL;
        else if (tn && strncasecmp(type, "Aircraft", tn) == 0)
            k = WARDEN_SCREEN_KIND_AIRCRAFT;
        uint32_t e = warden_screen_add_entity(s, list, idbuf, k, pbuf);
        warden_screen_add_name(s, e, name, n);
        const char *v = F(C_ALT, n);
        split_add(s, e, v, n, ';', 0);
        v = F(C_ADDR, n);
        split_add(s, e, v, n, ';', 1);
        v = F(C_CIT, n);
        split_add(s, e, v, n, ',', 2);
        v = F(C_NAT, n);
        split_add(s, e, v, n, ',', 2);
        v = F(C_IDS, n);
        split_add(s, e, v, n, ';', 3);
        v = F(C_REM, n);
        if (n) warden_screen_parse_remarks(s, e, v, n);
    }
#undef F
    if (r < 0) {
        snprintf(err, errlen, "%s:%ld: unterminated quoted field", path, c.line);
        warden_csv_close(&c);
        return WARDEN_EPARSE;
    }
    warden_csv_close(&c);
    return 0;
}
