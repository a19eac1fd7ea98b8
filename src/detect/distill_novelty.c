/* distill_novelty.c — payload novelty over time: how many different
 * payloads an account has sent, whether it resends ones it sent before, and
 * in how many separate time slots new payloads arrived.
 *
 * Why. Harvesting is sustained novelty: the harvester pays for every request
 * and gains only from payloads it has not collected yet, so new payloads keep
 * arriving hour after hour and a payload is rarely sent twice. An evaluation
 * harness is the opposite: a fixed item set sent in a burst, then silence,
 * then the same items again in the next run. A burst of new items in one
 * sitting is therefore not yet evidence of harvesting; new items in several
 * separate slots are. The detector holds its score below the finding level
 * until the account has sent new payloads in min_sittings slots
 * (detect_distill.c), and shows the counts here as evidence.
 *
 * What is a payload. A prompt is cut into lines (blank lines dropped, spaces
 * trimmed; a prompt of more than 6 lines gives its first 3, its middle as one
 * part, and its last 3). A prompt is new when any of its parts was never sent
 * before, and a repeat when every part was: a harness that re-runs its items
 * with another instruction line appended ("Let's think step by step.", or
 * none) resends the same item lines, while a harvester's item lines are new
 * whatever frame it wraps them in, and a fixed preamble with a new question
 * under it is new too (the question's line is).
 *
 * How. Adaptive distinct sampling (Wegman; Flajolet 1990) over the parts'
 * 32-bit fingerprints (the high half of their XXH3 hash): the account keeps
 * up to WARDEN_DISTILL_NOVEL_SET fingerprints that have `level` low zero
 * bits. When the set is full, the level rises by one and the fingerprints
 * that no longer qualify are dropped. A part is checked only when it
 * qualifies at the current level; the same part always qualifies or never
 * does, so a resent part is recognised however long ago it was first sent
 * (unlike a recency filter), and distinct parts ~= set size x 2^level. Below
 * 64 distinct parts every part is checked. A prompt with a checked part not
 * in the set is new and may start a sitting. A prompt whose checked parts were all in the set is a
 * repeat, for repeat_share. Both counts estimate all prompts read, not only
 * the checked ones: a prompt checked at level L with k parts counts
 * 1 / (1 - (1 - 2^-L)^k) (Horvitz-Thompson; every prompt counts 1 until
 * the set first fills, so unweighted the early prompts, new ones, would
 * outweigh a re-run's repeats); both are halved past 2^30.
 *
 * Cost: finding the line ends (memchr), at most 7 XXH3 hashes of short
 * spans, at most 64 compares per part that qualifies (every part for small
 * accounts, 1 in 2^level after); 280 bytes. No text is kept: only 32-bit
 * fingerprints of hashes.
 * Without prompt text (the field is optional) nothing is checked, and for
 * an account whose prompts were never read the sittings count activity
 * instead: a request at least sitting_ms after the newest sitting began
 * starts another (evidence: checked 0 with sittings above 0).
 * Agent sessions. A request that continues an agent's tool loop (turns > 1,
 * tools declared) on an account that opens tool sessions (turns = 1 with
 * tools: distill_fanout.c) carries the output of a tool as its newest turn:
 * a file, a command's result, a search. It is new every time (a re-run of an
 * agentic benchmark runs the tools again) but was not chosen by the client,
 * so it is not a payload: such requests are skipped (WARDEN_PAYLOAD_TOOL_OUTPUT),
 * and an agent's payloads are its sessions' tasks (an evaluation team
 * re-running the same tasks is one sitting, a harness over a task list
 * brings new ones every run). The task opening a session is read whole, as
 * one part (WARDEN_PAYLOAD_TASK): a re-run sends it unchanged, and by its
 * lines a new task whose sampled lines are common ones ("}", "return 0;")
 * would pass for a repeat. An account that never opens a session (a history
 * faked on every request) is read by lines, as any other.
 * Evasion: spreading a harvest thinly over time is what the sitting count
 * asks for (it only delays the finding by one sitting); resending payloads costs the harvester
 * requests for nothing.
 *
 * Evidence (object "payloads"): distinct_parts (estimate), sampling_level, checked (prompts
 * read, estimated as above),
 * repeat_share, sittings. */
#include "detect/distill.h"
#include "core/hash.h"

#include <math.h>
#include <string.h>

#define NSET WARDEN_DISTILL_NOVEL_SET

static void raise_level(struct warden_distill_novelty *s)
{
    s->level++;
    uint32_t mask = (1u << s->level) - 1, k = 0;
    for (uint32_t i = 0; i < s->nfp; i++)
        if ((s->fp[i] & mask) == 0) s->fp[k++] = s->fp[i];
    s->nfp = (uint8_t)k;
}

static bool sampled(const struct warden_distill_novelty *s, uint32_t f)
{
    return s->level < 31 && (f & ((1u << s->level) - 1)) == 0;
}

static bool in_set(const struct warden_distill_novelty *s, uint32_t f)
{
    bool found = false;
    for (uint32_t i = 0; i < s->nfp; i++) found |= s->fp[i] == f;
    return found;
}

static void insert(struct warden_distill_novelty *s, uint32_t f)
{
    while (s->nfp >= NSET && s->level < 31) raise_level(s);
    if (sampled(s, f) && s->nfp < NSET) s->fp[s->nfp++] = f;
}

static bool blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Fingerprint of p[a..b) with blanks trimmed; 0 when nothing is left. */
static uint32_t part(const char *p, size_t a, size_t b)
{
    while (a < b && blank((unsigned char)p[a])) a++;
    while (b > a && blank((unsigned char)p[b - 1])) b--;
    if (a == b) return 0;
    uint32_t f = (uint32_t)(warden_hash64(p + a, b - a) >> 32);
    return f ? f : 1;
}

#define HEAD_LINES 3
#define MAX_PARTS (2 * HEAD_LINES + 1)

/* The prompt's parts: up to 3 first lines, the middle, up to 3 last lines. */
static int parts(const char *p, size_t n, uint32_t *out)
{
    size_t cut[HEAD_LINES + 1], tail[HEAD_LINES + 1];
    int nh = 0, nt = 0, k = 0;
    size_t at = 0;
    cut[nh++] = 0;
    while (nh <= HEAD_LINES) {
        const char *q = memchr(p + at, '\n', n - at);
        if (!q) break;
        at = (size_t)(q - p) + 1;
        cut[nh++] = at;
    }
    if (nh <= HEAD_LINES) { /* few lines: each is a part */
        for (int i = 0; i < nh; i++) {
            uint32_t f = part(p, cut[i], i + 1 < nh ? cut[i + 1] : n);
            if (f) out[k++] = f;
        }
        return k;
    }
    /* the last lines, from the end, not before the head */
    size_t end = n;
    tail[nt++] = n;
    while (nt <= HEAD_LINES && end > at) {
        size_t j = end;
        while (j > at && p[j - 1] != '\n') j--;
        tail[nt++] = j;
        end = j > at ? j - 1 : at;
    }
    for (int i = 0; i + 1 < nh; i++) {
        uint32_t f = part(p, cut[i], cut[i + 1]);
        if (f) out[k++] = f;
    }
    size_t mid_end = tail[nt - 1];
    uint32_t f = part(p, at, mid_end);
    if (f) out[k++] = f;
    for (int i = nt - 1; i > 0; i--) {
        f = part(p, tail[i], tail[i - 1]);
        if (f) out[k++] = f;
    }
    return k;
}

bool warden_distill_novelty_update(struct warden_distill_novelty *s, const struct warden_event *ev,
                                   int64_t sitting_ms, enum warden_distill_payload how)
{
    if (how == WARDEN_PAYLOAD_TOOL_OUTPUT) return false;
    if (!ev->prompt.p || !ev->prompt.n) {
        /* no prompt text (a gateway that does not log it, formats.md makes
         * it optional): new payloads cannot be told from repeats, so for an
         * account none of whose prompts was ever read, activity stands in:
         * a request sitting_ms after the newest sitting began starts another
         * (an evaluation run is still one sitting; its re-run is a second) */
        if (s->checked == 0 && (s->sittings == 0 || ev->ts_ms >= s->sitting_ts + sitting_ms)) {
            s->sitting_ts = ev->ts_ms;
            if (s->sittings < UINT16_MAX) s->sittings++;
        }
        return false;
    }
    uint32_t f[MAX_PARTS];
    int np = 0;
    if (how == WARDEN_PAYLOAD_TASK) {
        f[0] = part(ev->prompt.p, 0, ev->prompt.n);
        np = f[0] != 0;
    } else {
        np = parts(ev->prompt.p, ev->prompt.n, f);
    }
    unsigned level = s->level < 24 ? s->level : 24; /* the level the parts are checked at */
    bool any = false, fresh = false;
    for (int i = 0; i < np; i++) {
        if (!sampled(s, f[i])) continue;
        any = true;
        if (!in_set(s, f[i])) {
            fresh = true;
            insert(s, f[i]);
        }
    }
    if (!any) return false;
    /* a prompt checked at that level stands for 1 / P(a part of it is
     * sampled) prompts: the counts estimate all prompts, not the checked
     * ones, which would over-weigh the early ones (every prompt is checked
     * until the set first fills) */
    uint32_t w = 1;
    if (level > 0) {
        double miss = pow(1 - 1.0 / (double)(1u << level), np);
        w = (uint32_t)lround(1 / (1 - miss));
    }
    if (s->checked >= (1u << 30)) {
        s->checked /= 2;
        s->repeats /= 2;
    }
    s->checked += w;
    if (!fresh) {
        s->repeats += w;
        return false;
    }
    if (s->sittings == 0 || ev->ts_ms >= s->sitting_ts + sitting_ms) {
        s->sitting_ts = ev->ts_ms;
        if (s->sittings < UINT16_MAX) s->sittings++;
    }
    return true;
}

double warden_distill_novelty_distinct(const struct warden_distill_novelty *s)
{
    return (double)s->nfp * (double)(1ULL << s->level);
}

double warden_distill_novelty_repeat_share(const struct warden_distill_novelty *s)
{
    return s->checked ? (double)s->repeats / s->checked : 0;
}

void warden_distill_novelty_evidence(const struct warden_distill_novelty *s, struct warden_jbuf *b)
{
    warden_jbuf_kv_num(b, "distinct_parts", warden_distill_novelty_distinct(s));
    warden_jbuf_kv_int(b, "sampling_level", s->level);
    warden_jbuf_kv_int(b, "checked", s->checked);
    warden_jbuf_kv_num(b, "repeat_share", warden_distill_novelty_repeat_share(s));
    warden_jbuf_kv_int(b, "sittings", s->sittings);
}
