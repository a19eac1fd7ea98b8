#!/usr/bin/env bash
# probe_harvest_styles.sh — held-out probes of five harvesting styles (capability
# sweep, human-paced, multi-turn, reasoning in the system prompt, a small hydra)
# against people, students, an eval team, small apps and a labelling shop
# (bench/probe_harvest_styles.py, written apart from `warden sim` and the
# detectors). Two draws (seeds 31 and 37), each scored by `warden backtest`
# with the example policy and, as the baseline in the same run, the same
# policy with the distillation detector off (detectors.distill.enabled:
# false). Prints per draw, for each truth kind: actioned/accounts and
# enforced/accounts with the policy and with the baseline, and the ratio of
# accounts actioned (on / off; '-' when the baseline actions none).
# The kinds (probe.*) are not under their label's name, so the text report
# has no row for them: the rows are read from `backtest --json`.
# Needs ../shared/data/prompts (public corpora, not bundled) and python3;
# skips (exit 0) without them. Run it after a change; do not tune on it.
# Usage: bench/probe_harvest_styles.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_harvest_styles data/prompts/machine/alpaca_5000.json
probe_distill_off # the baseline
python3 bench/probe_harvest_styles.py candidates 1 >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null

table() { probe_kind_table "$@"; }

probe_draws bench/probe_harvest_styles.py 31 37
