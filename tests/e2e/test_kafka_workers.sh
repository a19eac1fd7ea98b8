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
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }

cleanup() {
  for p in ${PIDS:-} ${MOCK_PID:-}; do kill "$p" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

"$WARDEN_BIN" sim -q --scenario mixed --seed 3 --accounts 800 --days 2 -o "$T/sim" >/dev/null 2>&1
check "sim wrote events" [ -s "$T/sim/events.jsonl" ]
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

check "mock cluster up" start_mock 420 ev:12 verdicts:6 findings:6 rejects:1 progress:3
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

PIDS=""
start_worker() { # ID LOG
  timeout 200 "$WARDEN_BIN" worker -c "$T/worker.yaml" --id "$1" --idle-exit 15 2>"$2" &
  PIDS="$PIDS $!"
  LAST_PID=$!
}
start_worker w1 "$T/w1.log"
start_worker w2 "$T/w2.log"; VICTIM=$LAST_PID
start_worker w3 "$T/w3.log"
# wait until the group has given every worker its partitions
for _ in $(seq 1 1200); do
  [ "$(grep -l 'warden worker: assigned' "$T"/w1.log "$T"/w2.log "$T"/w3.log 2>/dev/null | wc -l)" -eq 3 ] && break
  sleep 0.1
done
check "every worker was given partitions" grep -q 'warden worker: assigned' "$T/w2.log"

split -n l/10 -d "$T/events.jsonl" "$T/chunk."
n=0
for c in "$T"/chunk.*; do
  "$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$c"
  n=$((n + 1))
  if [ $n -eq 4 ]; then
    sleep 2
    # the victim must be mid-stream: it has processed events of this run
    kill -9 "$(pgrep -P "$VICTIM" -x warden || echo "$VICTIM")" 2>/dev/null
    kill -9 "$VICTIM" 2>/dev/null
  fi
  if [ $n -eq 6 ]; then start_worker w2 "$T/w2b.log"; fi
  sleep 1
done
for p in $PIDS; do wait "$p" 2>/dev/null; done
PIDS=""

"$WARDEN_BIN" kafka-dump -b "$BROKERS" -t verdicts --findings-topic findings \
  --progress-topic progress --rejects-topic rejects -o "$T/dump" > "$T/dump.txt"
check "kafka-dump exits 0" [ $? -eq 0 ]
cat "$T/dump.txt"
check "verdicts valid" valid verdict "$T/dump/verdicts.jsonl"
# the replacement restores its partitions from snapshots and replays only
# what follows them (the records they spared it are counted). Reported, not
# asserted: librdkafka's mock cluster sometimes does not store the offsets a
# transaction committed, and a snapshot beyond the stored offset is ignored
# (replayed instead: correct, slower), so how many are used varies from run
# to run here; the hand-off itself is asserted by tests/runtime/test_snapshot.c
# (one_shard_moves) and the verdicts below are checked either way.
SKIP=$(sed -n 's/.* loaded, \([0-9]*\) records not replayed.*/\1/p' "$T/w2b.log")
REPLAYED=$(sed -n 's/.* events live, \([0-9]*\) replayed.*/\1/p' "$T/w2b.log")
echo "snapshot hand-off: $(grep -oE '[0-9]+ snapshots saved, [0-9]+ loaded' "$T/w2b.log" | tail -1);" \
  "spared ${SKIP:-0} of $((${SKIP:-0} + ${REPLAYED:-0})) records to replay"
# every input offset (GOOD events and 2 bad records) in a committed transaction
COVERED=$(sed -n 's/^input offsets covered \([0-9]*\),.*/\1/p' "$T/dump.txt")
check "no event lost: $COVERED input offsets covered of $((GOOD + 2))" [ "${COVERED:-0}" -eq $((GOOD + 2)) ]
check "no input offset missing" grep -q ', missing 0$' "$T/dump.txt"
# librdkafka 2.0.2's mock cluster leaves aborted transactions visible to
# read_committed readers (a real cluster filters them): records the killed
# worker produced in its open transaction are then read again when its
# successor redoes them. They carry the same position (warden-pos header),
# so kafka-dump counts them as duplicates and keeps one.
check "no verdict of the same position differs" bash -c "! grep -q conflicting '$T/dump.txt'"
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
finish
