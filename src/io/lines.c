/* lines.c — chunked line reader over read(2) or zlib, with a line-length cap. */
#include "io/lines.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (1u << 20)

struct warden_lines {
    int fd;
    gzFile gz;
    bool own_fd, eof;
    char *buf;
    size_t cap, start, end; /* unread data is buf[start..end) */
    size_t max_line;
    uint64_t lineno, size;
    char why[160]; /* what the last read error was */
};

int warden_lines_open(struct warden_lines **out, const char *path, size_t max_line, char *err,
                      size_t errlen)
{
    int fd;
    bool own = true;
    if (strcmp(path, "-") == 0) {
        fd = STDIN_FILENO;
        own = false;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return WARDEN_EIO;
        }
    }
    struct warden_lines *r = warden_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = own;
    r->max_line = max_line ? max_line : WARDEN_LINES_DEFAULT_MAX;
    r->cap = CHUNK * 2;
    r->buf = warden_xmalloc(r->cap + 1);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) r->size = (uint64_t)st.st_size;

    /* Sniff the first bytes for gzip's magic. */
    ssize_t n;
    do n = read(fd, r->buf, 2);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        warden_lines_close(r);
        return WARDEN_EIO;
    }
    if (n == 2 && (unsigned char)r->buf[0] == 0x1f && (unsigned char)r->buf[1] == 0x8b) {
        if (r->size) {
            if (lseek(fd, 0, SEEK_SET) != 0) {
                snprintf(err, errlen, "%s: cannot rewind: %s", path, strerror(errno));
                warden_lines_close(r);
                return WARDEN_EIO;
            }
            r->gz = gzdopen(dup(fd), "rb");
        } else {
            snprintf(err, errlen, "%s: gzip input must be a regular file", path);
            warden_lines_close(r);
            return WARDEN_EFORMAT;
        }
        if (!r->gz) {
            snprintf(err, errlen, "%s: cannot open gzip stream", path);
            warden_lines_close(r);
            return WARDEN_EIO;
        }
        gzbuffer(r->gz, 256 * 1024);
    } else {
        r->end = (size_t)n;
    }
    *out = r;
    return 0;
}

/* Append up to CHUNK bytes at buf[end]. Returns bytes read, 0 at EOF, <0 error. */
static ssize_t fill(struct warden_lines *r)
{
    if (r->eof) return 0;
    if (r->cap - r->end < CHUNK) {
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->cap - r->end < CHUNK) {
            r->cap = r->end + CHUNK;
            r->buf = warden_xrealloc(r->buf, r->cap + 1);
        }
    }
    ssize_t n;
    if (r->gz) {
        int k = gzread(r->gz, r->buf + r->end, CHUNK);
        int zerr = Z_OK;
        const char *zmsg = gzerror(r->gz, &zerr);
        if (k <= 0 && zerr == Z_BUF_ERROR) {
            /* zlib reports a stream that stops before its end this way,
             * after handing out what it could decompress */
            snprintf(r->why, sizeof r->why, "truncated gzip stream");
            return -1;
        }
        if (k < 0 || (k == 0 && zerr != Z_OK && zerr != Z_STREAM_END)) {
            snprintf(r->why, sizeof r->why, "corrupt gzip stream: %s",
                     zerr == Z_ERRNO ? strerror(errno) : zmsg);
            return -1;
        }
        n = k;
    } else {
        do n = read(r->fd, r->buf + r->end, CHUNK);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            snprintf(r->why, sizeof r->why, "%s", strerror(errno));
            return -1;
        }
    }
    if (n == 0) r->eof = true;
    r->end += (size_t)n;
    return n;
}

/* The file's first line without a UTF-8 byte-order mark (Windows tools
 * begin files with one). */
static void skip_bom(const struct warden_lines *r, char **line, size_t *len)
{
    if (r->lineno == 1 && *len >= 3 && memcmp(*line, "\xef\xbb\xbf", 3) == 0) {
        *line += 3;
        *len -= 3;
    }
}

int warden_lines_next(struct warden_lines *r, char **line, size_t *len, uint64_t *lineno,
                      bool *too_long)
{
    size_t scanned = 0; /* bytes of the current line already searched */
    size_t skipped = 0; /* bytes of an over-long line already discarded */
    bool skipping = false;
    *too_long = false;
    for (;;) {
        char *s = r->buf + r->start + scanned;
        size_t avail = r->end - r->start - scanned;
        char *nl = avail ? memchr(s, '\n', avail) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - (r->buf + r->start));
            r->lineno++;
            *lineno = r->lineno;
            if (skipping || n > r->max_line) {
                *too_long = true;
                *line = NULL;
                *len = skipped + n;
            } else {
                char *l = r->buf + r->start;
                size_t k = n;
                if (k && l[k - 1] == '\r') k--;
                l[k] = '\0';
                *line = l;
                *len = k;
                skip_bom(r, line, len);
            }
            r->start += n + 1;
            return 1;
        }
        scanned += avail;
        if (scanned > r->max_line) {
            /* discard what we have of this line and keep looking for its end */
            skipping = true;
            skipped += scanned;
            r->start = r->end = 0;
            scanned = 0;
        }
        ssize_t k = fill(r);
        if (k < 0) return WARDEN_EIO;
        if (k == 0) {
            size_t n = r->end - r->start;
            if (n == 0 && !skipping) return 0;
            /* last line without a newline */
            r->lineno++;
            *lineno = r->lineno;
            if (skipping || n > r->max_line) {
                *too_long = true;
                *line = NULL;
                *len = skipped + n;
            } else {
                char *l = r->buf + r->start;
                size_t m = n;
                if (m && l[m - 1] == '\r') m--;
                l[m] = '\0';
                *line = l;
                *len = m;
                skip_bom(r, line, len);
            }
            r->start = r->end;
            if (n == 0 && skipping) {
                r->start = r->end = 0;
            }
            return 1;
        }
    }
}

uint64_t warden_lines_pos(const struct warden_lines *r)
{
    if (r->gz) return (uint64_t)gzoffset(r->gz);
    off_t o = lseek(r->fd, 0, SEEK_CUR);
    return o < 0 ? 0 : (uint64_t)o;
}

const char *warden_lines_error(const struct warden_lines *r)
{
    return r->why[0] ? r->why : "read error";
}

uint64_t warden_lines_size(const struct warden_lines *r)
{
    return r->size;
}

void warden_lines_close(struct warden_lines *r)
{
    if (!r) return;
    if (r->gz) gzclose(r->gz);
    if (r->own_fd && r->fd >= 0) close(r->fd);
    free(r->buf);
    free(r);
}
