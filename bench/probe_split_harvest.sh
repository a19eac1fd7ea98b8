#!/usr/bin/env bash
# probe_split_harvest.sh — held-out probes of a harvest split over many
# one-sitting accounts (bench/probe_split_harvest.py, written apart from
# `warden sim`), scored by `warden backtest` with the example policy and,
# as the baseline in the same run, the same policy with the crowd release
# off (detectors.distill.crowd_min_sittings: 0). Prints, per probe, the
# ring's members actioned and enforced, benign actioned and enforced, and
# the ratio of ring members actioned (on / off).
# Needs ../shared/data/prompts (public corpora, not bundled) and python3;
# skips (exit 0) without them. Run it after a change; do not tune on it.
# Usage: bench/probe_split_harvest.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_split_harvest data/prompts/machine/alpaca_5000.json
sed 's/^  distill:$/  distill:\n    crowd_min_sittings: 0/' examples/policy.yaml >"$T/off.yaml"
grep -q '^    crowd_min_sittings: 0' "$T/off.yaml"
python3 bench/probe_split_harvest.py candidates 1 >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null

# the row of a label or kind in a backtest report: actioned, enforced
counts() { awk -v k="$2" '$1 == k { print $3 "/" $2 " " $6 "/" $2 }' "$1"; }

printf '%-30s %-22s %-22s %-20s %-20s %s\n' probe "ring actioned, enf." "off: actioned, enf." \
  "benign act., enf." "off: benign" "ratio actioned"
# seed, members' requests from..to, members
for p in "7 15 26 60" "11 15 41 30" "23 20 41 45"; do
  set -- $p
  d="$T/p$1"
  mkdir -p "$d"
  python3 bench/probe_split_harvest.py generate "$1" "$d" "$SHARED" "$T/pool.jsonl" "$2" "$3" "$4"
  for m in on off; do
    pol=examples/policy.yaml
    [ $m = off ] && pol="$T/off.yaml"
    "$W" backtest --truth "$d/truth.jsonl" --accounts "$d/accounts.jsonl" --policy "$pol" \
      "$d/events.jsonl" >"$d/$m.txt" 2>/dev/null
  done
  read -r ra re < <(counts "$d/on.txt" distillation)
  read -r oa oe < <(counts "$d/off.txt" distillation)
  read -r ba be < <(counts "$d/on.txt" benign)
  read -r xa xe < <(counts "$d/off.txt" benign)
  ratio=$(awk -v a="${ra%/*}" -v b="${oa%/*}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-30s %-22s %-22s %-20s %-20s %s\n' "seed $1: $4 x $2-$(( $3 - 1 )) requests" \
    "$ra $re" "$oa $oe" "$ba $be" "$xa $xe" "$ratio"
done
