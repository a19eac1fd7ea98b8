"""probe_common.py - what the held-out probes (bench/probe_*.py) share:
timestamps in formats.md's form, and writing a probe's files."""
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
