/* sorter.h — one input put in event-time order before it is run.
 *
 * The reorder buffer (reorder.h) puts in order what arrives within the
 * allowed lateness: the interleaving of gateway nodes and skewed clocks. A
 * file written in another order — grouped by account, shuffled, merged
 * from exports — is out of order by days, and every event that arrives
 * after a later one was released is late: counted, but kept out of every
 * time window, so cadence, bursts and sign-up timing go unseen. A batch
 * scan of a file has the whole input, so it can sort it first.
 *
 * A sorter sits between a source and the decoder and hands out the
 * source's raw lines, with their own origin and line number (rejects still
 * name the line of the file), in (timestamp, line) order:
 *
 *   stream  lines as they come (standard input and pipes by default: a live
 *           stream must not wait for its end);
 *   sort    every line read first, sorted, then handed out;
 *   auto    (regular files) the first probe_bytes are looked at, and one
 *           line at each of 64 evenly spaced places of the rest (not for
 *           gzip): when a line there is older than the newest before it by
 *           more than the lateness, the input is sorted, otherwise it is
 *           handed out as it comes.
 *
 * Sorting reads the line's timestamp without decoding it (the "ts" member;
 * a line where that fails is decoded on a copy, and one that does not
 * decode goes first, to be rejected). A regular file that is not gzip is
 * sorted by an index of its lines (40 bytes each, up to memory_bytes) read
 * back from a private map of the file: nothing copied, nothing written.
 * Otherwise lines are held in memory up to memory_bytes, sorted and
 * written as a run to an unnamed temporary file (O_TMPFILE in tmpdir:
 * nothing is left behind by a crash); the runs are then merged. Memory: the chunk (memory_bytes at
 * most) while reading, a 1 MiB buffer per run while merging; the last chunk stays in memory when
 * the input fits in one. Equal timestamps keep the input's order. */
#ifndef WARDEN_RUNTIME_SORTER_H
#define WARDEN_RUNTIME_SORTER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/source.h"

enum warden_order { WARDEN_ORDER_AUTO, WARDEN_ORDER_SORT, WARDEN_ORDER_STREAM };

struct warden_sorter_conf {
    enum warden_order order; /* auto means stream for an input that is not a regular file */
    int64_t lateness_ms;     /* auto: disorder beyond it sorts the input */
    size_t probe_bytes;      /* auto: bytes of lines looked at (0 = 64 MiB) */
    size_t memory_bytes;     /* lines held before a run is written (0 = 256 MiB) */
    size_t max_line;         /* auto: the limit the probe's own reader opens the file with */
    const char *tmpdir;      /* NULL: $TMPDIR, else /tmp */
};

struct warden_sorter;

/* Wrap the open input self of the given type. file: its name when it is a
 * regular file, which auto looks at through a reader of its own (type->open
 * again; nothing is held or copied: an input in order costs one read of its
 * first probe_bytes more), else NULL (a pipe or a terminal). The sorter does
 * not close self. */
struct warden_sorter *warden_sorter_new(const struct warden_source_type *type, void *self,
                                        const char *file, const struct warden_sorter_conf *c);
/* As type->next: 1 with *out set (its line valid until the next call), 0 at
 * the end, or a negative WARDEN_E* code with err set (a read error, or a
 * temporary file that could not be written). */
int warden_sorter_next(struct warden_sorter *s, struct warden_raw_line *out, char *err,
                       size_t errlen);
/* While a sorted input is handed out: the share of its lines handed out so
 * far, as a position in size (the input's size as given, or the file's);
 * pos and size are left alone otherwise. */
void warden_sorter_progress(const struct warden_sorter *s, uint64_t *pos, uint64_t *size);
/* Whether the input was sorted, and into how many runs on disk (0: it fit in memory). */
bool warden_sorter_sorted(const struct warden_sorter *s, uint64_t *runs);
void warden_sorter_free(struct warden_sorter *s);

/* The line's timestamp (epoch ms) read from its "ts" member without
 * decoding the line; 0, or -1 when there is no readable one. Exposed for tests. */
int warden_sorter_line_ts(const char *line, size_t len, int64_t *ts_ms);

#endif
