#!/usr/bin/env bash
# test_serve_adapters.sh — the gateway adapter contracts with requests shaped
# as each gateway sends them: Traefik ForwardAuth (GET + X-Forwarded-*, the
# answer returned to the client as is), Envoy ext_authz in HTTP service mode (the
# original method and path after the path prefix, the allowed headers, no
# body: 200 + x-warden-* / 403 / 429 + retry-after) and nginx auth_request
# (GET subrequest: throttle as 403 + x-warden-action: throttle). Account,
# key and client address from the configured headers; X-Forwarded-For read
# with a trusted-hop count; missing account refused with 400.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

velocity_policy "$T/policy.yaml"
# response controls on the throttle rule: sent with the 429 too
sed -i '/action: throttle/a\    max_tokens: 256' "$T/policy.yaml"
cat >"$T/serve.yaml" <<YAML
port: 0
shards: 2
policy: $T/policy.yaml
header_account: x-tenant
header_api_key: x-key
trusted_hops: 1
YAML
start_serve "$T/serve.yaml" || exit 1

envoy() { # envoy ACCOUNT KEY [extra curl args]: an ext_authz check of POST /v1/messages
  local a=$1 k=$2
  shift 2
  curl -s -D - -o /dev/null -X POST -H 'content-length: 0' -H "x-tenant: $a" -H "x-key: $k" \
    -H 'x-forwarded-for: 203.0.113.9, 10.1.2.3' -H 'x-request-id: ' "$@" "$URL/v1/ext_authz/v1/messages"
}
h=$(envoy e-ok k1)
check "envoy: allow is 200" grep -q '^HTTP/1.1 200' <<<"$h"
check "envoy: x-warden-action header" grep -qi '^x-warden-action: allow' <<<"$h"
check "envoy: x-warden-score header" grep -qi '^x-warden-score: 0' <<<"$h"
for i in 1 2 3; do envoy e-thr kt >/dev/null; done
h=$(envoy e-thr kt)
check "envoy: throttle is 429" grep -q '^HTTP/1.1 429' <<<"$h"
check "envoy: retry-after" grep -qi '^retry-after: 60' <<<"$h"
check "envoy: reason header" grep -qi '^x-warden-reasons: velocity.key_request_rate' <<<"$h"
check "envoy: controls header" grep -qi '^x-warden-controls: max_tokens=256' <<<"$h"
check "envoy: max-tokens header" grep -qi '^x-warden-max-tokens: 256' <<<"$h"
check "envoy: policy header" grep -qi "^x-warden-policy: $(sha256sum "$T/policy.yaml" | cut -d' ' -f1)" <<<"$h"
for i in 1 2 3 4 5 6; do envoy e-blk "kb$i" >/dev/null; done
h=$(envoy e-blk kb7)
check "envoy: block is 403" grep -q '^HTTP/1.1 403' <<<"$h"
h=$(curl -s -D - -o /dev/null -H 'x-key: k' "$URL/v1/ext_authz/v1/messages")
check "envoy: no account header is 400" grep -q '^HTTP/1.1 400' <<<"$h"
h=$(curl -s -D - -o /dev/null -H 'x-tenant: a' -H 'x-forwarded-for: 10.0.0.1' "$URL/v1/ext_authz/x")
check "x-forwarded-for shorter than the trusted hops is 400" grep -q '^HTTP/1.1 400' <<<"$h"
h=$(curl -s -D - -o /dev/null -H 'x-tenant: a' -H 'x-forwarded-for: bogus, 10.0.0.1' "$URL/v1/ext_authz/x")
check "x-forwarded-for client entry not an address is 400" grep -q '^HTTP/1.1 400' <<<"$h"

# Traefik ForwardAuth: a GET to the configured address with X-Forwarded-*
traefik() { curl -s -D - -o /dev/null -H "x-tenant: $1" -H "x-key: $2" -H 'X-Forwarded-Method: POST' \
  -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: api.example' -H 'X-Forwarded-Uri: /v1/messages' \
  -H 'X-Forwarded-For: 198.51.100.20, 10.0.0.2' "$URL/v1/ext_authz"; }
h=$(traefik t-ok k)
check "traefik: allow is 200 with x-warden-action" grep -qi '^x-warden-action: allow' <<<"$h"
for i in 1 2 3; do traefik t-thr kt >/dev/null; done
h=$(traefik t-thr kt)
check "traefik: throttle is 429 (returned to the client as is)" grep -q '^HTTP/1.1 429' <<<"$h"
check "traefik: retry-after" grep -qi '^retry-after: 60' <<<"$h"

# nginx auth_request: a GET subrequest carrying the original request's headers
ngx() { curl -s -D - -o /dev/null -H "x-tenant: $1" -H "x-key: $2" -H 'x-real-ip: 198.51.100.4' \
  -H 'x-original-uri: /v1/messages' "$URL/v1/authz"; }
h=$(ngx n-ok k)
check "nginx: allow is 200" grep -q '^HTTP/1.1 200' <<<"$h"
for i in 1 2 3; do ngx n-thr kt >/dev/null; done
h=$(ngx n-thr kt)
check "nginx: throttle is 403" grep -q '^HTTP/1.1 403' <<<"$h"
check "nginx: throttle flagged for the 429 mapping" grep -qi '^x-warden-action: throttle' <<<"$h"
h=$(curl -s -D - -o /dev/null -H 'x-tenant: a' -H 'x-real-ip: nope' "$URL/v1/authz")
check "nginx: bad client address header is 400" grep -q '^HTTP/1.1 400' <<<"$h"
m=$(curl -s "$URL/metrics")
check "metrics count adapter answers" grep -q '^warden_http_requests_total{endpoint="ext_authz",code="429"} 2$' <<<"$m"
stop_serve
finish
