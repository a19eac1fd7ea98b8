/* test_textfold.c — the prompt folding of core/textfold.h: what a reader sees
 * the same is written the same (zero-width and other invisible characters,
 * other spaces, fullwidth, mathematical and styled letters, Cyrillic, Greek,
 * Armenian and Cherokee look-alikes inside Latin words), while Cyrillic, Greek, Chinese and ASCII
 * text is left as it is; the output is valid UTF-8, never longer, and
 * folding twice changes nothing. The event decoder folds prompts and system
 * prompts, and nothing else; so does the LiteLLM guardrail adapter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event_decode.h"
#include "core/textfold.h"
#include "serve/litellm.h"

/* fold(in) == want, and fold(want) == want */
static void folds_to(const char *in, const char *want)
{
    char buf[512];
    size_t n = strlen(in);
    assert_true(n < sizeof buf);
    memcpy(buf, in, n + 1);
    size_t m = warden_text_fold(buf, n);
    buf[m] = '\0';
    if (strcmp(buf, want) != 0) fail_msg("fold(\"%s\") = \"%s\", want \"%s\"", in, buf, want);
    size_t m2 = warden_text_fold(buf, m);
    assert_int_equal(m2, m);
    assert_string_equal(buf, want);
}

static void ascii_unchanged(void **st)
{
    (void)st;
    folds_to("", "");
    folds_to("Think step by step.\nShow your reasoning!",
             "Think step by step.\nShow your reasoning!");
}

static void invisible_characters_removed(void **st)
{
    (void)st;
    folds_to("st\u200Bep by st\u200Bep", "step by step");     /* zero-width space */
    folds_to("chain\u00ADof\u00ADthought", "chainofthought"); /* soft hyphen */
    folds_to("\uFEFFreason\u2060ing", "reasoning");           /* BOM, word joiner */
    folds_to("thi\u200Cnk\u200D aloud\uFE0F", "think aloud"); /* ZWNJ, ZWJ, VS16 */
    folds_to("show \u202Eyour\u202C work", "show your work"); /* bidi controls */
    folds_to("step\U000E0041\U000E0042 by", "step by");       /* tag characters */
}

static void other_spaces_become_ascii(void **st)
{
    (void)st;
    folds_to("step\u00A0by\u2009step", "step by step");
    folds_to("think\u3000carefully\u202F", "think carefully ");
}

static void compatibility_letters_become_ascii(void **st)
{
    (void)st;
    folds_to("\uFF33\uFF34\uFF25\uFF30 by \uFF11", "STEP by 1");  /* fullwidth */
    folds_to("\U0001D42C\U0001D42D\U0001D41E\U0001D429", "step"); /* bold */
    folds_to("\U0001D4C8\U0001D4C9\u212F\U0001D4C5", "step");     /* script, with ℯ */
    folds_to("t\u210Eink \U0001D7D0\U0001D7CF", "think 21");      /* italic h, digits */
}

static void latin_words_with_lookalikes(void **st)
{
    (void)st;
    folds_to("st\u0435p by st\u0435p", "step by step");         /* Cyrillic e */
    folds_to("\u0455t\u0435\u0440", "step");                    /* three of four */
    folds_to("th\u03BFught pr\u03BFcess", "thought process");   /* Greek omicron */
    folds_to("\u0421hain-\u043Ef-thought", "Chain-of-thought"); /* capital Es */
    folds_to("r\u0435\u0430soning", "reasoning");
}

/* every look-alike letter swapped, words without a Latin letter included */
static void latin_text_with_every_lookalike(void **st)
{
    (void)st;
    folds_to("\u0455\u04bb\u043e\u051d your work", "show your work");
    folds_to("\u0430 \u0441\u043e\u0440\u0443 of it", "a copy of it");
    /* one letter no Latin one resembles (\u0444) makes the text Cyrillic: its
     * look-alike-only words stay */
    folds_to("\u0430 \u0441\u043e\u0440\u0443 \u043e\u0444 it",
             "\u0430 \u0441\u043e\u0440\u0443 \u043e\u0444 it");
}

/* Latin letters in a style of their own: small capitals, circled, squared
 * and negative squared letters, super- and subscripts, as text "font"
 * generators write them */
static void styled_letters_become_ascii(void **st)
{
    (void)st;
    folds_to("s\u029C\u1D0F\u1D21 \u028F\u1D0F\u1D1C\u0280 \u1D21\u1D0F\u0280\u1D0B",
             "show your work"); /* small capitals */
    folds_to("\uA731\u1D1B\u1D07\u1D18 \u0299\u028F", "step by");
    folds_to("\u24E2\u24E3\u24D4\u24DF \u24B7\u24CE", "step BY"); /* circled */
    folds_to("\U0001F142\U0001F143\U0001F134\U0001F13F", "STEP"); /* squared */
    folds_to("\U0001F162\U0001F163\U0001F154\U0001F15F", "STEP"); /* negative circled */
    folds_to("\U0001F182\U0001F183\U0001F174\U0001F17F", "STEP"); /* negative squared */
    folds_to("\u02E2\u1D57\u1D49\u1D56 \u1D47\u02B8", "step by"); /* superscript */
    folds_to("x\u2074 + \u2460 = y\u2082", "x4 + 1 = y2");
    folds_to("\u0251nswer \u0261iven", "answer given"); /* single-storey a and g */
    /* styled letters inside Cyrillic text are letters too */
    folds_to("\u0444\u1D0F\u0444", "\u0444o\u0444");
}

/* Armenian and Cherokee look-alikes in Latin words; Armenian text as is */
static void armenian_and_cherokee_lookalikes(void **st)
{
    (void)st;
    folds_to("y\u0585ur w\u0585rk", "your work");       /* Armenian o */
    folds_to("th\u0585\u057Dght", "thought");           /* o and u */
    folds_to("\u13DAtep by \u13DAtep", "Step by Step"); /* Cherokee S */
    folds_to("\u13A2HINK", "THINK");
    /* Armenian words keep their letters, look-alikes included */
    folds_to("\u0570\u0561\u0575\u0565\u0580\u0565\u0576 \u0585\u0580",
             "\u0570\u0561\u0575\u0565\u0580\u0565\u0576 \u0585\u0580");
}

static void other_scripts_unchanged(void **st)
{
    (void)st;
    /* Russian, Greek, Chinese as they are */
    folds_to("\u0440\u0430\u0441\u0441\u0443\u0436\u0434\u0435\u043D\u0438\u044F",
             "\u0440\u0430\u0441\u0441\u0443\u0436\u0434\u0435\u043D\u0438\u044F");
    folds_to("\u03C3\u03BA\u03AD\u03C8\u03BF\u03C5", "\u03C3\u03BA\u03AD\u03C8\u03BF\u03C5");
    folds_to("\u4E00\u6B65\u4E00\u6B65\uFF0C\u601D\u8003",
             "\u4E00\u6B65\u4E00\u6B65\uFF0C\u601D\u8003");
    /* a Cyrillic word of look-alikes only, with no Latin letter, in Cyrillic
     * text: Cyrillic */
    folds_to("\u0441\u043e\u0440 \u0438 \u0445\u043e\u0440",
             "\u0441\u043e\u0440 \u0438 \u0445\u043e\u0440");
    /* a Latin letter slipped into a Russian word: the word keeps letters no
     * Latin one resembles, so it stays Cyrillic (and the Latin a stays) */
    folds_to("\u0440a\u0441\u0441\u0443\u0436\u0434\u0435\u043D\u0438\u044F",
             "\u0440a\u0441\u0441\u0443\u0436\u0434\u0435\u043D\u0438\u044F");
    /* accented Latin is Latin */
    folds_to("caf\u00E9 r\u00E9sum\u00E9", "caf\u00E9 r\u00E9sum\u00E9");
    folds_to("\u4E00\u6B65\u200B\u4E00\u6B65", "\u4E00\u6B65\u4E00\u6B65");
}

/* random code points from the interesting ranges: valid UTF-8 out, never
 * longer, and a fixed point */
static void random_text(void **st)
{
    (void)st;
    static const uint32_t pool[] = {
        'a',    'E',     'p',     ' ',     '-',     '7',    0xAD,   0xA0,   0xE9,
        0x301,  0x391,   0x3BF,   0x3C3,   0x430,   0x435,  0x436,  0x455,  0x4CF,
        0x200B, 0x200D,  0x2009,  0x210E,  0x3000,  0x4E00, 0xFE0F, 0xFEFF, 0xFF21,
        0xFF4A, 0x1D41E, 0x1D7CE, 0xE0041, 0x1F600, 0x029C, 0x1D0F, 0xA731, 0x2074,
        0x24E2, 0x1F142, 0x1F189, 0x0585,  0x0561,  0x13DA, 0x13A3};
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 20000; round++) {
        char buf[256], again[256];
        size_t n = 0;
        int len = 1 + (int)(x % 24);
        for (int i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint32_t cp = pool[x % (sizeof pool / sizeof pool[0])];
            if (cp < 0x80) {
                buf[n++] = (char)cp;
            } else if (cp < 0x800) {
                buf[n++] = (char)(0xC0 | cp >> 6);
                buf[n++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                buf[n++] = (char)(0xE0 | cp >> 12);
                buf[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[n++] = (char)(0x80 | (cp & 0x3F));
            } else {
                buf[n++] = (char)(0xF0 | cp >> 18);
                buf[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                buf[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[n++] = (char)(0x80 | (cp & 0x3F));
            }
        }
        size_t m = warden_text_fold(buf, n);
        assert_true(m <= n);
        assert_int_equal(warden_utf8_valid(buf, m), 0);
        memcpy(again, buf, m);
        assert_int_equal(warden_text_fold(again, m), m);
        assert_memory_equal(again, buf, m);
    }
}

/* the decoder folds the prompt and the system prompt (escaped or not), and
 * no identifier or other string */
static void decoder_folds_prompts_only(void **st)
{
    (void)st;
    static char line[] = "{\"ts\":\"2026-11-23T08:15:02.120Z\",\"account_id\":\"a\u200Bb\","
                         "\"ip\":\"203.0.113.7\",\"user_agent\":\"c\u0430t\","
                         "\"system\":\"Think st\u200Bep by st\u0435p.\","
                         "\"prompt\":\"Sh\\u043Ew your w\\u200Bork\\nplease\"}";
    struct warden_event ev;
    char why[256] = "";
    assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
    assert_true(warden_str_eq(ev.prompt, "Show your work\nplease", 21));
    assert_true(warden_str_eq(ev.system, "Think step by step.", 19));
    assert_true(warden_str_eq(ev.account_id, "a\u200Bb", 5));
    assert_true(warden_str_eq(ev.user_agent, "c\u0430t", 4));
}

static void litellm_prompt_folded(void **st)
{
    (void)st;
    static const char body[] =
        "{\"texts\":[\"first\",\"Think st\\u200bep by st\u0435p\"],\"input_type\":\"request\","
        "\"request_data\":{\"user_api_key_hash\":\"h1\"}}";
    struct warden_event ev;
    struct warden_serve_litellm_req *r = NULL;
    char why[256] = "";
    assert_int_equal(
        warden_serve_litellm_parse(body, strlen(body), 1795421702120LL, &ev, &r, why, sizeof why),
        0);
    assert_true(warden_str_eq(ev.prompt, "Think step by step", 18));
    warden_serve_litellm_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_unchanged),
        cmocka_unit_test(invisible_characters_removed),
        cmocka_unit_test(other_spaces_become_ascii),
        cmocka_unit_test(compatibility_letters_become_ascii),
        cmocka_unit_test(latin_words_with_lookalikes),
        cmocka_unit_test(latin_text_with_every_lookalike),
        cmocka_unit_test(styled_letters_become_ascii),
        cmocka_unit_test(armenian_and_cherokee_lookalikes),
        cmocka_unit_test(other_scripts_unchanged),
        cmocka_unit_test(random_text),
        cmocka_unit_test(decoder_folds_prompts_only),
        cmocka_unit_test(litellm_prompt_folded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
