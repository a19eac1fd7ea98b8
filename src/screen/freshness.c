/* freshness.c — how old each restricted-party list is, and a warning when
 * one is older than the policy allows (screen.max_age_days).
 *
 * A list screens only against the parties listed when it was published: an
 * organisation designated since is missed, silently. So every list carries
 * the day it is as of (the `as_of=YYYY-MM-DD` field of its lists.tsv line,
 * stamped with the download day by `warden lists update`, and kept in the
 * compiled file), and every command that opens the lists (scan, serve,
 * screen, lists) says when one is too old or has no date at all. */
#include "screen/internal.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/log.h"
#include "core/timefmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int warden_screen_parse_day(const char *s, int64_t *day)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return WARDEN_EPARSE;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return WARDEN_EPARSE;
    char ts[32];
    snprintf(ts, sizeof ts, "%sT00:00:00Z", s);
    int64_t ms;
    if (warden_ts_parse(ts, strlen(ts), &ms) != 0 || ms <= 0) return WARDEN_EPARSE;
    char back[WARDEN_TS_STRLEN];
    warden_ts_format(ms, back);
    if (strncmp(back, s, 10) != 0) return WARDEN_EPARSE; /* 2026-02-30 */
    *day = ms / 86400000;
    return 0;
}

int64_t warden_screen_today(void)
{
    return (int64_t)time(NULL) / 86400;
}

int64_t warden_screen_list_age(const struct warden_screen *s, size_t i, int64_t today)
{
    if (i >= s->n_lists || s->lists[i].as_of_day <= 0) return -1;
    int64_t age = today - s->lists[i].as_of_day;
    return age < 0 ? 0 : age;
}

bool warden_screen_list_stale(const struct warden_screen *s, size_t i, int64_t today,
                              int64_t max_age_days)
{
    if (max_age_days <= 0) return false;
    int64_t age = warden_screen_list_age(s, i, today);
    return age < 0 || age > max_age_days;
}

size_t warden_screen_warn_stale(const struct warden_screen *s, int64_t max_age_days)
{
    int64_t today = warden_screen_today();
    char buf[1024];
    size_t len = 0, n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < s->n_lists; i++) {
        if (!warden_screen_list_stale(s, i, today, max_age_days)) continue;
        int64_t age = warden_screen_list_age(s, i, today);
        char when[WARDEN_TS_STRLEN] = "";
        if (age >= 0) warden_ts_format(s->lists[i].as_of_day * 86400000, when);
        if (len < sizeof buf) {
            int w = age >= 0 ? snprintf(buf + len, sizeof buf - len,
                                        "%s%s (as of %.10s, %" PRId64 " days)", n ? ", " : "",
                                        s->lists[i].name, when, age)
                             : snprintf(buf + len, sizeof buf - len, "%s%s (no as_of date)",
                                        n ? ", " : "", s->lists[i].name);
            len += w > 0 ? (size_t)w : 0;
        }
        n++;
    }
    if (n)
        warden_warn("screen: %zu of %zu lists older than screen.max_age_days %" PRId64
                    ": %s%s; parties listed since are not screened: run `warden lists update`",
                    n, s->n_lists, max_age_days, buf, len >= sizeof buf ? "..." : "");
    return n;
}

void warden_screen_list_age_text(char *buf, size_t n, const struct warden_screen *s, size_t i)
{
    int64_t today = warden_screen_today(), age = warden_screen_list_age(s, i, today);
    bool stale = warden_screen_list_stale(s, i, today, s->conf.max_age_days);
    char when[WARDEN_TS_STRLEN] = "";
    if (age >= 0) warden_ts_format(s->lists[i].as_of_day * 86400000, when);
    int w = age >= 0 ? snprintf(buf, n, "as of %.10s, %" PRId64 " days", when, age)
                     : snprintf(buf, n, "as of: unknown");
    if (stale && w > 0 && (size_t)w < n)
        snprintf(buf + w, n - (size_t)w, ": STALE (screen.max_age_days %" PRId64 ")",
                 s->conf.max_age_days);
}

void warden_screen_list_age_json(struct warden_jbuf *b, const struct warden_screen *s, size_t i)
{
    int64_t today = warden_screen_today(), age = warden_screen_list_age(s, i, today);
    char when[WARDEN_TS_STRLEN];
    if (age >= 0) {
        warden_ts_format(s->lists[i].as_of_day * 86400000, when);
        when[10] = 0;
        warden_jbuf_kv_str(b, "as_of", when);
        warden_jbuf_kv_int(b, "age_days", age);
    } else {
        warden_jbuf_kv_str(b, "as_of", NULL);
        warden_jbuf_key(b, "age_days");
        warden_jbuf_null(b);
    }
    warden_jbuf_kv_bool(b, "stale", warden_screen_list_stale(s, i, today, s->conf.max_age_days));
}
