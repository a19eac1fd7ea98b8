# kafka_lib.sh — helpers for the Kafka e2e test and bench (sourced after lib.sh):
# a mock cluster on loopback (warden kafka-mock) that stops by itself, and a
# worker config for it.

# start_mock SECONDS TOPIC:PARTS... — sets BROKERS and MOCK_PID
start_mock() {
  local secs=$1; shift
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  "$WARDEN_BIN" kafka-mock --brokers 3 --timeout "$secs" "${args[@]}" </dev/null \
    >"$T/mock.out" 2>"$T/mock.err" &
  MOCK_PID=$!
  for _ in $(seq 1 100); do
    [ -s "$T/mock.out" ] && break
    sleep 0.1
  done
  BROKERS=$(head -1 "$T/mock.out")
  [ -n "$BROKERS" ]
}

# worker_config FILE POLICY ACCOUNTS ORGS — topics ev, verdicts, findings, rejects, progress
worker_config() {
  cat >"$1" <<YAML
brokers: "$BROKERS"
group: warden-test
events_topic: ev
verdicts_topic: verdicts
findings_topic: findings
rejects_topic: rejects
progress_topic: progress
policy: $2
accounts: $3
orgs: $4
commit_interval_ms: 200
max_accounts: 20000
kafka:
  session.timeout.ms: 3000
  heartbeat.interval.ms: 300
  log_level: 3
YAML
}

# a policy: the example one with the link detector off (the workers run
# per-account detectors; clusters across workers are the linking stage's)
policy_without_link() {
  sed 's/^detectors:$/detectors:\n  link:\n    enabled: false/' "$WARDEN_SRC/examples/policy.yaml" >"$1"
}
