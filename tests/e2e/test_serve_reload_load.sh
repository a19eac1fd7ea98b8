#!/usr/bin/env bash
# test_serve_reload_load.sh — policy reloads while wrk drives /v1/decide:
# every request is answered 2xx (none dropped, none refused), the server
# counts every reload, and the request total it reports matches what wrk
# sent. A request is decided wholly under the old or the new policy: the
# swap takes the runtime's write lock, which every decision holds for
# reading (serve/serve.h).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v wrk >/dev/null || { echo "skip: wrk not installed (scripts/deps.sh)"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

velocity_policy "$T/policy.yaml"
printf 'port: 0\nthreads: 2\nshards: 2\npolicy: %s\nadmin_token: tok-%s\n' "$T/policy.yaml" "$$" >"$T/serve.yaml"
start_serve "$T/serve.yaml" || exit 1
wrk -t1 -c4 -d6s -s "$WARDEN_SRC/bench/decide.lua" "$URL" >"$T/wrk.out" 2>&1 &
WRK=$!
PIDS+=("$WRK")
sleep 1
ok=0
for _ in 1 2 3; do
  c=$(code -XPOST -H "Authorization: Bearer tok-$$" "$URL/admin/reload")
  [ "$c" = 200 ] && ok=$((ok + 1))
  sleep 0.3
done
kill -HUP "$SPID"
wait "$WRK"
for _ in $(seq 1 300); do grep -q "policy reloaded" "$T/serve.err" && break; sleep 0.1; done
cat "$T/wrk.out"
check "3 reloads over HTTP under load" [ "$ok" -eq 3 ]
sent=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$T/wrk.out")
check "wrk sent requests" [ "${sent:-0}" -gt 100 ]
check "no non-2xx answer" bash -c "! grep -q 'Non-2xx' '$T/wrk.out'"
check "no socket error" bash -c "! grep -q 'Socket errors' '$T/wrk.out'"
m=$(curl -s "$URL/metrics"); echo "$m" >"$T/metrics.txt"
check "4 reloads counted" grep -q '^warden_policy_reloads_total{result="ok"} 4$' <<<"$m"
got=$(sed -n 's/^warden_http_requests_total{endpoint="decide",code="200"} //p' <<<"$m")
check "server answered every request wrk counted ($got >= $sent)" [ "${got:-0}" -ge "${sent:-1}" ]
echo "$m" >"$T/metrics.txt"
check "nothing else answered on /v1/decide" bash -c "! grep -q 'endpoint=\"decide\",code=\"[^2]' '$T/metrics.txt'"
stop_serve
check "SIGTERM after load: exit 0" [ $? -eq 0 ]
finish
