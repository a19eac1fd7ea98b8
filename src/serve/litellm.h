/* litellm.h — LiteLLM's Generic Guardrail API (beta) served by Warden:
 * POST /beta/litellm_basic_guardrail_api, the endpoint a LiteLLM proxy
 * configured with `guardrail: generic_guardrail_api` calls with the texts
 * it extracted and the virtual key's metadata (request_data), answered with
 * {"action": "NONE" | "BLOCKED", "blocked_reason": ...}. Pure functions over
 * the body, so tests and the fuzz harness drive them without a server.
 * Internal to serve/. */
#ifndef WARDEN_SERVE_LITELLM_H
#define WARDEN_SERVE_LITELLM_H
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/verdict.h"

struct warden_jbuf;

/* The parsed request; strings of the event point into it. */
struct warden_serve_litellm_req;

/* Parse a request body into an event (ts = now_ms): the account is the
 * first non-empty of request_data's user_api_key_team_id,
 * user_api_key_user_id, user_api_key_hash; api_key_id the key hash;
 * end_user user_api_key_end_user_id; org_id user_api_key_org_id;
 * request_id litellm_call_id; prompt the last of texts (folded as
 * core/textfold.h says, then sketched by the
 * detectors, never stored); turns the structured messages; tools their
 * count. The contract carries no client address: the event's ip is left
 * unspecified (::). Returns 0 (decide it), 1 (input_type "response": the
 * answer is NONE without a decision), or WARDEN_EPARSE with a reason naming
 * the field in why; *out must be freed with _free in every case. */
int warden_serve_litellm_parse(const char *body, size_t len, int64_t now_ms,
                               struct warden_event *ev, struct warden_serve_litellm_req **out,
                               char *why, size_t whylen);
void warden_serve_litellm_free(struct warden_serve_litellm_req *r);

/* The answer for a decision: NONE when the enforced action lets the request
 * through (allow, review), BLOCKED with a reason naming the action and the
 * reason codes for block and throttle (the contract has no rate-limit
 * answer; retry_after_s is named in the reason). */
void warden_serve_litellm_answer(const struct warden_decision *d, int64_t retry_after_s,
                                 struct warden_jbuf *j);

#endif
