#!/usr/bin/env python3
"""probe_hydra.py - a held-out traffic probe, written apart from `warden sim`
and the detectors: six distillation operations that spread one harvest over
many accounts, each its own cluster in the truth - accounts run from a few
cloud servers of one provider with one client and one frame (probe.cloud_ring);
accounts from their own home lines sharing a few prepaid cards, bare items
(probe.card_ring); a burst of credit-program sign-ups at one made-up domain,
each taking a few dozen answers with a reasoning request (probe.signup_wave);
20 accounts behind 3-4 lines of one flat's /24, reasoning-heavy
(probe.relay); three waves of accounts, each replacing the last, from one
cloud /24 with one frame (probe.waves); human-paced accounts sharing only a
prefix and a suffix line and one residential network (probe.quiet) - and the
benign crowds they must not be confused with: people (some households on one
/24), companies behind their egress lines with an internal tool frame,
mobile users behind a carrier's shared addresses, customers of one popular
third-party client app, a university's students signing up in term week,
families on one card. Prompts come from ../shared/data/prompts (public
corpora, not bundled); addresses from pools checked with `warden ip`.

Usage:
  probe_hydra.py candidates SEED SHARED > candidates.txt
  probe_hydra.py generate SEED OUTDIR SHARED POOL.jsonl
(SHARED: for the cloud providers' ranges, data/ipintel/providers; POOL.jsonl:
`warden ip --json` of the candidates.) Writes OUTDIR/events.jsonl,
accounts.jsonl and truth.jsonl (formats.md). Standard library only.

It is a probe, not a tuning set: run it after a change, never tune a
detector against it.
"""
import datetime
import ipaddress
import json
import os
import random
import sys

from probe_common import (COUNTRIES, DAYS, S, T0, at, home_candidates, iso, organic_prompts,
                          sittings, write_probe)

PROVIDERS = ['aws', 'googlecloud', 'digitalocean', 'hetzner']
WEBMAIL = {'US': ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'],
           'DE': ['gmx.de', 'web.de', 'gmail.com', 't-online.de'],
           'GB': ['gmail.com', 'hotmail.co.uk', 'outlook.com', 'btinternet.com'],
           'FR': ['orange.fr', 'gmail.com', 'free.fr', 'laposte.net']}
CLIENTS = ['python-requests/2.31.0', 'anthropic-sdk-python/0.42.0', 'OpenAI/Python 1.54.4',
           'httpx/0.27.0', 'aiohttp/3.9.5', 'node-fetch/3.3.2', 'axios/1.7.4', 'curl/8.6.0',
           'litellm/1.51.0', 'Go-http-client/2.0', 'anthropic-typescript/0.32.1']
BROWSERS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
            'Chrome/128.0.0.0 Safari/537.36',
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like '
            'Gecko) Version/17.6 Safari/605.1.15',
            'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0']
MOBILE = ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, '
          'like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) '
          'Chrome/128.0.0.0 Mobile Safari/537.36',
          'Mozilla/5.0 (Linux; Android 13; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) '
          'Chrome/127.0.0.0 Mobile Safari/537.36']
RING_FRAME = ("[job:{j}] Respond to the request below as a domain expert.\n<<REQUEST>>\n{i}\n"
              "<<DATA>>\n{x}\n<<END>>\nFirst reason through the problem in full, numbering your "
              "steps; then give the final deliverable under a line reading 'RESULT:'.")
WAVE_FRAME = ("Reference answer wanted for entry #{j}.\nPrompt: {i}\n{x}\nBe exhaustive: explain "
              "the approach, every intermediate step and the checks you did, then conclude.")
QUIET_PRE, QUIET_POST = "Hi, I have a question for you.", "Thanks! Please be thorough in your answer."
APP_UA = 'Quillbox/4.12.3 (Electron 31.4.0; desktop)'
APP_FRAME = ("<quillbox:user_message>\n{p}\n</quillbox:user_message>\nReply in Markdown. If the "
             "request is ambiguous, state your assumption in one line first.")
TICKET = "Summarise this ticket in three bullet points for the on-call channel:\n\n{p}"
REASON_ASKS = ["Explain your reasoning fully before you give the answer.",
               "Lay out every step you take to get there.",
               "Please include a detailed step-by-step derivation.",
               "Think it through carefully and show all of your work.",
               "Walk through the logic one step at a time, then answer.",
               "Give me the full rationale, not just the result.",
               "Show the chain of reasoning that leads to your answer.",
               "Describe your thought process in detail, then state the final answer.",
               "Reason out loud first; the answer comes last.",
               "I need the intermediate steps too, written out.",
               "Justify each step of the solution as you go.",
               "Start with your analysis, in full, and only then answer."]
WHY = ["Why is that right? Go through it step by step.", "Which assumptions did you rely on?",
       "Explain how you got there in more detail.", "Check your own answer and show the check."]
FOLLOW_UPS = ["Can you say more about the second point?", "Make it shorter please.",
              "Could you give an example?", "Are you sure? That doesn't look right to me.",
              "What would you do in my place?", "Can you put that into a table?",
              "ok, and if I'm a total beginner?", "Thanks! Another question on this:",
              "What are the risks?", "Can you rewrite it more casually?"]
STEPS = ["explain step by step", "can you explain step by step pls", "show the steps",
         "explain step by step, I have an exam tomorrow"]


def candidates(seed, shared):
    r = random.Random(seed)
    for ip in home_candidates(r, [c[0] for c in COUNTRIES.values()], 600):
        print(ip)
    for first, _, _ in COUNTRIES.values():
        for _ in range(30):  # whole /24s: households, a flat, a campus
            net = '%d.%d.%d' % (r.choice(first), r.randrange(256), r.randrange(256))
            for host in r.sample(range(2, 254), 6):
                print('%s.%d' % (net, host))
    for p in PROVIDERS:  # /24s of cloud providers' published ranges
        d = '%s/data/ipintel/providers/%s/' % (shared, p)
        nets = [ipaddress.ip_network(line.strip(), strict=False) for f in os.listdir(d)
                for line in open(d + f) if line.strip() and ':' not in line and '#' not in line]
        for _ in range(25):
            n = r.choice(nets)
            base = int(n.network_address) + (r.randrange(n.num_addresses) & ~255 if n.prefixlen < 24 else 0)
            for host in r.sample(range(2, 254), 6):
                a = ipaddress.ip_address(base + host)
                if a in n:
                    print(a)


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    prompts = shared + '/data/prompts/'
    alpaca = json.load(open(prompts + 'machine/alpaca_5000.json'))
    code = json.load(open(prompts + 'machine/code_alpaca_2k.json'))
    teacher = json.load(open(prompts + 'machine/gpteacher_codegen_instruct.json'))
    gsm = [json.loads(line)['question'] for line in open(prompts + 'taskset/gsm8k_train.jsonl')]
    organic = organic_prompts(shared)
    free, nets, asns, cloud = {cc: [] for cc in COUNTRIES}, {}, {}, {}
    for line in open(pool_path):
        a = json.loads(line)
        cats, net = a.get('categories') or [], a['ip'].rsplit('.', 1)[0]
        if 'hosting' in cats or 'cloud' in cats:
            cloud.setdefault((a.get('provider'), a.get('country'), net), []).append(a['ip'])
        elif a.get('country') in free and not cats and a.get('asn'):
            free[a['country']].append(a['ip'])
            nets.setdefault((a['country'], net), []).append(a['ip'])
            asns.setdefault((a['country'], a['asn']), []).append(a['ip'])
    for cc, ips in free.items():
        if len(ips) < 200:
            sys.exit('probe: only %d residential addresses in %s' % (len(ips), cc))
        r.shuffle(ips)
    used = set()

    def take(cc, n=None, among=None):  # addresses nobody else in the probe has
        got = [ip for ip in (among or free[cc]) if ip not in used][:n or 1]
        if len(got) < (n or 1):
            sys.exit('probe: out of addresses in %s' % cc)
        used.update(got)
        return got if n else got[0]

    def whole_net(cc, n):  # n free addresses of one /24
        ok = [v for (c, _), v in sorted(nets.items()) if c == cc and sum(ip not in used for ip in v) >= n]
        return take(cc, n, r.choice(ok))

    def cloud_net(provider, n, ccs=tuple(COUNTRIES)):
        ok = [k for k, v in sorted(cloud.items()) if k[0] == provider and k[1] in ccs and len(v) >= n]
        if not ok:
            sys.exit('probe: no %s /24 with %d addresses' % (provider, n))
        k = r.choice(ok)
        return k[1], r.sample(cloud[k], n)

    events, accounts, truth = [], [], []

    def item(it):
        return it['instruction'] + ('\n\n' + it['input'] if it.get('input') else '')

    def weekday(d):
        return (T0.weekday() + d) % 7 < 5

    def account(aid, cc, kind, label, created, mail, signup_ip, fp=True, cluster=None,
                program='standard'):
        row = {'account_id': aid, 'created_at': iso(created), 'billing_country': cc,
               'card_country': cc, 'email_domain': mail, 'signup_ip': signup_ip,
               'program': program, 'reseller': False}
        if fp:
            row['payment_fingerprint'] = fp if isinstance(fp, str) else 'fp_%016x' % r.getrandbits(64)
        accounts.append(row)
        t = {'account_id': aid, 'label': label, 'kind': 'probe.' + kind}
        if cluster:
            t['cluster'] = cluster
        truth.append(t)

    def request(aid, t, ip, client, cc, prompt, turns=1, thinking=False, max_tokens=4096,
                system=None, out_tokens=(120, 1100), history=0, **kw):
        if t >= T0 + datetime.timedelta(days=DAYS):
            return
        e = {'ts': iso(t), 'request_id': 'hy%d-%08d' % (seed, len(events) + 1),
             'account_id': aid, 'ip': ip, 'user_agent': client, 'client_tz': COUNTRIES[cc][1],
             'model': 'atlas-2-large', 'endpoint': '/v1/messages', 'prompt': prompt,
             'turns': turns, 'thinking': thinking, 'max_tokens': max_tokens,
             'input_tokens': 10 + (len(prompt) + len(system or '')) // 4 + history,
             'output_tokens': min(max_tokens, r.randrange(*out_tokens)), 'status': 200}
        if system:
            e['system'] = system
        e.update(kw)
        events.append(e)

    def script_run(t, n, gap):  # one script run from time t
        ts = []
        for _ in range(n):
            t += gap() * S
            ts.append(t)
        return ts

    def volume(small=0.35):  # a member's whole harvest: a few dozen, or hundreds
        x = r.random()
        return r.randint(15, 40) if x < small else r.randint(60, 180) if x < 0.7 else r.randint(200, 650)

    def spread(n, first, last, per_day=120):  # n requests over some days in first..last
        k = max(1, min(last - first + 1, -(-n // per_day) + r.randint(0, 2)))
        days = sorted(r.sample(range(first, last + 1), k))
        w = [r.uniform(0.5, 1.5) for _ in days]
        cnt = [int(n * x / sum(w)) for x in w]
        cnt[0] += n - sum(cnt)
        return [(d, c) for d, c in zip(days, cnt) if c]

    machine = alpaca + code + teacher

    def days_since(created):
        return max(0, (created - T0).days + 1) if created > T0 else 0

    # 1. cloud_ring: a few servers of one provider, several accounts each, one client and frame
    scc, servers = cloud_net('hetzner', 4, ('DE',))
    servers = servers[:r.randint(3, 4)]
    for a in range(r.randint(20, 28)):
        aid, created = 'cloud_ring-%02d' % a, T0 + datetime.timedelta(days=r.uniform(-4, 6))
        ip, off = servers[a % len(servers)], COUNTRIES[scc][2]
        account(aid, scc, 'cloud_ring', 'distillation', created, r.choice(WEBMAIL[scc]),
                take(scc), cluster='op1')
        for d, n in spread(volume(), days_since(created), DAYS - 1, 200):
            t = max(created + r.uniform(600, 7200) * S, at(d, r.uniform(0, 20), 0))
            while n > 0:
                k = min(n, r.randint(25, 80))
                for t in script_run(t, k, lambda: r.uniform(8, 40)):
                    it = r.choice(machine)
                    request(aid, t, ip, 'aiohttp/3.9.5', scc,
                            RING_FRAME.format(j='%05d' % r.randrange(99999), i=it['instruction'],
                                              x=it.get('input') or '-'),
                            thinking=r.random() < 0.6, max_tokens=8192, out_tokens=(500, 3500))
                n -= k
                t += r.uniform(1800, 4 * 3600) * S
    # 2. card_ring: 2-3 prepaid cards reused, own home lines in one country, bare mixed items
    cards = ['fp_%016x' % r.getrandbits(64) for _ in range(r.randint(2, 3))]
    for a in range(r.randint(12, 18)):
        aid, cc = 'card_ring-%02d' % a, 'GB'
        home, off, client = take(cc), COUNTRIES[cc][2], r.choice(CLIENTS)
        created = T0 - datetime.timedelta(days=r.uniform(2, 40))
        account(aid, cc, 'card_ring', 'distillation', created, r.choice(WEBMAIL[cc]), home,
                fp=cards[a % len(cards)], cluster='op2')
        h0 = r.uniform(6, 14)
        for d, n in spread(volume(), 0, DAYS - 1, 150):
            for t in sittings(r, d, off, h0, h0 + 10, n, (20, 60), lambda: r.uniform(6, 45),
                              lambda: r.uniform(600, 3600), lead=1.5):
                p = r.choice(gsm) if r.random() < 0.25 else item(r.choice(machine))
                request(aid, t, home, client, cc, p, thinking=True,
                        max_tokens=r.choice([8192, 16000]), out_tokens=(600, 4000))
    # 3. signup_wave: a credit program, within 3 hours, one made-up domain, few requests each
    cc, program = 'US', r.choice(['education', 'startup'])
    start = at(r.randint(1, 4), r.uniform(9, 20), COUNTRIES[cc][2])
    for a in range(r.randint(30, 40)):
        aid, home = 'signup_wave-%02d' % a, take(cc)
        created = start + r.uniform(0, 3 * 3600) * S
        client = r.choice(CLIENTS + BROWSERS)
        account(aid, cc, 'signup_wave', 'distillation', created, 'northquay-research.org', home,
                fp=r.random() < 0.5, cluster='op3', program=program)
        t = created + r.uniform(300, 3 * 3600) * S
        for i in range(r.randint(15, 40)):
            t += (r.uniform(20, 200) if r.random() < 0.9 else r.uniform(3600, 30000)) * S
            p = r.choice(gsm) if r.random() < 0.4 else item(r.choice(machine))
            ask = r.choice(REASON_ASKS)
            request(aid, t, home, client, cc, (p + r.choice(['\n\n', ' ', '\n']) + ask)
                    if r.random() < 0.8 else ask + '\n\n' + p, thinking=r.random() < 0.5,
                    max_tokens=8192, out_tokens=(400, 3000))
    # 4. relay: 20 accounts from 3-4 lines of one /24 (a flat), each its own client, card, webmail
    cc = 'FR'
    lines, off = whole_net(cc, r.randint(3, 4)), COUNTRIES[cc][2]
    for a in range(20):
        aid, client = 'relay-%02d' % a, r.choice(CLIENTS + BROWSERS)
        created = T0 - datetime.timedelta(days=r.uniform(1, 25))
        account(aid, cc, 'relay', 'distillation', created, r.choice(WEBMAIL[cc]), r.choice(lines),
                cluster='op4')
        mine = r.sample(lines, r.randint(1, 2))
        for d, n in spread(volume(0.3), 0, DAYS - 1, 100):
            ts = sittings(r, d, off, r.uniform(8, 12), 23.5, n, (10, 40), lambda: r.uniform(15, 90),
                          lambda: r.uniform(300, 2400), lead=1.5)
            i = 0
            while i < len(ts):
                p = r.choice(gsm) if r.random() < 0.5 else item(r.choice(code + teacher))
                if r.random() < 0.6:
                    p += '\n\n' + r.choice(REASON_ASKS)
                request(aid, ts[i], r.choice(mine), client, cc, p, thinking=True, max_tokens=16000,
                        out_tokens=(800, 5000))
                if r.random() < 0.3 and i + 1 < len(ts):
                    i += 1
                    request(aid, ts[i], r.choice(mine), client, cc, r.choice(WHY), turns=3,
                            thinking=True, max_tokens=16000, out_tokens=(600, 3000),
                            history=len(p) // 4 + r.randrange(800, 3000))
                i += 1
    # 5. waves: days 1, 5 and 10, each wave replacing the last, one cloud /24 and frame
    wcc, box = cloud_net(r.choice(['aws', 'digitalocean']), 5, ('US',))
    off, client, j = COUNTRIES[wcc][2], r.choice(CLIENTS[:4]), 0
    for w, (d0, d1) in enumerate([(0, 3), (4, 8), (9, 13)]):
        for a in range(r.randint(8, 12)):
            aid = 'waves-%d-%02d' % (w, a)
            created = at(d0, 0, 0) - r.uniform(3600, 30 * 3600) * S
            account(aid, wcc, 'waves', 'distillation', created, r.choice(WEBMAIL[wcc]),
                    r.choice(box), cluster='op5')
            for d, n in spread(volume(0.3), d0, d1, 250):
                t = at(d, r.uniform(0, 6), 0)
                while n > 0:
                    k = min(n, r.randint(40, 120))
                    for t in script_run(t, k, lambda: r.uniform(10, 30)):
                        j += 1
                        it = r.choice(alpaca + code)
                        request(aid, t, r.choice(box), client, wcc,
                                WAVE_FRAME.format(j=j, i=it['instruction'], x=it.get('input', '')),
                                thinking=True, max_tokens=12000, out_tokens=(500, 4000))
                    n -= k
                    t += r.uniform(3600, 3 * 3600) * S
    # 6. quiet: 25 human-paced accounts, one residential ASN, a fixed prefix and suffix line
    (cc, _), space = max(asns.items(), key=lambda kv: sum(i not in used for i in kv[1]))
    off = COUNTRIES[cc][2]
    for a in range(25):
        aid, home, client = 'quiet-%02d' % a, take(cc, among=space), r.choice(BROWSERS + CLIENTS[:3])
        created = T0 - datetime.timedelta(days=r.uniform(3, 120))
        account(aid, cc, 'quiet', 'distillation', created, r.choice(WEBMAIL[cc]), home, cluster='op6')
        n, h0 = r.randint(20, 60), r.uniform(8, 17)
        for d, k in spread(n, 0, DAYS - 1, 6):
            for t in sittings(r, d, off, h0, h0 + 6, k, (1, 4), lambda: r.uniform(90, 900),
                              lambda: r.uniform(3600, 4 * 3600), lead=1.5):
                it = r.choice(gsm) if r.random() < 0.3 else item(r.choice(machine))
                request(aid, t, home, client, cc, '%s\n%s\n%s' % (QUIET_PRE, it, QUIET_POST),
                        thinking=r.random() < 0.3, max_tokens=r.choice([4096, 8192]),
                        out_tokens=(300, 2500))

    def person(aid, cc, ip, client, h0, h1, rate, prompt=None, ips=None, work=False, mail=None,
               fp=True, created=None, program='standard', kind=None):
        """A human: organic first turns and follow-ups in sittings at their own hours."""
        off = COUNTRIES[cc][2]
        created = created or T0 - datetime.timedelta(days=r.uniform(20, 700))
        account(aid, cc, kind, 'benign', created, mail or r.choice(WEBMAIL[cc]), ip, fp=fp,
                program=program)
        think = r.random() < 0.3
        for d in range(max(0, (created - T0).days + 1), DAYS):
            if work and not weekday(d):
                continue
            turns, hist = 1, 0
            for t in sittings(r, d, off, h0, h1, r.choice(rate), (1, 7), lambda: r.uniform(40, 500),
                              lambda: r.uniform(1800, 7200), lead=1.5):
                if turns > 7 or r.random() < 0.4:
                    turns, hist = 1, 0
                p = (prompt() if prompt else r.choice(organic)) if turns == 1 else r.choice(FOLLOW_UPS)
                request(aid, t, r.choice(ips) if ips else ip, client, cc, p, turns=turns,
                        thinking=think and r.random() < 0.5, max_tokens=r.choice([1024, 4096, 8192]),
                        history=hist)
                hist += len(p) // 4 + r.randrange(150, 900)
                turns += 2

    # a. people on webmail at their own hours; some pairs share a household /24
    a = 0
    while a < 250:
        cc = r.choice(list(COUNTRIES))
        homes = whole_net(cc, 2) if a < 60 else [take(cc)]
        for ip in homes:
            h0 = r.uniform(7, 20)
            person('person-%03d' % a, cc, ip, r.choice(BROWSERS + CLIENTS), h0, min(24, h0 + 4),
                   [0, 0, 0, 1, 2, 3, 4, 6, 8], kind='person')
            a += 1
    # b. three companies behind 1-2 egress lines, office hours, half use an internal tool frame
    for c, (cc, dom) in enumerate([('US', 'halvorsen-logistics.com'), ('DE', 'brandt-systeme.de'),
                                   ('GB', 'pellow-insurance.co.uk')]):
        egress, corp_card = take(cc, r.randint(1, 2)), 'fp_%016x' % r.getrandbits(64)
        for e in range(r.randint(40, 80)):
            tool, coder = r.random() < 0.5, r.random() < 0.3
            client = r.choice(['python-requests/2.31.0', 'httpx/0.27.0']) if tool else r.choice(BROWSERS)

            def ask(tool=tool, coder=coder):
                if tool and r.random() < 0.6:
                    return TICKET.format(p=r.choice(organic))
                return item(r.choice(code + teacher)) if coder and r.random() < 0.5 else r.choice(organic)
            person('corp%d-%02d' % (c, e), cc, egress[0], client, r.uniform(8, 10), 17.5,
                   [0, 1, 2, 3, 4, 6, 10], prompt=ask, ips=egress, work=True, mail=dom,
                   fp=corp_card if r.random() < 0.4 else True, kind='corp')
    # c. mobile users behind 4-6 shared addresses of one carrier, evenings
    cc = r.choice(['DE', 'GB'])
    space = max((v for k, v in asns.items() if k[0] == cc), key=lambda v: sum(i not in used for i in v))
    gw = take(cc, r.randint(4, 6), space)
    for u in range(120):
        person('cgnat-%03d' % u, cc, r.choice(gw), r.choice(MOBILE), r.uniform(18, 20), 23.8,
               [0, 0, 1, 1, 2, 3, 5], ips=gw, kind='cgnat')
    # d. customers of one third-party client app: same UA and frame, own homes and cards
    for u in range(60):
        cc = r.choice(list(COUNTRIES))
        h0 = r.uniform(7, 19)
        person('saas-%02d' % u, cc, take(cc), APP_UA, h0, min(24, h0 + 5), [0, 1, 2, 4, 6, 9],
               prompt=lambda: APP_FRAME.format(p=r.choice(organic)), kind='saas')
    # e. a university's students: education sign-ups in term week, campus lines, gsm8k at night
    cc, campus = 'GB', whole_net('GB', r.randint(3, 4))
    for s in range(50):
        created = T0 + r.uniform(0, 48 * 3600) * S

        def homework():
            q = r.choice(gsm)
            return q + ' ' + r.choice(STEPS) if r.random() < 0.35 else q
        person('student-%02d' % s, cc, r.choice(campus), r.choice(BROWSERS + MOBILE),
               r.uniform(18, 20.5), 23.9, [0, 0, 2, 4, 6, 10], prompt=homework, ips=campus,
               mail='students.ashcombe.ac.uk', fp=r.random() < 0.4, created=created,
               program='education', kind='university')
    # f. families on a parent's card at one home address
    for f in range(6):
        cc = r.choice(list(COUNTRIES))
        home, fp = take(cc), 'fp_%016x' % r.getrandbits(64)
        for m in range(r.randint(2, 3)):
            h0 = r.uniform(8, 20)
            person('family%d-%d' % (f, m), cc, home, r.choice(BROWSERS + MOBILE), h0, min(24, h0 + 4),
                   [0, 0, 1, 2, 3, 5], fp=fp, kind='shared_card')
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'candidates':
        candidates(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == 'generate':
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
