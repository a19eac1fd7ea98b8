/* event.h — one API request, as Warden sees it (formats.md §1).
 *
 * An event is parsed once, in place, from its JSON line: string fields are
 * slices of the (unescaped-in-place) line buffer, so no field is copied or
 * allocated. Enrichment (IP intelligence, account, organisation) is filled in
 * once by the engine, and the event is then handed by const pointer to every
 * detector. Nothing here outlives the line buffer: detectors keep hashes and
 * counts, never pointers into an event. */
#ifndef WARDEN_CORE_EVENT_H
#define WARDEN_CORE_EVENT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/ip.h"

struct warden_str {
    const char *p; /* not NUL-terminated; NULL when absent */
    uint32_t n;
};

#define WARDEN_NOINT INT64_MIN /* value of an absent integer field */

struct warden_ipinfo;
struct warden_account;
struct warden_org;
struct warden_org_screen;

struct warden_event {
    int64_t ts_ms; /* epoch milliseconds */
    struct warden_ip ip;
    struct warden_str account_id, request_id, org_id, api_key_id, end_user, user_agent, tls_ja4,
        client_tz, client_locale, model, endpoint, system, prompt;
    int64_t turns, max_tokens, input_tokens, output_tokens, cache_read_tokens, tools, status;
    int8_t thinking; /* -1 absent, 0 false, 1 true */

    /* Enrichment, set by the engine before detectors run. */
    const struct warden_ipinfo *ipinfo;             /* never NULL after enrichment */
    const struct warden_account *account;           /* NULL if not in the registry */
    const struct warden_org *org;                   /* NULL if unknown */
    const struct warden_org_screen *org_screen;     /* restricted-party verdict of org, or NULL */
    const struct warden_org_screen *account_screen; /* e-mail domain on a list, or NULL */
    uint64_t account_hash;                          /* stable hash of account_id */
    uint64_t account_seq;                           /* 1-based index among this account's events */
    bool late; /* set by the runtime: older than its watermark; windowed state must not
                  take it (it is still counted for its account) */

    /* Where it came from, for evidence and rejects. */
    const char *src_name;
    uint64_t src_line;
};

static inline bool warden_str_eq(struct warden_str s, const char *lit, uint32_t n)
{
    return s.n == n && s.p && __builtin_memcmp(s.p, lit, n) == 0;
}

#endif
