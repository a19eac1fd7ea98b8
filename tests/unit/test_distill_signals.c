/* test_distill_signals.c — each distillation signal on its own (distill.h):
 * frame sketches, template reuse (incl. a reworded frame and the evasions
 * that defeat it), capability sweep, the elicitation matcher in several
 * languages and as a share of traffic, harvest shape, answer yield, machine cadence
 * (regular, human, jittered, out-of-order) and model pivot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "detect/distill.h"

static struct warden_event ev_prompt(const char *p)
{
    struct warden_event ev;
    memset(&ev, 0, sizeof ev);
    ev.prompt.p = p;
    ev.prompt.n = (uint32_t)strlen(p);
    ev.turns = ev.max_tokens = ev.input_tokens = ev.output_tokens = WARDEN_NOINT;
    ev.cache_read_tokens = ev.tools = WARDEN_NOINT;
    ev.thinking = -1;
    return ev;
}

static void text(struct warden_distill_text *t, const char *p)
{
    struct warden_event ev = ev_prompt(p);
    warden_distill_text_scan(t, &ev);
}

static const char *const words[] = {"garden", "river",   "salmon", "invoice", "python", "recipe",
                                    "engine", "planet",  "castle", "market",  "guitar", "weather",
                                    "orbit",  "lecture", "meadow", "pixel",   "novel",  "theorem"};

static void payload(char *out, size_t cap, unsigned seed)
{
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < 10; i++) {
        seed = seed * 1103515245u + 12345u;
        len +=
            (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", words[(seed >> 16) % 18]);
    }
}

static void frame_sketch_ignores_payload(void **st)
{
    (void)st;
    struct warden_distill_text a, b, c, d;
    char p1[512], p2[512], x[256], y[256];
    payload(x, sizeof x, 1);
    payload(y, sizeof y, 2);
    snprintf(p1, sizeof p1, "%s\n\nThink step by step and show all of your reasoning.", x);
    snprintf(p2, sizeof p2, "%s\n\nThink step by step and show all of your reasoning.", y);
    text(&a, p1);
    text(&b, p2);
    assert_int_equal(a.tail_sketch, b.tail_sketch);
    assert_true(warden_distill_hamming(a.head_sketch, b.head_sketch) > 12);
    /* a reworded frame that keeps its last words stays close (the sketch weighs
     * tokens by their distance from the end: see distill_text.c) */
    snprintf(p2, sizeof p2, "%s\n\nThink it through and show all of your reasoning.", y);
    text(&c, p2);
    assert_true(warden_distill_hamming(a.tail_sketch, c.tail_sketch) <= 12);
    /* an unrelated ending is far */
    snprintf(p2, sizeof p2, "%s\n\nWhat would a medieval castle market have sold?", y);
    text(&d, p2);
    assert_true(warden_distill_hamming(a.tail_sketch, d.tail_sketch) > 12);
    /* case and punctuation do not change a sketch */
    text(&c, "QUESTION: garden river salmon?");
    text(&d, "question garden, river... salmon");
    assert_int_equal(c.head_sketch, d.head_sketch);
}

static void long_prompts_read_at_both_ends(void **st)
{
    (void)st;
    /* a long prompt's middle is skipped: its sketches equal a short one's with
     * the same ends (English, and Chinese, where each character is a token) */
    static const char *const ends[][2] = {
        {"Task: solve this please, it is for my class.",
         "\n\nThink step by step and show all of your reasoning."},
        {"任务：请帮我解决这个数学问题。", "请一步一步地思考，写出完整的推理过程。"},
        {"Вопрос: помоги решить эту задачу для моего класса.",
         " Объясни подробно ход решения шаг за шагом, пожалуйста."},
    };
    for (size_t e = 0; e < 3; e++) {
        char small[1024], big[8192], mid[6000];
        size_t len = 0;
        for (unsigned i = 0; i < 400 && len + 16 < sizeof mid; i++)
            len += (size_t)snprintf(mid + len, sizeof mid - len, "%s ", words[(i * 7) % 18]);
        snprintf(small, sizeof small, "%s%s", ends[e][0], ends[e][1]);
        snprintf(big, sizeof big, "%s %s%s", ends[e][0], mid, ends[e][1]);
        struct warden_distill_text a, b;
        text(&a, small);
        text(&b, big);
        assert_true(strlen(big) > 2000);
        assert_int_equal(a.tail_sketch, b.tail_sketch);
        assert_int_equal(a.head_sketch, b.head_sketch);
        assert_true(b.ntokens < 60); /* the middle was not read */
        assert_true(a.prompt_hash != b.prompt_hash);
    }
}

/* the tail of a long prompt is found from bit masks when its last 64 bytes
 * are ASCII, by walking back otherwise: both give the same tokens */
static void tail_found_alike_ascii_or_not(void **st)
{
    (void)st;
    static const char *const tails[][2] = {
        /* an em dash (a separator) in the window forces the walk back */
        {" Check the result - then give it on its own line please.",
         " Check the result \u2014 then give it on its own line please."},
        /* the last 8 tokens span more than 64 bytes: the masks cannot tell */
        {" Incomprehensibilities notwithstanding, characteristically "
         "internationalization counterrevolutionaries uncharacteristically "
         "overgeneralizing indistinguishability",
         " Incomprehensibilities notwithstanding, characteristically "
         "internationalization counterrevolutionaries uncharacteristically "
         "overgeneralizing indistinguishability"},
    };
    char mid[3000];
    size_t len = 0;
    for (unsigned i = 0; i < 200 && len + 16 < sizeof mid; i++)
        len += (size_t)snprintf(mid + len, sizeof mid - len, "%s ", words[(i * 5) % 18]);
    for (size_t k = 0; k < 2; k++) {
        char a[4096], b[4096], c[512];
        snprintf(a, sizeof a, "Solve: %s%s", mid, tails[k][0]);
        snprintf(b, sizeof b, "Solve: %s%s", mid, tails[k][1]);
        snprintf(c, sizeof c, "Solve:%s", tails[k][0]); /* short: read whole */
        struct warden_distill_text ta, tb, tc;
        text(&ta, a);
        text(&tb, b);
        text(&tc, c);
        assert_int_equal(ta.tail_sketch, tb.tail_sketch);
        assert_int_equal(ta.head_sketch, tb.head_sketch);
        assert_int_equal(ta.tail_sketch, tc.tail_sketch);
    }
}

/* a prompt tokenized once is not tokenized again for the next detector, but
 * only the same text (hash and length) gets the same result, wherever it is */
static void text_pass_reused_for_same_text_only(void **st)
{
    (void)st;
    char buf[256], other[256];
    snprintf(buf, sizeof buf, "Explain the proof of the theorem step by step, please.");
    snprintf(other, sizeof other, "%s", buf);
    struct warden_distill_text a, b, c;
    text(&a, buf);
    text(&b, other); /* same text elsewhere */
    assert_memory_equal(&a, &b, sizeof a);
    buf[8] = 'X'; /* the same buffer, the same length, another text */
    text(&c, buf);
    assert_true(c.prompt_hash != a.prompt_hash);
    assert_true(c.head_sketch != a.head_sketch);
    text(&c, other);
    assert_memory_equal(&a, &c, sizeof a);
}

static void cjk_characters_are_tokens(void **st)
{
    (void)st;
    struct warden_distill_text t;
    text(&t, "请一步一步地解释你的推理过程");
    assert_int_equal(t.ntokens, 14);
    assert_true(t.ncontent >= 10); /* character pairs */
    text(&t, "Привет, как дела?");
    assert_int_equal(t.ntokens, 3);
}

static void template_reuse_scores_frames_not_repeats(void **st)
{
    (void)st;
    struct warden_distill_template s;
    struct warden_distill_text t;
    char p[512], x[256];
    /* one frame, new payloads */
    memset(&s, 0, sizeof s);
    for (unsigned i = 0; i < 40; i++) {
        payload(x, sizeof x, i + 10);
        snprintf(p, sizeof p, "Task: %s\n\nExplain your reasoning in detail, then answer.", x);
        text(&t, p);
        warden_distill_template_update(&s, &t, 12);
    }
    assert_true(warden_distill_template_score(&s) > 0.8);
    /* the same frame resent with the same payload: a repeat, not harvesting */
    memset(&s, 0, sizeof s);
    payload(x, sizeof x, 5);
    snprintf(p, sizeof p, "Task: %s\n\nExplain your reasoning in detail, then answer.", x);
    text(&t, p);
    for (unsigned i = 0; i < 40; i++) warden_distill_template_update(&s, &t, 12);
    assert_true(warden_distill_template_score(&s) < 0.1);
    /* no frame (raw items): nothing */
    memset(&s, 0, sizeof s);
    for (unsigned i = 0; i < 40; i++) {
        payload(x, sizeof x, i + 100);
        text(&t, x);
        warden_distill_template_update(&s, &t, 12);
    }
    assert_true(warden_distill_template_score(&s) < 0.2);
    /* evasion: a different frame every time defeats this signal (documented) */
    static const char *const frames[] = {
        "Lay out each deduction you make.",   "Narrate how you get there in full.",
        "Go through it one stage at a time.", "List each sub-problem and solve them in order.",
        "I want the full derivation.",        "Work from first principles throughout."};
    memset(&s, 0, sizeof s);
    for (unsigned i = 0; i < 42; i++) {
        payload(x, sizeof x, i + 200);
        snprintf(p, sizeof p, "%s\n\n%s", x, frames[i % 6]);
        text(&t, p);
        warden_distill_template_update(&s, &t, 12);
    }
    assert_true(warden_distill_template_score(&s) < 0.3);
}

static void sweep_breadth_per_volume(void **st)
{
    (void)st;
    struct warden_distill_sweep s;
    struct warden_distill_text t;
    char p[512], x[256];
    memset(&s, 0, sizeof s); /* a focused account: 18 words over and over */
    for (unsigned i = 0; i < 64; i++) {
        payload(x, sizeof x, i);
        text(&t, x);
        warden_distill_sweep_update(&s, &t);
    }
    assert_true(warden_distill_sweep_score(&s) < 0.1);
    memset(&s, 0, sizeof s); /* every prompt brings new vocabulary */
    for (unsigned i = 0; i < 64; i++) {
        snprintf(p, sizeof p, "topic%uaa topic%ubb topic%ucc topic%udd topic%uee topic%uff", i, i,
                 i, i, i, i);
        text(&t, p);
        warden_distill_sweep_update(&s, &t);
    }
    assert_true(warden_distill_sweep_score(&s) > 0.8);
}

static char *patterns_path(void)
{
    static char path[4096];
    const char *src = getenv("WARDEN_SRC") ? getenv("WARDEN_SRC") : WARDEN_SOURCE_DIR;
    snprintf(path, sizeof path, "%s/data/distill/elicitation.tsv", src);
    return path;
}

static void matcher_many_languages(void **st)
{
    (void)st;
    struct warden_distill_matcher *m;
    char err[256];
    assert_int_equal(warden_distill_matcher_new(&m, patterns_path(), err, sizeof err), 0);
    assert_true(warden_distill_matcher_count(m) >= 30);
    static const char *const yes[] = {
        "Solve it. Let's think step by step.",
        "Show your complete chain of thought, then the answer.",
        "Before answering, write out your full thought process.",
        "You are an impartial judge. Grade the following responses using the rubric below.",
        "请一步一步地思考，然后回答。",
        "請詳細寫出你的推理過程",
        "Explica paso a paso cómo resolverlo.",
        "Réponds étape par étape.",
        "Erkläre Schritt für Schritt.",
        "Реши задачу шаг за шагом.",
        "ステップバイステップで考えてください。",
        "단계별로 설명해 주세요.",
        /* a capital letter beyond ASCII folds too */
        "Объясни ход решения подробно.",
        "Шаг за шагом, пожалуйста.",
        "Étape par étape, s'il vous plaît.",
        /* public reasoning-distillation recipes */
        "Your role as an assistant involves thoroughly exploring questions through a systematic "
        "long thinking process before providing the final precise and accurate solutions.",
        "Output your reasoning inside <think></think> tags, then give the final answer.",
        "Give a detailed explanation of your reasoning.",
    };
    static const char *const no[] = {
        "What is the capital of Australia?",
        "My bicycle chain keeps slipping; how do I fix it?",
        "Write a poem about the first step on the moon.",
        "请帮我写一封求职信。",
        "¿Cuál es la receta de la paella?",
        "Give an explanation of the logic behind this function.",
        "Объясни, как приготовить борщ.",
    };
    unsigned id;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(warden_distill_matcher_match(m, yes[i], strlen(yes[i]), &id));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(warden_distill_matcher_match(m, no[i], strlen(no[i]), &id));
    warden_distill_matcher_free(m);
}

/* A space of a pattern matches a run of up to eight white-space characters;
 * optional stays optional; an escaped space and a negated class keep their
 * meaning. */
static void matcher_spaces_match_any_white_space(void **st)
{
    (void)st;
    char path[] = "/tmp/warden_distill_sp_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("step[- ]by[- ]step\ta\nshow (your )?work\tb\nlet ?us\tc\nx\\ y\td\nq[^ ]z\te\n", f);
    fclose(f);
    struct warden_distill_matcher *m = NULL;
    char err[256];
    assert_int_equal(warden_distill_matcher_new(&m, path, err, sizeof err), 0);
    unlink(path);
    static const char *const yes[] = {
        "think step  by\tstep",
        "step-by-step",
        "step - by -\nstep",
        "show\n  your   work",
        "show work",
        "letus",
        "let   us",
        "x y",
        "q-z",
    };
    static const char *const no[] = {"stepby step", "showyour work", "x  y",
                                     "q z",         "q\tz",          "step         by step"};
    unsigned id;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!warden_distill_matcher_match(m, yes[i], strlen(yes[i]), &id))
            fail_msg("no match: \"%s\"", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (warden_distill_matcher_match(m, no[i], strlen(no[i]), &id))
            fail_msg("match: \"%s\"", no[i]);
    warden_distill_matcher_free(m);
}

static void matcher_refuses_uncommented_pattern(void **st)
{
    (void)st;
    char path[] = "/tmp/warden_distill_pat_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# header\nstep by step\tEnglish\nchain of thought\n", f);
    fclose(f);
    struct warden_distill_matcher *m = NULL;
    char err[256];
    assert_int_equal(warden_distill_matcher_new(&m, path, err, sizeof err), WARDEN_EPARSE);
    assert_non_null(strstr(err, ":3:"));
    f = fopen(path, "w");
    fputs("(unclosed\tbroken\n", f);
    fclose(f);
    assert_int_equal(warden_distill_matcher_new(&m, path, err, sizeof err), WARDEN_EPARSE);
    assert_non_null(strstr(err, ":1:"));
    unlink(path);
    assert_int_equal(warden_distill_matcher_new(&m, path, err, sizeof err), WARDEN_EIO);
}

static void elicitation_is_a_share_of_traffic(void **st)
{
    (void)st;
    struct warden_distill_matcher *m;
    char err[256];
    assert_int_equal(warden_distill_matcher_new(&m, patterns_path(), err, sizeof err), 0);
    struct warden_distill_elicit s;
    struct warden_distill_text t;
    /* a person who asks for steps once in twenty requests */
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 40; i++) {
        struct warden_event ev =
            ev_prompt(i % 20 == 0 ? "Explain step by step how to bake bread" : "Tell me a joke");
        warden_distill_text_scan(&t, &ev);
        warden_distill_elicit_update(&s, m, &ev, &t, 8192, 256);
    }
    assert_true(warden_distill_elicit_score(&s) < 0.1);
    /* every request, via the system prompt (scanned once, counted each time) */
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 40; i++) {
        struct warden_event ev = ev_prompt("Tell me a joke");
        ev.system.p = "Always show your reasoning step by step.";
        ev.system.n = (uint32_t)strlen(ev.system.p);
        warden_distill_text_scan(&t, &ev);
        warden_distill_elicit_update(&s, m, &ev, &t, 8192, 256);
    }
    assert_true(warden_distill_elicit_score(&s) > 0.9);
    assert_int_equal(s.text, 40);
    /* thinking with a big budget counts, less than asking in words */
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 40; i++) {
        struct warden_event ev = ev_prompt("Tell me a joke");
        ev.thinking = 1;
        ev.max_tokens = 32000;
        warden_distill_text_scan(&t, &ev);
        warden_distill_elicit_update(&s, m, &ev, &t, 8192, 256);
    }
    double v = warden_distill_elicit_score(&s);
    assert_true(v > 0.5 && v < 0.7);
    warden_distill_matcher_free(m);
}

/* A pipeline whose fixed instruction says "step-by-step" over short answers
 * asks for no reasoning trace and gets none: it is not counted. The same
 * wording with long answers (the trace came back) is; so are requests
 * without usage (the gateway did not say). */
static void elicitation_needs_an_answer_back(void **st)
{
    (void)st;
    struct warden_distill_matcher *m;
    char err[256];
    assert_int_equal(warden_distill_matcher_new(&m, patterns_path(), err, sizeof err), 0);
    struct warden_distill_elicit s;
    struct warden_distill_text t;
    int64_t outs[3] = {90, 1400, WARDEN_NOINT};
    double v[3];
    for (int k = 0; k < 3; k++) {
        memset(&s, 0, sizeof s);
        for (int i = 0; i < 60; i++) {
            char p[160];
            snprintf(p, sizeof p,
                     "Write a step-by-step guide for resolving merge conflicts.\n\n%s %s",
                     words[i % 18], words[(i * 7) % 18]);
            struct warden_event ev = ev_prompt(p);
            ev.input_tokens = 40;
            ev.output_tokens = outs[k] == WARDEN_NOINT ? WARDEN_NOINT : outs[k] + (i % 7) * 20;
            warden_distill_text_scan(&t, &ev);
            warden_distill_elicit_update(&s, m, &ev, &t, 8192, 256);
        }
        v[k] = warden_distill_elicit_score(&s);
    }
    assert_true(v[0] < 0.05);
    assert_int_equal(s.short_answers, 0);
    assert_true(v[1] > 0.9);
    assert_true(v[2] > 0.9);
    /* min_answer 0 counts every match, as before */
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 20; i++) {
        struct warden_event ev = ev_prompt("Explain step by step: 2+2");
        ev.output_tokens = 30;
        warden_distill_text_scan(&t, &ev);
        warden_distill_elicit_update(&s, m, &ev, &t, 8192, 0);
    }
    assert_int_equal(s.text, 20);
    warden_distill_matcher_free(m);
}

/* A gateway that does not log `turns`: a request whose new input is no more
 * than its prompt (and system prompt) can hold is single-turn, as the API
 * bills a stateless request's whole conversation; one that carries a
 * history, reads from the cache or declares tools is not, nor is one
 * without the prompt's text or usage. With `turns` logged, it decides. */
static void shape_infers_single_turn_without_turns(void **st)
{
    (void)st;
    static char prompt[801];
    memset(prompt, 'a', 800); /* about 200 tokens of English */
    /* one: the prompt alone; hist: a history too; cached: cache reads;
     * tools: tools declared; blind: no usage; logged: `turns` logged */
    struct warden_distill_shape sh[6];
    memset(sh, 0, sizeof sh);
    struct warden_distill_shape *one = &sh[0], *hist = &sh[1], *cached = &sh[2], *tools = &sh[3],
                                *blind = &sh[4], *logged = &sh[5];
    for (int i = 0; i < 20; i++) {
        struct warden_event ev = ev_prompt(prompt);
        ev.input_tokens = 210;
        ev.output_tokens = 900;
        warden_distill_shape_update(one, &ev, 16000, 6, 1000);
        ev.input_tokens = 210 + 700; /* a question and an answer before it */
        warden_distill_shape_update(hist, &ev, 16000, 6, 1000);
        ev.input_tokens = 210;
        ev.cache_read_tokens = 600;
        warden_distill_shape_update(cached, &ev, 16000, 6, 1000);
        ev.cache_read_tokens = WARDEN_NOINT;
        ev.tools = 3;
        warden_distill_shape_update(tools, &ev, 16000, 6, 1000);
        ev.tools = WARDEN_NOINT;
        ev.input_tokens = WARDEN_NOINT;
        warden_distill_shape_update(blind, &ev, 16000, 6, 1000);
        ev.input_tokens = 210;
        ev.turns = 3; /* logged: it decides */
        warden_distill_shape_update(logged, &ev, 16000, 6, 1000);
    }
    assert_int_equal(one->single, 20);
    for (int k = 1; k < 6; k++) assert_int_equal(sh[k].single, 0); /* none of the others */
    /* a system prompt the gateway logs is input the request may carry */
    static char sys[2001];
    memset(sys, 's', 2000);
    struct warden_distill_shape withsys;
    memset(&withsys, 0, sizeof withsys);
    struct warden_event ev = ev_prompt(prompt);
    ev.system.p = sys;
    ev.system.n = 2000;
    ev.input_tokens = 210 + 500;
    ev.output_tokens = 900;
    warden_distill_shape_update(&withsys, &ev, 16000, 6, 1000);
    assert_int_equal(withsys.single, 1);
    ev.system.p = NULL;
    ev.system.n = 0; /* not logged: the same input could be a history */
    warden_distill_shape_update(&withsys, &ev, 16000, 6, 1000);
    assert_int_equal(withsys.single, 1);
}

static void shape_tells_harvest_from_conversation(void **st)
{
    (void)st;
    struct warden_distill_shape h, c, tr;
    memset(&h, 0, sizeof h);
    memset(&c, 0, sizeof c);
    memset(&tr, 0, sizeof tr);
    for (int i = 0; i < 50; i++) {
        struct warden_event ev = ev_prompt("x");
        ev.turns = 1;
        ev.max_tokens = 32000;
        ev.input_tokens = 60;
        ev.output_tokens = 3000;
        ev.cache_read_tokens = 0;
        warden_distill_shape_update(&h, &ev, 16000, 6, 1000);
        ev.turns = 1 + 2 * (i % 5); /* a conversation with tools and cache */
        ev.tools = 6;
        ev.cache_read_tokens = 2000;
        ev.max_tokens = 4096;
        ev.input_tokens = 2500;
        ev.output_tokens = 400;
        warden_distill_shape_update(&c, &ev, 16000, 6, 1000);
        ev.turns = 1; /* translation: long output, but as long as the input */
        ev.tools = 0;
        ev.cache_read_tokens = 0;
        ev.input_tokens = 1500;
        ev.output_tokens = 1600;
        warden_distill_shape_update(&tr, &ev, 16000, 6, 1000);
    }
    assert_true(warden_distill_shape_score(&h) > 0.9);
    assert_true(warden_distill_shape_score(&c) < 0.25);
    assert_true(warden_distill_shape_score(&tr) < 0.55);
}

/* answer yield: many long answers to short new questions, whatever the
 * request's format; a conversation's cached history does not dilute it, a
 * coding agent's cached code still does */
static void yield_counts_answers_to_new_input(void **st)
{
    (void)st;
    struct warden_distill_shape ag, ca, few, app;
    memset(&ag, 0, sizeof ag);
    memset(&ca, 0, sizeof ca);
    memset(&few, 0, sizeof few);
    memset(&app, 0, sizeof app);
    for (int i = 0; i < 300; i++) {
        struct warden_event ev = ev_prompt("x");
        ev.turns = 5; /* agentic-looking harvest: turns, tools, a cached "history" */
        ev.tools = 6;
        ev.max_tokens = 8192;
        ev.input_tokens = 1300;
        ev.cache_read_tokens = 1000;
        ev.output_tokens = i % 3 ? 2400 : 600;
        warden_distill_shape_update(&ag, &ev, 16000, 6, 1000);
        ev.input_tokens = 21000; /* coding agent: long answers to a lot of new code */
        ev.cache_read_tokens = 17000;
        ev.output_tokens = 1500;
        warden_distill_shape_update(&ca, &ev, 16000, 6, 1000);
        ev.turns = 1; /* an app whose users now and then ask for a long answer */
        ev.tools = 0;
        ev.cache_read_tokens = 0;
        ev.input_tokens = 200;
        ev.output_tokens = i % 8 ? 400 : 2000;
        warden_distill_shape_update(&app, &ev, 16000, 6, 1000);
        if (i < 12) { /* a person: a dozen long answers */
            ev.output_tokens = 2500;
            warden_distill_shape_update(&few, &ev, 16000, 6, 1000);
        }
    }
    assert_true(warden_distill_yield_score(&ag) > 0.9);
    assert_true(warden_distill_shape_score(&ag) < 0.5); /* the format hides it from shape */
    assert_true(warden_distill_yield_score(&ca) == 0);
    assert_true(warden_distill_yield_score(&app) == 0);
    assert_true(warden_distill_yield_score(&few) < 0.25);
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_distill_yield_evidence(&ag, &b);
    assert_non_null(strstr(warden_jbuf_str(&b), "\"long_answers\":200"));
    warden_jbuf_fini(&b);
}

/* the same traffic reported with the cache reads inside input_tokens
 * (OpenAI's usage) and apart from them (Anthropic's) reads the same: a coding
 * agent's new code is new input either way, a harvest's short new questions
 * are short either way */
static void shape_reads_both_usage_conventions(void **st)
{
    (void)st;
    struct warden_distill_shape ca_in, ca_apart, h_in, h_apart;
    memset(&ca_in, 0, sizeof ca_in);
    memset(&ca_apart, 0, sizeof ca_apart);
    memset(&h_in, 0, sizeof h_in);
    memset(&h_apart, 0, sizeof h_apart);
    for (int i = 0; i < 300; i++) {
        struct warden_event ev = ev_prompt("x");
        ev.turns = 7;
        ev.tools = 12;
        ev.max_tokens = 32000;
        ev.cache_read_tokens = 17000; /* coding agent: 4,000 tokens of new code a turn */
        ev.output_tokens = 1500;
        ev.input_tokens = 21000;
        warden_distill_shape_update(&ca_in, &ev, 16000, 6, 1000);
        ev.input_tokens = 4000;
        warden_distill_shape_update(&ca_apart, &ev, 16000, 6, 1000);
        ev.cache_read_tokens = 1000; /* agentic-looking harvest: 300 new tokens a question */
        ev.output_tokens = 2400;
        ev.input_tokens = 1300;
        warden_distill_shape_update(&h_in, &ev, 16000, 6, 1000);
        ev.input_tokens = 300;
        warden_distill_shape_update(&h_apart, &ev, 16000, 6, 1000);
    }
    assert_int_equal(ca_in.cache_apart, 0);
    assert_int_equal(ca_apart.cache_apart, 1);
    assert_int_equal(ca_in.long_out, 0);
    assert_int_equal(ca_apart.long_out, 0); /* before: new input read as 1 token, all long */
    assert_true(warden_distill_yield_score(&ca_apart) == 0);
    assert_int_equal(h_in.long_out, 300);
    assert_int_equal(h_apart.long_out, 300);
    assert_true(warden_distill_yield_score(&h_apart) > 0.9);
    assert_true(fabs(warden_distill_shape_score(&ca_in) - warden_distill_shape_score(&ca_apart)) <
                1e-9);
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_distill_shape_evidence(&ca_apart, &b);
    assert_non_null(strstr(warden_jbuf_str(&b), "\"cache_apart\":true"));
    warden_jbuf_fini(&b);
}

/* agent fan-out: new tool sessions per clock hour, counted in busy hours
 * and in the sessions of busy hours (up to three hours' worth an hour);
 * a short burst, a person's few sessions an hour, repeats, continuations,
 * tool-less requests and late events do not make busy hours */
#define FAN(s, e, repeat) warden_distill_fanout_update(s, e, repeat, 30, 90)
static void fanout_counts_busy_hours(void **st)
{
    (void)st;
    const int64_t h0 = 1795421702000LL / 3600000 * 3600000;
    struct warden_distill_fanout harness, burst, person, rerun, other, spike, even;
    memset(&harness, 0, sizeof harness);
    memset(&burst, 0, sizeof burst);
    memset(&person, 0, sizeof person);
    memset(&rerun, 0, sizeof rerun);
    memset(&other, 0, sizeof other);
    memset(&spike, 0, sizeof spike);
    memset(&even, 0, sizeof even);
    struct warden_event ev = ev_prompt("x");
    ev.tools = 8;
    for (int h = 0; h < 10; h++)
        for (int i = 0; i < 40; i++) {
            ev.ts_ms = h0 + h * 3600000LL + i * 90000LL;
            ev.turns = 1;
            FAN(&harness, &ev, false);
            FAN(&rerun, &ev, true); /* the same tasks again */
            ev.turns = 5;           /* the tool loop */
            FAN(&harness, &ev, false);
            ev.turns = 1;
            ev.tools = 0; /* single-turn without tools: not an agent session */
            FAN(&other, &ev, false);
            ev.tools = 8;
            if (h < 2) FAN(&burst, &ev, false); /* two hours */
            if (h < 2 && i < 30) FAN(&even, &ev, false);
            if (i % 8 == 0) FAN(&person, &ev, false);
        }
    /* a spike: 300 new sessions in one hour (the first run of a benchmark) */
    for (int i = 0; i < 300; i++) {
        ev.ts_ms = h0 + 20 * 3600000LL + i * 10000LL;
        FAN(&spike, &ev, false);
    }
    assert_int_equal(harness.starts, 400);
    assert_int_equal(harness.busy, 10);
    assert_int_equal(harness.busy_sessions, 400);
    assert_int_equal(harness.peak, 40);
    assert_true(warden_distill_fanout_score(&harness, 30, 2, 8, 1) == 1);
    /* two hours of 40: 80 sessions, 2.67 hours' worth, a little over min_hours */
    assert_int_equal(burst.busy, 2);
    assert_int_equal(burst.busy_sessions, 80);
    assert_true(fabs(warden_distill_fanout_score(&burst, 30, 2, 8, 1) - (80 / 30.0 - 2) / 6) <
                1e-9);
    assert_true(warden_distill_fanout_score(&even, 30, 2, 8, 1) == 0); /* two hours of 30 */
    assert_int_equal(spike.busy, 1);
    assert_int_equal(spike.busy_sessions, 90); /* three hours' worth at most */
    assert_true(fabs(warden_distill_fanout_score(&spike, 30, 2, 8, 1) - 1.0 / 6) < 1e-9);
    assert_int_equal(person.busy, 0);
    assert_int_equal(rerun.starts, 0);
    assert_int_equal(other.starts, 0);
    /* late: a session of an hour already closed counts in the total only */
    ev.ts_ms = h0 + 3600000LL;
    FAN(&harness, &ev, false);
    assert_int_equal(harness.starts, 401);
    assert_int_equal(harness.busy, 10);
    assert_int_equal(harness.busy_sessions, 400);
    /* five hours' worth: halfway from min_hours 2 to full_hours 8 */
    struct warden_distill_fanout five = harness;
    five.busy = 4;
    five.busy_sessions = 150;
    assert_true(fabs(warden_distill_fanout_score(&five, 30, 2, 8, 1) - 0.5) < 1e-9);
    /* a state restored from before busy_sessions was kept: the busy hours */
    struct warden_distill_fanout old = harness;
    old.busy = 5;
    old.busy_sessions = 0;
    assert_true(fabs(warden_distill_fanout_score(&old, 30, 2, 8, 1) - 0.5) < 1e-9);
    /* tasks sent again count for nothing: a third new, a third of the value */
    assert_true(fabs(warden_distill_fanout_score(&harness, 30, 2, 8, 1.0 / 3) - 1.0 / 3) < 1e-9);
    assert_true(fabs(warden_distill_fanout_score(&five, 30, 2, 8, 0.5) - 0.25) < 1e-9);
    assert_true(warden_distill_fanout_score(&harness, 30, 2, 8, 0) == 0);
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_distill_fanout_evidence(&harness, 30, 0.5, &b);
    assert_string_equal(warden_jbuf_str(&b),
                        "\"tool_sessions\":401,\"busy_hours\":10,\"busy_sessions\":400,"
                        "\"peak_hour\":40,\"per_hour\":30,\"new_task_share\":0.5");
    warden_jbuf_fini(&b);
}

static void cadence_regular_human_jittered_late(void **st)
{
    (void)st;
    struct warden_distill_cadence m, p, j;
    memset(&m, 0, sizeof m);
    memset(&p, 0, sizeof p);
    memset(&j, 0, sizeof j);
    int64_t t = 1795421702000LL, tp = t, tj = t;
    uint32_t x = 7;
    for (int i = 0; i < 2000; i++) {
        x = x * 1103515245u + 12345u;
        double u = ((x >> 8) & 0xffff) / 65536.0;
        warden_distill_cadence_update(&m, t);
        t += 60000 + (int64_t)(u * 3000); /* one a minute, day and night */
        warden_distill_cadence_update(&p, tp);
        /* a person: sessions of 5 in the day (UTC 08-20), nights off */
        int64_t hour = (tp / 3600000) % 24;
        tp += i % 5 == 4 ? (hour >= 20 || hour < 8 ? 10 : 2) * 3600000LL
                         : 60000 + (int64_t)(u * 120000);
        warden_distill_cadence_update(&j, tj);
        tj += (int64_t)(-60000.0 * __builtin_log(1.0 - u)) + 1; /* Poisson */
    }
    assert_true(warden_distill_cadence_score(&m) > 0.9);
    assert_true(warden_distill_cadence_score(&p) < 0.2);
    double sj = warden_distill_cadence_score(&j); /* jitter defeats regularity, not the clock */
    assert_true(sj > 0.4 && sj < 0.7);
    /* an event from the past is counted as late and leaves the gap statistics alone */
    struct warden_distill_cadence before = m;
    warden_distill_cadence_update(&m, t - 7 * 86400000LL);
    assert_int_equal(m.late, before.late + 1);
    assert_true(m.last_ts == before.last_ts && m.gap_mean == before.gap_mean);
    assert_true(warden_distill_cadence_score(&m) > 0.9);
}

static double next_unit(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return (((*x >> 8) & 0xffff) + 0.5) / 65536.0;
}

/* A script in batches: 60 requests 40 s +- 10 s apart, then two hours off,
 * in the day only (the clock part says nothing). The long gaps keep the CV
 * of all gaps above 1; the gaps inside runs show the pacing. A person in
 * long sittings (30 requests, log-normal gaps around a minute) does not. */
static void cadence_batches_and_long_sittings(void **st)
{
    (void)st;
    struct warden_distill_cadence b, p;
    memset(&b, 0, sizeof b);
    memset(&p, 0, sizeof p);
    uint32_t x = 11;
    int64_t day0 = 1795392000000LL; /* a midnight UTC */
    for (int d = 0; d < 4; d++) {
        int64_t tb = day0 + d * 86400000LL + 8 * 3600000LL, tp = tb;
        for (int k = 0; k < 5; k++) { /* 08:00-20:00 */
            for (int i = 0; i < 60; i++) {
                warden_distill_cadence_update(&b, tb);
                tb += 30000 + (int64_t)(next_unit(&x) * 20000);
            }
            tb += 2 * 3600000LL;
            for (int i = 0; i < 30; i++) {
                warden_distill_cadence_update(&p, tp);
                double u1 = next_unit(&x), u2 = next_unit(&x);
                double z = __builtin_sqrt(-2 * __builtin_log(u1)) * __builtin_cos(6.283185307 * u2);
                double g = 60.0 * __builtin_exp(z);
                tp += (int64_t)((g < 590 ? g : 590) * 1000);
            }
            tp += 2 * 3600000LL;
        }
    }
    struct warden_jbuf j;
    warden_jbuf_init(&j);
    warden_distill_cadence_evidence(&b, &j);
    assert_non_null(strstr(warden_jbuf_str(&j), "\"longest_run\":59"));
    assert_null(strstr(warden_jbuf_str(&j), "\"run_gap_cv\":-1"));
    warden_jbuf_fini(&j);
    /* daytime only: the clock part is 0, regularity is half the score */
    assert_true(warden_distill_cadence_score(&b) > 0.45);
    assert_true(warden_distill_cadence_score(&p) < 0.1);
    /* runs shorter than RUN_MIN gaps do not count: the same pacing in runs of 10 */
    struct warden_distill_cadence s;
    memset(&s, 0, sizeof s);
    int64_t t = day0 + 8 * 3600000LL;
    for (int i = 0; i < 600; i++) {
        warden_distill_cadence_update(&s, t);
        t += i % 10 == 9 ? 3600000LL : 40000;
        if ((t / 3600000) % 24 >= 20) t += 12 * 3600000LL;
    }
    assert_true(warden_distill_cadence_score(&s) < 0.1);
}

static void pivot_to_new_model(void **st)
{
    (void)st;
    struct warden_distill_models models;
    struct warden_distill_pivot piv, adopt;
    memset(&models, 0, sizeof models);
    memset(&piv, 0, sizeof piv);
    memset(&adopt, 0, sizeof adopt);
    int64_t t0 = 1795421702000LL, day = 86400000LL;
    struct warden_event ev = ev_prompt("x");
    /* 10 days on the old model, 5 a day, for both accounts */
    for (int d = 0; d < 10; d++)
        for (int k = 0; k < 5; k++) {
            ev.ts_ms = t0 + d * day + k * 3600000LL;
            ev.model.p = "old";
            ev.model.n = 3;
            warden_distill_pivot_update(&piv, &models, &ev, 7 * 86400, 2 * 86400);
            warden_distill_pivot_update(&adopt, &models, &ev, 7 * 86400, 2 * 86400);
        }
    /* day 10: a new model appears; one account pours 100 requests into it */
    for (int k = 0; k < 100; k++) {
        ev.ts_ms = t0 + 10 * day + k * 600000LL;
        ev.model.p = "new";
        ev.model.n = 3;
        warden_distill_pivot_update(&piv, &models, &ev, 7 * 86400, 2 * 86400);
    }
    /* the other tries it now and then at its usual volume */
    for (int k = 0; k < 5; k++) {
        ev.ts_ms = t0 + 10 * day + k * 3600000LL;
        ev.model.p = k % 3 == 0 ? "new" : "old";
        ev.model.n = 3;
        warden_distill_pivot_update(&adopt, &models, &ev, 7 * 86400, 2 * 86400);
    }
    assert_true(warden_distill_pivot_score(&piv) > 0.9);
    assert_true(warden_distill_pivot_score(&adopt) < 0.1);
}

/* Payload novelty: a benchmark re-run with another instruction line is all
 * repeats; new items under a fixed frame, or a fixed preamble over a new
 * question, are new; a burst in one hour is one sitting, harvesting over hours
 * is many; the distinct estimate holds past the set's capacity. */
static void novelty_reruns_frames_and_sittings(void **st)
{
    (void)st;
    struct warden_distill_novelty harness = {0}, harvest = {0}, preamble = {0};
    const int64_t t0 = 1790000000000LL, hour = 3600000LL;
    char item[256], p[512];
    /* run 1: 200 items, plain, in one burst (2 s apart) */
    for (unsigned i = 0; i < 200; i++) {
        payload(item, sizeof item, 1000 + i);
        snprintf(p, sizeof p, "Item %u: %s?", i, item);
        struct warden_event ev = ev_prompt(p);
        ev.ts_ms = t0 + i * 2000;
        warden_distill_novelty_update(&harness, &ev, hour, WARDEN_PAYLOAD_LINES);
    }
    assert_int_equal(harness.sittings, 1);
    /* runs 2 and 3 on later days: the same items, with and without an
     * appended instruction line */
    uint32_t before = harness.repeats;
    for (int run = 1; run < 3; run++)
        for (unsigned i = 0; i < 200; i++) {
            payload(item, sizeof item, 1000 + i);
            snprintf(p, sizeof p, "Item %u: %s?%s", i, item,
                     run == 1 ? "\n\nLet's think step by step." : "");
            struct warden_event ev = ev_prompt(p);
            ev.ts_ms = t0 + run * 86400000LL + i * 2000;
            warden_distill_novelty_update(&harness, &ev, hour, WARDEN_PAYLOAD_LINES);
        }
    assert_int_equal(harness.sittings, 1);
    assert_true(harness.repeats - before > 0);
    assert_true(warden_distill_novelty_repeat_share(&harness) > 0.4);
    /* a harvester: new items under one frame, 20 an hour for 10 hours */
    for (unsigned i = 0; i < 200; i++) {
        payload(item, sizeof item, 5000 + i);
        snprintf(p, sizeof p, "Question: %s #%u\n\nThink step by step.", item, i);
        struct warden_event ev = ev_prompt(p);
        ev.ts_ms = t0 + (int64_t)i * (hour / 20);
        assert_true(warden_distill_novelty_update(&harvest, &ev, hour, WARDEN_PAYLOAD_LINES) ||
                    harvest.level > 0);
    }
    assert_true(harvest.sittings >= 9);
    assert_true(warden_distill_novelty_repeat_share(&harvest) < 0.05);
    /* a fixed multi-line preamble over a new short question is new */
    for (unsigned i = 0; i < 40; i++) {
        snprintf(p, sizeof p,
                 "You are a careful expert.\nAnswer fully.\nCite sources.\nBe precise.\n"
                 "Question %u: why %u?",
                 i, i * 7919u);
        struct warden_event ev = ev_prompt(p);
        ev.ts_ms = t0 + (int64_t)i * hour;
        assert_true(warden_distill_novelty_update(&preamble, &ev, hour, WARDEN_PAYLOAD_LINES));
    }
    assert_int_equal(preamble.sittings, 40);
    /* distinct estimate: 5,000 different prompts, within 35 % */
    struct warden_distill_novelty big = {0};
    for (unsigned i = 0; i < 5000; i++) {
        snprintf(p, sizeof p, "distinct prompt number %u", i);
        struct warden_event ev = ev_prompt(p);
        ev.ts_ms = t0 + i;
        warden_distill_novelty_update(&big, &ev, hour, WARDEN_PAYLOAD_LINES);
    }
    double d = warden_distill_novelty_distinct(&big);
    assert_true(big.level > 0);
    assert_true(d > 5000 * 0.65 && d < 5000 * 1.35);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frame_sketch_ignores_payload),
        cmocka_unit_test(long_prompts_read_at_both_ends),
        cmocka_unit_test(cjk_characters_are_tokens),
        cmocka_unit_test(template_reuse_scores_frames_not_repeats),
        cmocka_unit_test(sweep_breadth_per_volume),
        cmocka_unit_test(matcher_many_languages),
        cmocka_unit_test(matcher_spaces_match_any_white_space),
        cmocka_unit_test(matcher_refuses_uncommented_pattern),
        cmocka_unit_test(elicitation_is_a_share_of_traffic),
        cmocka_unit_test(elicitation_needs_an_answer_back),
        cmocka_unit_test(shape_tells_harvest_from_conversation),
        cmocka_unit_test(shape_infers_single_turn_without_turns),
        cmocka_unit_test(shape_reads_both_usage_conventions),
        cmocka_unit_test(fanout_counts_busy_hours),
        cmocka_unit_test(yield_counts_answers_to_new_input),
        cmocka_unit_test(tail_found_alike_ascii_or_not),
        cmocka_unit_test(text_pass_reused_for_same_text_only),
        cmocka_unit_test(cadence_regular_human_jittered_late),
        cmocka_unit_test(cadence_batches_and_long_sittings),
        cmocka_unit_test(pivot_to_new_model),
        cmocka_unit_test(novelty_reruns_frames_and_sittings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
