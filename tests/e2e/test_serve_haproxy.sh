#!/usr/bin/env bash
# test_serve_haproxy.sh — Debian's real haproxy with the Lua check
# (examples/haproxy/, ports replaced by free ones) in front of `warden serve`
# and the config's own stand-in upstream: an allowed account gets the
# upstream's answer, a blocked one 403, a throttled one 429 with
# retry-after; after a reload to a policy with response controls on a
# review rule, the upstream receives x-warden-controls; with Warden down the shipped config fails closed (503) and
# the documented fail-open variant (the deny-503 line removed) forwards.
# Every process is stopped by the test.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$HAPROXY" ] || { echo "skip: haproxy not installed (scripts/deps.sh)"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

start_velocity_serve haproxy || exit 1
H=$GW_PORT U=$UP_PORT
EX="$WARDEN_SRC/examples/haproxy"
# the example with free ports and the Lua file by absolute path
mk_cfg() { # mk_cfg OUT [sed-expression...]
  local out=$1; shift
  sed -e "s|http://127.0.0.1:8080|http://127.0.0.1:$PORT|" -e "s/127.0.0.1:8000/127.0.0.1:$H/" \
    -e "s/127.0.0.1:9000/127.0.0.1:$U/g" -e "s|lua-load warden.lua|lua-load $EX/warden.lua|" \
    "$@" "$EX/haproxy-warden.cfg" >"$out"
}
mk_cfg "$T/haproxy.cfg"
"$HAPROXY" -c -q -f "$T/haproxy.cfg" >"$T/haproxy-c.out" 2>&1
check "example haproxy config is valid" [ $? -eq 0 ]
HPID=""
start_haproxy() {
  "$HAPROXY" -db -f "$1" >>"$T/haproxy.out" 2>&1 &
  HPID=$!
  PIDS+=("$HPID")
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$U/" && break; sleep 0.1; done
}
start_haproxy "$T/haproxy.cfg"
G="http://127.0.0.1:$H"

r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-ok' -H 'X-Warden-Api-Key: k-ok' "$G/v1/chat")
check "allowed account gets the upstream's answer ($r)" [ "$r" = "upstream-ok action=allow controls=
 200" ]
r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-ok' -H 'X-Warden-Action: allow' \
  -H 'X-Warden-Controls: none' -H 'X-Warden-Api-Key: k-ok' "$G/v1/chat")
check "client-sent x-warden-* headers are replaced ($r)" [ "$r" = "upstream-ok action=allow controls=
 200" ]
# acct-blk: 6 requests in a minute over distinct keys -> velocity.request_rate -> block
for i in 1 2 3 4 5 6 7; do c=$(code -H 'X-Warden-Account: acct-blk' -H "X-Warden-Api-Key: kb$i" "$G/v1/chat"); done
check "blocked account gets 403 ($c)" [ "$c" = 403 ]
# acct-thr: 4 requests with one key -> velocity.key_request_rate -> throttle
for i in 1 2 3 4; do c=$(code -H 'X-Warden-Account: acct-thr' -H 'X-Warden-Api-Key: kt' "$G/v1/chat"); done
check "throttled account gets 429 ($c)" [ "$c" = 429 ]
h=$(curl -s -D - -o /dev/null -H 'X-Warden-Account: acct-thr' -H 'X-Warden-Api-Key: kt' "$G/v1/chat")
check "throttle again: 429" grep -q '^HTTP/1.1 429' <<<"$h"
check "throttle carries retry-after" grep -qi '^retry-after: 60' <<<"$h"
c=$(code "$G/v1/chat")
check "no account header: Warden refuses (400), haproxy fails closed ($c)" [ "$c" = 503 ]
r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-ok' -H 'X-Warden-Api-Key: k-ok' "$G/v1/chat")
check "allowed account still allowed" [ "$r" = "upstream-ok action=allow controls=
 200" ]
# response controls: the key-rate rule becomes a review with controls
controls_policy "$T/policy.new"
mv "$T/policy.new" "$T/policy.yaml"
c=$(code -XPOST -H "Authorization: Bearer $TOKEN" "$URL/admin/reload")
check "policy with controls reloaded ($c)" [ "$c" = 200 ]
for i in 1 2 3 4; do
  r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-ctl' -H 'X-Warden-Api-Key: kc' "$G/v1/chat")
done
check "reviewed account is forwarded with its controls ($r)" \
  [ "$r" = "upstream-ok action=review controls=strip_reasoning,max_tokens=256
 200" ]
m=$(curl -s "$URL/metrics")
check "warden saw the checks" grep -q '^warden_http_requests_total{endpoint="ext_authz",code="429"} ' <<<"$m"

stop_serve
check "warden stops cleanly" [ $? -eq 0 ]
c=$(code -H 'X-Warden-Account: acct-ok' "$G/v1/chat")
check "warden down: shipped config fails closed ($c)" [ "$c" = 503 ]
kill -TERM "$HPID"; wait "$HPID" 2>/dev/null
# the documented fail-open variant: the deny-503 line deleted
mk_cfg "$T/haproxy-open.cfg" -e '/deny_status 503/d'
start_haproxy "$T/haproxy-open.cfg"
r=$(curl -s -w ' %{http_code}' -H 'X-Warden-Account: acct-blk' "$G/v1/chat")
check "warden down: fail-open variant forwards, marked unavailable ($r)" \
  [ "$r" = "upstream-ok action=unavailable controls=
 200" ]
finish
