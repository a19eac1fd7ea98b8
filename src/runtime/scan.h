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
    bool quiet;       /* no progress line and no summary */
    const char *prog; /* prefix of error messages, e.g. "warden scan" */
};

/* Returns 0, WARDEN_ECONFIG (bad policy, lists or registry) or WARDEN_EIO
 * (an input or output failed); the reason is already printed on stderr. */
int warden_scan_run(const struct warden_scan_opts *o);

#endif
