#!/usr/bin/env bash
# warden scan end to end: a restricted-jurisdiction account and a burst
# account are actioned with the right reasons; verdicts.jsonl, findings.jsonl
# and cases.db agree; every output line validates against schemas/; gzip and
# stdin inputs give the same verdicts; a bad policy is refused with exit 3.
. "$(dirname "$0")/lib.sh"

cat > "$T/policy.yaml" <<'YAML'
jurisdictions:
  restricted: [KP]
detectors:
  velocity:
    max_requests_short: 50
    key_max_requests_short: 50
YAML
cat > "$T/accounts.jsonl" <<'JSON'
{"account_id":"acct_ok","org_id":"org_1","billing_country":"DE","card_country":"DE"}
{"account_id":"acct_burst","org_id":"org_1","billing_country":"DE"}
{"account_id":"acct_kp_bill","billing_country":"KP"}
JSON
# 175.45.176.0/22 is announced by North Korea's Star JV (in the IPFire database).
{
  for i in $(seq 1 20); do
    printf '{"ts":"2026-11-23T08:%02d:00Z","account_id":"acct_ok","ip":"81.2.69.%d","input_tokens":10,"output_tokens":5}\n' "$i" "$i"
  done
  for i in $(seq 1 3); do
    printf '{"ts":"2026-11-23T09:00:%02dZ","account_id":"acct_kp_ip","ip":"175.45.176.%d"}\n' "$i" "$i"
  done
  for i in $(seq 0 119); do
    printf '{"ts":"2026-11-23T10:00:%02d.%03dZ","account_id":"acct_burst","ip":"81.2.69.200","api_key_id":"k1"}\n' $((i / 4)) $((i % 4 * 250))
  done
  printf '{"ts":"2026-11-23T11:00:00Z","account_id":"acct_kp_bill","ip":"81.2.69.9"}\n'
} > "$T/events.jsonl"

"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" --out "$T/out" "$T/events.jsonl"
check "scan exits 0" [ $? -eq 0 ]
V="$T/out/verdicts.jsonl"
check "verdicts valid" valid verdict "$V"
check "findings valid" valid finding "$T/out/findings.jsonl"
check "allowed account has no verdict" bash -c "! grep -q acct_ok '$V'"
check "restricted IP account blocked on first event" \
  grep -q '"account_id":"acct_kp_ip","action":"block".*"geo.restricted_jurisdiction".*"first_action_event":1,"events":3' "$V"
check "restricted billing account actioned" grep -q '"account_id":"acct_kp_bill".*"geo.restricted_billing"' "$V"
check "burst account flagged for request rate at its 51st request" \
  grep -q '"account_id":"acct_burst".*"velocity.request_rate".*"first_action_event":51,"events":120' "$V"
check "key rate flagged too" grep -q '"velocity.key_request_rate"' "$T/out/findings.jsonl"
check "evidence names country and ASN" grep -q '"country":"KP","ip":"175.45.176.1","asn":131279' "$T/out/findings.jsonl"
check "cases.db has one case per verdict" [ "$(sqlite3 "$T/out/cases.db" 'select count(*) from cases')" = "$(wc -l < "$V")" ]
check "audit trail records the block" [ "$(sqlite3 "$T/out/cases.db" "select to_action from audit where account_id='acct_kp_ip'")" = "block" ]

gzip -c "$T/events.jsonl" > "$T/events.jsonl.gz"
"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" --out "$T/out-gz" "$T/events.jsonl.gz"
check "gzip input gives identical verdicts" cmp -s "$V" "$T/out-gz/verdicts.jsonl"
"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" --out "$T/out-stdin" - < "$T/events.jsonl"
check "stdin input gives identical verdicts" cmp -s "$V" "$T/out-stdin/verdicts.jsonl"

printf 'jurisdictions:\n  restricted: [KP]\n  bogus_key: 1\n' > "$T/bad.yaml"
"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/bad.yaml" --out "$T/out-bad" "$T/events.jsonl" 2>"$T/err"
check "bad policy refused with exit 3" [ $? -eq 3 ]
check "error names file:line and key" grep -q "bad.yaml:3.*bogus_key" "$T/err"

"$WARDEN_BIN" scan --quiet --run-id t --out "$T/out-missing" "$T/nope.jsonl" 2>/dev/null
check "missing input file exits 3 (unreadable input data, as the README says)" [ $? -eq 3 ]
"$WARDEN_BIN" scan --quiet --run-id t --all-verdicts --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" --out "$T/out-all" "$T/events.jsonl"
check "--all-verdicts: valid verdicts" valid verdict "$T/out-all/verdicts.jsonl"
check "--all-verdicts: the allowed account is listed as allow with its event count" \
  grep -q '"account_id":"acct_ok","action":"allow","score":0,"reasons":\[\],"cluster_id":null,"first_action_ts":null,"first_action_event":null,"events":20,"shadow":false,' "$T/out-all/verdicts.jsonl"
check "--all-verdicts: one line per account seen" [ "$(wc -l < "$T/out-all/verdicts.jsonl")" -eq 4 ]
check "--all-verdicts: actioned lines identical to the default output" \
  bash -c "grep -v '\"action\":\"allow\"' '$T/out-all/verdicts.jsonl' | cmp -s - '$V'"

# the same requests delivered twice (a replayed log) are counted once
for i in $(seq 1 10); do
  printf '{"ts":"2026-11-23T12:00:%02dZ","account_id":"acct_kp_rep","ip":"175.45.176.9","request_id":"req-%d"}\n' "$i" "$i"
done > "$T/rep.jsonl"
"$WARDEN_BIN" scan --run-id t --policy "$T/policy.yaml" --out "$T/out-rep" "$T/rep.jsonl" "$T/rep.jsonl" > "$T/rep.txt"
check "replayed requests not counted twice" grep -q '"account_id":"acct_kp_rep".*"events":10,' "$T/out-rep/verdicts.jsonl"
check "summary counts the duplicates" grep -q 'duplicate requests *10' "$T/rep.txt"

for bad in "--dedup-window 1" "--dedup-window many" "--max-accounts 0" "--max-accounts -5" "--max-line-bytes 10" \
  "--max-reject-share 2" "--max-reject-share some" "--lateness -1" "--lateness 99999"; do
  # shellcheck disable=SC2086
  "$WARDEN_BIN" scan --quiet --run-id t $bad --out "$T/out-badopt" "$T/events.jsonl" 2>"$T/err"
  rc=$?
  check "scan $bad refused with exit 2 (got $rc)" [ $rc -eq 2 ]
  check "scan $bad names the option" grep -q -- "${bad%% *}" "$T/err"
done
check "a refused command line writes no outputs" [ ! -e "$T/out-badopt/verdicts.jsonl" ]

"$WARDEN_BIN" scan --bogus 2>/dev/null
check "unknown option exits 2" [ $? -eq 2 ]
finish
