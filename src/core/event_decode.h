/* event_decode.h — Warden's own zero-copy decoder for event lines (formats.md §1).
 *
 * The decoder walks one JSON object once, in place: string values become
 * slices of the line buffer (escape sequences are decoded in place, since a
 * decoded string is never longer than its source), known fields are picked
 * out by a switch on key length, unknown fields are skipped (and still
 * validated). The whole line must be valid JSON and valid UTF-8. It does not
 * allocate; a JSON library would build a tree per line, which the scan
 * benchmark measures against. */
#ifndef WARDEN_CORE_EVENT_DECODE_H
#define WARDEN_CORE_EVENT_DECODE_H
#include <stddef.h>

#include "core/event.h"

/* Decode line[0..len) into ev (the line buffer is modified). Returns 0, or
 * WARDEN_EPARSE with a one-line reason in why (e.g. "field 'ip': not an IP
 * address"). Enrichment fields of ev are cleared. */
int warden_event_decode(char *line, size_t len, struct warden_event *ev, char *why, size_t whylen);

/* The name of the i-th field the decoder reads (formats.md §1), or NULL
 * past the last; the table is ordered by name length. */
const char *warden_event_field_name(size_t i);

/* Move the values of every string field of a decoded event (only them: no
 * keys, quotes or numbers) to dst, one after the other, and point the
 * fields there; returns the bytes used. dst must hold as many bytes as the
 * line the event was decoded from (the values never take more) and must not
 * overlap it. This is how an event outlives its line (the runtime's
 * reorder buffer) at the cost of its values only. An absent field stays
 * absent (NULL); an empty one stays empty. */
size_t warden_event_move_strings(struct warden_event *ev, char *dst);

/* Validate UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF). */
int warden_utf8_valid(const char *s, size_t n);

#endif
