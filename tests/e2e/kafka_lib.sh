# kafka_lib.sh — helpers for the Kafka e2e tests and bench (sourced after lib.sh):
# a mock cluster on loopback (warden kafka-mock) that stops by itself, a
# worker config for it, and the run both e2e tests make: a scenario produced
# in chunks while workers consume it, one worker killed mid-stream and
# replaced, the outputs read back with kafka-dump.

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

# worker_config FILE POLICY [ACCOUNTS ORGS] — topics ev, verdicts, findings, rejects, progress,
# audit; the registry when given
worker_config() {
  cat >"$1" <<YAML
brokers: "$BROKERS"
group: warden-test
events_topic: ev
verdicts_topic: verdicts
findings_topic: findings
rejects_topic: rejects
progress_topic: progress
audit_topic: audit
policy: $2
commit_interval_ms: 200
max_accounts: 20000
kafka:
  session.timeout.ms: 3000
  heartbeat.interval.ms: 300
  log_level: 3
YAML
  if [ -n "${3:-}" ]; then printf 'accounts: %s\norgs: %s\n' "$3" "$4" >>"$1"; fi
}

# the example policy with distill's frame prior off (on Kafka the frames of
# enforced harvesters reach the workers a round trip later than in one
# process: test_kafka_prior.sh tests that) and its crowd release off (workers
# turn it off: it is process-local), so `warden scan` of the same events is
# comparable
policy_for_workers() {
  sed 's/^  distill:$/  distill:\n    prior_min_events: 0\n    crowd_min_sittings: 0/' \
    "$WARDEN_SRC/examples/policy.yaml" >"$1"
}

# ... and with the link detector off (the workers run per-account
# detectors; clusters across workers are the linking stage's)
policy_without_link() {
  policy_for_workers "$1.tmp"
  sed 's/^detectors:$/detectors:\n  link:\n    enabled: false/' "$1.tmp" >"$1"
  rm -f "$1.tmp"
}

# ---- the run both e2e tests make (test_kafka_workers.sh, test_kafka_linking.sh) ----

PIDS=""

# the EXIT trap: stop what kafka_start and start_mock started
kafka_cleanup() {
  for p in ${PIDS:-} ${STAGE_PID:-} ${CASE_PID:-} ${MOCK_PID:-}; do kill "$p" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}

# a test's start: jq (else skip), the EXIT trap, and the scenario both tests
# use (800 accounts, two days, hydra clusters) in $T/sim
kafka_setup() {
  command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }
  trap kafka_cleanup EXIT
  "$WARDEN_BIN" sim -q --scenario mixed --seed 3 --accounts 800 --days 2 -o "$T/sim" >/dev/null 2>&1
  check "sim wrote events" [ -s "$T/sim/events.jsonl" ]
}

# kafka_start COMMAND ID LOG IDLE_EXIT_S — `warden COMMAND` (worker, link-stage) on
# $T/worker.yaml in the background, stopped after 400 s at the latest; sets LAST_PID
kafka_start() {
  timeout 400 "$WARDEN_BIN" "$1" -c "$T/worker.yaml" --id "$2" --idle-exit "$4" 2>"$3" &
  LAST_PID=$!
  PIDS="$PIDS $LAST_PID"
}

# kafka_wait_assigned LOG... — until every worker log says it was given partitions
# (its engine is loaded then; at most 120 s); on a timeout, the last lines of
# each log that does not, to stderr (the test's directory is removed after)
kafka_wait_assigned() {
  local f
  for _ in $(seq 1 1200); do
    [ "$(grep -l '^warden worker: assigned' "$@" 2>/dev/null | wc -l)" -eq $# ] && return 0
    sleep 0.1
  done
  for f in "$@"; do
    grep -q '^warden worker: assigned' "$f" 2>/dev/null && continue
    echo "--- $f (no assignment logged), last lines:" >&2
    tail -n 15 "$f" >&2 2>/dev/null
  done
  return 1
}

# kafka_produce_chunks FILE N [STEP] — FILE into topic ev in N chunks about a second
# apart; after each chunk, the shell function STEP (if given) runs with the chunk's
# number (1..N): what a test does mid-stream
kafka_produce_chunks() {
  split -n "l/$2" -d "$1" "$T/chunk."
  local n=0 c
  for c in "$T"/chunk.*; do
    "$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$c"
    n=$((n + 1))
    if [ -n "${3:-}" ]; then "$3" "$n"; fi
    sleep 1
  done
  rm -f "$T"/chunk.*
}

# kafka_kill PID — SIGKILL a process kafka_start started (the warden under its timeout too)
kafka_kill() {
  kill -9 "$(pgrep -P "$1" -x warden || echo "$1")" 2>/dev/null
  kill -9 "$1" 2>/dev/null
}

# kafka_produce_kill FILE VICTIM ID IDLE_EXIT_S — FILE into topic ev in ten chunks about
# a second apart; after the 4th, SIGKILL the worker VICTIM (a kafka_start pid) mid-stream;
# after the 6th, start a replacement under its ID (log $T/IDb.log)
kafka_produce_kill() {
  KILL_VICTIM=$2 KILL_ID=$3 KILL_IDLE=$4
  kafka_produce_chunks "$1" 10 kafka_kill_step
}
kafka_kill_step() {
  if [ "$1" -eq 4 ]; then
    sleep 2
    kafka_kill "$KILL_VICTIM"
  fi
  if [ "$1" -eq 6 ]; then kafka_start worker "$KILL_ID" "$T/${KILL_ID}b.log" "$KILL_IDLE"; fi
}

# until every process kafka_start started (and not taken out of PIDS) has exited
kafka_wait() {
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  PIDS=""
}

# kafka_dump_checks OFFSETS — kafka-dump of every output topic into $T/dump (its counts
# in $T/dump.txt) and what both tests check: valid verdicts, OFFSETS input offsets
# covered by committed transactions, none missing, no position with two verdicts
kafka_dump_checks() {
  "$WARDEN_BIN" kafka-dump -b "$BROKERS" -t verdicts --findings-topic findings \
    --progress-topic progress --rejects-topic rejects --events-topic ev -o "$T/dump" \
    >"$T/dump.txt"
  check "kafka-dump exits 0" [ $? -eq 0 ]
  cat "$T/dump.txt"
  check "verdicts valid" valid verdict "$T/dump/verdicts.jsonl"
  local covered
  covered=$(sed -n 's/^input offsets covered \([0-9]*\),.*/\1/p' "$T/dump.txt")
  check "no event lost: ${covered:-0} input offsets covered of $1" [ "${covered:-0}" -eq "$1" ]
  check "no input offset missing" grep -q ', missing 0$' "$T/dump.txt"
  check "none deleted before being read, none left unread" \
    grep -qx 'input offsets deleted before being read 0, not read 0' "$T/dump.txt"
  check "no verdict of the same position differs" bash -c "! grep -q conflicting '$T/dump.txt'"
}

# kafka_metrics_port LOG WHO TRIES — the metrics port a process logged ("warden
# WHO: metrics on 127.0.0.1 port N"), waiting up to TRIES tenths of a second;
# empty when it never did
kafka_metrics_port() {
  local port="" _
  for _ in $(seq 1 "$3"); do
    port=$(sed -n "s/^warden $2: metrics on 127.0.0.1 port \([0-9]*\) .*/\1/p" "$1")
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "$port"
}

# kafka_small_linking_run — the mock cluster for a few accounts with the linking
# stage (a 4-partition events topic, 2 linking and 4 membership partitions, for
# 300 s) and $T/worker.yaml on $T/policy.yaml and $T/accounts.jsonl (orgs: one
# that matches nothing)
kafka_small_linking_run() {
  check "mock cluster up" start_mock 300 ev:4 verdicts:2 findings:2 rejects:1 progress:1 audit:2 \
    linking:2 membership:4
  printf '{"org_id":"o","name":"Nobody Ltd"}\n' > "$T/orgs.jsonl"
  worker_config "$T/worker.yaml" "$T/policy.yaml" "$T/accounts.jsonl" "$T/orgs.jsonl"
  printf 'linking_topic: linking\nmembership_topic: membership\nlink_group: warden-test-link\n' \
    >> "$T/worker.yaml"
}

# kafka_clusters FINDINGS — cluster membership from the cluster.shared_* findings
# (every member gets one when it joins; the last one names its cluster): one
# line per cluster, its sorted member ids
kafka_clusters() {
  jq -r 'select(.code | startswith("cluster.shared_")) | [.account_id, .evidence.cluster_id] | @tsv' "$1" |
    awk -F'\t' '{c[$1]=$2} END {for (a in c) print c[a] "\t" a}' | sort |
    awk -F'\t' '$1 != k {if (k != "") print m; k = $1; m = $2; next} {m = m " " $2} END {if (k != "") print m}' |
    sort
}

# kafka_verdicts_like_scan — $T/dump's verdicts against $T/scan's, per account:
# the same accounts, actions and reasons, but the cluster.shared_* kind (it names
# the strongest kind of the edge that joined the account, which depends on the
# order in which the stage meets the identifiers); some actioned through their
# cluster. Leaves $T/want and $T/got.
kafka_verdicts_like_scan() {
  local v='[.account_id, .action, (.reasons | map(if startswith("cluster.shared_") then "cluster.shared_*" else . end) | unique)]'
  jq -c "$v" "$T/scan/verdicts.jsonl" > "$T/want"
  jq -c "$v" "$T/dump/verdicts.jsonl" > "$T/got"
  check "some accounts actioned through their cluster" \
    [ "$(grep -c 'cluster.linked_to_actioned' "$T/want")" -ge 3 ]
  check "verdicts equal scan's (accounts, actions, reasons but the cluster.shared_* kind)" \
    diff "$T/want" "$T/got"
}

# kafka_linking_run SECONDS POLICY — the mock cluster for a run with the linking
# stage (events, outputs, a linking topic of LINKING_PARTS partitions, default
# 2, a 12-partition membership topic, a 3-partition clusters topic) and
# $T/worker.yaml for it
kafka_linking_run() {
  check "mock cluster up" start_mock "$1" ev:12 verdicts:6 findings:6 rejects:1 progress:3 audit:2 \
    "linking:${LINKING_PARTS:-2}" membership:12 clusters:3
  worker_config "$T/worker.yaml" "$2" "$T/sim/accounts.jsonl" "$T/sim/orgs.jsonl"
  printf 'linking_topic: linking\nmembership_topic: membership\nlink_group: warden-test-link\n' \
    >> "$T/worker.yaml"
  printf 'clusters_topic: clusters\n' >> "$T/worker.yaml"
}

# kafka_start_stage — `warden link-stage` l1 (log $T/l1.log) until stopped; sets
# STAGE_PID (not in PIDS: kafka_wait does not wait for it) and waits for its
# assignment as long as kafka_wait_assigned waits for the workers' (120 s);
# on a timeout, the last lines of its log to stderr
kafka_start_stage() {
  kafka_start link-stage l1 "$T/l1.log" 0
  STAGE_PID=$LAST_PID
  PIDS=${PIDS% "$STAGE_PID"}
  for _ in $(seq 1 1200); do grep -q '^warden link-stage: assigned' "$T/l1.log" 2>/dev/null && break; sleep 0.1; done
  check "the stage was given partitions" grep -q '^warden link-stage: assigned' "$T/l1.log"
  grep -q '^warden link-stage: assigned' "$T/l1.log" 2>/dev/null ||
    { echo "--- $T/l1.log (no assignment logged), last lines:" >&2; tail -n 15 "$T/l1.log" >&2; }
}

# kafka_stop_stage — SIGTERM to the stage: it commits its open transaction and exits 0
kafka_stop_stage() {
  kill -TERM "$STAGE_PID" 2>/dev/null
  wait "$STAGE_PID"
  check "the stage stopped cleanly on SIGTERM" [ $? -eq 0 ]
  STAGE_PID=""
}

# start_console POLICY DB — `warden serve` as the review console over the
# case stage's database (cases_record: false; analyst alice with the token
# alice-token-0123456789); sets SP and CONSOLE (its URL)
start_console() {
  cat >"$T/serve.yaml" <<YAML
port: 0
policy: $1
cases: $2
cases_record: false
analysts:
  - "alice:analyst:alice-token-0123456789"
YAML
  "$WARDEN_BIN" serve -c "$T/serve.yaml" >"$T/serve.out" 2>"$T/serve.err" &
  SP=$!
  PIDS="$PIDS $SP"
  local port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's/^warden serve: listening on .*:\([0-9]*\)$/\1/p' "$T/serve.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  CONSOLE="http://127.0.0.1:${port:-1}"
  [ -n "$port" ]
}
