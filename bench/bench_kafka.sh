#!/usr/bin/env bash
# bench_kafka.sh — events/s of `warden worker` groups of 1, 2 and 4 workers
# on librdkafka's mock cluster (3 brokers, loopback), against `warden scan`
# over the same events in the same run (the single-process baseline), and
# the scaling ratio against 1 worker.
#
#   bash bench/bench_kafka.sh [BUILD_DIR] [ACCOUNTS] [DAYS]
#
# A `warden sim` mixed scenario (default 1500 accounts, 2 days) is produced
# into a 12-partition topic of a fresh mock cluster for each group size. For each group size a fresh consumer group
# starts, waits until every worker has its partitions, and consumes the
# topic with transactions (findings, verdicts, progress produced exactly
# once); the rate is the events over the time from the first to the last
# live event of any worker of the group (start-up and idle exit excluded).
# Keep the data small: with 4000 accounts (32,591 events, about 2.7 MB per
# partition) the workers saw only 30,400-30,700 of the events in three runs,
# so the run is reported as failed (likely the mock cluster's per-partition
# size limit dropping the oldest records; not verified). Runs about three
# minutes on a loaded 2-core machine, mostly loading lists. The machine may be shared and the mock
# cluster runs on the same cores as the workers: the ratios say how the
# work divides on this machine, not what a real cluster does; run it twice.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ACCOUNTS=${2:-1500}
DAYS=${3:-2}
W=$PWD/$BUILD/warden
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT

"$W" sim -q --scenario mixed --seed 7 --accounts "$ACCOUNTS" --days "$DAYS" -o "$T/sim" >/dev/null 2>&1
sed 's/^detectors:$/detectors:\n  link:\n    enabled: false/' examples/policy.yaml > "$T/policy.yaml"
EVENTS=$(wc -l < "$T/sim/events.jsonl")

t0=$(date +%s.%N)
"$W" scan -q --no-db --lenient --policy "$T/policy.yaml" --accounts "$T/sim/accounts.jsonl" \
  --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/sim/events.jsonl" 2>/dev/null
t1=$(date +%s.%N)
# scan's own figure includes loading the lists; take its event loop from the summary
SCAN_RATE=$("$W" scan --no-db --lenient --policy "$T/policy.yaml" --accounts "$T/sim/accounts.jsonl" \
  --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/sim/events.jsonl" 2>/dev/null |
  sed -n 's/.*events *[0-9]*  (\([0-9]*\) events\/s).*/\1/p')

# a fresh mock cluster per group size (one cluster's history does not weigh
# on the next run; and a mock cluster that fails takes only its own run)
start_cluster() {
  [ -n "${MOCK:-}" ] && { kill "$MOCK" 2>/dev/null || true; wait "$MOCK" 2>/dev/null || true; }
  rm -f "$T/mock.out"
  "$W" kafka-mock --brokers 3 --timeout 600 --topic ev:12 --topic verdicts:6 --topic findings:6 \
    --topic rejects:1 --topic progress:3 --topic audit:3 </dev/null >"$T/mock.out" 2>"$T/mock.err" &
  MOCK=$!
  PIDS+=($MOCK)
  for _ in $(seq 1 100); do [ -s "$T/mock.out" ] && break; sleep 0.1; done
  BROKERS=$(head -1 "$T/mock.out")
  "$W" kafka-produce -q -b "$BROKERS" -t ev "$T/sim/events.jsonl"
}

printf 'bench_kafka: %d events (%d accounts, %d days), 12 partitions, 3 mock brokers, %s cores\n' \
  "$EVENTS" "$ACCOUNTS" "$DAYS" "$(nproc)"
printf '  %-28s %10s events/s   (event loop only; whole run %.1f s)\n' "warden scan (1 process)" \
  "$SCAN_RATE" "$(echo "$t1 - $t0" | bc)"
BASE=""
for n in 1 2 4; do
  start_cluster
  cat > "$T/w$n.yaml" <<YAML
brokers: "$BROKERS"
group: bench-$n
events_topic: ev
verdicts_topic: verdicts
findings_topic: findings
rejects_topic: rejects
progress_topic: progress
audit_topic: audit
policy: $T/policy.yaml
accounts: $T/sim/accounts.jsonl
orgs: $T/sim/orgs.jsonl
max_accounts: 20000
kafka:
  session.timeout.ms: 3000
  heartbeat.interval.ms: 300
  log_level: 3
YAML
  WP=()
  for i in $(seq 1 "$n"); do
    timeout 300 "$W" worker -c "$T/w$n.yaml" --id "b$n-$i" --idle-exit 8 2>"$T/w$n-$i.log" &
    WP+=($!)
  done
  for p in "${WP[@]}"; do wait "$p" || true; done
  read -r first last live < <(cat "$T"/w$n-*.log | sed -n \
    's/.*: \([0-9]*\) events live.*live from \([0-9.]*\) to \([0-9.]*\)$/\2 \3 \1/p' |
    awk 'BEGIN{f=0;l=0;n=0} $1>0 {if(f==0||$1<f)f=$1; if($2>l)l=$2; n+=$3} END{print f, l, n}')
  if [ "${live:-0}" -lt "$EVENTS" ] || [ "$(echo "$last > $first" | bc)" != 1 ]; then
    printf '  %-28s failed (%s live events; workers: %s)\n' "$n worker(s)" "${live:-0}" \
      "$(tail -qn1 "$T"/w$n-*.log | tr '\n' ' ')"
    continue
  fi
  rate=$(echo "$live / ($last - $first)" | bc -l)
  [ -z "$BASE" ] && BASE=$rate
  printf '  %-28s %10.0f events/s   x%.2f of 1 worker   (%d live events, %.2f s)\n' \
    "$n worker(s)" "$rate" "$(echo "$rate / $BASE" | bc -l)" "$live" "$(echo "$last - $first" | bc -l)"
done
