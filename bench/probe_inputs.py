#!/usr/bin/env python3
"""probe_inputs.py — the same simulated traffic as gateways deliver it in
practice: optional fields missing (formats.md §1 makes all but ts,
account_id and ip optional), a thin account registry, events split over
several gateway nodes or out of order, numeric timestamps, lines delivered
twice (at-least-once delivery, same request_id), and SDK retries
(a failed attempt, 429/529/500, re-sent with the same prompt after the
SDK's back-off, each attempt logged as a request of its own).

  probe_inputs.py variants SRC_DIR OUT_DIR

writes OUT_DIR/VARIANT/{events*.jsonl,accounts.jsonl} for each variant
below, from SRC_DIR/{events,accounts}.jsonl; the truth and orgs are
SRC_DIR's. One pass over the events. Deterministic (seed 5).
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

from probe_common import iso

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

DROP = {
    'no_client': ('tls_ja4', 'user_agent'),
    'no_locale': ('client_tz', 'client_locale'),
    'no_text': ('prompt', 'system'),
    'no_ids': ('request_id', 'end_user', 'api_key_id', 'org_id'),
}
MINIMAL_KEEP = ('ts', 'account_id', 'ip', 'prompt')


def dump(d):
    return json.dumps(d, separators=(',', ':'), ensure_ascii=False) + '\n'


def epoch_ms(ts):
    t = datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=timezone.utc)
    return int(round(t.timestamp() * 1000))


def iso_ms(ms):
    return iso(EPOCH + timedelta(milliseconds=ms))


def variants(src, out):
    r = random.Random(5)
    names = list(DROP) + ['minimal', 'registry_min', 'nodes3', 'jitter', 'epoch_ms', 'redelivered',
                             'retries']
    for n in names:
        os.makedirs(os.path.join(out, n), exist_ok=True)
    acc = [json.loads(l) for l in open(os.path.join(src, 'accounts.jsonl'))]
    for n in names:
        with open(os.path.join(out, n, 'accounts.jsonl'), 'w') as f:
            for a in acc:
                if n == 'registry_min':
                    a = {k: a[k] for k in ('account_id', 'created_at') if k in a}
                f.write(dump(a))
    f = {n: open(os.path.join(out, n, 'events.jsonl'), 'w')
         for n in names if n not in ('nodes3', 'jitter', 'retries')}
    nodes = [open(os.path.join(out, 'nodes3', 'events-node%d.jsonl' % i), 'w') for i in range(3)]
    jitter, retries = [], []
    for i, line in enumerate(open(os.path.join(src, 'events.jsonl'))):
        d = json.loads(line)
        for n, keys in DROP.items():
            f[n].write(dump({k: v for k, v in d.items() if k not in keys}))
        f['minimal'].write(dump({k: d[k] for k in MINIMAL_KEEP if k in d}))
        f['registry_min'].write(line)
        f['redelivered'].write(line)
        if r.random() < 0.1:
            f['redelivered'].write(line)
        nodes[i % 3].write(line)
        ms = epoch_ms(d['ts'])
        jitter.append((ms + r.randint(0, 120000), i, line))
        e = dict(d)
        e['ts'] = ms
        f['epoch_ms'].write(dump(e))
        # an SDK's retries: 1-4 failed attempts before this one, back-off
        # 1 s doubling, with up to 25 % jitter (as the vendors' SDKs do);
        # the account's other requests may fall between them
        if r.random() < 0.2:
            waits = [int(1000 * 2 ** k * (1 + 0.25 * r.random())) + 1
                     for k in range(r.randint(1, 4))]
            t = ms - sum(waits)
            for k, w in enumerate(waits):
                a = dict(d)
                a['ts'] = iso_ms(t)
                a['status'] = r.choice((429, 429, 529, 500))
                a['output_tokens'] = 0
                if 'request_id' in a:
                    a['request_id'] = '%s-try%d' % (a['request_id'], k)
                retries.append((t, i, dump(a)))
                t += w
        retries.append((ms, i, line))
    for n in f.values():
        n.close()
    for n in nodes:
        n.close()
    for name, rows in (('jitter', jitter), ('retries', retries)):
        rows.sort()
        with open(os.path.join(out, name, 'events.jsonl'), 'w') as g:
            for _, _, l in rows:
                g.write(l)
    print(' '.join(names))


if __name__ == '__main__':
    if len(sys.argv) != 4 or sys.argv[1] != 'variants':
        sys.exit(__doc__)
    variants(sys.argv[2], sys.argv[3])
