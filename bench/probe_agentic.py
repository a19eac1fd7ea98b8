#!/usr/bin/env python3
"""probe_agentic.py - a held-out traffic probe, written apart from `warden
sim` and the detectors: harvesting of agent trajectories (the task, then
the tool loop, with tools declared, prompt caching and reasoning on at every
turn, and no request for reasoning in any prompt) and the agent traffic of
people and companies it must not be confused with.

Harvesting, ~12 accounts each with its own card, webmail address, home line
and client:
  probe.agent_sweep    an agent harness run over a list of coding and
                       general tasks, many sessions at once, long runs on a
                       few days, one session per task
  probe.agent_workday  the same harness kept to a working day and a few
                       sessions at once, on most days of the period
  probe.tool_traces    tool-use traces: a question with its own tool set per
                       session (1-8 tools), two to four turns, around the clock
  probe.agent_hydra    12 accounts of one operation, 60-250 requests each,
                       one harness system prompt, nothing else shared
Benign:
  probe.developer      developers with one of two coding-agent products (the
                       vendor's system prompt and tools, shared by all its
                       users), their own repository, one or two sessions at
                       once, working hours, human pauses for approval
  probe.power_developer  developers running three to six agents at once,
                       sometimes through the night
  probe.review_bot     a company's pull-request review agent: a template
                       around each new diff, weekdays around the clock
  probe.agent_eval     an evaluation team running a fixed agentic benchmark
                       (the same 300 tasks) two to four times, 32 at once
  probe.support_agent  a SaaS support agent with tools and end-user ids

Prompts come from ../shared/data/prompts (public corpora, not bundled);
addresses from a pool checked with `warden ip`.

Usage:
  probe_agentic.py candidates SEED > candidates.txt
  probe_agentic.py generate SEED OUTDIR SHARED POOL.jsonl
Writes OUTDIR/events.jsonl, accounts.jsonl and truth.jsonl (formats.md).
Standard library only. It is a probe, not a tuning set: run it after a
change, never tune a detector against it.
"""
import datetime
import json
import random

from probe_common import (COUNTRIES, DAYS, S, T0, at, home_candidates, iso, organic_prompts,
                          probe_main, residential_pool, write_probe)

WEBMAIL = {'US': ['gmail.com', 'outlook.com', 'yahoo.com'], 'DE': ['gmx.de', 'web.de', 'gmail.com'],
           'GB': ['gmail.com', 'hotmail.co.uk', 'outlook.com'], 'FR': ['orange.fr', 'gmail.com']}
HARNESS = [  # harvesters' harness system prompts, one per operation
    "You are an autonomous engineering agent operating inside an isolated container. Use the "
    "provided tools to inspect files, run commands and edit code until the task is complete. "
    "When you are done, call the `finish` tool with a summary.",
    "You are a capable assistant with access to a Linux sandbox. Solve the user's task end to "
    "end: explore, implement, test. Prefer small verifiable steps and report the final result.",
    "Agent mode. You can read and write files, execute shell commands and search the web through "
    "the tools below. Work until the objective is met, then stop.",
]
PRODUCTS = [  # two coding-agent products: their system prompt and tool count
    ("You are Forge, an interactive coding assistant running in the user's terminal. You help "
     "with software engineering tasks in the current repository. Follow the project's "
     "conventions, keep changes minimal, ask before destructive operations, and never commit "
     "unless asked. " + "Tool usage policy: batch independent reads; prefer the edit tool to "
     "rewriting files; run the project's tests after changes. " * 6, 16),
    ("You are Tessel, an AI pair programmer inside the editor. Answer concisely, cite file paths "
     "with line numbers, propose diffs rather than whole files, and explain risky changes. "
     + "Respect .gitignore and never read secrets or credentials files. " * 8, 13),
]
VERBS = ['fix', 'refactor', 'add tests for', 'speed up', 'document', 'clean up', 'debug',
         'add logging to', 'rename things in', 'review', 'simplify', 'add a flag to']
THINGS = ['the parser', 'the retry logic', 'the config loader', 'the CLI', 'the cache layer',
          'the auth middleware', 'the migration', 'the CSV export', 'the websocket handler',
          'the date handling', 'the build script', 'the scheduler', 'the search endpoint']
ASKS = ["the test {t} fails since yesterday's merge, can you look?",
        "{v} {x} in {p}", "why does {p} allocate so much? {v} it if you can",
        "{v} {x} - see {p}, keep the public API", "can you {v} {x}? start with {p}",
        "ok now {v} {x} too", "run the tests and fix whatever breaks in {p}",
        "explain how {x} works, I'm new to this repo", "{v} {x} ({p}), then open a PR description"]
APPROVE = ["yes go ahead", "looks good, continue", "no, keep the old name", "ok", "do it",
           "wait, don't touch the migration", "sure", "yes but run the linter first", "continue"]
REVIEW_FRAME = ("Review pull request #{n} in {repo}: \"{title}\"\n\nFocus on correctness, security "
                "and test coverage. Leave inline comments with the review tool; approve only if "
                "there are no blocking issues.\n\nDiff:\n{diff}")
SUPPORT_FRAME = "You are the support agent of Parcelwise. Customer message:\n{q}"
TOOLS_OUT = ['$ ls {d}\n{files}', 'Exit code {c}\n{log}', '--- {f}\n+++ {f}\n@@ -{a},7 +{a},9 @@\n{code}',
             'Contents of {f}:\n{code}', '{n} passed, {m} failed in {s}s\n{log}', 'Search results:\n{files}',
             'File written: {f} ({n} lines)', 'Traceback (most recent call last):\n  File "{f}", line {a}\n{log}']


def candidates(seed):
    r = random.Random(seed)
    for ip in home_candidates(r, [c[0] for c in COUNTRIES.values()]):
        print(ip)


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    prompts = shared + '/data/prompts/'
    alpaca = json.load(open(prompts + 'machine/alpaca_5000.json'))
    code = json.load(open(prompts + 'machine/code_alpaca_2k.json'))
    gpt = json.load(open(prompts + 'machine/gpteacher_codegen_instruct.json'))
    organic = organic_prompts(shared)
    snippets = [it['output'] for it in code if len(it['output']) > 40]
    words = [w for it in alpaca[:800] for w in it['instruction'].lower().split() if w.isalpha()]
    pool = residential_pool(pool_path)
    events, accounts, truth = [], [], []
    end = T0 + datetime.timedelta(days=DAYS)

    def account(aid, cc, kind, label, age=(30, 600), mail=None, fp=None, cluster=None):
        accounts.append({'account_id': aid,
                         'created_at': iso(T0 - datetime.timedelta(days=r.uniform(*age))),
                         'billing_country': cc, 'card_country': cc,
                         'payment_fingerprint': fp or 'fp_%016x' % r.getrandbits(64),
                         'email_domain': mail or r.choice(WEBMAIL[cc]),
                         'signup_ip': r.choice(pool[cc]), 'program': 'standard', 'reseller': False})
        t = {'account_id': aid, 'label': label, 'kind': kind}
        if cluster:
            t['cluster'] = cluster
        truth.append(t)

    def fname():
        return r.choice(['src', 'lib', 'app', 'pkg', 'tests']) + '/' + '_'.join(
            r.sample(words, 2)) + r.choice(['.py', '.ts', '.go', '.rs', '.c'])

    def tool_result():
        return r.choice(TOOLS_OUT).format(
            d=r.choice(['.', 'src', 'tests', 'lib']), files='\n'.join(fname() for _ in range(r.randint(2, 9))),
            c=r.choice([0, 0, 1, 2]), log=' '.join(r.choices(words, k=r.randint(5, 40))),
            f=fname(), a=r.randint(1, 400), code=r.choice(snippets)[:r.randint(80, 900)],
            n=r.randint(1, 300), m=r.randint(0, 4), s='%.2f' % r.uniform(0.1, 40))

    def session(aid, t, ip, client, cc, first, nturns, tools, system, gap, budget, think=True,
                human=None, **kw):
        """One agent session from t: the first prompt, then the tool loop;
        human() (seconds) is a pause for the person now and then. Returns
        the time of the last request."""
        hist, cached = 0, 0
        for k in range(nturns):
            if t >= end:
                break
            p = first if k == 0 else (r.choice(APPROVE) if human and r.random() < 0.12
                                      else tool_result())
            inp = 12 + (len(p) + len(system or '')) // 4 + hist
            out_t = min(budget, r.randrange(200, 2500) + (r.randrange(500, 6000) if think else 0))
            e = {'ts': iso(t), 'request_id': 'ag%d-%08d' % (seed, len(events) + 1),
                 'account_id': aid, 'ip': ip, 'user_agent': client, 'client_tz': COUNTRIES[cc][1],
                 'model': kw.get('model', 'atlas-2-large'), 'endpoint': '/v1/messages',
                 'prompt': p, 'turns': 1 + 2 * k, 'thinking': think, 'max_tokens': budget,
                 'tools': tools() if callable(tools) else tools, 'input_tokens': inp - cached,
                 'cache_read_tokens': cached, 'output_tokens': out_t, 'status': 200}
            if system:
                e['system'] = system
            if 'end_user' in kw:
                e['end_user'] = kw['end_user']
            events.append(e)
            cached, hist = inp, hist + out_t + len(p) // 4
            t += gap() * S
            if human and k and r.random() < 0.12:
                t += human() * S
        return t

    def run(aid, start, stop, par, tasks, limit, **kw):
        """`par` sessions at once from start to stop (or `limit` sessions),
        each taking the next task."""
        lanes = [start + r.uniform(0, 60) * S for _ in range(par)]
        while tasks and limit > 0:
            limit -= 1
            i = min(range(par), key=lambda j: lanes[j])
            if lanes[i] >= stop:
                break
            lanes[i] = session(aid, lanes[i], first=tasks.pop(), **kw) + r.uniform(1, 20) * S

    def attacker(kind, a, cluster=None, age=(1, 45)):
        cc = r.choice(list(COUNTRIES))
        aid = '%s-%02d' % (kind, a)
        account(aid, cc, 'probe.' + kind, 'distillation', age=age, cluster=cluster)
        return aid, cc, COUNTRIES[cc][2], r.choice(pool[cc]), r.choice(
            ['python-httpx/0.27.2', 'anthropic-sdk-python/0.39.0', 'OpenAI/Python 1.52.0',
             'aiohttp/3.10.5', 'litellm/1.48.2'])

    def task_text(it):
        inp = it.get('input') or ''
        return it['instruction'] + ('\n\n' + inp if inp else '')

    tasks = [task_text(it) for it in code + gpt + r.sample(alpaca, 2000)]
    r.shuffle(tasks)
    think_gap = lambda: r.uniform(2, 25)  # tool execution plus the model's own time
    # 1. agent_sweep: many sessions at once, long runs on a few days
    for a in range(12):
        aid, cc, off, ip, client = attacker('agent_sweep', a)
        system, tools, mine = r.choice(HARNESS), r.randint(5, 9), r.sample(tasks, 1500)
        for d in sorted(r.sample(range(DAYS), r.randint(2, 5))):
            s0 = at(d, r.uniform(0, 12), off)
            run(aid, s0, s0 + r.uniform(6, 20) * 3600 * S, r.randint(12, 32), mine, r.randint(150, 400),
                ip=ip, client=client, cc=cc, nturns=r.randint(3, 12), tools=tools, system=system,
                gap=think_gap, budget=r.choice([16000, 32000]))
    # 2. agent_workday: a few sessions at once, a working day, most days
    for a in range(12):
        aid, cc, off, ip, client = attacker('agent_workday', a)
        system, tools, mine = r.choice(HARNESS), r.randint(5, 9), r.sample(tasks, 1500)
        for d in range(DAYS):
            if (T0.weekday() + d) % 7 >= 5 or r.random() < 0.2:
                continue
            s0 = at(d, r.uniform(8, 10), off)
            run(aid, s0, s0 + r.uniform(7, 9) * 3600 * S, r.randint(3, 6), mine, 10**6,
                ip=ip, client=client, cc=cc, nturns=r.randint(3, 14), tools=tools, system=system,
                gap=lambda: r.uniform(4, 40), budget=r.choice([16000, 32000]))
    # 3. tool_traces: a question with its own tool set, 2-4 turns, around the clock
    for a in range(12):
        aid, cc, off, ip, client = attacker('tool_traces', a)
        qs = [task_text(it) for it in r.sample(alpaca, 1500)]
        for d in sorted(r.sample(range(DAYS), r.randint(3, 7))):
            s0 = at(d, r.uniform(0, 24), off)
            run(aid, s0, s0 + 24 * 3600 * S, r.randint(8, 16), qs, r.randint(150, 500), ip=ip, client=client, cc=cc,
                nturns=r.randint(2, 4), tools=lambda: r.randint(1, 8), system=None,
                gap=lambda: r.uniform(1, 10), budget=r.choice([8192, 16000]))
    # 4. agent_hydra: 12 accounts, one harness, 60-250 requests each
    system = HARNESS[r.randrange(len(HARNESS))] + ' Record every step.'
    for a in range(12):
        aid, cc, off, ip, client = attacker('agent_hydra', a, cluster='agent_hydra', age=(2, 10))
        n = r.randint(60, 250)
        days = sorted(r.sample(range(DAYS), r.randint(1, 3)))
        for d in days:
            s0 = at(d, r.uniform(0, 20), off)
            per = n // len(days)
            mine = [tasks.pop() for _ in range(max(1, per // 6))]
            run(aid, s0, s0 + 10 * 3600 * S, r.randint(4, 8), mine, len(mine), ip=ip, client=client, cc=cc,
                nturns=r.randint(4, 8), tools=7, system=system, gap=think_gap, budget=32000)

    # a. developers: a product's prompt and tools, their repository, their hours
    def developer(aid, cc, par, late):
        off, (system, tools) = COUNTRIES[cc][2], r.choice(PRODUCTS)
        ip = r.choice(pool[cc])
        client = 'forge-cli/1.%d.%d' % (r.randint(0, 9), r.randint(0, 30)) if tools == 16 else \
            'tessel/0.%d' % r.randint(10, 40)
        paths = [fname() for _ in range(30)]
        tests = ['tests/test_%s.py::test_%s' % tuple(r.sample(words, 2)) for _ in range(20)]
        for d in range(DAYS):
            if (T0.weekday() + d) % 7 >= 5 and r.random() < 0.8 or r.random() < 0.15:
                continue
            t, stop = at(d, r.uniform(8, 11), off), at(d, r.uniform(17, 20) + (6 if late and r.random() < 0.3 else 0), off)
            lanes = [t + r.uniform(0, 600) * S for _ in range(par)]
            while min(lanes) < stop:
                i = min(range(par), key=lambda j: lanes[j])
                ask = r.choice(ASKS).format(t=r.choice(tests), v=r.choice(VERBS), x=r.choice(THINGS),
                                            p=r.choice(paths))
                lanes[i] = session(aid, lanes[i], ip, client, cc, ask, r.randint(4, 40), tools, system,
                                   lambda: r.uniform(3, 30), r.choice([16000, 32000]),
                                   think=r.random() < 0.7, human=lambda: r.uniform(20, 900))
                lanes[i] += r.uniform(120, 3600) * S
    for a in range(50):
        cc = r.choice(list(COUNTRIES))
        account('developer-%02d' % a, cc, 'probe.developer', 'benign',
                mail=r.choice(WEBMAIL[cc] + ['devshop-%d.io' % (a % 9)]))
        developer('developer-%02d' % a, cc, r.randint(1, 2), False)
    for a in range(12):
        cc = r.choice(list(COUNTRIES))
        account('power_developer-%02d' % a, cc, 'probe.power_developer', 'benign')
        developer('power_developer-%02d' % a, cc, r.randint(3, 6), True)
    # b. a pull-request review agent: weekdays around the clock
    for a in range(3):
        aid, cc = 'review_bot-%d' % a, r.choice(['US', 'DE'])
        account(aid, cc, 'probe.review_bot', 'benign', age=(100, 700), mail='corp%d.example' % a)
        ip, repo = r.choice(pool[cc]), 'corp%d/%s' % (a, r.choice(words))
        for d in range(DAYS):
            if (T0.weekday() + d) % 7 >= 5:
                continue
            for _ in range(r.randint(30, 120)):
                diff = '\n'.join('+ ' + l for l in r.choice(snippets).splitlines()[:30])
                first = REVIEW_FRAME.format(n=r.randint(1000, 9999), repo=repo,
                                            title=' '.join(r.sample(words, 5)), diff=diff)
                session(aid, at(d, r.uniform(0, 24), 0), ip, 'review-bot/2.1', cc, first,
                        r.randint(2, 6), 4, None, lambda: r.uniform(2, 15), 8192, think=r.random() < 0.5)
    # c. an eval team: the same 300 agentic tasks, 2-4 runs, 32 at once
    bench = [task_text(it) for it in r.sample(code + gpt, 300)]
    for a in range(3):
        aid = 'agent_eval-%d' % a
        account(aid, 'GB', 'probe.agent_eval', 'benign', mail='northfield-ai.co.uk')
        ip = r.choice(pool['GB'])
        for d in sorted(r.sample(range(DAYS), r.randint(2, 4))):
            s0 = at(d, r.uniform(9, 15), 1)
            run(aid, s0, s0 + 30 * 3600 * S, 32, list(bench), 300, ip=ip, client='python-httpx/0.27.2',
                cc='GB', nturns=r.randint(3, 15), tools=6, system=HARNESS[1], gap=think_gap,
                budget=32000)
    # d. a SaaS support agent with end users and tools, business hours
    for a in range(2):
        aid, cc = 'support_agent-%d' % a, r.choice(['US', 'FR'])
        account(aid, cc, 'probe.support_agent', 'benign', age=(100, 700), mail='parcelwise%d.example' % a)
        ip, users = r.choice(pool[cc]), ['cust_%06x' % r.getrandbits(24) for _ in range(400)]
        for d in range(DAYS):
            for _ in range(r.randint(60, 300)):
                session(aid, at(d, r.uniform(7, 21), COUNTRIES[cc][2]), ip, 'node-fetch/3.3.2', cc,
                        SUPPORT_FRAME.format(q=r.choice(organic)), r.randint(2, 6), 5, None,
                        lambda: r.uniform(1, 6), 2048, think=False, end_user=r.choice(users))
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    probe_main(__doc__, candidates, generate)
