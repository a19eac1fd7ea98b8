/* cases.h — the case database (SQLite, WAL): cases, their findings, the audit trail.
 *
 * One case per actioned account (upserted at the end of each run, so a
 * re-run of the same data updates rather than duplicates), the findings that
 * explain it, and an append-only audit table with one row per action change
 * (who, when, from, to, why, shadow or enforced). Every run is recorded with
 * its inputs and counts. Writes are batched in transactions; WAL keeps the
 * file consistent if the process is killed mid-run. */
#ifndef WARDEN_STORE_CASES_H
#define WARDEN_STORE_CASES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verdict.h"

struct warden_store;

int warden_store_open(struct warden_store **out, const char *path, char *err, size_t errlen);
/* Close, committing anything pending. */
void warden_store_close(struct warden_store *s);

int warden_store_run_begin(struct warden_store *s, const char *policy_path, const char *inputs,
                           bool shadow);
int warden_store_run_end(struct warden_store *s, uint64_t events, uint64_t rejects,
                         uint64_t accounts, uint64_t actioned);
int warden_store_audit(struct warden_store *s, const struct warden_action_change *c);
/* Keep a finding of an actioned account for its case (called for every finding
 * whose policy action is not allow; others are only in findings.jsonl). */
int warden_store_finding(struct warden_store *s, const struct warden_finding *f);
int warden_store_case(struct warden_store *s, const struct warden_verdict *v);
int warden_store_commit(struct warden_store *s);
/* One linked-account cluster of the run (docs/clusters.md). */
int warden_store_cluster(struct warden_store *s, const struct warden_cluster_record *c);

/* The case database as a sink (io/sink.h): opens path and records a run. */
struct warden_sink_type;
extern const struct warden_sink_type warden_sink_cases;
int warden_sink_cases_open(void **self, const char *path, const char *policy_path,
                           const char *inputs_json, bool shadow, char *err, size_t errlen);

#endif
