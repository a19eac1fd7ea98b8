/* load_dpl.c — the BIS Denied Persons List, tab-separated with a header row
 * (Name, Street_Address, City, State, Country, Postal_Code, Effective_Date,
 * Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation). One
 * entity per row: the list repeats a party once per address. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/log.h"

#include <string.h>
#include <strings.h>

int warden_screen_load_dpl(struct warden_screen *s, const char *list, const char *path, char *err,
                           size_t errlen)
{
    struct warden_csv c;
    if (warden_csv_open(&c, path, '\t') < 0) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    int r = warden_csv_next(&c);
    size_t n;
    const char *h = r > 0 ? warden_csv_field(&c, 0, &n) : "";
    if (r <= 0 || n != 4 || strncasecmp(h, "Name", 4) != 0) {
        snprintf(err, errlen, "%s:1: not a Denied Persons List (first column is not 'Name')", path);
        warden_csv_close(&c);
        return WARDEN_EFORMAT;
    }
    while ((r = warden_csv_next(&c)) > 0) {
        if (warden_csv_blank(&c)) continue;
        if (c.nf < 5) {
            warden_warn("%s:%ld: expected 12 tab-separated fields; skipped", path, c.line);
            continue;
        }
        const char *name = warden_csv_field(&c, 0, &n);
        if (!n) {
            warden_warn("%s:%ld: row without a name; skipped", path, c.line);
            continue;
        }
        char id[32], prog[128];
        snprintf(id, sizeof id, "line-%ld", c.line);
        size_t on, an, cn, stn, kn;
        const char *order = warden_csv_field(&c, 11, &on);
        snprintf(prog, sizeof prog, "%.*s", (int)on, order);
        uint32_t e = warden_screen_add_entity(s, list, id, WARDEN_SCREEN_KIND_UNKNOWN, prog);
        warden_screen_add_name(s, e, name, n);
        const char *a = warden_csv_field(&c, 1, &an);
        const char *city = warden_csv_field(&c, 2, &cn);
        const char *st = warden_csv_field(&c, 3, &stn);
        const char *ctry = warden_csv_field(&c, 4, &kn);
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s, %.*s, %.*s, %.*s", (int)an, a, (int)cn, city, (int)stn, st,
                 (int)kn, ctry);
        warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ADDRESS, buf, strlen(buf));
        if (kn) warden_screen_add_country(s, e, ctry, kn);
    }
    if (r < 0) {
        snprintf(err, errlen, "%s:%ld: unterminated quoted field", path, c.line);
        warden_csv_close(&c);
        return WARDEN_EPARSE;
    }
    warden_csv_close(&c);
    return 0;
}
