#!/usr/bin/env bash
# probe_big_ring.sh — held-out probes of operations larger than a frame's
# common-identifier threshold (150 and 40 accounts, each wrapping its
# harvest in the operation's one frame among people's prompts) against
# people, one writing app's users, one maths-tutor app's users (a reasoning
# frame around maths problems) and students doing maths with reasoning on
# (bench/probe_big_ring.py, written apart from `warden sim`). Two draws
# (seeds 83 and 89), each scored by `warden backtest` with the example
# policy and, as the baseline in the same run, the same policy with the
# link detector off. Prints per draw, for each truth kind: actioned/accounts
# and enforced/accounts with the policy and the baseline, the share of each
# operation's accounts actioned, and for each benign kind the accounts in a
# cluster.
# Needs ../shared/data/prompts (public corpora, not bundled) and python3;
# skips (exit 0) without them. Run it after a change; do not tune on it.
# Usage: bench/probe_big_ring.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_big_ring data/prompts/machine/alpaca_5000.json
probe_off 's/^detectors:$/detectors:\n  link:\n    enabled: false/' 2
probe_pool bench/probe_big_ring.py
table() { probe_kind_table "$@" && probe_cluster_table "$@"; }
probe_draws bench/probe_big_ring.py 83 89
