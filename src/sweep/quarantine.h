/* quarantine.h — reversible removal of banned tools' footprints.
 *
 * `--quarantine DIR` moves every finding of a banned tool into DIR/data/N
 * (rename when on the same filesystem, else copy, verify and delete), after
 * first writing DIR/manifest.json: for every file, directory and symlink
 * moved, its exact original path (hex), owner, mode, times and SHA-256, and
 * its parent directory's times. Nothing moves unless the manifest was written,
 * so a read-only or full quarantine disk loses nothing. Where the catalogue
 * says so, a binary is replaced by a small wrapper that refuses to run and
 * names the manifest (less destructive than a missing command; restore removes
 * it). `--restore MANIFEST` puts everything back bit for bit: same bytes
 * (checked against the manifest), owner, mode and times. */
#ifndef WARDEN_SWEEP_QUARANTINE_H
#define WARDEN_SWEEP_QUARANTINE_H
#include <stdio.h>

#include "sweep/catalogue.h"
#include "sweep/scan.h"
#include "sweep/sweep_policy.h"

/* First line after the shebang of a wrapper left in place of a binary. */
#define WARDEN_SWEEP_WRAPPER_MARK "# warden-sweep-wrapper"

/* Marker file in every quarantine directory; sweeps never enter its data/. */
#define WARDEN_SWEEP_QUARANTINE_MARK ".warden-quarantine"

/* Quarantine the banned findings of r into dir (created if missing; must not
 * hold a manifest already). Progress lines go to log. Returns 0 when every
 * finding was moved, else a WARDEN_E* code with the first problem in err
 * (findings already moved stay recorded in the manifest). */
int warden_sweep_quarantine(const struct warden_sweep_result *r,
                            const struct warden_sweep_catalogue *c,
                            const struct warden_sweep_policy *p, const char *dir, FILE *log,
                            char *err, size_t errlen);

/* Restore from a manifest written by warden_sweep_quarantine. Returns 0 when
 * everything is back and verified, else a WARDEN_E* code with err. */
int warden_sweep_restore(const char *manifest, FILE *log, char *err, size_t errlen);

#endif
