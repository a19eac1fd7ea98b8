#!/usr/bin/env bash
# test_scan_reseller_lanes.sh — `warden scan` of a declared reseller whose
# platform serves 30 people and one end user who harvests through it
# (reasoning requested in one frame, one request a minute): distill scores
# each end user apart (end-user lanes), so the harvesting end user gets a
# verdict of its own, "plat/eu-h", throttled or blocked on distill evidence
# with the account and end user in the evidence, and none of the people is
# actioned; the platform account is reviewed at most (distill.reseller_cap).
# The same traffic on an app that is not a declared reseller ("solo") gets
# lanes too: "solo/eu-h" throttled or blocked, its people not, and "solo"
# itself reviewed at most, as the rest of its traffic does not harvest; with
# lanes_undeclared off, "solo" has no lanes and is actioned as an account.
# The harvest alone under a made-up end-user id every three requests
# ("fake": an operation posing as a platform) is throttled or blocked as
# that account. Without end-user ids (a gateway that does not forward them)
# the harvester cannot be told from the people: the declared platform is
# reviewed, not throttled or blocked, and its distill finding says the id
# is missing; "solo" and "fake" are throttled or blocked.
. "$(dirname "$0")/lib.sh"
cat >"$T/accounts.jsonl" <<'EOF'
{"account_id":"plat","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_plat","email_domain":"plat.example","program":"standard","reseller":true}
{"account_id":"solo","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_solo","email_domain":"solo.example","program":"standard"}
{"account_id":"fake","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_fake","email_domain":"fake.example","program":"standard"}
EOF
# two days from 2026-11-02T00:00Z: per account, the harvester every minute
# for 400 minutes from 02:00 on the first day (with "fake", the harvest
# alone), and 30 people with 12 requests each in the day (the first from
# 08:00: at first the app's traffic is all harvest); every request from the
# account's server (one cloud address each)
awk -v seed=7 'BEGIN {
  srand(seed)
  split("river budget planet engine garden invoice recipe harbor lantern meadow orbit quarry saddle timber velvet walnut", w, " ")
  t0 = 1793577600000
  n = 0
  split("plat solo fake", name, " ")
  split("3.5.140.10 52.94.236.20 52.94.236.77", addr, " ")
  split("Think step by step and show all of your reasoning before the final answer.|Explain your reasoning in detail, then state the final answer.|Reason through it at length, every step shown, then answer.", frames, "|")
  for (a = 1; a <= 3; a++) {
    acct = name[a]
    ip = addr[a]
    frame = frames[a]
    for (i = 0; i < 400; i++) {
      q = ""
      for (k = 0; k < 14 + int(rand() * 10); k++) q = q (k ? " " : "") w[1 + int(rand() * 16)]
      ts = t0 + 7200000 + i * 60000 + int(rand() * 3000)
      eu = a == 3 ? sprintf("f-%d", int(i / 3)) : "eu-h"
      line[n++] = sprintf("%.0f\t{\"ts\":%.0f,\"account_id\":\"%s\",\"ip\":\"%s\",\"end_user\":\"%s\",\"user_agent\":\"Anthropic/Python 0.64.0\",\"model\":\"atlas-2-large\",\"prompt\":\"Question: %s?\\n\\n%s\",\"turns\":1,\"thinking\":true,\"max_tokens\":32000,\"input_tokens\":60,\"output_tokens\":%d,\"status\":200}", ts, ts, acct, ip, eu, q, frame, 2500 + int(rand() * 2000))
    }
    if (a == 3) continue
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
check "events written" [ "$(wc -l <"$T/events.jsonl")" -eq 1920 ]

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
check "the platform itself is not throttled or blocked for its end user" \
  bash -c "jq -e 'select(.account_id == \"plat\") | .action == \"allow\" or .action == \"review\"' '$T/out/verdicts.jsonl' | grep -q true"
check "an app that is not a declared reseller: its harvesting end user throttled or blocked" \
  bash -c "jq -e 'select(.account_id == \"solo/eu-h\") | .action == \"throttle\" or .action == \"block\"' '$T/out/verdicts.jsonl' | grep -q true"
check "... none of its people actioned" \
  bash -c "[ -z \"\$(jq -r 'select((.account_id | startswith(\"solo/eu-\")) and .account_id != \"solo/eu-h\" and .action != \"allow\") | .account_id' '$T/out/verdicts.jsonl')\" ]"
check "... the app itself not throttled or blocked: the rest of its traffic does not harvest" \
  bash -c "jq -e 'select(.account_id == \"solo\") | .action == \"allow\" or .action == \"review\"' '$T/out/verdicts.jsonl' | grep -q true"
check "... its distill findings never above distill.reseller_cap (0.79)" \
  bash -c "jq -s -e '[.[] | select(.account_id == \"solo\" and (.code | startswith(\"distill.\"))) | .score] | length > 0 and max <= 0.79' '$T/out/findings.jsonl' >/dev/null"
check "made-up end-user ids: the account throttled or blocked" \
  bash -c "jq -e 'select(.account_id == \"fake\") | .action == \"throttle\" or .action == \"block\"' '$T/out/verdicts.jsonl' | grep -q true"
jq -c 'select(.account_id == "plat" or .account_id == "solo" or .account_id == "fake") | [.account_id, .action, .reasons]' "$T/out/verdicts.jsonl"

sed 's/^  distill:$/  distill:\n    lanes_undeclared: false/' "$WARDEN_SRC/examples/policy.yaml" >"$T/declared-only.yaml"
"$WARDEN_BIN" scan -q --no-db --policy "$T/declared-only.yaml" \
  --accounts "$T/accounts.jsonl" -o "$T/decl" "$T/events.jsonl" 2>"$T/err3"
check "lanes_undeclared false: no lane for an undeclared account" \
  bash -c "! jq -r .account_id '$T/decl/verdicts.jsonl' | grep -q '^solo/\|^fake/'"
check "... the app actioned as an account" \
  bash -c "jq -e 'select(.account_id == \"solo\") | .action == \"throttle\" or .action == \"block\"' '$T/decl/verdicts.jsonl' | grep -q true"
check "... the declared reseller's lane still there" \
  bash -c "jq -e 'select(.account_id == \"plat/eu-h\") | .action == \"throttle\" or .action == \"block\"' '$T/decl/verdicts.jsonl' | grep -q true"

jq -c 'del(.end_user)' "$T/events.jsonl" >"$T/anon.jsonl"
"$WARDEN_BIN" scan -q --no-db --policy "$WARDEN_SRC/examples/policy.yaml" \
  --accounts "$T/accounts.jsonl" -o "$T/anon" "$T/anon.jsonl" 2>"$T/err2"
check "scan without end-user ids ran" [ -s "$T/anon/verdicts.jsonl" ]
check "... no lane verdict" bash -c "! jq -r .account_id '$T/anon/verdicts.jsonl' | grep -q /"
check "... the platform is reviewed" \
  bash -c "jq -e 'select(.account_id == \"plat\") | .action == \"review\"' '$T/anon/verdicts.jsonl' | grep -q true"
check "... on a distill finding that says the end-user id is missing" \
  bash -c "jq -e 'select(.account_id == \"plat\" and (.code | startswith(\"distill.\"))) | .evidence.end_user_missing and .evidence.reseller_platform' '$T/anon/findings.jsonl' | grep -q true"
check "... the undeclared app and the made-up ids' account throttled or blocked" \
  bash -c "[ \"\$(jq -r 'select((.account_id == \"solo\" or .account_id == \"fake\") and (.action == \"throttle\" or .action == \"block\")) | .account_id' '$T/anon/verdicts.jsonl' | sort | tr '\n' ' ')\" = 'fake solo ' ]"
jq -c 'select(.account_id == "plat" or .account_id == "solo" or .account_id == "fake") | [.account_id, .action, .reasons]' "$T/anon/verdicts.jsonl"
finish
