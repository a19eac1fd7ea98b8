/* fsutil.h — small file-system helpers shared by every command. */
#ifndef WARDEN_CORE_FSUTIL_H
#define WARDEN_CORE_FSUTIL_H

/* Create dir and its missing parents (mode 0755). Returns 0, or -1 with errno set. */
int warden_mkdir_p(const char *dir);
/* A data file named relative to the project's data directory: an absolute
 * path as it is, else the first readable of $WARDEN_DATA_DIR/rel, ./data/rel
 * and the source tree's data/rel, else rel. Returns an allocated string. */
char *warden_data_path(const char *rel);

#endif
