#!/usr/bin/env bash
# warden scan writes linked-account clusters: three accounts paid with one
# card form one cluster; when one of them is blocked on its own evidence
# (billing in a restricted jurisdiction), the others are throttled through
# cluster.linked_to_actioned; an account with its own card behind the same
# network stays out. clusters.jsonl validates against its schema and the
# clusters table of cases.db holds the same cluster, and the review
# console's cluster view (GET /v1/clusters/ID on `warden serve`) shows it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

printf 'jurisdictions:\n  restricted: [KP]\n  billing_action: block\n' > "$T/policy.yaml"
cat > "$T/accounts.jsonl" <<'JSON'
{"account_id":"h1","billing_country":"KP","payment_fingerprint":"fp-1","email_domain":"gmail.com"}
{"account_id":"h2","billing_country":"DE","payment_fingerprint":"fp-1","email_domain":"gmail.com"}
{"account_id":"h3","billing_country":"DE","payment_fingerprint":"fp-1","email_domain":"gmail.com"}
{"account_id":"x1","billing_country":"DE","payment_fingerprint":"fp-2","email_domain":"gmail.com"}
JSON
{
  for i in $(seq 10 29); do
    for a in h1 h2 h3 x1; do
      printf '{"ts":"2026-11-23T08:%02d:00Z","account_id":"%s","ip":"81.2.69.%d","user_agent":"curl/8.5.0"}\n' "$i" "$a" "$i"
    done
  done
} > "$T/events.jsonl"

"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" \
  --out "$T/out" "$T/events.jsonl"
check "scan exits 0" [ $? -eq 0 ]
C="$T/out/clusters.jsonl"
V="$T/out/verdicts.jsonl"
check "one cluster" [ "$(wc -l < "$C")" -eq 1 ]
check "clusters valid" valid cluster "$C"
check "findings valid" valid finding "$T/out/findings.jsonl"
check "three members, joined by payment" grep -q '"members":3,.*"edge_kinds":{"payment":2}' "$C"
check "one member actioned on its own evidence, the cluster throttled" \
  grep -q '"actioned_members":1,"enforced_members":1,"harvest_members":0,"action":"throttle"' "$C"
check "h1 blocked for its billing country" grep -q '"account_id":"h1","action":"block".*"cluster_id":"lk-1"' "$V"
check "h2 throttled through its cluster" \
  grep -q '"account_id":"h2","action":"throttle","score":[0-9.]*,"reasons":\["cluster.linked_to_actioned"' "$V"
check "h3 throttled through its cluster" grep -q '"account_id":"h3","action":"throttle".*"cluster_id":"lk-1"' "$V"
check "the account with its own card is not linked" bash -c "! grep -q '\"x1\"' '$V' '$C'"
check "evidence never holds the payment fingerprint" bash -c "! grep -q 'fp-1' '$T/out/findings.jsonl'"
check "cases.db clusters table" \
  [ "$(sqlite3 "$T/out/cases.db" "select members || ' ' || action from clusters where cluster_id='lk-1'")" = "3 throttle" ]
check "cases carry the cluster id" \
  [ "$(sqlite3 "$T/out/cases.db" "select count(*) from cases where cluster_id='lk-1'")" = "3" ]

# the console's cluster view reads the clusters table: every member, edges by kind
if command -v curl >/dev/null; then
  cat >"$T/serve.yaml" <<YAML
port: 0
threads: 1
shards: 1
policy: $T/policy.yaml
cases: $T/out/cases.db
YAML
  WARDEN_ANALYSTS="vic:viewer:viewer-token-0123456789" start_serve "$T/serve.yaml" || exit 1
  r=$(curl -s -H "Authorization: Bearer viewer-token-0123456789" "$URL/v1/clusters/lk-1")
  check "cluster view: the link detector's record" \
    grep -q '"record":{"run_id":[0-9]*,"members":3,"member_ids":\["h[123]","h[123]","h[123]"\],"edge_kinds":{"payment":2},"edges":2,' <<<"$r"
  check "cluster view: the cluster's action" \
    grep -q '"enforced_members":1,"harvest_members":0,"action":"throttle"}' <<<"$r"
  check "cluster view: three accounts with a case" [ "$(grep -o '"case_id"' <<<"$r" | wc -l)" = 3 ]
  r=$(curl -s -H "Authorization: Bearer viewer-token-0123456789" "$URL/v1/clusters/lk-404")
  check "unknown cluster: 404" grep -q '"error"' <<<"$r"
fi
finish
