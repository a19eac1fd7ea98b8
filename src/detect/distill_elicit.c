/* distill_elicit.c — signal distill.reasoning_elicitation: the share of an
 * account's requests that ask for the model's reasoning.
 *
 * What it measures. A request elicits reasoning when its prompt or system
 * prompt matches a pattern of the elicitation file (distill_matcher.c:
 * "think step by step", "show your chain of thought", "explain your
 * reasoning before answering", rubric / grader-style output, in several
 * languages), or when it turns extended thinking on with an output budget
 * of at least thinking_min_budget. A text match counts only when the
 * answer came back with at least min_answer output tokens (or the event has
 * no usage): a harvester asks for the reasoning to receive it, and a request
 * whose answer is a few lines long brought no trace back, whatever its
 * wording — a pipeline whose fixed instruction happens to say "write a
 * step-by-step guide" over short answers is not eliciting anything (such
 * matches are counted apart, short_answer_matches). Text matches count fully, thinking alone
 * counts 0.6 (reasoning models are an ordinary product: asking for them is
 * weaker evidence than asking for the trace in words). Score: that weighted
 * count over the account's requests + 3 (a few requests cannot reach a high
 * share), so it is a share of traffic, never a verdict on one request.
 * The system prompt is scanned only when its hash changes (apps resend the
 * same long system prompt on every request).
 *
 * Cost: one Hyperscan block scan of the prompt (a few hundred ns for a
 * typical prompt), the system prompt once per change; 32 bytes.
 * Evasion: wording outside the patterns (new phrasings, other languages not
 * in the file), or no elicitation at all (harvesting plain answers); the
 * thinking flag still counts; the other signals remain.
 *
 * Evidence: requests, text_matches, short_answer_matches, thinking_big_budget, eliciting_share,
 * last_pattern (line of the pattern file that matched last). */
#include "detect/distill.h"

void warden_distill_elicit_update(struct warden_distill_elicit *s, struct warden_distill_matcher *m,
                                  const struct warden_event *ev,
                                  const struct warden_distill_text *t, int64_t thinking_min_budget,
                                  int64_t min_answer)
{
    s->n++;
    unsigned id = 0;
    bool text = warden_distill_matcher_match(m, ev->prompt.p, ev->prompt.n, &id);
    if (t->system_hash != s->sys_hash) {
        unsigned sid = 0;
        s->sys_hash = t->system_hash;
        s->sys_match =
            t->system_hash && warden_distill_matcher_match(m, ev->system.p, ev->system.n, &sid);
        if (s->sys_match && !text) id = sid;
    }
    if (s->sys_match) text = true;
    if (text && id) s->last_pattern = (uint16_t)(id > UINT16_MAX ? UINT16_MAX : id);
    /* asked for reasoning and got none back (a pipeline's fixed "write a
     * step-by-step guide" instruction over short answers): not counted */
    if (text && min_answer > 0 && ev->output_tokens != WARDEN_NOINT &&
        ev->output_tokens < min_answer) {
        text = false;
        if (s->short_answers < UINT32_MAX) s->short_answers++;
    }
    bool think = ev->thinking == 1 &&
                 (ev->max_tokens == WARDEN_NOINT || ev->max_tokens >= thinking_min_budget);
    s->text += text;
    s->thinking += think;
    s->either += text || think;
}

double warden_distill_elicit_score(const struct warden_distill_elicit *s)
{
    double think_only = (double)s->either - (double)s->text;
    double v = ((double)s->text + 0.6 * think_only) / ((double)s->n + 3.0);
    return v > 1 ? 1 : v;
}

double warden_distill_elicit_thinking_part(const struct warden_distill_elicit *s)
{
    double v = 0.6 * ((double)s->either - (double)s->text) / ((double)s->n + 3.0);
    double all = warden_distill_elicit_score(s);
    return v < all ? v : all;
}

void warden_distill_elicit_evidence(const struct warden_distill_elicit *s, struct warden_jbuf *b)
{
    warden_jbuf_kv_int(b, "requests", s->n);
    warden_jbuf_kv_int(b, "text_matches", s->text);
    warden_jbuf_kv_int(b, "short_answer_matches", s->short_answers);
    warden_jbuf_kv_int(b, "thinking_big_budget", s->thinking);
    warden_jbuf_kv_num(b, "eliciting_share", s->n ? (double)s->either / s->n : 0);
    if (s->last_pattern) warden_jbuf_kv_int(b, "last_pattern", s->last_pattern);
}
