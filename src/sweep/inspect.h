/* inspect.h — verify a matched path and describe it, without disturbing it.
 *
 * Verification reads only what the catalogue asks for (the first bytes for
 * magic, package.json for a package, the symlink target), with O_NOATIME so
 * that a sweep does not change the "last used" time it reports. Credential
 * files are never opened. Files that may export API keys are read line by
 * line and only the variable names and line numbers are kept. */
#ifndef WARDEN_SWEEP_INSPECT_H
#define WARDEN_SWEEP_INSPECT_H
#include <stdbool.h>
#include <sys/stat.h>

#include "sweep/catalogue.h"
#include "sweep/scan.h"

/* Open name in dirfd for reading without following a symlink, with O_NOATIME
 * when permitted. Returns the fd or -1. */
int warden_sweep_open_noatime(int dirfd, const char *name);

/* Check the entry (name in dirfd, lstat'ed into sb) against footprint fp of
 * tool; on success fill it->version and it->link_target and return true.
 * exec_root: the scanned root when `version: {from: exec}` may run the binary
 * (see execver.h), else NULL. */
bool warden_sweep_verify(const struct warden_sweep_catalogue *c, int tool, int fp, int dirfd,
                         const char *name, const char *rel, const struct stat *sb,
                         const char *exec_root, struct warden_sweep_item *it);

/* Read an env file and collect which catalogued API-key variables it sets.
 * Returns the number of hits (0 when none, or on any read problem). */
size_t warden_sweep_env_scan(const struct warden_sweep_catalogue *c, int dirfd, const char *name,
                             struct warden_sweep_envhit **out);

#endif
