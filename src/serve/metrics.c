/* metrics.c — GET /metrics: Prometheus text exposition 0.0.4 of the
 * server's requests, latency histogram (sub-millisecond buckets) and
 * decisions, and of the same named counter registry the scan summary reads
 * (core/counters.h: engine.events, engine.findings, ...). */
#include "serve/stats.h"

#include <inttypes.h>
#include <string.h>

const char *const warden_serve_ep_names[] = {
    "decide", "events", "authz",   "ext_authz", "healthz", "readyz", "metrics",
    "reload", "cases",  "console", "screen",    "litellm", "other",
};
_Static_assert(sizeof warden_serve_ep_names / sizeof warden_serve_ep_names[0] == WSE_N,
               "one name per endpoint of enum warden_serve_ep");
const unsigned warden_serve_codes[WARDEN_SERVE_N_CODES] = {200, 400, 401, 403, 404, 405,
                                                           413, 429, 500, 503, 0};
const double warden_serve_buckets[WARDEN_SERVE_N_BUCKETS] = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1.0};

void warden_serve_stats_request(struct warden_serve_stats *s, enum warden_serve_ep ep,
                                unsigned code, uint64_t ns)
{
    unsigned ci = WARDEN_SERVE_N_CODES - 1;
    for (unsigned i = 0; i + 1 < WARDEN_SERVE_N_CODES; i++)
        if (warden_serve_codes[i] == code) ci = i;
    atomic_fetch_add_explicit(&s->requests[ep][ci], 1, memory_order_relaxed);
    double sec = (double)ns / 1e9;
    unsigned b = 0;
    while (b < WARDEN_SERVE_N_BUCKETS && sec > warden_serve_buckets[b]) b++;
    atomic_fetch_add_explicit(&s->lat_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->lat_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->lat_sum_ns, ns, memory_order_relaxed);
}

void warden_serve_shard_stats_add(struct warden_serve_shard_stats *s,
                                  const struct warden_decision *d)
{
    s->decisions[d->enforced & 3]++;
    for (size_t i = 0; i < d->n_reasons; i++) {
        const char *code = d->reasons[i].code;
        unsigned k = 0;
        while (k < s->n_reasons && s->reason[k] != code) k++;
        if (k == s->n_reasons) {
            if (k == WARDEN_SERVE_MAX_REASONS) continue; /* more codes than slots: not counted */
            s->reason[k] = code;
            s->reason_n[k] = 0;
            s->n_reasons++;
        }
        s->reason_n[k]++;
    }
}

void warden_serve_metrics_render(FILE *out, const struct warden_serve_snapshot *snap)
{
    const struct warden_serve_stats *s = snap->stats;
    fputs("# HELP warden_http_requests_total HTTP requests answered, by endpoint and status.\n"
          "# TYPE warden_http_requests_total counter\n",
          out);
    for (unsigned e = 0; e < WSE_N; e++)
        for (unsigned c = 0; c < WARDEN_SERVE_N_CODES; c++) {
            uint64_t v = atomic_load_explicit(&s->requests[e][c], memory_order_relaxed);
            if (!v) continue;
            if (warden_serve_codes[c])
                fprintf(out,
                        "warden_http_requests_total{endpoint=\"%s\",code=\"%u\"} %" PRIu64 "\n",
                        warden_serve_ep_names[e], warden_serve_codes[c], v);
            else
                fprintf(out,
                        "warden_http_requests_total{endpoint=\"%s\",code=\"other\"} %" PRIu64 "\n",
                        warden_serve_ep_names[e], v);
        }
    fputs("# HELP warden_request_duration_seconds Time from a request's headers to its answer.\n"
          "# TYPE warden_request_duration_seconds histogram\n",
          out);
    uint64_t cum = 0;
    for (unsigned b = 0; b < WARDEN_SERVE_N_BUCKETS; b++) {
        cum += atomic_load_explicit(&s->lat_bucket[b], memory_order_relaxed);
        fprintf(out, "warden_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                warden_serve_buckets[b], cum);
    }
    cum += atomic_load_explicit(&s->lat_bucket[WARDEN_SERVE_N_BUCKETS], memory_order_relaxed);
    fprintf(out, "warden_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
    fprintf(out, "warden_request_duration_seconds_sum %.9f\n",
            (double)atomic_load_explicit(&s->lat_sum_ns, memory_order_relaxed) / 1e9);
    fprintf(out, "warden_request_duration_seconds_count %" PRIu64 "\n",
            atomic_load_explicit(&s->lat_count, memory_order_relaxed));

    fputs("# HELP warden_decisions_total Events decided, by the action enforced.\n"
          "# TYPE warden_decisions_total counter\n",
          out);
    for (int a = 0; a < 4; a++)
        fprintf(out, "warden_decisions_total{action=\"%s\"} %" PRIu64 "\n",
                warden_action_name((enum warden_action)a), snap->shards.decisions[a]);
    fputs("# HELP warden_decision_reasons_total Decisions carrying each reason code.\n"
          "# TYPE warden_decision_reasons_total counter\n",
          out);
    for (unsigned k = 0; k < snap->shards.n_reasons; k++)
        fprintf(out, "warden_decision_reasons_total{reason=\"%s\"} %" PRIu64 "\n",
                snap->shards.reason[k], snap->shards.reason_n[k]);
    fprintf(out,
            "# HELP warden_accounts_tracked Accounts held in the engine shards.\n"
            "# TYPE warden_accounts_tracked gauge\nwarden_accounts_tracked %" PRIu64 "\n",
            snap->accounts_tracked);
    fprintf(out,
            "# HELP warden_http_in_flight Requests being processed.\n"
            "# TYPE warden_http_in_flight gauge\nwarden_http_in_flight %" PRIu64 "\n",
            snap->in_flight);
    fprintf(out,
            "# HELP warden_policy_reloads_total Policy reloads by result.\n"
            "# TYPE warden_policy_reloads_total counter\n"
            "warden_policy_reloads_total{result=\"ok\"} %" PRIu64 "\n"
            "warden_policy_reloads_total{result=\"refused\"} %" PRIu64 "\n",
            (uint64_t)atomic_load(&s->reloads_ok), (uint64_t)atomic_load(&s->reloads_failed));
    fprintf(out,
            "# HELP warden_reload_accounts_decided_again_total Carried accounts whose action a "
            "reload's new rules changed, by direction.\n"
            "# TYPE warden_reload_accounts_decided_again_total counter\n"
            "warden_reload_accounts_decided_again_total{direction=\"raised\"} %" PRIu64 "\n"
            "warden_reload_accounts_decided_again_total{direction=\"lowered\"} %" PRIu64 "\n",
            (uint64_t)atomic_load(&s->rederived_raised),
            (uint64_t)atomic_load(&s->rederived_lowered));
    fprintf(out,
            "# HELP warden_shard_lock_contended_total Shard lock takers that found it held.\n"
            "# TYPE warden_shard_lock_contended_total counter\n"
            "warden_shard_lock_contended_total %" PRIu64 "\n"
            "# HELP warden_shard_lock_wait_seconds_total Time spent waiting for shard locks.\n"
            "# TYPE warden_shard_lock_wait_seconds_total counter\n"
            "warden_shard_lock_wait_seconds_total %.9f\n"
            "# HELP warden_shard_lock_wait_max_seconds Longest single wait for a shard lock.\n"
            "# TYPE warden_shard_lock_wait_max_seconds gauge\n"
            "warden_shard_lock_wait_max_seconds %.9f\n",
            (uint64_t)atomic_load(&s->lock_contended), (double)atomic_load(&s->lock_wait_ns) / 1e9,
            (double)atomic_load(&s->lock_wait_max_ns) / 1e9);
    fprintf(out,
            "# HELP warden_snapshots_total Background state snapshots by result.\n"
            "# TYPE warden_snapshots_total counter\n"
            "warden_snapshots_total{result=\"ok\"} %" PRIu64 "\n"
            "warden_snapshots_total{result=\"failed\"} %" PRIu64 "\n"
            "# HELP warden_snapshot_pause_seconds Shard locks held for a snapshot's cut: last.\n"
            "# TYPE warden_snapshot_pause_seconds gauge\n"
            "warden_snapshot_pause_seconds %.9f\n"
            "# HELP warden_snapshot_pause_max_seconds Shard locks held for a snapshot's cut: "
            "longest.\n"
            "# TYPE warden_snapshot_pause_max_seconds gauge\n"
            "warden_snapshot_pause_max_seconds %.9f\n",
            (uint64_t)atomic_load(&s->snaps_ok), (uint64_t)atomic_load(&s->snaps_failed),
            (double)atomic_load(&s->snap_pause_last_ns) / 1e9,
            (double)atomic_load(&s->snap_pause_max_ns) / 1e9);
    if (snap->has_cases) {
        const struct warden_case_writer_stats *c = &snap->cases;
        fprintf(out,
                "# HELP warden_case_rows_total Rows of the server's own actions written into "
                "cases.db.\n"
                "# TYPE warden_case_rows_total counter\n"
                "warden_case_rows_total{kind=\"finding\"} %" PRIu64 "\n"
                "warden_case_rows_total{kind=\"audit\"} %" PRIu64 "\n"
                "warden_case_rows_total{kind=\"case\"} %" PRIu64 "\n"
                "warden_case_rows_total{kind=\"cluster\"} %" PRIu64 "\n"
                "# HELP warden_case_rows_dropped_total Rows not written: the queue was full or "
                "staging failed.\n"
                "# TYPE warden_case_rows_dropped_total counter\n"
                "warden_case_rows_dropped_total %" PRIu64 "\n"
                "# HELP warden_case_merges_total Merges of staged rows into cases.db.\n"
                "# TYPE warden_case_merges_total counter\n"
                "warden_case_merges_total{result=\"ok\"} %" PRIu64 "\n"
                "warden_case_merges_total{result=\"failed\"} %" PRIu64 "\n",
                c->findings, c->audits, c->cases, c->clusters, c->dropped, c->merges,
                c->merge_failures);
    }
    warden_counters_prometheus(out, &snap->counters); /* the shared counter registry */
}
