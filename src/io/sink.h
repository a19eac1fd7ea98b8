/* sink.h — where decisions go: one `const struct warden_sink_type` per kind
 * of output, each in its own file, Fluent Bit style.
 *
 * The runtime calls every sink as things happen — each finding, each action
 * change (the audit trail), each rejected input line — and at the end of a
 * run with the final verdicts, sorted by account id, then commit(). A sink
 * keeps its first error and reports it from commit(); free() without a
 * successful commit discards what it wrote (an output file keeps its
 * previous complete version). Today: JSON-lines files (sink_jsonl.c) and the
 * SQLite case database (store/sink_cases.c). An HTTP answer or a Kafka
 * topic is another value of this type. Any callback may be NULL. */
#ifndef WARDEN_IO_SINK_H
#define WARDEN_IO_SINK_H
#include <stddef.h>
#include <stdint.h>

#include "core/verdict.h"

/* Totals of a run, for the sinks that record runs. */
struct warden_run_totals {
    uint64_t events, rejects, late, accounts, actioned;
};

struct warden_sink_type {
    const char *name;
    void (*finding)(void *self, const struct warden_finding *f);
    void (*action)(void *self, const struct warden_action_change *c);
    void (*reject)(void *self, const char *origin, uint64_t line, const char *reason);
    /* End of run: every verdict to write, sorted by account id. */
    void (*verdict)(void *self, const struct warden_verdict *v);
    int (*commit)(void *self, const struct warden_run_totals *t, char *err, size_t errlen);
    void (*free)(void *self);
    /* End of run, before the verdicts: each linked-account cluster. */
    void (*cluster)(void *self, const struct warden_cluster_record *c);
};

/* JSON lines in dir: findings.jsonl, verdicts.jsonl, rejects.jsonl
 * (formats.md §4-5) and clusters.jsonl (docs/clusters.md), written under temporary names and
 * renamed on commit; every verdict and finding carries the run's shadow flag, policy hash and run
 * id (ri is copied). */
extern const struct warden_sink_type warden_sink_jsonl;
int warden_sink_jsonl_open(void **self, const char *dir, const struct warden_run_info *ri,
                           char *err, size_t errlen);

#endif
