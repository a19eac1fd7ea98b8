/* event_decode.c — zero-copy, in-place JSON decoding of one event line.
 *
 * Grammar accepted: RFC 8259 JSON, with the top-level value an object. Nested
 * objects and arrays are skipped (depth-limited) but validated. Duplicate
 * keys: the last one wins, as in most JSON readers. A `null` value for an
 * optional field means the field is absent; for a required field it is a
 * reject. Numbers for integer fields must be integers (an exponent or
 * fraction is a wrong type), in range of int64.
 *
 * Speed (bench/bench_scan.c): strings are scanned 16 bytes at a time (SSE2,
 * part of x86-64; 8-byte words elsewhere) to the first quote, backslash or
 * control byte, UTF-8 is validated only for strings with a byte >= 0x80,
 * and a key is looked up by a switch on its length and first bytes. */
#include "core/event_decode.h"
#include "core/textfold.h"
#include "core/error.h"
#include "core/log.h"
#include "core/timefmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 64

enum vtype { V_STRING, V_NUMBER, V_TRUE, V_FALSE, V_NULL, V_OBJECT, V_ARRAY };

struct cur {
    char *p, *end;
    char *why;
    size_t whylen;
};

static int fail(struct cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cur *c, const char *fmt, ...)
{
    if (c->why && c->whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, c->whylen, fmt, ap);
        va_end(ap);
    }
    return WARDEN_EPARSE;
}

static inline void skip_ws(struct cur *c)
{
    /* one compare for the usual case, a byte above the space */
    while (c->p < c->end && (unsigned char)*c->p <= ' ' &&
           (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

int warden_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        /* ASCII fast path, 8 bytes at a time */
        while (e - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ull) break;
            p += 8;
        }
        if (p >= e) break;
        unsigned char c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return WARDEN_EPARSE;
        }
        if ((size_t)(e - p) < k + 1) return WARDEN_EPARSE;
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80) return WARDEN_EPARSE;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return WARDEN_EPARSE;
        p += k + 1;
    }
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int read_u4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *w, uint32_t cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | cp >> 6);
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | cp >> 12);
        *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | cp >> 18);
        *w++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when some byte of w is zero (exact for existence). */
static inline uint64_t has_zero(uint64_t w)
{
    return (w - ONES) & ~w & HIGHS;
}

/* Nonzero when w holds a quote, a backslash or a control byte (< 0x20). */
static inline uint64_t has_special(uint64_t w)
{
    return has_zero(w ^ (ONES * '"')) | has_zero(w ^ (ONES * '\\')) |
           ((w - ONES * 0x20) & ~w & HIGHS);
}

#ifdef __SSE2__
/* Bit i set when byte i of the 16 at p is a quote, a backslash or a control
 * byte (< 0x20); *high gets the bits of bytes >= 0x80. SSE2 is part of
 * x86-64, so this needs no run-time check. */
static inline unsigned special16(const char *p, unsigned *high)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v); /* v <= 0x1F */
    *high = (unsigned)_mm_movemask_epi8(v);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), ctl));
}
#endif

/* The common string, a short one without escapes: when a quote is the first
 * quote, backslash or control byte among the 16 bytes at c->p and no byte
 * before it is >= 0x80, the string is those bytes, as parse_string() would
 * find (nothing to decode or validate). Inlined, for the keys and the short
 * values of every line; false (c untouched) for anything else, which
 * parse_string() then takes from the start. */
static inline bool quick_string(struct cur *c, struct warden_str *out)
{
#ifdef __SSE2__
    if (c->end - c->p < 16) return false;
    unsigned hi, m = special16(c->p, &hi);
    if (!m) return false;
    unsigned at = (unsigned)__builtin_ctz(m);
    if (c->p[at] != '"' || (hi & ((1u << at) - 1))) return false;
    out->p = c->p;
    out->n = at;
    c->p += at + 1;
    return true;
#else
    (void)c;
    (void)out;
    return false;
#endif
}

/* c->p is just past the opening quote. Decodes in place; *out is the slice;
 * *escaped (if not NULL) tells whether an escape sequence was decoded (only
 * then can the value hold a NUL: a raw control byte is a reject), *nonascii
 * (if not NULL) whether the value has a byte >= 0x80. */
static int parse_string(struct cur *c, struct warden_str *out, bool *escaped, bool *nonascii)
{
    char *start = c->p, *r = c->p;
    uint64_t high = 0; /* any byte >= 0x80 seen: UTF-8 must be validated */
#ifdef __SSE2__
    /* 16 bytes at a time to the first quote, backslash or control byte */
    while (c->end - r >= 16) {
        unsigned hi, m = special16(r, &hi);
        if (m) {
            unsigned at = (unsigned)__builtin_ctz(m);
            high |= hi & ((1u << at) - 1);
            r += at;
            goto special;
        }
        high |= hi;
        r += 16;
    }
#endif
    /* 8 bytes at a time while there is no quote, backslash or control byte */
    while (c->end - r >= 8) {
        uint64_t w;
        memcpy(&w, r, 8);
        if (has_special(w)) break;
        high |= w & HIGHS;
        r += 8;
    }
    while (r < c->end) {
        unsigned char ch = (unsigned char)*r;
        if (ch == '"' || ch == '\\' || ch < 0x20) break;
        high |= ch & 0x80;
        r++;
    }
#ifdef __SSE2__
special:
#endif
    if (r >= c->end) return fail(c, "unterminated string");
    if (*r == '"') {
        if (high && warden_utf8_valid(start, (size_t)(r - start))) return fail(c, "invalid UTF-8");
        out->p = start;
        out->n = (uint32_t)(r - start);
        c->p = r + 1;
        if (escaped) *escaped = false;
        if (nonascii) *nonascii = high != 0;
        return 0;
    }
    char *w = r;
    while (r < c->end) {
        /* copy plain runs 16 or 8 bytes at a time (load before store: w <= r) */
#ifdef __SSE2__
        while (c->end - r >= 16) {
            unsigned hi;
            if (special16(r, &hi)) break;
            high |= hi;
            _mm_storeu_si128((__m128i *)(void *)w,
                             _mm_loadu_si128((const __m128i *)(const void *)r));
            w += 16;
            r += 16;
        }
#endif
        while (c->end - r >= 8) {
            uint64_t x;
            memcpy(&x, r, 8);
            if (has_special(x)) break;
            high |= x & HIGHS;
            memcpy(w, &x, 8);
            w += 8;
            r += 8;
        }
        if (r >= c->end) break;
        unsigned char ch = (unsigned char)*r;
        if (ch == '"') break;
        if (ch < 0x20) return fail(c, "control character in string");
        if (ch != '\\') {
            high |= ch & 0x80;
            *w++ = *r++;
            continue;
        }
        if (r + 1 >= c->end) return fail(c, "unterminated string");
        char e = r[1];
        r += 2;
        switch (e) {
        case '"':
            *w++ = '"';
            break;
        case '\\':
            *w++ = '\\';
            break;
        case '/':
            *w++ = '/';
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (c->end - r < 4 || read_u4(r, &cp)) return fail(c, "bad \\u escape");
            r += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (c->end - r < 6 || r[0] != '\\' || r[1] != 'u' || read_u4(r + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return fail(c, "unpaired surrogate in \\u escape");
                r += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(c, "unpaired surrogate in \\u escape");
            }
            high |= cp >= 0x80;
            w = put_utf8(w, cp);
            break;
        }
        default:
            return fail(c, "bad escape '\\%c'", e);
        }
    }
    if (r >= c->end) return fail(c, "unterminated string");
    if (high && warden_utf8_valid(start, (size_t)(w - start))) return fail(c, "invalid UTF-8");
    out->p = start;
    out->n = (uint32_t)(w - start);
    c->p = r + 1;
    if (escaped) *escaped = true;
    if (nonascii) *nonascii = high != 0;
    return 0;
}

/* Numbers: validates JSON number syntax; reports whether it is an integer. */
static int parse_number(struct cur *c, struct warden_str *tok, bool *is_int)
{
    char *s = c->p, *p = c->p;
    *is_int = true;
    if (p < c->end && *p == '-') p++;
    if (p >= c->end) return fail(c, "bad number");
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < c->end && *p >= '0' && *p <= '9') p++;
    } else {
        return fail(c, "bad number");
    }
    if (p < c->end && *p == '.') {
        *is_int = false;
        p++;
        char *d = p;
        while (p < c->end && *p >= '0' && *p <= '9') p++;
        if (p == d) return fail(c, "bad number");
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        *is_int = false;
        p++;
        if (p < c->end && (*p == '+' || *p == '-')) p++;
        char *d = p;
        while (p < c->end && *p >= '0' && *p <= '9') p++;
        if (p == d) return fail(c, "bad number");
    }
    tok->p = s;
    tok->n = (uint32_t)(p - s);
    c->p = p;
    return 0;
}

static bool to_int64(struct warden_str t, int64_t *out)
{
    const char *p = t.p, *e = t.p + t.n;
    bool neg = false;
    if (p < e && *p == '-') neg = true, p++;
    uint64_t v = 0;
    for (; p < e; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v)) return false;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)v;
    }
    return true;
}

/* A JSON number as an int64: an integer literal, or a number written with a
 * fraction or an exponent whose value is whole (1234.0, 1.2e3: JSON
 * Schema's "integer" accepts them, and producers that pass integers through
 * floating point write them); with frac_ok a fraction is cut off toward
 * negative infinity (a timestamp in milliseconds with a fraction of one).
 * Returns 0, 1 when out of range, 2 when not whole (and !frac_ok). The
 * program never calls setlocale: strtod reads '.' as the decimal point. */
static int num_to_int64(struct warden_str t, bool is_int, bool frac_ok, int64_t *out)
{
    if (is_int) return to_int64(t, out) ? 0 : 1;
    char buf[128];
    if (t.n >= sizeof buf) return 1;
    memcpy(buf, t.p, t.n);
    buf[t.n] = '\0';
    double v = strtod(buf, NULL);
    /* 2^63 is a double; anything at or past it does not fit */
    if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) return 1;
    double w = floor(v);
    if (w != v && !frac_ok) return 2;
    *out = (int64_t)w;
    return 0;
}

/* A ts without a UTC offset is read as UTC; said once per process, with
 * the first one, since a gateway that logs local time that way would shift
 * every hour-of-day reading. */
static void naive_ts_seen(struct warden_str sv)
{
    static atomic_bool said;
    if (atomic_exchange(&said, true)) return;
    warden_warn("events: a 'ts' without a UTC offset (\"%.*s\") is read as UTC; if the gateway "
                "logs local time, give the offset (Z or +hh:mm)",
                (int)(sv.n < 40 ? sv.n : 40), sv.p);
}

static int match_lit(struct cur *c, const char *lit, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0) return fail(c, "bad literal");
    c->p += n;
    return 0;
}

static int skip_value(struct cur *c, int depth);

static int skip_container(struct cur *c, int depth, char close)
{
    if (depth > MAX_DEPTH) return fail(c, "nesting deeper than %d", MAX_DEPTH);
    c->p++; /* opening bracket */
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        skip_ws(c);
        if (close == '}') {
            struct warden_str k;
            if (c->p >= c->end || *c->p != '"') return fail(c, "expected a key");
            c->p++;
            if (parse_string(c, &k, NULL, NULL)) return WARDEN_EPARSE;
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':') return fail(c, "expected ':'");
            c->p++;
            skip_ws(c);
        }
        if (skip_value(c, depth + 1)) return WARDEN_EPARSE;
        skip_ws(c);
        if (c->p >= c->end) return fail(c, "unterminated %s", close == '}' ? "object" : "array");
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == close) {
            c->p++;
            return 0;
        }
        return fail(c, "expected ',' or '%c'", close);
    }
}

static int skip_value(struct cur *c, int depth)
{
    struct warden_str t;
    bool is_int;
    if (c->p >= c->end) return fail(c, "expected a value");
    switch (*c->p) {
    case '"':
        c->p++;
        return parse_string(c, &t, NULL, NULL);
    case '{':
        return skip_container(c, depth, '}');
    case '[':
        return skip_container(c, depth, ']');
    case 't':
        return match_lit(c, "true", 4);
    case 'f':
        return match_lit(c, "false", 5);
    case 'n':
        return match_lit(c, "null", 4);
    default:
        return parse_number(c, &t, &is_int);
    }
}

/* The fields of formats.md §1, each named once: what kind of value it takes
 * and where it goes in struct warden_event. Ordered by name length (the
 * order warden_event_field_name() gives). A key is looked up by a switch on
 * its length and one or two of its bytes, which leaves one candidate, and
 * compared with that name in a few word loads: no string compare per field. */
enum fkind { K_TS, K_IP, K_ID, K_STR, K_INT, K_BOOL };

enum fid {
    F_TS,
    F_IP,
    F_MODEL,
    F_TURNS,
    F_TOOLS,
    F_ORG_ID,
    F_SYSTEM,
    F_PROMPT,
    F_STATUS,
    F_TLS_JA4,
    F_END_USER,
    F_ENDPOINT,
    F_THINKING,
    F_CLIENT_TZ,
    F_ACCOUNT_ID,
    F_REQUEST_ID,
    F_API_KEY_ID,
    F_USER_AGENT,
    F_MAX_TOKENS,
    F_INPUT_TOKENS,
    F_CLIENT_LOCALE,
    F_OUTPUT_TOKENS,
    F_CACHE_READ_TOKENS,
    N_FIELDS
};

struct field {
    const char *name;
    uint8_t len;
    uint8_t kind;
    uint8_t required; /* null is a reject, not "absent" */
    uint16_t off;     /* offsetof the member in struct warden_event */
};

#define FLD(i, n, k, m) [i] = {n, sizeof(n) - 1, k, 0, offsetof(struct warden_event, m)}
#define REQ(i, n, k, m) [i] = {n, sizeof(n) - 1, k, 1, offsetof(struct warden_event, m)}
static const struct field fields[N_FIELDS] = {
    REQ(F_TS, "ts", K_TS, ts_ms),
    REQ(F_IP, "ip", K_IP, ip),
    FLD(F_MODEL, "model", K_STR, model),
    FLD(F_TURNS, "turns", K_INT, turns),
    FLD(F_TOOLS, "tools", K_INT, tools),
    FLD(F_ORG_ID, "org_id", K_ID, org_id),
    FLD(F_SYSTEM, "system", K_STR, system),
    FLD(F_PROMPT, "prompt", K_STR, prompt),
    FLD(F_STATUS, "status", K_INT, status),
    FLD(F_TLS_JA4, "tls_ja4", K_STR, tls_ja4),
    FLD(F_END_USER, "end_user", K_ID, end_user),
    FLD(F_ENDPOINT, "endpoint", K_STR, endpoint),
    FLD(F_THINKING, "thinking", K_BOOL, thinking),
    FLD(F_CLIENT_TZ, "client_tz", K_STR, client_tz),
    REQ(F_ACCOUNT_ID, "account_id", K_ID, account_id),
    FLD(F_REQUEST_ID, "request_id", K_ID, request_id),
    FLD(F_API_KEY_ID, "api_key_id", K_ID, api_key_id),
    FLD(F_USER_AGENT, "user_agent", K_STR, user_agent),
    FLD(F_MAX_TOKENS, "max_tokens", K_INT, max_tokens),
    FLD(F_INPUT_TOKENS, "input_tokens", K_INT, input_tokens),
    FLD(F_CLIENT_LOCALE, "client_locale", K_STR, client_locale),
    FLD(F_OUTPUT_TOKENS, "output_tokens", K_INT, output_tokens),
    FLD(F_CACHE_READ_TOKENS, "cache_read_tokens", K_INT, cache_read_tokens),
};
#undef FLD
#undef REQ

/* The one field a key of length n could be, from its length and a byte or
 * two (names of one length differ there); -1 when none. */
static int field_candidate(const char *p, uint32_t n)
{
    switch (n) {
    case 2:
        return p[0] == 't' ? F_TS : F_IP;
    case 5:
        return p[0] == 'm' ? F_MODEL : p[1] == 'u' ? F_TURNS : F_TOOLS;
    case 6:
        return p[0] == 'o' ? F_ORG_ID : p[0] == 'p' ? F_PROMPT : p[1] == 'y' ? F_SYSTEM : F_STATUS;
    case 7:
        return F_TLS_JA4;
    case 8:
        return p[0] == 't' ? F_THINKING : p[3] == '_' ? F_END_USER : F_ENDPOINT;
    case 9:
        return F_CLIENT_TZ;
    case 10:
        switch (p[0]) {
        case 'a':
            return p[1] == 'c' ? F_ACCOUNT_ID : F_API_KEY_ID;
        case 'r':
            return F_REQUEST_ID;
        case 'u':
            return F_USER_AGENT;
        default:
            return F_MAX_TOKENS;
        }
    case 12:
        return F_INPUT_TOKENS;
    case 13:
        return p[0] == 'c' ? F_CLIENT_LOCALE : F_OUTPUT_TOKENS;
    case 17:
        return F_CACHE_READ_TOKENS;
    default:
        return -1;
    }
}

static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline uint32_t load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint16_t load16(const char *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* p[0..n) == name[0..n), for 2 <= n <= 24: two (or three) overlapping loads
 * from each end; reads nothing outside either. */
static inline bool same_key(const char *p, const char *name, uint32_t n)
{
    if (n >= 8)
        return load64(p) == load64(name) && load64(p + n - 8) == load64(name + n - 8) &&
               (n <= 16 || load64(p + 8) == load64(name + 8));
    if (n >= 4) return load32(p) == load32(name) && load32(p + n - 4) == load32(name + n - 4);
    return load16(p) == load16(name) && load16(p + n - 2) == load16(name + n - 2);
}

static const struct field *field_of(struct warden_str k)
{
    int i = field_candidate(k.p, k.n);
    if (i < 0 || fields[i].len != k.n || !same_key(k.p, fields[i].name, k.n)) return NULL;
    return &fields[i];
}

const char *warden_event_field_name(size_t i)
{
    return i < N_FIELDS ? fields[i].name : NULL;
}

size_t warden_event_move_strings(struct warden_event *ev, char *dst)
{
    char *start = dst;
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (fields[i].kind != K_STR && fields[i].kind != K_ID) continue;
        struct warden_str *s = (struct warden_str *)((char *)ev + fields[i].off);
        if (!s->p) continue;
        memcpy(dst, s->p, s->n);
        s->p = dst;
        dst += s->n;
    }
    return (size_t)(dst - start);
}

/* Numeric ts below this (3 March 1973 in milliseconds) is taken for epoch
 * seconds given by mistake (formats.md §1); above the end of year 9999 it
 * cannot be printed as RFC 3339. */
#define TS_MIN_MS 100000000000LL
#define TS_MAX_MS 253402300799999LL

static const char *vtype_name(enum vtype t)
{
    static const char *n[] = {"a string", "a number",  "true",    "false",
                              "null",     "an object", "an array"};
    return n[t];
}

int warden_event_decode(char *line, size_t len, struct warden_event *ev, char *why, size_t whylen)
{
    struct cur c = {line, line + len, why, whylen};
    memset(ev, 0, sizeof *ev);
    ev->turns = ev->max_tokens = ev->input_tokens = ev->output_tokens = ev->cache_read_tokens =
        ev->tools = ev->status = WARDEN_NOINT;
    ev->thinking = -1;
    bool have_ts = false, have_ip = false;

    /* a UTF-8 byte-order mark, as Windows tools begin a file with */
    if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) c.p += 3;
    skip_ws(&c);
    if (c.p >= c.end) return fail(&c, "empty line");
    if (*c.p != '{') return fail(&c, "not a JSON object");
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            struct warden_str key;
            skip_ws(&c);
            if (c.p >= c.end || *c.p != '"') return fail(&c, "expected a key");
            c.p++;
            if (!quick_string(&c, &key) && parse_string(&c, &key, NULL, NULL)) return WARDEN_EPARSE;
            skip_ws(&c);
            if (c.p >= c.end || *c.p != ':') return fail(&c, "expected ':' after a key");
            c.p++;
            skip_ws(&c);
            if (c.p >= c.end) return fail(&c, "expected a value");
            const struct field *f = field_of(key);
            if (!f) {
                if (skip_value(&c, 1)) return WARDEN_EPARSE;
            } else {
                /* read the value and its type */
                struct warden_str sv = {0, 0};
                enum vtype vt;
                bool is_int = false, escaped = false, nonascii = false;
                switch (*c.p) {
                case '"':
                    c.p++;
                    if (!quick_string(&c, &sv) && parse_string(&c, &sv, &escaped, &nonascii))
                        return WARDEN_EPARSE;
                    vt = V_STRING;
                    break;
                case 't':
                    if (match_lit(&c, "true", 4)) return WARDEN_EPARSE;
                    vt = V_TRUE;
                    break;
                case 'f':
                    if (match_lit(&c, "false", 5)) return WARDEN_EPARSE;
                    vt = V_FALSE;
                    break;
                case 'n':
                    if (match_lit(&c, "null", 4)) return WARDEN_EPARSE;
                    vt = V_NULL;
                    break;
                case '{':
                    if (skip_container(&c, 1, '}')) return WARDEN_EPARSE;
                    vt = V_OBJECT;
                    break;
                case '[':
                    if (skip_container(&c, 1, ']')) return WARDEN_EPARSE;
                    vt = V_ARRAY;
                    break;
                default:
                    if (parse_number(&c, &sv, &is_int)) return WARDEN_EPARSE;
                    vt = V_NUMBER;
                }
                void *dst = (char *)ev + f->off;
                if (vt == V_NULL && !f->required) {
                    /* optional field given as null: absent */
                } else if (f->kind == K_TS) {
                    if (vt == V_STRING) {
                        bool naive;
                        if (warden_ts_parse_lenient(sv.p, sv.n, &ev->ts_ms, &naive))
                            return fail(&c, "field 'ts': not an RFC 3339 timestamp");
                        if (naive) naive_ts_seen(sv);
                    } else if (vt == V_NUMBER) {
                        if (num_to_int64(sv, is_int, true, &ev->ts_ms) || ev->ts_ms < 0)
                            return fail(&c, "field 'ts': epoch milliseconds out of range");
                        if (ev->ts_ms < TS_MIN_MS)
                            return fail(&c,
                                        "field 'ts': %lld looks like epoch seconds; numeric ts "
                                        "is epoch milliseconds",
                                        (long long)ev->ts_ms);
                    } else {
                        return fail(&c, "field 'ts': expected a string or a number, got %s",
                                    vtype_name(vt));
                    }
                    if (ev->ts_ms > TS_MAX_MS) return fail(&c, "field 'ts': after the year 9999");
                    have_ts = true;
                } else if (f->kind == K_IP) {
                    if (vt != V_STRING)
                        return fail(&c, "field 'ip': expected a string, got %s", vtype_name(vt));
                    if (warden_ip_parse_peer(&ev->ip, sv.p, sv.n))
                        return fail(&c, "field 'ip': not an IP address");
                    have_ip = true;
                } else if (f->kind == K_BOOL) {
                    if (vt != V_TRUE && vt != V_FALSE)
                        return fail(&c, "field '%s': expected a boolean, got %s", f->name,
                                    vtype_name(vt));
                    *(int8_t *)dst = vt == V_TRUE;
                } else if (f->kind == K_ID && vt == V_NUMBER && is_int) {
                    /* an identifier written as a JSON integer (a database's
                     * numeric key): its digits are the id, as if quoted */
                    *(struct warden_str *)dst = sv;
                } else if (f->kind == K_STR || f->kind == K_ID) {
                    if (vt != V_STRING)
                        return fail(&c, "field '%s': expected a string, got %s", f->name,
                                    vtype_name(vt));
                    /* an identifier with a NUL would be cut there and merge with another
                     * (only a \u0000 escape gives one: a raw control byte is a reject) */
                    if (f->kind == K_ID && escaped && memchr(sv.p, '\0', sv.n))
                        return fail(&c, "field '%s': contains a NUL character", f->name);
                    /* the texts detectors read as the model does (textfold.h) */
                    if (nonascii && (f == &fields[F_PROMPT] || f == &fields[F_SYSTEM]))
                        sv.n = (uint32_t)warden_text_fold((char *)(uintptr_t)sv.p, sv.n);
                    *(struct warden_str *)dst = sv;
                } else {
                    if (vt != V_NUMBER)
                        return fail(&c, "field '%s': expected an integer, got %s", f->name,
                                    vtype_name(vt));
                    int rc = num_to_int64(sv, is_int, false, (int64_t *)dst);
                    if (rc == 2)
                        return fail(&c, "field '%s': expected an integer, got a fraction", f->name);
                    if (rc) return fail(&c, "field '%s': integer out of range", f->name);
                }
            }
            skip_ws(&c);
            if (c.p >= c.end) return fail(&c, "unterminated object");
            if (*c.p == ',') {
                c.p++;
                continue;
            }
            if (*c.p == '}') {
                c.p++;
                break;
            }
            return fail(&c, "expected ',' or '}'");
        }
    }
    skip_ws(&c);
    if (c.p != c.end) return fail(&c, "trailing characters after the object");
    if (!have_ts) return fail(&c, "missing required field 'ts'");
    if (!ev->account_id.p) return fail(&c, "missing required field 'account_id'");
    if (ev->account_id.n == 0) return fail(&c, "field 'account_id': empty");
    if (!have_ip) return fail(&c, "missing required field 'ip'");
    return 0;
}
