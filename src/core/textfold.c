/* textfold.c — see textfold.h. One pass over the text, a word at a time: a
 * word (a run of letters, digits, combining marks and ignorables) is read
 * once to learn its scripts, then written folded; everything else is copied
 * or folded a code point at a time. The write position never passes the
 * read position (every rewrite shortens or keeps a code point). */
#include "core/textfold.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The code point at p[i] (valid UTF-8 assumed; a stray byte reads as itself,
 * one byte long, so invalid input is copied as it is). */
static uint32_t decode(const unsigned char *p, size_t n, size_t i, unsigned *len)
{
    unsigned c = p[i];
    unsigned k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (k == 1 || i + k > n) {
        *len = 1;
        return c;
    }
    uint32_t cp = c & (0x7Fu >> k);
    for (unsigned j = 1; j < k; j++) {
        if ((p[i + j] & 0xC0) != 0x80) {
            *len = 1;
            return c;
        }
        cp = (cp << 6) | (p[i + j] & 0x3F);
    }
    *len = k;
    return cp;
}

/* Default_Ignorable_Code_Point (DerivedCoreProperties.txt), less the
 * unassigned ranges that no text uses. */
static bool ignorable(uint32_t cp)
{
    if (cp < 0xAD) return false;
    return cp == 0xAD || cp == 0x34F || cp == 0x61C || cp == 0x115F || cp == 0x1160 ||
           cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
           (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
           (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* Space characters other than ASCII's (Zs, and the ideographic space). */
static bool space(uint32_t cp)
{
    return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/* Letterlike symbols that fill the holes of the mathematical alphabets
 * (script, fraktur and double-struck capitals, italic h, script e g o):
 * NFKC gives their letter. */
static const struct {
    uint16_t cp;
    char to;
} letterlike[] = {
    {0x2102, 'C'}, {0x210A, 'g'}, {0x210B, 'H'}, {0x210C, 'H'}, {0x210D, 'H'}, {0x210E, 'h'},
    {0x2110, 'I'}, {0x2111, 'I'}, {0x2112, 'L'}, {0x2115, 'N'}, {0x2119, 'P'}, {0x211A, 'Q'},
    {0x211B, 'R'}, {0x211C, 'R'}, {0x211D, 'R'}, {0x2124, 'Z'}, {0x2128, 'Z'}, {0x212C, 'B'},
    {0x212D, 'C'}, {0x212F, 'e'}, {0x2130, 'E'}, {0x2131, 'F'}, {0x2133, 'M'}, {0x2134, 'o'},
};

/* The ASCII letter or digit that NFKC makes of cp (fullwidth forms,
 * mathematical alphanumerics, letterlike symbols), or 0. */
static char compat_ascii(uint32_t cp)
{
    if (cp >= 0xFF10 && cp <= 0xFF19) return (char)('0' + (cp - 0xFF10));
    if (cp >= 0xFF21 && cp <= 0xFF3A) return (char)('A' + (cp - 0xFF21));
    if (cp >= 0xFF41 && cp <= 0xFF5A) return (char)('a' + (cp - 0xFF41));
    if (cp >= 0x1D400 && cp <= 0x1D6A3) { /* 13 alphabets of A-Z a-z */
        unsigned k = (cp - 0x1D400) % 52;
        return (char)(k < 26 ? 'A' + k : 'a' + (k - 26));
    }
    if (cp >= 0x1D7CE && cp <= 0x1D7FF) return (char)('0' + (cp - 0x1D7CE) % 10);
    if (cp >= 0x2102 && cp <= 0x2134)
        for (size_t i = 0; i < sizeof letterlike / sizeof letterlike[0]; i++)
            if (letterlike[i].cp == cp) return letterlike[i].to;
    return 0;
}

/* Cyrillic and Greek letters that look like a Latin one (UTS #39
 * confusables, the single-letter ones), and that letter. */
static const struct {
    uint16_t cp;
    char to;
} confusable[] = {
    /* Greek capitals */
    {0x0391, 'A'},
    {0x0392, 'B'},
    {0x0395, 'E'},
    {0x0396, 'Z'},
    {0x0397, 'H'},
    {0x0399, 'I'},
    {0x039A, 'K'},
    {0x039C, 'M'},
    {0x039D, 'N'},
    {0x039F, 'O'},
    {0x03A1, 'P'},
    {0x03A4, 'T'},
    {0x03A5, 'Y'},
    {0x03A7, 'X'},
    /* Greek small */
    {0x03B1, 'a'},
    {0x03B3, 'y'},
    {0x03B9, 'i'},
    {0x03BA, 'k'},
    {0x03BD, 'v'},
    {0x03BF, 'o'},
    {0x03C1, 'p'},
    {0x03C5, 'u'},
    {0x03C7, 'x'},
    {0x03F2, 'c'},
    {0x03F3, 'j'},
    {0x03F9, 'C'},
    /* Cyrillic capitals */
    {0x0405, 'S'},
    {0x0406, 'I'},
    {0x0408, 'J'},
    {0x0410, 'A'},
    {0x0412, 'B'},
    {0x0415, 'E'},
    {0x041A, 'K'},
    {0x041C, 'M'},
    {0x041D, 'H'},
    {0x041E, 'O'},
    {0x0420, 'P'},
    {0x0421, 'C'},
    {0x0422, 'T'},
    {0x0423, 'Y'},
    {0x0425, 'X'},
    /* Cyrillic small */
    {0x0430, 'a'},
    {0x0433, 'r'},
    {0x0435, 'e'},
    {0x043E, 'o'},
    {0x0440, 'p'},
    {0x0441, 'c'},
    {0x0443, 'y'},
    {0x0445, 'x'},
    {0x0455, 's'},
    {0x0456, 'i'},
    {0x0458, 'j'},
    /* Cyrillic capitals and small, extended */
    {0x04AE, 'Y'},
    {0x04BA, 'H'},
    {0x04BB, 'h'},
    {0x04C0, 'I'},
    {0x04CF, 'l'},
    {0x0501, 'd'},
    {0x051B, 'q'},
    {0x051D, 'w'},
};

static char confusable_latin(uint32_t cp)
{
    size_t lo = 0, hi = sizeof confusable / sizeof confusable[0];
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (confusable[m].cp == cp) return confusable[m].to;
        if (confusable[m].cp < cp)
            lo = m + 1;
        else
            hi = m;
    }
    return 0;
}

enum cls {
    C_BREAK,   /* not part of a word */
    C_LATIN,   /* a Latin letter (or one NFKC makes Latin) */
    C_NEUTRAL, /* digit, combining mark, ignorable: part of a word, no script */
    C_CONF,    /* Cyrillic or Greek letter that looks Latin */
    C_OTHER,   /* any other Cyrillic or Greek letter */
};

static enum cls classify(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return C_LATIN;
        return cp >= '0' && cp <= '9' ? C_NEUTRAL : C_BREAK;
    }
    if (cp >= 0x3040 && cp < 0xFE00 && cp != 0x3164) return C_BREAK; /* CJK, Hangul, ...: as is */
    if (ignorable(cp)) return C_NEUTRAL;
    if ((cp >= 0xC0 && cp <= 0x2AF && cp != 0xD7 && cp != 0xF7) || (cp >= 0x1E00 && cp <= 0x1EFF))
        return C_LATIN;
    if (cp >= 0x300 && cp <= 0x36F) return C_NEUTRAL;
    if (cp >= 0x370 && cp <= 0x52F) return confusable_latin(cp) ? C_CONF : C_OTHER;
    char a = compat_ascii(cp);
    if (a) return a >= '0' && a <= '9' ? C_NEUTRAL : C_LATIN;
    return C_BREAK;
}

/* Writes the code point at p[r] (len bytes) folded at p[w]; returns the new
 * write position. latin: the word it belongs to reads as Latin. */
static size_t put(unsigned char *p, size_t w, size_t r, unsigned len, uint32_t cp, bool latin)
{
    if (cp >= 0x80 && !(cp >= 0x3040 && cp < 0xFE00 && cp != 0x3164)) {
        if (ignorable(cp)) return w;
        char a = space(cp) ? ' ' : compat_ascii(cp);
        if (!a && latin && cp >= 0x370 && cp <= 0x52F) a = confusable_latin(cp);
        if (a) {
            p[w] = (unsigned char)a;
            return w + 1;
        }
    }
    if (w != r) memmove(p + w, p + r, len);
    return w + len;
}

/* The first byte >= 0x80 in p[i..n), or n. */
static size_t next_high(const unsigned char *p, size_t n, size_t i)
{
    while (n - i >= 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        if (x & 0x8080808080808080ULL) break;
        i += 8;
    }
    while (i < n && p[i] < 0x80) i++;
    return i;
}

/* Whether the text from p[i] (a byte >= 0x80) has a Cyrillic or Greek
 * letter that looks like no Latin one: any Russian or Greek sentence has
 * many, found within a few letters; a Latin text with look-alikes swapped in
 * has none. */
static bool has_other_letter(const unsigned char *p, size_t n, size_t i)
{
    while (i < n) {
        unsigned len;
        if (classify(decode(p, n, i, &len)) == C_OTHER) return true;
        i = next_high(p, n, i + len);
    }
    return false;
}

size_t warden_text_fold(char *s, size_t n)
{
    unsigned char *p = (unsigned char *)s;
    size_t r = next_high(p, n, 0), w;
    if (r == n) return n;
    /* a text with no Cyrillic or Greek letter but look-alikes is Latin text
     * whatever its words: "ѕһоԝ" (every letter swapped) is "show" there */
    bool latin_text = !has_other_letter(p, n, r);
    /* start at the beginning of the word the first non-ASCII byte is in */
    while (r > 0 && classify(p[r - 1]) != C_BREAK) r--;
    w = r;
    while (r < n) {
        if (p[r] < 0x80) {
            /* ASCII up to the word that holds the next non-ASCII byte: as it is */
            size_t h = next_high(p, n, r), b = h;
            while (h < n && b > r && classify(p[b - 1]) != C_BREAK) b--;
            if (b > r) {
                if (w != r) memmove(p + w, p + r, b - r);
                w += b - r;
                r = b;
                continue;
            }
        }
        unsigned len;
        uint32_t cp = decode(p, n, r, &len);
        enum cls k = classify(cp);
        if (k == C_BREAK) {
            w = put(p, w, r, len, cp, false);
            r += len;
            continue;
        }
        /* a word: learn its scripts, then write it */
        size_t e = r;
        bool latin = false, other = false, conf = false;
        while (e < n) {
            unsigned l;
            enum cls c = classify(decode(p, n, e, &l));
            if (c == C_BREAK) break;
            latin |= c == C_LATIN;
            other |= c == C_OTHER;
            conf |= c == C_CONF;
            e += l;
        }
        bool as_latin = conf && !other && (latin || latin_text);
        while (r < e) {
            cp = decode(p, n, r, &len);
            w = put(p, w, r, len, cp, as_latin);
            r += len;
        }
    }
    return w;
}
