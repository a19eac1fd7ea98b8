#!/usr/bin/env python3
"""probe_split_harvest.py - a held-out traffic probe, written apart from
`warden sim`: a distillation ring that splits its harvest over many
accounts, each with its own card, webmail address, home line and client,
sharing only the frame its pipeline wraps items in, each account sending a
few dozen requests in one sitting and never again; 300 people on organic
prompts, multi-turn, at their own hours; a labelling shop sending one
template at office hours. Prompts come from ../shared/data/prompts (public
corpora, not bundled); addresses from a pool checked with `warden ip`.

Usage:
  probe_split_harvest.py candidates SEED > candidates.txt
  probe_split_harvest.py generate SEED OUTDIR SHARED POOL.jsonl LO HI RING
(POOL.jsonl: `warden ip --json` of the candidates.) Writes OUTDIR/events.jsonl,
accounts.jsonl and truth.jsonl (formats.md). Standard library only.

It is a probe, not a tuning set: run it after a change, never tune a
detector against it.
"""
import datetime
import json
import random
import sys

from probe_common import (add_account, add_request, home_candidates, organic_prompts,
                          residential_pool, write_probe)

COUNTRIES = {  # first octets of big residential ISPs' space, declared zone, UTC offset
    'US': ([73, 24, 98, 71, 76, 67], 'America/Chicago', -6),
    'DE': ([79, 91, 84, 93], 'Europe/Berlin', 1),
    'GB': ([86, 81, 92, 82], 'Europe/London', 0),
    'FR': ([90, 86, 109, 92], 'Europe/Paris', 1),
}
CLIENTS = ['python-requests/2.31.0', 'OpenAI/Python 1.35.3', 'anthropic-sdk-python/0.34.2',
           'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
           'Chrome/126.0 Safari/537.36', 'node-fetch/1.0', 'axios/1.7.2', 'litellm/1.40.0']
FRAMES = ["### Task\n{i}\n{x}\n### Respond with detailed step-by-step reasoning before the final "
          "answer.",
          "{i}\n\nInput: {x}\n\nThink carefully and explain every step of your reasoning, then state "
          "the answer."]
FOLLOW_UPS = ['Can you expand on that?', 'Thanks! And what about the second point?',
              'Make it shorter.', 'Give me an example.', 'Why?']
T0 = datetime.datetime(2026, 9, 1, tzinfo=datetime.timezone.utc)


def candidates(seed):
    for ip in home_candidates(random.Random(seed), [c[0] for c in COUNTRIES.values()]):
        print(ip)


def generate(seed, out, shared, pool_path, lo, hi, nring):
    r = random.Random(seed)
    prompts = shared + '/data/prompts/'
    alpaca = json.load(open(prompts + 'machine/alpaca_5000.json'))
    organic = organic_prompts(shared)
    pool = residential_pool(pool_path, COUNTRIES)
    events, accounts, truth = [], [], []

    def account(aid, cc, kind, label, cluster=None, age_days=None, mail='gmail.com'):
        created = T0 - datetime.timedelta(days=age_days if age_days else r.randrange(5, 400))
        add_account(accounts, truth, r, pool, aid, cc, kind, label, created, mail, cluster)

    def request(aid, t, ip, client, prompt, **kw):
        add_request(events, aid, t, ip, client, prompt, **kw)

    # 1. the ring: the work split between its accounts, one sitting each
    items = alpaca[:]
    r.shuffle(items)
    frame = r.choice(FRAMES)
    k = 0
    for a in range(nring):
        aid = 'ring-%02d' % a
        cc = r.choice(list(COUNTRIES))
        account(aid, cc, 'probe.ring', 'distillation', cluster='ring', age_days=r.randrange(1, 20))
        client, ip = r.choice(CLIENTS), r.choice(pool[cc])
        t = T0 + datetime.timedelta(hours=r.randrange(0, 48))
        for _ in range(r.randrange(lo, hi)):
            it = items[k % len(items)]
            k += 1
            t += datetime.timedelta(seconds=r.expovariate(1 / 70))
            if r.random() < 0.05:
                ip = r.choice(pool[cc])
            request(aid, t, ip, client, frame.format(i=it['instruction'], x=it['input'] or '(none)'),
                    turns=1, thinking=True, max_tokens=r.choice([16000, 32000]),
                    input_tokens=80 + len(it['input']) // 4, output_tokens=r.randrange(900, 5000),
                    status=200)
    # 2. people: organic prompts, their own hours and home line, follow-ups
    for a in range(300):
        aid = 'user-%03d' % a
        cc = r.choice(list(COUNTRIES))
        _, tz, off = COUNTRIES[cc]
        account(aid, cc, 'probe.person', 'benign',
                mail=r.choice(['gmail.com', 'outlook.com', 'example-%d.com' % a]))
        client, ip = r.choice(CLIENTS), r.choice(pool[cc])
        for d in range(14):
            if r.random() < 0.5:
                continue
            t = T0 + datetime.timedelta(days=d, hours=r.randrange(8, 22) - off,
                                        minutes=r.randrange(60))
            turns = 1
            for _ in range(r.randrange(1, 8)):
                t += datetime.timedelta(seconds=r.randrange(30, 600))
                p = r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS)
                request(aid, t, ip, client, p, turns=turns, thinking=r.random() < 0.3,
                        max_tokens=r.choice([1024, 4096, 8192]), client_tz=tz,
                        input_tokens=200 * turns, output_tokens=r.randrange(100, 1500), status=200)
                turns += 2
    # 3. a labelling shop: one template over customer messages, office hours, no reasoning
    for a in range(3):
        aid = 'label-%d' % a
        account(aid, 'DE', 'probe.labelling', 'benign', mail='labelshop.example')
        ip = r.choice(pool['DE'])
        for d in range(14):
            if (T0 + datetime.timedelta(days=d)).weekday() >= 5:
                continue
            t = T0 + datetime.timedelta(days=d, hours=8)
            for _ in range(300):
                t += datetime.timedelta(seconds=r.randrange(20, 90))
                it = r.choice(alpaca)
                request(aid, t, ip, 'python-requests/2.31.0',
                        'Classify the sentiment of this customer message as positive, negative or '
                        'neutral. Reply with one word.\n\nMessage: ' + (it['input'] or it['instruction']),
                        turns=1, thinking=False, max_tokens=5, input_tokens=60, output_tokens=1,
                        status=200)
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'candidates':
        candidates(int(sys.argv[2]))
    elif len(sys.argv) == 9 and sys.argv[1] == 'generate':
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
                 int(sys.argv[7]), int(sys.argv[8]))
    else:
        sys.exit(__doc__)
