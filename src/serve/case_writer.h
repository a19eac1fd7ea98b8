/* case_writer.h — warden serve's own actions into cases.db (config cases,
 * cases_record).
 *
 * An account that warden serve reviews, throttles or blocks inline gets its
 * case, the findings behind it and an audit row per action change in the
 * same case database the review console and `warden explain` read, as a
 * scan would have written them. The decision path must not wait for a disk:
 * the sink callbacks (called on the deciding thread, under its shard lock)
 * copy what they are given into a bounded queue and return; a writer thread
 * stages the rows and merges them into cases.db every second or so in one
 * write transaction (store/cases.h, warden_store_merge: idempotent, an
 * analyst's status and notes untouched). When the queue is full, rows are
 * dropped and counted, never waited for. The process is one run of
 * cases.db (runs table), ended at stop with every actioned account's final
 * verdict. */
#ifndef WARDEN_SERVE_CASE_WRITER_H
#define WARDEN_SERVE_CASE_WRITER_H
#include <stddef.h>
#include <stdint.h>

#include "core/verdict.h"
#include "io/sink.h"

struct warden_case_writer;

struct warden_case_writer_stats {
    uint64_t findings, audits, cases; /* rows written (staged and merged) */
    uint64_t clusters;                /* cluster records (and removals) written */
    uint64_t dropped;                 /* rows not written: the queue was full */
    uint64_t merges, merge_failures;
};

/* Open cases.db at path (created with its schema when missing) and begin
 * the run (policy path and SHA-256, shadow flag, where it listens). */
int warden_case_writer_start(struct warden_case_writer **out, const char *path,
                             const char *policy_path, const char *policy_sha256, bool shadow,
                             const char *origin, size_t max_queue, char *err, size_t errlen);
/* The sink to add to each runtime the server builds (reloads included). */
extern const struct warden_sink_type warden_case_writer_sink;
/* Queue an account's verdict as its case (the final verdicts at stop). */
void warden_case_writer_verdict(struct warden_case_writer *w, const struct warden_verdict *v);
/* Queue a cluster's record (clusters table), or that the cluster joined
 * another (its rows removed): the server's walk of the link detector's
 * clusters (warden_detect_link_records). */
void warden_case_writer_cluster(struct warden_case_writer *w,
                                const struct warden_cluster_record *r);
void warden_case_writer_cluster_gone(struct warden_case_writer *w, const char *cluster_id);
void warden_case_writer_stats(struct warden_case_writer *w, struct warden_case_writer_stats *st);
/* Write what is queued, end the run with these totals, close. */
void warden_case_writer_stop(struct warden_case_writer *w, const struct warden_run_totals *t);

#endif
