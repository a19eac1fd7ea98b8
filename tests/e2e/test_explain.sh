#!/usr/bin/env bash
# warden explain end to end: a scan blocks an account whose client declares a
# restricted jurisdiction's time zone while every request comes through VPN
# exits; `warden explain` prints that action, its audit trail and the
# finding's evidence (time zone, its countries, exit countries) from
# cases.db, as text and as JSON. A Chinese-locale user in an allowed country
# with consistent billing has nothing recorded; a missing database is exit 3.
. "$(dirname "$0")/lib.sh"

cat > "$T/policy.yaml" <<'YAML'
jurisdictions:
  restricted: [KP]
rules:
  - code: "geo.restricted_tz_anonymized"
    min_score: 0.85
    action: block
  - code: "*"
    min_score: 0.5
    action: review
YAML
cat > "$T/accounts.jsonl" <<'JSON'
{"account_id":"acct_tunnel","billing_country":"DE","card_country":"DE"}
{"account_id":"acct_zh","billing_country":"GB","card_country":"GB"}
JSON
# Mullvad VPN exits (data/ipintel/providers/mullvad); 81.2.69.0/24 is a GB ISP.
VPN=(23.159.216.3 23.159.216.127 23.160.24.3 23.160.24.127 23.162.8.3 23.162.8.67)
{
  for i in $(seq 1 12); do
    printf '{"ts":"2026-11-23T%02d:10:00Z","account_id":"acct_tunnel","ip":"%s","client_tz":"Asia/Pyongyang"}\n' "$i" "${VPN[$((i % 6))]}"
  done
  for i in $(seq 1 40); do
    printf '{"ts":"2026-11-2%dT%02d:00:00Z","account_id":"acct_zh","ip":"81.2.69.%d","client_tz":"Europe/London","client_locale":"zh-CN"}\n' $((i % 5 + 1)) $((i % 12 + 8)) "$i"
  done
} > "$T/events.jsonl"

"$WARDEN_BIN" scan --quiet --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" --out "$T/out" "$T/events.jsonl"
check "scan exits 0" [ $? -eq 0 ]
check "tunnelled account blocked" grep -q '"account_id":"acct_tunnel","action":"block"' "$T/out/verdicts.jsonl"
check "zh locale in an allowed country not actioned" bash -c "! grep -q acct_zh '$T/out/verdicts.jsonl'"

"$WARDEN_BIN" explain acct_tunnel --out "$T/out" > "$T/explain.txt"
check "explain exits 0" [ $? -eq 0 ]
check "explain names the action" grep -q '^account acct_tunnel: block' "$T/explain.txt"
check "explain shows the audit trail" grep -q 'allow -> block  geo.restricted_tz_anonymized' "$T/explain.txt"
check "explain shows the declared zone" grep -q 'client_tz *"Asia/Pyongyang"' "$T/explain.txt"
check "explain shows the zone's countries" grep -q 'tz_countries *\["KP"\]' "$T/explain.txt"
check "explain shows the share through anonymizers" grep -q 'anonymized_share *1' "$T/explain.txt"

"$WARDEN_BIN" explain acct_tunnel --out "$T/out" --json > "$T/explain.json"
check "json explain exits 0" [ $? -eq 0 ]
check "json is valid with the evidence" \
  [ "$(jq -r '.findings[] | select(.code=="geo.restricted_tz_anonymized") | .evidence.client_tz' "$T/explain.json")" = "Asia/Pyongyang" ]
check "json action" [ "$(jq -r .action "$T/explain.json")" = "block" ]

"$WARDEN_BIN" explain acct_zh --out "$T/out" > /dev/null 2> "$T/err"
check "nothing recorded for the zh-locale user: exit 3" [ $? -eq 3 ]
check "and says so" grep -q 'acct_zh: no case and no finding' "$T/err"
"$WARDEN_BIN" explain acct_tunnel --out "$T/nowhere" > /dev/null 2>&1
check "missing database: exit 3" [ $? -eq 3 ]
"$WARDEN_BIN" explain --out "$T/out" > /dev/null 2>&1
check "no account: usage error" [ $? -eq 2 ]
finish
