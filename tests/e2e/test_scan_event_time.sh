#!/usr/bin/env bash
# test_scan_event_time.sh — Warden works in event time, whatever the arrival
# order: a simulated `mixed` week scanned sorted, split into two gateway
# nodes' files (by line parity, each in time order), and shuffled by up to
# 60 seconds must give the same verdicts; streamed (--order stream),
# events hours out of order are counted as late in the summary and do not
# change anyone's verdict; by default a file out of order by hours, or
# written account by account, or shuffled whole, is sorted by time first
# (also through temporary files when it does not fit the sort memory; without
# a temporary directory the scan stops, exit 4) and
# gives the sorted file's verdicts and findings, and a bad line in it is
# still reported with its own line number.
. "$(dirname "$0")/lib.sh"
REORDER="$BUILD_DIR/tests/reorder_events"
P="$WARDEN_SRC/examples/policy.yaml"
not() { ! "$@"; }

"$WARDEN_BIN" sim --scenario mixed --seed 7 --accounts 3000 --days 7 --no-shared \
  --out "$T/sim" -q 2>/dev/null || { echo "sim failed"; exit 1; }
S="$T/sim"
scan() { # scan OUTDIR [options] FILES...
  local out=$1; shift
  "$WARDEN_BIN" scan --policy "$P" --accounts "$S/accounts.jsonl" --orgs "$S/orgs.jsonl" \
    --no-db --run-id t --out "$out" "$@" >"$out.summary" 2>"$out.err"
}
mkdir -p "$T/sorted" "$T/split" "$T/shuffled" "$T/late" "$T/nolate"
scan "$T/sorted" "$S/events.jsonl"
check "sorted scan actions someone" [ "$(wc -l <"$T/sorted/verdicts.jsonl")" -gt 10 ]

awk 'NR % 2 == 1' "$S/events.jsonl" >"$T/node1.jsonl"
awk 'NR % 2 == 0' "$S/events.jsonl" >"$T/node2.jsonl"
scan "$T/split" "$T/node1.jsonl" "$T/node2.jsonl"
check "two nodes' files: same verdicts as the sorted file" \
  cmp -s "$T/sorted/verdicts.jsonl" "$T/split/verdicts.jsonl"
check "two nodes' files: same findings" \
  cmp -s <(sort "$T/sorted/findings.jsonl") <(sort "$T/split/findings.jsonl")
check "two nodes' files: nothing late" not grep -q "late events" "$T/split.summary"

"$REORDER" shuffle 60 3 <"$S/events.jsonl" >"$T/shuffled.jsonl"
check "the shuffled file really is out of order" not cmp -s "$S/events.jsonl" "$T/shuffled.jsonl"
scan "$T/shuffled" "$T/shuffled.jsonl"
check "shuffled within 60 s: same verdicts as the sorted file" \
  cmp -s "$T/sorted/verdicts.jsonl" "$T/shuffled/verdicts.jsonl"
check "shuffled within 60 s: nothing late" not grep -q "late events" "$T/shuffled.summary"

# Without holding events (--lateness 0) the same shuffled file is mostly late:
# the buffer is what puts it in order.
scan "$T/nolate" --lateness 0 --order stream "$T/shuffled.jsonl"
check "--lateness 0 counts the shuffled events as late" grep -q "late events" "$T/nolate.summary"

# Every 400th event arrives three hours late.
"$REORDER" late 3 400 <"$S/events.jsonl" >"$T/late.jsonl"
moved=$(($(wc -l <"$S/events.jsonl") / 400))
scan "$T/late" --order stream "$T/late.jsonl"
late=$(awk '/late events/ {print $3}' "$T/late.summary")
in_range() { [ -n "$1" ] && [ "$1" -le "$3" ] && [ "$1" -ge "$2" ]; }
check "late events counted in the summary (got '${late:-none}', moved $moved)" \
  in_range "$late" $((moved * 9 / 10)) "$moved"
check "late events still counted for their accounts" \
  [ "$(grep -c . "$T/late/verdicts.jsonl")" -eq "$(grep -c . "$T/sorted/verdicts.jsonl")" ]
check "late events change no verdict's event count" \
  cmp -s <(jq -c '[.account_id,.events]' "$T/sorted/verdicts.jsonl") \
  <(jq -c '[.account_id,.events]' "$T/late/verdicts.jsonl")
check "streamed late input: the summary says how to sort it" grep -q -- "--order sort" \
  "$T/late.summary"

# By default a file out of order beyond the lateness is sorted first.
same_as_sorted() { # NAME DIR
  check "$1: sorted by time first" grep -q "inputs sorted" "$2.summary"
  check "$1: nothing late" not grep -q "late events" "$2.summary"
  check "$1: same verdicts as the sorted file" cmp -s "$T/sorted/verdicts.jsonl" "$2/verdicts.jsonl"
  check "$1: same findings" \
    cmp -s <(sort "$T/sorted/findings.jsonl") <(sort "$2/findings.jsonl")
}
mkdir -p "$T/late_auto" "$T/by_account" "$T/whole" "$T/whole_runs" "$T/pipe"
scan "$T/late_auto" "$T/late.jsonl"
same_as_sorted "every 400th event 3 h late" "$T/late_auto"
# an export written account by account, each account's events in order
awk '{ match($0, /"account_id":"[^"]*"/); print substr($0, RSTART, RLENGTH) "\t" NR "\t" $0 }' \
  "$S/events.jsonl" | sort -t "$(printf '\t')" -k1,1 -k2,2n -s | cut -f3- >"$T/by_account.jsonl"
scan "$T/by_account" "$T/by_account.jsonl"
same_as_sorted "written account by account" "$T/by_account"
"$REORDER" shuffle 864000 5 <"$S/events.jsonl" >"$T/whole.jsonl"
scan "$T/whole" "$T/whole.jsonl"
same_as_sorted "shuffled over ten days" "$T/whole"
check "a plain file: sorted through its index, nothing on disk" \
  grep -Eq "inputs sorted +1 .* 0 run\(s\) on disk" "$T/whole.summary"
gzip -c "$T/whole.jsonl" >"$T/whole.jsonl.gz"
scan "$T/whole_runs" --sort-memory 16 "$T/whole.jsonl.gz"
same_as_sorted "shuffled and gzipped, sorted through temporary files" "$T/whole_runs"
check "runs written to disk" grep -Eq "inputs sorted +1 .*[1-9][0-9]* run\(s\) on disk" \
  "$T/whole_runs.summary"
# bad values of the new options: refused (exit 2), naming the option
"$WARDEN_BIN" scan -q --no-db --order sideways --out "$T/badopt" "$T/whole.jsonl" 2>"$T/badopt.err"
check "--order sideways: exit 2" [ $? -eq 2 ]
check "--order sideways: named" grep -q -- "--order needs auto, sort or stream" "$T/badopt.err"
"$WARDEN_BIN" scan -q --no-db --sort-memory 8 --out "$T/badopt" "$T/whole.jsonl" 2>"$T/badopt.err"
check "--sort-memory 8: exit 2" [ $? -eq 2 ]
check "--sort-memory 8: named" grep -q -- "--sort-memory needs a whole number" "$T/badopt.err"
# no temporary file for the runs: the scan stops (exit 4) and says where it tried
mkdir -p "$T/notmp"
TMPDIR=$T/missing "$WARDEN_BIN" scan -q --no-db --policy "$P" --sort-memory 16 --out "$T/notmp" \
  "$T/whole.jsonl.gz" 2>"$T/notmp.err"
check "no temporary directory: exit 4" [ $? -eq 4 ]
check "no temporary directory: named" grep -q "no temporary file in $T/missing" "$T/notmp.err"
# standard input streams by default (a pipe may be live); --order sort sorts it
scan "$T/pipe" --order sort - <"$T/whole.jsonl"
same_as_sorted "a pipe with --order sort" "$T/pipe"

# a bad line inside a sorted file is reported with its own line number
{ head -n 500 "$T/whole.jsonl"; echo '{"ts":"not a time","account_id":"x"}'
  tail -n +501 "$T/whole.jsonl"; } >"$T/whole_bad.jsonl"
mkdir -p "$T/whole_bad"
scan "$T/whole_bad" "$T/whole_bad.jsonl"
check "bad line of a sorted file: reported at line 501" \
  [ "$(jq -r '"\(.line)"' "$T/whole_bad/rejects.jsonl")" = "501" ]
check "bad line of a sorted file: the others give the sorted file's verdicts" \
  cmp -s "$T/sorted/verdicts.jsonl" "$T/whole_bad/verdicts.jsonl"
finish
