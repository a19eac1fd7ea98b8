#!/usr/bin/env bash
# probe_pooled.sh — held-out probes of operations that hide their harvest
# under ordinary use, so that no account alone reaches review (one on its own
# e-mail domain, one paying with three cards in turn), against people, a
# company on its domain and card with heavy reasoning-model users, households
# on one card and a university's students, some doing maths with reasoning on
# (bench/probe_pooled.py, written apart from `warden sim`). Two draws (seeds
# 61 and 67), each scored by `warden backtest` with the example policy and,
# as the baseline in the same run, the same policy with pooling off
# (detectors.link.suspect_min: 0). Prints per draw, for each truth kind:
# actioned/accounts and enforced/accounts with the policy and the baseline,
# the share of each operation's accounts actioned, and for each benign kind
# the accounts in a cluster.
# Needs ../shared/data/prompts (public corpora, not bundled) and python3;
# skips (exit 0) without them. Run it after a change; do not tune on it.
# Usage: bench/probe_pooled.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_pooled data/prompts/taskset/gsm8k_train.jsonl
sed 's/^detectors:$/detectors:\n  link:\n    suspect_min: 0/' examples/policy.yaml >"$T/off.yaml"
[ "$(diff examples/policy.yaml "$T/off.yaml" | grep -c '^[<>]')" = 2 ]
"$W" config --check "$T/off.yaml" >/dev/null
python3 bench/probe_pooled.py candidates 1 >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null

table() {
  probe_kind_table "$1" "$2"
  probe_cluster_table "$1" "$2"
}

probe_draws bench/probe_pooled.py 61 67
