/* xalloc.h — allocation that never returns NULL.
 *
 * Running out of memory is not an input error Warden can report and skip, so
 * these abort with a message instead of making every caller handle NULL. */
#ifndef WARDEN_CORE_XALLOC_H
#define WARDEN_CORE_XALLOC_H
#include <stddef.h>

void *warden_xmalloc(size_t n);
void *warden_xcalloc(size_t nmemb, size_t size);
void *warden_xrealloc(void *p, size_t n);
char *warden_xstrdup(const char *s);
char *warden_xstrndup(const char *s, size_t n);
/* printf into a fresh string; never NULL. */
char *warden_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
