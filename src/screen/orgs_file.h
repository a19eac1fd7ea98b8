/* orgs_file.h — read orgs.jsonl (formats.md §3) into struct warden_org arrays,
 * for `warden screen --batch` until the registry's loader is available. */
#ifndef WARDEN_SCREEN_ORGS_FILE_H
#define WARDEN_SCREEN_ORGS_FILE_H
#include <stddef.h>

#include "registry/registry.h"

/* Bad lines are reported (FILE:LINE) and skipped; returns 0 or WARDEN_EIO. */
int warden_orgs_file_read(const char *path, struct warden_org **out, size_t *n, char *err,
                          size_t errlen);
void warden_orgs_file_free(struct warden_org *orgs, size_t n);

#endif
