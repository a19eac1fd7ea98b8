#!/usr/bin/env bash
# Warden on Kafka with distill's frame prior (distill_prior.h) on, against
# librdkafka's mock cluster: a simulated scenario with hydra clusters is
# produced into a 12-partition events topic while 2 workers (the example
# policy as it ships, prior included) and `warden link-stage` run. A worker
# sends an enforced harvester's recurring frames to the linking stage, which
# sends them to every events partition's notices, so both workers' tables
# hold every frame whichever worker enforced the account. Checked:
#  - the stage sent frames on and both workers added frames they were sent
#    (a worker keeps none to itself);
#  - newcomers were judged early in an enforced frame on Kafka (findings
#    with prior_frame), as `warden scan` of the same events judges some;
#  - every account so judged on Kafka is actioned by `warden scan` too: the
#    prior changes when evidence is judged, never what counts (the frame
#    reaches the workers a round trip later than in one process, so the
#    accounts judged early need not be the same ones);
#  - the crowd release (distill.crowd_frame) happens in scan and not in the
#    workers, which turn it off (process-local).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
kafka_setup
P="$WARDEN_SRC/examples/policy.yaml"
"$WARDEN_BIN" scan -q --no-db --lenient --run-id ref --policy "$P" \
  --accounts "$T/sim/accounts.jsonl" --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/sim/events.jsonl" \
  2>/dev/null
check "scan judged newcomers early in an enforced frame" grep -q '"prior_frame":true' "$T/scan/findings.jsonl"
EVENTS=$(wc -l < "$T/sim/events.jsonl")

kafka_linking_run 300 "$P"

kafka_start worker w1 "$T/w1.log" 20
kafka_start worker w2 "$T/w2.log" 20
check "every worker was given partitions" kafka_wait_assigned "$T"/w1.log "$T"/w2.log
kafka_start_stage

kafka_produce_chunks "$T/sim/events.jsonl" 5
kafka_wait
kafka_stop_stage
kafka_dump_checks "$EVENTS"

frames() { sed -n "s/.*distill prior: \([0-9]*\) frames sent, \([0-9]*\) added.*/\\$2/p" "$1"; }
check "the stage sent frames on: $(frames "$T/l1.log" 1)" [ "$(frames "$T/l1.log" 1)" -gt 0 ]
check "worker 1 added frames: $(frames "$T/w1.log" 2)" [ "$(frames "$T/w1.log" 2)" -gt 0 ]
check "worker 2 added frames: $(frames "$T/w2.log" 2)" [ "$(frames "$T/w2.log" 2)" -gt 0 ]
check "some worker enforced a harvester and sent its frames" \
  [ "$(( $(frames "$T/w1.log" 1) + $(frames "$T/w2.log" 1) ))" -gt 0 ]

jq -r 'select(.evidence.prior_frame == true) | .account_id' "$T/dump/findings.jsonl" | sort -u >"$T/early"
check "newcomers judged early on Kafka: $(wc -l < "$T/early")" [ -s "$T/early" ]
jq -r 'select(.action != "allow") | .account_id' "$T/scan/verdicts.jsonl" | sort -u >"$T/scan.actioned"
check "every account judged early on Kafka is actioned by scan" \
  bash -c "[ -z \"\$(comm -23 '$T/early' '$T/scan.actioned')\" ]"
# the crowd release (distill_crowd.h) is process-local: on in scan with this
# policy, off in the workers whatever the policy says
check "scan released split harvesters (distill.crowd_frame)" \
  grep -q '"code":"distill.crowd_frame"' "$T/scan/findings.jsonl"
check "no worker released one (the crowd is off on Kafka)" \
  bash -c "! grep -q '\"code\":\"distill.crowd_frame\"' '$T/dump/findings.jsonl'"
finish
