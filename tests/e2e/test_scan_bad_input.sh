#!/usr/bin/env bash
# Bad input: broken JSON, missing fields, wrong types, invalid IPs, invalid
# UTF-8, 10 MB lines and empty lines are each rejected with their line number
# and a reason; every good line is processed; the run completes (exit 0 with
# --max-reject-share 1; by default 11 bad lines of 17 are too many: exit 5,
# outputs written all the same). A file with no good line (a CSV given as
# events, a JSON array, an empty object) exits 5.
# When an ASan build exists (build-asan/warden) the same input runs under it.
. "$(dirname "$0")/lib.sh"

ev() { printf '{"ts":"2026-11-23T08:%02d:00Z","account_id":"acct_%d","ip":"192.0.2.%d","prompt":"fine"}\n' $(( $1 % 60 )) "$1" $(( $1 % 250 + 1 )); }
{
  ev 1; ev 2
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":"x","ip":\n'          # 3 broken JSON
  printf '{"account_id":"x","ip":"192.0.2.1"}\n'                          # 4 missing ts
  printf '{"ts":"2026-11-23T08:00:00Z","ip":"192.0.2.1"}\n'               # 5 missing account
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":true,"ip":"192.0.2.1"}\n' # 6 wrong type
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":"x","ip":"999.1.1.1"}\n' # 7 invalid IP
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":"x","ip":"192.0.2.1","prompt":"\xc3\x28"}\n' # 8 bad UTF-8
  printf '\n'                                                             # 9 empty
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":"big","ip":"192.0.2.1","prompt":"'  # 10: valid 10 MB event
  head -c 10485760 /dev/zero | tr '\0' 'a'
  printf '"}\n'
  head -c 10485760 /dev/zero | tr '\0' '{'; printf '\n'                   # 11: 10 MB of garbage
  ev 3
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":"x","ip":"192.0.2.1","turns":"two"}\n' # 13 wrong type
  printf '   \n'                                                          # 14 blank
  printf '\xff\xfe{"ts":1}\n'                                             # 15 garbage bytes
  ev 4
  printf '{"ts":"2026-11-23T08:00:00Z","account_id":"x","ip":"192.0.2.1"}'   # 17, good, no final newline
} > "$T/bad.jsonl"

run_one() { # binary outdir bad-lines good-count [scan options]
  local bin=$1 out=$2 want=$3 good=$4
  shift 4
  "$bin" scan --quiet "$@" --out "$out" "$T/bad.jsonl" 2>"$out.stderr"
  local rc=$?
  local nbad
  nbad=$(echo "$want" | wc -w)
  check "exit code 0 with bad lines ($bin $*)" [ "$rc" -eq 0 ]
  check "stderr counts the bad lines" grep -q "$nbad bad line(s) skipped" "$out.stderr"
  local got
  # (in the order they were processed: this file is out of order by minutes, so it is
  # sorted by time first and the lines without a readable time come first)
  got=$(grep -o '"line":[0-9]*' "$out/rejects.jsonl" | cut -d: -f2 | sort -n | tr '\n' ' ' |
    sed 's/ $//')
  check "every bad line reported by number (got: $got)" [ "$got" = "$want" ]
  check "rejects name the file" grep -q "\"file\":\"$T/bad.jsonl\"" "$out/rejects.jsonl"
  check "bad UTF-8 reason" grep -q '"line":8,"reason":"invalid UTF-8"' "$out/rejects.jsonl"
  check "rejects never contain line content" bash -c "! grep -q aaaa '$out/rejects.jsonl'"
  check "rejects valid against schema" valid reject "$out/rejects.jsonl"
  local counts
  counts=$(sqlite3 "$out/cases.db" 'select events || "," || rejects from runs')
  check "all $good good lines processed, $nbad rejected (got $counts)" [ "$counts" = "$good,$nbad" ]
}

run_one "$WARDEN_BIN" "$T/out" "3 4 5 6 7 8 9 11 13 14 15" 6 --max-reject-share 1
"$WARDEN_BIN" scan --quiet --no-db --out "$T/out-default" "$T/bad.jsonl" 2>"$T/default.err"
rc=$?
check "by default 11 bad lines of 17 exit 5 (got $rc)" [ "$rc" -eq 5 ]
check "and say why" grep -q "more than --max-reject-share" "$T/default.err"
check "the outputs are written all the same" [ -s "$T/out-default/rejects.jsonl" ]
printf 'ts,account_id,ip\n2026-11-23T08:00:00Z,a,192.0.2.1\n' >"$T/events.csv"
printf '[{"ts":1795421702000,"account_id":"a","ip":"192.0.2.1"}]\n' >"$T/array.json"
for f in "$T/events.csv" "$T/array.json"; do
  "$WARDEN_BIN" scan --quiet --no-db --max-reject-share 1 --out "$T/out-nogood" "$f" 2>"$T/nogood.err"
  rc=$?
  check "$(basename "$f") as events: exit 5 (got $rc)" [ "$rc" -eq 5 ]
  check "$(basename "$f"): says no good event" grep -q "not one good event" "$T/nogood.err"
done
check "10 MB garbage line reported" grep -q '"line":11,"reason":"expected a key' "$T/out/rejects.jsonl"
run_one "$WARDEN_BIN" "$T/out-cap" "3 4 5 6 7 8 9 10 11 13 14 15" 5 --max-line-bytes 1048576 \
  --max-reject-share 1
check "over-long line reported as too long" grep -q '"line":10,"reason":"line too long (10485' "$T/out-cap/rejects.jsonl"
if [ -x "$WARDEN_SRC/build-asan/warden" ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 run_one "$WARDEN_SRC/build-asan/warden" "$T/out-asan" "3 4 5 6 7 8 9 11 13 14 15" 6 --max-reject-share 1
else
  echo "note: no build-asan/warden; ASan variant not run (make check builds it)"
fi
finish
