/* distill_template.c — signal distill.template_reuse: prompts that share a
 * frame with a slot filled (same opening or same ending, different payload).
 *
 * What it measures. Each prompt gives two sketches (distill_text.c): a
 * SimHash of its first tokens and one of its last tokens, weighted towards
 * the ends. The account keeps WARDEN_DISTILL_TSLOTS template slots (sketch,
 * which end, count, distinct payloads); a sketch joins a slot when it is
 * within max_hamming bits (so a reworded frame that keeps most of its words,
 * or a frame around a short slot, still clusters), else it replaces the
 * slot with the smallest count, ties taken in rotation (the frequent
 * templates stay, and a new one keeps its slot for 7 one-off sketches). A two-generation Bloom
 * filter of whole-prompt hashes tells a new payload from a repeat of a recent prompt. Score: the
 * top template's share of the account's prompts, mapped from 0.15..0.70 to 0..1, times the share of
 * its prompts that were new payloads (one template filled with many different payloads is what
 * harvesting looks like; resending the same prompt is not).
 *
 * Cost: 2 x 8 popcounts and 2 Bloom probes per prompt; 248 bytes.
 * Evasion: rewording the frame beyond max_hamming on every request, or no
 * frame at all (raw items); both leave the other signals. Batch pipelines
 * and translation services reuse one template too: this signal alone is
 * weak by design (its weight in the combination is small).
 *
 * Evidence: prompts, top_template (hex sketch), top_end (prefix|suffix),
 * top_count, top_share, distinct_payload_share, repeat_share. */
#include "detect/distill.h"

#include <stdio.h>
#include <string.h>

static bool bloom_test_set(struct warden_distill_template *s, uint64_t h)
{
    uint32_t a = (uint32_t)(h & 511), b = (uint32_t)((h >> 23) & 511);
    bool seen = false;
    for (int g = 0; g < 2; g++) {
        const uint64_t *f = s->bloom[g];
        if ((f[a >> 6] >> (a & 63) & 1) && (f[b >> 6] >> (b & 63) & 1)) seen = true;
    }
    if (!seen) {
        if (s->bloom_n >= 180) { /* the current generation is full: start a new one */
            s->bloom_cur ^= 1;
            memset(s->bloom[s->bloom_cur], 0, sizeof s->bloom[0]);
            s->bloom_n = 0;
        }
        uint64_t *f = s->bloom[s->bloom_cur];
        f[a >> 6] |= 1ULL << (a & 63);
        f[b >> 6] |= 1ULL << (b & 63);
        s->bloom_n++;
    }
    return seen;
}

static void halve(struct warden_distill_template *s)
{
    for (int i = 0; i < WARDEN_DISTILL_TSLOTS; i++) {
        s->count[i] = (uint16_t)(s->count[i] / 2);
        s->distinct[i] = (uint16_t)(s->distinct[i] / 2);
    }
    s->n /= 2;
    s->repeats /= 2;
}

static void add_sketch(struct warden_distill_template *s, uint64_t sk, uint8_t end, bool repeat,
                       int max_hamming)
{
    int best = -1, victim = -1;
    for (int j = 0; j < WARDEN_DISTILL_TSLOTS; j++) {
        /* scan from a rotating start so that ties for the victim rotate */
        int i = (j + s->cursor) % WARDEN_DISTILL_TSLOTS;
        if (s->count[i] && s->end[i] == end &&
            warden_distill_hamming(s->sketch[i], sk) <= max_hamming &&
            (best < 0 || s->count[i] > s->count[best]))
            best = i;
        if (victim < 0 || s->count[i] < s->count[victim]) victim = i;
    }
    if (best < 0) {
        s->cursor = (uint8_t)((victim + 1) % WARDEN_DISTILL_TSLOTS);
        best = victim;
        s->sketch[best] = sk;
        s->end[best] = end;
        s->count[best] = 0;
        s->distinct[best] = 0;
    }
    s->count[best]++;
    if (!repeat) s->distinct[best]++;
}

bool warden_distill_template_update(struct warden_distill_template *s,
                                    const struct warden_distill_text *t, int max_hamming)
{
    if (!t->prompt_hash) return false;
    if (s->n >= 60000) halve(s);
    bool repeat = bloom_test_set(s, t->prompt_hash);
    s->n++;
    s->repeats += repeat;
    if (t->ntokens >= 4) {
        add_sketch(s, t->head_sketch, 1, repeat, max_hamming);
        add_sketch(s, t->tail_sketch, 2, repeat, max_hamming);
    }
    return repeat;
}

static int top(const struct warden_distill_template *s)
{
    int best = 0;
    for (int i = 1; i < WARDEN_DISTILL_TSLOTS; i++)
        if (s->count[i] > s->count[best]) best = i;
    return best;
}

double warden_distill_template_score(const struct warden_distill_template *s)
{
    if (s->n < 4) return 0;
    int i = top(s);
    if (s->count[i] < 3) return 0;
    double share = (double)s->count[i] / s->n;
    double fresh = (double)s->distinct[i] / s->count[i];
    double x = (share - 0.15) / 0.55;
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    return x * fresh;
}

void warden_distill_template_evidence(const struct warden_distill_template *s,
                                      struct warden_jbuf *b)
{
    int i = top(s);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)s->sketch[i]);
    warden_jbuf_kv_int(b, "prompts", s->n);
    warden_jbuf_kv_str(b, "top_template", hex);
    warden_jbuf_kv_str(b, "top_end", s->end[i] == 1 ? "prefix" : "suffix");
    warden_jbuf_kv_int(b, "top_count", s->count[i]);
    warden_jbuf_kv_num(b, "top_share", s->n ? (double)s->count[i] / s->n : 0);
    warden_jbuf_kv_num(b, "distinct_payload_share",
                       s->count[i] ? (double)s->distinct[i] / s->count[i] : 0);
    warden_jbuf_kv_num(b, "repeat_share", s->n ? (double)s->repeats / s->n : 0);
}
