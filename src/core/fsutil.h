/* fsutil.h — small file-system helpers shared by every command. */
#ifndef WARDEN_CORE_FSUTIL_H
#define WARDEN_CORE_FSUTIL_H

/* Create dir and its missing parents (mode 0755). Returns 0, or -1 with errno set. */
int warden_mkdir_p(const char *dir);

#endif
