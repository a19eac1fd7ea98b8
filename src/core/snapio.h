/* snapio.h — the block format of state snapshots: typed values written into
 * checksummed blocks, read back with every bound checked.
 *
 * Engine state snapshots (engine/snapshot.h, runtime.h warden_runtime_save)
 * are written through a warden_snapwriter and read through a
 * warden_snapreader; detectors with cross-account state write theirs through
 * the same objects (detector.h save/load), so this lives in the lowest layer.
 *
 * File layout (all integers little-endian):
 *
 *     header   "WRDNSNAP" (8 bytes), u32 format version, u32 largest block
 *     blocks   u32 tag (bit 31: the last block of its section), u32 length,
 *              payload (length bytes, at most the largest block),
 *              u64 XXH3-64 of the payload seeded with (tag << 32 | length)
 *
 * A section is a run of blocks with one tag; values may straddle blocks of
 * a section, never sections. The last section is WARDEN_SNAP_END, empty,
 * and nothing follows it. warden_snap_verify() reads a whole file once and
 * checks every block, so a truncated or corrupted file is refused before
 * anything is applied: loading is verify, rewind, then read.
 *
 * Values: u8/u32/u64/i64 (fixed width), f64 (IEEE bits), bytes (raw),
 * str (u32 length + bytes, at most WARDEN_SNAP_MAX_STR). A reader keeps the
 * first error (sticky): after it every get returns zeros, so a loop may
 * check warden_snap_failed() once per record instead of per value. */
#ifndef WARDEN_CORE_SNAPIO_H
#define WARDEN_CORE_SNAPIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WARDEN_SNAP_VERSION 1
#define WARDEN_SNAP_BLOCK (1u << 20) /* largest block payload written */
#define WARDEN_SNAP_MAX_STR (1u << 20)
#define WARDEN_SNAP_TAG(a, b, c, d)                                                                \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define WARDEN_SNAP_END WARDEN_SNAP_TAG('E', 'N', 'D', '.')

struct warden_snapwriter;
struct warden_snapreader;

/* ---- writing ---- */

/* Write the file header to f; values go into sections. */
struct warden_snapwriter *warden_snap_writer_new(FILE *f);
/* End: write the END section and flush. Returns 0 or WARDEN_EIO (the
 * first write error of the whole file); frees w either way. */
int warden_snap_writer_finish(struct warden_snapwriter *w);
/* A writer of sections only (no header, no END), e.g. into memory, whose
 * bytes the caller then copies into a file being written by another
 * writer (warden_snap_put_raw): a shard copied into memory under its lock,
 * written to disk after. Ended with warden_snap_writer_end (0 or
 * WARDEN_EIO; frees w). */
struct warden_snapwriter *warden_snap_writer_sections(FILE *f);
int warden_snap_writer_end(struct warden_snapwriter *w);
/* Whole blocks made by a sections writer, outside any section. */
void warden_snap_put_raw(struct warden_snapwriter *w, const void *p, size_t n);
void warden_snap_section_begin(struct warden_snapwriter *w, uint32_t tag);
void warden_snap_section_end(struct warden_snapwriter *w);
void warden_snap_put_bytes(struct warden_snapwriter *w, const void *p, size_t n);
void warden_snap_put_u8(struct warden_snapwriter *w, uint8_t v);
void warden_snap_put_u32(struct warden_snapwriter *w, uint32_t v);
void warden_snap_put_u64(struct warden_snapwriter *w, uint64_t v);
void warden_snap_put_i64(struct warden_snapwriter *w, int64_t v);
void warden_snap_put_f64(struct warden_snapwriter *w, double v);
/* A string of n bytes (s may be NULL when n is 0). */
void warden_snap_put_str(struct warden_snapwriter *w, const char *s, size_t n);
/* Bytes written to f so far (header and blocks). */
uint64_t warden_snap_written(const struct warden_snapwriter *w);

/* A detector's hash table of n fixed-size entries whose first 8 bytes are
 * a key (0 = empty): its size, then each occupied entry's index and bytes. */
void warden_snap_put_table(struct warden_snapwriter *w, const void *base, size_t n,
                           size_t entry_size);

/* ---- reading ---- */

/* Check a whole snapshot from f's position: header, every block's length
 * and checksum, sections well formed, END last. f is left at its end.
 * Returns 0, or WARDEN_EFORMAT / WARDEN_EIO with what and where in err
 * ("block 12 (section SHRD) at byte 1048596: checksum mismatch"). */
int warden_snap_verify(FILE *f, char *err, size_t errlen);

/* Read from f's position (a verified file: checks are repeated anyway). */
struct warden_snapreader *warden_snap_reader_new(FILE *f);
void warden_snap_reader_free(struct warden_snapreader *r);
/* The tag of the next section, without entering it (0 at a read error). */
uint32_t warden_snap_next(struct warden_snapreader *r);
/* Enter the next section; an error unless its tag is tag. */
void warden_snap_section_enter(struct warden_snapreader *r, uint32_t tag);
/* Leave the section: an error unless every byte of it was read. */
void warden_snap_section_leave(struct warden_snapreader *r);
void warden_snap_get_bytes(struct warden_snapreader *r, void *p, size_t n);
/* Skip the rest of the current section. */
void warden_snap_section_skip(struct warden_snapreader *r);
/* Skip n bytes of the current section. */
void warden_snap_skip(struct warden_snapreader *r, size_t n);
uint8_t warden_snap_get_u8(struct warden_snapreader *r);
uint32_t warden_snap_get_u32(struct warden_snapreader *r);
uint64_t warden_snap_get_u64(struct warden_snapreader *r);
int64_t warden_snap_get_i64(struct warden_snapreader *r);
double warden_snap_get_f64(struct warden_snapreader *r);
/* A string into buf (NUL-terminated); returns its length. Longer than
 * cap - 1 is an error. */
size_t warden_snap_get_str(struct warden_snapreader *r, char *buf, size_t cap);
/* Read a table written by warden_snap_put_table into base (n entries of
 * entry_size, zeroed first). 1, changing nothing, when the saved table has
 * another size (a detector load hook's "does not fit"); 0; or a negative
 * code with the reason in r. */
int warden_snap_get_table(struct warden_snapreader *r, void *base, size_t n, size_t entry_size);
/* Record an error (the first one wins); fmt as printf. */
void warden_snap_fail(struct warden_snapreader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool warden_snap_failed(const struct warden_snapreader *r);
/* The first error's text ("" when none). */
const char *warden_snap_error(const struct warden_snapreader *r);

/* What the snapshot being read was made with, and what loads it: hooks that
 * keep per-shard state can tell whether it was re-partitioned. */
struct warden_snap_layout {
    unsigned saved_shards, shards;
};
void warden_snap_set_layout(struct warden_snapreader *r, const struct warden_snap_layout *l);
const struct warden_snap_layout *warden_snap_layout(const struct warden_snapreader *r);

/* A tag as text ("SHRD"), for messages; buf of 5 bytes. */
const char *warden_snap_tag_name(uint32_t tag, char buf[5]);

#endif
