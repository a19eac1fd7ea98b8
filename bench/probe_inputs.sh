#!/usr/bin/env bash
# probe_inputs.sh — one simulated dataset as gateways deliver it in practice
# (bench/probe_inputs.py): optional event fields missing, a registry of ids
# and sign-up times only, events split over three gateway nodes, two minutes
# out of order, numeric timestamps, 10 % of lines delivered twice, and SDK
# retries (20 % of requests
# preceded by 1-4 failed attempts with the same prompt). Each variant is
# scored by `warden backtest` with the example policy against the unchanged
# dataset in the same run (the baseline): per label actioned / enforced,
# hydra clusters with >= 90 % of their accounts actioned, benign accounts
# actioned / enforced and in clusters, and distillation enforced as a ratio
# of the baseline's.
# Needs python3 and jq; the dataset is `warden sim` of SCENARIO and SEED
# (default evasive 1: 3,330 accounts, about 270,000 events).
# Usage: bench/probe_inputs.sh [WARDEN] [SCENARIO] [SEED]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
S=${2:-evasive}
SEED=${3:-1}
for c in python3 jq; do
  command -v $c >/dev/null || { echo "probe_inputs: skipped (needs $c)"; exit 0; }
done
[ -x "$W" ] || { echo "probe_inputs: $W not built" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/warden-probe.XXXXXX")
trap 'rm -rf "$T"' EXIT
export PYTHONDONTWRITEBYTECODE=1

"$W" sim -s "$S" --seed "$SEED" -o "$T/base" -q
names=$(python3 bench/probe_inputs.py variants "$T/base" "$T")

score() { # DIR EVENTS... -> DIR/bt.json
  local d=$1
  shift
  "$W" backtest --json --truth "$T/base/truth.jsonl" --accounts "$d/accounts.jsonl" \
    --orgs "$T/base/orgs.jsonl" --policy examples/policy.yaml "$@" >"$d/bt.json" 2>"$d/bt.err" || {
    echo "probe_inputs: backtest of $d failed:" >&2
    tail -5 "$d/bt.err" >&2
    exit 1
  }
  grep -Eq '^  rejected lines +0$' "$d/bt.err" || {
    echo "probe_inputs: $d: rejected lines" >&2
    exit 1
  }
}

row() { # NAME BT.JSON BASE_DISTILL_ENFORCED
  jq -r --arg n "$1" --argjson b "${3:-0}" '
    def l($x): (.labels[] | select(.name == $x)) as $r | "\($r.actioned)/\($r.enforced)";
    (.labels[] | select(.name == "distillation") | .enforced) as $de |
    [$n, l("distillation"), l("circumvention"), l("restricted"),
     "\(.cross_account.clusters_90)/\(.cross_account.attack_clusters)",
     l("benign"), (.cross_account.benign_clustered | tostring),
     (if $b > 0 then ($de / $b * 1000 | round / 1000 | tostring) else "-" end)] | @tsv' "$2"
}

score "$T/base" "$T/base/events.jsonl"
base=$(jq '.labels[] | select(.name == "distillation") | .enforced' "$T/base/bt.json")
printf 'warden sim -s %s --seed %s: %s events, %s accounts\n\n' "$S" "$SEED" \
  "$(wc -l <"$T/base/events.jsonl")" "$(wc -l <"$T/base/accounts.jsonl")"
{
  printf 'variant\tdistill act/enf\tcirc act/enf\trestricted act/enf\tclusters>=90%%\tbenign act/enf\tbenign in clusters\tdistill enf / baseline\n'
  row baseline "$T/base/bt.json" "$base"
  for n in $names; do
    score "$T/$n" "$T/$n"/events*.jsonl
    row "$n" "$T/$n/bt.json" "$base"
  done
} | column -t -s $'\t'
