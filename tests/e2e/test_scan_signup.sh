#!/usr/bin/env bash
# warden scan end to end with the sign-up risk detector: ten accounts signed
# up within an hour through one program on two cards are reviewed at their
# first request (signup.burst, signup.shared_payment, signup.combined), with
# the cards and addresses only hashed in the evidence; a company's staff who
# signed up over a month, and an ordinary user on a VPN, are not actioned.
. "$(dirname "$0")/lib.sh"

{
  for i in $(seq 0 9); do # 10 sign-ups in 45 minutes, two cards
    printf '{"account_id":"h%d","created_at":"2026-11-20T03:%02d:00Z","program":"startup","email_domain":"gmail.com","payment_fingerprint":"card-%d","signup_ip":"198.51.100.%d"}\n' \
      "$i" $((i * 5)) $((i % 2)) $((i + 10))
  done
  for i in $(seq 0 29); do # one company's staff over a month
    printf '{"account_id":"s%d","org_id":"org_acme","created_at":"2026-10-%02dT09:%02d:00Z","program":"standard","email_domain":"acme.example","payment_fingerprint":"staff-%d","signup_ip":"81.2.69.%d"}\n' \
      "$i" $((i + 1)) $((i % 60)) "$i" $((i % 4))
  done
  echo '{"account_id":"v1","created_at":"2026-11-20T03:10:00Z","program":"education","email_domain":"proton.me","payment_fingerprint":"own","signup_ip":"81.2.69.99"}'
} >"$T/accounts.jsonl"
{
  for a in h0 h1 h2 h3 h4 h5 h6 h7 h8 h9 s0 s1 s2 v1; do
    for k in 1 2 3; do
      printf '{"ts":"2026-11-23T10:0%d:00Z","account_id":"%s","ip":"81.2.69.50"}\n' "$k" "$a"
    done
  done
} >"$T/events.jsonl"

"$WARDEN_BIN" scan -q --no-db --policy "$WARDEN_SRC/examples/policy.yaml" \
  --accounts "$T/accounts.jsonl" --out "$T/out" "$T/events.jsonl"
check "scan ran" test -s "$T/out/findings.jsonl"
n=$(grep -c '"code":"signup.burst"' "$T/out/findings.jsonl")
check "ten burst findings (got $n)" test "$n" -eq 10
check "shared cards" grep -q '"code":"signup.shared_payment".*"accounts":5,"orgs":5' "$T/out/findings.jsonl"
check "combined" grep -q '"account_id":"h3".*"code":"signup.combined"' "$T/out/findings.jsonl"
check "h3 reviewed at its first request" \
  grep -q '"account_id":"h3","action":"review".*"first_action_event":1,' "$T/out/verdicts.jsonl"
check "no card or address in the evidence" \
  bash -c "! grep -q 'card-\\|198\\.51\\.100' '$T/out/findings.jsonl'"
check "staff not actioned" bash -c "! grep -q '\"account_id\":\"s' '$T/out/verdicts.jsonl'"
check "staff: no sign-up finding" bash -c "! grep -q '\"account_id\":\"s.*signup' '$T/out/findings.jsonl'"
check "an easy program alone is not actioned" bash -c "! grep -q '\"account_id\":\"v1\"' '$T/out/verdicts.jsonl'"
check "findings valid" valid finding "$T/out/findings.jsonl"
check "verdicts valid" valid verdict "$T/out/verdicts.jsonl"
finish
