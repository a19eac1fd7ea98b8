#!/usr/bin/env bash
# test_scan_reseller_lanes.sh — `warden scan` of a declared reseller whose
# platform serves 30 people and one end user who harvests through it
# (reasoning requested in one frame, one request a minute): distill scores
# each end user of a declared reseller apart (end-user lanes), so the
# harvesting end user gets a verdict of its own, "plat/eu-h", throttled or
# blocked on distill evidence with the account and end user in the
# evidence, and none of the people is actioned; the platform account is
# reviewed at most (distill.reseller_cap). The same traffic on an account
# that is not a declared reseller ("solo") makes no lane verdict and is
# actioned as that account. Without end-user ids (a gateway that does not
# forward them) the harvester cannot be told from the people: the platform
# is reviewed, not throttled or blocked, and its distill finding says the
# id is missing; "solo" is still actioned.
. "$(dirname "$0")/lib.sh"
cat >"$T/accounts.jsonl" <<'EOF'
{"account_id":"plat","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_plat","email_domain":"plat.example","program":"standard","reseller":true}
{"account_id":"solo","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_solo","email_domain":"solo.example","program":"standard"}
EOF
# two days from 2026-11-02T00:00Z: per account, the harvester every minute
# for 400 minutes from 02:00, and 30 people with 12 requests each in the
# day; every request from the account's server (one cloud address each)
awk -v seed=7 'BEGIN {
  srand(seed)
  split("river budget planet engine garden invoice recipe harbor lantern meadow orbit quarry saddle timber velvet walnut", w, " ")
  t0 = 1793577600000
  n = 0
  for (a = 1; a <= 2; a++) {
    acct = a == 1 ? "plat" : "solo"
    ip = a == 1 ? "3.5.140.10" : "52.94.236.20"
    frame = a == 1 ? "Think step by step and show all of your reasoning before the final answer." : "Explain your reasoning in detail, then state the final answer."
    for (i = 0; i < 400; i++) {
      q = ""
      for (k = 0; k < 14 + int(rand() * 10); k++) q = q (k ? " " : "") w[1 + int(rand() * 16)]
      ts = t0 + 7200000 + i * 60000 + int(rand() * 3000)
      line[n++] = sprintf("%.0f\t{\"ts\":%.0f,\"account_id\":\"%s\",\"ip\":\"%s\",\"end_user\":\"eu-h\",\"user_agent\":\"Anthropic/Python 0.64.0\",\"model\":\"atlas-2-large\",\"prompt\":\"Question: %s?\\n\\n%s\",\"turns\":1,\"thinking\":true,\"max_tokens\":32000,\"input_tokens\":60,\"output_tokens\":%d,\"status\":200}", ts, ts, acct, ip, q, frame, 2500 + int(rand() * 2000))
    }
    for (p = 0; p < 30; p++)
      for (i = 0; i < 12; i++) {
        q = ""
        for (k = 0; k < 5 + int(rand() * 12); k++) q = q (k ? " " : "") w[1 + int(rand() * 16)]
        ts = t0 + int(i / 6) * 86400000 + (8 + int(rand() * 12)) * 3600000 + int(rand() * 3600000)
        line[n++] = sprintf("%.0f\t{\"ts\":%.0f,\"account_id\":\"%s\",\"ip\":\"%s\",\"end_user\":\"eu-%d\",\"user_agent\":\"Anthropic/Python 0.64.0\",\"model\":\"atlas-2-large\",\"prompt\":\"%s\",\"turns\":%d,\"thinking\":false,\"max_tokens\":4096,\"input_tokens\":%d,\"output_tokens\":%d,\"status\":200}", ts, ts, acct, ip, p, q, 1 + 2 * int(rand() * 3), 30 + int(rand() * 400), 80 + int(rand() * 600))
      }
  }
  for (i = 0; i < n; i++) print line[i]
}' | sort -n | cut -f2- >"$T/events.jsonl"
check "events written" [ "$(wc -l <"$T/events.jsonl")" -eq 1520 ]

"$WARDEN_BIN" scan -q --no-db --policy "$WARDEN_SRC/examples/policy.yaml" \
  --accounts "$T/accounts.jsonl" -o "$T/out" "$T/events.jsonl" 2>"$T/err"
check "scan ran" [ -s "$T/out/verdicts.jsonl" ]
check "verdicts valid" valid verdict "$T/out/verdicts.jsonl"
h=$(jq -c 'select(.account_id == "plat/eu-h")' "$T/out/verdicts.jsonl")
check "the harvesting end user has a verdict of its own: $h" [ -n "$h" ]
check "... throttled or blocked" bash -c "jq -e '.action == \"throttle\" or .action == \"block\"' <<<'$h' >/dev/null"
check "... on distillation evidence" bash -c "jq -e 'any(.reasons[]; startswith(\"distill.\"))' <<<'$h' >/dev/null"
check "its findings name the platform account and the end user" \
  bash -c "jq -e 'select(.account_id == \"plat/eu-h\") | .evidence.lane == {\"account\":\"plat\",\"end_user\":\"eu-h\"}' '$T/out/findings.jsonl' | grep -q true"
check "no person behind the platform is actioned" \
  bash -c "[ -z \"\$(jq -r 'select((.account_id | startswith(\"plat/eu-\")) and .account_id != \"plat/eu-h\" and .action != \"allow\") | .account_id' '$T/out/verdicts.jsonl')\" ]"
check "an account that is not a declared reseller has no lanes" \
  bash -c "! jq -r .account_id '$T/out/verdicts.jsonl' | grep -q '^solo/'"
check "the platform itself is not throttled or blocked for its end user" \
  bash -c "jq -e 'select(.account_id == \"plat\") | .action == \"allow\" or .action == \"review\"' '$T/out/verdicts.jsonl' | grep -q true"
check "the same traffic on an ordinary account is actioned as that account" \
  bash -c "jq -e 'select(.account_id == \"solo\") | .action != \"allow\"' '$T/out/verdicts.jsonl' | grep -q true"
jq -c 'select(.account_id == "plat" or .account_id == "solo") | [.account_id, .action, .reasons]' "$T/out/verdicts.jsonl"

jq -c 'del(.end_user)' "$T/events.jsonl" >"$T/anon.jsonl"
"$WARDEN_BIN" scan -q --no-db --policy "$WARDEN_SRC/examples/policy.yaml" \
  --accounts "$T/accounts.jsonl" -o "$T/anon" "$T/anon.jsonl" 2>"$T/err2"
check "scan without end-user ids ran" [ -s "$T/anon/verdicts.jsonl" ]
check "... no lane verdict" bash -c "! jq -r .account_id '$T/anon/verdicts.jsonl' | grep -q /"
check "... the platform is reviewed" \
  bash -c "jq -e 'select(.account_id == \"plat\") | .action == \"review\"' '$T/anon/verdicts.jsonl' | grep -q true"
check "... on a distill finding that says the end-user id is missing" \
  bash -c "jq -e 'select(.account_id == \"plat\" and (.code | startswith(\"distill.\"))) | .evidence.end_user_missing and .evidence.reseller_platform' '$T/anon/findings.jsonl' | grep -q true"
check "... the ordinary account is still throttled or blocked" \
  bash -c "jq -e 'select(.account_id == \"solo\") | .action == \"throttle\" or .action == \"block\"' '$T/anon/verdicts.jsonl' | grep -q true"
jq -c 'select(.account_id == "plat" or .account_id == "solo") | [.account_id, .action, .reasons]' "$T/anon/verdicts.jsonl"
finish
