/* lines.h — reading newline-delimited input fast: files, stdin ("-"), gzip.
 *
 * Reads large chunks and hands out each line in place (writable, so the
 * event decoder can unescape into it). Gzip input is detected by its magic
 * bytes, whatever the file is called. A line longer than the limit is not
 * buffered whole: it is skipped to its newline and reported as too long, so
 * one giant line can neither exhaust memory nor stop the run. */
#ifndef WARDEN_IO_LINES_H
#define WARDEN_IO_LINES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_lines;

#define WARDEN_LINES_DEFAULT_MAX (16u << 20) /* 16 MiB */

int warden_lines_open(struct warden_lines **out, const char *path, size_t max_line, char *err,
                      size_t errlen);
/* Next line: returns 1 and sets line/len (newline and a trailing CR removed),
 * 0 at end of input, WARDEN_EIO on a read or decompression error. When the
 * line exceeded the limit, *too_long is set, *line is NULL and *len is its
 * full length. *lineno is 1-based. */
int warden_lines_next(struct warden_lines *r, char **line, size_t *len, uint64_t *lineno,
                      bool *too_long);
/* Bytes consumed from the underlying file (compressed bytes for gzip) and its
 * size (0 when unknown, e.g. stdin), for progress display. */
uint64_t warden_lines_pos(const struct warden_lines *r);
uint64_t warden_lines_size(const struct warden_lines *r);
/* What the last WARDEN_EIO from warden_lines_next was ("truncated gzip
 * stream", an errno text, ...). A truncated or corrupt gzip file is an I/O
 * error, not a short input. */
const char *warden_lines_error(const struct warden_lines *r);
void warden_lines_close(struct warden_lines *r);

#endif
