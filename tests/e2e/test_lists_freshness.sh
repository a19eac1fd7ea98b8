#!/usr/bin/env bash
# test_lists_freshness.sh — every restricted-party list carries the day it
# is as of (lists.tsv `as_of=`, kept in the compiled file), and `screen
# --stats`, `lists build`/`info` and `scan` warn about a list older than
# screen.max_age_days (or undated), and not about a fresh one; the key is
# policy (0 never warns), and a malformed date is refused at FILE:LINE.
. "$(dirname "$0")/lib.sh"
D="$T/data"
mkdir -p "$D/lists"
cp -r "$WARDEN_SRC/data/screen" "$D/screen"
cp "$WARDEN_SRC/data/lists/bis_dpl_2019.txt" "$WARDEN_SRC/data/lists/us_csl_sample_2019.csv" "$D/lists/"
today=$(date -u +%F)
printf 'old-list\tbis_dpl\tbis_dpl_2019.txt\tas_of=2019-01-01\n' >"$D/lists/lists.tsv"
printf 'fresh-list\tcsl_csv\tus_csl_sample_2019.csv\tas_of=%s\n' "$today" >>"$D/lists/lists.tsv"
stale_days=$(( ($(date -u +%s) - $(date -u -d 2019-01-01 +%s)) / 86400 ))

"$WARDEN_BIN" screen --stats --data-dir "$D" >"$T/stats.txt" 2>"$T/stats.err"
check "screen --stats runs" [ $? -eq 0 ]
check "warns about the old list" grep -q "old-list (as of 2019-01-01, $stale_days days)" "$T/stats.err"
check "and not about the fresh one" bash -c "! grep -q fresh-list '$T/stats.err'"
check "the warning names the key and what to do" \
  grep -q "screen.max_age_days 30.*warden lists update" "$T/stats.err"
check "the old list's line says STALE" \
  grep -qE "^list old-list .*as of 2019-01-01, $stale_days days: STALE" "$T/stats.txt"
check "the fresh list's line says its date and 0 days" \
  grep -qE "^list fresh-list .*as of $today, 0 days$" "$T/stats.txt"

"$WARDEN_BIN" screen --stats --json --data-dir "$D" >"$T/stats.json" 2>/dev/null
check "--json: the old list is stale, with its date and age" \
  [ "$(jq -c '.lists[] | select(.list == "old-list") | [.as_of, .age_days, .stale]' "$T/stats.json")" = \
  "[\"2019-01-01\",$stale_days,true]" ]
check "--json: the fresh list is not" \
  [ "$(jq -c '.lists[] | select(.list == "fresh-list") | [.as_of, .age_days, .stale]' "$T/stats.json")" = \
  "[\"$today\",0,false]" ]

# the age limit is policy
printf 'screen:\n  data_dir: %s\n  max_age_days: 0\n' "$D" >"$T/never.yaml"
printf 'screen:\n  data_dir: %s\n  max_age_days: 100000\n' "$D" >"$T/lenient.yaml"
printf 'screen:\n  data_dir: %s\n  max_age_days: 30\n' "$D" >"$T/strict.yaml"
"$WARDEN_BIN" screen --stats -p "$T/never.yaml" >/dev/null 2>"$T/never.err"
check "max_age_days 0 never warns" bash -c "! grep -q 'max_age_days' '$T/never.err'"
"$WARDEN_BIN" screen --stats -p "$T/lenient.yaml" >/dev/null 2>"$T/lenient.err"
check "a limit above the old list's age does not warn" bash -c "! grep -q 'old-list' '$T/lenient.err'"

# the compiled file keeps the dates
"$WARDEN_BIN" lists build -p "$T/strict.yaml" --out "$T/lists.wsl" >/dev/null 2>"$T/build.err"
check "lists build warns too" grep -q "old-list (as of 2019-01-01" "$T/build.err"
"$WARDEN_BIN" lists info --out "$T/lists.wsl" >"$T/info.txt" 2>"$T/info.err"
check "lists info: the compiled file keeps the old list's date" \
  grep -qE "old-list .*as of 2019-01-01, $stale_days days: STALE" "$T/info.txt"
check "and the fresh list's" grep -qE "fresh-list .*as of $today, 0 days$" "$T/info.txt"
check "and warns about the old one" grep -q "old-list (as of 2019-01-01" "$T/info.err"

# scan warns at start, from the sources and from the compiled file
printf '{"ts":"2026-11-23T08:00:00Z","account_id":"a1","ip":"192.0.2.1"}\n' >"$T/ev.jsonl"
printf '{"account_id":"a1","org_id":"o1"}\n' >"$T/acc.jsonl"
printf '{"org_id":"o1","name":"Some Company Ltd"}\n' >"$T/orgs.jsonl"
"$WARDEN_BIN" scan -q -p "$T/strict.yaml" --accounts "$T/acc.jsonl" --orgs "$T/orgs.jsonl" \
  -o "$T/out" "$T/ev.jsonl" 2>"$T/scan.err"
check "scan warns about the old list" grep -q "old-list (as of 2019-01-01" "$T/scan.err"
check "scan does not name the fresh list" bash -c "! grep -q fresh-list '$T/scan.err'"
printf 'screen:\n  compiled: %s\n' "$T/lists.wsl" >"$T/compiled.yaml"
"$WARDEN_BIN" scan -q -p "$T/compiled.yaml" --accounts "$T/acc.jsonl" --orgs "$T/orgs.jsonl" \
  -o "$T/out2" "$T/ev.jsonl" 2>"$T/scan2.err"
check "scan over the compiled file warns too" grep -q "old-list (as of 2019-01-01" "$T/scan2.err"

# an undated list is warned about; a bad date is refused with its place
printf 'undated\tbis_dpl\tbis_dpl_2019.txt\n' >"$D/lists/lists.tsv"
"$WARDEN_BIN" screen --stats --data-dir "$D" >/dev/null 2>"$T/undated.err"
check "an undated list is warned about" grep -q "undated (no as_of date)" "$T/undated.err"
printf 'bad\tbis_dpl\tbis_dpl_2019.txt\tas_of=2026-02-30\n' >"$D/lists/lists.tsv"
"$WARDEN_BIN" screen --stats --data-dir "$D" >/dev/null 2>"$T/bad.err"
check "a bad date is refused (exit 3)" [ $? -eq 3 ]
check "at FILE:LINE" grep -q "lists.tsv:1: as_of: expected YYYY-MM-DD, got '2026-02-30'" "$T/bad.err"
finish
