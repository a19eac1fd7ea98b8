#!/usr/bin/env python3
"""probe_harvest_styles.py - a held-out traffic probe, written apart from
`warden sim` and the detectors: five ways a distillation
operation might harvest answers, ~12 accounts each with its own card, webmail
address, home line and client - a capability sweep of bare items in script
batches around the clock (probe.sweep); items with a reasoning request in
varied wording, in human-sized daytime sittings (probe.human_paced); the item,
then a turn asking for the reasoning or assumptions (probe.multi_turn); bare
questions with the reasoning instruction in the system prompt and big thinking
budgets (probe.system_elicit); 15 accounts of one operation splitting one item
list, sharing cards, a /24, a client and a frame (probe.small_hydra) - and the
benign traffic they must not be confused with: people, students on maths
homework, an eval team re-running a fixed gsm8k subset, small apps with end
users, a labelling shop. Prompts come from ../shared/data/prompts (public
corpora, not bundled); addresses from a pool checked with `warden ip`.

Usage:
  probe_harvest_styles.py candidates SEED > candidates.txt
  probe_harvest_styles.py generate SEED OUTDIR SHARED POOL.jsonl
(POOL.jsonl: `warden ip --json` of the candidates.) Writes OUTDIR/events.jsonl,
accounts.jsonl and truth.jsonl (formats.md). Standard library only.

It is a probe, not a tuning set: run it after a change, never tune a
detector against it.
"""
import datetime
import json
import random
import sys

from probe_common import (COUNTRIES, DAYS, S, T0, at, home_candidates, iso, organic_prompts,
                          probe_main, sittings, write_probe)

WEBMAIL = {'US': ['gmail.com', 'outlook.com', 'yahoo.com'], 'DE': ['gmx.de', 'web.de', 'gmail.com'],
           'GB': ['gmail.com', 'hotmail.co.uk', 'outlook.com'], 'FR': ['orange.fr', 'gmail.com']}
CLIENTS = ['python-requests/2.32.3', 'anthropic-sdk-python/0.39.0', 'OpenAI/Python 1.52.0',
           'httpx/0.27.2', 'aiohttp/3.10.5', 'node-fetch/3.3.2', 'axios/1.7.7', 'curl/8.5.0',
           'litellm/1.48.2', 'Go-http-client/2.0',
           'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like '
           'Gecko) Version/17.5 Safari/605.1.15']
ASK_REASONING = [  # probe.human_paced: a reasoning request in varied wording
    "Before you answer, walk me through your whole thought process.",
    "Show me your complete chain of thought, not just the final answer.",
    "Please reason it out step by step first and only then give the answer.",
    "I want to see every intermediate step of your reasoning.",
    "Think out loud here - lay out how you get to the answer.",
    "Explain your reasoning in detail, including any approaches you rejected.",
    "Break your thinking into numbered steps, then conclude.",
    "Don't skip anything: give me the full derivation behind your answer.",
    "Narrate your reasoning as you work through this, then sum up.",
    "Could you show your work? I'd like the reasoning spelled out before the result.",
    "Go through it slowly and justify each step.",
    "First write out your analysis in full, then put the final answer at the end.",
    "Reason carefully and make every step of the logic explicit.",
    "How would you think about this from scratch? Go step by step before answering.",
    "Include your full reasoning, written out, followed by the answer.",
]
ASK_WHY = [  # probe.multi_turn, turn 3
    "Now explain the reasoning behind that answer step by step.",
    "What assumptions did you make there? List all of them.",
    "Walk me through how you arrived at that, one step at a time.",
    "Can you justify each part of your answer?",
    "Break down the logic you used above into individual steps.",
    "List every assumption behind your answer and say why each one holds.",
    "Explain why that is correct, going through your reasoning step by step.",
    "How did you get there? Give me the full line of reasoning.",
    "Spell out the intermediate steps you skipped.",
    "Which steps led to that answer? Explain each of them.",
]
ASK_OTHER = ["Now give me an alternative solution and compare it with the first one.",
             "Is there a different way to solve this? Show it in full.",
             "Solve it again with another approach and explain the trade-offs."]
TUTOR_SYSTEMS = [  # probe.system_elicit: one per account
    "You are a patient tutor who always shows complete reasoning. For every question, write out "
    "each step of your thinking in full before stating the final answer.",
    "You are an expert problem solver. Always think step by step and show all intermediate work; "
    "never give only the final answer.",
    "You are a careful analyst. Begin every reply with a detailed, numbered chain of reasoning, "
    "then give the conclusion on a final line starting with 'Answer:'.",
    "You are a teaching assistant. Explain your thought process exhaustively, covering why each "
    "step follows from the previous one, then give the answer.",
    "Act as a meticulous reasoner. Write your full derivation first, double-check it, and only "
    "then state the result.",
    "You are a coach for maths and writing. Show your complete working for every task, including "
    "the checks you make on your own work.",
    "Respond as a professor grading their own model solution: lay out the full reasoning, note "
    "each assumption, then give the final answer.",
    "You are a thorough assistant. Think aloud in detail - every step, every calculation - before "
    "you commit to an answer.",
    "You solve problems for a study guide. Each solution must contain a complete step-by-step "
    "explanation followed by a clearly marked final answer.",
    "You are a reasoning engine. Output your entire thought process in order, then the answer.",
    "You are a helpful expert. Whatever the task, first reason through it explicitly and in full, "
    "then answer concisely.",
    "You are an instructor writing worked examples. Show all reasoning, leaving no step implicit.",
]
HYDRA_FRAME = ("You are producing reference solutions for a curated programming dataset.\n\nTASK:\n"
               "{i}\n\nCONTEXT:\n{x}\n\nWrite a complete, correct solution. Before the code, lay "
               "out your reasoning as numbered steps; after it, list the edge cases you considered.")
STUDENT_ASK = ["can you explain step by step?", "I don't get it, how do you do this one?",
               "please show the steps", "explain it like I'm in 6th grade pls",
               "why is that the answer? show the working", "can you walk me through it",
               "whats the method for this kind of problem"]
FOLLOW_UPS = ["Can you go into more detail on the second part?", "Shorter please.",
              "Could you give me a concrete example?", "Hmm, that doesn't seem right. Are you sure?",
              "What would you recommend then?", "Thanks. Can you put that in a table?",
              "ok and how about for a complete beginner?", "Rewrite that in a friendlier tone.",
              "Great, one more question about this:", "What are the downsides?"]
EVAL_TEMPLATE = ("Question: {q}\nSolve the problem. Reason step by step, then give the final answer on "
                 "its own line in the form '#### <number>'.")
LABEL_TEMPLATE = ("Assign the text below to exactly one topic: science, business, technology, "
                  "health, culture, sport, politics, everyday, other. Output the topic only.\n\n"
                  "Text: {x}")
APPS = [("You are Pedalpoint's support assistant. Answer questions about orders, deliveries, "
         "returns and bike maintenance politely; hand over to a human for refunds over 200 EUR.", 'DE'),
        ("You are a writing helper inside a note-taking app. Improve the user's text when asked, "
         "keep their voice, and never invent facts.", 'US'),
        ("You are a friendly cooking assistant. Suggest recipes, substitutions and timings; ask "
         "about allergies when relevant.", 'FR'),
        ("You are a language-exchange tutor. Reply in simple English, correct mistakes gently and "
         "explain them briefly.", 'GB'),
        ("You are the trip-planning assistant of a small travel agency. Suggest itineraries and "
         "practical tips; do not quote prices.", 'GB'),
        ("You are an internal IT helpdesk bot for a 40-person company. Help with laptops, "
         "accounts, printers and VPN; keep answers short.", 'US')]


def candidates(seed):
    r = random.Random(seed)
    for ip in home_candidates(r, [c[0] for c in COUNTRIES.values()]):
        print(ip)
    for first, _, _ in COUNTRIES.values():
        for _ in range(3):  # a few whole /24s, for an operation on one neighbourhood of a network
            net = '%d.%d.%d' % (r.choice(first), r.randrange(256), r.randrange(256))
            for host in r.sample(range(2, 254), 6):
                print('%s.%d' % (net, host))


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    prompts = shared + '/data/prompts/'
    alpaca = json.load(open(prompts + 'machine/alpaca_5000.json'))
    code = json.load(open(prompts + 'machine/code_alpaca_2k.json'))
    gsm = [json.loads(line)['question'] for line in open(prompts + 'taskset/gsm8k_train.jsonl')]
    organic = organic_prompts(shared)
    organic += [json.loads(line)['text'] for line in open(prompts + 'organic/vicuna_question_80.jsonl')]
    pool, nets = {cc: [] for cc in COUNTRIES}, {}
    for line in open(pool_path):
        a = json.loads(line)
        if a.get('country') in pool and not a.get('categories') and a.get('asn'):
            pool[a['country']].append(a['ip'])
            nets.setdefault((a['country'], a['ip'].rsplit('.', 1)[0]), []).append(a['ip'])
    for cc, ips in pool.items():
        if len(ips) < 20:
            sys.exit('probe: only %d residential addresses in %s' % (len(ips), cc))
    events, accounts, truth = [], [], []

    def item_text(it):
        return it['instruction'] + ('\n\n' + it['input'] if it['input'] else '')

    def account(aid, cc, kind, label, age=(30, 600), mail=None, fp=None, signup_ip=None,
                created=None, cluster=None):
        created = created or T0 - datetime.timedelta(days=r.uniform(*age))
        accounts.append({'account_id': aid, 'created_at': iso(created), 'billing_country': cc,
                         'card_country': cc,
                         'payment_fingerprint': fp or 'fp_%016x' % r.getrandbits(64),
                         'email_domain': mail or r.choice(WEBMAIL[cc]),
                         'signup_ip': signup_ip or r.choice(pool[cc]),
                         'program': 'standard', 'reseller': False})
        t = {'account_id': aid, 'label': label, 'kind': kind}
        if cluster:
            t['cluster'] = cluster
        truth.append(t)

    def request(aid, t, ip, client, cc, prompt, turns=1, thinking=False, max_tokens=4096,
                system=None, out_tokens=(150, 1200), history=0, **kw):
        if t >= T0 + datetime.timedelta(days=DAYS):
            return
        e = {'ts': iso(t), 'request_id': 'hs%d-%08d' % (seed, len(events) + 1),
             'account_id': aid, 'ip': ip, 'user_agent': client,
             'client_tz': COUNTRIES[cc][1], 'model': kw.pop('model', 'atlas-2-large'),
             'endpoint': '/v1/messages', 'prompt': prompt, 'turns': turns, 'thinking': thinking,
             'max_tokens': max_tokens,
             'input_tokens': 12 + (len(prompt) + len(system or '')) // 4 + history,
             'output_tokens': min(max_tokens, r.randrange(*out_tokens)), 'status': 200}
        if system:
            e['system'] = system
        e.update(kw)
        events.append(e)

    def batches(day, n, size, gap, off=0, h0=0, h1=24):
        """n times in script runs of `size` spread evenly over local hours h0..h1."""
        k, ts = max(1, -(-n // size)), []
        for b in range(k):
            t = at(day, h0 + (h1 - h0) * (b + r.uniform(0, 0.3)) / k, off)
            for _ in range(n // k + (b < n % k)):
                t += gap() * S
                ts.append(t)
        return ts

    def attacker(kind, a, cc=None):
        cc = cc or r.choice(list(COUNTRIES))
        aid = '%s-%02d' % (kind, a)
        home = r.choice(pool[cc])
        account(aid, cc, 'probe.' + kind, 'distillation', age=(1, 45), signup_ip=home)
        return aid, cc, COUNTRIES[cc][2], home, r.choice(CLIENTS)

    machine = alpaca + code
    # 1. sweep: topic after topic of bare items, script batches around the clock
    for a in range(12):
        aid, cc, off, ip, client = attacker('sweep', a)
        ndays, first = r.randint(2, 4), r.randrange(0, DAYS - 4)
        todo = r.sample(machine, 4000)
        todo.sort(key=lambda it: it['instruction'].split()[0].lower() if it['instruction'] else '')
        k = 0
        for d in range(first, first + ndays):
            for t in batches(d, r.randint(300, 800), r.randint(50, 120),
                             lambda: r.uniform(20, 60) + r.gauss(0, 2)):
                it = todo[k % len(todo)]
                k += 1
                request(aid, t, ip, client, cc, item_text(it), thinking=True,
                        max_tokens=r.choice([8192, 16000]), out_tokens=(600, 4500))
    # 2. human_paced: item + reasoning request in varied words, daytime sittings
    for a in range(12):
        aid, cc, off, ip, client = attacker('human_paced', a)
        h0, h1 = r.uniform(7, 10), r.uniform(20, 23.5)
        think = r.random() < 0.5
        for d in sorted(r.sample(range(DAYS), r.randint(8, 14))):
            for t in sittings(r, d, off, h0, h1, r.randint(40, 150), (10, 30),
                              lambda: min(240, 20 + r.expovariate(1 / 60)),
                              lambda: r.uniform(900, 5400)):
                it, ask = r.choice(machine), r.choice(ASK_REASONING)
                p = (item_text(it) + r.choice(['\n\n', ' ', '\n']) + ask if r.random() < 0.75
                     else ask + '\n\n' + item_text(it))
                request(aid, t, ip, client, cc, p, thinking=think and r.random() < 0.8,
                        max_tokens=r.choice([4096, 8192]), out_tokens=(400, 3000))
    # 3. multi_turn: the item, then "why", sometimes "another way"
    for a in range(12):
        aid, cc, off, ip, client = attacker('multi_turn', a)
        h0 = r.uniform(7, 11)
        for d in sorted(r.sample(range(DAYS), r.randint(5, 10))):
            ts = sittings(r, d, off, h0, h0 + 15, r.randint(60, 200), (40, 110),
                          lambda: r.uniform(15, 120), lambda: r.uniform(600, 2400))
            i = 0
            while i < len(ts):
                it = r.choice(machine)
                convo = [(item_text(it), 1), (r.choice(ASK_WHY), 3)]
                if r.random() < 0.3:
                    convo.append((r.choice(ASK_OTHER), 5))
                hist = 0
                for p, turns in convo[:len(ts) - i]:
                    request(aid, ts[i], ip, client, cc, p, turns=turns, thinking=True,
                            max_tokens=8192, out_tokens=(300, 2500), history=hist)
                    hist += 20 + len(p) // 4 + r.randrange(300, 1500)
                    i += 1
    # 4. system_elicit: bare questions, the reasoning instruction in the system prompt
    systems = r.sample(TUTOR_SYSTEMS, len(TUTOR_SYSTEMS))
    for a in range(12):
        aid, cc, off, ip, client = attacker('system_elicit', a)
        budget = r.choice([16000, 20000, 24000, 32000])
        for d in sorted(r.sample(range(DAYS), r.randint(5, 10))):
            for t in batches(d, r.randint(100, 400), r.randint(150, 400), lambda: r.uniform(5, 40)):
                p = r.choice(gsm) if r.random() < 0.5 else item_text(r.choice(alpaca))
                request(aid, t, ip, client, cc, p, thinking=True, max_tokens=budget,
                        system=systems[a], out_tokens=(800, 6000))
    # 5. small_hydra: 15 accounts, one item list split between them
    cc = 'US'
    net = r.choice([v for (c, _), v in nets.items() if c == cc and len(v) >= 4])[:5]
    cards = ['fp_%016x' % r.getrandbits(64) for _ in range(3)]
    client, born = r.choice(CLIENTS[:9]), T0 - datetime.timedelta(days=r.uniform(4, 9))
    todo = r.sample(code, len(code)) + r.sample(alpaca, len(alpaca))  # code first, then more
    k = 0
    for a in range(15):
        aid, home = 'small_hydra-%02d' % a, r.choice(pool[cc])
        account(aid, cc, 'probe.small_hydra', 'distillation', fp=r.choice(cards),
                mail='quillmark-data.io' if a % 2 else r.choice(WEBMAIL[cc]),
                signup_ip=r.choice(net + [home]), cluster='small_hydra',
                created=born + datetime.timedelta(hours=r.uniform(0, 48)))
        for d in sorted(r.sample(range(DAYS), r.randint(3, 6))):
            for t in batches(d, r.randint(30, 120), r.randint(30, 70), lambda: r.uniform(12, 45)):
                it = todo[k % len(todo)]
                k += 1
                request(aid, t, r.choice(net) if r.random() < 0.7 else home, client, cc,
                        HYDRA_FRAME.format(i=it['instruction'], x=it['input'] or '(none)'),
                        thinking=True, max_tokens=16000, out_tokens=(700, 4000))
    # a. people: organic prompts with follow-ups, at their own hours
    for a in range(300):
        cc = r.choice(list(COUNTRIES))
        aid, off = 'person-%03d' % a, COUNTRIES[cc][2]
        account(aid, cc, 'probe.person', 'benign',
                mail=r.choice(WEBMAIL[cc] + ['example-%d.com' % a]))
        client, ip, h0 = r.choice(CLIENTS), r.choice(pool[cc]), r.uniform(7, 19)
        think, model = r.random() < 0.3, r.choice(['atlas-2-large'] * 3 + ['atlas-2-small'])
        for d in range(DAYS):
            n, turns = r.choice([0, 0, 0, 1, 2, 3, 4, 5, 6, 8]), 1
            for t in sittings(r, d, off, h0, h0 + 5, n, (1, 8), lambda: r.uniform(30, 600),
                              lambda: r.uniform(1800, 7200)):
                turns = 1 if turns > 7 or r.random() < 0.35 else turns
                request(aid, t, ip, client, cc,
                        r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS), turns=turns,
                        thinking=think and r.random() < 0.5, max_tokens=r.choice([1024, 4096, 8192]),
                        history=250 * (turns - 1), model=model)
                turns += 2
    # b. students: their own gsm8k questions in the evening, sometimes asking how
    order = r.sample(range(len(gsm)), len(gsm))
    eval_set, mine = [gsm[i] for i in order[:500]], order[500:]
    for a in range(40):
        cc = r.choice(list(COUNTRIES))
        aid, off = 'student-%02d' % a, COUNTRIES[cc][2]
        account(aid, cc, 'probe.student', 'benign', age=(5, 300))
        client, ip, k = r.choice(CLIENTS[-3:]), r.choice(pool[cc]), 0
        qs = [gsm[i] for i in mine[a * 160:(a + 1) * 160]]
        for d in range(DAYS):
            if r.random() < 0.5:
                continue
            ts = sittings(r, d, off, 18, 23.5, r.randint(3, 25), (3, 25),
                          lambda: r.uniform(60, 900), lambda: r.uniform(600, 3600))
            i = 0
            while i < len(ts):
                q = qs[k % len(qs)]
                k += 1
                think, how = r.random() < 0.3, r.random()  # bare, asks how, asks after
                request(aid, ts[i], ip, client, cc, q + (' ' + r.choice(STUDENT_ASK)
                                                         if 0.6 <= how < 0.8 else ''),
                        thinking=think, max_tokens=4096)
                if how >= 0.8 and i + 1 < len(ts):
                    i += 1
                    request(aid, ts[i], ip, client, cc, r.choice(STUDENT_ASK), turns=3,
                            thinking=think, max_tokens=4096, history=len(q) // 4 + 300)
                i += 1
    # c. an eval team: the same 500 gsm8k items in one template, 2-4 runs each
    card = 'fp_%016x' % r.getrandbits(64)
    for a in range(4):
        aid, off = 'eval_team-%d' % a, COUNTRIES['GB'][2]
        account(aid, 'GB', 'probe.eval_team', 'benign', mail='northfield-ai.co.uk', fp=card)
        ip, client = r.choice(pool['GB']), 'python-requests/2.32.3'
        for d in sorted(r.sample([d for d in range(DAYS) if (T0.weekday() + d) % 7 < 5],
                                 r.randint(2, 4))):
            think, t = r.random() < 0.5, at(d, r.uniform(10, 17), off)
            for q in eval_set:
                t += r.uniform(0.4, 3) * S
                request(aid, t, ip, client, 'GB', EVAL_TEMPLATE.format(q=q), thinking=think,
                        max_tokens=8192 if think else 1024, out_tokens=(120, 900))
    # d. small apps: one system prompt, their end users' prompts, business hours
    for a, (system, cc) in enumerate(APPS):
        aid, off = 'app-%d' % a, COUNTRIES[cc][2]
        account(aid, cc, 'probe.app', 'benign', age=(60, 700), mail='app%d-%s.example' % (a, cc.lower()))
        ips, client = r.sample(pool[cc], r.randint(1, 2)), r.choice(['node-fetch/3.3.2', 'axios/1.7.7',
                                                                     'anthropic-sdk-python/0.39.0'])
        users = ['eu_%06x' % r.getrandbits(24) for _ in range(r.randint(50, 300))]
        model = r.choice(['atlas-2-large', 'atlas-2-small'])
        for d in range(DAYS):
            n = r.randint(200, 1500) // (4 if (T0.weekday() + d) % 7 >= 5 else 1)
            for t in sorted(at(d, r.uniform(8, 19), off) for _ in range(n)):
                turns = r.choice([1, 1, 1, 3, 3, 5])
                request(aid, t, r.choice(ips), client, cc,
                        r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS), turns=turns,
                        system=system, max_tokens=1024, history=200 * (turns - 1), model=model,
                        end_user=r.choice(users), out_tokens=(60, 900))
    # e. a labelling shop: one classification template over alpaca inputs
    for a in range(3):
        aid, off = 'labelling-%d' % a, COUNTRIES['FR'][2]
        account(aid, 'FR', 'probe.labelling', 'benign', mail='etiquette-lab.fr')
        ip = r.choice(pool['FR'])
        for d in range(DAYS):
            if (T0.weekday() + d) % 7 < 5:
                for t in batches(d, 300, 300, lambda: r.uniform(20, 100), off, 9, 10):
                    it = r.choice(alpaca)
                    request(aid, t, ip, 'python-requests/2.32.3', 'FR',
                            LABEL_TEMPLATE.format(x=it['input'] or it['instruction']),
                            max_tokens=5, out_tokens=(1, 3))
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    probe_main(__doc__, candidates, generate)
