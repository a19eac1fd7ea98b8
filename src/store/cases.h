/* cases.h — the case database (SQLite, WAL): cases, their findings, the audit trail.
 *
 * One case per actioned account, the findings that explain it, and an
 * append-only audit table with one row per action change (who, when, from,
 * to, why, shadow or enforced). Every run is recorded with its inputs (paths
 * and SHA-256), its policy (path and SHA-256), its key and counts.
 *
 * Re-running is idempotent: a run's rows are staged and merged in one
 * transaction at its end, where an audit row is added only for a change not
 * already recorded, findings are unique per (account, event time, detector,
 * code, occurrence) and a case is rewritten only when it differs. A run whose
 * key (SHA-256 of its inputs as read and of the policy) matches a finished
 * run is that run again: no new run row, the same run id. A run killed at any
 * point leaves only its run row, without finished_at (cases.c). A dismissed
 * case whose action was lifted is open again when a run brings a new action
 * change for its account (audited as review.reopen). */
#ifndef WARDEN_STORE_CASES_H
#define WARDEN_STORE_CASES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verdict.h"

struct warden_store;
struct sqlite3;

/* What identifies a run. */
struct warden_store_run {
    const char *policy_path;   /* NULL: the built-in policy */
    const char *policy_sha256; /* of the policy file */
    const char *inputs_json;   /* [{"role","path","sha256"}...] */
    const char *key;           /* SHA-256 of inputs and policy; NULL: never a repeat (stdin) */
    bool shadow;
    bool uuid_given; /* the caller named the run id: keep uuid */
    char uuid[65];   /* the run id written into outputs; run_begin sets an earlier
                        run's when this run repeats or resumes it */
};

int warden_store_open(struct warden_store **out, const char *path, char *err, size_t errlen);
/* Close, committing anything pending. */
void warden_store_close(struct warden_store *s);

int warden_store_run_begin(struct warden_store *s, struct warden_store_run *r);
/* After run_begin: true when a finished run had the same key (the store will not change). */
bool warden_store_run_repeat(const struct warden_store *s);
/* Merge the run's staged rows and mark it finished, in one transaction. */
int warden_store_run_end(struct warden_store *s, uint64_t events, uint64_t rejects,
                         uint64_t accounts, uint64_t actioned);
/* Merge the rows staged so far into cases.db (one write transaction) and
 * keep the run open: a long-running writer (warden serve) merges every few
 * seconds and ends its run when it stops. */
int warden_store_merge(struct warden_store *s);
int warden_store_audit(struct warden_store *s, const struct warden_action_change *c);
/* Keep a finding of an actioned account for its case (called for every finding
 * whose policy action is not allow; others are only in findings.jsonl). */
int warden_store_finding(struct warden_store *s, const struct warden_finding *f);
int warden_store_case(struct warden_store *s, const struct warden_verdict *v);
int warden_store_commit(struct warden_store *s);
/* One linked-account cluster of the run (docs/clusters.md). */
int warden_store_cluster(struct warden_store *s, const struct warden_cluster_record *c);
/* The cluster no longer exists (it joined another): its records, of any
 * run, are removed at the merge (the Kafka linking stage's tombstones). */
int warden_store_cluster_gone(struct warden_store *s, const char *cluster_id);

/* The case database as a sink (io/sink.h): opens path and records a run. */
struct warden_sink_type;
extern const struct warden_sink_type warden_sink_cases;
int warden_sink_cases_open(void **self, const char *path, struct warden_store_run *run, char *err,
                           size_t errlen);
/* PRAGMA table_info says table has column (for schema upgrades). */
bool warden_store_has_column(struct sqlite3 *db, const char *table, const char *column);

#endif
