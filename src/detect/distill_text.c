/* distill_text.c — one pass over a prompt for the distillation signals.
 *
 * Produces hashes only (struct warden_distill_text): the whole-prompt hash
 * (XXH3 of its bytes),
 * position-weighted SimHash sketches of the first and last
 * WARDEN_DISTILL_EDGE tokens (the "frame" a template puts around its
 * payload: the nearer a token is to its end of the prompt, the more it
 * weighs, so a fixed instruction still dominates a short slot next to it;
 * a rewording that keeps the last words of a closing instruction stays
 * within a few bits, one that changes them does not),
 * and up to WARDEN_DISTILL_CONTENT content-token hashes for the sweep.
 *
 * Tokens: runs of ASCII letters/digits (lower-cased) and of letters of
 * other alphabetic scripts (bytes as they are); each character of scripts
 * written without spaces (CJK ideographs, kana, Hangul, Thai) is a token of
 * its own, and pairs of such characters are the content tokens (a Chinese
 * prompt gives about as many content tokens as an English one of the same
 * length in meaning). Punctuation of any script separates. Only the ends of
 * a long prompt are read: the first HEAD_BYTES bytes (at least the first
 * WARDEN_DISTILL_EDGE tokens), then the last WARDEN_DISTILL_EDGE tokens,
 * found by walking back from the end; the middle, the payload of a template,
 * is never tokenized. Cost: no allocation; the tokens of about 200 bytes and
 * 8 multiply-adds per edge token, whatever the prompt's length. ASCII text
 * is taken 64 bytes at a time: a bit mask of its letters and digits (SSE2)
 * gives each word's extent, and a word is hashed eight bytes a load, so no
 * branch waits on a word's end; other bytes go one code point at a time. */
#include "detect/distill.h"
#include "core/hash.h"

#include <stdint.h>
#include <string.h>

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Weighted bit counts, eight to a word: lane j of acc[k] (byte j) sums the
 * weights of the tokens whose hash has bit 8k+j set. Weights are 1..8 and a
 * sketch takes at most WARDEN_DISTILL_EDGE tokens, so a lane stays under
 * 8 x 9 / 2 = 36 and never carries into the next. Bit b of the sketch is set
 * when its count is over half the total weight. 8 multiply-adds per token,
 * no branches (the bits of a hash are random: branches would mispredict). */
struct simhash {
    uint64_t acc[8];
    uint32_t total;
};

static uint64_t spread_byte(unsigned x)
{
    uint64_t r = 0;
    for (int j = 0; j < 8; j++) r |= (uint64_t)((x >> j) & 1) << (8 * j);
    return r;
}

static uint64_t spread[256];

static void spread_init(void)
{
    if (spread[255]) return;
    for (unsigned x = 0; x < 256; x++) spread[x] = spread_byte(x);
}

static void simhash_add(struct simhash *v, uint64_t h, uint32_t w)
{
    for (int k = 0; k < 8; k++) v->acc[k] += spread[(h >> (8 * k)) & 255] * w;
    v->total += w;
}

static uint64_t simhash_bits(const struct simhash *v)
{
    /* byte c of a word is over T = total/2 when c + (127 - T) reaches 128
     * (no carries: c <= 36); the 8 flags are then gathered into one byte */
    uint64_t t = 0x0101010101010101ULL * (uint64_t)(127 - v->total / 2), s = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t f = ((v->acc[k] + t) & 0x8080808080808080ULL) >> 7;
        s |= ((f * 0x0102040810204080ULL) >> 56) << (8 * k);
    }
    return s;
}

/* Characters of scripts written without spaces between words. */
static bool spaceless(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0x3040 && cp <= 0x30FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x0E00 && cp <= 0x0E7F) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Punctuation and symbols outside ASCII: separators. */
static bool separator(uint32_t cp)
{
    return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xA0 ||
           (cp >= 0xA1 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7;
}

#define HEAD_BYTES 64

struct tok_state {
    struct warden_distill_text *t;
    struct simhash head;
    uint64_t ring[WARDEN_DISTILL_EDGE];
};

static inline void token(struct tok_state *s, uint64_t h, uint32_t chars, bool content_ok)
{
    struct warden_distill_text *t = s->t;
    uint64_t m = mix64(h);
    if (t->ntokens < WARDEN_DISTILL_EDGE)
        simhash_add(&s->head, m, WARDEN_DISTILL_EDGE - t->ntokens);
    s->ring[t->ntokens % WARDEN_DISTILL_EDGE] = m;
    t->ntokens++;
    if (content_ok && chars >= 4 && t->ncontent < WARDEN_DISTILL_CONTENT)
        t->content[t->ncontent++] = (uint32_t)(m >> 32);
}

/* ASCII letters and digits, lower-cased; 0 for everything else (bytes of
 * UTF-8 sequences included: the caller tells those apart). */
static unsigned char fold[256];

static void fold_init(void)
{
    if (fold['a']) return;
    for (unsigned c = 0; c < 128; c++) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) fold[c] = (unsigned char)c;
        if (c >= 'A' && c <= 'Z') fold[c] = (unsigned char)(c | 0x20);
    }
}

/* Where the last WARDEN_DISTILL_EDGE tokens begin: walk back from the end,
 * classifying code points as the forward scan does (0 if the prompt has
 * fewer tokens). */
static size_t tail_start(const unsigned char *p, size_t n)
{
    size_t j = n;
    int tokens = 0;
    bool inword = false;
    while (j > 0) {
        size_t k = j - 1;
        while (k > 0 && (p[k] & 0xC0) == 0x80 && j - k < 4) k--;
        int cls; /* 0 separator, 1 word, 2 spaceless */
        unsigned c = p[k];
        if (c < 0x80) {
            cls = fold[c] ? 1 : 0;
        } else {
            uint32_t cp = c >= 0xF0 ? c & 0x07 : c >= 0xE0 ? c & 0x0F : c & 0x1F;
            for (size_t q = k + 1; q < j; q++) cp = (cp << 6) | (p[q] & 0x3F);
            cls = spaceless(cp) ? 2 : separator(cp) ? 0 : 1;
        }
        if (cls != 1 && inword) {
            inword = false;
            if (++tokens == WARDEN_DISTILL_EDGE) return j;
        }
        if (cls == 2 && ++tokens == WARDEN_DISTILL_EDGE) return k;
        if (cls == 1) inword = true;
        j = k;
    }
    return 0;
}

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* For the 64 bytes at q: bit i of *alnum set when q[i] is an ASCII letter or
 * digit (fold[] != 0), of *high when q[i] >= 0x80. */
static void ascii_masks(const unsigned char *q, uint64_t *alnum, uint64_t *high)
{
#ifdef __SSE2__
    uint64_t a = 0, hi = 0;
    for (int c = 0; c < 4; c++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(q + 16 * c));
        __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* case-folded; UTF-8 stays negative */
        __m128i az = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
        __m128i d = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        a |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(az, d)) << (16 * c);
        hi |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << (16 * c);
    }
    *alnum = a;
    *high = hi;
#else
    uint64_t a = 0, hi = 0;
    for (int i = 0; i < 64; i++) {
        a |= (uint64_t)(fold[q[i]] != 0) << i;
        hi |= (uint64_t)(q[i] >> 7) << i;
    }
    *alnum = a;
    *high = hi;
#endif
}

/* tail_start() for the common case, without a branch a byte: when the last
 * 64 bytes are ASCII and hold the starts of the last WARDEN_DISTILL_EDGE
 * tokens, the same answer from bit masks (bit i: byte n-64+i is a letter or
 * digit). Returns SIZE_MAX when it cannot tell (the caller walks back). */
static size_t tail_start_ascii(const unsigned char *p, size_t n)
{
    const unsigned char *q = p + n - 64;
    uint64_t word, high;
    ascii_masks(q, &word, &high);
    if (high) return SIZE_MAX;
    uint64_t starts = word & ~(word << 1);
    if (fold[q[-1]] || (q[-1] & 0x80)) starts &= ~1ULL; /* a word running into the window */
    if (warden_distill_popcount(starts) < WARDEN_DISTILL_EDGE) return SIZE_MAX;
    for (int r = 1; r < WARDEN_DISTILL_EDGE; r++)
        starts &= ~(1ULL << (63 - __builtin_clzll(starts)));
    return (size_t)(n - 64 + (size_t)(63 - __builtin_clzll(starts)));
}

#define FNV_INIT 0xcbf29ce484222325ULL
#define FOLD8 0x2020202020202020ULL /* lower-cases letters; digits have the bit already */

#define WORD_MUL 0x9E3779B97F4A7C15ULL

/* The L >= 1 letters and digits at q (lower-cased as fold[] does: c | 0x20)
 * folded into h eight bytes a step, the last step's bytes past the word
 * zeroed (a letter or digit is never zero, so no two words give the same
 * bytes); q[0..L+7) must be readable. One multiply per eight bytes: the
 * chain a word's hash waits on is a few cycles, not one multiply a byte.
 * token() mixes the result. The steps start at the start of the word's ASCII
 * run (ascii_span never begins a window inside a run but at its start), so
 * a word hashes the same wherever it stands in a prompt. */
static inline uint64_t word_hash(uint64_t h, const unsigned char *q, unsigned L)
{
    for (;;) {
        uint64_t w;
        memcpy(&w, q, 8);
        w |= FOLD8;
        if (L < 8) w &= (1ULL << (8 * L)) - 1;
        h = (((h << 23) | (h >> 41)) ^ w) * WORD_MUL;
        if (L <= 8) return h;
        L -= 8;
        q += 8;
    }
}

/* The ASCII bytes from p[i] (one of them) to the next non-ASCII byte, at
 * most 64, exactly as the byte-by-byte loop of scan_prompt would take them:
 * runs of letters and digits are found in a bit mask and hashed a word at a
 * time, a separator ends the token in progress, and the jump from the head to
 * the tail (see scan_prompt) is taken at the same place: the first position
 * after a separator that is at or past HEAD_BYTES, before *tail_at, with
 * WARDEN_DISTILL_EDGE tokens read. Returns where to go on (*tail_at is 0
 * once the jump is taken). */
static size_t ascii_span(struct tok_state *s, const unsigned char *p, size_t n, size_t i,
                         uint64_t *hp, uint32_t *lenp, size_t *tail_at)
{
    unsigned char pad[72];
    const unsigned char *q = p + i;
    size_t m = n - i < 64 ? n - i : 64;
    if (n - i < 72) { /* near the end: a copy, so that words may be read 8 bytes at a time */
        memcpy(pad, q, n - i < 72 ? n - i : 72);
        memset(pad + (n - i), 0, 72 - (n - i));
        q = pad;
    }
    uint64_t w, hi;
    ascii_masks(q, &w, &hi);
    if (m < 64) hi |= 1ULL << m;
    unsigned span = hi ? (unsigned)__builtin_ctzll(hi) : 64;
    if (span < 64) w &= (1ULL << span) - 1;
    uint64_t h = *hp;
    uint32_t len = *lenp;
    unsigned pos = 0;
    while (pos < span) {
        uint64_t rest = w >> pos;
        if (rest & 1) { /* a run of letters and digits */
            unsigned e = ~rest ? pos + (unsigned)__builtin_ctzll(~rest) : 64;
            if (e == 64 && pos > 0) {
                /* the run goes on past the window: the next window starts
                 * with it, so that it is hashed from its first byte */
                *hp = h;
                *lenp = len;
                return i + pos;
            }
            h = word_hash(h, q + pos, e - pos);
            len += e - pos;
            pos = e;
            continue;
        }
        /* a separator, then maybe more up to the next letter at a */
        if (len) token(s, h, len, true);
        h = FNV_INIT;
        len = 0;
        uint64_t next = rest >> 1;
        unsigned a = next ? pos + 1 + (unsigned)__builtin_ctzll(next) : span;
        if (*tail_at && s->t->ntokens >= WARDEN_DISTILL_EDGE) {
            /* the byte-by-byte loop checks for the jump after each of them */
            size_t x = i + pos + 1 > HEAD_BYTES ? i + pos + 1 : HEAD_BYTES;
            if (x <= i + a && x < *tail_at) {
                size_t to = *tail_at;
                *tail_at = 0;
                *hp = h;
                *lenp = len;
                return to;
            }
        }
        pos = a;
    }
    *hp = h;
    *lenp = len;
    return i + span;
}

/* Tokenize p[0..n) into t (whose prompt_hash is set and the rest zero). */
static void scan_prompt(struct warden_distill_text *t, const unsigned char *p, size_t n)
{
    struct tok_state s;
    memset(&s, 0, sizeof s);
    s.t = t;
    uint64_t h = 0xcbf29ce484222325ULL;
    uint32_t len = 0;
    uint64_t prev_cjk = 0; /* previous spaceless character, for pairs */
    /* long prompts: the head (first tokens, content tokens from the first
     * HEAD_BYTES), then straight to the tail; the middle is not read */
    size_t tail_at = 0;
    if (n > 2 * HEAD_BYTES) {
        tail_at = tail_start_ascii(p, n);
        if (tail_at == SIZE_MAX) tail_at = tail_start(p, n);
    }
    for (size_t i = 0; i < n;) {
        if (tail_at > i && i >= HEAD_BYTES && len == 0 && t->ntokens >= WARDEN_DISTILL_EDGE) {
            i = tail_at;
            prev_cjk = 0;
            tail_at = 0;
        }
        unsigned c = p[i];
        if (c < 0x80) {
            i = ascii_span(&s, p, n, i, &h, &len, &tail_at);
            prev_cjk = 0;
            continue;
        }
        /* a UTF-8 sequence (the decoder validated it) */
        uint32_t cp;
        size_t k;
        if (c >= 0xF0) {
            cp = c & 0x07;
            k = 4;
        } else if (c >= 0xE0) {
            cp = c & 0x0F;
            k = 3;
        } else if (c >= 0xC0) {
            cp = c & 0x1F;
            k = 2;
        } else {
            i++; /* stray continuation byte */
            continue;
        }
        if (i + k > n) break;
        for (size_t j = 1; j < k; j++) cp = (cp << 6) | (p[i + j] & 0x3F);
        if (spaceless(cp)) {
            if (len) token(&s, h, len, true);
            h = 0xcbf29ce484222325ULL;
            len = 0;
            uint64_t ch = (0x9E3779B97F4A7C15ULL ^ cp) * 0x100000001b3ULL;
            token(&s, ch, 1, false);
            if (prev_cjk && t->ncontent < WARDEN_DISTILL_CONTENT)
                t->content[t->ncontent++] = (uint32_t)(mix64(prev_cjk * 31 + ch) >> 32);
            prev_cjk = ch;
        } else if (separator(cp)) {
            if (len) token(&s, h, len, true);
            h = 0xcbf29ce484222325ULL;
            len = 0;
            prev_cjk = 0;
        } else {
            for (size_t j = 0; j < k; j++) h = (h ^ p[i + j]) * 0x100000001b3ULL;
            len++;
            prev_cjk = 0;
        }
        i += k;
    }
    if (len) token(&s, h, len, true);
    t->head_sketch = simhash_bits(&s.head);
    struct simhash tail;
    memset(&tail, 0, sizeof tail);
    uint32_t nt = t->ntokens < WARDEN_DISTILL_EDGE ? t->ntokens : WARDEN_DISTILL_EDGE;
    for (uint32_t d = 0; d < nt; d++) /* d = 0: the last token */
        simhash_add(&tail, s.ring[(t->ntokens - 1 - d) % WARDEN_DISTILL_EDGE],
                    WARDEN_DISTILL_EDGE - d);
    t->tail_sketch = simhash_bits(&tail);
}

/* The newest prompt this thread tokenized. The distill and link detectors
 * both read an event's prompt (link an account's first few only), one after
 * the other on the same thread: the second takes the first's result instead
 * of tokenizing again. Keyed by the prompt's hash and length — the decoder
 * reuses its line buffer, so an address says nothing about the text. */
static _Thread_local struct {
    uint64_t hash;
    size_t n;
    struct warden_distill_text t;
} last;

void warden_distill_text_scan(struct warden_distill_text *t, const struct warden_event *ev)
{
    spread_init();
    fold_init();
    uint64_t sys = ev->system.p && ev->system.n ? warden_hash64(ev->system.p, ev->system.n) : 0;
    if (!ev->prompt.p || !ev->prompt.n) {
        memset(t, 0, sizeof *t);
        t->system_hash = sys;
        return;
    }
    size_t n = ev->prompt.n;
    uint64_t h = warden_hash64(ev->prompt.p, n) | 1;
    if (last.hash != h || last.n != n) {
        memset(&last.t, 0, sizeof last.t);
        last.t.prompt_hash = h;
        scan_prompt(&last.t, (const unsigned char *)ev->prompt.p, n);
        last.hash = h;
        last.n = n;
    }
    *t = last.t;
    t->system_hash = sys;
}
