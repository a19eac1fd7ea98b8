#!/usr/bin/env bash
# The linking stage killed mid-stream on Kafka (librdkafka's mock cluster): a
# simulated scenario with hydra clusters is produced in chunks into a
# 12-partition events topic while 2 workers (the example policy: link
# detector in remote mode) and `warden link-stage` run; after the 4th chunk
# the stage is killed with SIGKILL (its open transaction is left behind), and
# after the 6th a new stage starts under the same id: it fences the dead
# one's transaction, rebuilds its state from the linking topic up to the
# committed offsets, reads what the membership topic told, hands on what it
# owes beyond that, and goes on live. Checked against `warden scan` of the
# same events: no event lost; the same clusters (as sets of accounts) and the
# same per-account actions and reasons (the cluster.shared_* kind aside, as
# in test_kafka_linking.sh); and no account told a cluster finding twice (at
# most one cluster.harvest_pooled and cluster.linked_restricted, at most two
# cluster.linked_to_actioned: review, then enforced).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
kafka_setup
P="$T/policy.yaml"
policy_for_workers "$P"
"$WARDEN_BIN" scan -q --no-db --lenient --run-id ref --policy "$P" \
  --accounts "$T/sim/accounts.jsonl" --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/sim/events.jsonl" \
  2>/dev/null
check "scan found clusters" [ "$(wc -l < "$T/scan/clusters.jsonl")" -ge 3 ]
EVENTS=$(wc -l < "$T/sim/events.jsonl")

# one linking partition, as the README advises: a restarted stage then
# replays the records in the order it first met them
LINKING_PARTS=1 kafka_linking_run 400 "$P"
kafka_start worker w1 "$T/w1.log" 25
kafka_start worker w2 "$T/w2.log" 25
check "every worker was given partitions" kafka_wait_assigned "$T"/w1.log "$T"/w2.log
kafka_start_stage
stage_step() {
  if [ "$1" -eq 4 ]; then
    sleep 2
    kafka_kill "$STAGE_PID"
    wait "$STAGE_PID" 2>/dev/null
    mv "$T/l1.log" "$T/l1-killed.log"
  fi
  if [ "$1" -eq 6 ]; then kafka_start_stage; fi
}
kafka_produce_chunks "$T/sim/events.jsonl" 10 stage_step
kafka_wait
kafka_stop_stage
kafka_dump_checks "$EVENTS"
grep -v AUTOCREATE "$T/l1.log" | grep -E 'events live|owed' | sed 's/^/restarted stage: /'
check "the restarted stage rebuilt its state from the linking topic" \
  grep -qE 'l1: [0-9]+ events live, [1-9][0-9]* replayed' "$T/l1.log"

kafka_clusters "$T/scan/findings.jsonl" > "$T/want.clusters"
kafka_clusters "$T/dump/findings.jsonl" > "$T/got.clusters"
check "cluster membership equal to scan's ($(wc -l < "$T/want.clusters") clusters)" \
  diff "$T/want.clusters" "$T/got.clusters"
kafka_verdicts_like_scan
twice=$(jq -r 'select(.code | test("^cluster\\.(harvest_pooled|linked_restricted|linked_to_actioned)$")) |
  [.account_id, .code] | @tsv' "$T/dump/findings.jsonl" | sort | uniq -c |
  awk '($3 == "cluster.linked_to_actioned" && $1 > 2) || ($3 != "cluster.linked_to_actioned" && $1 > 1)' | wc -l)
check "no account told a cluster finding twice ($twice)" [ "$twice" -eq 0 ]
finish
