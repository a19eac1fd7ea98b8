/* distill_yield.c — signal distill.answer_yield: how many long answers to
 * short new questions the account has collected, and what share of its
 * requests they are.
 *
 * Why. A harvester cannot avoid collecting answers: each request pays off
 * only if it brings back a long answer it did not have, and it needs many of
 * them. What it can change cheaply — one turn or several, tools declared or
 * not, cache or not, the wording around the item — the harvest shape signal
 * already measures; this one measures only the yield, which an agentic-looking
 * harvester (tools, turns, caching, no elicitation wording) keeps. A long
 * answer is counted against the request's *new* input (input minus cache
 * reads: a conversation's history and a shared system prompt are context the
 * provider already holds; distill_shape.c), so a coding agent's long answers
 * to 20,000 tokens of code do not count and a fake conversation's do.
 *
 * What it measures, from the harvest shape counts (no state of its own): the
 * share s of requests with usage whose answer was long (distill_shape.c:
 * output >= long_answer and >= out_ratio x new input), and their count c.
 * Score = clamp((s - 0.2) / 0.25) x clamp(log2(c / 8) / 3): nothing below a
 * fifth of requests or 8 long answers, full at 45 % of requests and 64 long
 * answers (s is shrunk towards 0 for small accounts: long / (requests + 2)). People asking now and
 * then for a long explanation stay under the share; an application whose users sometimes ask for
 * long answers stays under the share at any volume; a person with a handful of long answers stays
 * under the count.
 *
 * Cost: a division and a log2 when the account is scored; no memory.
 * Evasion: padding each request with new (uncached, paid) input of a third
 * of the answer's length, or short answers (then the harvest is worth less);
 * spreading the harvest over many accounts keeps each under the count (the
 * cross-account view, src/link/, is for that).
 * Look-alike it cannot tell apart alone: a heavy user of a reasoning model
 * who asks hundreds of distinct questions with long answers, or a
 * content-generation app. Long answers also weigh in harvest shape, so the
 * default weight (1.8) is set so that the long-answer trait alone — shape and
 * yield both at their maximum, every request single-turn with a big budget —
 * stays below the throttle level (0.8): it can be reviewed, never enforced
 * (a unit test checks it).
 *
 * Evidence: long_answers, long_answer_share, share_term, volume_term. */
#include "detect/distill.h"

#include <math.h>

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double share_term(const struct warden_distill_shape *s)
{
    double share = s->long_out / ((double)s->usage + 2.0);
    return clamp01((share - 0.2) / 0.25);
}

static double volume_term(const struct warden_distill_shape *s)
{
    return s->long_out > 8 ? clamp01(log2((double)s->long_out / 8.0) / 3.0) : 0;
}

double warden_distill_yield_score(const struct warden_distill_shape *s)
{
    return share_term(s) * volume_term(s);
}

void warden_distill_yield_evidence(const struct warden_distill_shape *s, struct warden_jbuf *b)
{
    warden_jbuf_kv_int(b, "long_answers", s->long_out);
    warden_jbuf_kv_num(b, "long_answer_share", s->usage ? (double)s->long_out / s->usage : 0);
    warden_jbuf_kv_num(b, "share_term", share_term(s));
    warden_jbuf_kv_num(b, "volume_term", volume_term(s));
}
