/* distill_streams.h — small generated request streams for the distillation
 * tests (unit and runtime): one JSON event line per call, for a few kinds of
 * account. Payloads are random words from small vocabularies (English and
 * Chinese), so no test depends on any corpus or on the simulator's text.
 * Identifiers (account id, user agent, request id) are parameters, so a
 * test can rename them all and check that nothing changes.
 * Include from one file per test program. */
#ifndef WARDEN_TESTS_DISTILL_STREAMS_H
#define WARDEN_TESTS_DISTILL_STREAMS_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum ds_kind {
    DS_HARVESTER,       /* one frame + reasoning request, thinking, single turn, paced */
    DS_PARAPHRASE,      /* as harvester, frame and wording varied per request */
    DS_PERSON,          /* sessions, follow-ups, short answers, daytime */
    DS_PERSON_ZH,       /* the same person writing in Chinese */
    DS_AGENT,           /* coding agent: system prompt, tools, cache, many turns, thinking */
    DS_EVAL_COT,        /* benchmark run with "think step by step", one burst */
    DS_TRANSLATE,       /* translation service: one frame, output ~ input, around the clock */
    DS_SESSION_HARVEST, /* as harvester, in sessions of 6 at people's hours (few clock hours) */
    DS_REASONER,   /* a heavy reasoning-model user: as a person, but thinking on, big budgets and
                      answers as long as a harvest's, every day from 08:00 to 22:00 UTC */
    DS_HARNESS,    /* an agent harness over a task list: 16 sessions at once around the clock,
                      each a new task then the tool loop; tools, cache reads (reported apart from
                      input_tokens), thinking, no wording asking for reasoning */
    DS_AGENT_EVAL, /* an evaluation team re-running one agentic benchmark: the same 150 tasks
                      in a run of under 20 minutes on four days, 32 sessions at once, each
                      run's tool outputs new */
};

struct ds_rng {
    uint64_t s;
};

static inline uint32_t ds_next(struct ds_rng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(r->s >> 33);
}

static inline double ds_unit(struct ds_rng *r)
{
    return ds_next(r) / 2147483648.0;
}

static const char *const ds_en[] = {
    "garden",  "river",   "salmon", "invoice", "python", "recipe",   "engine",  "planet",
    "history", "protein", "castle", "market",  "guitar", "weather",  "network", "library",
    "vaccine", "poem",    "bridge", "salary",  "orbit",  "lecture",  "meadow",  "pixel",
    "tax",     "novel",   "muscle", "theorem", "coffee", "database", "volcano", "contract"};
static const char *const ds_zh[] = {"花园",   "河流",   "预算", "发票", "菜谱", "发动机", "行星",
                                    "历史",   "蛋白质", "城堡", "市场", "吉他", "天气",   "网络",
                                    "图书馆", "疫苗",   "诗歌", "桥梁", "工资", "轨道",   "讲座",
                                    "收获",   "税收",   "小说", "肌肉", "定理", "咖啡",   "数据库"};

/* payload of n random words */
static inline void ds_words(struct ds_rng *r, char *out, size_t cap, int n, int zh)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *w = zh ? ds_zh[ds_next(r) % (sizeof ds_zh / sizeof ds_zh[0])]
                           : ds_en[ds_next(r) % (sizeof ds_en / sizeof ds_en[0])];
        int k = snprintf(out + len, cap - len, zh ? "%s" : (i ? " %s" : "%s"), w);
        if (k < 0 || (size_t)k >= cap - len) break;
        len += (size_t)k;
    }
}

struct ds_stream {
    enum ds_kind kind;
    struct ds_rng r;
    int64_t t;  /* time of the next request, ms */
    int turns;  /* conversation length */
    unsigned i; /* requests so far */
    const char *account, *user_agent;
};

static inline void ds_init(struct ds_stream *s, enum ds_kind kind, uint64_t seed, int64_t start,
                           const char *account, const char *user_agent)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->r.s = seed * 0x9E3779B97F4A7C15ULL + 1;
    s->t = start;
    s->account = account;
    s->user_agent = user_agent;
}

/* (Words that are also evidence keys, like "budget", are left out of the
 * vocabulary so tests can check that no prompt word reaches the evidence.) */

/* Write the next event line into out (JSON) and advance the clock. */
static inline int ds_next_line(struct ds_stream *s, char *out, size_t cap)
{
    struct ds_rng *r = &s->r;
    char payload[512], prompt[1024];
    const char *sys = NULL;
    int turns = 1, thinking = 0, tools = 0, max_tokens = 4096;
    long in_tok = 0, out_tok = 0, cache = 0;
    int64_t gap;
    static const char *const rewordings[] = {
        "Think step by step and show all of your reasoning before the final answer.",
        "Explain your reasoning in detail, then state the final answer.",
        "Show your complete chain of thought, then give the answer.",
        "Before answering, write out your full thought process.",
    };
    static const char *const frames[] = {"Task: ", "Question: ", "Please solve the following.\n\n",
                                         ""};
    switch (s->kind) {
    case DS_HARVESTER:
    case DS_SESSION_HARVEST:
        ds_words(r, payload, sizeof payload, 12 + (int)(ds_next(r) % 20), 0);
        snprintf(prompt, sizeof prompt, "Question: %s?\n\n%s", payload, rewordings[0]);
        thinking = 1;
        max_tokens = 32000;
        in_tok = 60;
        out_tok = 2500 + ds_next(r) % 2000;
        if (s->kind == DS_HARVESTER)
            gap = 60000 + (int64_t)(ds_unit(r) * 6000); /* one a minute, +-5 % */
        else /* sessions of 6, a minute or two apart, then hours */
            gap = s->i % 6 == 5 ? (int64_t)(3 + ds_next(r) % 10) * 3600000
                                : 40000 + ds_next(r) % 90000;
        break;
    case DS_PARAPHRASE:
        ds_words(r, payload, sizeof payload, 12 + (int)(ds_next(r) % 20), 0);
        snprintf(prompt, sizeof prompt, "%s%s?\n\n%s", frames[ds_next(r) % 4], payload,
                 rewordings[ds_next(r) % 4]);
        thinking = ds_next(r) % 2;
        max_tokens = 16000;
        in_tok = 60;
        out_tok = 1500 + ds_next(r) % 2000;
        gap = (int64_t)(ds_unit(r) * 240000) + 1000; /* jittered */
        break;
    case DS_PERSON:
    case DS_PERSON_ZH:
        ds_words(r, payload, sizeof payload, 5 + (int)(ds_next(r) % 12), s->kind == DS_PERSON_ZH);
        snprintf(prompt, sizeof prompt, "%s", payload);
        if (s->i % 6 == 0 || ds_next(r) % 3 == 0)
            s->turns = 1;
        else
            s->turns += 2;
        turns = s->turns;
        thinking = ds_next(r) % 10 == 0;
        max_tokens = thinking ? 16000 : 4096;
        in_tok = 30 + 150 * (turns - 1);
        out_tok = 200 + ds_next(r) % 500;
        cache = turns > 1 ? in_tok / 2 : 0;
        /* sessions of ~6 requests a minute or two apart, then a break of hours */
        gap = s->i % 6 == 5 ? (int64_t)(3 + ds_next(r) % 10) * 3600000 : 40000 + ds_next(r) % 90000;
        break;
    case DS_AGENT:
        sys = "You are a coding assistant. Use the tools to read and edit files; run the tests.";
        ds_words(r, payload, sizeof payload, 6 + (int)(ds_next(r) % 10), 0);
        snprintf(prompt, sizeof prompt, "fix the %s", payload);
        if (s->i % 25 == 0) s->turns = 1;
        s->turns += 2;
        turns = s->turns;
        tools = 12;
        thinking = ds_next(r) % 2;
        max_tokens = thinking ? 32000 : 8192;
        in_tok = 3000 + 1500 * turns;
        cache = in_tok * 8 / 10;
        out_tok = 300 + ds_next(r) % 1500;
        gap =
            s->i % 25 == 24 ? (int64_t)(2 + ds_next(r) % 20) * 3600000 : 4000 + ds_next(r) % 30000;
        break;
    case DS_EVAL_COT:
        ds_words(r, payload, sizeof payload, 15 + (int)(ds_next(r) % 15), 0);
        snprintf(prompt, sizeof prompt, "%s?\n\nLet's think step by step.", payload);
        thinking = 1;
        max_tokens = 16000;
        in_tok = 70;
        out_tok = 1500 + ds_next(r) % 1500;
        gap = 300 + ds_next(r) % 2500; /* one burst */
        break;
    case DS_REASONER: {
        ds_words(r, payload, sizeof payload, 6 + (int)(ds_next(r) % 14), 0);
        snprintf(prompt, sizeof prompt, "%s?", payload);
        if (s->i % 6 == 0 || ds_next(r) % 3 == 0)
            s->turns = 1;
        else
            s->turns += 2;
        turns = s->turns;
        thinking = ds_next(r) % 7 != 0;
        max_tokens = 32000;
        in_tok = 40 + 150 * (turns - 1);
        cache = turns > 1 ? in_tok / 2 : 0;
        out_tok = (thinking ? 2500 : 700) + ds_next(r) % 1500;
        gap = s->i % 6 == 5 ? (int64_t)(1 + ds_next(r) % 4) * 3600000 : 40000 + ds_next(r) % 90000;
        int64_t next = s->t + gap, hour = next / 3600000 % 24;
        if (hour >= 22 || hour < 8) /* the night: the next session from 08:00 */
            next += ((8 - hour + 24) % 24) * 3600000 + (int64_t)(ds_next(r) % 7200000);
        gap = next - s->t;
        break;
    }
    case DS_HARNESS:
    case DS_AGENT_EVAL: {
        sys = "You are an autonomous agent in a sandbox. Use the tools until the task is done.";
        bool eval = s->kind == DS_AGENT_EVAL;
        unsigned within = s->i % 900, task = within / 6; /* eval: a run, 150 sessions of 6 */
        if (eval ? within % 6 == 0 : s->i % 6 == 0) {
            /* a new session: the next task (the benchmark's, the same in every run) */
            struct ds_rng tr = {.s = 0x5eedULL + task * 0x9E3779B97F4A7C15ULL};
            struct ds_rng *tq = eval ? &tr : r;
            ds_words(tq, payload, sizeof payload, 10 + (int)(ds_next(tq) % 20), 0);
            snprintf(prompt, sizeof prompt, "%s", payload);
            s->turns = 1;
        } else { /* a tool's output in one of the sessions under way (new in every run) */
            ds_words(r, payload, sizeof payload, 8 + (int)(ds_next(r) % 30), 0);
            snprintf(prompt, sizeof prompt, "exit status %u\n%s", ds_next(r) % 3, payload);
            s->turns = eval ? 1 + 2 * (int)(within % 6) : 3 + 2 * (int)(ds_next(r) % 8);
        }
        turns = s->turns;
        tools = 8;
        thinking = 1;
        max_tokens = 32000;
        in_tok = 400 + ds_next(r) % 2500;
        cache = turns > 1 ? 4000 + 1500L * turns : 0;
        out_tok = 1200 + ds_next(r) % 3000;
        if (!eval) {
            gap = 3000 + ds_next(r) % 4000; /* 16 lanes: a request every 3-7 s */
        } else {
            gap = 800 + ds_next(r) % 800;       /* 32 lanes */
            if (within == 899) gap += 86400000; /* the next run the next day */
        }
        break;
    }
    default: /* DS_TRANSLATE */
        ds_words(r, payload, sizeof payload, 20 + (int)(ds_next(r) % 40), 0);
        snprintf(prompt, sizeof prompt, "Translate the following text into German:\n\n%s", payload);
        max_tokens = 4096;
        in_tok = 80 + (long)strlen(payload) / 4;
        out_tok = in_tok;
        gap = 30000 + (int64_t)(ds_unit(r) * 3000);
        break;
    }
    s->i++;
    int64_t ts = s->t;
    s->t += gap;
    /* JSON: payloads have no characters that need escaping except newlines */
    char esc[2048];
    size_t k = 0;
    for (const char *p = prompt; *p && k + 3 < sizeof esc; p++) {
        if (*p == '\n') {
            esc[k++] = '\\';
            esc[k++] = 'n';
        } else {
            esc[k++] = *p;
        }
    }
    esc[k] = '\0';
    return snprintf(out, cap,
                    "{\"ts\":%lld,\"account_id\":\"%s\",\"ip\":\"81.2.69.%u\",\"request_id\":"
                    "\"r-%s-%u\",\"user_agent\":\"%s\",\"model\":\"m-large\",%s%s%s\"prompt\":"
                    "\"%s\",\"turns\":%d,\"thinking\":%s,\"max_tokens\":%d,\"tools\":%d,"
                    "\"input_tokens\":%ld,\"output_tokens\":%ld,\"cache_read_tokens\":%ld}",
                    (long long)ts, s->account, 1 + (unsigned)(s->r.s >> 60), s->account, s->i,
                    s->user_agent, sys ? "\"system\":\"" : "", sys ? sys : "", sys ? "\"," : "",
                    esc, turns, thinking ? "true" : "false", max_tokens, tools, in_tok, out_tok,
                    cache);
}

#endif
