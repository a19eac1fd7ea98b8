#!/usr/bin/env bash
# test_scan_state.sh — `warden scan --state FILE` carries engine state across
# runs: two scans over the halves of a simulated week give the same
# verdicts.jsonl and clusters.jsonl, byte for byte, as one scan over the
# whole; together their findings are the whole run's plus only the
# end-of-input findings of the first run (cluster members that had not come
# back when it ended: cluster.linked_to_actioned, cluster.harvest_pooled, and cluster.shared_* for
# those joined after their last request). A damaged state file stops the scan, naming it.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
W=$WARDEN_BIN
P="$WARDEN_SRC/examples/policy.yaml"
"$W" sim -q --scenario mixed --seed 7 --accounts 1500 --days 5 --no-shared --out "$T/sim" 2>/dev/null
A=(--accounts "$T/sim/accounts.jsonl" --orgs "$T/sim/orgs.jsonl")
n=$(wc -l <"$T/sim/events.jsonl")
head -n $((n / 2)) "$T/sim/events.jsonl" >"$T/h1.jsonl"
tail -n +$((n / 2 + 1)) "$T/sim/events.jsonl" >"$T/h2.jsonl"

"$W" scan -q --no-db --policy "$P" "${A[@]}" --run-id r --out "$T/whole" "$T/sim/events.jsonl" 2>/dev/null
"$W" scan -q --no-db --policy "$P" "${A[@]}" --run-id r --state "$T/state" --out "$T/o1" "$T/h1.jsonl" 2>/dev/null
check "first half: state written" [ -s "$T/state" ]
"$W" scan --no-db --policy "$P" "${A[@]}" --run-id r --state "$T/state" --out "$T/o2" "$T/h2.jsonl" >/dev/null 2>"$T/o2.err"
check "second half: state loaded" grep -q "state loaded from $T/state" "$T/o2.err"
check "some accounts actioned (the comparison means something)" [ "$(wc -l <"$T/whole/verdicts.jsonl")" -ge 20 ]
check "halves with --state: the same verdicts as one scan" cmp -s "$T/whole/verdicts.jsonl" "$T/o2/verdicts.jsonl"
check "halves with --state: the same clusters as one scan" cmp -s "$T/whole/clusters.jsonl" "$T/o2/clusters.jsonl"
jq -c . "$T/whole/findings.jsonl" | sort >"$T/fw"
cat "$T/o1/findings.jsonl" "$T/o2/findings.jsonl" | jq -c . | sort >"$T/f12"
check "every finding of the whole run is in the halves'" bash -c "[ -z \"\$(comm -23 '$T/fw' '$T/f12')\" ]"
check "the halves' extra findings are the first run's end-of-input cluster findings" \
  bash -c "comm -13 '$T/fw' '$T/f12' | jq -e -s 'all(.code == \"cluster.linked_to_actioned\" or .code == \"cluster.harvest_pooled\" or (.code | startswith(\"cluster.shared_\")))' >/dev/null"
check "no prompt text in the state file" bash -c "! grep -qa '\"prompt\"' '$T/state'"

# without --state the second half alone knows less
"$W" scan -q --no-db --policy "$P" "${A[@]}" --run-id r --out "$T/o2b" "$T/h2.jsonl" 2>/dev/null
check "without --state the verdicts differ" bash -c "! cmp -s '$T/whole/verdicts.jsonl' '$T/o2b/verdicts.jsonl'"

# a state whose linking tables do not fit (another max_clusters, or an entry layout of another
# build): that part starts empty, said once, and the scan goes on with the rest of the state
cp "$T/state" "$T/other.state"
sed 's/^detectors:$/detectors:\n  link:\n    max_clusters: 4096/' "$P" >"$T/other.yaml"
"$W" scan --no-db --policy "$T/other.yaml" "${A[@]}" --run-id r --state "$T/other.state" \
  --out "$T/o4" "$T/h2.jsonl" >/dev/null 2>"$T/o4.err"
check "linking tables of another size: the scan goes on" [ $? -eq 0 ]
check "linking tables of another size: its state starts empty, and says why" \
  grep -q "detector 'link': its cross-account state starts empty: it does not fit this configuration (table sizes) or this build (entry layout)" "$T/o4.err"
check "linking tables of another size: the rest of the state loaded" \
  grep -q "state loaded from $T/other.state" "$T/o4.err"

# a damaged state file stops the scan and names the file
head -c 1000 "$T/state" >"$T/bad.state"
"$W" scan -q --no-db --policy "$P" --state "$T/bad.state" --out "$T/o3" "$T/h2.jsonl" 2>"$T/bad.err"
check "truncated state: exit 4" [ $? -eq 4 ]
check "truncated state: file and reason named" grep -q "\-\-state $T/bad.state: truncated" "$T/bad.err"
check "truncated state: left as it was" [ "$(stat -c %s "$T/bad.state")" -eq 1000 ]
finish
