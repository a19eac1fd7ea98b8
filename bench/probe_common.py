"""probe_common.py - what the held-out probes (bench/probe_*.py) share:
timestamps in formats.md's form, candidate home addresses, the organic
prompts people send, and writing a probe's files."""
import json


def iso(t):
    """An aware UTC datetime as 2026-09-01T12:00:00.000Z."""
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)


def write_probe(out, events, accounts, truth):
    """OUT/events.jsonl (sorted by time), accounts.jsonl and truth.jsonl."""
    events.sort(key=lambda e: e['ts'])
    for name, rows in (('events', events), ('accounts', accounts), ('truth', truth)):
        with open('%s/%s.jsonl' % (out, name), 'w') as f:
            for row in rows:
                f.write(json.dumps(row) + '\n')


def home_candidates(r, firsts, n=400):
    """n addresses in each of the groups of first octets (big residential
    ISPs' space); `warden ip` then keeps those it places in the country."""
    for first in firsts:
        for _ in range(n):
            yield '%d.%d.%d.%d' % (r.choice(first), r.randrange(256), r.randrange(256),
                                   r.randrange(1, 255))


def organic_prompts(shared):
    """People's first turns: Arena-Hard questions and Open-Assistant prompts."""
    d = shared + '/data/prompts/organic/'
    out = [json.loads(line)['prompt'] for line in open(d + 'arena-hard-v0.1_question.jsonl')]
    out += [o for o in (json.loads(line) for line in open(d + 'oasst_prompt_lottery_en_250.jsonl'))
            if isinstance(o, str)]
    return out
