#!/usr/bin/env bash
# test_scan_fields.sh — the scan summary says how many events carry each
# optional field (formats.md §1) and, for a field no event carried, what the
# detectors went without: a gateway that logs no response usage or no
# declared time zone is told so, not left to wonder why nothing is found.
. "$(dirname "$0")/lib.sh"
D="$WARDEN_SRC/data/demo"
zcat "$D/events.jsonl.gz" | head -3000 >"$T/all.jsonl"
jq -c 'del(.input_tokens, .output_tokens, .cache_read_tokens, .client_tz)' "$T/all.jsonl" >"$T/less.jsonl"
# half the events without a model: a share, not an absence
jq -c 'if (input_line_number % 2) == 0 then del(.model) else . end' "$T/all.jsonl" >"$T/half.jsonl"

summary() { "$WARDEN_BIN" scan --no-db --out "$T/out-$1" "$T/$1.jsonl" 2>/dev/null; }
summary all >"$T/all.txt"
summary less >"$T/less.txt"
summary half >"$T/half.txt"

without() { sed -n '/no event carried/,/accounts by action/p' "$1" | awk 'NR > 1 {print $1}' | grep -v '^accounts$' | sort | tr '\n' ' '; }
share() { grep -o "$2 *[0-9.]* %" "$1" | awk '{print $2}'; }

check "the summary has a share for every optional field" \
  [ "$(grep -c ' %' <(sed -n '/event fields/,/accounts by action/p' "$T/all.txt" | grep -v 'no event'))" -ge 7 ]
check "every demo event carries its prompt" [ "$(share "$T/all.txt" prompt)" = "100.0" ]
check "a field in half the events is at 50 %" [ "$(share "$T/half.txt" model)" = "50.0" ]
check "the model is not said to be missing when half the events have it" \
  bash -c "! grep -q '^    model ' <(sed -n '/no event carried/,\$p' '$T/half.txt')"
check "usage and the declared zone removed: exactly those are said missing" \
  [ "$(comm -13 <(without "$T/all.txt" | tr ' ' '\n') <(without "$T/less.txt" | tr ' ' '\n') | tr '\n' ' ')" = "cache_read_tokens client_tz input_tokens output_tokens " ]
check "output_tokens: what goes without it is named" \
  grep -q 'output_tokens *no answer yield' "$T/less.txt"
check "output_tokens is at 0 % when removed" [ "$(share "$T/less.txt" output_tokens)" = "0.0" ]
check "the verdicts are still written" [ -s "$T/out-less/verdicts.jsonl" ]
finish
