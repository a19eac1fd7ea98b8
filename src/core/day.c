/* day.c — calendar days for data freshness (see day.h). Civil-date
 * arithmetic after Howard Hinnant's days_from_civil, without libc's time
 * zone functions. */
#include "core/day.h"
#include "core/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void to_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int warden_day_parse(const char *s, size_t n, int64_t *day)
{
    unsigned v[3] = {0, 0, 0};
    static const size_t width[3] = {4, 2, 2};
    size_t pos = 0;
    if (n != 10) return WARDEN_EPARSE;
    for (int f = 0; f < 3; f++) {
        if (f && s[pos++] != '-') return WARDEN_EPARSE;
        for (size_t k = 0; k < width[f]; k++, pos++) {
            if (s[pos] < '0' || s[pos] > '9') return WARDEN_EPARSE;
            v[f] = v[f] * 10 + (unsigned)(s[pos] - '0');
        }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1) return WARDEN_EPARSE;
    int64_t z = from_civil(v[0], v[1], v[2]);
    int64_t y;
    unsigned m, d;
    to_civil(z, &y, &m, &d); /* 2026-02-30 comes back as March */
    if (y != (int64_t)v[0] || m != v[1] || d != v[2] || z <= 0) return WARDEN_EPARSE;
    *day = z;
    return 0;
}

char *warden_day_format(int64_t day, char buf[WARDEN_DAY_STRLEN])
{
    int64_t y;
    unsigned m, d;
    to_civil(day, &y, &m, &d);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02u-%02u", (int)(y % 10000), m % 100, d % 100);
    memcpy(buf, tmp, WARDEN_DAY_STRLEN - 1);
    buf[WARDEN_DAY_STRLEN - 1] = 0;
    return buf;
}

int64_t warden_day_today(void)
{
    return (int64_t)time(NULL) / 86400;
}

int64_t warden_day_age(int64_t as_of, int64_t today)
{
    if (as_of <= 0) return -1;
    return today > as_of ? today - as_of : 0;
}

bool warden_day_stale(int64_t as_of, int64_t today, int64_t max_age_days)
{
    if (max_age_days <= 0) return false;
    int64_t age = warden_day_age(as_of, today);
    return age < 0 || age > max_age_days;
}

char *warden_day_describe(char *buf, size_t n, int64_t as_of, int64_t today, int64_t max_age_days,
                          const char *key)
{
    char when[WARDEN_DAY_STRLEN];
    int64_t age = warden_day_age(as_of, today);
    int w = age >= 0 ? snprintf(buf, n, "as of %s, %" PRId64 " days",
                                warden_day_format(as_of, when), age)
                     : snprintf(buf, n, "as of: unknown");
    if (w > 0 && (size_t)w < n && warden_day_stale(as_of, today, max_age_days))
        snprintf(buf + w, n - (size_t)w, ": STALE (%s %" PRId64 ")", key, max_age_days);
    return buf;
}
