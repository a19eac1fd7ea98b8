#!/usr/bin/env bash
# test_intel_freshness.sh — every IP network list carries the day its data is
# as of (a '# as_of=YYYY-MM-DD' header comment, kept in a compiled table);
# `warden ip`, `intel info` and `intel build` warn about a list older than
# intel.max_age_days (or undated) and not about a fresh one, `intel info` and
# `ip --stats` show each list's date, age and STALE; the key is policy (0
# never warns); a malformed date is refused at FILE:LINE; every shipped list
# is dated. The location database's own date is shown and warned about the
# same way.
. "$(dirname "$0")/lib.sh"
today=$(date -u +%F)
old_days=$(( ($(date -u +%s) - $(date -u -d 2019-01-01 +%s)) / 86400 ))
printf '# as_of=2019-01-01 (a snapshot)\n198.51.100.0/24\n' >"$T/old.txt"
printf '# Tor exits\n# as_of: %s\n203.0.113.0/24\n' "$today" >"$T/fresh.txt"
printf '198.18.0.0/15\n' >"$T/undated.txt"
printf '# as_of=%s\nASN,Entity\n64500,"Example Hosting"\n' "$today" >"$T/asn.csv"
L=(--locdb "" --no-lists --list "hosting:oldco:$T/old.txt" --list "tor:tor:$T/fresh.txt"
   --asn-list "hosting::$T/asn.csv")

"$WARDEN_BIN" ip "${L[@]}" --stats 198.51.100.7 203.0.113.9 >"$T/ip.txt" 2>"$T/ip.err"
check "warden ip runs" [ $? -eq 0 ]
check "and still answers from the old list" grep -q "^198.51.100.7 .*provider=oldco" "$T/ip.txt"
check "warns about the old list, with its date and age" \
  grep -q "hosting:oldco:$T/old.txt (as of 2019-01-01, $old_days days)" "$T/ip.err"
check "the warning names the key and what to do" \
  grep -q "older than intel.max_age_days 30 .*refresh the files" "$T/ip.err"
check "one of three lists is stale" grep -q "intel: 1 of 3 network lists" "$T/ip.err"
check "not the fresh list" bash -c "! grep -q 'fresh.txt (as of' '$T/ip.err'"
check "--stats: the old list's date, age and STALE" \
  grep -qF "list hosting:oldco:$T/old.txt: as of 2019-01-01, $old_days days: STALE (intel.max_age_days 30)" "$T/ip.err"
check "--stats: the fresh list's date (a 'as_of:' header too) and 0 days" \
  grep -qE "list tor:tor:$T/fresh.txt: as of $today, 0 days$" "$T/ip.err"
check "--stats: the ASN list's date, read above its CSV header" \
  grep -qE "list hosting::$T/asn.csv: as of $today, 0 days$" "$T/ip.err"
check "the CSV header after the date is still a header" bash -c "! grep -q 'asn.csv:2' '$T/ip.err'"

"$WARDEN_BIN" intel info "${L[@]}" >"$T/info.txt" 2>/dev/null
check "intel info lists each list with its date" grep -q "^lists: *3$" "$T/info.txt"
check "intel info: the old one is STALE" \
  grep -qF "hosting:oldco:$T/old.txt: as of 2019-01-01, $old_days days: STALE" "$T/info.txt"
check "intel info: the fresh one is not" grep -qE "tor:tor:$T/fresh.txt: as of $today, 0 days$" "$T/info.txt"

# the age limit is policy
for a in 0 100000 30; do
  printf 'intel:\n  locdb: ""\n  lists: ["hosting:oldco:%s"]\n  asn_lists: []\n  max_age_days: %s\n' \
    "$T/old.txt" "$a" >"$T/p$a.yaml"
done
"$WARDEN_BIN" ip -p "$T/p0.yaml" 198.51.100.7 >/dev/null 2>"$T/p0.err"
check "max_age_days 0 never warns" bash -c "! grep -q 'network lists older' '$T/p0.err'"
"$WARDEN_BIN" ip -p "$T/p100000.yaml" 198.51.100.7 >/dev/null 2>"$T/p100000.err"
check "a limit above the old list's age does not warn" \
  bash -c "! grep -q 'network lists older' '$T/p100000.err'"
"$WARDEN_BIN" ip -p "$T/p30.yaml" 198.51.100.7 >/dev/null 2>"$T/p30.err"
check "the policy's 30 does" grep -q "1 of 1 network lists older than intel.max_age_days 30" "$T/p30.err"

# a compiled table keeps the dates
"$WARDEN_BIN" intel build "${L[@]}" --out "$T/t.wit" >"$T/build.txt" 2>"$T/build.err"
check "intel build warns too" grep -q "oldco:$T/old.txt (as of 2019-01-01" "$T/build.err"
"$WARDEN_BIN" intel info --table "$T/t.wit" >"$T/tinfo.txt" 2>"$T/tinfo.err"
check "the table keeps the old list's date" \
  grep -qF "hosting:oldco:$T/old.txt: as of 2019-01-01, $old_days days: STALE" "$T/tinfo.txt"
check "and the fresh one's" grep -qE "tor:tor:$T/fresh.txt: as of $today, 0 days$" "$T/tinfo.txt"
check "mapping the table warns about the old list" grep -q "oldco:$T/old.txt (as of 2019-01-01" "$T/tinfo.err"

# an undated list is warned about; a malformed date is refused with its place
"$WARDEN_BIN" ip --locdb "" --no-lists --list "vpn:x:$T/undated.txt" 198.18.0.1 >/dev/null 2>"$T/u.err"
check "an undated list is warned about" grep -q "vpn:x:$T/undated.txt (no as_of date)" "$T/u.err"
printf '# as_of=2026-02-30\n198.51.100.0/24\n' >"$T/bad.txt"
"$WARDEN_BIN" ip --locdb "" --no-lists --list "vpn:x:$T/bad.txt" 198.51.100.1 >/dev/null 2>"$T/bad.err"
check "a bad date is refused (exit 3)" [ $? -eq 3 ]
check "at FILE:LINE" grep -q "$T/bad.txt:1: as_of: expected YYYY-MM-DD, got '2026-02-30'" "$T/bad.err"

# every list Warden ships says which day it is as of
"$WARDEN_BIN" intel info --locdb "" >"$T/shipped.txt" 2>/dev/null
n=$(sed -n 's/^lists: *//p' "$T/shipped.txt")
check "the shipped lists are listed ($n)" [ "${n:-0}" -ge 20 ]
check "and every one is dated" bash -c "! grep -q 'as of: unknown' '$T/shipped.txt'"

# the location database (libloc) carries its own date: shown, and warned about
"$WARDEN_BIN" intel info --no-lists >"$T/loc.txt" 2>"$T/loc.err"
loc=$(sed -n 's/^libloc data: *as of \([0-9-]*\), \([0-9]*\) days.*/\1 \2/p' "$T/loc.txt")
check "intel info prints the location data's date and age ($loc)" [ -n "$loc" ]
day=${loc% *} age=${loc#* }
if [ -n "$loc" ] && [ "$age" -gt 30 ]; then
  check "older than 30 days: the line says STALE" grep -q "^libloc data: .*: STALE (intel.max_age_days 30)" "$T/loc.txt"
  check "and start-up warns with the date, age and what to do" \
    grep -q "IP location data is from $day, $age days old (intel.max_age_days 30).*location update" "$T/loc.err"
  printf 'intel:\n  lists: []\n  asn_lists: []\n  max_age_days: %s\n' "$((age + 1))" >"$T/loc.yaml"
  "$WARDEN_BIN" ip -p "$T/loc.yaml" 192.0.2.1 >/dev/null 2>"$T/loc2.err"
  check "a limit above its age does not warn" bash -c "! grep -q 'location data is from' '$T/loc2.err'"
else
  echo "note: the location database is $age days old; its stale warning is not exercised" >&2
fi
finish
