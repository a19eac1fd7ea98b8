#!/usr/bin/env bash
# test_screen_cli.sh — `warden screen` (name, --json, --domain, --batch with the
# ownership rule) and `warden match-names` (formats.md §7) from outside.
set -euo pipefail
: "${WARDEN_BIN:?}" "${WARDEN_SRC:?}"
D="$WARDEN_SRC/data"
T="${WARDEN_TMP:-/tmp}/screen_cli.$$"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# a name in another script: exit 1 (found), explanation printed
set +e
out=$("$WARDEN_BIN" screen --data-dir "$D" "华为技术有限公司" 2>/dev/null); rc=$?
set -e
[ $rc -eq 1 ] || fail "screen exit $rc, want 1"
grep -q '^MATCH ' <<<"$out" || fail "no MATCH line: $out"
grep -q 'HUAWEI TECHNOLOGIES' <<<"$out" || fail "Huawei not found: $out"
grep -q 'tokens: ' <<<"$out" || fail "no token explanation"

# a Korean name in Hangul finds the listed party the lists write in
# McCune-Reischauer (광선 = gwangseon as read, Kwangson as listed)
set +e
out=$("$WARDEN_BIN" screen --data-dir "$D" "조선광선은행" 2>/dev/null); rc=$?
set -e
[ $rc -eq 1 ] || fail "Hangul screen exit $rc, want 1"
grep -q '^MATCH .*KOREA KWANGSON BANKING CORP' <<<"$out" || fail "Kwangson not found: $out"

# names written a little differently from the listed one, found by screening
# (not only by scoring a pair): the words in another order with a legal form
# ("Shipping Asan Enterprise Limited": its initials must not crowd the listed
# name out of the candidates), and a Mexican legal form half spelt out
for q in "Shipping Asan Enterprise Limited|ASAN SHIPPING ENTERPRISE LIMITED" \
         "Breec Inmobiliaria|BRIC INMOBILIARIA" \
         "MOREXPRESS, SOCIEDAD ANONIMA DE C.V.|MOREXPRESS, S.A. DE C.V." \
         "Morexpress SA de Capital Variable|MOREXPRESS, S.A. DE C.V."; do
  set +e
  out=$("$WARDEN_BIN" screen --data-dir "$D" "${q%%|*}" 2>/dev/null); rc=$?
  set -e
  [ $rc -eq 1 ] || fail "screen '${q%%|*}' exit $rc, want 1: $out"
  grep -q "^MATCH .*\"${q##*|}\"" <<<"$out" || fail "'${q##*|}' not found for '${q%%|*}': $out"
done

# ("Breec Inmobiliaria" shares its weight with many "... Inmobiliaria" names:
# every name tied at the candidates' cut is scored, none left out by its id)

# a name that is one common word of company names is no brand and matches
# nothing on that word alone: "Telecom Ltd" and the listed "AO NPP SVYAZ"
# (Communication) are at most a possible match, "Trading Ltd" not even that
for q in "Telecom Ltd" "Communications Inc" "Trading Ltd"; do
  set +e
  out=$("$WARDEN_BIN" screen --data-dir "$D" "$q" 2>/dev/null); rc=$?
  set -e
  [ $rc -eq 0 ] || fail "screen '$q' exit $rc, want 0: $out"
  ! grep -q '^MATCH ' <<<"$out" || fail "'$q' matched: $out"
done

# no match: exit 0
"$WARDEN_BIN" screen --data-dir "$D" "Friendly Robotics Inc" >/dev/null 2>&1 || fail "clean name exit $?"

# JSON output is valid JSON with the explanation
"$WARDEN_BIN" screen --data-dir "$D" --json --country CH "Banco Nacional de Cuba S.A." >"$T/one.json" 2>/dev/null || true
# (checked with grep: jq is not among the project's dependencies)
j=$(cat "$T/one.json")
[ "$(wc -l <"$T/one.json")" -eq 1 ] || fail "json: not one line"
grep -q '^{"query":"Banco Nacional de Cuba S.A.","match":true,"matches":\[{"score":1,"match":true,"list":"ofac-sdn-2019","source_id":"306"' <<<"$j" || fail "json: $j"
grep -q '"adj_country":0.03' <<<"$j" || fail "json: no country adjustment: $j"
grep -q '"tokens":\[{"query":"bank","listed":"bank","sim":1' <<<"$j" || fail "json: no token pairs: $j"

# domains
set +e
"$WARDEN_BIN" screen --data-dir "$D" --domain saraproperties.co.uk >"$T/dom.txt" 2>/dev/null; rc=$?
set -e
[ $rc -eq 1 ] && grep -q '^DOMAIN ' "$T/dom.txt" || fail "domain not found: $(cat "$T/dom.txt")"

# batch: ownership verdicts with chains
set +e
"$WARDEN_BIN" screen --data-dir "$D" --json --batch "$WARDEN_SRC/tests/data/screen/orgs_batch.jsonl" >"$T/batch.jsonl" 2>"$T/batch.err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "batch exit $rc"
[ "$(wc -l <"$T/batch.jsonl")" -eq 7 ] || fail "batch lines: $(wc -l <"$T/batch.jsonl")"
grep -q 'orgs_batch.jsonl:8:' "$T/batch.err" || fail "bad line not reported with file:line"
v() { grep "^{\"org_id\":\"$1\"," "$T/batch.jsonl" | sed 's/.*"reason":"\([^"]*\)".*/\1/'; }
[ "$(v o-listed)" = screen.listed ] || fail "o-listed: $(v o-listed)"
[ "$(v o-sub)" = screen.owned_by_listed ] || fail "o-sub: $(v o-sub)"
[ "$(v o-subsub)" = screen.owned_by_listed ] || fail "o-subsub: $(v o-subsub)"
[ "$(v o-agg)" = screen.owned_by_listed ] || fail "o-agg: $(v o-agg)"
[ "$(v o-clean)" = screen.clear ] || fail "o-clean: $(v o-clean)"
[ "$(v o-domain)" = screen.listed ] || fail "o-domain: $(v o-domain)"
[ "$(v o-missing)" = screen.clear ] || fail "o-missing: $(v o-missing)"
grep '^{"org_id":"o-subsub",' "$T/batch.jsonl" |
  grep -q '"chain":"Cloud Reseller GmbH <- 60% Caribbean Cloud Services Pte. Ltd. <- 50% Anglo Caribbean Company Limited \[listed: ofac-sdn-2019 173' ||
  fail "chain: $(grep '^{"org_id":"o-subsub",' "$T/batch.jsonl")"

# match-names: one SCORE<TAB>MATCH line per input line, in order
printf 'Anglo Caribbean Co Ltd\tANGLO-CARIBBEAN CO., LTD.\nGolden Star Trading LLC\tGolden Sun Trading LLC\nno tab here\n华为技术有限公司\tHuawei Technologies Co., Ltd.\n' |
  "$WARDEN_BIN" match-names --data-dir "$D" >"$T/mn.tsv" 2>"$T/mn.err"
[ "$(wc -l <"$T/mn.tsv")" -eq 4 ] || fail "match-names lines"
awk -F'\t' 'NF != 2 || $1 !~ /^[01](\.[0-9]+)?$/ || $1 > 1 || ($2 != "0" && $2 != "1") { bad = 1 } END { exit bad }' "$T/mn.tsv" || fail "match-names format: $(cat "$T/mn.tsv")"
[ "$(cut -f2 "$T/mn.tsv" | tr -d '\n')" = 1001 ] || fail "match-names verdicts: $(cat "$T/mn.tsv")"
grep -q 'stdin:3:' "$T/mn.err" || fail "match-names bad line not reported"
echo "ok"
