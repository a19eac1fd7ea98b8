#!/usr/bin/env bash
# test_scan_truncated_gz.sh — a gzip file cut short is an I/O error (exit 4,
# "truncated gzip stream"), not a shorter input; the outputs of the previous
# complete run stay in place.
. "$(dirname "$0")/lib.sh"
for i in $(seq 1 3000); do
  printf '{"ts":%d,"account_id":"acct-%d","ip":"81.2.69.%d","prompt":"%s"}\n' \
    $((1795421702000 + i * 1000)) $((i % 50)) $((i % 200 + 1)) "question number $i about gzip"
done >"$T/events.jsonl"
gzip -c "$T/events.jsonl" >"$T/full.gz"
head -c $(($(stat -c %s "$T/full.gz") / 2)) "$T/full.gz" >"$T/cut.gz"

"$WARDEN_BIN" scan -q --no-db --out "$T/out" "$T/full.gz" 2>"$T/full.err"
check "the whole gzip file scans (exit 0)" [ $? -eq 0 ]
cp "$T/out/verdicts.jsonl" "$T/verdicts.before"
"$WARDEN_BIN" scan -q --no-db --out "$T/out" "$T/cut.gz" 2>"$T/cut.err"
rc=$?
check "a truncated gzip file exits 4 (got $rc)" [ "$rc" -eq 4 ]
check "the error says the gzip stream is truncated" grep -q "truncated gzip stream" "$T/cut.err"
check "the previous run's verdicts stay in place" cmp -s "$T/verdicts.before" "$T/out/verdicts.jsonl"
finish
