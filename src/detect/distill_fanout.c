/* distill_fanout.c — signal distill.agent_fanout: agent sessions started
 * faster, and for longer, than people start them.
 *
 * An agent session begins with a request of `turns` = 1 that declares tools;
 * the tool loop follows at turns 3, 5, ... A person directing coding agents
 * starts a task every few minutes per agent and runs a few agents at once;
 * a harness run over a task list starts one session per task, many at once,
 * hour after hour, each on a task it never sent before. Harvesting agent
 * trajectories this way keeps every request in an application's format
 * (tools, cache reads, many turns, no wording that asks for reasoning), which
 * hides it from distill.harvest_shape and distill.reasoning_elicitation; the
 * rate at which it opens new sessions it cannot hide without slowing down.
 *
 * What it counts: new tool sessions, requests with turns = 1, tools > 0 and
 * a prompt that is not a recent repeat of the account's (template Bloom
 * filter; a request without prompt text counts), per clock hour (UTC,
 * ts / 3,600,000). An hour with at least per_hour of them is a busy hour,
 * counted as it gets there. The evidence is the number of sessions opened
 * at a rate no person keeps, so a busy hour counts its sessions, in
 * busy-hour equivalents (sessions / per_hour), up to hour_cap sessions
 * (fanout_hour_cap_hours hours' worth): a harness run of two hours with 200
 * new sessions in each weighs as six hours of 30, not two, and a spike (a
 * sub-agent storm, the first run of a benchmark) adds at most three hours'
 * worth however fast. Value: equivalents (at least the busy hours) mapped
 * min_hours .. full_hours to 0 .. 1, so one short burst is not enough.
 * A late event (an hour before the newest) counts in the total only.
 *
 * Tasks sent again. The template filter above forgets (it is recent
 * prompts only, and an agent's tool outputs fill it), so a benchmark re-run
 * the next day counts its sessions anew. The value is therefore multiplied
 * by the share of the account's payloads that were new (payload novelty,
 * distill_novelty.c, which remembers a sampled part however long ago it was
 * sent and, for an account with tool sessions, reads their tasks, not the
 * tools' outputs): an evaluation team that ran its benchmark three times
 * has about a third of its tasks new, a harness over a task list all.
 *
 * Look-alikes: platforms that serve many people through one account (a
 * support agent, a code-review bot) open sessions as fast, around the clock;
 * they rarely ask for big reasoning budgets, and the default weight lets
 * this signal and the reasoning-model trait together reach review, not
 * enforcement. An evaluation team re-running an agentic benchmark sends the
 * same tasks again (repeats do not count) in one sitting per run (the
 * novelty gate; and its tasks repeat, which scales the value down). Power users with sub-agents
 * open a few dozen sessions in a busy hour now and then; full_hours asks for that all day.
 *
 * Cost: a few comparisons per request; 16 bytes.
 * Evasion: fewer sessions per account per hour (more accounts: the cluster
 * view's business), or a fake history on every request (turns > 1), which
 * distill.answer_yield reads as long answers to short new questions.
 *
 * Evidence: tool_sessions (new tool sessions), busy_hours, busy_sessions
 * (sessions of busy hours counted, at most hour_cap an hour), peak_hour (most
 * new tool sessions in one hour), per_hour, new_task_share. */
#include "detect/distill.h"

void warden_distill_fanout_update(struct warden_distill_fanout *s, const struct warden_event *ev,
                                  bool repeat, int64_t per_hour, int64_t hour_cap)
{
    if (ev->turns != 1 || ev->tools == WARDEN_NOINT || ev->tools <= 0 || repeat) return;
    if (s->starts < UINT32_MAX) s->starts++;
    if (ev->ts_ms < 0) return;
    uint32_t hour = (uint32_t)(ev->ts_ms / 3600000);
    if (hour < s->hour) return; /* late: the total only */
    if (hour > s->hour) {
        s->hour = hour;
        s->cur = 0;
    }
    if (s->cur < UINT16_MAX) s->cur++;
    if (s->cur > s->peak) s->peak = s->cur;
    int64_t add = s->cur == per_hour ? per_hour : s->cur > per_hour && s->cur <= hour_cap ? 1 : 0;
    if (s->cur == per_hour && s->busy < UINT16_MAX) s->busy++;
    s->busy_sessions =
        (uint16_t)(s->busy_sessions + add > UINT16_MAX ? UINT16_MAX : s->busy_sessions + add);
}

double warden_distill_fanout_score(const struct warden_distill_fanout *s, int64_t per_hour,
                                   int64_t min_hours, int64_t full_hours, double new_share)
{
    double share = new_share < 0 ? 0 : new_share > 1 ? 1 : new_share;
    double hours = (double)s->busy_sessions / (double)(per_hour > 0 ? per_hour : 1);
    if (hours < s->busy) hours = s->busy; /* saturated, or restored from an older snapshot */
    if (hours <= (double)min_hours) return 0;
    if (hours >= (double)full_hours || full_hours <= min_hours) return share;
    return share * (hours - (double)min_hours) / (double)(full_hours - min_hours);
}

void warden_distill_fanout_evidence(const struct warden_distill_fanout *s, int64_t per_hour,
                                    double new_share, struct warden_jbuf *b)
{
    warden_jbuf_kv_int(b, "tool_sessions", s->starts);
    warden_jbuf_kv_int(b, "busy_hours", s->busy);
    warden_jbuf_kv_int(b, "busy_sessions", s->busy_sessions);
    warden_jbuf_kv_int(b, "peak_hour", s->peak);
    warden_jbuf_kv_int(b, "per_hour", per_hour);
    warden_jbuf_kv_num(b, "new_task_share", new_share);
}
