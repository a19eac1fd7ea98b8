#!/usr/bin/env bash
# test_sweep_freshness.sh — the sweep catalogue says which day it was last
# checked (`as_of:`); `warden sweep` warns on stderr when it is older than the
# sweep policy's max_age_days (default 90; 0 never) or undated, and not when
# it is fresh; the report carries the date and age (table line; JSON
# catalogue_as_of, catalogue_age_days, catalogue_stale, schema-valid);
# `sweep --help` shows the catalogue's date; a malformed date is refused at
# FILE:LINE; the shipped catalogue is dated.
. "$(dirname "$0")/lib.sh"
today=$(date -u +%F)
old_days=$(( ($(date -u +%s) - $(date -u -d 2019-01-01 +%s)) / 86400 ))
C="$WARDEN_SRC/data/sweep/catalogue.yaml"
mkdir -p "$T/root"
sed 's/^as_of: .*/as_of: 2019-01-01/' "$C" >"$T/old.yaml"
sed "s/^as_of: .*/as_of: $today/" "$C" >"$T/fresh.yaml"
grep -v '^as_of:' "$C" >"$T/undated.yaml"
check "the shipped catalogue is dated" grep -qE '^as_of: [0-9]{4}-[0-9]{2}-[0-9]{2}$' "$C"
check "the copies differ only in as_of" bash -c "grep -q '^as_of: 2019-01-01$' '$T/old.yaml' &&
  ! grep -q '^as_of:' '$T/undated.yaml'"

"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/old.yaml" >"$T/old.txt" 2>"$T/old.err"
check "a sweep with an old catalogue runs (nothing found: exit 0)" [ $? -eq 0 ]
check "and warns, with the date, age and key" \
  grep -qF "the catalogue $T/old.yaml is as of 2019-01-01, $old_days days: STALE (sweep.max_age_days 90)" "$T/old.err"
check "the report says so too" \
  grep -qF "catalogue $T/old.yaml, as of 2019-01-01, $old_days days: STALE" "$T/old.txt"
"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/old.yaml" --json >"$T/old.json" 2>/dev/null
check "JSON: date, age, stale" [ "$(jq -c '[.catalogue_as_of, .catalogue_age_days, .catalogue_stale]' \
  "$T/old.json")" = "[\"2019-01-01\",$old_days,true]" ]
check "JSON report valid against its schema" valid sweep-report "$T/old.json"

"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/fresh.yaml" --json >"$T/fresh.json" 2>"$T/fresh.err"
check "a fresh catalogue: no warning" bash -c "! grep -q 'catalogue' '$T/fresh.err'"
check "JSON: today, 0 days, not stale" [ "$(jq -c '[.catalogue_as_of, .catalogue_age_days,
  .catalogue_stale]' "$T/fresh.json")" = "[\"$today\",0,false]" ]

"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/undated.yaml" --json >"$T/u.json" 2>"$T/u.err"
check "an undated catalogue is warned about" grep -qF "is as of: unknown: STALE" "$T/u.err"
check "JSON: null date and age, stale" [ "$(jq -c '[.catalogue_as_of, .catalogue_age_days,
  .catalogue_stale]' "$T/u.json")" = "[null,null,true]" ]
check "still schema-valid" valid sweep-report "$T/u.json"

# the age limit is the sweep policy's
printf 'sweep:\n  max_age_days: 0\n' >"$T/never.yaml"
printf 'sweep:\n  max_age_days: 3650\n' >"$T/ten_years.yaml"
printf 'sweep:\n  max_age_days: 30\n' >"$T/month.yaml"
"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/old.yaml" -p "$T/never.yaml" >/dev/null 2>"$T/n.err"
check "max_age_days 0 never warns" bash -c "! grep -q 'STALE' '$T/n.err'"
"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/fresh.yaml" -p "$T/month.yaml" >/dev/null 2>"$T/m.err"
check "a fresh catalogue under a 30-day limit: no warning" bash -c "! grep -q 'STALE' '$T/m.err'"
"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/old.yaml" -p "$T/month.yaml" >/dev/null 2>"$T/m2.err"
check "an old one under it warns with the policy's limit" grep -qF "STALE (sweep.max_age_days 30)" "$T/m2.err"
printf 'sweep:\n  max_age_days: -1\n' >"$T/neg.yaml"
"$WARDEN_BIN" sweep --root "$T/root" -p "$T/neg.yaml" >/dev/null 2>"$T/neg.err"
check "a negative limit is refused (exit 3)" [ $? -eq 3 ]

# --help names the catalogue and its date
WARDEN_SWEEP_CATALOGUE="$T/old.yaml" "$WARDEN_BIN" sweep --help >"$T/help.txt" 2>&1
check "sweep --help shows the catalogue's date and STALE" \
  grep -qF "Catalogue: $T/old.yaml (10 tools), as of 2019-01-01, $old_days days: STALE" "$T/help.txt"
"$WARDEN_BIN" sweep --help >"$T/help2.txt" 2>&1
check "and the shipped one's date" grep -qE "^Catalogue: .*, as of [0-9]{4}-[0-9]{2}-[0-9]{2}, [0-9]+ days" "$T/help2.txt"

# blocklist reads the same catalogue: it warns too, and still writes the rules
"$WARDEN_BIN" blocklist --catalogue "$T/old.yaml" --tool claude-code --format hosts >"$T/bl.txt" 2>"$T/bl.err"
check "blocklist with an old catalogue runs" [ $? -eq 0 ]
check "and writes the rules" [ -s "$T/bl.txt" ]
check "and warns like sweep" \
  grep -qF "the catalogue $T/old.yaml is as of 2019-01-01, $old_days days: STALE (sweep.max_age_days 90)" "$T/bl.err"
"$WARDEN_BIN" blocklist --catalogue "$T/fresh.yaml" --tool claude-code --format hosts >/dev/null 2>"$T/blf.err"
check "not with a fresh one" bash -c "! grep -q STALE '$T/blf.err'"

# a malformed date is refused with its place
sed 's/^as_of: .*/as_of: 2026-02-30/' "$C" >"$T/bad.yaml"
"$WARDEN_BIN" sweep --root "$T/root" --catalogue "$T/bad.yaml" >/dev/null 2>"$T/bad.err"
check "a bad date is refused (exit 3)" [ $? -eq 3 ]
line=$(grep -n '^as_of:' "$T/bad.yaml" | cut -d: -f1)
check "at FILE:LINE" grep -q "$T/bad.yaml:$line:.*as_of: expected YYYY-MM-DD, got '2026-02-30'" "$T/bad.err"
finish
