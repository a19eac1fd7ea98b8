/* source.h — where events come from: one `const struct warden_source_type`
 * per kind of input, each in its own file (src_<kind>.c), Fluent Bit style.
 *
 * A source hands out raw lines with where they came from; the runtime
 * decodes them (one decoder, one reject path for every source), puts them
 * in event-time order and runs the engine. Today: JSON lines from files,
 * gzip files and standard input (src_jsonl.c). An HTTP ingest or a Kafka
 * consumer is another value of this type. */
#ifndef WARDEN_IO_SOURCE_H
#define WARDEN_IO_SOURCE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_raw_line {
    char *line; /* writable, not NUL-terminated; valid until the next call */
    size_t len;
    const char *origin; /* input name as shown in rejects ("<stdin>" for -) */
    uint64_t lineno;    /* 1-based */
    bool too_long;      /* longer than the limit: line is NULL, len its length */
};

struct warden_source_type {
    const char *name;
    /* Open the input named by arg (a path, "-", a topic, ...). */
    int (*open)(void **self, const char *arg, size_t max_line, char *err, size_t errlen);
    /* Next line: 1, 0 at the end, or a negative WARDEN_E* code with err set. */
    int (*next)(void *self, struct warden_raw_line *out, char *err, size_t errlen);
    /* Bytes read so far and in all (0 when unknown), for progress. */
    void (*progress)(const void *self, uint64_t *pos, uint64_t *size);
    void (*close)(void *self);
};

extern const struct warden_source_type warden_source_jsonl;

#endif
