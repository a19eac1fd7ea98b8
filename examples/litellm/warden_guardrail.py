"""warden_guardrail.py — a LiteLLM proxy custom guardrail that asks `warden serve`
before each call and enforces its decision.

LiteLLM's custom guardrail contract (docs.litellm.ai/docs/proxy/guardrails/custom_guardrail):
a `CustomGuardrail` subclass whose `async_pre_call_hook(user_api_key_dict, cache,
data, call_type)` runs before the model is called and may raise to refuse the call
or return the (modified) request `data`; `async_post_call_success_hook(data,
user_api_key_dict, response)` runs on the answer. This one:

  * builds one Warden event (formats.md §1) from what LiteLLM knows of the call:
    the account (the key's team, else its user, else the key hash), the key hash,
    the end user, the client address LiteLLM recorded, the user agent, model,
    endpoint, turns, tools, thinking and max_tokens requested, the system prompt and
    the newest user turn (Warden sketches them; it never stores or logs prompt text);
  * POSTs it to Warden's /v1/decide;
  * enforces the decision: `block` → HTTP 403, `throttle` → HTTP 429 with
    retry-after; `allow`/`review` → the call proceeds, with the response
    controls applied to the request: `strip_reasoning` removes the reasoning
    parameters (`thinking`, `reasoning_effort`, `reasoning`) and, after the call,
    reasoning content from the answer; `max_tokens` lowers the output budget;
  * fails closed by default when Warden cannot be asked (HTTP 503);
    `fail_open: true` lets the call through instead — decide per deployment:
    failing open lets restricted parties through while Warden is down.

config.yaml of the LiteLLM proxy (this file next to it):

    guardrails:
      - guardrail_name: "warden"
        litellm_params:
          guardrail: warden_guardrail.WardenGuardrail
          mode: "pre_call"
          default_on: true
          api_base: "http://127.0.0.1:8080"   # warden serve
          fail_open: false
          timeout_s: 0.5

For the post-call reasoning strip, also list it with mode "post_call" (or
`mode: [pre_call, post_call]` on LiteLLM versions that accept a list).

Alternatively, without any Python: LiteLLM's Generic Guardrail API
(`guardrail: generic_guardrail_api`, `api_base: http://127.0.0.1:8080`) calls
Warden's POST /beta/litellm_basic_guardrail_api; that contract carries no
client address and cannot express response controls (docs/serve.md).

Tested from Warden's side only: this machine has no PyPI, so LiteLLM itself is
not installed here. tests/e2e/test_serve_litellm.sh imports this module without
LiteLLM (the fallbacks below), feeds `build_event` request data shaped as LiteLLM
passes it, sends the events to a real `warden serve`, and checks
`apply_decision` on the answers.
"""
import json
import os
import time
from typing import Any, Dict, Optional

try:  # inside a LiteLLM proxy
    from fastapi import HTTPException
    from litellm.integrations.custom_guardrail import CustomGuardrail
except ImportError:  # tests and tools without LiteLLM: the same behaviour, plain classes

    class CustomGuardrail:  # type: ignore[no-redef]
        def __init__(self, **kwargs: Any) -> None:
            self.guardrail_name = kwargs.get("guardrail_name", "warden")

    class HTTPException(Exception):  # type: ignore[no-redef]
        def __init__(self, status_code: int, detail: Any = None,
                     headers: Optional[Dict[str, str]] = None) -> None:
            super().__init__(status_code, detail)
            self.status_code = status_code
            self.detail = detail
            self.headers = headers or {}


REASONING_PARAMS = ("thinking", "reasoning_effort", "reasoning")


def _get(obj: Any, name: str) -> Any:
    """An attribute of LiteLLM's UserAPIKeyAuth, or a key of a dict standing in for it."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _text(content: Any) -> str:
    """The text of an OpenAI/Anthropic message content (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content
                         if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def build_event(data: Dict[str, Any], user_api_key_dict: Any, call_type: str = "completion",
                now_ms: Optional[int] = None) -> Dict[str, Any]:
    """One Warden event (formats.md §1) from LiteLLM's pre-call `data` and key."""
    metadata = data.get("metadata") or data.get("litellm_metadata") or {}
    headers = (data.get("proxy_server_request") or {}).get("headers") or {}
    headers = {str(k).lower(): v for k, v in headers.items()}
    key_hash = _get(user_api_key_dict, "token") or metadata.get("user_api_key_hash")
    account = (_get(user_api_key_dict, "team_id") or _get(user_api_key_dict, "user_id")
               or metadata.get("user_api_key_team_id") or metadata.get("user_api_key_user_id")
               or key_hash)
    messages = data.get("messages") or []
    system = data.get("system")
    prompt = ""
    for m in messages:
        if not isinstance(m, dict):
            continue
        if m.get("role") == "system" and system is None:
            system = _text(m.get("content"))
        if m.get("role") == "user":
            prompt = _text(m.get("content"))
    if not prompt and isinstance(data.get("prompt"), str):
        prompt = data["prompt"]
    if isinstance(system, list):
        system = _text(system)
    ip = metadata.get("requester_ip_address") or headers.get("x-real-ip")
    if not ip and headers.get("x-forwarded-for"):
        ip = headers["x-forwarded-for"].split(",")[-1].strip()
    ev: Dict[str, Any] = {
        "ts": now_ms if now_ms is not None else int(time.time() * 1000),
        "account_id": account,
        "ip": ip or "::",
        "request_id": data.get("litellm_call_id"),
        "org_id": _get(user_api_key_dict, "org_id") or metadata.get("user_api_key_org_id"),
        "api_key_id": key_hash,
        "end_user": data.get("user") or _get(user_api_key_dict, "end_user_id"),
        "user_agent": headers.get("user-agent"),
        "model": data.get("model"),
        "endpoint": call_type,
        "system": system or None,
        "prompt": prompt or None,
        "turns": len(messages) if messages else None,
        "thinking": any(data.get(p) for p in REASONING_PARAMS) or None,
        "max_tokens": data.get("max_tokens") or data.get("max_completion_tokens"),
        "tools": len(data["tools"]) if isinstance(data.get("tools"), list) else None,
    }
    return {k: v for k, v in ev.items() if v is not None}


def apply_decision(decision: Dict[str, Any], data: Dict[str, Any],
                   retry_after_s: int = 60) -> Dict[str, Any]:
    """Enforce a /v1/decide answer on the request: raise for block and throttle,
    else apply the response controls to `data` and return it."""
    enforced = decision.get("enforced", "allow")
    reasons = ",".join(r.get("code", "") for r in decision.get("reasons") or [])
    if enforced == "block":
        raise HTTPException(status_code=403, detail={"error": "forbidden by policy",
                                                     "reasons": reasons})
    if enforced == "throttle":
        raise HTTPException(status_code=429, detail={"error": "rate limited", "reasons": reasons},
                            headers={"retry-after": str(retry_after_s)})
    controls = decision.get("controls") or {}
    if controls.get("strip_reasoning"):
        for p in REASONING_PARAMS:
            data.pop(p, None)
        data.setdefault("metadata", {})["warden_strip_reasoning"] = True
    cap = controls.get("max_tokens")
    if cap:
        for k in ("max_tokens", "max_completion_tokens"):
            if k in data and isinstance(data[k], int):
                data[k] = min(data[k], cap)
        if "max_tokens" not in data and "max_completion_tokens" not in data:
            data["max_tokens"] = cap
    return data


def strip_reasoning_from_response(response: Any) -> Any:
    """Remove reasoning content from a LiteLLM ModelResponse (or its dict form)."""
    choices = _get(response, "choices") or []
    for ch in choices:
        msg = _get(ch, "message")
        if msg is None:
            continue
        for field in ("reasoning_content", "thinking_blocks"):
            if isinstance(msg, dict):
                msg.pop(field, None)
            elif getattr(msg, field, None) is not None:
                setattr(msg, field, None)
    return response


class WardenGuardrail(CustomGuardrail):
    def __init__(self, api_base: Optional[str] = None, fail_open: bool = False,
                 timeout_s: float = 0.5, retry_after_s: int = 60, **kwargs: Any) -> None:
        self.api_base = (api_base or os.getenv("WARDEN_URL") or "http://127.0.0.1:8080").rstrip("/")
        self.fail_open = bool(fail_open)
        self.timeout_s = float(timeout_s)
        self.retry_after_s = int(retry_after_s)
        super().__init__(**kwargs)

    async def _decide(self, event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        import httpx  # LiteLLM depends on it

        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                r = await client.post(self.api_base + "/v1/decide", content=json.dumps(event),
                                      headers={"content-type": "application/json"})
            if r.status_code != 200:
                return None
            return r.json()
        except (httpx.HTTPError, ValueError):
            return None

    async def async_pre_call_hook(self, user_api_key_dict: Any, cache: Any, data: dict,
                                  call_type: str) -> Optional[dict]:
        event = build_event(data, user_api_key_dict, call_type)
        decision = await self._decide(event) if event.get("account_id") else None
        if decision is None:
            if self.fail_open:
                return data
            raise HTTPException(status_code=503, detail={"error": "policy check unavailable"})
        return apply_decision(decision, data, self.retry_after_s)

    async def async_post_call_success_hook(self, data: dict, user_api_key_dict: Any,
                                           response: Any) -> Any:
        if (data.get("metadata") or {}).get("warden_strip_reasoning"):
            return strip_reasoning_from_response(response)
        return response
