/* distill_cadence.c — signal distill.machine_cadence: traffic timed by a
 * scheduler rather than by people.
 *
 * What it measures. (1) Regularity: the coefficient of variation of
 * inter-arrival gaps, exponentially weighted over about the last 20 gaps; a
 * paced harvester spaces its requests evenly (CV well under 1), people come
 * in sessions separated by hours (CV above 1). Mapped from CV 1.0..0.3 to
 * 0..1. A script run in batches (a few dozen requests paced by a sleep, then
 * a pause of an hour or more) has one long gap per batch, which keeps the CV
 * of all gaps above 1; so the gaps inside runs (under RUN_BREAK_S apart) are
 * weighed apart too, once some run has reached RUN_MIN gaps, and the more
 * regular of the two counts. People's sittings rarely run to RUN_MIN
 * requests, and their gaps inside one (reading, typing) vary by more than a
 * scheduler's jitter. (2) Around the clock: requests per UTC hour of day; an hour is quiet
 * when it has under a quarter of the mean hourly count, and the longest
 * circular run of quiet hours is people's night (5 hours or more gives 0, none
 * gives 1). Needs 24 requests over at least 20 hours; it uses no time zone,
 * declared or inferred. Score: the mean of the two.
 * Concurrency (gaps under one second) is counted for the evidence. Events
 * older than the newest one seen (disorder) update the hour counts, which do
 * not depend on order, but never the gap statistics: they are counted as late.
 *
 * Cost: a few float operations per request; 104 bytes.
 * Evasion: random (Poisson) jitter defeats (1); following a diurnal rhythm
 * on purpose defeats (2) at the cost of throughput. Apps serving end users
 * around the world run around the clock too: weak alone by design.
 *
 * Evidence: requests, gap_cv, run_gap_cv (-1 until a run reached RUN_MIN),
 * longest_run, quiet_hours_run, active_hours, concurrent_share, late. */
#include "detect/distill.h"

#include <math.h>

#define ALPHA 0.05f
#define RUN_BREAK_S 600.0f /* a longer gap ends a run (a sitting, a batch) */
#define RUN_MIN 20         /* gaps in one run before the runs' regularity counts */

void warden_distill_cadence_update(struct warden_distill_cadence *s, int64_t ts_ms)
{
    s->n++;
    int h = (int)((ts_ms / 3600000) % 24);
    if (h < 0) h += 24;
    if (++s->hour[h] == UINT16_MAX)
        for (int i = 0; i < 24; i++) s->hour[i] = (uint16_t)(s->hour[i] / 2);
    s->hours_seen |= 1u << h;
    if (s->n == 1) {
        s->first_ts = s->last_ts = ts_ms;
        return;
    }
    if (ts_ms < s->last_ts) {
        s->late++;
        if (ts_ms < s->first_ts) s->first_ts = ts_ms;
        return;
    }
    float g = (float)(ts_ms - s->last_ts) / 1000.0f;
    s->last_ts = ts_ms;
    if (g < 1.0f) s->concurrent++;
    if (s->gaps == 0) {
        s->gap_mean = g;
        s->gap_m2 = g * g;
    } else {
        s->gap_mean += ALPHA * (g - s->gap_mean);
        s->gap_m2 += ALPHA * (g * g - s->gap_m2);
    }
    s->gaps++;
    if (g >= RUN_BREAK_S) {
        s->run_len = 0;
        return;
    }
    if (s->run_mean == 0 && s->run_m2 == 0) {
        s->run_mean = g;
        s->run_m2 = g * g;
    } else {
        s->run_mean += ALPHA * (g - s->run_mean);
        s->run_m2 += ALPHA * (g * g - s->run_m2);
    }
    if (s->run_len < UINT16_MAX) s->run_len++;
    if (s->run_len > s->run_best) s->run_best = s->run_len;
}

static double gap_cv(const struct warden_distill_cadence *s)
{
    if (s->gaps < 8 || s->gap_mean <= 0) return -1;
    double var = (double)s->gap_m2 - (double)s->gap_mean * (double)s->gap_mean;
    return var > 0 ? sqrt(var) / s->gap_mean : 0;
}

/* The CV of gaps inside runs; -1 until some run reached RUN_MIN gaps. */
static double run_cv(const struct warden_distill_cadence *s)
{
    if (s->run_best < RUN_MIN || s->run_mean <= 0) return -1;
    double var = (double)s->run_m2 - (double)s->run_mean * (double)s->run_mean;
    return var > 0 ? sqrt(var) / s->run_mean : 0;
}

static double regularity(double cv)
{
    if (cv < 0) return 0;
    double reg = (1.0 - cv) / 0.7;
    return reg < 0 ? 0 : reg > 1 ? 1 : reg;
}

static int quiet_run(const struct warden_distill_cadence *s)
{
    if (s->n < 24 || s->last_ts - s->first_ts < 20 * 3600000LL) return -1;
    double tot = 0;
    for (int i = 0; i < 24; i++) tot += s->hour[i];
    double quiet = tot / 24.0 * 0.25;
    int best = 0, run = 0;
    for (int i = 0; i < 48; i++) { /* twice round: circular */
        if (s->hour[i % 24] < quiet) {
            if (++run > best) best = run;
        } else {
            run = 0;
        }
    }
    return best > 24 ? 24 : best;
}

int warden_distill_cadence_hours(const struct warden_distill_cadence *s)
{
    return warden_distill_popcount(s->hours_seen);
}

double warden_distill_cadence_score(const struct warden_distill_cadence *s)
{
    double reg = regularity(gap_cv(s)), in_runs = regularity(run_cv(s)), clock = 0;
    if (in_runs > reg) reg = in_runs;
    int q = quiet_run(s);
    if (q >= 0) {
        clock = (5.0 - q) / 5.0;
        clock = clock < 0 ? 0 : clock;
    }
    return 0.5 * reg + 0.5 * clock;
}

void warden_distill_cadence_evidence(const struct warden_distill_cadence *s, struct warden_jbuf *b)
{
    warden_jbuf_kv_int(b, "requests", s->n);
    warden_jbuf_kv_num(b, "gap_cv", gap_cv(s));
    warden_jbuf_kv_num(b, "run_gap_cv", run_cv(s));
    warden_jbuf_kv_int(b, "longest_run", s->run_best);
    warden_jbuf_kv_int(b, "quiet_hours_run", quiet_run(s));
    warden_jbuf_kv_int(b, "active_hours", warden_distill_cadence_hours(s));
    warden_jbuf_kv_num(b, "concurrent_share", s->gaps ? (double)s->concurrent / s->gaps : 0);
    warden_jbuf_kv_int(b, "late", s->late);
}
