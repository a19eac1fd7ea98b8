#!/usr/bin/env python3
"""probe_pooled.py - a held-out traffic probe, written apart from `warden sim`:
operations that hide their harvest under ordinary use, so that no account
alone reaches review, against people and groups who share what operations
share.

Operations (label distillation, one truth cluster each):
  probe.cover_domain  10 accounts on the operation's own e-mail domain, each
                      with its own card, home line and client, over two
                      weeks: about half their requests grade-school maths
                      items (GSM8K) with reasoning on and big budgets, the
                      rest people's prompts (Arena-Hard, Open-Assistant)
  probe.cover_cards   12 webmail accounts paying with 3 cards in turn, the
                      same mix over coding tasks (Code Alpaca)
Look-alikes (label benign):
  probe.person        300 people: organic prompts, multi-turn, own hours
  probe.company       25 employees of one company on its domain (no
                      declared organisation), 8 of them on one company card;
                      7 heavy reasoning-model users among them
  probe.family        4 households of two on one card, one heavy user each
  probe.student       40 students of one university (its domain, sign-ups
                      in a semester-start burst on the education program);
                      8 of them ask maths questions with reasoning on, in
                      evening sittings
Prompts come from ../shared/data/prompts (public corpora, not bundled);
addresses from a pool checked with `warden ip`.

Usage:
  probe_pooled.py candidates SEED > candidates.txt
  probe_pooled.py generate SEED OUTDIR SHARED POOL.jsonl
Writes OUTDIR/events.jsonl, accounts.jsonl and truth.jsonl (formats.md).
Standard library only. It is a probe, not a tuning set: run it after a
change, never tune a detector against it.
"""
import datetime
import json
import random

from probe_common import (COUNTRIES, DAYS, T0, add_request, home_candidates, iso,
                          organic_prompts, probe_main, residential_pool, write_probe)

CLIENTS = ['python-requests/2.31.0', 'OpenAI/Python 1.35.3', 'anthropic-sdk-python/0.34.2',
           'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
           'Chrome/126.0 Safari/537.36', 'node-fetch/1.0', 'axios/1.7.2', 'litellm/1.40.0',
           'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) '
           'Version/17.5 Safari/605.1.15']
FOLLOW_UPS = ['Can you expand on that?', 'Thanks! And what about the second point?',
              'Make it shorter.', 'Give me an example.', 'Why?', 'Can you check that again?']
WEBMAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com', 'gmx.de']


def candidates(seed):
    for ip in home_candidates(random.Random(seed), [c[0] for c in COUNTRIES.values()]):
        print(ip)


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    d = shared + '/data/prompts/'
    gsm = [json.loads(line)['question'] for line in open(d + 'taskset/gsm8k_train.jsonl')]
    code = [o['instruction'] + ('\n\n' + o['input'] if o.get('input') else '')
            for o in json.load(open(d + 'machine/code_alpaca_2k.json'))]
    organic = organic_prompts(shared)
    pool = residential_pool(pool_path, COUNTRIES)
    r.shuffle(gsm)
    r.shuffle(code)
    events, accounts, truth = [], [], []

    def account(aid, cc, kind, label, cluster=None, mail=None, card=None, program='standard',
                created=None):
        created = created or T0 - datetime.timedelta(days=r.randrange(5, 400),
                                                     seconds=r.randrange(86400))
        accounts.append({'account_id': aid, 'created_at': iso(created), 'billing_country': cc,
                         'card_country': cc,
                         'payment_fingerprint': card or 'fp_%016x' % r.getrandbits(64),
                         'email_domain': mail or r.choice(WEBMAIL),
                         'signup_ip': r.choice(pool[cc]), 'program': program, 'reseller': False})
        t = {'account_id': aid, 'label': label, 'kind': kind}
        if cluster:
            t['cluster'] = cluster
        truth.append(t)

    def request(aid, t, ip, client, prompt, **kw):
        add_request(events, aid, t, ip, client, prompt, **kw)

    def person_turns(aid, t, ip, client, tz, heavy, n):
        """One sitting of a person: a first turn and follow-ups."""
        turns = 1
        for _ in range(n):
            t += datetime.timedelta(seconds=r.randrange(40, 900))
            p = r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS)
            think = r.random() < (0.9 if heavy else 0.25)
            request(aid, t, ip, client, p, turns=turns, thinking=think, client_tz=tz,
                    max_tokens=r.choice([16000, 32000] if heavy else [1024, 4096, 8192]),
                    input_tokens=150 * turns + r.randrange(50),
                    output_tokens=r.randrange(600, 4000) if heavy else r.randrange(80, 1500),
                    status=200)
            turns = turns + 2 if r.random() < 0.6 else 1
        return t

    def person(aid, cc, heavy=False, days=0.5, hours=(8, 23), sitting=(1, 8)):
        _, tz, off = COUNTRIES[cc]
        client, ip = r.choice(CLIENTS), r.choice(pool[cc])
        for day in range(DAYS):
            if r.random() > days:
                continue
            t = T0 + datetime.timedelta(days=day, hours=r.uniform(*hours) - off)
            for _ in range(r.choice([1, 1, 2])):
                t = person_turns(aid, t, ip, client, tz, heavy, r.randrange(*sitting))
                t += datetime.timedelta(hours=r.uniform(1, 5))

    def cover(aid, cc, items, pos):
        """An operation's account: sittings that mix its items with people's prompts."""
        _, tz, off = COUNTRIES[cc]
        client, ip = r.choice(CLIENTS), r.choice(pool[cc])
        for day in range(DAYS):
            if r.random() > 0.6:
                continue
            t = T0 + datetime.timedelta(days=day, hours=r.uniform(8, 22) - off)
            for _ in range(r.choice([1, 2])):
                for _ in range(r.randrange(8, 26)):
                    t += datetime.timedelta(seconds=r.expovariate(1 / 150) + 10)
                    if r.random() < 0.55:
                        request(aid, t, ip, client, items[pos[0] % len(items)], turns=1,
                                thinking=r.random() < 0.8, max_tokens=r.choice([16000, 32000]),
                                client_tz=tz, input_tokens=r.randrange(60, 200),
                                output_tokens=r.randrange(800, 4000), status=200)
                        pos[0] += 1
                    else:
                        request(aid, t, ip, client, r.choice(organic), turns=1,
                                thinking=r.random() < 0.2, max_tokens=r.choice([1024, 4096, 8192]),
                                client_tz=tz, input_tokens=r.randrange(60, 400),
                                output_tokens=r.randrange(100, 1500), status=200)
                t += datetime.timedelta(hours=r.uniform(2, 6))

    # the operations
    domain = r.choice(['kestrel-data.io', 'larkspur-labs.net', 'corvid-ai.dev'])
    pos = [0]
    for a in range(10):
        cc = r.choice(list(COUNTRIES))
        account('dom-%02d' % a, cc, 'probe.cover_domain', 'distillation', cluster='op-domain',
                mail=domain)
        cover('dom-%02d' % a, cc, gsm, pos)
    cards = ['fp_%016x' % r.getrandbits(64) for _ in range(3)]
    pos = [0]
    for a in range(12):
        cc = r.choice(list(COUNTRIES))
        account('crd-%02d' % a, cc, 'probe.cover_cards', 'distillation', cluster='op-cards',
                card=cards[a % 3])
        cover('crd-%02d' % a, cc, code, pos)
    # people
    for a in range(300):
        cc = r.choice(list(COUNTRIES))
        account('user-%03d' % a, cc, 'probe.person', 'benign')
        person('user-%03d' % a, cc, heavy=r.random() < 0.1)
    # a company on its domain, 8 on the company card, 7 heavy users
    ccard = 'fp_%016x' % r.getrandbits(64)
    for a in range(25):
        aid = 'corp-%02d' % a
        account(aid, 'US', 'probe.company', 'benign', mail='northwind-analytics.example',
                card=ccard if a < 8 else None)
        person(aid, 'US', heavy=a % 4 == 0, days=0.7, hours=(9, 18))
    # households on one card, one heavy user each
    for h in range(4):
        cc, card = r.choice(list(COUNTRIES)), 'fp_%016x' % r.getrandbits(64)
        for m in range(2):
            aid = 'fam-%d-%d' % (h, m)
            account(aid, cc, 'probe.family', 'benign', card=card)
            person(aid, cc, heavy=m == 0)
    # students: a semester-start burst on the education program; some do maths
    start = T0 - datetime.timedelta(days=20)
    maths = gsm[5000:]
    for a in range(40):
        aid = 'stu-%02d' % a
        account(aid, 'GB', 'probe.student', 'benign', mail='students.uni-example.ac.uk',
                program='education',
                created=start + datetime.timedelta(minutes=r.randrange(0, 240)))
        if a < 8:
            _, tz, off = COUNTRIES['GB']
            client, ip = r.choice(CLIENTS), r.choice(pool['GB'])
            for day in range(DAYS):
                if r.random() > 0.45:
                    continue
                t = T0 + datetime.timedelta(days=day, hours=r.uniform(17, 22) - off)
                for _ in range(r.randrange(4, 14)):
                    t += datetime.timedelta(seconds=r.randrange(120, 900))
                    request(aid, t, ip, client, r.choice(maths), turns=1,
                            thinking=r.random() < 0.7, max_tokens=r.choice([8192, 16000]),
                            client_tz=tz, input_tokens=r.randrange(60, 200),
                            output_tokens=r.randrange(400, 2500), status=200)
        else:
            person(aid, 'GB', days=0.4, hours=(10, 23))
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    probe_main(__doc__, candidates, generate)
