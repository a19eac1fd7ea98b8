/* report.h — sweep results as JSON (for fleet tooling) and as a table (for people).
 *
 * Findings are grouped per user, then per tool: status from the policy,
 * version, total size, last used (latest atime/mtime), and every path with
 * its kind. Credentials are listed by existence, owner and mode only; env
 * files by the variable names and line numbers they set. No file content and
 * no secret value ever reaches a report. */
#ifndef WARDEN_SWEEP_REPORT_H
#define WARDEN_SWEEP_REPORT_H
#include <stddef.h>
#include <stdio.h>

#include "sweep/catalogue.h"
#include "sweep/scan.h"
#include "sweep/sweep_policy.h"

void warden_sweep_report_json(FILE *out, const struct warden_sweep_result *r,
                              const struct warden_sweep_catalogue *c,
                              const struct warden_sweep_policy *p);
void warden_sweep_report_table(FILE *out, const struct warden_sweep_result *r,
                               const struct warden_sweep_catalogue *c,
                               const struct warden_sweep_policy *p);
/* Number of (user, tool) groups whose tool is banned. */
size_t warden_sweep_banned_found(const struct warden_sweep_result *r,
                                 const struct warden_sweep_catalogue *c,
                                 const struct warden_sweep_policy *p);

#endif
