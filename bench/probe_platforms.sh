#!/usr/bin/env bash
# probe_platforms.sh — held-out probe of apps that serve their own users
# through one account and pass their ids in `end_user` without being
# declared resellers, one user of some of them harvesting, and accounts
# that harvest under made-up end-user ids (bench/probe_platforms.py,
# written apart from `warden sim` and the detectors). Two draws (seeds 1
# and 2), each scored by `warden backtest` with the example policy, and in
# the same run with the baseline (detectors.distill.lanes_undeclared:
# false: lanes for declared resellers only) and with the apps declared as
# resellers in the registry. Prints per draw, for each truth kind:
# actioned/accounts and enforced/accounts under the three.
# Needs ../shared/data/prompts and ../shared/data/ipintel/providers (public
# data, not bundled) and python3; skips (exit 0) without them. Run it after
# a change; do not tune on it.
# Usage: bench/probe_platforms.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_platforms data/prompts/taskset/gsm8k_train.jsonl
probe_need_providers probe_platforms
sed 's/^  distill:$/  distill:\n    lanes_undeclared: false/' examples/policy.yaml >"$T/off.yaml"
[ "$(diff examples/policy.yaml "$T/off.yaml" | grep -c '^[<>]')" = 1 ]
"$W" config --check "$T/off.yaml" >/dev/null
python3 bench/probe_platforms.py candidates 1 "$SHARED" >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null
for seed in 1 2; do
  d="$T/s$seed"
  mkdir -p "$d"
  python3 bench/probe_platforms.py generate "$seed" "$d" "$SHARED" "$T/pool.jsonl"
  for m in on off declared; do
    pol=examples/policy.yaml acc="$d/accounts.jsonl"
    [ $m = off ] && pol="$T/off.yaml"
    [ $m = declared ] && acc="$d/accounts_declared.jsonl"
    "$W" backtest --json --truth "$d/truth.jsonl" --accounts "$acc" --policy "$pol" \
      "$d/events.jsonl" >"$d/$m.json" 2>"$d/$m.err"
    grep -Eq '^  rejected lines +0$' "$d/$m.err" || { echo "seed $seed: rejected lines" >&2; exit 1; }
  done
  printf '\nseed %s: %s events, %s accounts, 0 rejected\n' "$seed" \
    "$(wc -l <"$d/events.jsonl")" "$(wc -l <"$d/accounts.jsonl")"
  python3 - "$d/on.json" "$d/off.json" "$d/declared.json" <<'PY'
import json, sys
on, off, dec = (json.load(open(f)) for f in sys.argv[1:4])
ko = {k['name']: k for k in off['kinds']}
kd = {k['name']: k for k in dec['kinds']}
print('%-24s %-20s %-24s %s' % ('kind (actioned, enforced)', 'lanes for all', 'declared resellers only',
                                'apps declared'))
for k in sorted(on['kinds'], key=lambda k: (k['benign'], k['name'])):
    n = k['accounts']
    f = lambda x: '%d/%d, %d/%d' % (x['actioned'], n, x['enforced'], n)
    print('%-24s %-20s %-24s %s' % (k['name'], f(k), f(ko[k['name']]), f(kd[k['name']])))
PY
done
