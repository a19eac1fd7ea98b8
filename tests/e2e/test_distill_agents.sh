#!/usr/bin/env bash
# test_distill_agents.sh — agent sessions on simulated traffic (`warden sim
# --scenario agents`), from outside: harnesses harvesting agent trajectories
# over a task list are actioned, developers directing coding agents (some
# running several agents and sub-agents) and evaluation teams re-running an
# agentic benchmark are not throttled or blocked, the evaluation teams not
# even reviewed, and counting the sessions of busy hours (not only the busy
# hours) is what finds part of the harnesses: with fanout_hour_cap_hours 1
# fewer are actioned. Bundled data only (--no-shared).
source "$(dirname "$0")/lib.sh"
W=$WARDEN_BIN
"$W" sim --scenario agents --seed 12 --accounts 320 --days 10 --no-shared -q --out "$T/s"
P=$WARDEN_SRC/examples/policy.yaml
sed '/^  distill:$/,/^    enabled:/ s/^    enabled: true$/    enabled: true\n    fanout_hour_cap_hours: 1/' \
  "$P" >"$T/hours.yaml"
check "the variant policy differs in one line" test "$(diff "$P" "$T/hours.yaml" | grep -c '^[<>]')" = 1
"$W" backtest --policy "$P" --truth "$T/s/truth.jsonl" --json "$T/s/events.jsonl" >"$T/on.json" 2>/dev/null
"$W" backtest --policy "$T/hours.yaml" --truth "$T/s/truth.jsonl" --json "$T/s/events.jsonl" \
  >"$T/hours.json" 2>/dev/null
kind() { jq -r --arg k "$2" '.kinds[] | select(.name == $k) | "\(.accounts) \(.actioned) \(.enforced)"' "$1"; }
read -r h_n h_a _ <<<"$(kind "$T/on.json" distillation.agent_harness)"
read -r _ h1_a _ <<<"$(kind "$T/hours.json" distillation.agent_harness)"
read -r d_n _ d_e <<<"$(kind "$T/on.json" benign.agent_developer)"
read -r e_n e_a _ <<<"$(kind "$T/on.json" benign.agent_eval)"
check "harnesses present ($h_n)" test "${h_n:-0}" -ge 10
check "developers present ($d_n)" test "${d_n:-0}" -ge 40
check "evaluation teams present ($e_n)" test "${e_n:-0}" -ge 3
check "two thirds of the harnesses actioned ($h_a of $h_n)" test $((3 * h_a)) -ge $((2 * h_n))
check "no developer throttled or blocked ($d_e)" test "$d_e" = 0
check "no evaluation team actioned ($e_a)" test "$e_a" = 0
benign_enf=$(jq '[.kinds[] | select(.benign) | .enforced] | add' "$T/on.json")
check "no benign account throttled or blocked ($benign_enf)" test "$benign_enf" = 0
check "busy hours alone find fewer harnesses ($h1_a < $h_a)" test "$h1_a" -lt "$h_a"
finish
