#!/usr/bin/env bash
# test_serve_nginx.sh — Debian's real nginx with auth_request
# (examples/nginx-warden.conf, ports replaced by free ones) in front of
# `warden serve` and a small upstream: an allowed account gets the
# upstream's answer, a blocked one 403, a throttled one 429 with
# retry-after. Every process is stopped by the test.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "skip: nginx not installed (scripts/deps.sh)"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

start_velocity_serve nginx || exit 1
N=$GW_PORT U=$UP_PORT
sed -e "s/127.0.0.1:8080/127.0.0.1:$PORT/" -e "s/127.0.0.1:8000/127.0.0.1:$N/" \
  -e "s/127.0.0.1:9000/127.0.0.1:$U/g" "$WARDEN_SRC/examples/nginx-warden.conf" >"$T/nginx.conf"
"$NGINX" -t -q -e "$T/nginx-error.log" -c "$T/nginx.conf" -g "pid $T/nginx.pid;" 2>"$T/nginx-t.err"
check "example nginx config is valid" [ $? -eq 0 ]
"$NGINX" -e "$T/nginx-error.log" -c "$T/nginx.conf" -g "pid $T/nginx.pid; daemon off;" 2>>"$T/nginx.err" &
PIDS+=($!)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$N/" && break; sleep 0.1; done
G="http://127.0.0.1:$N"

r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-ok' -H 'X-Warden-Api-Key: k-ok' "$G/v1/chat")
check "allowed account gets the upstream's answer" [ "$r" = "upstream-ok
 200" ]
# acct-blk: 6 requests in a minute over distinct keys -> velocity.request_rate -> block
for i in 1 2 3 4 5 6 7; do c=$(code -H 'X-Warden-Account: acct-blk' -H "X-Warden-Api-Key: kb$i" "$G/v1/chat"); done
check "blocked account gets 403 ($c)" [ "$c" = 403 ]
# acct-thr: 4 requests with one key -> velocity.key_request_rate -> throttle
# (five requests in all: under the account's limit, so throttled, not blocked)
for i in 1 2 3 4; do c=$(code -H 'X-Warden-Account: acct-thr' -H 'X-Warden-Api-Key: kt' "$G/v1/chat"); done
check "throttled account gets 429 ($c)" [ "$c" = 429 ]
h=$(curl -s -D - -o /dev/null -H 'X-Warden-Account: acct-thr' -H 'X-Warden-Api-Key: kt' "$G/v1/chat")
check "throttle again: 429" grep -q '^HTTP/1.1 429' <<<"$h"
check "throttle carries retry-after" grep -qi '^retry-after: 60' <<<"$h"
r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-ok' -H 'X-Warden-Api-Key: k-ok' "$G/v1/chat")
check "allowed account still allowed" [ "$r" = "upstream-ok
 200" ]
# response controls: after a reload the key-rate rule is a review with
# controls, which reach the upstream as x-warden-controls
controls_policy "$T/policy.new"
mv "$T/policy.new" "$T/policy.yaml"
c=$(code -XPOST -H "Authorization: Bearer $TOKEN" "$URL/admin/reload")
check "policy with controls reloaded ($c)" [ "$c" = 200 ]
for i in 1 2 3 4; do
  h=$(curl -s -D - -o /dev/null -H 'X-Warden-Account: acct-ctl' -H 'X-Warden-Api-Key: kc' "$G/v1/chat")
done
check "reviewed account reaches the upstream" grep -q '^HTTP/1.1 200' <<<"$h"
check "the upstream got the controls" \
  grep -qi '^x-upstream-saw-controls: strip_reasoning,max_tokens=256' <<<"$h"
m=$(curl -s "$URL/metrics")
check "warden saw the subrequests" grep -q '^warden_http_requests_total{endpoint="authz",code="403"} ' <<<"$m"
stop_serve
check "warden stops cleanly" [ $? -eq 0 ]
c=$(code -H 'X-Warden-Account: acct-ok' "$G/v1/chat")
check "warden down: nginx fails closed ($c)" [ "$c" = 500 ]
finish
