/* execver.h — ask a found binary its version, without trusting it.
 *
 * Some installs carry no package.json and no version in their path (a
 * standalone binary in /usr/local/bin); the only source is `tool --version`.
 * Running a banned program as root would be reckless, so this is opt-in
 * (`warden sweep --exec-version`) and the program runs as its file's owner
 * (nobody when root owns it), with no supplementary groups, an empty
 * environment, stdin and stderr on /dev/null, a CPU limit and a wall-clock
 * deadline after which it is killed. Only the first 4 KiB of its standard
 * output are read. */
#ifndef WARDEN_SWEEP_EXECVER_H
#define WARDEN_SWEEP_EXECVER_H
#include <sys/types.h>

/* Run `path --version` as described; returns its output (NUL-terminated) or
 * NULL when it could not run, failed, or timed out. */
char *warden_sweep_exec_version(const char *path, uid_t owner, gid_t group, int timeout_ms);

#endif
