#!/usr/bin/env bash
# kafka-produce puts a file in event-time order before producing it. A
# worker hands a partition's events to its engine in offset order, so a file
# written account by account would reach it days out of order: nearly every
# event late, kept out of every time window. The scenario, grouped by
# account, is produced once as it is (--order stream) and once sorted
# (auto), each into its own events topic read by its own worker group; the
# sorted run's verdicts must equal `warden scan` on the same grouped file
# (which sorts it too); the streamed run's worker must count most events late.
# Everything stops by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
kafka_setup
policy_without_link "$T/policy.yaml"
# the events of each account together, accounts in id order
jq -sc 'group_by(.account_id)[][]' "$T/sim/events.jsonl" > "$T/grouped.jsonl"
check "grouped file has every event" \
  [ "$(wc -l < "$T/grouped.jsonl")" -eq "$(wc -l < "$T/sim/events.jsonl")" ]
"$WARDEN_BIN" scan -q --no-db --lenient --run-id ref --policy "$T/policy.yaml" \
  --accounts "$T/sim/accounts.jsonl" --orgs "$T/sim/orgs.jsonl" -o "$T/scan" \
  "$T/grouped.jsonl" 2>/dev/null
check "scan ran" [ -s "$T/scan/verdicts.jsonl" ]

check "mock cluster up" start_mock 300 ev:4 evs:4 verdicts:2 findings:2 rejects:1 progress:1 audit:2 \
  verdicts_s:2 findings_s:2 rejects_s:1 progress_s:1
"$WARDEN_BIN" kafka-produce -b "$BROKERS" -t ev "$T/grouped.jsonl" > "$T/produce.out"
check "kafka-produce exits 0" [ $? -eq 0 ]
check "kafka-produce says it sorted the file" \
  grep -q "^$(wc -l < "$T/grouped.jsonl") records produced to ev, sorted by time first$" \
  "$T/produce.out"
# bad option values: refused before anything is sent, naming the option
for bad in "--order bogus" "--sort-memory 1" "--lateness -5"; do
  "$WARDEN_BIN" kafka-produce -q $bad -b "$BROKERS" -t ev "$T/grouped.jsonl" 2>"$T/bad.err"
  check "kafka-produce $bad: exit 2 naming ${bad%% *}" \
    bash -c "[ $? -eq 2 ] && grep -q -- '${bad%% *}' '$T/bad.err'"
done
"$WARDEN_BIN" kafka-produce -q --order stream -b "$BROKERS" -t evs "$T/grouped.jsonl"
check "kafka-produce --order stream exits 0" [ $? -eq 0 ]

worker_config "$T/worker.yaml" "$T/policy.yaml" "$T/sim/accounts.jsonl" "$T/sim/orgs.jsonl"
sed -e 's/^group: .*/group: warden-stream/' -e 's/^events_topic: .*/events_topic: evs/' \
  -e 's/^\(verdicts\|findings\|rejects\|progress\)_topic: \(.*\)/\1_topic: \2_s/' \
  "$T/worker.yaml" > "$T/worker_s.yaml"
kafka_start worker w1 "$T/w1.log" 6
timeout 400 "$WARDEN_BIN" worker -c "$T/worker_s.yaml" --id s1 --idle-exit 6 2>"$T/s1.log" &
PIDS="$PIDS $!"
kafka_wait
kafka_dump_checks "$(wc -l < "$T/grouped.jsonl")"
"$WARDEN_BIN" kafka-dump -q -b "$BROKERS" -t verdicts_s --progress-topic progress_s \
  -o "$T/dump_s"
check "kafka-dump of the streamed run exits 0" [ $? -eq 0 ]

key='[.account_id,.action,.reasons,.first_action_ts,.first_action_event]'
jq -c "$key" "$T/scan/verdicts.jsonl" > "$T/want"
jq -c "$key" "$T/dump/verdicts.jsonl" > "$T/got"
jq -c "$key" "$T/dump_s/verdicts.jsonl" > "$T/got_s"
check "some accounts actioned" [ "$(wc -l < "$T/want")" -ge 10 ]
check "sorted: verdicts equal scan's (accounts, actions, reasons, first action)" \
  diff -q "$T/want" "$T/got"
grep ' late ' "$T/s1.log"
check "sorted: the worker counts no late event" bash -c "! grep -q ' late ' '$T/w1.log'"
LATE=$(sed -n 's/.*: \([0-9]*\) live events late .*/\1/p' "$T/s1.log")
check "streamed in file order: most events late (${LATE:-none})" \
  [ "${LATE:-0}" -gt "$(( $(wc -l < "$T/grouped.jsonl") / 2 ))" ]
finish
