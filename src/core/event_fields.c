/* event_fields.c — see event_fields.h. */
#include "core/event_fields.h"

#define FIELD(n, without)                                                                          \
    {                                                                                              \
#n, "engine.events_with." #n, "events carrying " #n, without                               \
    }

static const struct warden_event_field_info info[WARDEN_F_N] = {
    [WARDEN_F_REQUEST_ID] = FIELD(request_id, "duplicate requests are not recognised as such"),
    [WARDEN_F_ORG_ID] =
        FIELD(org_id, "an account's organisation comes from the account registry only"),
    [WARDEN_F_API_KEY_ID] = FIELD(api_key_id, "no per-key rates (velocity.key_*)"),
    [WARDEN_F_END_USER] =
        FIELD(end_user, "no end-user fan-in (reseller.*) and no per-end-user view of a reseller: a "
                        "declared reseller is reviewed, never enforced, on distillation evidence"),
    [WARDEN_F_USER_AGENT] =
        FIELD(user_agent, "client stacks are not compared: linking and reseller fan-in see "
                          "networks only (with tls_ja4 absent too)"),
    [WARDEN_F_TLS_JA4] = FIELD(tls_ja4, "client stacks are told apart by user agent only"),
    [WARDEN_F_CLIENT_TZ] =
        FIELD(client_tz, "no declared-zone checks (geo.inconsistent_tz, geo.restricted_tz_*); "
                         "hours are judged against the billing country's zones"),
    [WARDEN_F_CLIENT_LOCALE] =
        FIELD(client_locale, "no locale region in evidence (never a signal)"),
    [WARDEN_F_MODEL] = FIELD(model, "no model pivot (distill.model_pivot)"),
    [WARDEN_F_ENDPOINT] = FIELD(endpoint, NULL),
    [WARDEN_F_SYSTEM] = FIELD(system, "system prompts are not read for elicitation or frames"),
    [WARDEN_F_PROMPT] =
        FIELD(prompt, "no prompt signals: templates, elicitation wording, novelty, sweeps and "
                      "template linking"),
    [WARDEN_F_TURNS] =
        FIELD(turns, "single-turn harvesting is not told from conversations; no agent fan-out"),
    [WARDEN_F_THINKING] = FIELD(thinking, "reasoning traces asked for by wording only"),
    [WARDEN_F_MAX_TOKENS] = FIELD(max_tokens, "output budgets are not part of the harvest shape"),
    [WARDEN_F_INPUT_TOKENS] =
        FIELD(input_tokens, "answers are not measured against their new input (shape, yield); "
                            "token rates count output only"),
    [WARDEN_F_OUTPUT_TOKENS] =
        FIELD(output_tokens, "no answer yield and no long-answer shape; elicitation counts "
                             "without the answer's length; token rates count input only"),
    [WARDEN_F_CACHE_READ_TOKENS] = FIELD(cache_read_tokens, "a cached history counts as new input"),
    [WARDEN_F_TOOLS] = FIELD(tools, "no agent fan-out; tool use is not part of the shape"),
    [WARDEN_F_STATUS] = FIELD(status, NULL),
};

const struct warden_event_field_info *warden_event_field_info(unsigned f)
{
    return f < WARDEN_F_N ? &info[f] : NULL;
}

#define STR(bit, s) ((uint32_t)((s).p != NULL && (s).n > 0) << (bit))
#define INT(bit, v) ((uint32_t)((v) != WARDEN_NOINT) << (bit))

uint32_t warden_event_fields_present(const struct warden_event *ev)
{
    return STR(WARDEN_F_REQUEST_ID, ev->request_id) | STR(WARDEN_F_ORG_ID, ev->org_id) |
           STR(WARDEN_F_API_KEY_ID, ev->api_key_id) | STR(WARDEN_F_END_USER, ev->end_user) |
           STR(WARDEN_F_USER_AGENT, ev->user_agent) | STR(WARDEN_F_TLS_JA4, ev->tls_ja4) |
           STR(WARDEN_F_CLIENT_TZ, ev->client_tz) | STR(WARDEN_F_CLIENT_LOCALE, ev->client_locale) |
           STR(WARDEN_F_MODEL, ev->model) | STR(WARDEN_F_ENDPOINT, ev->endpoint) |
           STR(WARDEN_F_SYSTEM, ev->system) | STR(WARDEN_F_PROMPT, ev->prompt) |
           INT(WARDEN_F_TURNS, ev->turns) | ((uint32_t)(ev->thinking >= 0) << WARDEN_F_THINKING) |
           INT(WARDEN_F_MAX_TOKENS, ev->max_tokens) | INT(WARDEN_F_INPUT_TOKENS, ev->input_tokens) |
           INT(WARDEN_F_OUTPUT_TOKENS, ev->output_tokens) |
           INT(WARDEN_F_CACHE_READ_TOKENS, ev->cache_read_tokens) | INT(WARDEN_F_TOOLS, ev->tools) |
           INT(WARDEN_F_STATUS, ev->status);
}
