#!/usr/bin/env bash
# Restricted-party screening inside `warden scan`: an account of a listed
# organisation (declared under a variant of its listed name), an account of a
# subsidiary abroad that the listed party owns 60 % of through an
# intermediary, and an ordinary company's account. The first two are actioned
# with screen.* reasons and the ownership chain as evidence; the third is not.
# A company whose name is only a possible match with a listed one, in the
# listed party's country, and its subsidiary are reported for review
# (screen.possible_match, screen.possibly_owned_by_listed); the same name in
# another country is not.
. "$(dirname "$0")/lib.sh"

cat > "$T/orgs.jsonl" <<'JSON'
{"org_id":"o_listed","name":"Islamic Republic of Iran Shipping Lines Co.","country":"IR"}
{"org_id":"o_mid","name":"Oceanic Freight Holdings Ltd","country":"AE","owners":[{"org_id":"o_listed","share":100}]}
{"org_id":"o_sub","name":"Blue Harbour Logistics Pte. Ltd.","country":"SG","owners":[{"org_id":"o_mid","share":60},{"name":"Tan Family Trust","share":40}]}
{"org_id":"o_clean","name":"Mosel Valley Analytics GmbH","country":"DE","owners":[{"org_id":"o_mid","share":20}]}
{"org_id":"o_possible","name":"Republic of Iran Shipping Agency","country":"IR"}
{"org_id":"o_possub","name":"Caspian Tide Chartering LLC","country":"AE","owners":[{"org_id":"o_possible","share":75}]}
{"org_id":"o_elsewhere","name":"Republic of Iran Shipping Agency","country":"DE"}
{"org_id":"o_telco","name":"Telecom Italia S.p.A.","country":"IT"}
JSON
cat > "$T/accounts.jsonl" <<'JSON'
{"account_id":"acct_listed","org_id":"o_listed","billing_country":"AE"}
{"account_id":"acct_sub","org_id":"o_sub","billing_country":"SG"}
{"account_id":"acct_clean","org_id":"o_clean","billing_country":"DE","email_domain":"qq.com"}
{"account_id":"acct_domain","billing_country":"DE","email_domain":"mail.1vpns.com"}
{"account_id":"acct_possible","org_id":"o_possible","billing_country":"AE"}
{"account_id":"acct_possub","org_id":"o_possub","billing_country":"AE"}
{"account_id":"acct_elsewhere","org_id":"o_elsewhere","billing_country":"DE"}
{"account_id":"acct_telco","org_id":"o_telco","billing_country":"IT"}
JSON
for a in acct_listed acct_sub acct_clean acct_domain acct_possible acct_possub acct_elsewhere acct_telco; do
  for i in 1 2 3; do
    printf '{"ts":"2026-11-23T08:0%d:00Z","account_id":"%s","ip":"81.2.69.%d"}\n' "$i" "$a" "$i"
  done
done > "$T/events.jsonl"
printf 'rules:\n  - code: "screen.*"\n    min_score: 0.6\n    action: block\n' > "$T/policy.yaml"

"$WARDEN_BIN" scan --quiet --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" \
  --orgs "$T/orgs.jsonl" --out "$T/out" "$T/events.jsonl"
check "scan exits 0" [ $? -eq 0 ]
V="$T/out/verdicts.jsonl"
check "verdicts valid" valid verdict "$V"
check "findings valid" valid finding "$T/out/findings.jsonl"
check "listed organisation's account blocked on its first event" \
  grep -q '"account_id":"acct_listed","action":"block".*"screen.listed".*"first_action_event":1' "$V"
check "subsidiary owned through an intermediary blocked" \
  grep -q '"account_id":"acct_sub","action":"block".*"screen.owned_by_listed"' "$V"
check "ordinary company with a 20 % restricted owner not actioned" bash -c "! grep -q acct_clean '$V'"
check "e-mail domain under a listed web domain actioned" \
  grep -q '"account_id":"acct_domain","action":"block".*"screen.domain_listed"' "$V"
check "a listed e-mail address does not restrict its provider's domain" \
  bash -c "! grep -q '\"account_id\":\"acct_clean\"' '$T/out/findings.jsonl'"
check "evidence names the listed entry" grep -q 'ISLAMIC REPUBLIC OF IRAN SHIPPING LINES' "$T/out/findings.jsonl"
check "evidence carries the ownership chain" grep -q '"account_id":"acct_sub".*Oceanic Freight' "$T/out/findings.jsonl"
F="$T/out/findings.jsonl"
score_of() { # account code: the finding's score
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["account_id"] == sys.argv[2] and f["code"] == sys.argv[3]: print(f["score"])' "$F" "$1" "$2"; }
check "a possible match in the listed party's country is reported" \
  grep -q '"account_id":"acct_possible".*"code":"screen.possible_match"' "$F"
check "scored by the match, between review_threshold and match_threshold" \
  python3 -c "import sys; s = float('$(score_of acct_possible screen.possible_match)'); sys.exit(not 0.70 <= s < 0.86)"
check "its evidence names the listed entry it may be" \
  grep -q '"account_id":"acct_possible".*"possible_match":{.*ISLAMIC REPUBLIC OF IRAN SHIPPING LINES' "$F"
check "what it owns 75 % of is possibly owned by listed parties, with the chain" \
  grep -q '"account_id":"acct_possub".*"code":"screen.possibly_owned_by_listed".*75% Republic of Iran Shipping Agency \[possible match' "$F"
check "the same name in another country is not reported" bash -c "! grep -q acct_elsewhere '$F'"
check "a possible match on a country's name alone is not reported (Telecom Italia ~ TRO ITALIA)" \
  bash -c "! grep -q acct_telco '$F'"
printf 'screen:\n  possible_review: false\n' > "$T/nopossible.yaml"
"$WARDEN_BIN" scan --quiet --policy "$T/nopossible.yaml" --accounts "$T/accounts.jsonl" \
  --orgs "$T/orgs.jsonl" --out "$T/out-np" "$T/events.jsonl"
check "screen.possible_review: false reports no possible match" \
  bash -c "! grep -q 'possibl' '$T/out-np/findings.jsonl'"
printf 'screen:\n  possible_review: maybe\n' > "$T/badpossible.yaml"
"$WARDEN_BIN" scan --quiet --policy "$T/badpossible.yaml" --accounts "$T/accounts.jsonl" \
  --orgs "$T/orgs.jsonl" --out "$T/out-bad" "$T/events.jsonl" 2>"$T/bad.err"
check "a bad screen.possible_review is refused (exit 3)" [ $? -eq 3 ]
check "naming file:line and the key" grep -q "badpossible.yaml:2:20: screen.possible_review: expected true or false" "$T/bad.err"
check "and nothing is written" [ ! -e "$T/out-bad/verdicts.jsonl" ]

# A party listed only under a programme that does not block (OFAC's non-SDN
# CMIC list restricts buying securities): with screen.review_programs it is
# screen.listed_review at review_program_score, and what it holds 60 % of is
# possibly owned; without it, both are restricted like any listed party.
cat > "$T/orgs-cmic.jsonl" <<'JSON'
{"org_id":"o_cm","name":"China Mobile","country":"HK"}
{"org_id":"o_cmsub","name":"Harbour Signal Services Ltd","country":"HK","owners":[{"org_id":"o_cm","share":60}]}
JSON
printf '{"account_id":"acct_cm","org_id":"o_cm","billing_country":"HK"}\n{"account_id":"acct_cmsub","org_id":"o_cmsub","billing_country":"HK"}\n' >"$T/accounts-cmic.jsonl"
for a in acct_cm acct_cmsub; do
  printf '{"ts":"2026-11-23T08:01:00Z","account_id":"%s","ip":"81.2.69.1"}\n' "$a"
done >"$T/events-cmic.jsonl"
printf 'rules:\n  - code: "screen.*"\n    min_score: 0.6\n    action: review\n  - code: "screen.*"\n    min_score: 0.95\n    action: block\n' >"$T/cmic.yaml"
"$WARDEN_BIN" scan --quiet --policy "$T/cmic.yaml" --accounts "$T/accounts-cmic.jsonl" \
  --orgs "$T/orgs-cmic.jsonl" --out "$T/out-cmic0" "$T/events-cmic.jsonl"
check "a CMIC-listed name is screen.listed and blocked without review_programs" \
  grep -q '"account_id":"acct_cm","action":"block".*"screen.listed"' "$T/out-cmic0/verdicts.jsonl"
printf 'screen:\n  review_programs: [CMIC-EO13959]\n' >>"$T/cmic.yaml"
"$WARDEN_BIN" scan --quiet --policy "$T/cmic.yaml" --accounts "$T/accounts-cmic.jsonl" \
  --orgs "$T/orgs-cmic.jsonl" --out "$T/out-cmic" "$T/events-cmic.jsonl"
check "with review_programs it is screen.listed_review, reviewed" \
  grep -q '"account_id":"acct_cm","action":"review","score":0.8,"reasons":\["screen.listed_review"\]' "$T/out-cmic/verdicts.jsonl"
check "its subsidiary is possibly owned, reviewed" \
  grep -q '"account_id":"acct_cmsub","action":"review","score":0.8,"reasons":\["screen.possibly_owned_by_listed"\]' "$T/out-cmic/verdicts.jsonl"
check "the evidence names the programme" grep -q '"review_match":{.*"program":"CMIC-EO13959"' "$T/out-cmic/findings.jsonl"
check "findings valid" valid finding "$T/out-cmic/findings.jsonl"
"$WARDEN_BIN" screen --policy "$T/cmic.yaml" "China Mobile" >"$T/cmic.txt" 2>/dev/null
check "warden screen says the entry is only reviewed under the policy" \
  grep -q "listed only under programmes the policy reviews" "$T/cmic.txt"
"$WARDEN_BIN" screen "China Mobile" >"$T/cmic0.txt" 2>/dev/null
check "and does not say so without review_programs" \
  bash -c "! grep -q 'programmes the policy reviews' '$T/cmic0.txt'"
# an item that names no programme of the loaded lists reviews nothing: said,
# with the item; bad values are refused with file:line and the key
printf 'screen:\n  review_programs: [CMIC-EO13959, CMIC-EO1395, "nolist:CMIC-EO13959"]\n' >"$T/typo-prog.yaml"
"$WARDEN_BIN" screen --policy "$T/typo-prog.yaml" "China Mobile" >"$T/typo-prog.txt" 2>"$T/typo-prog.err"
check "a misspelt programme is named in a warning" \
  grep -q "screen.review_programs\[1\]: 'CMIC-EO1395' names no programme" "$T/typo-prog.err"
check "  ... and a list that is not loaded" \
  grep -q "screen.review_programs\[2\]: 'nolist:CMIC-EO13959' names no programme" "$T/typo-prog.err"
check "  ... but not the items that name one" bash -c "! grep -q 'review_programs\[0\]' '$T/typo-prog.err'"
check "  ... and the good item still reviews" grep -q "programmes the policy reviews" "$T/typo-prog.txt"
"$WARDEN_BIN" screen --policy "$T/cmic.yaml" "China Mobile" 2>&1 >/dev/null | grep -c "names no programme" >"$T/nowarn" || true
check "no warning when every item names a programme" grep -qx 0 "$T/nowarn"
printf 'screen:\n  review_program_score: 1.5\n' >"$T/badrps.yaml"
"$WARDEN_BIN" config --check "$T/badrps.yaml" 2>"$T/badrps.err"
check "review_program_score above 1 is refused (exit 3)" [ $? -eq 3 ]
check "  ... naming file:line and the key" \
  grep -q "badrps.yaml:2:25: screen.review_program_score: expected a number from 0 to 1" "$T/badrps.err"
printf 'screen:\n  review_programs: {CMIC-EO13959: true}\n' >"$T/badrp.yaml"
"$WARDEN_BIN" scan --quiet --policy "$T/badrp.yaml" --out "$T/out-badrp" "$T/events-cmic.jsonl" 2>"$T/badrp.err"
check "review_programs that is not a list is refused by scan (exit 3)" [ $? -eq 3 ]
check "  ... naming file:line and the key" grep -q "badrp.yaml:2:20: screen.review_programs: expected a list" "$T/badrp.err"

printf 'screen:\n  enabled: false\n' > "$T/off.yaml"
"$WARDEN_BIN" scan --quiet --policy "$T/off.yaml" --accounts "$T/accounts.jsonl" \
  --orgs "$T/orgs.jsonl" --out "$T/out-off" "$T/events.jsonl"
check "screening can be switched off in the policy" bash -c "! grep -q screen. '$T/out-off/verdicts.jsonl'"

# warden screen reads thresholds from the same policy section
printf 'screen:\n  match_threshold: 0.999\n' > "$T/strict.yaml"
"$WARDEN_BIN" screen "Shipping Lines of the Islamic Republic of Iran" >/dev/null
check "a reordered variant (0.965) matches at the default threshold (exit 1)" [ $? -eq 1 ]
"$WARDEN_BIN" screen --policy "$T/strict.yaml" "Shipping Lines of the Islamic Republic of Iran" >/dev/null
check "and not at the policy's stricter threshold (exit 0)" [ $? -eq 0 ]
printf 'screen:\n  match_treshold: 0.9\n' > "$T/typo.yaml"
"$WARDEN_BIN" screen --policy "$T/typo.yaml" x 2>"$T/err"
check "a misspelt screen key is refused with exit 3" [ $? -eq 3 ]
check "naming file:line and the key" grep -q "typo.yaml:2:3: screen.match_treshold: unknown key" "$T/err"
finish
