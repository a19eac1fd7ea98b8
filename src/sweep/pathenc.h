/* pathenc.h — file names with odd bytes, shown safely and kept losslessly.
 *
 * A file name is any bytes but '/' and NUL; JSON strings must be UTF-8 and a
 * terminal must not receive control characters. Reports therefore show a
 * readable form (invalid UTF-8 and control bytes as \xNN) and, when that
 * differs from the bytes, also the exact bytes in hex; the quarantine
 * manifest always stores paths as hex so restore puts back the exact name. */
#ifndef WARDEN_SWEEP_PATHENC_H
#define WARDEN_SWEEP_PATHENC_H
#include <stdbool.h>
#include <stddef.h>

/* Printable form of s[0..n): valid UTF-8 kept, other bytes and controls as
 * \xNN, backslash as \\. *exact set to whether the result equals s. */
char *warden_sweep_path_show(const char *s, size_t n, bool *exact);
/* Lower-case hex of s[0..n). */
char *warden_sweep_hex(const char *s, size_t n);
/* Decode hex; NULL on bad input. *n gets the byte count (a NUL is appended). */
char *warden_sweep_unhex(const char *h, size_t *n);

#endif
