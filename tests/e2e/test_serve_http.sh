#!/usr/bin/env bash
# test_serve_http.sh — `warden serve` from outside: the real server on a free
# loopback port, every endpoint driven with curl: decisions that change with
# state, malformed JSON, missing fields, huge bodies, JSONL batches with line
# numbers, wrong and missing admin tokens, policy reload (good and refused,
# over HTTP and SIGHUP), a slow client cut off by the timeout, metrics, and
# a clean SIGTERM. Prompt text never appears in any answer or log.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

# ---- config validation: unknown key and bad value with FILE:LINE
printf 'port: 0\nthreads: 2\nbogus_key: 1\n' >"$T/bad.yaml"
"$WARDEN_BIN" serve --config "$T/bad.yaml" 2>"$T/bad.err"
check "unknown config key exits 3" [ $? -eq 3 ]
check "unknown key named with FILE:LINE" grep -q "bad.yaml:3:1: bogus_key: unknown key" "$T/bad.err"
printf 'port: 70000\n' >"$T/bad2.yaml"
"$WARDEN_BIN" serve --config "$T/bad2.yaml" 2>"$T/bad2.err"
check "port out of range refused" grep -q "bad2.yaml:1:7: port: expected a whole number from 0 to 65535" "$T/bad2.err"
printf 'port: 0\nfield_notice_events: -1\ncases_record: maybe\n' >"$T/bad3.yaml"
"$WARDEN_BIN" serve --config "$T/bad3.yaml" --check 2>"$T/bad3.err"
check "field_notice_events below 0 refused with FILE:LINE and the key" \
  bash -c "[ $? -eq 3 ] && grep -q 'bad3.yaml:2:[0-9]*: field_notice_events' '$T/bad3.err'"
check "config --dump lists serve keys" bash -c "'$WARDEN_BIN' config --dump | grep -q '^serve.max_body_bytes  (int'"

check "examples/serve.yaml is valid" bash -c "cd '$WARDEN_SRC' && '$WARDEN_BIN' serve --config examples/serve.yaml --check >/dev/null"

velocity_policy "$T/policy.yaml"
cat >"$T/serve.yaml" <<YAML
port: 0
threads: 2
shards: 4
policy: $T/policy.yaml
max_body_bytes: 65536
timeout_s: 1
admin_token_env: TEST_WARDEN_TOKEN
YAML
export TEST_WARDEN_TOKEN=s3cret-token
start_serve "$T/serve.yaml" || exit 1
check "binds loopback" grep -q "listening on 127.0.0.1:" "$T/serve.out"

check "healthz 200" [ "$(code "$URL/healthz")" = 200 ]
check "readyz 200" [ "$(code "$URL/readyz")" = 200 ]
check "unknown path 404" [ "$(code "$URL/nope")" = 404 ]
check "GET /v1/decide 405" [ "$(code "$URL/v1/decide")" = 405 ]

# ---- /v1/decide: state carries over between requests
ev() { # ev ACCOUNT SECOND KEY REQID
  printf '{"ts":"2026-11-30T10:00:%02dZ","account_id":"%s","ip":"192.0.2.10","api_key_id":"%s","request_id":"%s","prompt":"PROMPT-SECRET-%s"}' "$2" "$1" "$3" "$4" "$4"
}
r=$(curl -s -XPOST --data-binary "$(ev acct-a 1 ka r1)" "$URL/v1/decide")
check "decide answers the request id" grep -q '"request_id":"r1"' <<<"$r"
check "first request allowed" grep -q '"action":"allow","enforced":"allow"' <<<"$r"
for i in 2 3 4 5 6; do r=$(curl -s -XPOST --data-binary "$(ev acct-a "$i" "k$i" "r$i")" "$URL/v1/decide"); done
check "6th request in a minute blocked (state kept)" grep -q '"action":"block","enforced":"block"' <<<"$r"
check "reason given" grep -q '"code":"velocity.request_rate"' <<<"$r"
check "shape: score, cluster_id, shadow" grep -q '"score":.*"cluster_id":null,"shadow":false' <<<"$r"
r=$(curl -s -XPOST --data-binary "$(ev acct-a 6 k6 r6)" "$URL/v1/decide")
check "repeated request id flagged duplicate" grep -q '"duplicate":true' <<<"$r"
r=$(curl -s -XPOST --data-binary "$(ev acct-b 1 kb s1)" "$URL/v1/decide")
check "another account unaffected" grep -q '"enforced":"allow"' <<<"$r"

# ---- malformed input
r=$(curl -s -w ' %{http_code}' -XPOST --data-binary '{"ts":"2026-11-30T10:00:00Z","account_id":"x","ip":"not-an-ip","prompt":"PROMPT-SECRET-BAD"}' "$URL/v1/decide")
check "bad field: 400" grep -q ' 400$' <<<"$r"
check "bad field named" grep -q "field 'ip'" <<<"$r"
r=$(curl -s -w ' %{http_code}' -XPOST --data-binary '{"ts":"2026-11-30T10:00:00Z","ip":"192.0.2.1"}' "$URL/v1/decide")
check "missing field: 400 naming it" grep -q "missing required field 'account_id'.* 400$" <<<"$(tr -d '\n' <<<"$r")"
r=$(curl -s -w ' %{http_code}' -XPOST --data-binary '{"ts":"2026-11-30T10:00:00Z","account_id":' "$URL/v1/decide")
check "truncated JSON: 400 with a JSON error" grep -q '^{"error":".*} 400$' <<<"$(tr -d '\n' <<<"$r")"
check "empty body: 400" [ "$(code -XPOST "$URL/v1/decide")" = 400 ]
head -c 200000 /dev/zero | tr '\0' 'a' >"$T/huge"
check "huge body: 413" [ "$(code -XPOST --data-binary @"$T/huge" "$URL/v1/decide")" = 413 ]
check "huge chunked body: 413" [ "$(code -XPOST -H 'Transfer-Encoding: chunked' --data-binary @"$T/huge" "$URL/v1/decide")" = 413 ]
big=$(head -c 70000 /dev/zero | tr '\0' b)
c=$(code -H "x-big: $big" "$URL/healthz")
check "huge header refused ($c)" bash -c "[ '$c' -ge 400 ] || [ '$c' = 000 ]"

# ---- /v1/events: counts and per-line errors with line numbers, never content
{
  ev acct-c 1 kc e1; echo
  echo 'not json PROMPT-SECRET-LINE'
  echo
  ev acct-c 2 kc e2; echo
  echo '{"ts":"2026-11-30T10:00:00Z","account_id":"z"}'
} >"$T/batch.jsonl"
r=$(curl -s -XPOST --data-binary @"$T/batch.jsonl" "$URL/v1/events")
check "batch counts" grep -q '"accepted":2,"duplicates":0,"rejected":2' <<<"$r"
check "batch line 2 error" grep -q '{"line":2,"error":' <<<"$r"
check "batch line 5 error names the field" grep -q "{\"line\":5,\"error\":\"missing required field 'ip'\"}" <<<"$r"
check "batch errors carry no content" bash -c "! grep -q PROMPT-SECRET <<<'$r'"

# ---- admin: token
check "reload without token 401" [ "$(code -XPOST "$URL/admin/reload")" = 401 ]
check "reload wrong token 401" [ "$(code -XPOST -H 'Authorization: Bearer s3cret-tokeX' "$URL/admin/reload")" = 401 ]
check "reload token as basic 401" [ "$(code -XPOST -H 'Authorization: Basic s3cret-token' "$URL/admin/reload")" = 401 ]
check "reload right token 200" [ "$(code -XPOST -H 'Authorization: Bearer s3cret-token' "$URL/admin/reload")" = 200 ]
# a bad new policy is refused with FILE:LINE and the old one stays
cp "$T/policy.yaml" "$T/policy.good"
printf 'rules:\n  - code: "velocity.request_rate"\n    min_score: lots\n    action: block\n' >"$T/policy.yaml"
r=$(curl -s -w ' %{http_code}' -XPOST -H 'Authorization: Bearer s3cret-token' "$URL/admin/reload")
check "bad policy refused (422) with FILE:LINE" grep -q "policy.yaml:3:16: .* 422$" <<<"$(tr -d '\n' <<<"$r")"
for i in 1 2 3 4 5 6; do r=$(curl -s -XPOST --data-binary "$(ev acct-d "$i" "kd$i" "d$i")" "$URL/v1/decide"); done
check "old policy still in force after a refused reload" grep -q '"enforced":"block"' <<<"$r"
kill -HUP "$SPID"
for _ in $(seq 1 600); do grep -q "reload refused" "$T/serve.err" && break; sleep 0.1; done
check "SIGHUP with a bad policy refused, logged with FILE:LINE" grep -q "reload refused, old policy kept: .*policy.yaml:3:16" "$T/serve.err"
cp "$T/policy.good" "$T/policy.yaml"
kill -HUP "$SPID"
for _ in $(seq 1 600); do grep -q "policy reloaded" "$T/serve.err" && break; sleep 0.1; done
check "SIGHUP with a good policy reloads" grep -q "policy reloaded" "$T/serve.err"

# ---- slow client: headers never finished; the timeout closes it, others are served
exec 7<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&7
check "server answers others while a slow client dribbles" [ "$(code "$URL/healthz")" = 200 ]
sleep 2.5
timeout 3 cat <&7 >/dev/null
check "slow client disconnected by the timeout (EOF, not our timeout)" [ $? -eq 0 ]
exec 7>&-

# ---- metrics
m=$(curl -s "$URL/metrics")
check "metrics: requests by endpoint and code" grep -q '^warden_http_requests_total{endpoint="decide",code="200"} ' <<<"$m"
check "metrics: sub-millisecond bucket" grep -q '^warden_request_duration_seconds_bucket{le="0.0001"} ' <<<"$m"
check "metrics: histogram count" grep -q '^warden_request_duration_seconds_count [1-9]' <<<"$m"
check "metrics: decisions by action" grep -q '^warden_decisions_total{action="block"} [1-9]' <<<"$m"
check "metrics: decisions by reason" grep -q '^warden_decision_reasons_total{reason="velocity.request_rate"} [1-9]' <<<"$m"
check "metrics: accounts tracked" grep -q '^warden_accounts_tracked [0-9]' <<<"$m"
check "metrics: engine counter registry" grep -q '^warden_engine_events_total [1-9]' <<<"$m"
check "metrics: events carrying a field" grep -q '^warden_engine_events_with_prompt_total [1-9]' <<<"$m"
check "metrics: a field no event carried is at 0" grep -q '^warden_engine_events_with_output_tokens_total 0$' <<<"$m"
check "metrics: reloads counted" grep -q '^warden_policy_reloads_total{result="refused"} 2' <<<"$m"
check "metrics: TYPE lines" grep -q '^# TYPE warden_request_duration_seconds histogram' <<<"$m"

# ---- shutdown
stop_serve
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "SIGTERM logged" grep -q "SIGTERM: draining" "$T/serve.err"
check "no prompt text in the server's output" bash -c "! grep -q PROMPT-SECRET '$T/serve.err' '$T/serve.out'"
check "fewer events than field_notice_events: no field notice" bash -c "! grep -q 'events judged carried' '$T/serve.err'"
PIDS=()

# ---- field notice: after field_notice_events, once, the fields none carried
cat >"$T/notice.yaml" <<YAML
port: 0
threads: 2
shards: 2
field_notice_events: 8
YAML
start_serve "$T/notice.yaml" notice || exit 1
for i in $(seq 10 39); do
  curl -s -o /dev/null -XPOST --data-binary "$(ev "acct-$((i % 7))" "$i" k "n$i" | sed 's/}$/,"client_tz":"Europe\/Berlin"}/')" "$URL/v1/decide"
done
stop_serve
check "field notice: a field no event carried is named with what goes without it" \
  grep -q 'warning: none of the first [0-9]* events judged carried tls_ja4: ' "$T/notice.err"
check "field notice: once" [ "$(grep -c 'events judged carried tls_ja4' "$T/notice.err")" = 1 ]
check "field notice: a field every event carried is not named" bash -c "! grep -q 'carried client_tz' '$T/notice.err'"
check "field notice: no account registry said" grep -q 'warning: no account registry loaded (accounts): ' "$T/notice.err"
PIDS=()
finish
