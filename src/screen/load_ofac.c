/* load_ofac.c — OFAC's SDN and consolidated (non-SDN) lists in their CSV layout
 * without header: the primary file (ent_num, name, type, program, title, call
 * sign, vessel fields, remarks), alternate names (ent_num, alt_num, type, name,
 * remarks), addresses (ent_num, add_num, address, city/state/postal, country,
 * remarks) and the remarks overflow file (ent_num, remarks). A set without a
 * primary file (aliases and addresses only) makes one entity per ent_num named
 * by its aliases. Web sites, e-mail addresses, identifiers and nationalities are
 * taken from the remarks. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/log.h"

#include <stdbool.h>
#include <string.h>

static enum warden_screen_kind kind_of(const char *t, size_t n)
{
    if (n == 10 && strncmp(t, "individual", n) == 0) return WARDEN_SCREEN_KIND_PERSON;
    if (n == 6 && strncmp(t, "vessel", n) == 0) return WARDEN_SCREEN_KIND_VESSEL;
    if (n == 8 && strncmp(t, "aircraft", n) == 0) return WARDEN_SCREEN_KIND_AIRCRAFT;
    if (n == 0) return WARDEN_SCREEN_KIND_ORG;
    return WARDEN_SCREEN_KIND_UNKNOWN;
}

static int open_or_err(struct warden_csv *c, const char *path, char sep, char *err, size_t errlen)
{
    if (warden_csv_open(c, path, sep) < 0) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    return 0;
}

static void bad(const struct warden_csv *c, const char *why)
{
    warden_warn("%s:%ld: %s; record skipped", c->path, c->line, why);
}

/* Copy the record's ent_num (field 0) into id. Returns false when the record
 * is to be skipped: blank, fewer than min_fields fields (reported as
 * fields_msg), or no usable ent_num (reported when report_id). */
static bool record_id(struct warden_csv *c, size_t min_fields, const char *fields_msg,
                      bool report_id, char *id, size_t idlen)
{
    if (c->nf < min_fields) {
        if (!warden_csv_blank(c)) bad(c, fields_msg);
        return false;
    }
    size_t n;
    const char *f0 = warden_csv_field(c, 0, &n);
    if (!n || n >= idlen) {
        if (report_id) bad(c, "missing ent_num");
        return false;
    }
    memcpy(id, f0, n);
    id[n] = '\0';
    return true;
}

static int parse_err(struct warden_csv *c, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s:%ld: unterminated quoted field", c->path, c->line);
    warden_csv_close(c);
    return WARDEN_EPARSE;
}

int warden_screen_load_ofac(struct warden_screen *s, const char *list, const char *prim,
                            const char *alt, const char *add, const char *comments, char *err,
                            size_t errlen)
{
    struct warden_csv c;
    int r, rc;
    char id[64];
    size_t n;
    if (prim) {
        if ((rc = open_or_err(&c, prim, ',', err, errlen)) < 0) return rc;
        while ((r = warden_csv_next(&c)) > 0) {
            if (!record_id(&c, 4, "expected at least 4 fields", true, id, sizeof id)) continue;
            size_t tn, pn, nn;
            const char *t = warden_csv_field(&c, 2, &tn);
            const char *p = warden_csv_field(&c, 3, &pn);
            char prog[256];
            snprintf(prog, sizeof prog, "%.*s", (int)pn, p);
            uint32_t e = warden_screen_add_entity(s, list, id, kind_of(t, tn), prog);
            const char *name = warden_csv_field(&c, 1, &nn);
            warden_screen_add_name(s, e, name, nn);
            const char *flag = warden_csv_field(&c, 9, &n);
            if (n) warden_screen_add_country(s, e, flag, n);
            const char *rem = warden_csv_field(&c, 11, &n);
            if (n) warden_screen_parse_remarks(s, e, rem, n);
        }
        if (r < 0) return parse_err(&c, err, errlen);
        warden_csv_close(&c);
    }
    size_t orphans = 0;
    if (alt) {
        if ((rc = open_or_err(&c, alt, ',', err, errlen)) < 0) return rc;
        while ((r = warden_csv_next(&c)) > 0) {
            if (!record_id(&c, 4, "expected 5 fields", true, id, sizeof id)) continue;
            uint32_t e = warden_screen_find_entity(s, list, id);
            if (e == UINT32_MAX) {
                if (prim) {
                    orphans++;
                    continue;
                }
                e = warden_screen_add_entity(s, list, id, WARDEN_SCREEN_KIND_UNKNOWN, "");
            }
            const char *name = warden_csv_field(&c, 3, &n);
            warden_screen_add_name(s, e, name, n);
        }
        if (r < 0) return parse_err(&c, err, errlen);
        warden_csv_close(&c);
    }
    if (add) {
        if ((rc = open_or_err(&c, add, ',', err, errlen)) < 0) return rc;
        while ((r = warden_csv_next(&c)) > 0) {
            if (!record_id(&c, 5, "expected 6 fields", false, id, sizeof id)) continue;
            uint32_t e = warden_screen_find_entity(s, list, id);
            if (e == UINT32_MAX) {
                orphans++;
                continue;
            }
            size_t an, cn, kn;
            const char *a = warden_csv_field(&c, 2, &an);
            const char *city = warden_csv_field(&c, 3, &cn);
            const char *ctry = warden_csv_field(&c, 4, &kn);
            char buf[1024];
            int w = snprintf(buf, sizeof buf, "%.*s%s%.*s%s%.*s", (int)an, a, an && cn ? ", " : "",
                             (int)cn, city, (an || cn) && kn ? ", " : "", (int)kn, ctry);
            if (w > 0) warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ADDRESS, buf, strlen(buf));
            if (kn) warden_screen_add_country(s, e, ctry, kn);
        }
        if (r < 0) return parse_err(&c, err, errlen);
        warden_csv_close(&c);
    }
    if (comments) {
        if ((rc = open_or_err(&c, comments, ',', err, errlen)) < 0) return rc;
        while ((r = warden_csv_next(&c)) > 0) {
            if (!record_id(&c, 0, NULL, false, id, sizeof id)) continue;
            uint32_t e = warden_screen_find_entity(s, list, id);
            if (e == UINT32_MAX) {
                orphans++;
                continue;
            }
            const char *rem = warden_csv_field(&c, 1, &n);
            if (n) warden_screen_parse_remarks(s, e, rem, n);
        }
        if (r < 0) return parse_err(&c, err, errlen);
        warden_csv_close(&c);
    }
    if (orphans)
        warden_info("%s: %zu alias/address/remark rows name an ent_num not in the primary file",
                    list, orphans);
    return 0;
}
