/* litellm.c — LiteLLM's Generic Guardrail API (see litellm.h).
 *
 * The request shape is LiteLLM's GenericGuardrailAPIRequest (docs:
 * docs.litellm.ai/docs/adding_provider/generic_guardrail_api): texts,
 * images, tools, structured_messages, request_data (user_api_key_hash,
 * _alias, _user_id, _user_email, _team_id, _team_alias, _end_user_id,
 * _org_id), input_type ("request" | "response"), litellm_call_id,
 * litellm_trace_id, additional_provider_specific_params. Fields Warden does
 * not use are accepted and ignored (LiteLLM adds fields across versions);
 * fields it uses must have their documented types. The answer is one of the
 * contract's actions; GUARDRAIL_INTERVENED (rewritten texts) is never used:
 * Warden does not rewrite prompts, and response controls cannot be expressed
 * in this contract (examples/litellm/warden_guardrail.py applies them). */
#include "serve/litellm.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/textfold.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct warden_serve_litellm_req {
    json_t *root;
    char *prompt; /* the prompt folded as the event decoder folds it (textfold.h), or NULL */
};

void warden_serve_litellm_free(struct warden_serve_litellm_req *r)
{
    if (!r) return;
    json_decref(r->root);
    free(r->prompt);
    free(r);
}

/* An optional string field: absent or null is fine, another type is not. */
static int opt_str(json_t *obj, const char *key, const char *path, struct warden_str *out,
                   char *why, size_t whylen)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) {
        snprintf(why, whylen, "field '%s': expected a string", path);
        return WARDEN_EPARSE;
    }
    size_t n = json_string_length(v);
    if (n == 0) return 0;
    if (n > UINT32_MAX || strlen(json_string_value(v)) != n) {
        snprintf(why, whylen, "field '%s': not a plain string", path);
        return WARDEN_EPARSE;
    }
    out->p = json_string_value(v);
    out->n = (uint32_t)n;
    return 0;
}

/* An optional list field: its length, or -1 when absent or null. */
static int opt_list(json_t *obj, const char *key, int64_t *n, char *why, size_t whylen)
{
    json_t *v = json_object_get(obj, key);
    *n = -1;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_array(v)) {
        snprintf(why, whylen, "field '%s': expected a list", key);
        return WARDEN_EPARSE;
    }
    *n = (int64_t)json_array_size(v);
    return 0;
}

static int parse(struct warden_serve_litellm_req *r, json_t *root, int64_t now_ms,
                 struct warden_event *ev, char *why, size_t whylen)
{
    if (!json_is_object(root)) {
        snprintf(why, whylen, "expected a JSON object (LiteLLM's GenericGuardrailAPIRequest)");
        return WARDEN_EPARSE;
    }
    memset(ev, 0, sizeof *ev);
    ev->turns = ev->max_tokens = ev->input_tokens = ev->output_tokens = ev->cache_read_tokens =
        ev->tools = ev->status = WARDEN_NOINT;
    ev->thinking = -1;
    ev->ts_ms = now_ms;
    struct warden_str input_type = {0};
    int rc = opt_str(root, "input_type", "input_type", &input_type, why, whylen);
    if (rc) return rc;
    bool response = input_type.p && warden_str_eq(input_type, "response", 8);
    if (input_type.p && !response && !warden_str_eq(input_type, "request", 7)) {
        snprintf(why, whylen, "field 'input_type': expected \"request\" or \"response\"");
        return WARDEN_EPARSE;
    }
    json_t *rd = json_object_get(root, "request_data");
    if (rd && !json_is_null(rd) && !json_is_object(rd)) {
        snprintf(why, whylen, "field 'request_data': expected an object");
        return WARDEN_EPARSE;
    }
    static const char *const account_keys[] = {"user_api_key_team_id", "user_api_key_user_id",
                                               "user_api_key_hash"};
    char path[64];
    for (size_t i = 0; rd && i < 3 && !ev->account_id.p; i++) {
        snprintf(path, sizeof path, "request_data.%s", account_keys[i]);
        if ((rc = opt_str(rd, account_keys[i], path, &ev->account_id, why, whylen))) return rc;
    }
    if ((rd &&
         ((rc = opt_str(rd, "user_api_key_hash", "request_data.user_api_key_hash", &ev->api_key_id,
                        why, whylen)) ||
          (rc = opt_str(rd, "user_api_key_end_user_id", "request_data.user_api_key_end_user_id",
                        &ev->end_user, why, whylen)) ||
          (rc = opt_str(rd, "user_api_key_org_id", "request_data.user_api_key_org_id", &ev->org_id,
                        why, whylen)))) ||
        (rc = opt_str(root, "litellm_call_id", "litellm_call_id", &ev->request_id, why, whylen)))
        return rc;
    int64_t n_texts, n_messages, n_tools, n_images;
    if ((rc = opt_list(root, "texts", &n_texts, why, whylen)) ||
        (rc = opt_list(root, "structured_messages", &n_messages, why, whylen)) ||
        (rc = opt_list(root, "tools", &n_tools, why, whylen)) ||
        (rc = opt_list(root, "images", &n_images, why, whylen)))
        return rc;
    for (int64_t i = 0; i < n_texts; i++) {
        json_t *t = json_array_get(json_object_get(root, "texts"), (size_t)i);
        if (!json_is_string(t)) {
            snprintf(why, whylen, "field 'texts[%lld]': expected a string", (long long)i);
            return WARDEN_EPARSE;
        }
        if (i == n_texts - 1 && json_string_length(t) <= UINT32_MAX) {
            size_t n = strlen(json_string_value(t)); /* up to a NUL, never past it */
            r->prompt = n ? warden_xmalloc(n) : NULL;
            if (r->prompt) memcpy(r->prompt, json_string_value(t), n);
            ev->prompt.p = r->prompt;
            ev->prompt.n = r->prompt ? (uint32_t)warden_text_fold(r->prompt, n) : 0;
        }
    }
    if (n_messages >= 0) ev->turns = n_messages;
    if (n_tools >= 0) ev->tools = n_tools;
    if (response) return 1;
    if (!ev->account_id.p) {
        snprintf(why, whylen,
                 "missing account: request_data needs user_api_key_team_id, user_api_key_user_id "
                 "or user_api_key_hash");
        return WARDEN_EPARSE;
    }
    return 0;
}

int warden_serve_litellm_parse(const char *body, size_t len, int64_t now_ms,
                               struct warden_event *ev, struct warden_serve_litellm_req **out,
                               char *why, size_t whylen)
{
    struct warden_serve_litellm_req *r = warden_xcalloc(1, sizeof *r);
    *out = r;
    json_error_t je;
    memset(&je, 0, sizeof je);
    r->root = body && len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!r->root) {
        if (body && len)
            snprintf(why, whylen, "malformed JSON at line %d column %d", je.line, je.column);
        else
            snprintf(why, whylen, "empty body: expected LiteLLM's GenericGuardrailAPIRequest");
        return WARDEN_EPARSE;
    }
    return parse(r, r->root, now_ms, ev, why, whylen);
}

void warden_serve_litellm_answer(const struct warden_decision *d, int64_t retry_after_s,
                                 struct warden_jbuf *j)
{
    warden_jbuf_obj_open(j);
    if (!d || (d->enforced != WARDEN_BLOCK && d->enforced != WARDEN_THROTTLE)) {
        warden_jbuf_kv_str(j, "action", "NONE");
        warden_jbuf_obj_close(j);
        return;
    }
    char reason[512];
    int w = d->enforced == WARDEN_THROTTLE
                ? snprintf(reason, sizeof reason, "warden: throttle (retry after %lld s)",
                           (long long)retry_after_s)
                : snprintf(reason, sizeof reason, "warden: block");
    size_t at = w > 0 && (size_t)w < sizeof reason ? (size_t)w : 0;
    for (size_t i = 0; i < d->n_reasons && at < sizeof reason; i++) {
        w = snprintf(reason + at, sizeof reason - at, "%s%s", i ? ", " : ": ", d->reasons[i].code);
        if (w < 0 || (size_t)w >= sizeof reason - at) break;
        at += (size_t)w;
    }
    warden_jbuf_kv_str(j, "action", "BLOCKED");
    warden_jbuf_kv_str(j, "blocked_reason", reason);
    warden_jbuf_obj_close(j);
}
