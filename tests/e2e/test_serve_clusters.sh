#!/usr/bin/env bash
# test_serve_clusters.sh — `warden serve` writes the link detector's cluster
# records into the case database it records in (cases_record): three
# accounts of the registry pay with one card; one is blocked inline over the
# rate; within seconds cases.db's clusters table has the cluster (3 members,
# the payment edges, 1 actioned and enforced member, the action its members
# get) and the console's cluster view shows the record; a member that comes
# back is throttled through the cluster, and the record is written again
# only when it changes; at SIGTERM the record is in the table and the run
# ended.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
for c in curl sqlite3 jq; do command -v "$c" >/dev/null || { echo "skip: $c missing"; exit 77; }; done

cat >"$T/policy.yaml" <<'YAML'
rules:
  - code: "velocity.request_rate"
    min_score: 0
    action: block
  - code: "cluster.linked_to_actioned"
    min_score: 0.8
    action: throttle
detectors:
  velocity:
    enabled: true
    max_requests_short: 5
  link:
    enabled: true
YAML
acct() { # acct ID CARD
  printf '{"account_id":"%s","created_at":"2026-11-01T10:00:00Z","billing_country":"DE","card_country":"DE","payment_fingerprint":"%s","email_domain":"gmail.com","program":"standard","reseller":false}\n' "$1" "$2"
}
{ acct ring-1 pm_fp_ring; acct ring-2 pm_fp_ring; acct ring-3 pm_fp_ring; acct calm-1 pm_fp_calm
} >"$T/accounts.jsonl"
DB="$T/cases.db"
serve_cases_config "$T/serve.yaml" "$T/policy.yaml" "$DB" "accounts: $T/accounts.jsonl"
start_serve "$T/serve.yaml" || exit 1
AL=(-H "Authorization: Bearer alice-token-0123456789")
q() { sqlite3 -separator '|' "$DB" "$1" 2>/dev/null; }
dec() { # dec ACCOUNT SECOND IP
  curl -s -XPOST --data-binary \
    "$(printf '{"ts":"2026-11-30T10:%02d:%02dZ","account_id":"%s","ip":"%s","request_id":"%s-%s"}' \
      $(($2 / 60)) $(($2 % 60)) "$1" "$3" "$1" "$2")" "$URL/v1/decide"
}
dec ring-2 1 198.51.100.2 >/dev/null
dec ring-3 2 198.51.100.3 >/dev/null
dec calm-1 3 198.51.100.9 >/dev/null
for i in 10 11 12 13 14 15 16; do r=$(dec ring-1 "$i" 198.51.100.1); done
check "ring-1 blocked inline over the rate" grep -q '"enforced":"block"' <<<"$r"
# the cluster thread walks every 5 s, the writer merges about every second
for _ in $(seq 1 150); do
  [ "$(q "select actioned_members from clusters")" = 1 ] && break
  sleep 0.1
done
check "a cluster record in cases.db within seconds" [ "$(q "select count(*) from clusters")" = 1 ]
row=$(q "select members||'|'||actioned_members||'|'||enforced_members||'|'||action from clusters")
check "  ... 3 members, 1 actioned and enforced, its members throttled (got $row)" \
  [ "$row" = "3|1|1|throttle" ]
check "  ... member ids and the payment edges" \
  [ "$(q "select (select group_concat(value, ',') from (select value from json_each(member_ids) order by value))||'|'||json_extract(edge_kinds, '\$.payment') from clusters")" = "ring-1,ring-2,ring-3|2" ]
check "  ... the account outside it is not a member" \
  [ "$(q "select count(*) from clusters where member_ids like '%calm-1%'")" = 0 ]
CID=$(q "select cluster_id from clusters")
check "ring-1's case carries the cluster id" \
  [ "$(q "select cluster_id from cases where account_id='ring-1'")" = "$CID" ]
curl -s "${AL[@]}" "$URL/v1/clusters/$CID" >"$T/cl.json"
check "console: the cluster view has the record" \
  jq -e '.record.members == 3 and .record.actioned_members == 1 and .record.edge_kinds.payment == 2 and (.accounts | length) >= 1' "$T/cl.json"
ID1=$(q "select max(id) from clusters")
# ring-2 comes back: throttled through the cluster; the cluster's figures
# are unchanged, so no new record is written
r=$(dec ring-2 30 198.51.100.2)
check "ring-2 throttled through its cluster at its next request" grep -q '"enforced":"throttle"' <<<"$r"
for _ in $(seq 1 60); do
  [ "$(q "select count(*) from cases where account_id='ring-2'")" = 1 ] && break
  sleep 0.1
done
sleep 6 # one walk of the clusters
check "an unchanged cluster is not written again" [ "$(q "select max(id) from clusters")" = "$ID1" ]
curl -s "$URL/metrics" >"$T/m.txt"
check "metrics: cluster rows counted" grep -q '^warden_case_rows_total{kind="cluster"} 1$' "$T/m.txt"
stop_serve
check "serve stopped cleanly" [ $? -eq 0 ]
check "after SIGTERM: still one cluster record, 3 members" \
  [ "$(q "select count(*)||'|'||members from clusters")" = "1|3" ]
check "the run ended" [ "$(q "select count(*) from runs where finished_at is not null")" = 1 ]
finish
