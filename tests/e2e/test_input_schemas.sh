#!/usr/bin/env bash
# test_input_schemas.sh — the data contract in the repository: the input
# schemas (schemas/{event,account,org,truth}.schema.json) accept what the
# simulator and the bundled demo write, and refuse the mistakes the scan
# rejects (epoch seconds, a missing account, a country name for a code).
. "$(dirname "$0")/lib.sh"
W=$WARDEN_BIN
"$W" sim --scenario demo --seed 7 --out "$T/sim" -q --no-shared >/dev/null 2>&1
for f in event:events account:accounts org:orgs truth:truth; do
  s=${f%%:*}; n=${f##*:}
  check "sim $n.jsonl validates against $s.schema.json" valid "$s" "$T/sim/$n.jsonl"
done
zcat "$WARDEN_SRC/data/demo/events.jsonl.gz" >"$T/demo-events.jsonl"
check "bundled demo events validate" valid event "$T/demo-events.jsonl"
check "bundled demo accounts validate" valid account "$WARDEN_SRC/data/demo/accounts.jsonl"
check "bundled demo orgs validate" valid org "$WARDEN_SRC/data/demo/orgs.jsonl"

refuses() { # refuses SCHEMA JSON-LINE: the schema must reject it
  printf '%s\n' "$2" >"$T/bad.jsonl"
  ! valid "$1" "$T/bad.jsonl" 2>/dev/null
}
check "epoch seconds refused" refuses event '{"ts":1760000000,"account_id":"a","ip":"192.0.2.1"}'
check "epoch milliseconds accepted" bash -c "printf '%s\n' '{\"ts\":1760000000000,\"account_id\":\"a\",\"ip\":\"192.0.2.1\"}' >'$T/ok.jsonl' && '$SCHEMA_CHECK' '$WARDEN_SRC/schemas/event.schema.json' '$T/ok.jsonl' >/dev/null"
check "missing account_id refused" refuses event '{"ts":"2026-10-05T10:00:00Z","ip":"192.0.2.1"}'
check "bad timestamp refused" refuses event '{"ts":"yesterday","account_id":"a","ip":"192.0.2.1"}'
check "negative token count refused" refuses event '{"ts":"2026-10-05T10:00:00Z","account_id":"a","ip":"192.0.2.1","output_tokens":-3}'
check "country name instead of code refused" refuses account '{"account_id":"a","billing_country":"Germany"}'
check "owner share above 100 refused" refuses org '{"org_id":"o","name":"N","owners":[{"name":"X","share":150}]}'
check "org without name refused" refuses org '{"org_id":"o"}'
# and the scan agrees: the same epoch-seconds line is a reject there too
printf '%s\n' '{"ts":1760000000,"account_id":"a","ip":"192.0.2.1"}' >"$T/sec.jsonl"
"$W" scan -q --no-db -o "$T/out" "$T/sec.jsonl" >/dev/null 2>&1
check "scan rejects the epoch-seconds line too" grep -q "seconds" "$T/out/rejects.jsonl"
finish
