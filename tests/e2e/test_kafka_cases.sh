#!/usr/bin/env bash
# The case database of a Kafka deployment (warden case-stage), against
# librdkafka's mock cluster: a scenario consumed by two workers while the
# case stage reads their findings, verdicts and audit topics into cases.db.
# The stage is killed with SIGKILL mid-stream and started again. Its cases.db
# must hold what `warden scan --cases` writes for the same events: the same
# cases (account, action, score, reasons, first action, organisation), the
# same findings with their evidence byte for byte, the same audit rows at the
# event time of each change, nothing twice; bad records on its topics are
# reported with topic, partition and offset and skipped; each stage process
# is one run; `warden explain` and the cases API read the result.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl missing"; exit 77; }
kafka_setup
policy_without_link "$T/policy.yaml"

"$WARDEN_BIN" scan -q --run-id ref --policy "$T/policy.yaml" --accounts "$T/sim/accounts.jsonl" \
  --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/sim/events.jsonl" 2>/dev/null
check "scan wrote cases" [ "$(sqlite3 "$T/scan/cases.db" 'SELECT count(*) FROM cases')" -ge 20 ]

check "mock cluster up" start_mock 400 ev:4 verdicts:2 findings:2 rejects:1 progress:1 audit:2
worker_config "$T/worker.yaml" "$T/policy.yaml" "$T/sim/accounts.jsonl" "$T/sim/orgs.jsonl"

# no case database named: refused before connecting
"$WARDEN_BIN" case-stage -c "$T/worker.yaml" --check 2>"$T/nocases.err"
check "case-stage without cases: exit 3 naming the key" \
  bash -c "[ $? -eq 3 ] && grep -q 'names no case database (key cases)' '$T/nocases.err'"
printf 'cases: %s\ncases_group: test-cases\n' "$T/cases.db" >>"$T/worker.yaml"
check "case-stage config valid" "$WARDEN_BIN" case-stage -c "$T/worker.yaml" --check
cp "$T/worker.yaml" "$T/bad-cases.yaml"
echo 'review_to_workers: maybe' >>"$T/bad-cases.yaml"
"$WARDEN_BIN" case-stage -c "$T/bad-cases.yaml" --check 2>"$T/bad-cases.err"
check "review_to_workers not a boolean: exit 3 with file:line and the key" \
  bash -c "[ $? -eq 3 ] && grep -q 'bad-cases.yaml:[0-9]*:[0-9]*: review_to_workers' '$T/bad-cases.err'"

# two bad records on the findings topic, before any good one
printf '%s\n' 'not json' '{"account_id":"x","ts":"2026-01-01T00:00:00Z","detector":"d"}' \
  >"$T/bad.jsonl"
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t findings --order stream "$T/bad.jsonl"
check "bad records produced" [ $? -eq 0 ]

kafka_start worker w1 "$T/w1.log" 12
kafka_start worker w2 "$T/w2.log" 12
timeout 400 "$WARDEN_BIN" case-stage -c "$T/worker.yaml" --id c1 --metrics-port 0 2>"$T/c1.log" &
C1=$!
PIDS="$PIDS $C1"
check "workers were given partitions" kafka_wait_assigned "$T/w1.log" "$T/w2.log"
# mid-stream, after the 3rd chunk: the first stage is scraped, killed and replaced
cases_step() {
  [ "$1" -eq 3 ] || return 0
  # the first stage merges as records come, and is scraped before it dies
  PORT=$(kafka_metrics_port "$T/c1.log" "case-stage: c1" 100)
  for _ in $(seq 1 100); do
    curl -s "http://127.0.0.1:${PORT:-1}/metrics" >"$T/m.txt" 2>/dev/null
    # a merge that holds cases (a merge may have held findings only)
    grep -q '^warden_case_merges_total{result="ok"} [1-9]' "$T/m.txt" &&
      [ "$(sqlite3 "$T/cases.db" 'SELECT count(*) FROM cases' 2>/dev/null)" -ge 1 ] 2>/dev/null &&
      break
    sleep 0.2
  done
  check "metrics: merges, rows, bad records" \
    bash -c "grep -q '^warden_case_merges_total{result=\"ok\"} [1-9]' '$T/m.txt' &&
             grep -q '^warden_case_stage_rows_total{kind=\"case\"} [1-9]' '$T/m.txt' &&
             grep -q '^warden_case_stage_skipped_total{why=\"bad\"} 2$' '$T/m.txt'"
  kafka_kill "$C1"
  check "killed stage left cases behind" \
    bash -c "[ \"\$(sqlite3 '$T/cases.db' 'SELECT count(*) FROM cases')\" -ge 1 ]"
  kafka_start case-stage c2 "$T/c2.log" 15
}
kafka_produce_chunks "$T/sim/events.jsonl" 6 cases_step
kafka_wait

check "the stage reported each bad record with topic, partition and offset" \
  bash -c "[ \$(grep -c 'case-stage: findings \[[0-9]*\] offset [0-9]*: ' '$T/c1.log') -eq 2 ]"
check "the restarted stage ended with a summary" grep -q '^warden case-stage: c2: read ' "$T/c2.log"

q() { sqlite3 -separator '|' "$1" "$2"; }
CASES="SELECT account_id, org_id, action, printf('%.6g', score), reasons, cluster_id,
  first_action_ts, first_action_event FROM cases ORDER BY account_id"
q "$T/scan/cases.db" "$CASES" >"$T/scan.cases"
q "$T/cases.db" "$CASES" >"$T/kafka.cases"
check "cases: as many as scan's ($(wc -l <"$T/scan.cases"))" \
  [ "$(wc -l <"$T/kafka.cases")" -eq "$(wc -l <"$T/scan.cases")" ]
check "cases: the same accounts, actions, scores, reasons, first actions, organisations" \
  cmp -s "$T/scan.cases" "$T/kafka.cases"
check "cases: organisations from the registry" \
  [ "$(q "$T/cases.db" 'SELECT count(*) FROM cases WHERE org_id IS NOT NULL')" -eq \
    "$(q "$T/scan/cases.db" 'SELECT count(*) FROM cases WHERE org_id IS NOT NULL')" ]
FINDINGS="SELECT account_id, ts, detector, code, seq, printf('%.6g', score), action, evidence
  FROM case_findings ORDER BY account_id, ts, detector, code, seq"
q "$T/scan/cases.db" "$FINDINGS" >"$T/scan.findings"
q "$T/cases.db" "$FINDINGS" >"$T/kafka.findings"
check "findings: $(wc -l <"$T/scan.findings") as scan's, evidence byte for byte, none twice" \
  cmp -s "$T/scan.findings" "$T/kafka.findings"
AUDIT="SELECT account_id, event_ts, actor, from_action, to_action, reason, printf('%.6g', score),
  shadow FROM audit ORDER BY account_id, event_ts, to_action"
q "$T/scan/cases.db" "$AUDIT" >"$T/scan.audit"
q "$T/cases.db" "$AUDIT" >"$T/kafka.audit"
check "audit: $(wc -l <"$T/scan.audit") changes as scan's, at their event times, none twice" \
  cmp -s "$T/scan.audit" "$T/kafka.audit"
# the audit topic as the workers wrote it: one record per action change
"$WARDEN_BIN" kafka-dump -q -b "$BROKERS" -t verdicts --findings-topic findings --audit-topic audit \
  --progress-topic progress -o "$T/dump"
check "audit topic: one record per action change scan audited ($(wc -l <"$T/scan.audit"))" \
  [ "$(wc -l <"$T/dump/audit.jsonl")" -eq "$(wc -l <"$T/scan.audit")" ]
check "audit records valid (schemas/audit.schema.json)" valid audit "$T/dump/audit.jsonl"
check "findings valid, with the policy's action for each" \
  bash -c "grep -v '\"account_id\":\"x\"' '$T/dump/findings.jsonl' | grep -v '^not json' >'$T/f.jsonl' &&
           '$SCHEMA_CHECK' '$WARDEN_SRC/schemas/finding.schema.json' '$T/f.jsonl' >/dev/null"
check "runs: the killed stage's run unfinished, the second's finished" \
  [ "$(q "$T/cases.db" "SELECT count(*) FROM runs WHERE finished_at IS NULL"),$(q "$T/cases.db" \
      "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")" = "1,1" ]
check "runs: the workers' policy hash" \
  [ "$(q "$T/cases.db" 'SELECT DISTINCT policy_sha256 FROM runs')" = \
    "$(q "$T/scan/cases.db" 'SELECT policy_sha256 FROM runs')" ]

# what an analyst reads: warden explain and the console's cases API
ACCT=$(q "$T/cases.db" "SELECT account_id FROM cases WHERE action = 'block' ORDER BY account_id LIMIT 1")
"$WARDEN_BIN" explain "$ACCT" --db "$T/cases.db" >"$T/explain.txt" 2>&1
check "explain reads the stage's case" bash -c "grep -q '$ACCT' '$T/explain.txt' && grep -qi 'block' '$T/explain.txt'"
check "the console over the stage's database starts" start_console "$T/policy.yaml" "$T/cases.db"
curl -s -H "Authorization: Bearer alice-token-0123456789" \
  "$CONSOLE/v1/cases?account=$ACCT" >"$T/api.json"
check "the cases API lists the stage's case" grep -q "\"total\":1,.*\"account_id\":\"$ACCT\"" "$T/api.json"
kill "$SP" 2>/dev/null
wait "$SP" 2>/dev/null
finish
