/* src_jsonl.c — JSON-lines files, gzip files (by content) and standard input
 * ("-") as an event source, on the line reader (lines.h). */
#include "io/lines.h"
#include "io/source.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct src_jsonl {
    struct warden_lines *lr;
    char *shown;
};

static int jsonl_open(void **self, const char *arg, size_t max_line, char *err, size_t errlen)
{
    struct warden_lines *lr;
    int rc = warden_lines_open(&lr, arg, max_line, err, errlen);
    if (rc) return rc;
    struct src_jsonl *s = warden_xcalloc(1, sizeof *s);
    s->lr = lr;
    s->shown = warden_xstrdup(strcmp(arg, "-") == 0 ? "<stdin>" : arg);
    *self = s;
    return 0;
}

static int jsonl_next(void *self, struct warden_raw_line *out, char *err, size_t errlen)
{
    struct src_jsonl *s = self;
    int rc = warden_lines_next(s->lr, &out->line, &out->len, &out->lineno, &out->too_long);
    out->origin = s->shown;
    if (rc < 0)
        snprintf(err, errlen, "%s: %s after line %llu", s->shown, warden_lines_error(s->lr),
                 (unsigned long long)out->lineno);
    return rc;
}

static void jsonl_progress(const void *self, uint64_t *pos, uint64_t *size)
{
    const struct src_jsonl *s = self;
    *pos = warden_lines_pos(s->lr);
    *size = warden_lines_size(s->lr);
}

static void jsonl_close(void *self)
{
    struct src_jsonl *s = self;
    if (!s) return;
    warden_lines_close(s->lr);
    free(s->shown);
    free(s);
}

const struct warden_source_type warden_source_jsonl = {
    .name = "jsonl",
    .open = jsonl_open,
    .next = jsonl_next,
    .progress = jsonl_progress,
    .close = jsonl_close,
};
