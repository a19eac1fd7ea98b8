/* tzdb.c — declared time zone → countries and UTC offset (see tzdb.h).
 *
 * Reads zone1970.tab ("CC[,CC...] COORDINATES ZONE ..."), zone.tab beside
 * it ("CC COORDINATES ZONE ...") and the link lines of tzdata.zi
 * ("L TARGET LINK"), merging the countries of every name. The standard
 * offset comes from the POSIX TZ footer of the zone's TZif file (e.g.
 * "CST-8" → +480 minutes), else from the longitude (15 degrees an hour). */
#include "detect/tzdb.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct warden_tzdb {
    struct warden_tzzone *slots;
    size_t mask, n;
    int16_t lo[26 * 26], hi[26 * 26];
    uint8_t has[26 * 26];
};

static int cc_index(const char *cc)
{
    if (!isupper((unsigned char)cc[0]) || !isupper((unsigned char)cc[1])) return -1;
    return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

static struct warden_tzzone *slot_for(struct warden_tzdb *db, const char *name, size_t n,
                                      bool create)
{
    uint64_t h = warden_hash64(name, n) | 1;
    for (size_t i = h & db->mask;; i = (i + 1) & db->mask) {
        struct warden_tzzone *z = &db->slots[i];
        if (z->hash == h) return z;
        if (z->hash == 0) {
            if (!create || db->n * 2 >= db->mask) return NULL;
            z->hash = h;
            z->offset_min = INT16_MIN;
            db->n++;
            return z;
        }
    }
}

static void add_cc(struct warden_tzzone *z, const char *cc)
{
    if (cc_index(cc) < 0 || warden_tzzone_has(z, cc) || z->ncc == WARDEN_TZ_MAXCC) return;
    memcpy(z->cc[z->ncc++], cc, 2);
}

/* Longitude of "+DDMM[SS]+DDDMM[SS]" in degrees east. */
static double longitude(const char *coord)
{
    const char *p = coord + 1;
    while (*p && *p != '+' && *p != '-') p++;
    if (!*p) return 0;
    int sign = *p == '-' ? -1 : 1;
    p++;
    size_t len = strspn(p, "0123456789");
    if (len < 5) return 0;
    double deg = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    double min = (p[3] - '0') * 10 + (p[4] - '0');
    return sign * (deg + min / 60.0);
}

/* Standard offset from the TZif footer "\nSTDoffset[DST...]\n"; INT16_MIN when unreadable. */
static int footer_offset(const char *dir, const char *zone)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, zone);
    FILE *f = fopen(path, "rb");
    if (!f) return INT16_MIN;
    char buf[160];
    long sz = 0;
    if (fseek(f, 0, SEEK_END) == 0) sz = ftell(f);
    long from = sz > (long)sizeof buf - 1 ? sz - (long)sizeof buf + 1 : 0;
    size_t got = 0;
    if (fseek(f, from, SEEK_SET) == 0) got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    if (got < 3 || buf[got - 1] != '\n') return INT16_MIN;
    buf[got - 1] = '\0';
    size_t i = got - 1; /* the footer line starts after the previous newline (data has NULs) */
    while (i > 0 && buf[i - 1] != '\n') i--;
    if (i == 0) return INT16_MIN;
    char *s = buf + i;
    if (*s == '<') {
        s = strchr(s, '>');
        if (!s) return INT16_MIN;
        s++;
    } else {
        while (isalpha((unsigned char)*s)) s++;
    }
    int sign = 1;
    if (*s == '+' || *s == '-') sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s)) return INT16_MIN;
    int h = (int)strtol(s, &s, 10), m = 0;
    if (*s == ':') m = (int)strtol(s + 1, &s, 10);
    return -sign * (h * 60 + m); /* POSIX offsets are west-positive */
}

static void read_tab(struct warden_tzdb *db, FILE *f, const char *dir)
{
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *save = NULL, *ccs = strtok_r(line, "\t\n", &save);
        char *coord = strtok_r(NULL, "\t\n", &save);
        char *zone = strtok_r(NULL, "\t\n", &save);
        if (!ccs || !coord || !zone) continue;
        struct warden_tzzone *z = slot_for(db, zone, strlen(zone), true);
        if (!z) continue;
        for (char *c = ccs; strlen(c) >= 2; c += 3) {
            add_cc(z, c);
            if (c[2] != ',') break;
        }
        if (z->offset_min == INT16_MIN) {
            int off = footer_offset(dir, zone);
            if (off == INT16_MIN) {
                double lon = longitude(coord);
                off = (int)(lon * 4.0 + (lon < 0 ? -30 : 30)) / 60 * 60;
            }
            z->offset_min = (int16_t)off;
        }
    }
}

/* "L TARGET LINK" lines: the link gets the target's countries and offset. */
static void read_links(struct warden_tzdb *db, FILE *f)
{
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (line[0] != 'L' || line[1] != ' ') continue;
        char *save = NULL;
        strtok_r(line, " \n", &save);
        char *target = strtok_r(NULL, " \n", &save), *link = strtok_r(NULL, " \n", &save);
        if (!target || !link) continue;
        const struct warden_tzzone *t = warden_tzdb_zone(db, target, strlen(target));
        if (!t || !t->ncc || warden_tzdb_zone(db, link, strlen(link))) continue;
        struct warden_tzzone copy = *t;
        struct warden_tzzone *z = slot_for(db, link, strlen(link), true);
        if (!z) continue;
        uint64_t h = z->hash;
        *z = copy;
        z->hash = h;
    }
}

int warden_tzdb_load(struct warden_tzdb **out, const char *zone1970_path, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(zone1970_path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read the time-zone table (package tzdata)",
                 zone1970_path);
        return WARDEN_EIO;
    }
    struct warden_tzdb *db = warden_xcalloc(1, sizeof *db);
    db->mask = 4095;
    db->slots = warden_xcalloc(db->mask + 1, sizeof *db->slots);
    char *dir = warden_xstrdup(zone1970_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, strlen(dir) + 1, ".");
    read_tab(db, f, dir);
    fclose(f);
    char *path = warden_xasprintf("%s/zone.tab", dir);
    if ((f = fopen(path, "r"))) {
        read_tab(db, f, dir);
        fclose(f);
    }
    free(path);
    path = warden_xasprintf("%s/tzdata.zi", dir);
    if ((f = fopen(path, "r"))) {
        read_links(db, f);
        fclose(f);
    }
    free(path);
    free(dir);
    for (size_t i = 0; i <= db->mask; i++) {
        const struct warden_tzzone *z = &db->slots[i];
        if (!z->hash) continue;
        for (unsigned k = 0; k < z->ncc; k++) {
            int c = cc_index(z->cc[k]);
            if (!db->has[c] || z->offset_min < db->lo[c]) db->lo[c] = z->offset_min;
            if (!db->has[c] || z->offset_min > db->hi[c]) db->hi[c] = z->offset_min;
            db->has[c] = 1;
        }
    }
    *out = db;
    return 0;
}

void warden_tzdb_free(struct warden_tzdb *db)
{
    if (!db) return;
    free(db->slots);
    free(db);
}

const struct warden_tzzone *warden_tzdb_zone(const struct warden_tzdb *db, const char *name,
                                             size_t n)
{
    if (!db || !name || !n) return NULL;
    return slot_for((struct warden_tzdb *)db, name, n, false);
}

bool warden_tzzone_has(const struct warden_tzzone *z, const char *cc)
{
    for (unsigned k = 0; k < z->ncc; k++)
        if (z->cc[k][0] == cc[0] && z->cc[k][1] == cc[1]) return true;
    return false;
}

bool warden_tzdb_country_offsets(const struct warden_tzdb *db, const char *cc, int *lo, int *hi)
{
    int c = cc_index(cc);
    if (!db || c < 0 || !db->has[c]) return false;
    *lo = db->lo[c];
    *hi = db->hi[c];
    return true;
}

size_t warden_tzdb_count(const struct warden_tzdb *db)
{
    return db ? db->n : 0;
}

struct warden_tzdb *warden_tzdb_open_or_warn(const char *path, const char *detector)
{
    struct warden_tzdb *db = NULL;
    char err[256];
    if (path && warden_tzdb_load(&db, path, err, sizeof err) < 0)
        warden_warn("%s: %s; declared time zones are not compared", detector, err);
    return db;
}

bool warden_tz_declared_update(const struct warden_tzdb *db, struct warden_tz_declared *d,
                               const char *p, size_t n)
{
    if (!db || !p || !n) return false;
    uint32_t h = (uint32_t)warden_hash64(p, n);
    const struct warden_tzzone *cur = warden_tz_declared_zone(db, d);
    if (h == d->hash && cur) return false;
    d->hash = h;
    const struct warden_tzzone *z = warden_tzdb_zone(db, p, n);
    if (!z || z == cur) return false;
    d->zone = (uint32_t)(z - db->slots) + 1;
    return true;
}

const struct warden_tzzone *warden_tz_declared_zone(const struct warden_tzdb *db,
                                                    const struct warden_tz_declared *d)
{
    if (!db || !d->zone || d->zone - 1 > db->mask) return NULL;
    const struct warden_tzzone *z = &db->slots[d->zone - 1];
    return (uint32_t)z->hash == (d->hash | 1u) ? z : NULL;
}

void warden_tz_json(struct warden_jbuf *b, const struct warden_tzzone *z, const char *p, size_t n)
{
    if (!z) return;
    warden_jbuf_key(b, "client_tz");
    warden_jbuf_str_val(b, p ? p : "", p ? n : 0);
    warden_jbuf_key(b, "tz_countries");
    warden_jbuf_arr_open(b);
    for (unsigned k = 0; k < z->ncc; k++) warden_jbuf_str_val(b, z->cc[k], 2);
    warden_jbuf_arr_close(b);
    warden_jbuf_kv_int(b, "tz_offset_min", z->offset_min);
}
