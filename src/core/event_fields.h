/* event_fields.h — which optional fields of formats.md §1 an event carries.
 *
 * Gateways log different things: one has no response usage (an inline
 * gateway decides before the answer exists), another no declared time zone
 * or no TLS fingerprint. A detector that reads a field no event carries
 * does not fail, it sees less: the engine counts, per field, the events that
 * carry it (counters "engine.events_with.FIELD", also served as metrics),
 * and the scan summary says which fields no event had and what goes without
 * them. */
#ifndef WARDEN_CORE_EVENT_FIELDS_H
#define WARDEN_CORE_EVENT_FIELDS_H
#include <stdint.h>

#include "core/event.h"

enum warden_event_field {
    WARDEN_F_REQUEST_ID,
    WARDEN_F_ORG_ID,
    WARDEN_F_API_KEY_ID,
    WARDEN_F_END_USER,
    WARDEN_F_USER_AGENT,
    WARDEN_F_TLS_JA4,
    WARDEN_F_CLIENT_TZ,
    WARDEN_F_CLIENT_LOCALE,
    WARDEN_F_MODEL,
    WARDEN_F_ENDPOINT,
    WARDEN_F_SYSTEM,
    WARDEN_F_PROMPT,
    WARDEN_F_TURNS,
    WARDEN_F_THINKING,
    WARDEN_F_MAX_TOKENS,
    WARDEN_F_INPUT_TOKENS,
    WARDEN_F_OUTPUT_TOKENS,
    WARDEN_F_CACHE_READ_TOKENS,
    WARDEN_F_TOOLS,
    WARDEN_F_STATUS,
    WARDEN_F_N
};

struct warden_event_field_info {
    const char *name;    /* as in formats.md §1 */
    const char *counter; /* "engine.events_with.NAME" */
    const char *help;    /* the counter's help text */
    const char *without; /* what Warden cannot see without it; NULL: nothing reads it */
};

/* Bit f set when the event carries field f: a string field present and not
 * empty, an integer or boolean field present. */
uint32_t warden_event_fields_present(const struct warden_event *ev);

/* Field f's name, counter and what goes without it (f < WARDEN_F_N). */
const struct warden_event_field_info *warden_event_field_info(unsigned f);

#endif
