/* tzdb.h — declared time zone → countries and UTC offset, from the system tz database.
 *
 * Location-consistency detectors compare a client's declared `client_tz`
 * (an IANA zone name) with the countries of its IP addresses, billing and
 * card. Which countries use a zone is read at start-up from the tz
 * database's own tables (package tzdata): `zone1970.tab` (a zone may serve
 * several countries), `zone.tab` beside it (one country per zone, including
 * zones that are links in zone1970.tab) and the `L` (link) lines of
 * `tzdata.zi` (old names such as Asia/Chongqing). A zone's standard UTC
 * offset is the POSIX TZ string at the end of its TZif file; when that file
 * is missing it is estimated from the zone's longitude. No country is built
 * into the code. Read-only after load; look-ups are one hash probe. */
#ifndef WARDEN_DETECT_TZDB_H
#define WARDEN_DETECT_TZDB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jbuf.h"

#define WARDEN_TZ_MAXCC 6

struct warden_tzzone {
    uint64_t hash;               /* hash of the zone name; 0 = empty slot */
    char cc[WARDEN_TZ_MAXCC][3]; /* countries using the zone */
    uint8_t ncc;
    int16_t offset_min; /* standard-time UTC offset, minutes east */
};

struct warden_tzdb;

/* Load from a zone1970.tab path (zone.tab, tzdata.zi and the TZif files are
 * looked up in its directory). Returns 0, or WARDEN_EIO with a reason in err
 * when the file cannot be read. */
int warden_tzdb_load(struct warden_tzdb **out, const char *zone1970_path, char *err, size_t errlen);
void warden_tzdb_free(struct warden_tzdb *db);
/* The zone of a declared name, or NULL when unknown. */
const struct warden_tzzone *warden_tzdb_zone(const struct warden_tzdb *db, const char *name,
                                             size_t n);
/* Does the zone serve country cc? */
bool warden_tzzone_has(const struct warden_tzzone *z, const char *cc);
/* Range of standard UTC offsets (minutes) of the zones a country uses;
 * false when the country has no zone in the database. */
bool warden_tzdb_country_offsets(const struct warden_tzdb *db, const char *cc, int *lo, int *hi);
size_t warden_tzdb_count(const struct warden_tzdb *db);

/* For detectors: load the table, or warn (naming the detector) and return
 * NULL, so that a missing tzdata package disables the time-zone checks
 * instead of stopping the run. */
struct warden_tzdb *warden_tzdb_open_or_warn(const char *path, const char *detector);

/* The zone an account declares, kept in its state across events (8 bytes,
 * no pointer: account state is saved raw in snapshots, detector.h): the
 * name is looked up again only when it changes. */
struct warden_tz_declared {
    uint32_t zone; /* slot + 1 of the zone in the table; 0 until a known zone is declared */
    uint32_t hash; /* of the last declared name */
};
/* The declared zone, or NULL (none, or a table where that slot now holds
 * another zone: a snapshot from a process with other tz data). */
const struct warden_tzzone *warden_tz_declared_zone(const struct warden_tzdb *db,
                                                    const struct warden_tz_declared *d);
/* Update from an event's client_tz (p, n); true when the zone changed. */
bool warden_tz_declared_update(const struct warden_tzdb *db, struct warden_tz_declared *d,
                               const char *p, size_t n);
/* Evidence keys client_tz (the event's name), tz_countries, tz_offset_min. */
void warden_tz_json(struct warden_jbuf *b, const struct warden_tzzone *z, const char *p, size_t n);

#endif
