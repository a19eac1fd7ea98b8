#!/usr/bin/env python3
"""probe_big_ring.py - a held-out traffic probe, written apart from `warden
sim`: operations far larger than a frame's common-identifier threshold
(a frame sent by more than about 40 accounts ties no suspect to anyone),
whose members each wrap their harvest in the operation's one frame and hide
it among people's prompts, against the crowds that share a frame for
ordinary reasons.

Operations (label distillation, one truth cluster each), every account with
its own card, webmail address, home line and client, created over the
last two months:
  probe.big_ring   150 accounts, one instruction line before grade-school
                   maths items (GSM8K) and coding tasks (Code Alpaca), about
                   55 % of their requests, reasoning on and big budgets; the
                   rest people's prompts; two to four sittings each
  probe.mid_ring   40 accounts, one formatting line after general
                   instructions (Alpaca), about 60 % of their requests
Look-alikes (label benign):
  probe.person       300 people: organic prompts, multi-turn, own hours
  probe.app_writer   200 users of one bring-your-own-key writing app: its
                     frame around their own text, short answers
  probe.app_tutor    60 users of one maths-tutor app: its frame ("work
                     through the problem step by step") around maths
                     problems, reasoning on for most, evenings; six in ten
                     problems followed by one to three questions about it
  probe.student      40 students asking maths with reasoning on, no frame
Prompts come from ../shared/data/prompts (public corpora, not bundled);
addresses from a pool checked with `warden ip`.

`probe_big_ring.py candidates SEED` prints the candidate home addresses;
`probe_big_ring.py generate SEED OUTDIR SHARED POOL.jsonl` (POOL: `warden ip
--json` of them) writes OUTDIR/events.jsonl, accounts.jsonl and truth.jsonl
(formats.md). Standard library only. A probe, not a tuning set: run it after
a change, never tune a detector against it.
"""
import datetime
import random

from probe_common import (COUNTRIES, DAYS, T0, add_account, add_request, day_starts,
                          organic_prompts, print_candidates, probe_main, residential_pool,
                          task_items, write_probe)
from probe_pooled import CLIENTS, FOLLOW_UPS, WEBMAIL

LEARNER = ["I don't get the second step, can you explain it differently?",
           'Is there a quicker way to do this?', 'Can you check my answer? I got a different number.',
           'Why do we multiply there and not add?', 'Can you give me a similar problem to practise?',
           'ok thanks. what if the numbers were doubled?']
BIG_FRAME = 'Answer the following as a domain expert. Be rigorous and complete.\n\n'
MID_FRAME = '\n\n[Format: a full worked answer first, then the final answer on its own line.]'
WRITER = 'You are Quillify, a writing assistant. Improve the clarity of the text below.\n\n'
TUTOR = ('You are Sumwise, a patient maths tutor. Work through the problem step by step and '
         'explain each step.\n\nProblem: ')


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    gsm, code, alpaca = (task_items(shared, n) for n in ('gsm8k', 'code_alpaca_2k', 'alpaca_5000'))
    organic = organic_prompts(shared)
    pool = residential_pool(pool_path, COUNTRIES)
    for items in (gsm, code, alpaca):
        r.shuffle(items)
    events, accounts, truth = [], [], []

    def account(aid, cc, kind, label, cluster=None, days=(5, 400)):
        add_account(accounts, truth, r, pool, aid, cc, kind, label,
                    T0 - datetime.timedelta(days=r.uniform(*days)), r.choice(WEBMAIL), cluster)

    def request(aid, t, ip, client, prompt, **kw):
        add_request(events, aid, t, ip, client, prompt, **kw)

    def person(aid, cc, heavy=False):
        _, tz, off = COUNTRIES[cc]
        client, ip = r.choice(CLIENTS), r.choice(pool[cc])
        for t in day_starts(r, off, 0.5, (8, 23)):
            for _ in range(r.choice([1, 1, 2])):
                turns = 1
                for _ in range(r.randrange(1, 8)):
                    t += datetime.timedelta(seconds=r.randrange(40, 900))
                    p = r.choice(organic) if turns == 1 else r.choice(FOLLOW_UPS)
                    request(aid, t, ip, client, p, turns=turns, client_tz=tz,
                            thinking=r.random() < (0.9 if heavy else 0.25),
                            max_tokens=r.choice([16000, 32000] if heavy else [1024, 4096, 8192]),
                            input_tokens=150 * turns + r.randrange(50),
                            output_tokens=r.randrange(600, 4000) if heavy else r.randrange(80, 1500),
                            status=200)
                    turns = turns + 2 if r.random() < 0.6 else 1
                t += datetime.timedelta(hours=r.uniform(1, 5))

    def ring_member(aid, cc, wrap, items, pos, share):
        """Sittings that mix the operation's framed items with people's prompts."""
        _, tz, off = COUNTRIES[cc]
        client, ip = r.choice(CLIENTS), r.choice(pool[cc])
        for day in sorted(r.sample(range(DAYS), r.randint(2, 4))):
            t = T0 + datetime.timedelta(days=day, hours=r.uniform(8, 22) - off)
            for _ in range(r.randrange(10, 26)):
                t += datetime.timedelta(seconds=r.expovariate(1 / 150) + 10)
                framed = r.random() < share
                if framed:  # the operation's next item, in its frame
                    p = wrap(items[pos[0] % len(items)])
                    pos[0] += 1
                else:
                    p = r.choice(organic)
                request(aid, t, ip, client, p, turns=1, client_tz=tz,
                        thinking=r.random() < (0.8 if framed else 0.3),
                        max_tokens=r.choice([8192, 16000, 32000] if framed else [1024, 4096, 8192]),
                        input_tokens=r.randrange(60, 300 if framed else 400),
                        output_tokens=r.randrange(800, 4000) if framed else r.randrange(100, 1500),
                        status=200)

    def app_user(aid, cc, client, frame, texts, days, hours, n, think, budgets, answer, ask=0):
        """A user of one app: its frame around their own text; with ask > 0,
        a share of the questions followed by one to three follow-ups (a
        learner who asks about a step)."""
        _, tz, off = COUNTRIES[cc]
        ip = r.choice(pool[cc])
        for t in day_starts(r, off, days, hours):
            for _ in range(r.randrange(*n)):
                t += datetime.timedelta(seconds=r.randrange(30, 900))
                think_on = r.random() < think
                request(aid, t, ip, client, frame + r.choice(texts), turns=1, client_tz=tz,
                        thinking=think_on, max_tokens=r.choice(budgets),
                        input_tokens=r.randrange(100, 600), output_tokens=r.randrange(*answer),
                        status=200)
                if r.random() < ask:
                    for k in range(r.randint(1, 3)):
                        t += datetime.timedelta(seconds=r.randrange(40, 400))
                        request(aid, t, ip, client, r.choice(LEARNER), turns=3 + 2 * k,
                                client_tz=tz, thinking=think_on, max_tokens=r.choice(budgets),
                                input_tokens=r.randrange(800, 3000) * (k + 1),
                                output_tokens=r.randrange(150, 900), status=200)

    # the operations
    def ring(prefix, n, kind, cluster, wrap, items, share):
        pos = [0]
        for a in range(n):
            cc = r.choice(list(COUNTRIES))
            account('%s-%03d' % (prefix, a), cc, kind, 'distillation', cluster=cluster, days=(0, 60))
            ring_member('%s-%03d' % (prefix, a), cc, wrap, items, pos, share)
    mixed = [x for pair in zip(gsm[:3000], code) for x in pair]
    ring('big', 150, 'probe.big_ring', 'op-big', lambda x: BIG_FRAME + x, mixed, 0.55)
    ring('mid', 40, 'probe.mid_ring', 'op-mid', lambda x: x + MID_FRAME, alpaca, 0.6)
    # people
    for a in range(300):
        cc = r.choice(list(COUNTRIES))
        account('user-%03d' % a, cc, 'probe.person', 'benign')
        person('user-%03d' % a, cc, heavy=r.random() < 0.1)
    # one writing app's users (their own keys): its frame around their text
    for a in range(200):
        cc = r.choice(list(COUNTRIES))
        account('writer-%03d' % a, cc, 'probe.app_writer', 'benign')
        app_user('writer-%03d' % a, cc, 'Quillify/2.3 (+https://quillify.example)', WRITER,
                 organic, 0.4, (8, 22), (1, 8), 0.1, [1024, 2048, 4096], (100, 900))
    # one maths-tutor app's users: a reasoning frame around maths problems
    tutor_items = gsm[4000:]
    for a in range(60):
        cc = r.choice(list(COUNTRIES))
        account('tutor-%02d' % a, cc, 'probe.app_tutor', 'benign')
        app_user('tutor-%02d' % a, cc, 'Sumwise/1.8 (iOS)', TUTOR, tutor_items, 0.3, (16, 22),
                 (2, 9), 0.7, [4096, 8192, 16000], (400, 2500), ask=0.6)
    # students asking maths with reasoning on, no frame
    for a in range(40):
        cc = r.choice(list(COUNTRIES))
        account('stu-%02d' % a, cc, 'probe.student', 'benign')
        app_user('stu-%02d' % a, cc, r.choice(CLIENTS), '', gsm[6000:], 0.45, (17, 23), (3, 12),
                 0.7, [8192, 16000], (400, 2500))
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    probe_main(__doc__, print_candidates, generate)
