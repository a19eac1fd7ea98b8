/* reorder.h — the bounded reorder buffer: events held until the watermark
 * passes them, released in event-time order.
 *
 * Each held event owns a copy of its line (the decoder slices into it), so a
 * source's buffer can be reused at once. Records and their buffers are
 * pooled: once warm, holding an event allocates nothing. Order is
 * (ts_ms, admission sequence), so events with equal times keep their
 * arrival order and a sorted input comes out exactly as it went in. */
#ifndef WARDEN_RUNTIME_REORDER_H
#define WARDEN_RUNTIME_REORDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

struct warden_held {
    struct warden_event ev;
    uint64_t seq;
    char *buf; /* the line, decoded in place: right after the record, same block */
    size_t cap;
};

struct warden_reorder;

struct warden_reorder *warden_reorder_new(void);
void warden_reorder_free(struct warden_reorder *r);
/* A free record whose buffer holds at least len bytes (and a NUL). */
struct warden_held *warden_reorder_get(struct warden_reorder *r, size_t len);
/* Give a record back to the pool (not held, or just popped). */
void warden_reorder_put(struct warden_reorder *r, struct warden_held *h);
/* Hold a record (its ev.ts_ms decides its place); len is its line length. */
void warden_reorder_push(struct warden_reorder *r, struct warden_held *h, size_t len);
/* The earliest held record, or NULL. */
struct warden_held *warden_reorder_peek(const struct warden_reorder *r);
/* The earliest held record's time, without touching the record; false when empty. */
bool warden_reorder_peek_ts(const struct warden_reorder *r, int64_t *ts);
/* Remove and return the earliest held record (NULL when empty). */
struct warden_held *warden_reorder_pop(struct warden_reorder *r);
size_t warden_reorder_count(const struct warden_reorder *r);
/* Bytes of lines held now. */
size_t warden_reorder_bytes(const struct warden_reorder *r);

#endif
