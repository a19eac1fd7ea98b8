#!/usr/bin/env bash
# probe_hydra.sh — held-out probes of distillation operations spread over
# many accounts (a cloud ring, a card ring, a sign-up wave, a relay behind one
# flat's lines, waves of replacement accounts, a quiet human-paced ring)
# against people, companies behind egress lines, mobile users behind a
# carrier's shared addresses, customers of one client app, a university's
# students and families on one card (bench/probe_hydra.py, written apart from
# `warden sim` and the detectors). Two draws (seeds 41 and 43), each scored
# by `warden backtest` with the example policy and, as the baseline in the
# same run, the same policy with the link detector off (detectors.link.enabled:
# false). Prints per draw, for each truth kind: actioned/accounts and
# enforced/accounts with the policy and with the baseline; for each operation
# the share of its accounts actioned; for each benign kind the accounts that
# ended in a cluster. The rows are read from `backtest --json`.
# Needs ../shared/data/prompts and ../shared/data/ipintel/providers (public
# data, not bundled) and python3; skips (exit 0) without them. Run it after a
# change; do not tune on it.
# Usage: bench/probe_hydra.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_hydra data/prompts/machine/alpaca_5000.json
probe_need_providers probe_hydra
# the baseline: the example policy has no link section; add one, switched off
sed 's/^detectors:$/detectors:\n  link:\n    enabled: false/' examples/policy.yaml >"$T/off.yaml"
sed -n '/^  link:$/,/^    enabled:/p' "$T/off.yaml" | grep -q '^    enabled: false$'
[ "$(diff examples/policy.yaml "$T/off.yaml" | grep -c '^[<>]')" = 2 ]
"$W" config --check "$T/off.yaml" >/dev/null
python3 bench/probe_hydra.py candidates 1 "$SHARED" >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null

# the tables of a draw from the two JSON reports
table() {
  probe_kind_table "$1" "$2"
  probe_cluster_table "$1" "$2"
}

probe_draws bench/probe_hydra.py 41 43
