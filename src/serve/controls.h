/* controls.h — response controls: what the gateway should change in a
 * request it lets through, instead of a hard block, while a policy rule with
 * controls applies to the account (strip reasoning traces from the answer,
 * cap the output budget). The policy declares them per rule
 * (`strip_reasoning`, `max_tokens`: policy/rules.c); serve returns them in
 * /v1/decide's "controls" and as x-warden-* headers from every adapter. */
#ifndef WARDEN_SERVE_CONTROLS_H
#define WARDEN_SERVE_CONTROLS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verdict.h"

struct warden_policy;
struct warden_jbuf;

struct warden_serve_controls {
    bool strip_reasoning;
    int64_t max_tokens; /* 0: no cap */
};

/* The controls of every rule that matches one of the decision's reasons
 * (code and score, as the policy decides): strip_reasoning if any says so,
 * the smallest max_tokens. None in shadow mode or for allowlisted traffic
 * (nothing is enforced there). Returns whether there is any control. */
bool warden_serve_controls_of(const struct warden_policy *p, const struct warden_decision *d,
                              struct warden_serve_controls *out);
/* "strip_reasoning,max_tokens=1024" (the x-warden-controls header); "" for none. */
void warden_serve_controls_header(const struct warden_serve_controls *c, char *buf, size_t len);
/* "controls": {"strip_reasoning": bool, "max_tokens": N or null} as a key of an open object. */
void warden_serve_controls_json(const struct warden_serve_controls *c, struct warden_jbuf *j);

#endif
