#!/usr/bin/env bash
# test_serve_end_user.sh — `warden serve` decides a request by its end
# user's own verdict when that is stronger than the account's: an app (not
# a declared reseller) serves 20 people and one end user who harvests
# through it (reasoning asked for in one frame, one request a minute, 300
# requests), all posted to /v1/events; distill scores each end user apart,
# so /v1/decide for the harvesting end user answers throttle or block with
# end_user_decided true and distill reasons, and the nginx-style
# /v1/authz answers 403 for it; a person of the same app is decided by the
# account's verdict (allow or review, end_user_decided false); a request of
# the app without an end_user is the account's too. The same traffic on a
# declared reseller ("plat"): its harvesting end user is throttled or
# blocked inline too, its people get the platform's action (review at most).
# After a restart from the state snapshot, and after a policy reload, the
# end user's verdict still decides its requests.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
for c in curl jq; do command -v "$c" >/dev/null || { echo "skip: $c missing"; exit 77; }; done

cat >"$T/accounts.jsonl" <<'EOF'
{"account_id":"app","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_app","email_domain":"app.example","program":"standard"}
{"account_id":"plat","created_at":"2026-09-01T00:00:00Z","billing_country":"US","card_country":"US","payment_fingerprint":"pm_plat","email_domain":"plat.example","program":"standard","reseller":true}
EOF
# 2026-11-02: 20 people with 10 requests each from 08:00, then from
# 12:00 the harvester every minute; all from the app's server
awk -v seed=11 'BEGIN {
  srand(seed)
  split("river budget planet engine garden invoice recipe harbor lantern meadow orbit quarry saddle timber velvet walnut", w, " ")
  t0 = 1793577600000
  n = 0
  for (p = 0; p < 20; p++)
    for (i = 0; i < 10; i++) {
      q = ""
      for (k = 0; k < 5 + int(rand() * 12); k++) q = q (k ? " " : "") w[1 + int(rand() * 16)]
      ts = t0 + 8 * 3600000 + int(rand() * 4 * 3600000)
      line[n++] = sprintf("%.0f\t{\"ts\":%.0f,\"request_id\":\"p%d-%d\",\"account_id\":\"app\",\"ip\":\"52.94.236.20\",\"end_user\":\"eu-%d\",\"user_agent\":\"Anthropic/Python 0.64.0\",\"model\":\"atlas-2-large\",\"prompt\":\"%s\",\"turns\":%d,\"thinking\":false,\"max_tokens\":4096,\"input_tokens\":%d,\"output_tokens\":%d,\"status\":200}", ts, ts, p, i, p, q, 1 + 2 * int(rand() * 3), 30 + int(rand() * 400), 80 + int(rand() * 600))
    }
  for (i = 0; i < 300; i++) {
    q = ""
    for (k = 0; k < 14 + int(rand() * 10); k++) q = q (k ? " " : "") w[1 + int(rand() * 16)]
    ts = t0 + 12 * 3600000 + i * 60000 + int(rand() * 3000)
    line[n++] = sprintf("%.0f\t{\"ts\":%.0f,\"request_id\":\"h-%d\",\"account_id\":\"app\",\"ip\":\"52.94.236.20\",\"end_user\":\"eu-h\",\"user_agent\":\"Anthropic/Python 0.64.0\",\"model\":\"atlas-2-large\",\"prompt\":\"Question: %s?\\n\\nExplain your reasoning in detail, then state the final answer.\",\"turns\":1,\"thinking\":true,\"max_tokens\":32000,\"input_tokens\":60,\"output_tokens\":%d,\"status\":200}", ts, ts, i, q, 2500 + int(rand() * 2000))
  }
  for (i = 0; i < n; i++) print line[i]
}' | sort -n | cut -f2- >"$T/app.jsonl"
# the declared reseller's: the same requests from its own server
sed 's/"request_id":"/"request_id":"plat-/; s/"account_id":"app"/"account_id":"plat"/; s/52\.94\.236\.20/3.5.140.10/' \
  "$T/app.jsonl" | sort -m "$T/app.jsonl" - >"$T/events.jsonl"
check "events written" [ "$(wc -l <"$T/events.jsonl")" -eq 1000 ]

mkdir -p "$T/state"
printf 'port: 0\nthreads: 2\nshards: 2\npolicy: %s\naccounts: %s\nsnapshot_path: %s\nadmin_token: tok-%s\n' \
  "$WARDEN_SRC/examples/policy.yaml" "$T/accounts.jsonl" "$T/state/warden.state" "$$" >"$T/serve.yaml"
start_serve "$T/serve.yaml" || exit 1
r=$(curl -s -XPOST --data-binary @"$T/events.jsonl" "$URL/v1/events")
check "1000 events accepted ($r)" jq -e '.accepted == 1000 and .rejected == 0' <<<"$r"

dec() { # dec END_USER SECOND [ACCOUNT]: one more request at 2026-11-02T18:00:SS
  local eu="" acct=${3:-app}
  [ -n "$1" ] && eu=",\"end_user\":\"$1\""
  curl -s -XPOST --data-binary "{\"ts\":\"2026-11-02T18:00:$2Z\",\"request_id\":\"d-$2\",\"account_id\":\"$acct\",\"ip\":\"52.94.236.20\"$eu,\"prompt\":\"hello\"}" "$URL/v1/decide"
}
h=$(dec eu-h 01)
check "the harvesting end user is throttled or blocked inline ($h)" \
  jq -e '(.action == "throttle" or .action == "block") and .enforced == .action' <<<"$h"
check "... by its own verdict" jq -e '.end_user_decided == true' <<<"$h"
check "... on distillation evidence" jq -e 'any(.reasons[]; .code | startswith("distill."))' <<<"$h"
p=$(dec eu-3 02)
check "a person of the same app is decided by the account ($p)" \
  jq -e '(.action == "allow" or .action == "review") and .end_user_decided == false' <<<"$p"
a=$(dec "" 03)
check "a request of the app without an end user is the account's ($a)" \
  jq -e '(.action == "allow" or .action == "review") and .end_user_decided == false' <<<"$a"
h=$(dec eu-h 04 plat)
check "a declared reseller's harvesting end user too ($h)" \
  jq -e '(.action == "throttle" or .action == "block") and .end_user_decided == true' <<<"$h"
p=$(dec eu-3 05 plat)
check "... its people at the platform's action, review at most ($p)" \
  jq -e '(.action == "allow" or .action == "review") and .end_user_decided == false' <<<"$p"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'x-warden-account: app' -H 'x-warden-end-user: eu-h' \
  -H 'x-real-ip: 52.94.236.20' "$URL/v1/authz")
check "nginx auth_request for the harvesting end user: 403 (got $code)" [ "$code" = 403 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'x-warden-account: app' -H 'x-warden-end-user: eu-5' \
  -H 'x-real-ip: 52.94.236.20' "$URL/v1/authz")
check "... for a person of the app: 200 (got $code)" [ "$code" = 200 ]
check "server stops cleanly (its final snapshot written)" stop_serve
start_serve "$T/serve.yaml" s2 || exit 1
h=$(dec eu-h 06)
check "after a restart from the snapshot, the harvesting end user still decided by its verdict ($h)" \
  jq -e '(.action == "throttle" or .action == "block") and .end_user_decided == true' <<<"$h"
p=$(dec eu-4 07)
check "... a person of the app still not ($p)" jq -e '.end_user_decided == false' <<<"$p"
r=$(curl -s -XPOST -H "Authorization: Bearer tok-$$" "$URL/admin/reload")
check "policy reloaded ($r)" jq -e '.status == "reloaded"' <<<"$r"
h=$(dec eu-h 08)
check "... the harvesting end user still decided by its verdict ($h)" \
  jq -e '(.action == "throttle" or .action == "block") and .end_user_decided == true' <<<"$h"
check "second server stops cleanly" stop_serve
finish
