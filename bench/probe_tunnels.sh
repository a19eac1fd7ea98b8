#!/usr/bin/env bash
# probe_tunnels.sh — held-out circumvention probes (bench/probe_tunnels.py,
# written apart from `warden sim`): people in restricted countries who never
# connect from there, and the VPN users, diaspora users and travellers they
# must not be confused with. Scored by `warden backtest` with the example
# policy and, as the baseline in the same run, the same policy with the
# circumvention detectors off (anonymizer, geo_consistency, reach: what a
# location check alone catches). Prints tunnellers actioned and enforced,
# each benign kind's actioned and throttled-or-blocked, and the ratio of
# tunnellers actioned (on / off).
# Needs ../shared/data/prompts, python3, jq and the `location` tool (package
# location, for networks by country); skips (exit 0) without them. Run it
# after a change; do not tune on it.
# Usage: bench/probe_tunnels.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_tunnels data/prompts/organic/arena-hard-v0.1_question.jsonl location jq
# (the example policy has a geo_consistency section of its own, without `enabled`)
sed -e 's/^detectors:$/detectors:\n  anonymizer:\n    enabled: false\n  reach:\n    enabled: false/' \
  -e 's/^  geo_consistency:$/  geo_consistency:\n    enabled: false/' examples/policy.yaml >"$T/off.yaml"
[ "$(grep -c '^    enabled: false$' "$T/off.yaml")" -eq 3 ]
mkdir -p "$T/nets"
for cc in CN RU IR US DE GB FR JP TR AE KZ; do
  location list-networks-by-cc "$cc" >"$T/nets/$cc.txt" 2>/dev/null
done
python3 bench/probe_tunnels.py candidates 1 "$T/nets" data/ipintel/x4bnet/vpn/ipv4.txt >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null

# a kind's accounts actioned and enforced (throttle or block), from the
# scan's verdicts kept by backtest and the truth: "A/N E/N"
counts() {
  jq -r --arg k "$2" 'select(.kind == $k) | .account_id' "$3" | sort >"$T/ids"
  jq -r '[.account_id, .action] | @tsv' "$1" | sort | join -t $'\t' "$T/ids" - |
    awk -F'\t' -v n="$(wc -l <"$T/ids")" '$2 != "allow" { a++ } $2 == "throttle" || $2 == "block" { e++ }
      END { printf "%d/%d %d/%d\n", a, n, e, n }'
}

printf '%-8s %-22s %-22s %-8s %-16s %-16s %-16s\n' probe "tunnellers act., enf." \
  "off: act., enf." ratio "VPN users" diaspora travellers
for seed in 5 6; do
  d="$T/p$seed"
  mkdir -p "$d"
  python3 bench/probe_tunnels.py generate "$seed" "$d" "$SHARED" "$T/pool.jsonl"
  for m in on off; do
    pol=examples/policy.yaml
    [ $m = off ] && pol="$T/off.yaml"
    "$W" backtest --truth "$d/truth.jsonl" --accounts "$d/accounts.jsonl" --policy "$pol" \
      --keep-scan "$d/$m" "$d/events.jsonl" >"$d/$m.txt" 2>/dev/null
  done
  read -r ta te < <(counts "$d/on/verdicts.jsonl" probe.tunnel_vpn "$d/truth.jsonl")
  read -r oa oe < <(counts "$d/off/verdicts.jsonl" probe.tunnel_vpn "$d/truth.jsonl")
  ratio=$(awk -v a="${ta%/*}" -v b="${oa%/*}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-8s %-22s %-22s %-8s %-16s %-16s %-16s\n' "seed $seed" "$ta $te" "$oa $oe" "$ratio" \
    "$(counts "$d/on/verdicts.jsonl" probe.vpn_user "$d/truth.jsonl")" \
    "$(counts "$d/on/verdicts.jsonl" probe.diaspora "$d/truth.jsonl")" \
    "$(counts "$d/on/verdicts.jsonl" probe.traveller "$d/truth.jsonl")"
done
echo "(benign columns: actioned, throttled or blocked, with the example policy)"
