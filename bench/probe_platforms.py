#!/usr/bin/env python3
"""probe_platforms.py - a held-out traffic probe, written apart from `warden
sim` and the detectors: applications that serve their own users through one
account and pass each user's id in `end_user`, without being declared
resellers in the registry, and the one user of such an app who harvests.

  probe.app            apps (a writing assistant, a coding helper, a chat
                       front end) with 30-1,000 end users: organic prompts,
                       multi-turn sessions at each user's hours, the app's
                       system prompt, from two or three of its cloud servers
  probe.app_study      a study-helper app whose students ask grade-school
                       maths questions and want the working shown
  probe.app_carrier    apps like probe.app, one of whose users harvests
  probe.app_harvester  that user (truth id APP/END_USER): dataset items
                       (Alpaca, GSM8K) with a request for the reasoning in
                       varied wording, scripted through the app for days
  probe.fake_platform  harvesting accounts that send a new `end_user` id
                       every few requests, to look like a platform
  probe.fake_few_users harvesting accounts that spread their requests over
                       two to five made-up `end_user` ids, each kept
  probe.person         people with their own accounts (no end users)

Prompts come from ../shared/data/prompts (public corpora, not bundled);
addresses from a pool checked with `warden ip`.

Usage:
  probe_platforms.py candidates SEED SHARED > candidates.txt
  probe_platforms.py generate SEED OUTDIR SHARED POOL.jsonl
Writes OUTDIR/events.jsonl, accounts.jsonl, accounts_declared.jsonl (the
apps declared as resellers) and truth.jsonl (formats.md). Standard library
only. It is a probe, not a tuning set: run it after a change, never tune a
detector against it.
"""
import datetime
import ipaddress
import json
import os
import random
import sys

from probe_common import (COUNTRIES, DAYS, T0, add_request, home_candidates, iso, organic_prompts,
                          write_probe)

PROVIDERS = ['aws', 'googlecloud', 'digitalocean', 'hetzner']
FOLLOW_UPS = ['Can you make it shorter?', 'Thanks. What about the second part?',
              'Give me an example please.', 'Why is that?', 'Rewrite it in a friendlier tone.',
              'ok and how would I do that in practice?']
ASK_WORKING = ['Please explain each step so I can follow.', 'Show me how to get the answer.',
               'Can you walk me through it?', 'I need the working, not just the answer.']
HARVEST_ASK = ['\n\nReason through this carefully and lay out every step of your thinking before '
               'you give the final answer.',
               '\n\nBefore answering, write out your full chain of reasoning.',
               '\n\nExplain your reasoning in detail, then state the answer on the last line.',
               '\n\nWork it out step by step and show all intermediate steps.']
FAKE_ASK = ['\n\nThink it through thoroughly and show your complete reasoning process.',
            '\n\nGive a detailed rationale for each step, then the answer.',
            '\n\nFirst reason at length about the problem, then answer.',
            '\n\nShow every step of your derivation before concluding.']
APPS = [('a writing assistant', 'You are Quill, a friendly writing assistant. Help the user '
         'improve their text. Keep the user\'s voice.'),
        ('a coding helper', 'You are DevPal, an assistant inside a code editor. Answer '
         'programming questions concisely with code where useful.'),
        ('a chat front end', 'You are a helpful assistant. Today is {day}. Answer in the '
         'language of the user.')]
STUDY = ('a study helper', 'You are Tutorly, a patient maths tutor for school students. '
         'Explain clearly and check the student understands.')


def cloud_candidates(r, shared):
    for p in PROVIDERS:  # /24s of cloud providers' published ranges
        d = '%s/data/ipintel/providers/%s/' % (shared, p)
        nets = [ipaddress.ip_network(line.strip(), strict=False) for f in sorted(os.listdir(d))
                for line in open(d + f) if line.strip() and ':' not in line and '#' not in line]
        for _ in range(25):
            n = r.choice(nets)
            base = int(n.network_address) + (r.randrange(n.num_addresses) & ~255
                                             if n.prefixlen < 24 else 0)
            for host in r.sample(range(2, 254), 6):
                a = ipaddress.ip_address(base + host)
                if a in n:
                    yield str(a)


def candidates(seed, shared):
    r = random.Random(seed)
    for ip in home_candidates(r, [c[0] for c in COUNTRIES.values()]):
        print(ip)
    for ip in cloud_candidates(r, shared):
        print(ip)


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    prompts = shared + '/data/prompts/'
    alpaca = json.load(open(prompts + 'machine/alpaca_5000.json'))
    gsm = [json.loads(line)['question'] for line in open(prompts + 'taskset/gsm8k_train.jsonl')]
    organic = organic_prompts(shared)
    home, cloud = {cc: [] for cc in COUNTRIES}, {}
    for line in open(pool_path):
        a = json.loads(line)
        cats = a.get('categories') or []
        if ('hosting' in cats or 'cloud' in cats) and a.get('country') in COUNTRIES:
            cloud.setdefault(a['country'], []).append(a['ip'])
        elif a.get('country') in home and not cats and a.get('asn'):
            home[a['country']].append(a['ip'])
    for cc in COUNTRIES:
        if len(home[cc]) < 50:
            sys.exit('probe: only %d residential addresses in %s' % (len(home[cc]), cc))
    ccs_cloud = sorted(cc for cc in cloud if len(cloud[cc]) >= 6)
    if not ccs_cloud:
        sys.exit('probe: no cloud addresses in the pool')
    events, accounts, truth, apps = [], [], [], set()
    end = T0 + datetime.timedelta(days=DAYS)

    def account(aid, cc, kind, label, mail, signup_ip, app=False):
        created = T0 - datetime.timedelta(days=r.randrange(20, 700))
        accounts.append({'account_id': aid, 'created_at': iso(created), 'billing_country': cc,
                         'card_country': cc, 'payment_fingerprint': 'fp_%016x' % r.getrandbits(64),
                         'email_domain': mail, 'signup_ip': signup_ip, 'program': 'standard',
                         'reseller': False})
        truth.append({'account_id': aid, 'label': label, 'kind': 'probe.' + kind})
        if app:
            apps.add(aid)

    def request(aid, t, ip, client, prompt, **kw):
        if t < end:
            add_request(events, aid, t, ip, client, prompt, request_id='pl%d-%08d' % (seed, len(events) + 1),
                        status=200, **kw)

    def session_times(off, n):
        """One sitting of n requests at a person's local daytime or evening."""
        day = r.randrange(DAYS)
        t = T0 + datetime.timedelta(days=day, hours=r.randrange(8, 23) - off,
                                    minutes=r.randrange(60))
        ts = []
        for _ in range(n):
            t += datetime.timedelta(seconds=r.randrange(25, 400))
            ts.append(t)
        return ts

    def app(aid, name, system, n_users, study=False, harvester=None):
        cc = r.choice(ccs_cloud)
        servers = r.sample(cloud[cc], 3)
        client = '%s-backend/%d.%d python-httpx/0.27.2' % (name.split()[-1], r.randrange(1, 4),
                                                           r.randrange(10))
        think, budget = r.random() < 0.4, r.choice([2048, 4096, 8192])
        for u in range(n_users):
            ucc = r.choice(list(COUNTRIES))
            off = COUNTRIES[ucc][2]
            eu = 'u-%06d' % r.randrange(10 ** 6)
            for _ in range(r.choice([1, 1, 2, 3, 4, 6])):
                turns, hist = 1, 0
                for t in session_times(off, r.randrange(1, 9)):
                    if study:
                        p = r.choice(gsm) + ('\n\n' + r.choice(ASK_WORKING) if r.random() < 0.6
                                             else '') if turns == 1 else r.choice(FOLLOW_UPS)
                    else:
                        p = r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS)
                    o = r.randrange(120, 1400)
                    request(aid, t, r.choice(servers), client, p, end_user=eu,
                            system=system.format(day=t.strftime('%A %d %B %Y')), turns=turns,
                            thinking=think, max_tokens=budget, input_tokens=60 + len(p) // 4 + hist,
                            output_tokens=min(o, budget))
                    hist += len(p) // 4 + o
                    turns += 2
        if harvester:
            hid, items = harvester
            ask = r.choice(HARVEST_ASK)
            day0, days = r.randrange(0, 5), r.randrange(3, 9)
            left = r.randrange(150, 600)
            for d in range(day0, min(DAYS, day0 + days)):
                t = T0 + datetime.timedelta(days=d, hours=r.randrange(0, 24), minutes=r.randrange(60))
                for _ in range(min(left, r.randrange(30, 120))):
                    t += datetime.timedelta(seconds=r.uniform(15, 75))
                    p = items.pop() + ask
                    request(aid, t, r.choice(servers), client, p, end_user=hid,
                            system=system.format(day=t.strftime('%A %d %B %Y')), turns=1,
                            thinking=think, max_tokens=budget, input_tokens=60 + len(p) // 4,
                            output_tokens=min(budget, r.randrange(700, 3000)))
                    left -= 1
                if left <= 0:
                    break

    alp = [it['instruction'] + ('\n\n' + it['input'] if it.get('input') else '') for it in alpaca]
    r.shuffle(alp)
    pool_items = [alp, gsm[:]]
    r.shuffle(pool_items[1])
    sizes = [30, 60, 120, 250, 500, 1000]
    k = 0
    for kind in ('app', 'app_carrier'):
        for n in sizes:
            name, system = APPS[k % len(APPS)]
            aid = 'app-%02d' % k
            k += 1
            cc = r.choice(list(COUNTRIES))
            account(aid, cc, kind, 'benign', 'app%d.example' % k, r.choice(home[cc]), app=True)
            harvester = None
            if kind == 'app_carrier':
                hid = 'u-h%05d' % r.randrange(10 ** 5)
                truth.append({'account_id': '%s/%s' % (aid, hid), 'label': 'distillation',
                              'kind': 'probe.app_harvester'})
                harvester = (hid, pool_items[k % 2])
            app(aid, name, system, n, harvester=harvester)
    for n in (80, 400):
        aid = 'app-%02d' % k
        k += 1
        account(aid, 'US', 'app_study', 'benign', 'tutor%d.example' % k, r.choice(home['US']),
                app=True)
        app(aid, STUDY[0], STUDY[1], n, study=True)
    def made_up(prefix, kind, new_id):
        """Six harvesting accounts; new_id(i, previous) is request i's end_user."""
        for a in range(6):
            aid = '%s-%02d' % (prefix, a)
            cc = r.choice(ccs_cloud)
            account(aid, cc, kind, 'distillation', r.choice(['gmail.com', 'outlook.com']),
                    r.choice(home[cc]))
            servers = r.sample(cloud[cc], 2)
            client = r.choice(['python-httpx/0.27.2', 'axios/1.7.7'])
            items, ask = pool_items[a % 2], r.choice(FAKE_ASK)
            t = T0 + datetime.timedelta(days=r.randrange(0, 4), hours=r.randrange(24))
            ids, eu = ['cust-%04d' % r.randrange(10 ** 4) for _ in range(r.randrange(2, 6))], None
            for i in range(r.randrange(200, 500)):
                eu = new_id(i, eu, ids)
                t += datetime.timedelta(seconds=r.uniform(20, 120) if i % 60
                                        else r.uniform(3600, 30000))
                p = items.pop() + ask
                request(aid, t, r.choice(servers), client, p, end_user=eu, turns=1, thinking=True,
                        max_tokens=16000, input_tokens=40 + len(p) // 4,
                        output_tokens=r.randrange(900, 4000))

    # accounts that harvest under a made-up end-user id every few requests
    made_up('fake', 'fake_platform', lambda i, eu, ids: 'user_%d' % r.randrange(10 ** 7)
            if i % r.choice([1, 2, 3, 5]) == 0 else eu)
    # ... and under two to five made-up ids, each kept
    made_up('few', 'fake_few_users', lambda i, eu, ids: r.choice(ids))
    # people on their own accounts
    for a in range(200):
        aid = 'person-%03d' % a
        cc = r.choice(list(COUNTRIES))
        first, tz, off = COUNTRIES[cc]
        ip = r.choice(home[cc])
        account(aid, cc, 'person', 'benign', r.choice(['gmail.com', 'outlook.com', 'web.de']), ip)
        client = r.choice(['anthropic-sdk-python/0.39.0', 'OpenAI/Python 1.52.0', 'curl/8.5.0'])
        for _ in range(r.randrange(1, 8)):
            turns, hist = 1, 0
            for t in session_times(off, r.randrange(1, 8)):
                p = r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS)
                o = r.randrange(100, 1500)
                request(aid, t, ip, client, p, client_tz=tz, turns=turns,
                        thinking=r.random() < 0.3, max_tokens=r.choice([1024, 4096, 8192]),
                        input_tokens=50 + len(p) // 4 + hist, output_tokens=o)
                hist += len(p) // 4 + o
                turns += 2
    write_probe(out, events, accounts, truth)
    with open(out + '/accounts_declared.jsonl', 'w') as f:
        for a in accounts:
            f.write(json.dumps(dict(a, reseller=a['account_id'] in apps)) + '\n')

if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'candidates':
        candidates(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == 'generate':
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
