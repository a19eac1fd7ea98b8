/* sorter.c — one input put in event-time order (sorter.h): a probe, chunks
 * sorted in memory, runs on unnamed temporary files, a k-way merge. */
#include "runtime/sorter.h"
#include "core/error.h"
#include "core/event.h"
#include "core/event_decode.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PROBE ((size_t)64 << 20)
#define DEFAULT_MEMORY ((size_t)256 << 20)
#define RUN_BUFFER (1u << 20)
#define TS_NONE INT64_MIN /* no readable timestamp: first, to be rejected */

struct rec {
    int64_t ts;
    uint64_t lineno;
    size_t off; /* in the chunk */
    size_t len;
    bool too_long;
};

/* A run on disk: each line as its header, then its bytes. */
struct run_hdr {
    int64_t ts;
    uint64_t lineno, len;
    uint64_t too_long;
};
struct run {
    FILE *f;
    char *line;
    size_t cap;
    struct rec cur;
};

enum phase { P_START, P_STREAM, P_MERGE };

struct warden_sorter {
    const struct warden_source_type *type;
    void *src;
    struct warden_sorter_conf c;
    char *file;     /* a regular file's name: the probe's reader, the index */
    size_t map_len; /* buf is a map of the file (index_file), of this length */
    enum phase phase;
    const char *origin;
    /* the chunk being read, or the last one (kept for the merge) */
    char *buf;
    size_t used, bufcap;
    struct rec *recs;
    size_t nrec, reccap, next; /* next: the chunk's record handed out next (merge) */
    bool ended;                /* the source is at its end */
    bool sorted;
    struct run *runs;
    size_t nruns;
    /* the merge: a heap of cursors (run index, or nruns for the chunk) */
    size_t *heap, nheap;
    size_t advance;         /* cursor to move before the next line; SIZE_MAX: none */
    uint64_t lines, handed; /* lines read in all, and handed out by the merge */
    char *scratch; /* a line to decode when its ts is not plain; a line handed out of the map */
    size_t scratch_cap;
};

/* ---- the timestamp of a line ---- */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    return p;
}

int warden_sorter_line_ts(const char *line, size_t len, int64_t *ts_ms)
{
    const char *end = line + len, *p = line;
    while (p < end) {
        const char *k = memmem(p, (size_t)(end - p), "\"ts\"", 4);
        if (!k) return -1;
        p = k + 4;
        /* a key: after '{' or ',' and before ':' */
        const char *b = k;
        while (b > line && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (b == line || (b[-1] != '{' && b[-1] != ',')) continue;
        const char *v = skip_ws(p, end);
        if (v >= end || *v != ':') continue;
        v = skip_ws(v + 1, end);
        if (v < end && *v == '"') {
            const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
            if (!q) return -1;
            return warden_ts_parse(v + 1, (size_t)(q - v - 1), ts_ms) == 0 ? 0 : -1;
        }
        int64_t n = 0;
        const char *d = v;
        while (d < end && *d >= '0' && *d <= '9' && d - v < 18) n = n * 10 + (*d++ - '0');
        if (d == v || (d < end && (*d == '.' || *d == 'e' || *d == 'E'))) return -1;
        *ts_ms = n;
        return 0;
    }
    return -1;
}

/* A writable copy of a line, in the sorter's scratch buffer. */
static char *scratch_copy(struct warden_sorter *s, const char *line, size_t len)
{
    if (len + 1 > s->scratch_cap) {
        s->scratch_cap = len + 1 > 4096 ? len + 1 : 4096;
        s->scratch = warden_xrealloc(s->scratch, s->scratch_cap);
    }
    memcpy(s->scratch, line, len);
    return s->scratch;
}

static int64_t ts_of(struct warden_sorter *s, const char *line, size_t len)
{
    int64_t ts;
    if (warden_sorter_line_ts(line, len, &ts) == 0) return ts;
    /* not plain (escaped key, odd spacing, or a bad line): decode a copy */
    struct warden_event ev;
    char why[128];
    if (warden_event_decode(scratch_copy(s, line, len), len, &ev, why, sizeof why) == 0)
        return ev.ts_ms;
    return TS_NONE;
}

/* The next record of the chunk or index, counted. */
static struct rec *rec_new(struct warden_sorter *s)
{
    if (s->nrec == s->reccap) {
        s->reccap = s->reccap ? s->reccap * 2 : 4096;
        s->recs = warden_xrealloc(s->recs, s->reccap * sizeof *s->recs);
    }
    s->lines++;
    return &s->recs[s->nrec++];
}

/* ---- the chunk ---- */

static void chunk_add(struct warden_sorter *s, const struct warden_raw_line *l)
{
    struct rec *r = rec_new(s);
    r->lineno = l->lineno;
    r->too_long = l->too_long;
    r->len = l->len;
    r->off = s->used;
    if (l->too_long) {
        r->ts = TS_NONE;
        return;
    }
    if (s->used + l->len > s->bufcap) {
        size_t cap = s->bufcap ? s->bufcap : (size_t)1 << 20;
        while (cap < s->used + l->len) cap *= 2;
        s->buf = warden_xrealloc(s->buf, cap);
        s->bufcap = cap;
    }
    memcpy(s->buf + s->used, l->line, l->len);
    s->used += l->len;
    r->ts = ts_of(s, l->line, l->len);
}

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static FILE *temp_file(const struct warden_sorter *s, char *err, size_t errlen)
{
    const char *dir = s->c.tmpdir ? s->c.tmpdir : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) { /* a file system without O_TMPFILE: a named file, unlinked at once */
        char *path = warden_xasprintf("%s/warden-sort-XXXXXX", dir);
        fd = mkstemp(path);
        if (fd >= 0) unlink(path);
        free(path);
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: sorting by time: no temporary file in %s: %s", s->origin, dir,
                 strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, RUN_BUFFER);
    return f;
}

/* Sort the chunk and write it as a run; the chunk is then empty. */
static int spill(struct warden_sorter *s, char *err, size_t errlen)
{
    if (s->nrec > 1) qsort(s->recs, s->nrec, sizeof *s->recs, cmp_rec);
    FILE *f = temp_file(s, err, errlen);
    if (!f) return WARDEN_EIO;
    for (size_t i = 0; i < s->nrec; i++) {
        const struct rec *r = &s->recs[i];
        struct run_hdr h = {r->ts, r->lineno, r->len, r->too_long};
        fwrite(&h, sizeof h, 1, f);
        if (!r->too_long) fwrite(s->buf + r->off, 1, r->len, f);
    }
    if (fflush(f) != 0 || ferror(f) || fseeko(f, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "%s: sorting by time: writing a temporary file: %s", s->origin,
                 strerror(errno));
        fclose(f);
        return WARDEN_EIO;
    }
    s->runs = warden_xrealloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
    s->runs[s->nruns++] = (struct run){f, NULL, 0, {0}};
    s->nrec = s->used = 0;
    return 0;
}

/* Read a run's next record: 1, 0 at its end, or WARDEN_EIO. */
static int run_read(struct warden_sorter *s, struct run *r, char *err, size_t errlen)
{
    struct run_hdr h;
    size_t got = fread(&h, 1, sizeof h, r->f);
    if (got != sizeof h) {
        if (got == 0 && feof(r->f)) return 0;
        goto bad;
    }
    r->cur.ts = h.ts;
    r->cur.lineno = h.lineno;
    r->cur.len = (size_t)h.len;
    r->cur.too_long = h.too_long & 1;
    if (!r->cur.too_long) {
        if (r->cur.len + 1 > r->cap) {
            r->cap = r->cur.len + 1;
            r->line = warden_xrealloc(r->line, r->cap);
        }
        if (r->cur.len && fread(r->line, 1, r->cur.len, r->f) != r->cur.len) goto bad;
    }
    return 1;
bad:
    snprintf(err, errlen, "%s: sorting by time: reading a temporary file back failed", s->origin);
    return WARDEN_EIO;
}

/* ---- the merge ---- */

static const struct rec *cursor_rec(const struct warden_sorter *s, size_t c)
{
    return c == s->nruns ? &s->recs[s->next] : &s->runs[c].cur;
}

static bool before(const struct warden_sorter *s, size_t a, size_t b)
{
    return cmp_rec(cursor_rec(s, a), cursor_rec(s, b)) < 0;
}

static void sift_down(struct warden_sorter *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < s->nheap && before(s, s->heap[l], s->heap[m])) m = l;
        if (l + 1 < s->nheap && before(s, s->heap[l + 1], s->heap[m])) m = l + 1;
        if (m == i) return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Every line read: the last chunk sorted in memory (or written too, when
 * there are runs already: memory stays one chunk per input at most while
 * several inputs are merged), then a heap over the cursors. */
static int start_merge(struct warden_sorter *s, char *err, size_t errlen)
{
    int rc;
    if (s->nruns && s->nrec && (rc = spill(s, err, errlen))) return rc;
    if (s->nrec > 1) qsort(s->recs, s->nrec, sizeof *s->recs, cmp_rec);
    if (s->nruns) {
        free(s->buf);
        s->buf = NULL;
        s->bufcap = s->used = 0;
    }
    s->heap = warden_xcalloc(s->nruns + 1, sizeof *s->heap);
    for (size_t i = 0; i < s->nruns; i++) {
        rc = run_read(s, &s->runs[i], err, errlen);
        if (rc < 0) return rc;
        if (rc) s->heap[s->nheap++] = i;
    }
    s->next = 0;
    if (s->nrec) s->heap[s->nheap++] = s->nruns;
    for (size_t i = s->nheap / 2; i-- > 0;) sift_down(s, i);
    s->advance = SIZE_MAX;
    s->sorted = true;
    s->phase = P_MERGE;
    return 0;
}

static int merge_next(struct warden_sorter *s, struct warden_raw_line *out, char *err,
                      size_t errlen)
{
    if (s->advance != SIZE_MAX) { /* the cursor whose line was handed out last */
        size_t c = s->advance;
        s->advance = SIZE_MAX;
        int more;
        if (c == s->nruns) {
            more = ++s->next < s->nrec;
        } else {
            more = run_read(s, &s->runs[c], err, errlen);
            if (more < 0) return more;
        }
        if (!more) s->heap[0] = s->heap[--s->nheap];
        if (s->nheap) sift_down(s, 0);
    }
    if (!s->nheap) return 0;
    size_t c = s->heap[0];
    const struct rec *r = cursor_rec(s, c);
    out->origin = s->origin;
    out->lineno = r->lineno;
    out->len = r->len;
    out->too_long = r->too_long;
    if (r->too_long) {
        out->line = NULL;
    } else if (c != s->nruns) {
        out->line = s->runs[c].line;
    } else if (s->map_len) { /* read-only: a copy for the decoder to write into */
        out->line = scratch_copy(s, s->buf + r->off, r->len);
    } else {
        out->line = s->buf + r->off;
    }
    s->advance = c;
    s->handed++;
    return 1;
}

/* ---- reading ---- */

/* Read every line: chunks of limit bytes, each full one sorted and written
 * as a run. */
static int read_lines(struct warden_sorter *s, size_t limit, char *err, size_t errlen)
{
    struct warden_raw_line l;
    /* the chunk's room at once: no copying as it fills (untouched pages cost nothing) */
    if (s->bufcap < limit) {
        s->buf = warden_xrealloc(s->buf, limit);
        s->bufcap = limit;
    }
    while (!s->ended) {
        if (s->used >= limit) {
            int rc = spill(s, err, errlen);
            if (rc) return rc;
        }
        int rc = s->type->next(s->src, &l, err, errlen);
        if (rc < 0) return rc;
        if (rc == 0) {
            s->ended = true;
            break;
        }
        if (!s->origin) s->origin = l.origin;
        chunk_add(s, &l);
    }
    return 0;
}

/* A regular file that is not gzip: its lines are indexed (time, line,
 * offset, length: 40 bytes each) in a read-only map of the file, populated
 * at once (a page fault per page touched in time order would cost more
 * than the copy), the index is sorted, and each line is copied out of the
 * map when handed out (the decoder writes into its line): no temporary
 * files (a file over half the machine's memory goes through runs: read at
 * random, it would not stay in the page cache). Lines are split as the
 * line reader splits them (io/lines.c: a
 * final CR removed, longer than max_line too long). False, with nothing
 * kept, when the file cannot be mapped or its index would not fit the sort
 * memory: the chunks and runs then do it. */
static bool index_file(struct warden_sorter *s)
{
    int fd = open(s->file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    unsigned char magic[2];
    /* read at random once sorted: the file must stay in the page cache, so
     * no more than half the machine's memory */
    double ram = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
              (double)st.st_size <= ram / 2 &&
              !(pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
    char *map = ok ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
                   : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) return false;
    size_t size = (size_t)st.st_size, max_line = s->c.max_line ? s->c.max_line : (16u << 20);
    uint64_t lineno = 0;
    for (size_t pos = 0; pos < size;) {
        char *nl = memchr(map + pos, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - (map + pos)) : size - pos;
        if ((s->nrec + 1) * sizeof *s->recs > s->c.memory_bytes) {
            munmap(map, size);
            s->nrec = 0;
            return false;
        }
        struct rec *r = rec_new(s);
        r->lineno = ++lineno;
        r->off = pos;
        r->too_long = n > max_line;
        r->len = r->too_long || !n || map[pos + n - 1] != '\r' ? n : n - 1;
        r->ts = r->too_long ? TS_NONE : ts_of(s, map + pos, r->len);
        pos += n + 1;
    }
    free(s->buf);
    s->buf = map;
    s->map_len = size;
    s->ended = true;
    s->origin = s->file; /* the name the source shows for a file */
    return true;
}

/* Auto, past the probe: the first whole line at SAMPLES evenly spaced
 * places of the rest of a plain (not gzip) file, in file order, each
 * compared with the newest time before it (newest: the probe's). Catches
 * what begins in order and is not: days concatenated in the wrong order, a
 * second export appended to a first. */
#define SAMPLES 64
#define SAMPLE_BYTES (64u << 10)
static bool samples_out_of_order(struct warden_sorter *s, int64_t newest)
{
    int fd = open(s->file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    unsigned char magic[2];
    bool disorder = false;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > s->c.probe_bytes + SAMPLE_BYTES &&
        !(pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
        char *buf = warden_xmalloc(SAMPLE_BYTES);
        uint64_t from = s->c.probe_bytes, span = (uint64_t)st.st_size - from;
        for (int k = 0; k < SAMPLES && !disorder; k++) {
            off_t at = (off_t)(from + span * (uint64_t)k / SAMPLES);
            ssize_t n = pread(fd, buf, SAMPLE_BYTES, at);
            if (n <= 0) break;
            char *a = memchr(buf, '\n', (size_t)n); /* the next line starts after it */
            char *b = a ? memchr(a + 1, '\n', (size_t)(buf + n - a - 1)) : NULL;
            int64_t ts;
            if (!b || warden_sorter_line_ts(a + 1, (size_t)(b - a - 1), &ts) != 0) continue;
            if (newest != INT64_MIN && ts < newest - s->c.lateness_ms) disorder = true;
            if (ts > newest) newest = ts;
        }
        free(buf);
    }
    close(fd);
    return disorder;
}

/* Auto: whether the file's first probe_bytes hold a line older than the
 * newest before it by more than the lateness, read by a reader of its own.
 * A file the probe cannot open is taken as in order (the run's own reader
 * reports what is wrong with it). */
static bool out_of_order(struct warden_sorter *s)
{
    void *p = NULL;
    char err[256];
    if (s->type->open(&p, s->file, s->c.max_line, err, sizeof err) != 0) return false;
    int64_t newest = INT64_MIN;
    size_t bytes = 0;
    bool disorder = false;
    struct warden_raw_line l;
    while (!disorder && bytes < s->c.probe_bytes && s->type->next(p, &l, err, sizeof err) == 1) {
        bytes += l.len + 1;
        if (l.too_long) continue;
        int64_t ts = ts_of(s, l.line, l.len);
        if (ts == TS_NONE) continue;
        if (newest != INT64_MIN && ts < newest - s->c.lateness_ms) disorder = true;
        if (ts > newest) newest = ts;
    }
    s->type->close(p);
    return disorder || samples_out_of_order(s, newest);
}

struct warden_sorter *warden_sorter_new(const struct warden_source_type *type, void *self,
                                        const char *file, const struct warden_sorter_conf *c)
{
    struct warden_sorter *s = warden_xcalloc(1, sizeof *s);
    s->type = type;
    s->src = self;
    s->c = *c;
    if (!s->c.probe_bytes) s->c.probe_bytes = DEFAULT_PROBE;
    if (!s->c.memory_bytes) s->c.memory_bytes = DEFAULT_MEMORY;
    if (s->c.lateness_ms < 0) s->c.lateness_ms = 0;
    s->file = file ? warden_xstrdup(file) : NULL;
    s->advance = SIZE_MAX;
    return s;
}

int warden_sorter_next(struct warden_sorter *s, struct warden_raw_line *out, char *err,
                       size_t errlen)
{
    int rc;
    switch (s->phase) {
    case P_START:
        if (s->c.order == WARDEN_ORDER_STREAM ||
            (s->c.order == WARDEN_ORDER_AUTO && (!s->file || !out_of_order(s)))) {
            s->phase = P_STREAM;
            return s->type->next(s->src, out, err, errlen);
        }
        if (!(s->file && index_file(s)) && (rc = read_lines(s, s->c.memory_bytes, err, errlen)))
            return rc;
        if ((rc = start_merge(s, err, errlen))) return rc;
        return merge_next(s, out, err, errlen);
    case P_STREAM:
        return s->type->next(s->src, out, err, errlen);
    case P_MERGE:
        return merge_next(s, out, err, errlen);
    }
    return 0;
}

void warden_sorter_progress(const struct warden_sorter *s, uint64_t *pos, uint64_t *size)
{
    if (!s || s->phase != P_MERGE || !s->lines) return;
    if (s->map_len) *size = s->map_len;
    *pos = (uint64_t)((double)*size * (double)s->handed / (double)s->lines);
}

bool warden_sorter_sorted(const struct warden_sorter *s, uint64_t *runs)
{
    if (runs) *runs = s->nruns;
    return s->sorted;
}

void warden_sorter_free(struct warden_sorter *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nruns; i++) {
        fclose(s->runs[i].f);
        free(s->runs[i].line);
    }
    free(s->runs);
    free(s->heap);
    if (s->map_len)
        munmap(s->buf, s->map_len);
    else
        free(s->buf);
    free(s->recs);
    free(s->scratch);
    free(s->file);
    free(s);
}
