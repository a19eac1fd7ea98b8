/* review.h — the analyst's side of cases.db: queue queries, decisions,
 * appeals, notes and the review allowlist, every change audited.
 *
 * store/cases.c writes what a scan found (runs, cases, case_findings,
 * audit); this module reads it for the review console and the cases API of
 * `warden serve`, and records what people decide about it. It adds, on
 * open and idempotently, the tables it owns (case_notes, appeals,
 * review_allowlist), a `version` column on cases that a trigger bumps on
 * every change to a case row (whoever makes it: a decision or a re-scan),
 * and columns on audit (case_id, from_status, to_status, detail) so that a
 * review change is one audit row with its principal, time, from and to.
 *
 * Optimistic concurrency: a decision names the version of the case (or
 * appeal) it was made on; when the row changed since, nothing is written
 * and the call returns WARDEN_REVIEW_STALE (HTTP 409).
 *
 * One SQLite connection (WAL) guarded by a mutex: the API serves analysts at
 * human request rates, each query takes milliseconds with the indexes added
 * here, and SQLite admits one writer at a time anyway; the serving hot path
 * (/v1/decide) never touches it. Results are written as JSON into a jbuf. */
#ifndef WARDEN_STORE_REVIEW_H
#define WARDEN_STORE_REVIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/jbuf.h"

/* Returned (positive) when a decision names a stale version. */
#define WARDEN_REVIEW_STALE 1
#define WARDEN_REVIEW_MAX_LIMIT 500
#define WARDEN_REVIEW_MAX_TEXT 4000 /* bytes of a note or appeal statement */
#define WARDEN_REVIEW_MAX_REASONS 32

struct warden_review;

/* Open (creating the case schema when the file is new) and add the review
 * tables. 0, or WARDEN_EIO with err set. */
int warden_review_open(struct warden_review **out, const char *path, char *err, size_t errlen);
void warden_review_close(struct warden_review *r);

struct warden_review_query {
    const char *action, *reason, *status, *cluster, *account; /* exact; NULL: any */
    const char *from, *to; /* first_action_ts range, ISO 8601 (already validated) */
    const char *sort;      /* case_id score first_action_ts updated_at events action account_id */
    bool desc;
    int64_t limit, offset;
};

/* {total, limit, offset, items:[case...]}. WARDEN_EINVAL for a bad sort key. */
int warden_review_list(struct warden_review *r, const struct warden_review_query *q,
                       struct warden_jbuf *out);

/* Writes more "key": value pairs about a case's account and organisation
 * (org_id may be NULL), from what the caller knows (the registry). */
typedef void (*warden_review_extra_fn)(void *ctx, const char *account_id, const char *org_id,
                                       struct warden_jbuf *out);

/* One case: its row, findings with evidence, audit trail, notes, appeals,
 * the reasons allowlisted on review for its account, and what extra_fn (may
 * be NULL) adds. 0, WARDEN_ENOENT, or WARDEN_ELIB. */
int warden_review_case(struct warden_review *r, int64_t case_id, warden_review_extra_fn extra_fn,
                       void *ctx, struct warden_jbuf *out);

/* Cases sharing a cluster id: [{case_id, account_id, org_id, action, status}] (at most 200). */
int warden_review_cluster(struct warden_review *r, const char *cluster_id, struct warden_jbuf *out);
/* The cluster's newest record from the clusters table (members, member_ids,
 * edge_kinds by kind, edges, score, actioned and enforced members, action,
 * run_id), or null when the run wrote none. 0 or WARDEN_ELIB. */
int warden_review_cluster_record(struct warden_review *r, const char *cluster_id,
                                 struct warden_jbuf *out);

/* The overview: counts by status and action, the queue, top reasons, actions
 * and review decisions per day, runs (with their shadow flag). */
int warden_review_overview(struct warden_review *r, struct warden_jbuf *out);

/* Audit rows, newest first: of one case (case_id > 0) or all; paged. */
int warden_review_audit(struct warden_review *r, int64_t case_id, int64_t limit, int64_t offset,
                        struct warden_jbuf *out);

/* A decision on a case or an appeal. */
struct warden_review_decision {
    const char *principal;
    int64_t id;       /* case_id, or appeal_id for an appeal decision */
    int64_t version;  /* the version the decision was made on */
    const char *verb; /* case: confirm dismiss escalate; appeal: uphold deny */
    const char *note; /* required, at most WARDEN_REVIEW_MAX_TEXT bytes */
    /* dismiss / uphold: reason codes to allowlist for the account (each one
     * of the case's reasons); all_reasons: every reason of the case */
    const char *const *allow;
    size_t n_allow;
    bool all_reasons;
};

/* What a decision changed, for the caller to feed into the engine. */
struct warden_review_outcome {
    char account_id[256];
    bool lifted; /* the case's action was lifted to allow */
    char allowed[WARDEN_REVIEW_MAX_REASONS][64];
    size_t n_allowed;
    int64_t case_id, version;
};

/* 0, WARDEN_REVIEW_STALE (version changed: nothing written), WARDEN_ENOENT,
 * WARDEN_EINVAL (bad verb, note, reason or state: why in err), WARDEN_ELIB. */
int warden_review_decide(struct warden_review *r, const struct warden_review_decision *d,
                         struct warden_review_outcome *out, char *err, size_t errlen);
int warden_review_decide_appeal(struct warden_review *r, const struct warden_review_decision *d,
                                struct warden_review_outcome *out, char *err, size_t errlen);

/* Open an appeal on a case (d->verb unused; d->note is the statement). The
 * case must not have an open appeal. *appeal_id set. Same returns as decide. */
int warden_review_appeal(struct warden_review *r, const struct warden_review_decision *d,
                         int64_t *appeal_id, char *err, size_t errlen);

/* Add a note to a case. 0, WARDEN_ENOENT, WARDEN_EINVAL, WARDEN_ELIB. */
int warden_review_note(struct warden_review *r, int64_t case_id, const char *principal,
                       const char *text, char *err, size_t errlen);

/* Appeals, newest first, optionally by status: {total, items:[...]}. */
int warden_review_appeals(struct warden_review *r, const char *status, int64_t limit,
                          int64_t offset, struct warden_jbuf *out);

/* Every (account, reason) on the review allowlist. */
typedef void (*warden_review_allow_fn)(void *ctx, const char *account_id, const char *reason);
int warden_review_allowlist_each(struct warden_review *r, warden_review_allow_fn fn, void *ctx);

#endif
