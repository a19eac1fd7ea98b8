/* snapio.c — checksummed blocks of typed values (see snapio.h).
 *
 * The writer fills one block buffer and writes it out when it reaches
 * WARDEN_SNAP_BLOCK or its section ends; the reader holds one block at a
 * time. Per-account state slices are raw host bytes (detector.h), so a
 * snapshot moves between machines of the same byte order only; the integers
 * of the format itself are little-endian everywhere. */
#include "core/snapio.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static const char magic[8] = {'W', 'R', 'D', 'N', 'S', 'N', 'A', 'P'};
#define LAST_BIT 0x80000000u

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t block_sum(uint32_t tag, uint32_t len, const void *p)
{
    return XXH3_64bits_withSeed(p, len, (uint64_t)tag << 32 | len);
}

const char *warden_snap_tag_name(uint32_t tag, char buf[5])
{
    tag &= ~LAST_BIT;
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        buf[i] = c >= 32 && c < 127 ? (char)c : '?';
    }
    buf[4] = 0;
    return buf;
}

/* ---- writer ---- */

struct warden_snapwriter {
    FILE *f;
    unsigned char *buf;
    size_t len;
    uint32_t tag;
    bool open;
    int err;
    uint64_t written;
};

static void out(struct warden_snapwriter *w, const void *p, size_t n)
{
    if (w->err) return;
    if (n && fwrite(p, 1, n, w->f) != n) w->err = WARDEN_EIO;
    w->written += n;
}

static void flush_block(struct warden_snapwriter *w, bool last)
{
    unsigned char h[8], s[8];
    uint32_t tag = w->tag | (last ? LAST_BIT : 0);
    le32(h, tag);
    le32(h + 4, (uint32_t)w->len);
    le64(s, block_sum(tag, (uint32_t)w->len, w->buf));
    out(w, h, 8);
    out(w, w->buf, w->len);
    out(w, s, 8);
    w->len = 0;
}

struct warden_snapwriter *warden_snap_writer_new(FILE *f)
{
    struct warden_snapwriter *w = warden_xcalloc(1, sizeof *w);
    w->f = f;
    w->buf = warden_xmalloc(WARDEN_SNAP_BLOCK);
    unsigned char h[16];
    memcpy(h, magic, 8);
    le32(h + 8, WARDEN_SNAP_VERSION);
    le32(h + 12, WARDEN_SNAP_BLOCK);
    out(w, h, sizeof h);
    return w;
}

struct warden_snapwriter *warden_snap_writer_sections(FILE *f)
{
    struct warden_snapwriter *w = warden_xcalloc(1, sizeof *w);
    w->f = f;
    w->buf = warden_xmalloc(WARDEN_SNAP_BLOCK);
    return w;
}

int warden_snap_writer_end(struct warden_snapwriter *w)
{
    warden_snap_section_end(w);
    if (!w->err && fflush(w->f) != 0) w->err = WARDEN_EIO;
    int rc = w->err;
    free(w->buf);
    free(w);
    return rc;
}

void warden_snap_put_raw(struct warden_snapwriter *w, const void *p, size_t n)
{
    warden_snap_section_end(w);
    out(w, p, n);
}

void warden_snap_section_begin(struct warden_snapwriter *w, uint32_t tag)
{
    if (w->open) warden_snap_section_end(w);
    w->tag = tag & ~LAST_BIT;
    w->len = 0;
    w->open = true;
}

void warden_snap_section_end(struct warden_snapwriter *w)
{
    if (!w->open) return;
    flush_block(w, true);
    w->open = false;
}

int warden_snap_writer_finish(struct warden_snapwriter *w)
{
    warden_snap_section_begin(w, WARDEN_SNAP_END);
    return warden_snap_writer_end(w);
}

void warden_snap_put_bytes(struct warden_snapwriter *w, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n) {
        if (w->len == WARDEN_SNAP_BLOCK) flush_block(w, false);
        size_t k = WARDEN_SNAP_BLOCK - w->len;
        if (k > n) k = n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

void warden_snap_put_u8(struct warden_snapwriter *w, uint8_t v)
{
    warden_snap_put_bytes(w, &v, 1);
}

void warden_snap_put_u32(struct warden_snapwriter *w, uint32_t v)
{
    unsigned char b[4];
    le32(b, v);
    warden_snap_put_bytes(w, b, 4);
}

void warden_snap_put_u64(struct warden_snapwriter *w, uint64_t v)
{
    unsigned char b[8];
    le64(b, v);
    warden_snap_put_bytes(w, b, 8);
}

void warden_snap_put_i64(struct warden_snapwriter *w, int64_t v)
{
    warden_snap_put_u64(w, (uint64_t)v);
}

void warden_snap_put_f64(struct warden_snapwriter *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    warden_snap_put_u64(w, u);
}

void warden_snap_put_str(struct warden_snapwriter *w, const char *s, size_t n)
{
    if (n > WARDEN_SNAP_MAX_STR) n = WARDEN_SNAP_MAX_STR;
    warden_snap_put_u32(w, (uint32_t)n);
    warden_snap_put_bytes(w, s, n);
}

uint64_t warden_snap_written(const struct warden_snapwriter *w)
{
    return w->written;
}

/* ---- verification ---- */

static int read_header(FILE *f, char *err, size_t errlen)
{
    unsigned char h[16];
    size_t got = fread(h, 1, sizeof h, f);
    if (got == 0 && ferror(f)) {
        snprintf(err, errlen, "read failed: %s", strerror(errno));
        return WARDEN_EIO;
    }
    if (got < sizeof h || memcmp(h, magic, 8) != 0) {
        snprintf(err, errlen, "not a Warden state snapshot (no WRDNSNAP header)");
        return WARDEN_EFORMAT;
    }
    uint32_t v = rd32(h + 8), blk = rd32(h + 12);
    if (v != WARDEN_SNAP_VERSION) {
        snprintf(err, errlen, "snapshot format version %u, this Warden reads version %u", v,
                 WARDEN_SNAP_VERSION);
        return WARDEN_EFORMAT;
    }
    if (blk == 0 || blk > WARDEN_SNAP_BLOCK) {
        snprintf(err, errlen, "snapshot header: block size %u out of range", blk);
        return WARDEN_EFORMAT;
    }
    return 0;
}

/* One block into *buf (grown as needed). 1 at a block, 0 at a clean end of
 * file, or an error code with err set. */
static int read_block(FILE *f, unsigned char **buf, uint32_t *tag, uint32_t *len, uint64_t at,
                      uint64_t n, char *err, size_t errlen)
{
    unsigned char h[8], s[8];
    size_t got = fread(h, 1, 8, f);
    if (got == 0 && !ferror(f)) return 0;
    if (got < 8) {
        snprintf(err, errlen, "truncated: block %llu at byte %llu is cut short",
                 (unsigned long long)n, (unsigned long long)at);
        return WARDEN_EFORMAT;
    }
    *tag = rd32(h);
    *len = rd32(h + 4);
    char tn[5];
    if (*len > WARDEN_SNAP_BLOCK) {
        snprintf(err, errlen, "block %llu (section %s) at byte %llu: length %u too large",
                 (unsigned long long)n, warden_snap_tag_name(*tag, tn), (unsigned long long)at,
                 *len);
        return WARDEN_EFORMAT;
    }
    if (!*buf) *buf = warden_xmalloc(WARDEN_SNAP_BLOCK);
    if (fread(*buf, 1, *len, f) != *len || fread(s, 1, 8, f) != 8) {
        snprintf(err, errlen, "truncated: block %llu (section %s) at byte %llu is cut short",
                 (unsigned long long)n, warden_snap_tag_name(*tag, tn), (unsigned long long)at);
        return WARDEN_EFORMAT;
    }
    if (rd64(s) != block_sum(*tag, *len, *buf)) {
        snprintf(err, errlen, "block %llu (section %s) at byte %llu: checksum mismatch (corrupted)",
                 (unsigned long long)n, warden_snap_tag_name(*tag, tn), (unsigned long long)at);
        return WARDEN_EFORMAT;
    }
    return 1;
}

int warden_snap_verify(FILE *f, char *err, size_t errlen)
{
    int rc = read_header(f, err, errlen);
    if (rc) return rc;
    unsigned char *buf = NULL;
    uint64_t at = 16, n = 0;
    uint32_t cur = 0; /* tag of the open section, 0 between sections */
    bool ended = false;
    for (;;) {
        uint32_t tag, len;
        rc = read_block(f, &buf, &tag, &len, at, n, err, errlen);
        if (rc <= 0) break;
        char tn[5];
        if (ended) {
            snprintf(err, errlen, "block %llu at byte %llu follows the END section",
                     (unsigned long long)n, (unsigned long long)at);
            rc = WARDEN_EFORMAT;
            break;
        }
        uint32_t t = tag & ~LAST_BIT;
        if (cur && t != cur) {
            snprintf(err, errlen, "block %llu at byte %llu: section %s starts inside another",
                     (unsigned long long)n, (unsigned long long)at, warden_snap_tag_name(t, tn));
            rc = WARDEN_EFORMAT;
            break;
        }
        cur = tag & LAST_BIT ? 0 : t;
        if (t == WARDEN_SNAP_END) ended = true;
        at += 16 + (uint64_t)len;
        n++;
    }
    free(buf);
    if (rc < 0) return rc;
    if (ferror(f)) {
        snprintf(err, errlen, "read failed: %s", strerror(errno));
        return WARDEN_EIO;
    }
    if (!ended) {
        snprintf(err, errlen, "truncated: no END section after %llu blocks (%llu bytes)",
                 (unsigned long long)n, (unsigned long long)at);
        return WARDEN_EFORMAT;
    }
    return 0;
}

/* ---- reader ---- */

struct warden_snapreader {
    FILE *f;
    unsigned char *buf;
    uint32_t len, pos, tag; /* the block held; tag with LAST_BIT */
    bool have;              /* a block is held (read but maybe not entered) */
    bool inside;            /* its section was entered */
    bool started;           /* the header was read */
    uint64_t at, n;
    char err[512];
    struct warden_snap_layout layout;
};

struct warden_snapreader *warden_snap_reader_new(FILE *f)
{
    struct warden_snapreader *r = warden_xcalloc(1, sizeof *r);
    r->f = f;
    return r;
}

void warden_snap_reader_free(struct warden_snapreader *r)
{
    if (!r) return;
    free(r->buf);
    free(r);
}

void warden_snap_fail(struct warden_snapreader *r, const char *fmt, ...)
{
    if (r->err[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    if (!r->err[0]) snprintf(r->err, sizeof r->err, "error");
}

bool warden_snap_failed(const struct warden_snapreader *r)
{
    return r->err[0] != 0;
}

const char *warden_snap_error(const struct warden_snapreader *r)
{
    return r->err;
}

static bool next_block(struct warden_snapreader *r)
{
    if (r->err[0]) return false;
    if (!r->started) {
        r->started = true;
        if (read_header(r->f, r->err, sizeof r->err)) return false;
        r->at = 16;
    }
    uint32_t tag, len;
    int rc = read_block(r->f, &r->buf, &tag, &len, r->at, r->n, r->err, sizeof r->err);
    if (rc == 0) warden_snap_fail(r, "truncated: the file ends before the END section");
    if (rc <= 0) return false;
    r->at += 16 + (uint64_t)len;
    r->n++;
    r->tag = tag;
    r->len = len;
    r->pos = 0;
    r->have = true;
    return true;
}

uint32_t warden_snap_next(struct warden_snapreader *r)
{
    if (r->inside) warden_snap_section_leave(r);
    if (!r->have && !next_block(r)) return 0;
    /* 0 means "nothing more" to callers: a block tagged 0 would be read
     * again and again */
    if (!(r->tag & ~LAST_BIT)) {
        warden_snap_fail(r, "block %llu has no section tag", (unsigned long long)r->n);
        return 0;
    }
    return r->tag & ~LAST_BIT;
}

void warden_snap_section_enter(struct warden_snapreader *r, uint32_t tag)
{
    uint32_t t = warden_snap_next(r);
    if (r->err[0]) return;
    char a[5], b[5];
    if (t != tag) {
        warden_snap_fail(r, "expected section %s, found %s", warden_snap_tag_name(tag, a),
                         warden_snap_tag_name(t, b));
        return;
    }
    r->inside = true;
}

void warden_snap_section_leave(struct warden_snapreader *r)
{
    if (!r->inside) return;
    r->inside = false;
    char a[5];
    if (!r->err[0] && (r->pos != r->len || !(r->tag & LAST_BIT)))
        warden_snap_fail(r, "section %s has bytes this Warden did not read (block %llu)",
                         warden_snap_tag_name(r->tag, a), (unsigned long long)r->n);
    r->have = false;
}

void warden_snap_section_skip(struct warden_snapreader *r)
{
    while (r->inside && !r->err[0] && !(r->pos == r->len && (r->tag & LAST_BIT))) {
        r->pos = r->len;
        if (!(r->tag & LAST_BIT)) {
            uint32_t t = r->tag;
            if (next_block(r) && (r->tag & ~LAST_BIT) != (t & ~LAST_BIT))
                warden_snap_fail(r, "section ends early (block %llu)", (unsigned long long)r->n);
        }
    }
}

static void take(struct warden_snapreader *r, void *p, size_t n, bool copy)
{
    unsigned char *d = p;
    char a[5];
    while (n) {
        if (r->err[0] || !r->inside) {
            if (!r->err[0]) warden_snap_fail(r, "read outside a section");
            if (copy) memset(d, 0, n);
            return;
        }
        if (r->pos == r->len) {
            if (r->tag & LAST_BIT) {
                warden_snap_fail(r, "section %s ends early (block %llu)",
                                 warden_snap_tag_name(r->tag, a), (unsigned long long)r->n);
                continue;
            }
            uint32_t t = r->tag;
            if (!next_block(r)) continue;
            if ((r->tag & ~LAST_BIT) != (t & ~LAST_BIT)) {
                warden_snap_fail(r, "section %s ends early (block %llu)",
                                 warden_snap_tag_name(t, a), (unsigned long long)r->n);
                continue;
            }
        }
        size_t k = r->len - r->pos;
        if (k > n) k = n;
        if (copy) {
            memcpy(d, r->buf + r->pos, k);
            d += k;
        }
        r->pos += (uint32_t)k;
        n -= k;
    }
}

void warden_snap_get_bytes(struct warden_snapreader *r, void *p, size_t n)
{
    take(r, p, n, true);
}

void warden_snap_skip(struct warden_snapreader *r, size_t n)
{
    take(r, NULL, n, false);
}

uint8_t warden_snap_get_u8(struct warden_snapreader *r)
{
    uint8_t v;
    take(r, &v, 1, true);
    return v;
}

uint32_t warden_snap_get_u32(struct warden_snapreader *r)
{
    unsigned char b[4];
    take(r, b, 4, true);
    return rd32(b);
}

uint64_t warden_snap_get_u64(struct warden_snapreader *r)
{
    unsigned char b[8];
    take(r, b, 8, true);
    return rd64(b);
}

int64_t warden_snap_get_i64(struct warden_snapreader *r)
{
    return (int64_t)warden_snap_get_u64(r);
}

double warden_snap_get_f64(struct warden_snapreader *r)
{
    uint64_t u = warden_snap_get_u64(r);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

size_t warden_snap_get_str(struct warden_snapreader *r, char *buf, size_t cap)
{
    uint32_t n = warden_snap_get_u32(r);
    if (r->err[0] || n >= cap) {
        if (!r->err[0]) warden_snap_fail(r, "string of %u bytes, at most %zu expected", n, cap - 1);
        if (cap) buf[0] = 0;
        return 0;
    }
    take(r, buf, n, true);
    buf[r->err[0] ? 0 : n] = 0;
    return r->err[0] ? 0 : n;
}

void warden_snap_set_layout(struct warden_snapreader *r, const struct warden_snap_layout *l)
{
    r->layout = *l;
}

const struct warden_snap_layout *warden_snap_layout(const struct warden_snapreader *r)
{
    return &r->layout;
}

/* ---- detector tables ---- */

static bool occupied(const unsigned char *e)
{
    uint64_t key;
    memcpy(&key, e, sizeof key);
    return key != 0;
}

void warden_snap_put_table(struct warden_snapwriter *w, const void *base, size_t n,
                           size_t entry_size)
{
    const unsigned char *b = base;
    uint64_t used = 0;
    for (size_t i = 0; i < n; i++) used += occupied(b + i * entry_size);
    warden_snap_put_u64(w, n);
    warden_snap_put_u32(w, (uint32_t)entry_size);
    warden_snap_put_u64(w, used);
    for (size_t i = 0; i < n; i++) {
        if (!occupied(b + i * entry_size)) continue;
        warden_snap_put_u64(w, i);
        warden_snap_put_bytes(w, b + i * entry_size, entry_size);
    }
}

int warden_snap_get_table(struct warden_snapreader *r, void *base, size_t n, size_t entry_size)
{
    uint64_t sn = warden_snap_get_u64(r);
    uint32_t se = warden_snap_get_u32(r);
    if (warden_snap_failed(r)) return WARDEN_EFORMAT;
    if (sn != n || se != entry_size) return 1;
    uint64_t used = warden_snap_get_u64(r);
    if (used > n)
        warden_snap_fail(r, "table of %zu entries with %llu in use", n, (unsigned long long)used);
    unsigned char *b = base;
    memset(b, 0, n * entry_size);
    for (uint64_t k = 0; k < used && !warden_snap_failed(r); k++) {
        uint64_t i = warden_snap_get_u64(r);
        if (i >= n) {
            warden_snap_fail(r, "table entry %llu of %zu", (unsigned long long)i, n);
            break;
        }
        warden_snap_get_bytes(r, b + i * entry_size, entry_size);
    }
    return warden_snap_failed(r) ? WARDEN_EFORMAT : 0;
}
