/* timefmt.h — RFC 3339 timestamps <-> epoch milliseconds, without libc's
 * locale- and time-zone-dependent functions (fast and thread-safe). */
#ifndef WARDEN_CORE_TIMEFMT_H
#define WARDEN_CORE_TIMEFMT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WARDEN_TS_STRLEN 40

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (T may be t or space).
 * Returns 0 or WARDEN_EPARSE. */
int warden_ts_parse(const char *s, size_t n, int64_t *ms);
/* As warden_ts_parse, and also what log writers produce beside RFC 3339:
 * no offset at all (read as UTC; *naive set) and an offset without its
 * colon (+0200). For input files; the strict form is for everything else. */
int warden_ts_parse_lenient(const char *s, size_t n, int64_t *ms, bool *naive);
/* Format as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (WARDEN_TS_STRLEN bytes). */
char *warden_ts_format(int64_t ms, char *buf);

#endif
