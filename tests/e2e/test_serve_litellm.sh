#!/usr/bin/env bash
# test_serve_litellm.sh — LiteLLM's two guardrail contracts, from Warden's
# side (LiteLLM is on PyPI, which this machine cannot reach, so no LiteLLM
# proxy runs here):
#  1. the Generic Guardrail API: POST /beta/litellm_basic_guardrail_api with
#     bodies shaped as LiteLLM's docs give them
#     (docs.litellm.ai/docs/adding_provider/generic_guardrail_api, "Request
#     Format"; the same fields as GenericGuardrailAPIRequest in
#     litellm/types/proxy/guardrails/guardrail_hooks/generic_guardrail_api.py):
#     NONE for an allowed account, BLOCKED with the reason for a blocked or
#     throttled one, NONE for the response phase without counting an event,
#     400 naming the field for bad input;
#  2. examples/litellm/warden_guardrail.py (a CustomGuardrail), imported
#     without LiteLLM: build_event() on pre-call data shaped as LiteLLM
#     passes it to async_pre_call_hook (messages, metadata with
#     requester_ip_address, litellm_call_id, proxy_server_request headers;
#     the key as UserAPIKeyAuth fields), each event accepted by /v1/decide,
#     and apply_decision() on the real answers: 403 for block, 429 with
#     retry-after for throttle, and after a reload to a policy with response
#     controls, thinking removed and max_tokens lowered.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

start_velocity_serve litellm || exit 1
L="$URL/beta/litellm_basic_guardrail_api"

# gg TEAM KEY-HASH [INPUT-TYPE]: a Generic Guardrail API request as the docs show it
gg() {
  curl -s -X POST -H 'Content-Type: application/json' -w '\n%{http_code}' "$L" --data-binary @- <<JSON
{
  "texts": ["extracted text from the request"],
  "images": [],
  "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather",
             "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}],
  "request_data": {
    "user_api_key_hash": "$2",
    "user_api_key_alias": "alias of the litellm virtual key used",
    "user_api_key_user_id": "user-1",
    "user_api_key_user_email": "someone@example.com",
    "user_api_key_team_id": "$1",
    "user_api_key_team_alias": "team alias",
    "user_api_key_end_user_id": "end-user-7",
    "user_api_key_org_id": "org-1"
  },
  "input_type": "${3:-request}",
  "litellm_call_id": "call-$RANDOM$RANDOM",
  "litellm_trace_id": "trace-1",
  "additional_provider_specific_params": {"threshold": 0.8}
}
JSON
}
st() { tail -n1 <<<"$1"; }
bd() { sed '$d' <<<"$1"; }

r=$(gg team-ok hash-ok)
check "generic API: allowed account is NONE ($r)" [ "$(bd "$r")" = '{"action":"NONE"}' ] && [ "$(st "$r")" = 200 ]
for i in 1 2 3 4 5 6 7; do r=$(gg team-blk "hash-b$i"); done
check "generic API: blocked account is BLOCKED with its reason ($r)" \
  grep -q '"action":"BLOCKED","blocked_reason":"warden: block: velocity.request_rate' <<<"$(bd "$r")"
for i in 1 2 3 4; do r=$(gg team-thr hash-t); done
check "generic API: throttled account is BLOCKED, the reason says throttle ($r)" \
  grep -q '"blocked_reason":"warden: throttle (retry after 60 s): velocity.key_request_rate' <<<"$(bd "$r")"
ev0=$(curl -s "$URL/metrics" | sed -n 's/^warden_engine_events_total //p')
r=$(gg team-blk hash-b1 response)
check "generic API: response phase is NONE ($r)" [ "$(bd "$r")" = '{"action":"NONE"}' ]
ev1=$(curl -s "$URL/metrics" | sed -n 's/^warden_engine_events_total //p')
check "generic API: the response phase is no event ($ev0 = $ev1)" [ -n "$ev0" ] && [ "$ev0" = "$ev1" ]
# without the team id, the user id is the account
r=$(curl -s -X POST --data-binary '{"texts":["hi"],"request_data":{"user_api_key_hash":"h9","user_api_key_user_id":"user-only"},"input_type":"request","litellm_call_id":"c-9"}' -w '\n%{http_code}' "$L")
check "generic API: a minimal request is decided" [ "$(st "$r")" = 200 ]

bad() { # bad BODY TEXT
  local r
  r=$(curl -s -X POST --data-binary "$1" -w '\n%{http_code}' "$L")
  [ "$(st "$r")" = 400 ] && grep -q "$2" <<<"$(bd "$r")"
}
check "generic API: malformed JSON" bad '{"texts": [' 'malformed JSON'
check "generic API: not an object" bad '[1]' 'expected a JSON object'
check "generic API: no account" bad '{"texts":["x"],"request_data":{},"input_type":"request"}' 'missing account'
check "generic API: request_data not an object" bad '{"request_data":"x"}' "field 'request_data'"
check "generic API: team id not a string" bad '{"request_data":{"user_api_key_team_id":5}}' "request_data.user_api_key_team_id"
check "generic API: texts not a list" bad '{"texts":"x","request_data":{"user_api_key_hash":"h"}}' "field 'texts'"
check "generic API: a text not a string" bad '{"texts":[1],"request_data":{"user_api_key_hash":"h"}}' "texts\[0\]"
check "generic API: unknown input_type" bad '{"input_type":"sideways","request_data":{"user_api_key_hash":"h"}}' "input_type"
c=$(code "$L")
check "generic API: GET is 405 ($c)" [ "$c" = 405 ]

# 2. the CustomGuardrail's side
cat >"$T/guard.py" <<'PY'
import json, sys, urllib.request
sys.path.insert(0, sys.argv[1])
import warden_guardrail as wg
url, phase = sys.argv[2], sys.argv[3]

def pre_call_data(i, team, thinking=False):
    # the `data` LiteLLM hands async_pre_call_hook for /v1/chat/completions
    d = {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "You are terse."},
                     {"role": "user", "content": [{"type": "text", "text": "Question %d" % i}]}],
        "max_tokens": 4096,
        "user": "end-user-7",
        "litellm_call_id": "c-%s-%s-%d" % (phase, team, i),
        "metadata": {"requester_ip_address": "198.51.100.%d" % (i % 250 + 1),
                     "user_api_key_hash": "hash-py"},
        "proxy_server_request": {"url": "http://proxy/v1/chat/completions", "method": "POST",
                                 "headers": {"User-Agent": "openai-python/1.51.0",
                                             "Content-Type": "application/json"}},
    }
    if thinking:
        d["thinking"] = {"type": "enabled", "budget_tokens": 2048}
        d["reasoning_effort"] = "high"
    return d

def decide(ev):
    req = urllib.request.Request(url + "/v1/decide", json.dumps(ev).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, json.load(r)

def run(team, key, n, thinking=False):
    out = None
    for i in range(n):
        data = pre_call_data(i, team, thinking)
        ev = wg.build_event(data, {"token": key, "team_id": team, "user_id": "u-1"}, "completion")
        assert "prompt" in ev and ev["prompt"].startswith("Question"), ev
        assert ev["system"] == "You are terse." and ev["turns"] == 2 and ev["endpoint"] == "completion"
        assert ev["ip"].startswith("198.51.100.") and ev["user_agent"].startswith("openai-python")
        status, d = decide(ev)
        assert status == 200 and d["request_id"] == data["litellm_call_id"], (status, d)
        try:
            out = ("ok", wg.apply_decision(d, data))
        except wg.HTTPException as e:
            out = ("http", e.status_code, e.headers.get("retry-after"))
    return out

if phase == "enforce":
    ok = run("py-ok", "k-ok", 1)
    print("allow", ok[0], ok[1]["max_tokens"], "thinking" in ok[1])
    print("block", *run("py-blk", None, 7)[1:])       # 7 requests, distinct keys: account rate
    print("throttle", *run("py-thr", "k-thr", 4)[1:])  # 4 requests, one key: key rate
else:
    r = run("py-ctl", "k-ctl", 4, thinking=True)        # key rate -> review with controls
    d = r[1]
    print("controls", r[0], d["max_tokens"], "thinking" in d, "reasoning_effort" in d,
          d["metadata"].get("warden_strip_reasoning"))
    resp = {"choices": [{"message": {"content": "4", "reasoning_content": "step by step..."}}]}
    print("stripped", "reasoning_content" in wg.strip_reasoning_from_response(resp)["choices"][0]["message"])
PY
# the key rate per key and the account rate per account (distinct keys per request for the block)
sed -i 's/ev = wg.build_event(data, {"token": key,/ev = wg.build_event(data, {"token": key or "kb%d" % i,/' "$T/guard.py"
out=$(python3 "$T/guard.py" "$WARDEN_SRC/examples/litellm" "$URL" enforce 2>&1)
echo "$out"
check "python guardrail: allowed call proceeds unchanged" grep -q '^allow ok 4096 False$' <<<"$out"
check "python guardrail: blocked account raises 403" grep -q '^block 403 None$' <<<"$out"
check "python guardrail: throttled account raises 429 with retry-after" grep -q '^throttle 429 60$' <<<"$out"
controls_policy "$T/policy.new"
mv "$T/policy.new" "$T/policy.yaml"
c=$(code -XPOST -H "Authorization: Bearer $TOKEN" "$URL/admin/reload")
check "policy with controls reloaded ($c)" [ "$c" = 200 ]
out=$(python3 "$T/guard.py" "$WARDEN_SRC/examples/litellm" "$URL" controls 2>&1)
echo "$out"
check "python guardrail: controls applied (max_tokens 256, reasoning params removed)" \
  grep -q '^controls ok 256 False False True$' <<<"$out"
check "python guardrail: reasoning stripped from the answer" grep -q '^stripped False$' <<<"$out"
m=$(curl -s "$URL/metrics")
check "metrics count the generic API" grep -q '^warden_http_requests_total{endpoint="litellm",code="200"} ' <<<"$m"
stop_serve
check "stops cleanly" [ $? -eq 0 ]
finish
