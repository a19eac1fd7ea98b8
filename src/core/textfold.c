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
/* A code point and the ASCII character it reads as; tables sorted by cp. */
struct to_ascii {
    uint32_t cp;
    char to;
};

/* The character cp reads as in the sorted table t[0..n), or 0. */
static char lookup(const struct to_ascii *t, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (t[m].cp == cp) return t[m].to;
        if (t[m].cp < cp)
            lo = m + 1;
        else
            hi = m;
    }
    return 0;
}

static const struct to_ascii letterlike[] = {
    {0x2102, 'C'}, {0x210A, 'g'}, {0x210B, 'H'}, {0x210C, 'H'}, {0x210D, 'H'}, {0x210E, 'h'},
    {0x2110, 'I'}, {0x2111, 'I'}, {0x2112, 'L'}, {0x2115, 'N'}, {0x2119, 'P'}, {0x211A, 'Q'},
    {0x211B, 'R'}, {0x211C, 'R'}, {0x211D, 'R'}, {0x2124, 'Z'}, {0x2128, 'Z'}, {0x212C, 'B'},
    {0x212D, 'C'}, {0x212F, 'e'}, {0x2130, 'E'}, {0x2131, 'F'}, {0x2133, 'M'}, {0x2134, 'o'},
};

/* Latin letters in a style of their own, and the letter: small capitals
 * (not decomposed by NFKC; "sʜᴏᴡ ʏᴏᴜʀ ᴡᴏʀᴋ", as text "fonts" write it, and
 * IPA, which loses nothing a detector reads), modifier letters and
 * subscripts (NFKC: ᵃ, ʰ, ₐ), and the single-storey a and g (UTS #39). */
static const struct to_ascii styled[] = {
    {0x0251, 'a'}, {0x0261, 'g'}, {0x0262, 'g'}, {0x026A, 'i'}, {0x0274, 'n'}, {0x0280, 'r'},
    {0x028F, 'y'}, {0x0299, 'b'}, {0x029C, 'h'}, {0x029F, 'l'}, {0x02B0, 'h'}, {0x02B2, 'j'},
    {0x02B3, 'r'}, {0x02B7, 'w'}, {0x02B8, 'y'}, {0x02E1, 'l'}, {0x02E2, 's'}, {0x02E3, 'x'},
    {0x1D00, 'a'}, {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'}, {0x1D0A, 'j'}, {0x1D0B, 'k'},
    {0x1D0D, 'm'}, {0x1D0F, 'o'}, {0x1D18, 'p'}, {0x1D1B, 't'}, {0x1D1C, 'u'}, {0x1D20, 'v'},
    {0x1D21, 'w'}, {0x1D22, 'z'}, {0x1D2C, 'A'}, {0x1D2E, 'B'}, {0x1D30, 'D'}, {0x1D31, 'E'},
    {0x1D33, 'G'}, {0x1D34, 'H'}, {0x1D35, 'I'}, {0x1D36, 'J'}, {0x1D37, 'K'}, {0x1D38, 'L'},
    {0x1D39, 'M'}, {0x1D3A, 'N'}, {0x1D3C, 'O'}, {0x1D3E, 'P'}, {0x1D3F, 'R'}, {0x1D40, 'T'},
    {0x1D41, 'U'}, {0x1D42, 'W'}, {0x1D43, 'a'}, {0x1D47, 'b'}, {0x1D48, 'd'}, {0x1D49, 'e'},
    {0x1D4D, 'g'}, {0x1D4F, 'k'}, {0x1D50, 'm'}, {0x1D52, 'o'}, {0x1D56, 'p'}, {0x1D57, 't'},
    {0x1D58, 'u'}, {0x1D5B, 'v'}, {0x1D62, 'i'}, {0x1D63, 'r'}, {0x1D64, 'u'}, {0x1D65, 'v'},
    {0x1D9C, 'c'}, {0x1DA0, 'f'}, {0x1DBB, 'z'}, {0x2071, 'i'}, {0x207F, 'n'}, {0x2090, 'a'},
    {0x2091, 'e'}, {0x2092, 'o'}, {0x2093, 'x'}, {0x2095, 'h'}, {0x2096, 'k'}, {0x2097, 'l'},
    {0x2098, 'm'}, {0x2099, 'n'}, {0x209A, 'p'}, {0x209B, 's'}, {0x209C, 't'}, {0x2C7C, 'j'},
    {0xA730, 'f'}, {0xA731, 's'}, {0xA7AF, 'q'},
};

/* The ASCII letter or digit that NFKC makes of cp (fullwidth forms,
 * mathematical alphanumerics, letterlike symbols, circled and squared
 * letters, super- and subscript letters and digits), or that a styled Latin
 * letter is (small capitals, negative circled and squared letters), or 0. */
static char compat_ascii(uint32_t cp)
{
    if (cp < 0x250 || (cp >= 0x300 && cp < 0x1D00)) return 0; /* Cyrillic, Greek, ...: none */
    if (cp >= 0xFF10 && cp <= 0xFF19) return (char)('0' + (cp - 0xFF10));
    if (cp >= 0xFF21 && cp <= 0xFF3A) return (char)('A' + (cp - 0xFF21));
    if (cp >= 0xFF41 && cp <= 0xFF5A) return (char)('a' + (cp - 0xFF41));
    if (cp >= 0x1D400 && cp <= 0x1D6A3) { /* 13 alphabets of A-Z a-z */
        unsigned k = (cp - 0x1D400) % 52;
        return (char)(k < 26 ? 'A' + k : 'a' + (k - 26));
    }
    if (cp >= 0x1D7CE && cp <= 0x1D7FF) return (char)('0' + (cp - 0x1D7CE) % 10);
    if (cp >= 0x2102 && cp <= 0x2134)
        return lookup(letterlike, sizeof letterlike / sizeof letterlike[0], cp);
    if (cp >= 0x24B6 && cp <= 0x24CF) return (char)('A' + (cp - 0x24B6)); /* Ⓐ */
    if (cp >= 0x24D0 && cp <= 0x24E9) return (char)('a' + (cp - 0x24D0)); /* ⓐ */
    if (cp >= 0x2460 && cp <= 0x2468) return (char)('1' + (cp - 0x2460)); /* ① */
    if (cp == 0x24EA || cp == 0x2070 || cp == 0x2080) return '0';
    if (cp >= 0x2074 && cp <= 0x2079) return (char)('4' + (cp - 0x2074)); /* ⁴ */
    if (cp >= 0x2081 && cp <= 0x2089) return (char)('1' + (cp - 0x2081)); /* ₁ */
    if (cp >= 0x1F130 && cp <= 0x1F189) { /* 🄰 squared, 🅐 negative circled, 🅰 negative squared */
        unsigned k = (cp - 0x1F130) % 32;
        return k < 26 ? (char)('A' + k) : 0;
    }
    /* styled[]'s blocks only: punctuation (’ – “) is common and is none */
    bool styled_block = cp <= 0x2E3 || (cp >= 0x1D00 && cp <= 0x1DBF) ||
                        (cp >= 0x2071 && cp <= 0x209C) || cp == 0x2C7C ||
                        (cp >= 0xA730 && cp <= 0xA7AF);
    return styled_block ? lookup(styled, sizeof styled / sizeof styled[0], cp) : 0;
}

/* Cyrillic, Greek, Armenian and Cherokee letters that look like a Latin one
 * (UTS #39 confusables, the single-letter ones), and that letter. */
static const struct to_ascii confusable[] = {
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
    /* Armenian */
    {0x053C, 'L'},
    {0x054D, 'U'},
    {0x054F, 'S'},
    {0x0555, 'O'},
    {0x0566, 'q'},
    {0x0570, 'h'},
    {0x0578, 'n'},
    {0x057D, 'u'},
    {0x0581, 'g'},
    {0x0585, 'o'},
    /* Cherokee (capitals: the letters look like Latin capitals) */
    {0x13A0, 'D'},
    {0x13A1, 'R'},
    {0x13A2, 'T'},
    {0x13A5, 'i'},
    {0x13AA, 'A'},
    {0x13AB, 'J'},
    {0x13AC, 'E'},
    {0x13B3, 'W'},
    {0x13B7, 'M'},
    {0x13BB, 'H'},
    {0x13C0, 'G'},
    {0x13C3, 'Z'},
    {0x13D9, 'V'},
    {0x13DA, 'S'},
    {0x13DE, 'L'},
    {0x13DF, 'C'},
    {0x13E2, 'P'},
    {0x13E6, 'K'},
    {0x13F4, 'B'},
};

static char confusable_latin(uint32_t cp)
{
    return lookup(confusable, sizeof confusable / sizeof confusable[0], cp);
}

/* Scripts whose letters are looked up in confusable[]. */
static bool conf_script(uint32_t cp)
{
    return (cp >= 0x370 && cp <= 0x58F) || (cp >= 0x13A0 && cp <= 0x13FF);
}

/* Kana, CJK, Hangul and the rest up to the presentation forms: copied as
 * they are (but the Hangul filler, ignorable, and the small capitals of
 * Latin Extended-D). */
static bool as_is(uint32_t cp)
{
    return cp >= 0x3040 && cp < 0xFE00 && cp != 0x3164 && !(cp >= 0xA730 && cp <= 0xA7AF);
}

enum cls {
    C_BREAK,   /* not part of a word */
    C_LATIN,   /* a Latin letter (or one NFKC makes Latin) */
    C_NEUTRAL, /* digit, combining mark, ignorable: part of a word, no script */
    C_CONF,    /* Cyrillic, Greek, Armenian or Cherokee letter that looks Latin */
    C_OTHER,   /* any other letter of those scripts */
};

static enum cls classify(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return C_LATIN;
        return cp >= '0' && cp <= '9' ? C_NEUTRAL : C_BREAK;
    }
    if (as_is(cp)) return C_BREAK; /* CJK, Hangul, ...: as is */
    if (ignorable(cp)) return C_NEUTRAL;
    if ((cp >= 0xC0 && cp <= 0x2AF && cp != 0xD7 && cp != 0xF7) || (cp >= 0x1E00 && cp <= 0x1EFF))
        return C_LATIN;
    if (cp >= 0x300 && cp <= 0x36F) return C_NEUTRAL;
    if (conf_script(cp)) return confusable_latin(cp) ? C_CONF : C_OTHER;
    char a = compat_ascii(cp);
    if (a) return a >= '0' && a <= '9' ? C_NEUTRAL : C_LATIN;
    return C_BREAK;
}

/* Writes the code point at p[r] (len bytes) folded at p[w]; returns the new
 * write position. latin: the word it belongs to reads as Latin. */
static size_t put(unsigned char *p, size_t w, size_t r, unsigned len, uint32_t cp, bool latin)
{
    if (cp >= 0x80 && !as_is(cp)) {
        if (ignorable(cp)) return w;
        char a = space(cp) ? ' ' : compat_ascii(cp);
        if (!a && latin && conf_script(cp)) a = confusable_latin(cp);
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

/* Whether the text from p[i] (a byte >= 0x80) has a Cyrillic, Greek,
 * Armenian or Cherokee letter that looks like no Latin one: any Russian or Greek sentence has
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
