/* distill_pivot.c — signal distill.model_pivot: an account that moves most
 * of its traffic to a newly seen model within a day, at a volume far above
 * its own past.
 *
 * What it measures. The detector context keeps, per worker, the models seen
 * and when each was first seen (WARDEN_DISTILL_MODELS entries; a model
 * appearing when the table is full is never treated as new). A model is new
 * when it first appeared at least history_s after the stream began (so the
 * first models of a run are not all "new") and at most new_model_s ago. An
 * account that already had traffic before the model appeared and then uses
 * it opens a 24-hour pivot window: requests in it, and on the new model.
 * Score: share on the new model (over requests + 2) x volume jump (requests
 * in the window over the account's own mean daily requests before it;
 * log2(jump)/3, so 8x or more gives 1).
 * People and apps adopt new models too, but gradually and at their usual
 * volume; harvesters wake up and pour their volume into the new one.
 *
 * Cost: one look-up in a 16-entry table per request; 40 bytes per account.
 * Evasion: ramping up over days, or fresh accounts for the new model (then
 * there is no "before" and the other signals remain).
 *
 * Evidence: pivot_model (hash, hex), requests_before, window_requests,
 * window_on_new_model, prior_daily, jump. */
#include "detect/distill.h"
#include "core/hash.h"

#include <math.h>
#include <stdio.h>

#define DAY_MS 86400000LL

static int64_t model_first(struct warden_distill_models *m, uint64_t h, int64_t ts)
{
    if (m->stream_start == 0 || ts < m->stream_start) m->stream_start = ts;
    for (unsigned i = 0; i < m->n; i++)
        if (m->hash[i] == h) {
            if (ts < m->first_ts[i]) m->first_ts[i] = ts;
            return m->first_ts[i];
        }
    if (m->n == WARDEN_DISTILL_MODELS) return INT64_MIN; /* full: never new */
    m->hash[m->n] = h;
    m->first_ts[m->n] = ts;
    m->n++;
    return ts;
}

void warden_distill_pivot_update(struct warden_distill_pivot *s, struct warden_distill_models *m,
                                 const struct warden_event *ev, int64_t new_model_s,
                                 int64_t history_s)
{
    int64_t ts = ev->ts_ms;
    if (s->first_ts == 0 || ts < s->first_ts) s->first_ts = ts;
    uint64_t h = ev->model.p && ev->model.n ? warden_hash64(ev->model.p, ev->model.n) | 1 : 0;
    if (!s->pivot_model) {
        if (h) {
            int64_t first = model_first(m, h, ts);
            bool is_new = first != INT64_MIN && first - m->stream_start >= history_s * 1000 &&
                          ts - first <= new_model_s * 1000 && s->first_ts < first;
            if (is_new && s->before > 0) {
                s->pivot_model = h;
                s->pivot_ts = ts;
            }
        }
        if (!s->pivot_model) {
            if (s->before < UINT32_MAX) s->before++;
            return;
        }
    }
    if (ts >= s->pivot_ts && ts < s->pivot_ts + DAY_MS) {
        s->day_all++;
        s->day_new += h == s->pivot_model;
    }
}

static double prior_daily(const struct warden_distill_pivot *s)
{
    double days = (double)(s->pivot_ts - s->first_ts) / DAY_MS;
    if (days < 1) days = 1;
    return (double)s->before / days;
}

double warden_distill_pivot_score(const struct warden_distill_pivot *s)
{
    if (!s->pivot_model || s->day_all < 5) return 0;
    double share = (double)s->day_new / ((double)s->day_all + 2.0);
    double prior = prior_daily(s);
    double jump = (double)s->day_all / (prior < 1 ? 1 : prior);
    double j = jump > 1 ? log2(jump) / 3.0 : 0;
    if (j > 1) j = 1;
    return share * j;
}

void warden_distill_pivot_evidence(const struct warden_distill_pivot *s, struct warden_jbuf *b)
{
    if (!s->pivot_model) {
        warden_jbuf_kv_int(b, "requests_before", s->before);
        return;
    }
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)s->pivot_model);
    warden_jbuf_kv_str(b, "pivot_model", hex);
    warden_jbuf_kv_int(b, "requests_before", s->before);
    warden_jbuf_kv_int(b, "window_requests", s->day_all);
    warden_jbuf_kv_int(b, "window_on_new_model", s->day_new);
    warden_jbuf_kv_num(b, "prior_daily", prior_daily(s));
    double prior = prior_daily(s);
    warden_jbuf_kv_num(b, "jump", (double)s->day_all / (prior < 1 ? 1 : prior));
}
