#!/usr/bin/env bash
# Events the broker deleted before any worker read them are reported, not
# lost silently. librdkafka's mock cluster keeps the last 5 MiB of each
# partition (what retention.bytes does on a real cluster); a scenario of
# about 11 MB produced into one partition while no worker runs leaves its
# first records deleted. The worker that starts afterwards must say which
# offsets it never judged, count them, record them on the rejects topic, and
# kafka-dump --events-topic must count the same offsets as deleted, every
# other offset covered, none missing or unread. Everything stops by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
kafka_setup
policy_without_link "$T/policy.yaml"
N=$(wc -l < "$T/sim/events.jsonl")
check "scenario larger than what the mock cluster keeps" \
  [ "$(stat -c %s "$T/sim/events.jsonl")" -gt $((6 * 1024 * 1024)) ]

check "mock cluster up" start_mock 200 ev:1 verdicts:2 findings:2 rejects:1 progress:1 audit:2
worker_config "$T/worker.yaml" "$T/policy.yaml" "$T/sim/accounts.jsonl" "$T/sim/orgs.jsonl"
check "produced before any worker runs" \
  "$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$T/sim/events.jsonl"
kafka_start worker w1 "$T/w1.log" 6
kafka_wait
grep 'deleted by the broker' "$T/w1.log"
check "the worker names the deleted offsets" \
  grep -qE '^warden worker: ev \[0\]: offsets 0-[0-9]+ were deleted by the broker .*never judged' \
  "$T/w1.log"
GONE=$(sed -n 's/.* \([0-9]*\) input records deleted by the broker before being read (\([0-9]*\) never judged, 0 missing.*/\1 \2/p' "$T/w1.log")
counted() { [ -n "$GONE" ] && [ "${GONE% *}" -gt 0 ] && [ "${GONE% *}" = "${GONE#* }" ]; }
check "the worker counts them, all never judged (${GONE:-none})" counted
GONE=${GONE% *}
RANGE_END=$(sed -n 's/.*offsets 0-\([0-9]*\) were deleted.*/\1/p' "$T/w1.log")
check "the range and the count agree" [ "$((RANGE_END + 1))" = "$GONE" ]

"$WARDEN_BIN" kafka-dump -b "$BROKERS" -t verdicts --findings-topic findings \
  --progress-topic progress --rejects-topic rejects --events-topic ev -o "$T/dump" >"$T/dump.txt"
check "kafka-dump exits 0" [ $? -eq 0 ]
cat "$T/dump.txt"
check "kafka-dump counts the same offsets deleted, none unread" \
  grep -qx "input offsets deleted before being read $GONE, not read 0" "$T/dump.txt"
check "every other offset covered, none missing" \
  grep -qx "input offsets covered $((N - GONE)), covered twice 0, missing 0" "$T/dump.txt"
check "the deletion is on the rejects topic (one record)" \
  grep -qx "reject records 1, duplicates 0" "$T/dump.txt"
check "verdicts valid" valid verdict "$T/dump/verdicts.jsonl"
finish
