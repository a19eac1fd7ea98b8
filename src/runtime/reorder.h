/* reorder.h — the bounded reorder buffer: events held until the watermark
 * passes them, released in event-time order.
 *
 * Each held event owns a copy of its string values (warden_event_move_strings:
 * the values only, not the line with its keys, quotes and numbers), so a
 * source's buffer can be reused at once and a held event costs its decoded
 * record plus its values — about three quarters of what a copy of the line
 * would cost, on the benchmark's lines. Held events are touched again only
 * when released, a lateness later, when they have long left the caches: the
 * fewer bytes they take, the fewer misses on release and the less they push
 * the engine's own state out of the caches. (Keeping the reader's chunks
 * alive instead, by reference count, would save the copy but hold whole
 * lines and every byte between them.) Records and their buffers are pooled
 * by size class, carved from chunks on huge pages (reorder.c): once warm,
 * holding an event allocates nothing. Order is (ts_ms, admission
 * sequence), so events with equal times keep their arrival order and a
 * sorted input comes out exactly as it went in. */
#ifndef WARDEN_RUNTIME_REORDER_H
#define WARDEN_RUNTIME_REORDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

struct warden_held {
    struct warden_event ev;
    uint64_t seq;
    uint64_t request_hash; /* warden_hash64 of request_id, 0 = none (set by the caller) */
    char *buf;             /* the event's string values: right after the record, same block */
    size_t cap;
};

struct warden_reorder;

struct warden_reorder *warden_reorder_new(void);
void warden_reorder_free(struct warden_reorder *r);
/* A free record whose buffer holds at least len bytes. */
struct warden_held *warden_reorder_get(struct warden_reorder *r, size_t len);
/* Give a record back to the pool (not held, or just popped). */
void warden_reorder_put(struct warden_reorder *r, struct warden_held *h);
/* Hold a record (its ev.ts_ms decides its place); len is the bytes of its
 * buffer in use (its string values). */
void warden_reorder_push(struct warden_reorder *r, struct warden_held *h, size_t len);
/* The hashes (ev.account_hash, request_hash, as set before the push) of the
 * k-th event (0 = next) of the in-order queue, which is what is normally
 * released next, without touching its record: for prefetching the state
 * it will need. False when fewer are queued. */
bool warden_reorder_ahead(const struct warden_reorder *r, size_t k, uint64_t *account_hash,
                          uint64_t *request_hash);
/* The earliest held record, or NULL. */
struct warden_held *warden_reorder_peek(const struct warden_reorder *r);
/* The earliest held record's time, without touching the record; false when empty. */
bool warden_reorder_peek_ts(const struct warden_reorder *r, int64_t *ts);
/* Remove and return the earliest held record (NULL when empty). */
struct warden_held *warden_reorder_pop(struct warden_reorder *r);
size_t warden_reorder_count(const struct warden_reorder *r);
/* Bytes held now: each held record and the bytes in use in its buffer. */
size_t warden_reorder_bytes(const struct warden_reorder *r);

#endif
