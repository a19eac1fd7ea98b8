/* day.h — calendar days for data freshness: "YYYY-MM-DD" <-> days since
 * 1970-01-01 (UTC), today, and the one rule every data source's age follows.
 *
 * Shipped data (IP network lists, the sweep catalogue) says which day it is
 * as of; commands warn when it is older than a configured number of days, or
 * carries no date at all. The rule is here once so that every source and
 * every command means the same by "stale". */
#ifndef WARDEN_CORE_DAY_H
#define WARDEN_CORE_DAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WARDEN_DAY_STRLEN 11 /* "YYYY-MM-DD" and a NUL */

/* s[0..n) as "YYYY-MM-DD" (a real calendar day after 1970-01-01) into
 * *day; 0 or WARDEN_EPARSE. */
int warden_day_parse(const char *s, size_t n, int64_t *day);
/* "YYYY-MM-DD" of day into buf; returns buf. */
char *warden_day_format(int64_t day, char buf[WARDEN_DAY_STRLEN]);
/* Today (UTC) in days since 1970-01-01. */
int64_t warden_day_today(void);
/* Age in days of data as of day `as_of` (0 = unknown: -1); never negative
 * for a known date. */
int64_t warden_day_age(int64_t as_of, int64_t today);
/* Older than max_age_days, or of unknown date; never when max_age_days <= 0. */
bool warden_day_stale(int64_t as_of, int64_t today, int64_t max_age_days);
/* "as of 2026-07-02, 151 days" (": STALE (KEY N)" appended when stale), or
 * "as of: unknown" into buf; returns buf. */
char *warden_day_describe(char *buf, size_t n, int64_t as_of, int64_t today, int64_t max_age_days,
                          const char *key);

#endif
