/* distill_shape.c — signal distill.harvest_shape: requests shaped to
 * collect answers, not to hold a conversation or run an application.
 *
 * What it measures, as shares of the account's requests: single-turn
 * (`turns` = 1; see single_turn() for a gateway that does not log it), no tools declared, no cache
 * reads (`cache_read_tokens` = 0 or absent), an output budget at or above
 * big_budget (`max_tokens` near the ceiling), and a long answer to a short
 * question (output_tokens >= long_answer and >= out_ratio x the request's
 * new input among requests with usage: cache reads are history and shared
 * prompts the provider already holds, so a fake conversation does not
 * dilute the ratio and a coding agent's cached code still does). Gateways
 * report input two ways: with the cache reads in input_tokens (OpenAI's
 * prompt_tokens, LiteLLM) or apart from them (Anthropic's input_tokens);
 * the new input is input_tokens minus cache_read_tokens in the first case
 * and input_tokens in the second. An account is read the first way until
 * one of its requests reads more from the cache than its input_tokens,
 * which only the second can report (the newest message is never cached);
 * from then on, the second (cache_apart, in the evidence). Score: 0.20 single + 0.05 no-tools +
 * 0.10 no-cache + 0.20 big-budget + 0.45 long-answer, each share over requests + 2. The long-answer
 * counts also feed distill.answer_yield (distill_yield.c). Conversations, agents (tools, caching,
 * many turns), pipelines (short outputs) and translation (output about as long as input) all score
 * low on part of it.
 *
 * Cost: a few comparisons per request; 32 bytes.
 * Evasion: fake multi-turn context, declared but unused tools, small
 * budgets with many requests; each costs the harvester tokens or yield.
 *
 * Evidence: requests, single_turn_share, tools_share, cache_share,
 * big_budget_share, long_answer_share, cache_apart (when set). */
#include "detect/distill.h"

/* Upper bound of the tokens of a text of n bytes: two bytes a token (English
 * runs about four, code three; a CJK character is three bytes and one or two
 * tokens), plus a message's framing. */
static int64_t tokens_at_most(uint32_t n)
{
    return (int64_t)n / 2 + 32;
}

/* Whether the request is single-turn. From `turns` when the gateway logs
 * it; without it, from what the API bills: it is stateless, so a request
 * carries the whole conversation, and one whose new input is no more than
 * its system prompt and newest turn can hold could not carry a history.
 * Only with the prompt's text and the usage known, and neither cache reads
 * (a history the provider holds) nor tools (their schemas are input) in the
 * request: when in doubt, not single (a history under the bound's slack, a
 * system prompt the gateway does not log, a CJK prompt near the bound all
 * count as not single, which lowers the signal, never raises it). */
static bool single_turn(const struct warden_event *ev)
{
    if (ev->turns != WARDEN_NOINT) return ev->turns == 1;
    if (!ev->prompt.n || ev->input_tokens == WARDEN_NOINT || ev->input_tokens <= 0) return false;
    if (ev->cache_read_tokens != WARDEN_NOINT && ev->cache_read_tokens > 0) return false;
    if (ev->tools != WARDEN_NOINT && ev->tools > 0) return false;
    return ev->input_tokens <=
           tokens_at_most(ev->prompt.n) + (ev->system.n ? tokens_at_most(ev->system.n) : 0);
}

void warden_distill_shape_update(struct warden_distill_shape *s, const struct warden_event *ev,
                                 int64_t big_budget, double out_ratio, int64_t long_answer)
{
    if (s->n >= (1u << 30)) return;
    s->n++;
    s->single += single_turn(ev);
    s->tools += ev->tools != WARDEN_NOINT && ev->tools > 0;
    s->cache += ev->cache_read_tokens != WARDEN_NOINT && ev->cache_read_tokens > 0;
    s->big_budget += ev->max_tokens != WARDEN_NOINT && ev->max_tokens >= big_budget;
    if (ev->input_tokens != WARDEN_NOINT && ev->output_tokens != WARDEN_NOINT &&
        ev->input_tokens > 0) {
        /* the question is what the request adds: cache reads are context the
         * provider already holds (a conversation's history, a shared prompt) */
        int64_t fresh = ev->input_tokens;
        if (ev->cache_read_tokens != WARDEN_NOINT && ev->cache_read_tokens > 0) {
            if (ev->cache_read_tokens >= fresh) s->cache_apart = 1;
            if (!s->cache_apart) fresh -= ev->cache_read_tokens;
        }
        s->usage++;
        s->long_out += ev->output_tokens >= long_answer &&
                       (double)ev->output_tokens >= out_ratio * (double)fresh;
    }
}

double warden_distill_shape_score(const struct warden_distill_shape *s)
{
    double d = (double)s->n + 2.0;
    double v = 0.20 * s->single / d + 0.05 * ((double)s->n - s->tools) / d +
               0.10 * ((double)s->n - s->cache) / d + 0.20 * s->big_budget / d +
               0.45 * s->long_out / ((double)s->usage + 2.0);
    return v;
}

double warden_distill_shape_answer_part(const struct warden_distill_shape *s)
{
    return 0.20 * s->big_budget / ((double)s->n + 2.0) +
           0.45 * s->long_out / ((double)s->usage + 2.0);
}

static double share(uint32_t k, uint32_t n)
{
    return n ? (double)k / n : 0;
}

void warden_distill_shape_evidence(const struct warden_distill_shape *s, struct warden_jbuf *b)
{
    warden_jbuf_kv_int(b, "requests", s->n);
    warden_jbuf_kv_num(b, "single_turn_share", share(s->single, s->n));
    warden_jbuf_kv_num(b, "tools_share", share(s->tools, s->n));
    warden_jbuf_kv_num(b, "cache_share", share(s->cache, s->n));
    warden_jbuf_kv_num(b, "big_budget_share", share(s->big_budget, s->n));
    warden_jbuf_kv_num(b, "long_answer_share", share(s->long_out, s->usage));
    if (s->cache_apart) warden_jbuf_kv_bool(b, "cache_apart", true);
}
