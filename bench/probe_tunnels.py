#!/usr/bin/env python3
"""probe_tunnels.py - a held-out circumvention probe, written from how
tunnelling works and apart from `warden sim`: people in CN, RU and IR whose
every request goes through commercial VPN exits in allowed countries, billed
in an allowed country (often next door), their declared time zone, locale
and e-mail drawn independently; and the people they must not be confused
with: VPN users at home in allowed countries on the same exits, people
living in allowed countries whose client is set to zh-CN, ru-RU or fa-IR,
and travellers to countries next to restricted ones. Everyone keeps a
day of their own (late risers, night workers). Prompts from
../shared/data/prompts (public corpora, not bundled).

Usage:
  probe_tunnels.py candidates SEED NETS_DIR VPN_LIST > candidates.txt
  probe_tunnels.py generate SEED OUTDIR SHARED POOL.jsonl
NETS_DIR holds CC.txt (networks of each country: `location
list-networks-by-cc CC`); VPN_LIST is a CIDR list of VPN exits; POOL.jsonl
is `warden ip --json` of the candidates. Writes OUTDIR/events.jsonl,
accounts.jsonl and truth.jsonl (formats.md). Standard library only. A
probe, not a tuning set: run it after a change, never tune against it.
"""
import datetime
import ipaddress
import json
import random
import sys

from probe_common import iso, organic_prompts, write_probe

RESTRICTED = {'CN', 'RU', 'IR', 'KP', 'SY', 'CU', 'BY'}
HOME = {  # zone, UTC offset, client locale, local e-mail providers
    'CN': ('Asia/Shanghai', 8, 'zh-CN', ['qq.com', '163.com']),
    'RU': ('Europe/Moscow', 3, 'ru-RU', ['yandex.ru', 'mail.ru']),
    'IR': ('Asia/Tehran', 3.5, 'fa-IR', ['gmail.com']),
    'US': ('America/New_York', -5, 'en-US', []),
    'DE': ('Europe/Berlin', 1, 'de-DE', ['gmx.de', 'web.de']),
    'GB': ('Europe/London', 0, 'en-GB', []),
    'FR': ('Europe/Paris', 1, 'fr-FR', ['orange.fr']),
    'JP': ('Asia/Tokyo', 9, 'ja-JP', []),
}
COUNTRIES = ['CN', 'RU', 'IR', 'US', 'DE', 'GB', 'FR', 'JP', 'TR', 'AE', 'KZ']
CLIENTS = ['OpenAI/Python 1.35.3', 'anthropic-sdk-python/0.34.2',
           'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) '
           'Chrome/126.0 Safari/537.36', 'node-fetch/1.0']
T0 = datetime.datetime(2026, 9, 1, tzinfo=datetime.timezone.utc)


def random_address(r, net):
    n = ipaddress.ip_network(net, strict=False)
    if n.version != 4 or n.num_addresses < 4:
        return None
    return str(n.network_address + r.randrange(1, n.num_addresses - 1))


def candidates(seed, nets_dir, vpn_list):
    r = random.Random(seed)
    for cc in COUNTRIES:
        nets = [line.strip() for line in open('%s/%s.txt' % (nets_dir, cc)) if ':' not in line]
        for _ in range(600):
            a = random_address(r, r.choice(nets))
            if a:
                print(a)
    vpn = [line.split()[0] for line in open(vpn_list) if line[0].isdigit()]
    for _ in range(6000):
        a = random_address(r, r.choice(vpn))
        if a:
            print(a)


def generate(seed, out, shared, pool_path):
    r = random.Random(seed)
    organic = organic_prompts(shared)
    pool, exits = {cc: [] for cc in COUNTRIES}, {}
    for line in open(pool_path):
        a = json.loads(line)
        cc, cats = a.get('country'), a.get('categories') or []
        if cats == ['vpn'] and cc and cc not in RESTRICTED:
            exits.setdefault(cc, []).append(a['ip'])
        elif not cats and cc in pool and a.get('asn'):
            pool[cc].append(a['ip'])
    vpns = [cc for cc, ips in exits.items() if len(ips) >= 5]
    for cc, ips in pool.items():
        if len(ips) < 20:
            sys.exit('probe: only %d home addresses in %s' % (len(ips), cc))
    if len(vpns) < 3:
        sys.exit('probe: VPN exits in only %d allowed countries' % len(vpns))
    events, accounts, truth = [], [], []

    def account(aid, bill, card, mail, signup_ip, label, kind):
        accounts.append({'account_id': aid,
                         'created_at': iso(T0 - datetime.timedelta(days=r.randrange(3, 300))),
                         'billing_country': bill, 'card_country': card,
                         'payment_fingerprint': 'fp_%016x' % r.getrandbits(64),
                         'email_domain': mail, 'signup_ip': signup_ip, 'program': 'standard',
                         'reseller': False})
        truth.append({'account_id': aid, 'label': label, 'kind': kind})

    def chronotype(aid):
        """hours by which a person's day runs later than 08-24 local: within an
        hour or two for most, 2-4 h later for one in seven, 8-11 h later for
        one in twenty (night work); from a stream of its own per account, so
        the probe's other draws do not move"""
        c = random.Random('%s/%s' % (seed, aid))
        u = c.random()
        if u < 0.05:
            return c.uniform(8, 11)
        if u < 0.20:
            return c.uniform(2, 4)
        return max(-2.5, min(2.5, c.gauss(0, 1)))

    def person(aid, off, ip_for_day, tz, loc, days=21, p_day=0.6):
        """a person's sessions in their own day (local 08-24 on their own
        clock), the address chosen per day"""
        client = r.choice(CLIENTS)
        shift = chronotype(aid)
        for d in range(days):
            if r.random() > p_day:
                continue
            ip = ip_for_day(d)
            for _ in range(r.randrange(1, 3)):
                t = T0 + datetime.timedelta(days=d, hours=r.uniform(8, 23.5) - off + shift)
                turns = 1
                for _ in range(r.randrange(1, 6)):
                    t += datetime.timedelta(seconds=r.randrange(20, 400))
                    e = {'ts': iso(t), 'request_id': 'q%08d' % (len(events) + 1), 'account_id': aid,
                         'ip': ip, 'user_agent': client, 'model': 'atlas-2-large',
                         'endpoint': '/v1/messages',
                         'prompt': r.choice(organic) if turns == 1 else 'Go on.', 'turns': turns,
                         'thinking': r.random() < 0.3, 'max_tokens': 4096,
                         'input_tokens': 100 * turns, 'output_tokens': r.randrange(100, 1500),
                         'status': 200}
                    if tz:
                        e['client_tz'] = tz
                    if loc:
                        e['client_locale'] = loc
                    events.append(e)
                    turns += 2

    # A: restricted-country people behind VPN exits, billed in an allowed country
    for i in range(90):
        real = r.choice(['CN', 'CN', 'RU', 'IR'])
        tz, off, loc, mails = HOME[real]
        bill = r.choice(['HK', 'SG', 'AE', 'KZ', 'TR', 'US', 'GB'])
        card = bill if r.random() < 0.7 else 'US'
        mail = r.choice(mails) if mails and r.random() < 0.4 else r.choice(
            ['gmail.com', 'outlook.com', 'proton.me'])
        vpn = r.choice(vpns)
        signup = r.choice(pool[real]) if r.random() < 0.3 else r.choice(exits[vpn])
        decl_tz = tz if r.random() < 0.4 else ('UTC' if r.random() < 0.5 else None)
        decl_loc = loc if r.random() < 0.5 else 'en-US'
        account('tun-%03d' % i, bill, card, mail, signup, 'circumvention', 'probe.tunnel_vpn')
        person('tun-%03d' % i, off, lambda d, v=vpn: r.choice(exits[v]), decl_tz, decl_loc)
    # B: people in allowed countries on the same VPN exits
    for i in range(200):
        home = r.choice(['US', 'DE', 'GB', 'FR', 'JP'])
        tz, off, loc, mails = HOME[home]
        vpn = r.choice(vpns)
        account('vpnu-%03d' % i, home, home, r.choice(mails + ['gmail.com', 'outlook.com']),
                r.choice(pool[home]), 'benign', 'probe.vpn_user')
        person('vpnu-%03d' % i, off,
               lambda d, v=vpn, h=home: r.choice(exits[v]) if r.random() < 0.8 else r.choice(pool[h]),
               tz if r.random() < 0.6 else None, loc)
    # C: people living in allowed countries whose client speaks Chinese, Russian or Persian
    for i in range(120):
        home = r.choice(['US', 'DE', 'GB', 'FR', 'JP'])
        tz, off, _, _ = HOME[home]
        lang = r.choice(['CN', 'RU', 'IR'])
        loc, mails = HOME[lang][2], HOME[lang][3]
        ip0 = r.choice(pool[home])
        vpn = r.choice(vpns) if r.random() < 0.3 else None
        account('dia-%03d' % i, home, home,
                r.choice(mails) if mails and r.random() < 0.3 else 'gmail.com', ip0, 'benign',
                'probe.diaspora')
        person('dia-%03d' % i, off, lambda d, v=vpn, a=ip0: r.choice(exits[v]) if v else a,
               tz if r.random() < 0.5 else None, loc)
    # D: travellers from allowed countries to countries next to restricted ones
    for i in range(60):
        home = r.choice(['US', 'DE', 'GB'])
        tz, off, loc, _ = HOME[home]
        trip = r.choice(['TR', 'AE', 'KZ', 'JP'])
        t_from, t_len = r.randrange(3, 14), r.randrange(3, 8)
        ip0, ip1 = r.choice(pool[home]), r.choice(pool[trip])
        account('trv-%03d' % i, home, home, 'gmail.com', ip0, 'benign', 'probe.traveller')
        person('trv-%03d' % i, off,
               lambda d, a=ip0, b=ip1, f=t_from, n=t_len: b if f <= d < f + n else a,
               tz if r.random() < 0.5 else None, loc)
    write_probe(out, events, accounts, truth)


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == 'candidates':
        candidates(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 6 and sys.argv[1] == 'generate':
        generate(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
