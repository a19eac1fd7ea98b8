#!/usr/bin/env bash
# Warden on Kafka, end to end, against librdkafka's mock cluster (3 brokers,
# the real protocol on loopback): a simulated scenario is produced in chunks
# into a 12-partition events topic while 3 workers consume it; one worker is
# killed with SIGKILL mid-stream and a replacement started under its id. The
# verdict topic, read back with kafka-dump, must equal `warden scan` on the
# same events (accounts, actions, reasons, first action): no event lost (the
# events the workers committed equal the events scan counted), no record
# duplicated, bad records on the rejects topic. Everything stops by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
kafka_setup
# two bad records among the good ones
{ head -n 100 "$T/sim/events.jsonl"; echo 'not json'; echo '{"ts":1790000000000,"ip":"192.0.2.1"}'
  tail -n +101 "$T/sim/events.jsonl"; } > "$T/events.jsonl"
policy_without_link "$T/policy.yaml"
check "policy turns the link detector off" grep -q '^  link:' "$T/policy.yaml"

"$WARDEN_BIN" scan -q --no-db --lenient --run-id ref --policy "$T/policy.yaml" \
  --accounts "$T/sim/accounts.jsonl" --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/events.jsonl" \
  2>/dev/null
check "scan ran" [ -s "$T/scan/verdicts.jsonl" ]
GOOD=$(( $(wc -l < "$T/events.jsonl") - 2 ))

check "mock cluster up" start_mock 420 ev:12 verdicts:6 findings:6 rejects:1 progress:3 audit:2
worker_config "$T/worker.yaml" "$T/policy.yaml" "$T/sim/accounts.jsonl" "$T/sim/orgs.jsonl"
# partition snapshots: saved after commits (at most every 2 s) and on revoke
printf 'state_dir: %s\nsnapshot_interval_s: 2\n' "$T/state" >> "$T/worker.yaml"
check "worker config valid" "$WARDEN_BIN" worker -c "$T/worker.yaml" --check
check "config --dump lists the worker keys" bash -c "'$WARDEN_BIN' config --dump | grep -q '^worker.events_topic'"
# clear errors: a librdkafka property it does not know (a missing topic cannot be
# tried here: the mock cluster creates any topic a client asks about)
printf 'brokers: "%s"\nkafka:\n  sasl.mechanizm: PLAIN\n' "$BROKERS" > "$T/bad.yaml"
"$WARDEN_BIN" worker -c "$T/bad.yaml" --check 2> "$T/bad.err"
check "unknown kafka property refused (exit 3) with file:line" \
  bash -c "[ $? -eq 3 ] && grep -q 'bad.yaml:3:.*kafka.sasl.mechanizm' '$T/bad.err'"

kafka_start worker w1 "$T/w1.log" 15
kafka_start worker w2 "$T/w2.log" 15; VICTIM=$LAST_PID
kafka_start worker w3 "$T/w3.log" 15
check "every worker was given partitions" kafka_wait_assigned "$T"/w1.log "$T"/w2.log "$T"/w3.log
kafka_produce_kill "$T/events.jsonl" "$VICTIM" w2 15
kafka_wait
# every input offset (GOOD events and 2 bad records) in a committed transaction
kafka_dump_checks $((GOOD + 2))
# the replacement restores its partitions from snapshots and replays only
# what follows them (the records they spared it are counted). Reported, not
# asserted: librdkafka's mock cluster sometimes does not store the offsets a
# transaction committed, and a snapshot beyond the stored offset is ignored
# (replayed instead: correct, slower), so how many are used varies from run
# to run here; the hand-off itself is asserted by tests/runtime/test_snapshot.c
# (one_shard_moves) and the verdicts below are checked either way.
# (the replacement's last lines: "N snapshots saved, N loaded, N records not
# replayed thanks to them" and "N events live, N replayed, ...")
SAVED=$(grep -oE '[0-9]+ snapshots saved, [0-9]+ loaded' "$T/w2b.log" | tail -1)
SKIP=$(grep -oE 'loaded, [0-9]+ records not replayed' "$T/w2b.log" | tail -1 | tr -dc '0-9\n')
REPLAYED=$(grep -oE 'events live, [0-9]+ replayed' "$T/w2b.log" | tail -1 | tr -dc '0-9\n')
if [ -n "$SKIP" ] && [ -n "$REPLAYED" ]; then
  echo "snapshot hand-off: $SAVED; spared $SKIP of $((SKIP + REPLAYED)) records to replay"
else
  echo "snapshot hand-off: the replacement's counts are not in its log ($T/w2b.log)"
fi
F=$(sed -n 's/^finding records \([0-9]*\), duplicates \([0-9]*\)$/\1 \2/p' "$T/dump.txt")
check "findings: $F (records, duplicates); unique ones as many as scan's" \
  [ $(( ${F% *} - ${F#* } )) -eq "$(wc -l < "$T/scan/findings.jsonl")" ]
R=$(sed -n 's/^reject records \([0-9]*\), duplicates \([0-9]*\)$/\1 \2/p' "$T/dump.txt")
check "both bad records on the rejects topic" [ $(( ${R% *} - ${R#* } )) -eq 2 ]
key='[.account_id,.action,.reasons,.first_action_ts,.first_action_event]'
jq -c "$key" "$T/scan/verdicts.jsonl" > "$T/want"
jq -c "$key" "$T/dump/verdicts.jsonl" > "$T/got"
check "some accounts actioned" [ "$(wc -l < "$T/want")" -ge 10 ]
check "verdicts equal scan's (accounts, actions, reasons, first action)" diff -q "$T/want" "$T/got"
# (a worker's figures count from its runtime's last rebuild: one rebuilt
# at the last rebalance may have judged nothing since; one of them has)
summary() {
  grep -q "^warden worker: $1: what the events judged carried:" "$T/$1.log" &&
    grep -q '^    request_id  *100.0 %' "$T/$1.log" && grep -q '^  account registry  *[1-9]' "$T/$1.log"
}
check "a worker's stop summary: the share of events carrying each field" \
  bash -c "$(declare -f summary); T='$T'; summary w1 || summary w3 || summary w2b"
finish
