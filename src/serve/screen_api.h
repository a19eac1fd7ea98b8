/* screen_api.h — POST /v1/screen: restricted-party screening over HTTP, the
 * `warden screen` logic (the same lists, thresholds and explanations) for
 * one name with its aliases, country, domain and identifier, or one
 * organisation record (formats.md §3) with its owners and the aggregate
 * ownership rule. JSON in; JSON out in the shape users of Watchman and
 * yente expect: the query, `results` with score, list, entity id and an
 * explanation of why each matched. Internal to serve/. */
#ifndef WARDEN_SERVE_SCREEN_API_H
#define WARDEN_SERVE_SCREEN_API_H
#include <stddef.h>

#include "screen/screen.h"

struct warden_jbuf;
struct warden_serve_screen;

struct warden_policy;

/* Open the lists as `warden screen --policy` does with the policy's screen:
 * section (and, when screen.jurisdiction_owners has no jurisdictions of its
 * own, the policy's restricted ones): compiled when it names a compiled
 * file (or `compiled` does, which overrides it), else the sources. */
int warden_serve_screen_new(struct warden_serve_screen **out, const struct warden_policy *pol,
                            const char *compiled, char *err, size_t errlen);
void warden_serve_screen_free(struct warden_serve_screen *s);

/* Answer one request body: *code 200 with the result, or 400 with
 * {"error": ...} naming the field. Thread-safe. */
void warden_serve_screen_handle(struct warden_serve_screen *s, const char *body, size_t len,
                                unsigned *code, struct warden_jbuf *out);

#endif
