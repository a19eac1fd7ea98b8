#!/usr/bin/env bash
# bench_serve_cases.sh — what recording its own actions in cases.db
# (cases_record) costs `warden serve`'s decisions: POST /v1/decide at full
# rate under wrk (bench/decide.lua: 1000 accounts, distinct request ids),
# with a policy that blocks an account over 5 requests a minute, so every
# account is actioned and its findings keep coming; the same server with
# cases_record: false in the same run is the baseline. Two rounds,
# alternating, SECONDS each (default 10); prints each run's rate, the rows
# the writer merged and dropped, and the ratio on / off per round.
#
#   bash bench/bench_serve_cases.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
DUR=${2:-10}
CONN=${3:-16}
for c in wrk curl python3; do
  command -v "$c" >/dev/null || { echo "bench_serve_cases: needs $c (scripts/deps.sh)" >&2; exit 1; }
done
T=$(mktemp -d)
SPID=""
cleanup() { [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cat >"$T/policy.yaml" <<'YAML'
rules:
  - code: "velocity.request_rate"
    min_score: 0
    action: block
detectors:
  velocity:
    enabled: true
    max_requests_short: 5
YAML

serve() { # serve on|off: start a server (SPID, URL)
  printf 'port: 0\nthreads: 2\nshards: 8\npolicy: %s\ncases: %s\ncases_record: %s\nanalysts:\n  - "a:viewer:bench-token-0123456789"\n' \
    "$T/policy.yaml" "$T/cases-$1.db" "$([ "$1" = on ] && echo true || echo false)" >"$T/serve.yaml"
  "$BUILD/warden" serve --config "$T/serve.yaml" >"$T/serve.out" 2>"$T/serve.err" &
  SPID=$!
  for _ in $(seq 1 600); do grep -q listening "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
  URL="http://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/serve.out")"
}
metric() { curl -s "$URL/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
declare -A RPS
echo "bench_serve_cases: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${DUR}s per run, wrk -t1 -c$CONN"
for round in 1 2; do
  for mode in on off; do
    rm -f "$T/cases-$mode.db"*
    serve "$mode"
    out=$(wrk -t1 -c"$CONN" -d"${DUR}s" -s bench/decide.lua "$URL" -- "s$round$mode$RANDOM")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    rows="-"
    if [ "$mode" = on ]; then
      rows="$(metric 'warden_case_rows_total{kind="finding"}') findings, $(metric 'warden_case_rows_total{kind="audit"}') audit, $(metric 'warden_case_rows_total{kind="case"}') case rows merged, $(metric warden_case_rows_dropped_total) dropped"
    fi
    kill -TERM "$SPID"
    wait "$SPID" || true
    SPID=""
    printf 'round %d  cases_record %-3s  %10s req/s  rows: %s\n' "$round" "$mode" "$rps" "$rows"
    RPS[$mode]=${rps%.*}
  done
  awk -v a="${RPS[on]}" -v b="${RPS[off]}" -v r="$round" \
    'BEGIN { printf "round %d  ratio on / off: %.2f\n", r, b ? a / b : 0 }'
done
