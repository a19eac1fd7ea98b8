#!/usr/bin/env bash
# backtest_seeds.sh — the hydra-cluster and circumvention targets on several
# fresh simulator seeds, one line per seed: `warden sim` then `warden
# backtest` with a policy, and from the backtest's report the attack
# clusters with >= 90 % of their accounts actioned, slow-and-low recall,
# late joiners' requests served before their first action (median),
# benign accounts throttled or blocked, and the never-leaking
# circumvention kinds' actioned recall. A figure on one seed says little:
# the simulator draws populations, so read the spread over seeds.
# Usage: scripts/backtest_seeds.sh [-p POLICY] [-b WARDEN] SCENARIO SEED...
#   e.g. scripts/backtest_seeds.sh evasive 9531 9532 9533
# Needs about 1 GB of disk per seed while it runs (the events are deleted
# after each backtest).
set -euo pipefail
cd "$(dirname "$0")/.."
policy=examples/policy.yaml
warden=build-release/warden
while getopts p:b: o; do
  case $o in
    p) policy=$OPTARG ;;
    b) warden=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { echo "usage: $0 [-p POLICY] [-b WARDEN] SCENARIO SEED..." >&2; exit 2; }
scenario=$1
shift
[ -x "$warden" ] || { echo "$0: $warden not built (cmake --preset release && cmake --build build-release --target warden)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/warden-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '%-8s %-6s %-9s %-10s %-12s %-9s %-8s %-8s %-8s\n' scenario seed clusters slow_low joiners_p50 benign_enf t_cloud t_vpn t_resid
for seed in "$@"; do
  d="$tmp/$seed"
  "$warden" sim --scenario "$scenario" --seed "$seed" --out "$d" >/dev/null 2>&1
  "$warden" backtest --truth "$d/truth.jsonl" --policy "$policy" "$d/events.jsonl" >"$d/report.txt" 2>/dev/null
  r="$d/report.txt"
  clusters=$(sed -n 's/^attack clusters with >= 90 % of accounts actioned: \([0-9]*\) of \([0-9]*\).*/\1\/\2/p' "$r")
  slow=$(sed -n 's/^slow-and-low .*recall \([0-9.]*\).*/\1/p' "$r")
  joiners=$(sed -n 's/^late joiners .*median \([0-9]*\),.*/\1/p' "$r")
  benign=$(sed -n 's/^benign false-positive rate: .*enforced \([0-9.]*\) (\([0-9]*\)).*/\2 (\1)/p' "$r")
  kind() { awk -v k="$1" '$1 == k { print $5; exit }' "$r"; }
  printf '%-8s %-6s %-9s %-10s %-12s %-9s %-8s %-8s %-8s\n' "$scenario" "$seed" "${clusters:--}" \
    "${slow:--}" "${joiners:--}" "${benign:--}" "$(kind circumvention.tunnel_cloud)" \
    "$(kind circumvention.tunnel_vpn)" "$(kind circumvention.tunnel_residential)"
  rm -rf "$d"
done
