/* controls.c — response controls of a decision (see controls.h): read from
 * the rules that match the account's reasons, merged so that the strictest
 * wins (any strip_reasoning, the smallest max_tokens cap). */
#include "serve/controls.h"
#include "core/jbuf.h"
#include "policy/policy.h"

#include <stdio.h>

bool warden_serve_controls_of(const struct warden_policy *p, const struct warden_decision *d,
                              struct warden_serve_controls *out)
{
    out->strip_reasoning = false;
    out->max_tokens = 0;
    if (d->shadow || d->allowlisted) return false;
    for (size_t i = 0; i < d->n_reasons; i++) {
        const struct warden_reason *rs = &d->reasons[i];
        for (size_t k = 0; k < p->n_rules; k++) {
            const struct warden_rule *r = &p->rules[k];
            if (!r->strip_reasoning && !r->max_tokens) continue;
            if (!(rs->score >= r->min_score) || !warden_rule_matches(r->code, rs->code)) continue;
            out->strip_reasoning |= r->strip_reasoning;
            if (r->max_tokens && (!out->max_tokens || r->max_tokens < out->max_tokens))
                out->max_tokens = r->max_tokens;
        }
    }
    return out->strip_reasoning || out->max_tokens;
}

void warden_serve_controls_header(const struct warden_serve_controls *c, char *buf, size_t len)
{
    if (!len) return;
    buf[0] = '\0';
    if (c->strip_reasoning && c->max_tokens)
        snprintf(buf, len, "strip_reasoning,max_tokens=%lld", (long long)c->max_tokens);
    else if (c->strip_reasoning)
        snprintf(buf, len, "strip_reasoning");
    else if (c->max_tokens)
        snprintf(buf, len, "max_tokens=%lld", (long long)c->max_tokens);
}

void warden_serve_controls_json(const struct warden_serve_controls *c, struct warden_jbuf *j)
{
    warden_jbuf_key(j, "controls");
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_bool(j, "strip_reasoning", c->strip_reasoning);
    warden_jbuf_key(j, "max_tokens");
    if (c->max_tokens)
        warden_jbuf_int(j, c->max_tokens);
    else
        warden_jbuf_null(j);
    warden_jbuf_obj_close(j);
}
