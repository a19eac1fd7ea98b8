#!/usr/bin/env bash
# A scan killed mid-run (SIGKILL) corrupts nothing: cases.db passes SQLite's
# integrity check and keeps every earlier run's cases, the killed run left no
# audit, finding or case row (its rows are merged only at its end), the previous complete
# verdicts/findings files are still in place byte for byte, and the next run
# completes normally.
. "$(dirname "$0")/lib.sh"

printf 'jurisdictions:\n  restricted: [KP]\n' > "$T/policy.yaml"
# a first, complete run on a small input
for i in $(seq 1 20); do
  printf '{"ts":"2026-11-23T08:00:%02dZ","account_id":"kp_%d","ip":"175.45.176.%d"}\n' "$i" "$i" "$i"
done > "$T/small.jsonl"
"$WARDEN_BIN" scan --quiet --policy "$T/policy.yaml" --out "$T/out" "$T/small.jsonl"
check "first run completes" [ $? -eq 0 ]
cp "$T/out/verdicts.jsonl" "$T/verdicts.before"
cp "$T/out/findings.jsonl" "$T/findings.before"

# a large input (about 3 million events, read from a pipe that never ends
# early), killed while it is being processed
big() {
  local n=0
  while :; do
    printf '{"ts":%d,"account_id":"acct_%d","ip":"175.45.176.%d","request_id":"r%d"}\n' \
      $((1795421702000 + n)) $((n % 5000)) $((n % 250 + 1)) "$n"
    n=$((n + 1))
    [ $n -ge 200000 ] && break
  done
}
big > "$T/big.jsonl"
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do cat "$T/big.jsonl"; done > "$T/bigger.jsonl"
"$WARDEN_BIN" scan --quiet --policy "$T/policy.yaml" --out "$T/out" "$T/bigger.jsonl" &
pid=$!
# wait until the run has written findings (more than the 1 MiB output
# buffer of its temporary findings file), then kill it
for i in $(seq 1 1200); do
  n=$(stat -c %s "$T/out/.findings.jsonl.tmp.$pid" 2>/dev/null || echo 0)
  [ "${n:-0}" -gt 2000000 ] && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check "the run was killed before it finished (findings bytes seen: $n)" [ "${n:-0}" -gt 2000000 ]
killed=$(sqlite3 "$T/out/cases.db" 'select run_id from runs where finished_at is null')
check "the killed run left no audit rows" \
  [ "$(sqlite3 "$T/out/cases.db" "select count(*) from audit where run_id = $killed")" = "0" ]
check "nor findings" \
  [ "$(sqlite3 "$T/out/cases.db" "select count(*) from case_findings where run_id = $killed")" = "0" ]
check "nor cases" \
  [ "$(sqlite3 "$T/out/cases.db" "select count(*) from cases where run_id = $killed")" = "0" ]
check "cases.db passes the integrity check" [ "$(sqlite3 "$T/out/cases.db" 'pragma integrity_check')" = "ok" ]
check "earlier run's cases are intact" [ "$(sqlite3 "$T/out/cases.db" 'select count(*) from cases')" -ge 20 ]
check "the killed run is recorded as unfinished" \
  [ "$(sqlite3 "$T/out/cases.db" 'select count(*) from runs where finished_at is null')" = "1" ]
check "previous verdicts.jsonl untouched" cmp -s "$T/verdicts.before" "$T/out/verdicts.jsonl"
check "previous findings.jsonl untouched" cmp -s "$T/findings.before" "$T/out/findings.jsonl"
check "the killed run left its temporary files" bash -c "ls -A '$T/out' | grep -q '^\.findings\.jsonl\.tmp\.$pid$'"

"$WARDEN_BIN" scan --quiet --policy "$T/policy.yaml" --out "$T/out" "$T/small.jsonl"
check "the next run completes" [ $? -eq 0 ]
check "and leaves no temporary files, the killed run's removed too" bash -c "[ -z \"\$(ls -A '$T/out' | grep -v -e '^verdicts.jsonl$' -e '^findings.jsonl$' -e '^rejects.jsonl$' -e '^clusters.jsonl$' -e '^cases.db')\" ]"
finish
