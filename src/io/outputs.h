/* outputs.h — writing verdicts.jsonl, findings.jsonl, rejects.jsonl and clusters.jsonl
 * exactly as formats.md §4–5 define them.
 *
 * Output files are written under a temporary name and renamed into place
 * when the run completes, so a killed run never leaves a half-written file
 * where a previous complete one stood (and the next run removes what a
 * killed run left behind). Rejects hold file, line and reason,
 * never the line's content (it may contain prompt text). */
#ifndef WARDEN_IO_OUTPUTS_H
#define WARDEN_IO_OUTPUTS_H
#include <stdint.h>
#include <stdio.h>

#include "core/jbuf.h"
#include "core/verdict.h"

struct warden_outfile {
    FILE *f;
    char *path, *tmp;
};

int warden_outfile_open(struct warden_outfile *o, const char *dir, const char *name, char *err,
                        size_t errlen);
/* Flush, close and rename into place. */
int warden_outfile_commit(struct warden_outfile *o, char *err, size_t errlen);
/* Close and remove the temporary file (on failure). */
void warden_outfile_abort(struct warden_outfile *o);

/* ri may be NULL: the run fields (shadow, policy, run_id) are then left out. */
void warden_write_finding(struct warden_jbuf *b, FILE *f, const struct warden_finding *fd,
                          const struct warden_run_info *ri);
void warden_write_verdict(struct warden_jbuf *b, FILE *f, const struct warden_verdict *v,
                          const struct warden_run_info *ri);
/* One action change (the audit trail): ts (the event time of the change),
 * account_id, from, to, reason, score, shadow, and with ri policy and run_id
 * (the Kafka audit topic; schemas/audit.schema.json). */
void warden_write_action_change(struct warden_jbuf *b, FILE *f,
                                const struct warden_action_change *c,
                                const struct warden_run_info *ri);
/* clusters.jsonl (docs/clusters.md), and the two arrays it holds. */
void warden_write_cluster(struct warden_jbuf *b, FILE *f, const struct warden_cluster_record *c,
                          const struct warden_run_info *ri);
void warden_write_cluster_kinds(struct warden_jbuf *b, const struct warden_cluster_record *c);
void warden_write_cluster_ids(struct warden_jbuf *b, const struct warden_cluster_record *c);
void warden_write_reject(struct warden_jbuf *b, FILE *f, const char *file, uint64_t line,
                         const char *reason);

#endif
