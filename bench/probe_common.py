"""probe_common.py - what the held-out probes (bench/probe_*.py) share:
timestamps in formats.md's form, candidate home addresses, the organic
prompts people send, and writing a probe's files."""
import datetime
import json
import sys

# Home countries of the September probes: first octets of big residential
# ISPs' space, declared zone, UTC offset in September.
COUNTRIES = {
    'US': ([73, 24, 98, 71, 76, 67], 'America/Chicago', -5),
    'DE': ([79, 91, 84, 93], 'Europe/Berlin', 2),
    'GB': ([86, 81, 92, 82], 'Europe/London', 1),
    'FR': ([90, 86, 109, 92], 'Europe/Paris', 2),
}
T0 = datetime.datetime(2026, 9, 1, tzinfo=datetime.timezone.utc)
DAYS = 14
S = datetime.timedelta(seconds=1)


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


def add_request(events, aid, t, ip, client, prompt, **kw):
    """Append one request of account aid at time t (formats.md section 1);
    kw adds or overrides fields (model defaults to atlas-2-large)."""
    e = {'ts': iso(t), 'request_id': 'r%08d' % (len(events) + 1), 'account_id': aid,
         'ip': ip, 'user_agent': client, 'model': kw.pop('model', 'atlas-2-large'),
         'endpoint': '/v1/messages', 'prompt': prompt}
    e.update(kw)
    events.append(e)


def home_candidates(r, firsts, n=400):
    """n addresses in each of the groups of first octets (big residential
    ISPs' space); `warden ip` then keeps those it places in the country."""
    for first in firsts:
        for _ in range(n):
            yield '%d.%d.%d.%d' % (r.choice(first), r.randrange(256), r.randrange(256),
                                   r.randrange(1, 255))


def print_candidates(seed, n=400):
    """`candidates SEED`: n home addresses per country group, one a line."""
    import random
    for ip in home_candidates(random.Random(seed), [c[0] for c in COUNTRIES.values()], n):
        print(ip)


def add_account(accounts, truth, r, pool, aid, cc, kind, label, created, mail, cluster=None):
    """An account of the registry (its own card, a sign-up address from the
    pool of its country) and its truth row."""
    accounts.append({'account_id': aid, 'created_at': iso(created), 'billing_country': cc,
                     'card_country': cc, 'payment_fingerprint': 'fp_%016x' % r.getrandbits(64),
                     'email_domain': mail, 'signup_ip': r.choice(pool[cc]),
                     'program': 'standard', 'reseller': False})
    row = {'account_id': aid, 'label': label, 'kind': kind}
    if cluster:
        row['cluster'] = cluster
    truth.append(row)


def task_items(shared, name):
    """A task corpus's items: 'gsm8k' (grade-school maths questions), or an
    Alpaca-style file of data/prompts/machine (instruction, then its input)."""
    d = shared + '/data/prompts/'
    if name == 'gsm8k':
        return [json.loads(line)['question'] for line in open(d + 'taskset/gsm8k_train.jsonl')]
    return [o['instruction'] + ('\n\n' + o['input'] if o.get('input') else '')
            for o in json.load(open(d + 'machine/%s.json' % name))]


def organic_prompts(shared):
    """People's first turns: Arena-Hard questions and Open-Assistant prompts."""
    d = shared + '/data/prompts/organic/'
    out = [json.loads(line)['prompt'] for line in open(d + 'arena-hard-v0.1_question.jsonl')]
    out += [o for o in (json.loads(line) for line in open(d + 'oasst_prompt_lottery_en_250.jsonl'))
            if isinstance(o, str)]
    return out


def at(day, hour, off):
    """Local hour `hour` (UTC offset `off`) of probe day `day`, in UTC."""
    return T0 + datetime.timedelta(days=day, hours=hour - off)


def day_starts(r, off, share, hours):
    """For each probe day, with chance `share`, a start at a local hour drawn
    from `hours` (UTC offset `off`), in UTC."""
    for day in range(DAYS):
        if r.random() > share:
            continue
        yield T0 + datetime.timedelta(days=day, hours=r.uniform(*hours) - off)


def sittings(r, day, off, h0, h1, n, size, gap, pause, lead=2):
    """Up to n times at local hours h0..h1 of a day (starting up to `lead`
    hours late), in sittings of `size` (a range) with gap() seconds between
    requests and pause() seconds between sittings."""
    t, end, ts = at(day, h0 + r.uniform(0, lead), off), at(day, h1, off), []
    while len(ts) < n and t < end:
        for _ in range(min(r.randint(*size), n - len(ts))):
            t += gap() * S
            ts.append(t)
        t += pause() * S
    return ts


def residential_pool(pool_path, countries=COUNTRIES):
    """Addresses by country from `warden ip --json` of the candidates: those
    placed in one of `countries`, on no list, with an ASN; at least 20 each."""
    pool = {cc: [] for cc in countries}
    for line in open(pool_path):
        a = json.loads(line)
        if a.get('country') in pool and not a.get('categories') and a.get('asn'):
            pool[a['country']].append(a['ip'])
    for cc, ips in pool.items():
        if len(ips) < 20:
            sys.exit('probe: only %d residential addresses in %s' % (len(ips), cc))
    return pool


def probe_main(doc, candidates, generate):
    """`candidates SEED` or `generate SEED OUTDIR SHARED POOL.jsonl`."""
    if len(sys.argv) == 3 and sys.argv[1] == 'candidates':
        candidates(int(sys.argv[2]))
    elif len(sys.argv) == 6 and sys.argv[1] == 'generate':
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(doc)
