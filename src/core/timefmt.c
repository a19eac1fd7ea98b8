/* timefmt.c — RFC 3339 parsing and formatting (proleptic Gregorian, UTC). */
#include "core/timefmt.h"
#include "core/error.h"

#include <stdbool.h>
#include <stdio.h>

/* Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t k, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* lenient: no offset at all reads as UTC (*naive set), and an offset may be
 * +HHMM without its colon (ISO 8601's basic form). */
static int ts_parse(const char *s, size_t n, int64_t *ms, bool lenient, bool *naive)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned Y, M, D, h, mi, sec;
    if (n < (lenient ? 19u : 20u)) return WARDEN_EPARSE;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
        !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return WARDEN_EPARSE;
    if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || sec > 60) return WARDEN_EPARSE;
    unsigned dim = mdays[M - 1] + (M == 2 && leap(Y));
    if (D > dim) return WARDEN_EPARSE;
    size_t i = 19;
    unsigned frac_ms = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t start = i, scale = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (scale < 3) {
                frac_ms = frac_ms * 10 + (unsigned)(s[i] - '0');
                scale++;
            }
            i++;
        }
        if (i == start) return WARDEN_EPARSE;
        while (scale < 3) frac_ms *= 10, scale++;
    }
    int64_t offset_min = 0;
    if (i >= n) {
        if (!lenient) return WARDEN_EPARSE;
        *naive = true; /* no offset: UTC */
    } else if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        unsigned oh, om;
        bool colon = n - i == 6, basic = lenient && n - i == 5;
        if ((!colon && !basic) || !digits(s + i + 1, 2, &oh) || (colon && s[i + 3] != ':') ||
            !digits(s + i + (colon ? 4 : 3), 2, &om) || oh > 23 || om > 59)
            return WARDEN_EPARSE;
        offset_min = (int64_t)(oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += colon ? 6 : 5;
    } else {
        return WARDEN_EPARSE;
    }
    if (i != n) return WARDEN_EPARSE;
    int64_t days = days_from_civil(Y, M, D);
    int64_t secs = days * 86400 + (int64_t)(h * 3600 + mi * 60 + (sec > 59 ? 59 : sec));
    *ms = (secs - offset_min * 60) * 1000 + frac_ms;
    return 0;
}

int warden_ts_parse(const char *s, size_t n, int64_t *ms)
{
    bool naive = false;
    return ts_parse(s, n, ms, false, &naive);
}

int warden_ts_parse_lenient(const char *s, size_t n, int64_t *ms, bool *naive)
{
    *naive = false;
    return ts_parse(s, n, ms, true, naive);
}

char *warden_ts_format(int64_t ms, char *buf)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    unsigned msec = (unsigned)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    unsigned sod = (unsigned)(secs - days * 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) { /* outside RFC 3339's range: clamp rather than mis-print */
        y = y < 0 ? 0 : 9999;
    }
    /* "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", without stdio (every finding
     * and verdict carries a time) */
    unsigned f[7] = {(unsigned)y,   m % 13,   d % 32,     sod / 3600 % 24,
                     sod / 60 % 60, sod % 60, msec % 1000};
    static const char width[7] = {4, 2, 2, 2, 2, 2, 3},
                      after[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
    char *p = buf;
    for (int i = 0; i < 7; i++) {
        unsigned v = f[i];
        for (int k = width[i] - 1; k >= 0; k--, v /= 10) p[k] = (char)('0' + v % 10);
        p += width[i];
        *p++ = after[i];
    }
    *p = 0;
    return buf;
}
