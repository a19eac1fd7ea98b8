#!/usr/bin/env bash
# probe_agentic.sh — held-out probes of harvesting wrapped as agent sessions
# (an agent harness over task lists, many sessions at once or a working
# day's few; tool-use traces; a small hydra on one harness) against
# developers with coding-agent products, power users running several agents,
# a pull-request review bot, an eval team re-running an agentic benchmark and
# a support agent with end users (bench/probe_agentic.py, written apart from
# `warden sim` and the detectors). Two draws (seeds 53 and 59), each scored by
# `warden backtest` with the example policy and, as the baseline in the same
# run, the same policy with the distillation detector off. Prints per draw,
# for each truth kind: actioned/accounts and enforced/accounts with the
# policy and with the baseline, and the ratio of accounts actioned.
# Needs ../shared/data/prompts (public corpora, not bundled) and python3;
# skips (exit 0) without them. Run it after a change; do not tune on it.
# Usage: bench/probe_agentic.sh [WARDEN]   (default build-release/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-build-release/warden}
. bench/probe_common.sh
probe_init probe_agentic data/prompts/machine/gpteacher_codegen_instruct.json
probe_distill_off # the baseline
python3 bench/probe_agentic.py candidates 1 >"$T/cand.txt"
"$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null

table() { probe_kind_table "$@"; }

probe_draws bench/probe_agentic.py 53 59
