/* textfold.h — undo the character tricks that make a text read the same to a
 * person and differently to a byte matcher.
 *
 * Harvesting scripts that are told their prompts are being matched (a
 * "think step by step" pattern, a template's frame, a repeated prompt) can
 * defeat every byte-level matcher at no cost to the answer they get back:
 * the model reads "st\u200Bep by st\u200Bep" or "stеp" (a Cyrillic е) as
 * "step", a pattern does not. warden_text_fold() rewrites a prompt once, when
 * it is decoded, so that every detector reads what the model reads:
 *
 *   - default-ignorable code points are removed (zero-width spaces and
 *     joiners, the soft hyphen, word joiner, bidirectional controls,
 *     variation selectors, the byte-order mark, tag characters; the
 *     Default_Ignorable_Code_Point property of Unicode's DerivedCoreProperties);
 *   - other space characters (no-break, en/em, narrow, ideographic) become
 *     an ASCII space;
 *   - fullwidth ASCII letters and digits (ＳＴＥＰ), the mathematical
 *     alphanumeric letters and digits (𝐬𝐭𝐞𝐩, 𝓈𝓉ℯ𝓅 in part), circled and
 *     squared letters (ⓢⓣⓔⓟ, 🅂), super- and subscript letters and digits
 *     (ˢᵗᵉᵖ) become ASCII, as Unicode's compatibility decomposition (NFKC)
 *     does; so do styled letters NFKC leaves alone: small capitals (sᴛᴇᴘ),
 *     negative circled and squared letters (🅢, 🆂), single-storey ɑ and ɡ;
 *   - in a word that has at least one Latin letter and whose every Cyrillic,
 *     Greek, Armenian or Cherokee letter looks like a Latin one (the mixed-script confusables
 *     of Unicode's UTS #39), those letters become the Latin ones: "stеp" is
 *     "step"; in a text with no Cyrillic or Greek letter that looks like no
 *     Latin one, every look-alike does, in any word ("ѕһоԝ" is "show": a
 *     Latin text with its look-alike letters swapped). A word in Cyrillic or
 *     Greek is left as it is, and so is a Cyrillic word with a Latin letter
 *     slipped in (it still has letters no Latin one resembles): Russian and
 *     Greek text reads as before.
 *
 * Every rewrite is one code point to one shorter or equal, so the text is
 * rewritten in place. Text without a byte >= 0x80 is never changed; the
 * decoder calls this only for such text. The input must be valid UTF-8 (the
 * decoder has checked it); the output is valid UTF-8. */
#ifndef WARDEN_CORE_TEXTFOLD_H
#define WARDEN_CORE_TEXTFOLD_H
#include <stddef.h>

/* Folds s[0..n) in place; returns the new length (<= n). */
size_t warden_text_fold(char *s, size_t n);

#endif
