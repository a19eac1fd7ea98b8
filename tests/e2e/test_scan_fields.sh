#!/usr/bin/env bash
# test_scan_fields.sh — the scan summary says how many events carry each
# optional field (formats.md §1) and, for a field no event carried, what the
# detectors went without: a gateway that logs no response usage or no
# declared time zone is told so, not left to wonder why nothing is found;
# likewise for accounts the account registry does not hold.
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

without() { sed -n '/no event carried/,/account registry/p' "$1" | awk 'NR > 1 && $1 != "account" {print $1}' | sort | tr '\n' ' '; }
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

# the account registry: none, all of the accounts, a few of them
"$WARDEN_BIN" scan --no-db -a "$D/accounts.jsonl" --out "$T/out-reg" "$T/all.jsonl" 2>/dev/null >"$T/reg.txt"
head -20 "$D/accounts.jsonl" >"$T/few.jsonl"
"$WARDEN_BIN" scan --no-db -a "$T/few.jsonl" --out "$T/out-few" "$T/all.jsonl" 2>/dev/null >"$T/few.txt"
check "no registry: said, with what goes without it" \
  grep -q 'account registry *none (--accounts).*billing' "$T/all.txt"
check "a registry holding every account: no event outside it" \
  grep -q 'account registry *[0-9]* *(events of accounts not in it: 0.0 %)' "$T/reg.txt"
check "a registry holding every account: no warning" bash -c "! grep -q 'for those:' '$T/reg.txt'"
check "a registry holding 20 accounts: the share outside it and what goes without" \
  bash -c "grep -q 'account registry *20 *(events of accounts not in it: [1-9][0-9.]* %)' '$T/few.txt' && grep -q 'for those:' '$T/few.txt'"
finish
