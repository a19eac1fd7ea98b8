#!/usr/bin/env bash
# bench_serve.sh — `warden serve` POST /v1/decide on loopback, next to nginx
# serving a static 200 in the same run (the baseline: what an HTTP server
# does with no work per request on this machine, now).
#
#   bash bench/bench_serve.sh [BUILD_DIR] [SECONDS] [CONNECTIONS] [THREADS]
#
# Runs, each SECONDS long (default 10):
#  (1) nginx static 200 and (2) warden /v1/decide at full rate under wrk
#      (closed loop: throughput, and p50/p99 as wrk sees them);
#  (3) the load generator's headroom: bench_loadgen driving nginx at twice
#      the half rate below (warden's full rate (2)), to show it can hold more
#      than the rate it is used at (its send lag and CPU per request printed);
#  (4) warden and (5) nginx at half of warden's peak (2), same rate, same
#      connections, under bench_loadgen (bench/bench_loadgen.c): open loop,
#      constant rate, each request's latency measured from its intended send
#      time (coordinated-omission corrected) and from its actual send.
# wrk cannot hold a rate (its delay() hook re-arms a timer after each answer,
# so a stall lowers the rate instead of queueing requests), which is why the
# half-rate runs use bench_loadgen; wrk2 is not in Debian.
# Every event differs (bench/decide.lua and bench_loadgen --decide: 1000
# accounts, distinct request ids), with the built-in policy, so every request
# runs every enabled detector. Around run (4) it prints Warden's own latency
# histogram (time inside the server) and, for (4) and (5), each server's CPU
# time and run-queue wait per request (schedstat); each bench_loadgen run
# also prints the VM's CPU steal during it. The machine may be
# shared: the load average is printed; run it twice and report both.
#
# WARDEN_BENCH_RATE=N runs (3)-(5) at 2N, N and N requests/s instead (e.g. half
# of a peak measured earlier on a quiet machine, when this run's peak is
# depressed by other load). WARDEN_BENCH_RT=1 runs (3)-(5) with both servers'
# threads and bench_loadgen at real-time priority (SCHED_FIFO 10, chrt; needs
# root): other processes on a shared machine then cannot preempt them, which
# stands in for a machine that runs nothing else; the wrk runs stay as they
# are. Either is printed in the header line; report which was used.
#
# WARDEN_BENCH_PIN=1 pins the servers to CPU 1 and wrk / bench_loadgen to
# CPU 0 (taskset; pass THREADS 1): client and server then never wait for
# each other's CPU, and what is left of the latency tail is the server's own
# work plus whatever else runs on the machine, for nginx and warden alike.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
DUR=${2:-10}
CONN=${3:-16}
WTHREADS=${4:-2}
for c in wrk nginx curl python3; do
  command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || { echo "bench_serve: needs $c (scripts/deps.sh)" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
SRV=()
CLI=()
if [ -n "${WARDEN_BENCH_PIN:-}" ]; then SRV=(taskset -c 1); CLI=(taskset -c 0); fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

NP=$(free_port)
cat >"$T/nginx.conf" <<NGX
worker_processes $WTHREADS;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; server { listen 127.0.0.1:$NP; location / { return 200 "ok\n"; } } }
NGX
"${SRV[@]}" "$NGINX" -e "$T/nginx.err" -c "$T/nginx.conf" -g "pid $T/nginx.pid; daemon off;" &
PIDS+=($!)

printf 'port: 0\nthreads: %s\nshards: %s\n' "$WTHREADS" "$((WTHREADS * 4))" >"$T/serve.yaml"
"${SRV[@]}" "$BUILD/warden" serve --config "$T/serve.yaml" >"$T/serve.out" 2>"$T/serve.err" &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q listening "$T/serve.out" && break; sleep 0.1; done
WP=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/serve.out")
[ -n "$WP" ] || { cat "$T/serve.err" >&2; exit 1; }

run() { # run NAME URL CONN [script]
  local name=$1 url=$2 conn=$3 script=${4:-}
  local out
  out=$("${CLI[@]}" wrk -t1 -c"$conn" -d"${DUR}s" --latency ${script:+-s "$script"} "$url" ${script:+-- "s$RANDOM$RANDOM"})
  local rps p50 p99 errs
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  printf '%-34s conns %3d  %10s req/s  p50 %8s  p99 %8s  %s\n' "$name" "$conn" "$rps" "$p50" "$p99" "$errs"
  LAST_RPS=${rps%.*}
  LAST_N=$(awk '/requests in/ {print $1}' <<<"$out")
}
echo "bench_serve: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${DUR}s per run, wrk -t1${WARDEN_BENCH_PIN:+, pinned: servers CPU 1, wrk and bench_loadgen CPU 0}${WARDEN_BENCH_RATE:+, half-rate runs at WARDEN_BENCH_RATE=$WARDEN_BENCH_RATE}${WARDEN_BENCH_RT:+, loadgen runs at real-time priority}"
run "nginx static 200 (baseline)" "http://127.0.0.1:$NP/" "$CONN"
run "warden POST /v1/decide" "http://127.0.0.1:$WP" "$CONN" bench/decide.lua
full=$LAST_RPS
wrk_events=$LAST_N # the half-rate run's events go on from there in event time
half=${WARDEN_BENCH_RATE:-$(( full / 2 ))}
[ "$half" -ge 1 ] || half=1
RT=()
rt() { # rt POLICY PRIO PID...: every thread of each process
  local pol=$1 prio=$2; shift 2
  for p in "$@"; do chrt "$pol" -a -p "$prio" "$p" >/dev/null; done
}
if [ -n "${WARDEN_BENCH_RT:-}" ]; then
  RT=(chrt -f 10)
  rt -f 10 "${PIDS[1]}" "${PIDS[0]}" $(pgrep -P "${PIDS[0]}")
  echo "(from here: servers and bench_loadgen at SCHED_FIFO 10)"
fi
LG="$BUILD/bench/bench_loadgen"
[ -x "$LG" ] || { echo "bench_serve: $LG not built (make build)" >&2; exit 1; }
lgrun() { # lgrun NAME URL RATE [loadgen options]: one open-loop run; sets LG_P99, LG_RAW_P99, LAST_N
  local name=$1 url=$2 rate=$3; shift 3
  local out st0 st1 # steal: time the hypervisor ran something else on this VM's CPUs
  st0=$(awk '/^cpu / {print $9}' /proc/stat)
  out=$("${CLI[@]}" "${RT[@]}" "$LG" -r "$rate" -c "$CONN" -d "$DUR" "$@" "$url" || true)
  st1=$(awk '/^cpu / {print $9}' /proc/stat)
  local r=$(grep '^loadgen_result' <<<"$out")
  f() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$r"; }
  printf '%-34s conns %3d  target %6s  achieved %9s req/s  p50 %6s  p99 %7s  p99.9 %7s  max %7s ms; from actual send p99 %s ms; %s%% <= 2 ms; errors %s, non-2xx %s, unfinished %s; loadgen lag p99 %s ms, %s us CPU/request; CPU steal %s ms\n' \
    "$name" "$CONN" "$rate" "$(f achieved)" "$(f p50_ms)" "$(f p99_ms)" "$(f p999_ms)" "$(f max_ms)" \
    "$(f raw_p99_ms)" "$(f le2ms_pct)" "$(f errors)" "$(f non2xx)" "$(f unfinished)" "$(f lag_p99_ms)" "$(f cpu_us_per_req)" "$(( (st1 - st0) * 1000 / $(getconf CLK_TCK) ))"
  LG_P99=$(f p99_ms)
  LG_RAW_P99=$(f raw_p99_ms)
  LAST_N=$(f responses)
}
lgrun "loadgen headroom: nginx, 2x half rate" "http://127.0.0.1:$NP/" "$((2 * half))"
# the server's own histogram around the half-rate run: how much of the tail
# wrk sees is time inside warden (decode, lock, engine, answer)
hist() { curl -s "http://127.0.0.1:$WP/metrics" | grep -E '^warden_(request_duration_seconds_bucket|shard_lock_contended_total)' >"$1"; }
# CPU time and time runnable but waiting for a core (schedstat, ns) of every
# thread of the given processes: the part of the tail that is the machine's
sched() { cat $(for p in "$@"; do echo /proc/"$p"/task/*/schedstat; done) 2>/dev/null | awk '{c += $1; w += $2} END {printf "%.0f %.0f\n", c, w}'; }
sched_report() { # sched_report NAME "BEFORE" "AFTER" REQUESTS
  read -r c0 w0 <<<"$2"; read -r c1 w1 <<<"$3"
  awk -v n="$1" -v c="$((c1 - c0))" -v w="$((w1 - w0))" -v r="$4" 'BEGIN {
    if (r > 0) printf "  %s threads, half-rate run: %.1f us of CPU and %.1f us waiting for a core per request\n", n, c / r / 1000, w / r / 1000 }'
}
NGX_PIDS=$(pgrep -P "${PIDS[0]}" | tr '\n' ' ')
hist "$T/h0"
s0=$(sched "${PIDS[1]}")
lgrun "warden /v1/decide, half rate" "http://127.0.0.1:$WP/v1/decide" "$half" --decide "h$RANDOM$RANDOM" --first $((wrk_events + 1000))
W_P99=$LG_P99 W_RAW_P99=$LG_RAW_P99
s1=$(sched "${PIDS[1]}")
hist "$T/h1"
sched_report warden "$s0" "$s1" "$LAST_N"
python3 - "$T/h0" "$T/h1" <<'PY'
import re, sys
def read(p):
    b, c = {}, 0
    for line in open(p):
        m = re.match(r'warden_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
        if m: b[m.group(1)] = int(m.group(2))
        elif line.startswith('warden_shard_lock_contended_total'): c = int(line.split()[1])
    return b, c
(b0, c0), (b1, c1) = read(sys.argv[1]), read(sys.argv[2])
n = b1['+Inf'] - b0['+Inf']
if n:
    le = {k: (b1[k] - b0[k]) / n for k in b1}
    p99 = next((k for k in b1 if le[k] >= 0.99), '+Inf')
    print('  inside warden, half-rate run: %d requests, %.2f %% <= 0.5 ms, %.2f %% <= 1 ms, %.2f %% <= 2 ms, p99 <= %s s; '
          'shard lock contended %d times' % (n, 100 * le['0.0005'], 100 * le['0.001'], 100 * le['0.002'], p99, c1 - c0))
PY
# the same half rate on nginx's static 200: the tail the machine adds
# (wrk, the server and everything else sharing the cores) without any work
s0=$(sched $NGX_PIDS)
lgrun "nginx static 200, same half rate" "http://127.0.0.1:$NP/" "$half"
s1=$(sched $NGX_PIDS)
sched_report "nginx worker" "$s0" "$s1" "$LAST_N"
awk -v w="$W_P99" -v n="$LG_P99" -v wr="$W_RAW_P99" -v nr="$LG_RAW_P99" -v h="$half" -v f="$full" 'BEGIN {
  printf "half rate (%d req/s; this run\047s wrk peak %d): p99 warden %s ms, nginx %s ms (%.2fx) from the intended send; %s / %s ms (%.2fx) from the actual send; target <= 2 ms: %s\n",
    h, f, w, n, (n > 0 ? w / n : 0), wr, nr, (nr > 0 ? wr / nr : 0), ((w != "" && w <= 2) ? "held" : "not held") }'
[ -n "${WARDEN_BENCH_RT:-}" ] && rt -o 0 "${PIDS[1]}" "${PIDS[0]}" $(pgrep -P "${PIDS[0]}")
echo "server-side latency histogram (time inside warden, all runs):"
curl -s "http://127.0.0.1:$WP/metrics" | grep -E '^warden_(accounts_tracked|engine_events_total|request_duration_seconds_(bucket\{le="0.0001"\}|bucket\{le="0.00025"\}|bucket\{le="0.0005"\}|bucket\{le="0.001"\}|bucket\{le="0.002"\}|count)|shard_lock_(contended_total|wait_seconds_total|wait_max_seconds))'
