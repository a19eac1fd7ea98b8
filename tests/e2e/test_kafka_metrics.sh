#!/usr/bin/env bash
# The Kafka worker's /metrics and /healthz (metrics_port), against librdkafka's
# mock cluster: a scenario produced into a 4-partition topic and consumed by
# one worker whose endpoint is scraped while it runs. The figures must agree
# with what was produced (events read live, the engine's event counter, no
# lag left once it has caught up, every partition held) and with the
# worker's own stop summary; /healthz answers 200; bad metrics settings are
# refused with file:line and the key, or with the address. Stops by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
kafka_setup
policy_without_link "$T/policy.yaml"
N=$(wc -l <"$T/sim/events.jsonl")

check "mock cluster up" start_mock 200 ev:4 verdicts:2 findings:2 rejects:1 progress:1 audit:2
worker_config "$T/worker.yaml" "$T/policy.yaml" "$T/sim/accounts.jsonl" "$T/sim/orgs.jsonl"

# bad settings: the key's range at load, an address that is none at start
cp "$T/worker.yaml" "$T/bad.yaml"
echo 'metrics_port: 70000' >>"$T/bad.yaml"
"$WARDEN_BIN" worker -c "$T/bad.yaml" --check 2>"$T/bad.err"
check "metrics_port out of range: exit 3 with file:line and the key" \
  bash -c "[ $? -eq 3 ] && grep -q 'bad.yaml:[0-9]*:[0-9]*: metrics_port' '$T/bad.err'"
cp "$T/worker.yaml" "$T/bad2.yaml"
printf 'metrics_port: 0\nmetrics_listen: localhost\n' >>"$T/bad2.yaml"
timeout 60 "$WARDEN_BIN" worker -c "$T/bad2.yaml" --id b --idle-exit 1 2>"$T/bad2.err"
check "metrics_listen not an address: exit 3 naming it" \
  bash -c "[ $? -eq 3 ] && grep -q \"metrics_listen: 'localhost' is not an IPv4 or IPv6 address\" '$T/bad2.err'"

for bad in 70000 -2 abc ""; do
  "$WARDEN_BIN" worker -c "$T/worker.yaml" --metrics-port "$bad" --check 2>"$T/bad3.err"
  check "--metrics-port '$bad': exit 2 naming the option" \
    bash -c "[ $? -eq 2 ] && grep -q -- '--metrics-port needs a port' '$T/bad3.err'"
done

echo 'metrics_port: 0' >>"$T/worker.yaml"
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$T/sim/events.jsonl"
check "kafka-produce exits 0" [ $? -eq 0 ]
kafka_start worker w1 "$T/w1.log" 6
PORT=$(kafka_metrics_port "$T/w1.log" "worker: w1" 300)
check "the worker says where its metrics are" [ -n "$PORT" ]
URL="http://127.0.0.1:${PORT:-1}"
# scrape until every event was read live and no partition lags (60 s at most)
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/m.txt"; }
for _ in $(seq 1 120); do
  curl -s "$URL/metrics" >"$T/m.txt" 2>/dev/null
  [ "$(metric 'warden_worker_events_total{mode="live"}')" = "$N" ] &&
    [ "$(grep -c '^warden_worker_lag_records{partition="[0-9]*"} 0$' "$T/m.txt")" = 4 ] && break
  sleep 0.5
done
check "metrics: every event produced read live ($N)" [ "$(metric 'warden_worker_events_total{mode="live"}')" = "$N" ]
check "metrics: the engine counted as many" [ "$(metric warden_engine_events_total)" = "$N" ]
check "metrics: 4 partitions held, none lagging" \
  bash -c "[ \"\$(awk '\$1 == \"warden_worker_partitions\" {print \$2}' '$T/m.txt')\" = 4 ] &&
           [ \"\$(grep -c '^warden_worker_lag_records{partition=\"[0-3]\"} 0\$' '$T/m.txt')\" = 4 ]"
check "metrics: transactions committed" [ "$(metric 'warden_worker_transactions_total{result="committed"}')" -ge 1 ]
check "metrics: accounts tracked and actioned" \
  bash -c "[ \"\$(awk '\$1 == \"warden_accounts_tracked\" {print \$2}' '$T/m.txt')\" -ge 100 ] &&
           [ \"\$(awk '\$1 == \"warden_accounts_actioned\" {print \$2}' '$T/m.txt')\" -ge 1 ]"
check "metrics: an event field's counter, as warden serve names it" \
  grep -q '^warden_engine_events_with_request_id_total [1-9]' "$T/m.txt"
check "metrics: HELP and TYPE lines" grep -q '^# TYPE warden_worker_lag_records gauge$' "$T/m.txt"
check "healthz: 200 while the loop runs" [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]
check "POST /metrics: 405" [ "$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$URL/metrics")" = 405 ]
check "unknown path: 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/nope")" = 404 ]
kafka_wait
check "the worker's stop summary counts the same events" \
  grep -q "^warden worker: w1: $N events live, 0 replayed" "$T/w1.log"
finish
