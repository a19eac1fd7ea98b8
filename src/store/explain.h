/* explain.h — read back why an account was actioned, from cases.db.
 *
 * A read-only query over the tables store/cases.c writes: the account's case
 * (action, score, reasons, first action, upserted across runs), its audit
 * trail (every action change Warden recorded, each once however often the
 * data was re-run) and, from the latest run that saw them, every finding
 * with its evidence. Used by
 * `warden explain`; opens the database read-only, so it can run beside a
 * scan that is writing it (WAL). */
#ifndef WARDEN_STORE_EXPLAIN_H
#define WARDEN_STORE_EXPLAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_explain_finding {
    char *ts, *detector, *code, *action, *evidence; /* evidence: a JSON object */
    double score;
};

struct warden_explain_audit {
    char *at, *event_ts, *from, *to, *reason;
    double score;
    bool shadow;
};

struct warden_explain {
    bool has_case;
    char *account_id, *org_id, *action, *reasons, *cluster_id, *first_action_ts, *status;
    double score;
    int64_t first_action_event, events;
    bool allowlisted;
    struct warden_explain_audit *audit;
    size_t n_audit;
    struct warden_explain_finding *findings;
    size_t n_findings;
};

/* Fill x for the account. Returns 0 (x->has_case false and no findings when
 * nothing is recorded for it), or WARDEN_EIO / WARDEN_ELIB with a reason in
 * err when the database cannot be opened or read. */
int warden_explain_load(struct warden_explain *x, const char *db_path, const char *account_id,
                        char *err, size_t errlen);
void warden_explain_fini(struct warden_explain *x);

#endif
