/* distill_sweep.c — signal distill.capability_sweep: how much new ground an
 * account's prompts cover per unit of volume.
 *
 * What it measures. Each prompt contributes up to WARDEN_DISTILL_CONTENT
 * content-token hashes (distill_text.c), feature-hashed into 512 buckets.
 * Over a batch of WARDEN_DISTILL_SWEEP_BATCH prompts the account's coverage
 * is the number of buckets hit divided by the number expected if every
 * token were different (linear counting: 512 (1 - e^(-tokens/512))): near
 * 1 when every prompt brings new vocabulary (a sweep across task areas),
 * lower when the account keeps to its subject (an app, a support bot, a
 * pipeline on one kind of document), whatever the language, because it is a
 * ratio of the account's own tokens. The score is the running mean coverage
 * over batches mapped from 0.60..0.90 to 0..1; before the first batch ends,
 * the partial batch counts once it has 12 prompts.
 *
 * Cost: up to 24 bit sets per prompt, one popcount pass per 32 prompts;
 * 80 bytes. Evasion: padding prompts with a fixed vocabulary, or spreading
 * one area over many accounts; ordinary people with varied questions also
 * sweep, which is why this signal carries a small weight.
 *
 * Evidence: sweep_batches, coverage (mean), coverage_last. */
#include "detect/distill.h"

#include <math.h>
#include <string.h>

#define NBUCKETS (WARDEN_DISTILL_SWEEP_WORDS * 64)

static double batch_value(const struct warden_distill_sweep *s)
{
    if (!s->ntok) return 0;
    unsigned hit = 0;
    for (int i = 0; i < WARDEN_DISTILL_SWEEP_WORDS; i++)
        hit += (unsigned)warden_distill_popcount(s->cov[i]);
    double expect = NBUCKETS * (1.0 - exp(-(double)s->ntok / NBUCKETS));
    double v = expect > 0 ? hit / expect : 0;
    return v > 1 ? 1 : v;
}

void warden_distill_sweep_update(struct warden_distill_sweep *s,
                                 const struct warden_distill_text *t)
{
    if (!t->prompt_hash) return;
    for (uint32_t i = 0; i < t->ncontent; i++) {
        uint32_t b = t->content[i] & (NBUCKETS - 1);
        s->cov[b >> 6] |= 1ULL << (b & 63);
    }
    s->ntok += t->ncontent;
    if (++s->nprompts < WARDEN_DISTILL_SWEEP_BATCH) return;
    float v = (float)batch_value(s);
    s->last = v;
    s->coverage = s->batches == 0 ? v : s->coverage * 0.75f + v * 0.25f;
    if (s->batches < UINT16_MAX) s->batches++;
    memset(s->cov, 0, sizeof s->cov);
    s->ntok = 0;
    s->nprompts = 0;
}

double warden_distill_sweep_score(const struct warden_distill_sweep *s)
{
    double c;
    if (s->batches)
        c = s->coverage;
    else if (s->nprompts >= 12 && s->ntok >= 60)
        c = batch_value(s);
    else
        return 0;
    double x = (c - 0.60) / 0.30;
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

void warden_distill_sweep_evidence(const struct warden_distill_sweep *s, struct warden_jbuf *b)
{
    warden_jbuf_kv_int(b, "sweep_batches", s->batches);
    warden_jbuf_kv_num(b, "coverage", s->batches ? s->coverage : batch_value(s));
    warden_jbuf_kv_num(b, "coverage_last", s->last);
}
