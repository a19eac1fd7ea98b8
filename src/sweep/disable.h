/* disable.h — the policy file a quarantine leaves to keep a tool disabled.
 *
 * Where the catalogue gives a tool a `disable:` file (Claude Code: its
 * endpoint-managed settings), a quarantine writes it when nothing exists at
 * that path, so that a copy the sweep missed, or a reinstall, starts
 * disabled. What was created (the file, its SHA-256, new directories, and the
 * times of the directory that received them) goes into the manifest; restore
 * removes exactly that, and leaves the file if someone changed it since.
 * The file is written as ".NAME.warden-tmp" beside its name and renamed into
 * place without replacing anything, so a kill leaves the whole file or none
 * (and perhaps the temporary name, which restore removes). */
#ifndef WARDEN_SWEEP_DISABLE_H
#define WARDEN_SWEEP_DISABLE_H
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "sweep/catalogue.h"
#include "sweep/manifest.h"

/* A policy file written to disable a tool (catalogue `disable:`), with the
 * directories created for it, so that restore can take them away again. */
struct warden_sweep_created {
    char *abs;
    const char *tool; /* the tool's id (borrowed from the catalogue) */
    char sha256[65];
    char **dirs; /* outermost first */
    size_t ndirs;
    char *top_parent;         /* the existing directory that received the first new entry */
    struct timespec times[2]; /* its atime and mtime before, put back on restore */
};

/* What warden_sweep_disable_write would create (the file, its SHA-256, the
 * directories, the top parent and its times), without creating anything, so
 * that it can be recorded in the manifest first: a quarantine killed while
 * writing it leaves nothing a restore does not know about. 0, or -1 when
 * something already exists at the path (logged) or the way there cannot be
 * read. */
int warden_sweep_disable_plan(const char *root, const struct warden_sweep_tool *t,
                              struct warden_sweep_created *cr, FILE *log);
/* Write t's disabling file under root (walking down without following
 * symlinks, creating missing directories); 0 when written, -1 when something
 * already exists there or writing failed (logged). */
int warden_sweep_disable_write(const char *root, const struct warden_sweep_tool *t,
                               struct warden_sweep_created *cr, FILE *log);
void warden_sweep_created_fini(struct warden_sweep_created *cr);
/* Undo one of the manifest's "created_files" beneath rootfd: the file is
 * removed only if it is still a regular file with the recorded SHA-256, the
 * directories only if empty, all through descriptors opened beneath the root
 * without following symlinks; then the top parent's times are put back. */
void warden_sweep_disable_remove(int rootfd, const struct warden_sweep_mcreated *c, FILE *log);

#endif
