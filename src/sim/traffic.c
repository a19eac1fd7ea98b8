/* traffic.c — one account's requests: when (time zone, diurnal cycle,
 * sessions, machine cadence, bursts, benchmark runs), from where (its
 * population's networks), what (prompts from the real corpora, harvesting
 * wrappers for attackers) and with which request shape (turns, thinking,
 * max_tokens, usage, status).
 *
 * Each account draws from its own random stream, so its events depend only
 * on the seed and the account's position in the scenario. */
#include "core/xalloc.h"
#include "sim/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL

/* Reasoning-trace elicitation as distillers append it (scenario data). */
static const char *const elicit[] = {
    "\n\nThink step by step and show all of your reasoning before the final answer.",
    "\n\nExplain your reasoning in detail, then state the final answer.",
    "\n\nShow your complete chain of thought, then give the answer on the last line.",
    "\n\nWalk through the problem carefully, step by step, before answering.",
    "\n\nReason it through thoroughly first. Put the final answer after \"Answer:\".",
    "\n\nGive a detailed, well-structured solution with every intermediate step.",
    "\n\nBefore answering, write out your full thought process.",
    "\n\nLet's think step by step.",
    "\n\nFirst reason privately in detail, then present a clean final solution.",
    "\n\nPlease be thorough: derive the answer step by step and double-check it.",
};
#define NELICIT (sizeof elicit / sizeof elicit[0])
static const char *const prefixes[] = {
    "Task: ",
    "Question: ",
    "Q: ",
    "Problem:\n",
    "Please solve the following.\n\n",
    "Instruction: ",
    "Here is a task for you.\n",
    "Consider this carefully.\n\n",
    "Help me with this:\n",
    "I need an expert answer.\n\n",
};
#define NPREFIX (sizeof prefixes / sizeof prefixes[0])

/* Relative activity per local hour for people, and for office hours. */
static const double diurnal[24] = {0.35, 0.2, 0.12, 0.08, 0.08, 0.15, 0.4, 0.9, 1.5, 1.9, 2.1, 2.1,
                                   1.9,  2.0, 2.1,  2.0,  1.9,  1.7,  1.6, 1.7, 1.8, 1.6, 1.2, 0.7};
static const double office[24] = {0,   0,   0, 0, 0,   0,   0,   0.2, 1.2, 2, 2, 1.8,
                                  1.2, 1.6, 2, 2, 1.8, 1.2, 0.5, 0.2, 0.1, 0, 0, 0};

enum timing { T_HUMAN, T_OFFICE, T_MACHINE, T_ROUND_CLOCK, T_BENCH, T_BURSTS, T_POISSON, T_AGENT };
enum prompts {
    PR_ORGANIC,
    PR_ZH,
    PR_HARVEST,
    PR_COVER,
    PR_TEMPLATE,
    PR_BENCH,
    PR_RESELLER,
    PR_CIRC
};
enum ipmode { IP_HOME, IP_SESSION_POOL, IP_CLUSTER, IP_RESPROXY, IP_LEAKY, IP_APP, IP_NAT };

struct gen {
    struct sim_world *w;
    struct sim_acct *a;
    uint32_t ai;
    struct warden_rng r;
    enum timing timing;
    enum prompts prompts;
    enum ipmode ipmode;
    double p_thinking, leak;
    int max_tokens;
    uint8_t model_pref;
    int offset_min; /* local time of the activity */
    /* state */
    uint32_t seq;
    uint32_t harvest_k;
    struct warden_ip cur_ip;
    int turns;
    uint32_t n_end_users;
    const struct warden_netpool *leak_pool;
    struct warden_ip app_ips[6]; /* an app's servers: a few addresses of its networks */
    int napp_ips;
    /* agent sessions: position in the session (1 = the task, then the tool
     * loop; 0 = not an agent session), the task, thinking for the session */
    int agent_turn;
    const char *agent_task;
    bool agent_think;
    size_t task_pos; /* the next task of the account's list */
};

static void push(struct sim_world *w, const struct sim_event *e)
{
    if (w->nev == w->capev) {
        w->capev = w->capev ? w->capev * 2 : 65536;
        w->ev = warden_xrealloc(w->ev, w->capev * sizeof *w->ev);
    }
    w->ev[w->nev++] = *e;
}

static const struct warden_corpus_text *any_text(struct gen *g, enum warden_corpus_kind k)
{
    size_t n = g->w->corpus.n[k];
    if (!n) return NULL;
    return &g->w->corpus.items[k][warden_rng_below(&g->r, (uint32_t)n)];
}

static const char *organic(struct gen *g)
{
    return any_text(g, WARDEN_CORPUS_ORGANIC)->text;
}

static const char *harvest_item(struct gen *g)
{
    struct sim_acct *a = g->a;
    if (a->cluster < 0) return organic(g);
    const struct sim_cluster *c = &g->w->clusters[a->cluster];
    size_t n = g->w->corpus.n[c->slice_kind];
    size_t span = c->slice_hi - c->slice_lo;
    size_t member = (size_t)(g->ai - (uint32_t)c->first_acct);
    /* the cluster partitions its slice among its accounts */
    size_t pos = c->slice_lo + (member + (size_t)g->harvest_k * (size_t)c->nacct) % span;
    g->harvest_k++;
    return g->w->corpus.items[c->slice_kind][pos % n].text;
}

/* What a gateway logs as the newest user turn of a tool loop: the tool's
 * output (code, a file, a command's result). */
static const char *tool_output(struct gen *g)
{
    const struct warden_corpus_text *t = any_text(g, WARDEN_CORPUS_MACHINE);
    return t ? t->text : organic(g);
}

static void fill_prompt(struct gen *g, struct sim_event *e, int64_t ts, bool *harvest)
{
    struct sim_world *w = g->w;
    struct sim_acct *a = g->a;
    *harvest = false;
    e->prefix = e->suffix = NULL;
    e->system = a->system;
    switch (g->prompts) {
    case PR_ORGANIC:
        e->prompt = organic(g);
        break;
    case PR_ZH:
        e->prompt = warden_rng_chance(&g->r, 0.8) && w->corpus.n[WARDEN_CORPUS_ORGANIC_ZH]
                        ? any_text(g, WARDEN_CORPUS_ORGANIC_ZH)->text
                        : organic(g);
        break;
    case PR_CIRC:
        e->prompt = warden_rng_chance(&g->r, 0.15) && w->corpus.n[WARDEN_CORPUS_MACHINE]
                        ? any_text(g, WARDEN_CORPUS_MACHINE)->text
                        : organic(g);
        break;
    case PR_RESELLER: {
        double u = warden_rng_unit(&g->r);
        const struct warden_corpus_text *t = NULL;
        if (u < 0.12)
            t = any_text(g, WARDEN_CORPUS_TASKSET);
        else if (u < 0.22)
            t = any_text(g, WARDEN_CORPUS_MACHINE);
        e->prompt = t ? t->text : organic(g);
        break;
    }
    case PR_TEMPLATE: {
        const struct warden_corpus_text *t =
            warden_rng_chance(&g->r, 0.5) ? any_text(g, WARDEN_CORPUS_TASKSET) : NULL;
        e->prompt = t ? t->text : organic(g);
        e->prefix = a->template_text;
        break;
    }
    case PR_BENCH:
        break; /* set by the bench loop */
    case PR_COVER:
        if (warden_rng_chance(&g->r, 0.45)) {
            e->prompt = organic(g);
            break;
        }
        /* fall through */
    case PR_HARVEST: {
        if (a->pop == POP_MODEL_PIVOT && ts < w->release_ms) {
            e->prompt = organic(g);
            break;
        }
        *harvest = true;
        e->prompt = harvest_item(g);
        const struct sim_cluster *c = a->cluster >= 0 ? &w->clusters[a->cluster] : NULL;
        if (a->pop == POP_PARAPHRASE) {
            e->prefix =
                warden_rng_chance(&g->r, 0.7) ? prefixes[warden_rng_below(&g->r, NPREFIX)] : NULL;
            e->suffix =
                warden_rng_chance(&g->r, 0.8) ? elicit[warden_rng_below(&g->r, NELICIT)] : NULL;
        } else if (c) {
            unsigned wi = c->wrapper;
            if (wi % 4 != 0 || warden_rng_chance(&g->r, 0.1))
                e->suffix = elicit[(wi / 4 + (warden_rng_chance(&g->r, 0.1) ? 1 : 0)) % NELICIT];
            if (wi % 3 == 0) e->prefix = prefixes[(wi / 3) % NPREFIX];
        }
        break;
    }
    }
}

static uint8_t pick_model(struct gen *g, int64_t ts, bool harvest)
{
    struct sim_world *w = g->w;
    if (ts >= w->release_ms) {
        if (g->a->pop == POP_MODEL_PIVOT && harvest) return 3;
        double days = (double)(ts - w->release_ms) / (double)DAY_MS;
        double p = harvest ? 0.5 : 0.12 + 0.05 * days;
        if (p > 0.6) p = 0.6;
        if (warden_rng_chance(&g->r, p)) return 3;
    }
    if (warden_rng_chance(&g->r, 0.1)) return (uint8_t)warden_rng_below(&g->r, 3);
    return g->model_pref;
}

static void pick_ip(struct gen *g, struct sim_event *e, bool new_session)
{
    struct sim_world *w = g->w;
    struct sim_acct *a = g->a;
    switch (g->ipmode) {
    case IP_HOME:
        if (new_session && a->pool && warden_rng_chance(&g->r, 0.06)) /* DHCP renewal */
            warden_netpool_draw_in(a->pool, a->home_net, &g->r, &g->cur_ip);
        e->ip = g->cur_ip;
        /* on the phone, elsewhere (an agent session runs on its machine) */
        if (a->pool && g->agent_turn == 0 && warden_rng_chance(&g->r, 0.02))
            warden_netpool_draw(a->pool, &g->r, &e->ip, NULL);
        break;
    case IP_APP:
        e->ip = g->app_ips[warden_rng_below(&g->r, (uint32_t)g->napp_ips)];
        break;
    case IP_SESSION_POOL:
        if (new_session && a->pool) warden_netpool_draw(a->pool, &g->r, &g->cur_ip, NULL);
        e->ip = g->cur_ip;
        break;
    case IP_CLUSTER: {
        const struct sim_cluster *c = &w->clusters[a->cluster];
        e->ip = warden_rng_chance(&g->r, 0.7) ? a->home_ip
                                              : c->ips[warden_rng_below(&g->r, (uint32_t)c->nips)];
        break;
    }
    case IP_RESPROXY: {
        const struct warden_country *c = w->allowed[warden_rng_below(&g->r, (uint32_t)w->nallowed)];
        char name[16];
        snprintf(name, sizeof name, "res:%s", c->cc);
        const struct warden_netpool *p = warden_netpools_get(&w->nets, name);
        if (p)
            warden_netpool_draw(p, &g->r, &e->ip, NULL);
        else
            e->ip = a->home_ip;
        break;
    }
    case IP_NAT: /* carrier-grade NAT: a new public address of the pool per session */
        if (new_session) warden_sim_nat_session(&g->r, a, &g->cur_ip);
        e->ip = g->cur_ip;
        break;
    case IP_LEAKY:
        if (new_session && a->pool && (a->pop == POP_CIRC_VPN || a->pop == POP_CIRC_STAFF))
            warden_netpool_draw(a->pool, &g->r, &g->cur_ip, NULL);
        e->ip = g->cur_ip;
        if (g->leak_pool && warden_rng_chance(&g->r, g->leak))
            warden_netpool_draw(g->leak_pool, &g->r, &e->ip, NULL);
        break;
    }
}

static void lookalike_prompt(struct gen *g, struct sim_event *e, bool harvest);
static void lookalike_shape(struct gen *g, struct sim_event *e, bool harvest);
static void lookalike_usage(struct gen *g, struct sim_event *e);

static void emit(struct gen *g, int64_t ts, bool new_session, const char *bench_prompt,
                 bool bench_thinking, uint8_t bench_model)
{
    struct sim_acct *a = g->a;
    if (ts < a->active_from || ts >= a->active_to) return;
    struct sim_event e;
    memset(&e, 0, sizeof e);
    e.ts_ms = ts;
    e.acct = g->ai;
    e.seq = g->seq++;
    bool harvest = false;
    if (g->agent_turn) { /* the task, then tool results */
        e.prompt = g->agent_turn == 1 ? g->agent_task : tool_output(g);
        e.system = a->system;
    } else if (bench_prompt) {
        e.prompt = bench_prompt;
        e.system = NULL;
    } else {
        fill_prompt(g, &e, ts, &harvest);
    }
    if (warden_sim_is_lookalike(a->pop)) lookalike_prompt(g, &e, harvest);
    pick_ip(g, &e, new_session);
    e.rid = warden_rng_next(&g->r);
    e.client = (uint8_t)(warden_rng_chance(&g->r, 0.9) ? a->client : a->client2);
    /* keys rotate: the newer key takes over in the second half */
    e.key = 0;
    if (a->nkeys > 1) {
        int64_t mid = a->active_from + (a->active_to - a->active_from) / 2;
        e.key = (uint8_t)(ts >= mid ? 1 : 0);
        if (a->nkeys > 2 && warden_rng_chance(&g->r, 0.3)) e.key = 2;
    }
    e.model = bench_prompt ? bench_model : pick_model(g, ts, harvest);
    /* conversation */
    if (g->agent_turn) {
        g->turns = 2 * g->agent_turn - 1;
        if (g->turns > 255) g->turns = 255;
    } else if (g->timing == T_HUMAN || g->timing == T_OFFICE) {
        if (new_session || g->turns == 0 || warden_rng_chance(&g->r, 0.3))
            g->turns = 1;
        else
            g->turns += 2;
        if (g->turns > 41) g->turns = 1;
    } else if (a->pop == POP_DEVAPP || a->pop == POP_RESELLER) {
        g->turns = warden_rng_chance(&g->r, 0.6) ? 1 : 1 + 2 * (int)warden_rng_below(&g->r, 6);
    } else if (harvest &&
               (a->pop == POP_PARAPHRASE || a->pop == POP_RESIDENTIAL_PROXY ||
                a->pop == POP_PER_ACCOUNT_PROXY) &&
               warden_rng_chance(&g->r, 0.25)) {
        g->turns = 1 + 2 * (int)(1 + warden_rng_below(&g->r, 2)); /* staged conversations */
    } else {
        g->turns = 1;
    }
    e.turns = (uint8_t)g->turns;
    e.thinking = (uint8_t)(bench_prompt ? bench_thinking
                                        : warden_rng_chance(&g->r, harvest ? g->p_thinking
                                                                           : g->p_thinking * 0.3));
    e.max_tokens = g->max_tokens;
    if (warden_rng_chance(&g->r, 0.05)) e.max_tokens = 1024 << warden_rng_below(&g->r, 4);
    if (e.thinking && e.max_tokens < 4096) e.max_tokens = 16000;
    if (warden_sim_is_lookalike(a->pop)) lookalike_shape(g, &e, harvest);
    size_t plen =
        strlen(e.prompt) + (e.prefix ? strlen(e.prefix) : 0) + (e.suffix ? strlen(e.suffix) : 0);
    size_t slen = e.system ? strlen(e.system) : 0;
    e.in_tok = (int32_t)((plen + slen) / 4 + 8 +
                         (size_t)(e.turns - 1) * (120 + warden_rng_below(&g->r, 400)));
    e.cache_tok = 0;
    if (e.turns > 1 || (e.system && warden_rng_chance(&g->r, 0.5)))
        e.cache_tok = (int32_t)((double)e.in_tok * (0.4 + 0.5 * warden_rng_unit(&g->r)));
    double out;
    if (a->pop == POP_BATCH)
        out = warden_rng_lognormal(&g->r, 140, 0.5);
    else if (harvest)
        out = warden_rng_lognormal(&g->r, 900, 0.5);
    else
        out = warden_rng_lognormal(&g->r, 380, 0.8);
    if (e.thinking) out += warden_rng_lognormal(&g->r, harvest ? 2600 : 1400, 0.6);
    if (out > e.max_tokens) out = e.max_tokens;
    e.out_tok = (int32_t)out + 1;
    e.status = 200 - 200; /* index: 0 = 200 */
    double u = warden_rng_unit(&g->r);
    if (u < (g->timing == T_MACHINE || g->timing == T_ROUND_CLOCK ? 0.02 : 0.004))
        e.status = 1; /* 429 */
    else if (u < 0.026)
        e.status = 2; /* 529 */
    else if (u < 0.028)
        e.status = 3; /* 400 */
    if (a->pop == POP_DEVAPP && warden_rng_chance(&g->r, 0.35))
        e.tools = (uint8_t)(1 + warden_rng_below(&g->r, 8));
    if (a->behind) {
        e.end_user = 0x40000000u | (g->ai & 0x3fffffffu); /* apart from the platform's users */
    } else if (g->n_end_users) {
        /* heavy users come back: a skewed draw over the app's users */
        double x = warden_rng_unit(&g->r);
        e.end_user = 1 + (uint32_t)((double)g->n_end_users * x * x * x);
    } else if ((a->pop == POP_RESIDENTIAL_PROXY || a->pop == POP_PARAPHRASE) &&
               warden_rng_chance(&g->r, 0.3)) {
        e.end_user = 1 + (uint32_t)warden_rng_below(&g->r, 1u << 30);
    }
    if (warden_sim_is_lookalike(a->pop)) lookalike_usage(g, &e);
    push(g->w, &e);
}

static int64_t day_start(const struct sim_world *w, int d)
{
    return w->start_ms + (int64_t)d * DAY_MS;
}

/* ---- distillation look-alikes and held-out evasions (scenario `lookalike`) ---- */

/* Reworded frames and elicitation phrasings: not the wrappers above, and
 * written without looking at Warden's elicitation patterns (held out). */
static const char *const reworded_prefix[] = {
    "Consider the following problem.\n\n",
    "Here's something I'd like you to work on:\n",
    "Your assignment:\n",
    "Examine this prompt closely.\n\n",
    "Respond to the item below.\n\n",
};
static const char *const reworded_suffix[] = {
    "\n\nLay out each deduction that leads you to the conclusion, then state the conclusion.",
    "\n\nGo through it one stage at a time and only then give your result.",
    "\n\nBefore you respond, work from first principles and write every inference down.",
    "\n\nNarrate how you get there in full, then give the result on its own line.",
    "\n\nI want the full derivation, not just the result.",
    "\n\nList each sub-problem, solve them in order, then combine.",
};
#define NRWP (sizeof reworded_prefix / sizeof reworded_prefix[0])
#define NRWS (sizeof reworded_suffix / sizeof reworded_suffix[0])

/* After the prompt is chosen: frames. */
static void lookalike_prompt(struct gen *g, struct sim_event *e, bool harvest)
{
    struct sim_acct *a = g->a;
    switch (a->pop) {
    case POP_TRANSLATION:
        e->prefix = a->template_text;
        if (g->w->corpus.n[WARDEN_CORPUS_ORGANIC_ZH] && warden_rng_chance(&g->r, 0.2))
            e->prompt = any_text(g, WARDEN_CORPUS_ORGANIC_ZH)->text;
        break;
    case POP_EVAL_COT:
        e->suffix = warden_rng_chance(&g->r, 0.5) ? "\n\nLet's think step by step."
                                                  : "\n\nThink step by step, then give the final "
                                                    "answer after \"Answer:\".";
        break;
    case POP_AGENTIC:
        e->prefix = e->suffix = NULL; /* no elicitation wording at all */
        break;
    case POP_REWORDED:
        if (harvest) {
            e->prefix = warden_rng_chance(&g->r, 0.6)
                            ? reworded_prefix[warden_rng_below(&g->r, NRWP)]
                            : NULL;
            e->suffix = warden_rng_chance(&g->r, 0.8)
                            ? reworded_suffix[warden_rng_below(&g->r, NRWS)]
                            : NULL;
        }
        break;
    default:
        break;
    }
}

/* After the conversation shape is set: turns, tools, budgets, thinking. */
static void lookalike_shape(struct gen *g, struct sim_event *e, bool harvest)
{
    struct sim_acct *a = g->a;
    switch (a->pop) {
    case POP_CODING_AGENT:
        /* an agent loop: the conversation grows within a session */
        e->turns = (uint8_t)(g->turns > 60 ? 60 : g->turns * 2 + 1);
        e->tools = (uint8_t)(8 + warden_rng_below(&g->r, 24));
        e->thinking = (uint8_t)warden_rng_chance(&g->r, 0.5);
        e->max_tokens = e->thinking ? 32000 : 8192;
        break;
    case POP_SAAS_APP:
        e->turns =
            (uint8_t)(warden_rng_chance(&g->r, 0.5) ? 1 : 1 + 2 * warden_rng_below(&g->r, 5));
        e->max_tokens = 4096;
        e->thinking = 0;
        break;
    case POP_TRANSLATION:
        e->turns = 1;
        e->thinking = 0;
        e->max_tokens = 4096 << warden_rng_below(&g->r, 2);
        break;
    case POP_REASONING_USER: /* thinking nearly always, with big budgets */
        e->thinking = (uint8_t)warden_rng_chance(&g->r, 0.85);
        e->max_tokens = e->thinking ? 32000 : 16000;
        break;
    case POP_AGENT_DEVELOPER:
    case POP_AGENT_EVAL:
    case POP_AGENT_HARNESS: /* the same request shape for all three */
        e->tools = a->agent_tools;
        e->thinking = g->agent_think;
        e->max_tokens = e->thinking ? 32000 : 8192;
        break;
    case POP_AGENTIC:
        if (harvest) {
            e->turns = (uint8_t)(3 + 2 * warden_rng_below(&g->r, 3));
            e->tools = (uint8_t)(3 + warden_rng_below(&g->r, 10));
            e->thinking = (uint8_t)warden_rng_chance(&g->r, 0.5);
        }
        break;
    default:
        break;
    }
}

/* Before the event is stored: usage. */
static void lookalike_usage(struct gen *g, struct sim_event *e)
{
    struct sim_acct *a = g->a;
    if (a->pop == POP_CODING_AGENT) {
        e->in_tok += (int32_t)(1500 * e->turns + warden_rng_below(&g->r, 4000)); /* file reads */
        e->cache_tok = (int32_t)((double)e->in_tok * (0.7 + 0.25 * warden_rng_unit(&g->r)));
        e->out_tok = (int32_t)warden_rng_lognormal(&g->r, e->thinking ? 1800 : 500, 0.7) + 1;
    } else if (a->pop == POP_TRANSLATION) {
        e->out_tok = (int32_t)((double)e->in_tok * (0.9 + 0.4 * warden_rng_unit(&g->r))) + 1;
    } else if (a->pop == POP_SAAS_APP && e->system) {
        e->cache_tok = (int32_t)(strlen(e->system) / 4);
    } else if (a->pop == POP_AGENT_DEVELOPER || a->pop == POP_AGENT_EVAL ||
               a->pop == POP_AGENT_HARNESS) {
        /* the scaffold and tool schemas, then the loop's history, mostly cached;
         * tool calls are short, the last answer of a loop longer */
        int32_t fixed = (int32_t)(a->system ? strlen(a->system) / 4 : 0) + 220 * e->tools;
        e->in_tok = fixed + (int32_t)(strlen(e->prompt) / 4) + 8 +
                    (int32_t)((e->turns - 1) * (400 + warden_rng_below(&g->r, 1600)));
        if (e->in_tok > 160000) /* the scaffold compacts the history */
            e->in_tok = 120000 + (int32_t)warden_rng_below(&g->r, 40000);
        e->cache_tok = e->turns > 1
                           ? (int32_t)((double)e->in_tok * (0.75 + 0.2 * warden_rng_unit(&g->r)))
                           : (warden_rng_chance(&g->r, 0.7) ? fixed : 0);
        double out = warden_rng_chance(&g->r, 0.8) ? warden_rng_lognormal(&g->r, 180, 0.7)
                                                   : warden_rng_lognormal(&g->r, 700, 0.7);
        if (e->thinking) out += warden_rng_lognormal(&g->r, 900, 0.8);
        e->out_tok = (int32_t)out + 1;
    } else if (a->pop == POP_AGENTIC && e->turns > 1) {
        e->cache_tok = (int32_t)((double)e->in_tok * 0.6);
    } else if (a->pop == POP_REASONING_USER) { /* answers as long as a harvest's */
        double out = warden_rng_lognormal(&g->r, 900, 0.5);
        if (e->thinking) out += warden_rng_lognormal(&g->r, 2600, 0.6);
        e->out_tok = (int32_t)out + 1;
    }
    if (e->out_tok > e->max_tokens) e->out_tok = e->max_tokens;
}

/* Harvesting around the clock with exponential gaps (no regular pacing). */
static void run_poisson(struct gen *g)
{
    struct sim_world *w = g->w;
    double mean_gap = (double)DAY_MS / (g->a->rate > 0.1 ? g->a->rate : 0.1);
    int64_t t = w->start_ms + (int64_t)warden_rng_exp(&g->r, mean_gap);
    while (t < w->end_ms) {
        emit(g, t, false, NULL, false, 0);
        t += (int64_t)warden_rng_exp(&g->r, mean_gap) + 1;
    }
}

/* People: sessions started at diurnal local hours, a few requests each; a
 * person's day runs on their own clock (chrono_min), work on the office's. */
static void run_human(struct gen *g, const double *hours, double per_session)
{
    struct sim_world *w = g->w;
    for (int d = 0; d < w->days; d++) {
        int64_t ds = day_start(w, d);
        int wd = (int)(((ds / DAY_MS) + 4) % 7); /* 0 = Sunday */
        double rate = g->a->rate;
        if (hours == office && (wd == 0 || wd == 6)) rate *= 0.05;
        if (hours == diurnal && (wd == 0 || wd == 6)) rate *= 1.15;
        uint32_t sessions = warden_rng_poisson(&g->r, rate / per_session);
        int64_t starts[64];
        uint32_t ns = sessions < 64 ? sessions : 64;
        for (uint32_t s = 0; s < ns; s++) {
            int h = (int)warden_rng_weighted(&g->r, hours, 24);
            starts[s] = ds + (int64_t)h * HOUR_MS - (int64_t)g->offset_min * 60000 +
                        (int64_t)warden_rng_below(&g->r, (uint32_t)HOUR_MS);
            if (hours == diurnal) starts[s] += (int64_t)g->a->chrono_min * 60000;
        }
        /* sessions in time order, so turns and IP changes follow the clock */
        for (uint32_t i = 1; i < ns; i++)
            for (uint32_t k = i; k > 0 && starts[k - 1] > starts[k]; k--) {
                int64_t t = starts[k];
                starts[k] = starts[k - 1];
                starts[k - 1] = t;
            }
        for (uint32_t s = 0; s < ns; s++) {
            uint32_t n = 1 + warden_rng_poisson(&g->r, per_session - 1);
            int64_t t = starts[s];
            for (uint32_t k = 0; k < n; k++) {
                emit(g, t, k == 0, NULL, false, 0);
                t += (int64_t)(warden_rng_lognormal(&g->r, 55, 0.9) * 1000) + 2000;
            }
        }
    }
}

/* Machines: evenly spaced requests with jitter inside a daily window. */
static void run_machine(struct gen *g, int win_start_h, int win_len_h, double pause_p)
{
    struct sim_world *w = g->w;
    for (int d = 0; d < w->days; d++) {
        if (warden_rng_chance(&g->r, pause_p)) continue;
        int64_t ws = day_start(w, d) + (int64_t)win_start_h * HOUR_MS -
                     (int64_t)g->offset_min * 60000 + (int64_t)warden_rng_below(&g->r, 600000);
        int64_t len = (int64_t)win_len_h * HOUR_MS;
        uint32_t n = warden_rng_poisson(&g->r, g->a->rate);
        if (n == 0) continue;
        double step = (double)len / n;
        for (uint32_t k = 0; k < n; k++) {
            double jitter = (warden_rng_unit(&g->r) - 0.5) * step * 0.3;
            emit(g, ws + (int64_t)(step * k + jitter), k == 0, NULL, false, 0);
        }
    }
}

/* Scripted jobs: a few bursts a day of back-to-back requests (a worker pool
 * draining a queue), silence in between. */
static void run_bursts(struct gen *g)
{
    struct sim_world *w = g->w;
    for (int d = 0; d < w->days; d++) {
        uint32_t total = warden_rng_poisson(&g->r, g->a->rate);
        if (total == 0) continue;
        uint32_t nb = 1 + warden_rng_below(&g->r, 4);
        for (uint32_t b = 0; b < nb; b++) {
            int64_t t = day_start(w, d) + (int64_t)warden_rng_below(&g->r, (uint32_t)DAY_MS);
            uint32_t n = total / nb + (b == 0 ? total % nb : 0);
            double gap = 400 + warden_rng_unit(&g->r) * 2600; /* ms, per worker pool */
            for (uint32_t k = 0; k < n; k++) {
                emit(g, t, k == 0, NULL, false, 0);
                t += (int64_t)warden_rng_exp(&g->r, gap) + 50;
            }
        }
    }
}

/* Evaluation harness: the same benchmark items in the same order, a few runs. */
static void run_bench(struct gen *g)
{
    struct sim_world *w = g->w;
    enum warden_corpus_kind k = WARDEN_CORPUS_TASKSET;
    size_t lo = 0;
    if (!w->corpus.n[k] || warden_rng_chance(&g->r, 0.4)) {
        k = WARDEN_CORPUS_ORGANIC;
        /* arena-hard when loaded: a real benchmark */
        for (size_t i = 0; i < w->corpus.n[k]; i++)
            if (strcmp(w->corpus.sources[w->corpus.items[k][i].source], "arena_hard") == 0) {
                lo = i;
                break;
            }
    }
    size_t n = w->corpus.n[k] - lo;
    size_t items = 150 + warden_rng_below(&g->r, 350);
    if (items > n) items = n;
    items = (size_t)((double)items * w->sc->rate_scale);
    if (items < 20) items = n < 20 ? n : 20;
    uint32_t runs = 2 + warden_rng_below(&g->r, 4);
    for (uint32_t run = 0; run < runs; run++) {
        int64_t t = w->start_ms + (int64_t)warden_rng_below(&g->r, (uint32_t)(w->days)) * DAY_MS +
                    (int64_t)warden_rng_below(&g->r, (uint32_t)DAY_MS);
        bool think = warden_rng_chance(&g->r, 0.4);
        uint8_t model = (uint8_t)warden_rng_below(&g->r, t >= w->release_ms ? 4 : 3);
        for (size_t i = 0; i < items; i++) {
            emit(g, t, i == 0, w->corpus.items[k][lo + i].text, think, model);
            t += 300 + (int64_t)warden_rng_below(&g->r, 2500);
        }
    }
}

/* ---- agent sessions (scenario `agents`) ---- */

/* One session from time t: the task (turns = 1, tools declared), then `loop`
 * tool-loop requests at the pace of the model and the tools, and of a person
 * approving or correcting a step now and then (human_p per step). Returns
 * the time of its last request. */
static int64_t agent_session(struct gen *g, int64_t t, const char *task, int loop, double human_p)
{
    g->agent_task = task;
    g->agent_think = warden_rng_chance(&g->r, g->a->think_p);
    for (int k = 0; k <= loop; k++) {
        if (k) {
            double sec = warden_rng_lognormal(&g->r, 14, 0.6) + warden_rng_lognormal(&g->r, 3, 1.0);
            if (human_p > 0 && warden_rng_chance(&g->r, human_p))
                sec += warden_rng_lognormal(&g->r, 70, 0.9);
            t += (int64_t)(sec * 1000) + 500;
        }
        g->agent_turn = k + 1;
        emit(g, t, k == 0, NULL, false, 0);
    }
    g->agent_turn = 0;
    return t;
}

/* The account's next task: its list, from where it started, each task once. */
static const char *next_task(struct gen *g, enum warden_corpus_kind k)
{
    size_t n = g->w->corpus.n[k];
    if (!n) return organic(g);
    if (g->task_pos == 0) g->task_pos = 1 + warden_rng_below(&g->r, (uint32_t)n);
    return g->w->corpus.items[k][g->task_pos++ % n].text;
}

static enum warden_corpus_kind task_list(struct gen *g)
{
    const struct sim_world *w = g->w;
    if (!w->corpus.n[WARDEN_CORPUS_TASKSET]) return WARDEN_CORPUS_MACHINE;
    if (!w->corpus.n[WARDEN_CORPUS_MACHINE]) return WARDEN_CORPUS_TASKSET;
    return warden_rng_chance(&g->r, 0.5) ? WARDEN_CORPUS_MACHINE : WARDEN_CORPUS_TASKSET;
}

static int clampi(double v, int lo, int hi)
{
    int n = (int)lround(v);
    return n < lo ? lo : n > hi ? hi : n;
}

/* Tool-loop steps of a session: lognormal around median, 1..max. */
static int agent_steps(struct gen *g, double median, int max)
{
    return clampi(warden_rng_lognormal(&g->r, median, 0.7), 1, max);
}

/* A harness over a task list: runs of hours on a few days, at any hour, many
 * sessions at once, each on the next task of the list. */
static void run_agent_harness(struct gen *g)
{
    struct sim_world *w = g->w;
    enum warden_corpus_kind k = task_list(g);
    uint32_t runs = 2 + warden_rng_below(&g->r, 5);
    for (uint32_t run = 0; run < runs; run++) {
        int64_t start = day_start(w, (int)warden_rng_below(&g->r, (uint32_t)w->days)) +
                        (int64_t)warden_rng_below(&g->r, (uint32_t)DAY_MS);
        double hours = warden_rng_lognormal(&g->r, 1.8, 0.6);
        int64_t end = start + (int64_t)((hours < 0.5 ? 0.5 : hours > 8 ? 8 : hours) * HOUR_MS);
        int slots = clampi(warden_rng_lognormal(&g->r, 6, 0.6), 2, 32);
        for (int c = 0; c < slots; c++) {
            int64_t t = start + (int64_t)warden_rng_below(&g->r, 90000);
            while (t < end) {
                t = agent_session(g, t, next_task(g, k), agent_steps(g, 5, 30), 0);
                t += 1000 + (int64_t)warden_rng_below(&g->r, 8000);
            }
        }
    }
}

/* An evaluation team: one benchmark's tasks, the same in every run, a few
 * runs on working days, many sessions at once. */
static void run_agent_eval(struct gen *g)
{
    struct sim_world *w = g->w;
    enum warden_corpus_kind k = task_list(g);
    size_t n = w->corpus.n[k];
    if (!n) return;
    size_t items = 80 + warden_rng_below(&g->r, 220);
    if (items > n) items = n;
    size_t lo = warden_rng_below(&g->r, (uint32_t)(n - items + 1));
    uint32_t runs = 2 + warden_rng_below(&g->r, 3);
    int slots = clampi(warden_rng_lognormal(&g->r, 16, 0.5), 4, 64);
    for (uint32_t run = 0; run < runs; run++) {
        int64_t start = day_start(w, (int)warden_rng_below(&g->r, (uint32_t)w->days)) +
                        (int64_t)(9 + warden_rng_below(&g->r, 6)) * HOUR_MS -
                        (int64_t)g->offset_min * 60000 +
                        (int64_t)warden_rng_below(&g->r, (uint32_t)HOUR_MS);
        int64_t free_at[64];
        for (int c = 0; c < slots; c++)
            free_at[c] = start + (int64_t)warden_rng_below(&g->r, 30000);
        for (size_t i = 0; i < items; i++) {
            int c = 0;
            for (int j = 1; j < slots; j++)
                if (free_at[j] < free_at[c]) c = j;
            int64_t t = agent_session(g, free_at[c], w->corpus.items[k][lo + i].text,
                                      agent_steps(g, 6, 40), 0);
            free_at[c] = t + 500 + (int64_t)warden_rng_below(&g->r, 3000);
        }
    }
}

/* A developer directing coding agents on working days: each agent on one
 * task at a time, long tool loops with approvals, a pause to read the
 * result and write the next task; a power user runs three to six agents
 * and now and then fans a task out to sub-agents. */
static void run_agent_developer(struct gen *g)
{
    struct sim_world *w = g->w;
    struct sim_acct *a = g->a;
    int agents =
        a->power ? 3 + (int)warden_rng_below(&g->r, 4) : 1 + (int)warden_rng_below(&g->r, 2);
    for (int d = 0; d < w->days; d++) {
        int64_t ds = day_start(w, d);
        int wd = (int)(((ds / DAY_MS) + 4) % 7); /* 0 = Sunday */
        if (!warden_rng_chance(&g->r, wd == 0 || wd == 6 ? 0.15 : 0.85)) continue;
        double from_h = 8 + 2 * warden_rng_unit(&g->r);
        double to_h = warden_rng_chance(&g->r, 0.15) ? 21 + 2 * warden_rng_unit(&g->r)
                                                     : 16.5 + 3 * warden_rng_unit(&g->r);
        int64_t local = -(int64_t)g->offset_min * 60000;
        int64_t from = ds + (int64_t)(from_h * HOUR_MS) + local;
        int64_t to = ds + (int64_t)(to_h * HOUR_MS) + local;
        for (int c = 0; c < agents; c++) {
            int64_t t = from + (int64_t)warden_rng_below(&g->r, 40 * 60000);
            while (t < to) {
                if (warden_rng_chance(&g->r, a->power ? 0.08 : 0.02)) { /* sub-agents */
                    uint32_t subs = 3 + warden_rng_below(&g->r, a->power ? 22 : 8);
                    for (uint32_t s = 0; s < subs; s++)
                        agent_session(g, t + (int64_t)warden_rng_below(&g->r, 120000),
                                      next_task(g, WARDEN_CORPUS_ORGANIC), agent_steps(g, 4, 20),
                                      0);
                }
                t = agent_session(g, t, next_task(g, WARDEN_CORPUS_ORGANIC),
                                  agent_steps(g, 16, 150), 0.12);
                t += (int64_t)(warden_rng_lognormal(&g->r, 10, 0.8) * 60000);
                if (warden_rng_chance(&g->r, 0.12))
                    t += (int64_t)(warden_rng_lognormal(&g->r, 45, 0.5) * 60000);
            }
        }
    }
}

static void generate(struct gen *g0);

/* A traveller: at home, then on the trip's networks and clock, then home again. */
static void run_trip(struct gen *g)
{
    struct sim_acct *a = g->a;
    int64_t from = a->active_from, to = a->active_to;
    const struct warden_netpool *home_pool = a->pool;
    struct warden_ip home_ip = g->cur_ip;
    size_t home_net = a->home_net;
    a->active_to = a->trip_from;
    run_human(g, diurnal, 3.5);
    a->active_from = a->trip_from;
    a->active_to = a->trip_to;
    g->offset_min = a->trip->utc_offset_min;
    if (a->trip_pool) {
        a->pool = a->trip_pool;
        warden_netpool_draw(a->pool, &g->r, &g->cur_ip, &a->home_net);
    }
    run_human(g, diurnal, 3.5);
    a->pool = home_pool;
    a->home_net = home_net;
    g->cur_ip = home_ip;
    g->offset_min = a->home->utc_offset_min;
    a->active_from = a->trip_to;
    a->active_to = to;
    run_human(g, diurnal, 3.5);
    a->active_from = from;
}

void warden_sim_traffic(struct sim_world *w, uint32_t ai)
{
    struct gen g;
    memset(&g, 0, sizeof g);
    g.w = w;
    g.a = &w->accts[ai];
    g.ai = ai;
    struct sim_acct *a = g.a;
    warden_rng_seed(&g.r, w->o->seed, SIM_STREAM(3, a->stream));
    g.timing = T_HUMAN;
    g.prompts = PR_ORGANIC;
    g.ipmode = IP_HOME;
    g.p_thinking = 0.3;
    static const int mt[] = {1024, 2048, 4096, 4096, 8192, 8192, 16000, 64000};
    g.max_tokens = mt[warden_rng_below(&g.r, 8)];
    double mw[3] = {0.4, 0.45, 0.15};
    g.model_pref = (uint8_t)warden_rng_weighted(&g.r, mw, 3);
    g.offset_min = a->real ? a->real->utc_offset_min : 0;
    g.cur_ip = a->home_ip;
    switch (a->pop) {
    case POP_INDIVIDUAL:
    case POP_REASONING_USER:
        break;
    case POP_PRIVACY_VPN:
        g.ipmode = IP_SESSION_POOL;
        break;
    case POP_ZH_SPEAKER:
        g.prompts = PR_ZH;
        break;
    case POP_CORP_EGRESS:
    case POP_MINORITY_OWNED:
    case POP_SUBSIDIARY:
    case POP_LISTED_ORG:
        g.timing = T_OFFICE;
        break;
    case POP_DEVAPP:
        g.timing = T_ROUND_CLOCK;
        g.n_end_users = 20 + (uint32_t)(a->rate * 8);
        g.p_thinking = 0.1;
        break;
    case POP_BATCH:
        g.timing = T_MACHINE;
        g.prompts = PR_TEMPLATE;
        g.p_thinking = 0;
        g.max_tokens = 512 << warden_rng_below(&g.r, 3);
        break;
    case POP_EVAL:
    case POP_EVAL_COT:
        g.timing = T_BENCH;
        g.prompts = PR_BENCH;
        break;
    case POP_CODING_AGENT:
        g.timing = T_OFFICE;
        break;
    case POP_AGENT_DEVELOPER:
    case POP_AGENT_EVAL:
        g.timing = T_AGENT;
        break;
    case POP_SAAS_APP:
        g.timing = T_ROUND_CLOCK;
        g.n_end_users = 500 + (uint32_t)(a->rate * 4);
        break;
    case POP_TRANSLATION:
        g.timing = T_ROUND_CLOCK;
        break;
    case POP_RESELLER:
        g.timing = T_ROUND_CLOCK;
        g.prompts = PR_RESELLER;
        g.n_end_users = 300 + (uint32_t)(a->rate * 3);
        break;
    case POP_CIRC_DIRECT:
        g.prompts = PR_CIRC;
        break;
    case POP_CIRC_VPN:
    case POP_CIRC_CLOUD: {
        g.prompts = PR_CIRC;
        g.ipmode = IP_LEAKY;
        g.leak = a->pop == POP_CIRC_VPN ? 0.08 : 0.05;
        char name[16];
        snprintf(name, sizeof name, "res:%s", a->real->cc);
        g.leak_pool = warden_netpools_get(&w->nets, name);
        break;
    }
    case POP_CIRC_TUNNEL_VPN:
        g.prompts = PR_CIRC;
        g.ipmode = IP_SESSION_POOL;
        break;
    case POP_CIRC_TUNNEL_CLOUD:
        g.prompts = PR_CIRC;
        break;
    case POP_CIRC_TUNNEL_RESIDENTIAL: /* a new proxy exit each session */
        g.prompts = PR_CIRC;
        g.ipmode = IP_SESSION_POOL;
        break;
    case POP_CIRC_STAFF: /* VPN exits; the group's first sometimes from home */
        g.prompts = PR_CIRC;
        g.ipmode = a->staff_leaks ? IP_LEAKY : IP_SESSION_POOL;
        if (a->staff_leaks) {
            char name[16];
            snprintf(name, sizeof name, "res:%s", a->real->cc);
            g.leak = 0.05;
            g.leak_pool = warden_netpools_get(&w->nets, name);
        }
        break;
    case POP_TRAVELLER:
        break;
    case POP_NEAR_BORDER:
        if (a->vpn_user) g.ipmode = IP_SESSION_POOL;
        break;
    case POP_CGNAT:
        g.ipmode = IP_NAT;
        break;
    case POP_SAAS_END_USERS: /* the vendor's template around their own payloads */
        g.prompts = PR_TEMPLATE;
        g.p_thinking = 0.1;
        break;
    default: /* distillation */
        g.prompts = PR_HARVEST;
        g.p_thinking = 0.85;
        g.max_tokens = warden_rng_chance(&g.r, 0.5) ? 32000 : 16000;
        g.timing = T_ROUND_CLOCK;
        if (a->cluster >= 0) g.offset_min = w->clusters[a->cluster].op_offset_min;
        if (a->pop == POP_HYDRA || a->pop == POP_MODEL_PIVOT || a->pop == POP_SIGNUP_BURST)
            g.ipmode = IP_CLUSTER;
        if (a->pop == POP_RESIDENTIAL_PROXY) g.ipmode = IP_RESPROXY;
        if (a->pop == POP_COVER_TRAFFIC) {
            g.prompts = PR_COVER;
            g.timing = T_HUMAN;
        }
        if (a->pop == POP_AGENT_HARNESS) g.timing = T_AGENT;
        if (a->pop == POP_SLOW_LOW) {
            g.timing = T_HUMAN;
            g.p_thinking = 0.6;
            g.max_tokens = mt[warden_rng_below(&g.r, 8)];
        }
        if (a->pop == POP_PARAPHRASE) g.p_thinking = 0.5;
        if (a->pop == POP_VIA_RESELLER) { /* its own script, through the platform */
            g.ipmode = IP_APP;
            if (warden_rng_chance(&g.r, 0.5)) g.timing = T_BURSTS;
        }
        /* scripted evaders work in bursts, half of them */
        if ((a->pop == POP_PER_ACCOUNT_PROXY || a->pop == POP_PARAPHRASE ||
             a->pop == POP_RESIDENTIAL_PROXY) &&
            warden_rng_chance(&g.r, 0.5))
            g.timing = T_BURSTS;
        break;
    }
    switch (a->pop) { /* held-out distillation evasions (scenario lookalike) */
    case POP_JITTERED:
        g.timing = T_POISSON;
        break;
    case POP_SLOW_SHORT:
        g.timing = T_HUMAN;
        g.p_thinking = 0.6;
        g.max_tokens = mt[warden_rng_below(&g.r, 8)];
        break;
    case POP_AGENTIC:
    case POP_REWORDED:
        g.max_tokens = mt[warden_rng_below(&g.r, 8)];
        g.p_thinking = 0.5;
        if (warden_rng_chance(&g.r, 0.5)) g.timing = T_BURSTS;
        break;
    default:
        break;
    }
    if (a->pop == POP_DEVAPP || a->pop == POP_BATCH || a->pop == POP_EVAL ||
        a->pop == POP_RESELLER || a->pop == POP_CIRC_TUNNEL_CLOUD || a->pop == POP_SAAS_APP ||
        a->pop == POP_TRANSLATION || a->pop == POP_EVAL_COT || a->pop == POP_VIA_RESELLER) {
        g.ipmode = IP_APP;
        g.app_ips[0] = a->home_ip;
        g.napp_ips = 1 + (int)warden_rng_below(&g.r, a->pop == POP_EVAL ? 2 : 6);
        for (int i = 1; i < g.napp_ips; i++) {
            if (a->pool && warden_rng_chance(&g.r, 0.6))
                warden_netpool_draw_in(a->pool, a->home_net, &g.r, &g.app_ips[i]);
            else if (a->pool)
                warden_netpool_draw(a->pool, &g.r, &g.app_ips[i], NULL);
            else
                g.app_ips[i] = a->home_ip;
        }
    }
    /* evaders ask for budgets like everyone else */
    if (a->pop == POP_PARAPHRASE || a->pop == POP_COVER_TRAFFIC)
        g.max_tokens = mt[warden_rng_below(&g.r, 8)];
    size_t before = w->nev;
    bool attacker = strcmp(warden_popdefs[a->pop].label, "benign") != 0;
    for (int attempt = 0; attempt < 6; attempt++) {
        generate(&g);
        size_t got = w->nev - before;
        if (a->pop == POP_SLOW_LOW && (got < 15 || got > 40)) { /* 15-40 requests each */
            if (attempt < 5) {
                w->nev = before;
                g.seq = 0;
                continue;
            }
            if (got > 40) w->nev = before + 40; /* an account's events are in time order */
        }
        /* an attacker account always shows up in the traffic */
        if (!attacker || w->nev > before) break;
        a->rate = a->rate * 2 + 1;
    }
}

static void generate(struct gen *g0)
{
    struct gen g = *g0;
    struct sim_world *w = g.w;
    struct sim_acct *a = g.a;
    switch (g.timing) {
    case T_HUMAN:
        if (a->pop == POP_TRAVELLER)
            run_trip(&g);
        else
            run_human(&g, diurnal, a->pop == POP_COVER_TRAFFIC ? 12 : 3.5);
        break;
    case T_OFFICE:
        run_human(&g, office, a->pop == POP_CODING_AGENT ? 20 : 3);
        break;
    case T_POISSON:
        run_poisson(&g);
        break;
    case T_AGENT:
        if (a->pop == POP_AGENT_HARNESS)
            run_agent_harness(&g);
        else if (a->pop == POP_AGENT_EVAL)
            run_agent_eval(&g);
        else
            run_agent_developer(&g);
        break;
    case T_BENCH:
        run_bench(&g);
        break;
    case T_BURSTS:
        run_bursts(&g);
        break;
    case T_MACHINE: {
        int start = (int)warden_rng_below(&g.r, 24);
        run_machine(&g, start, 4 + (int)warden_rng_below(&g.r, 8), 0.1);
        break;
    }
    case T_ROUND_CLOCK:
        if (a->pop == POP_DEVAPP || a->pop == POP_RESELLER || a->pop == POP_SAAS_APP) {
            /* end users' rhythm: daytime-heavy, never silent */
            double h[24];
            for (int i = 0; i < 24; i++) h[i] = diurnal[i] + 0.3;
            run_human(&g, h, 1.5);
        } else if (a->pop == POP_MODEL_PIVOT) {
            double full = a->rate;
            a->rate = full / 25;
            int64_t to = a->active_to;
            a->active_to = w->release_ms;
            run_human(&g, diurnal, 3);
            a->active_to = to;
            int64_t from = a->active_from;
            a->active_from = w->release_ms;
            a->rate = full;
            run_machine(&g, 0, 24, 0.02);
            a->active_from = from;
        } else {
            run_machine(&g, 0, 24, 0.05);
        }
        break;
    }
    *g0 = g;
}
