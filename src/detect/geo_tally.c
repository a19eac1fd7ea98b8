/* geo_tally.c — per-account country and hour-of-day tallies (see geo_tally.h). */
#include "detect/geo_tally.h"

#include <math.h>
#include <string.h>

void warden_cc_tally_add(struct warden_cc_tally *t, const char *cc)
{
    if (!cc || !cc[0]) cc = "--";
    for (int i = 0; i < WARDEN_CC_SLOTS; i++) {
        if (t->n[i] && t->cc[i][0] == cc[0] && t->cc[i][1] == cc[1]) {
            if (t->n[i] < UINT16_MAX) t->n[i]++;
            return;
        }
        if (!t->n[i]) {
            t->cc[i][0] = cc[0];
            t->cc[i][1] = cc[1];
            t->n[i] = 1;
            return;
        }
    }
    if (t->other < UINT16_MAX) t->other++;
}

uint32_t warden_cc_tally_get(const struct warden_cc_tally *t, const char *cc)
{
    if (!cc || !cc[0]) return 0;
    for (int i = 0; i < WARDEN_CC_SLOTS && t->n[i]; i++)
        if (t->cc[i][0] == cc[0] && t->cc[i][1] == cc[1]) return t->n[i];
    return 0;
}

uint32_t warden_cc_tally_total(const struct warden_cc_tally *t)
{
    uint32_t s = t->other;
    for (int i = 0; i < WARDEN_CC_SLOTS; i++) s += t->n[i];
    return s;
}

void warden_cc_tally_json(struct warden_jbuf *b, const struct warden_cc_tally *t)
{
    warden_jbuf_obj_open(b);
    for (int i = 0; i < WARDEN_CC_SLOTS && t->n[i]; i++) {
        char k[3] = {t->cc[i][0], t->cc[i][1], 0};
        warden_jbuf_kv_int(b, k, t->n[i]);
    }
    if (t->other) warden_jbuf_kv_int(b, "other", t->other);
    warden_jbuf_obj_close(b);
}

void warden_hour_tally_add(struct warden_hour_tally *t, int64_t ts_ms)
{
    int64_t h = (ts_ms / 3600000) % 24;
    if (h < 0) h += 24;
    if (t->h[h] == UINT16_MAX)
        for (int i = 0; i < 24; i++) t->h[i] /= 2;
    t->h[h]++;
}

/* cos and sin of the middle of each hour on the 24 h circle */
static double hour_cos[24], hour_sin[24];

void warden_hour_tally_setup(void)
{
    if (hour_sin[6] != 0) return; /* filled (sin of 6:30 is not 0) */
    for (int i = 0; i < 24; i++) {
        double a = (i + 0.5) * (2 * M_PI / 24);
        hour_cos[i] = cos(a);
        hour_sin[i] = sin(a);
    }
}

void warden_hour_tally_mean(const struct warden_hour_tally *t, double *hour, double *r)
{
    double x = 0, y = 0, n = 0;
    warden_hour_tally_setup();
    for (int i = 0; i < 24; i++) {
        x += t->h[i] * hour_cos[i];
        y += t->h[i] * hour_sin[i];
        n += t->h[i];
    }
    if (n == 0) {
        *hour = 0;
        *r = 0;
        return;
    }
    double m = atan2(y, x) * 24 / (2 * M_PI);
    *hour = m < 0 ? m + 24 : m;
    *r = sqrt(x * x + y * y) / n;
}

void warden_hour_tally_json(struct warden_jbuf *b, const struct warden_hour_tally *t,
                            int offset_min)
{
    int shift = ((offset_min / 60) % 24 + 24) % 24;
    warden_jbuf_arr_open(b);
    for (int local = 0; local < 24; local++) warden_jbuf_int(b, t->h[(local - shift + 24) % 24]);
    warden_jbuf_arr_close(b);
}

int warden_offset_diff(int a_min, int b_min)
{
    int d = ((a_min - b_min) % 1440 + 1440) % 1440;
    return d > 720 ? d - 1440 : d;
}

uint64_t warden_net_hash(const struct warden_ip *ip)
{
    const uint8_t *b = ip->b;
    uint64_t h = warden_ip_is_v4(ip)
                     ? ((uint64_t)b[12] << 16 | (uint64_t)b[13] << 8 | b[14])
                     : ((uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 | (uint64_t)b[2] << 24 |
                        (uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5]) ^
                           (1ull << 63);
    h ^= h >> 29;
    return h * 0x9E3779B97F4A7C15ull;
}
