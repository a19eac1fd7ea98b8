/* scan.h — the scan job: event files in, an output directory out.
 *
 * What `warden scan` and `warden backtest` run, in-process: the runtime with
 * the JSON-lines source over the input files, the JSON-lines sink into
 * outdir and, unless no_db, the case database sink (outdir/cases.db); the
 * summary table on stdout and a progress line on a terminal. */
#ifndef WARDEN_RUNTIME_SCAN_H
#define WARDEN_RUNTIME_SCAN_H
#include <stdbool.h>
#include <stddef.h>

#include "runtime/runtime.h"

struct warden_scan_opts {
    struct warden_runtime_conf rt;
    const char *outdir;
    const char *const *inputs;
    size_t n_inputs;
    bool no_db;
    bool quiet;              /* no progress line and no summary */
    const char *prog;        /* prefix of error messages, e.g. "warden scan" */
    const char *run_id;      /* written into every verdict and finding; NULL: a random one */
    double max_reject_share; /* above it (or an input without one good line): WARDEN_EREJECTS */
    /* Engine state file (runtime.h snapshots): loaded before the run when
     * it exists (a bad one stops the run: WARDEN_EFORMAT), saved after it;
     * NULL: none. The verdicts written are then those of every run so far. */
    const char *state_path;
};

/* 32 random hex digits and a NUL. */
void warden_scan_new_run_id(char out[33]);

/* Returns 0, WARDEN_ECONFIG (bad policy, lists or registry), WARDEN_EIO
 * (an input or output failed) or WARDEN_EREJECTS (the run completed and its
 * outputs are written, but more than max_reject_share of the lines were
 * rejected, or an input had lines and not one good event); the reason is
 * already printed on stderr. */
int warden_scan_run(const struct warden_scan_opts *o);

#endif
