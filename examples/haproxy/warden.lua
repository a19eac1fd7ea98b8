-- warden.lua — HAProxy (2.5+, Lua 5.3) asks `warden serve` before forwarding
-- an API request. Loaded by haproxy-warden.cfg (`lua-load`); the action
-- `lua.warden_check` sends the request's identifying headers to Warden's
-- /v1/ext_authz with HAProxy's own HTTP client (core.httpclient, no SPOE,
-- no extra Lua modules) and leaves the answer in transaction variables:
--
--   txn.warden_action   allow | review | throttle | block, or
--                       "unavailable" when Warden could not be asked
--   txn.warden_retry    retry-after seconds Warden sent with a throttle
--   txn.warden_reasons, txn.warden_score, txn.warden_policy
--   txn.warden_controls the x-warden-controls header (response controls,
--                       e.g. "strip_reasoning,max_tokens=1024"), when set
--
-- The configuration decides what to do with them (deny, 429, forward the
-- controls to the upstream, fail open or closed). Nothing of the request
-- body (the prompt) is read or sent: only headers.

-- Where Warden listens; haproxy-warden.cfg may override it with
-- `setenv WARDEN_URL http://host:port` in its global section.
local warden_url = os.getenv("WARDEN_URL") or "http://127.0.0.1:8080"
local timeout_ms = tonumber(os.getenv("WARDEN_TIMEOUT_MS") or "500")

-- The headers Warden reads (the names in its serve config).
local forward = {
    "x-warden-account", "x-warden-api-key", "x-warden-end-user",
    "x-request-id", "user-agent",
}

-- First value of a header in HAProxy's header tables (values indexed from 0).
local function first(h, name)
    local v = h and h[name]
    if type(v) == "table" then return v[0] or v[1] end
    return v
end

core.register_action("warden_check", { "http-req" }, function(txn)
    local reqh = txn.http:req_get_headers()
    local headers = {}
    for _, name in ipairs(forward) do
        local v = first(reqh, name)
        if v then headers[name] = { v } end
    end
    -- the address HAProxy accepted the connection from; put your own
    -- proxies' x-forwarded-for handling here if HAProxy is not the edge
    headers["x-real-ip"] = { tostring(txn.f:src()) }
    headers["x-original-uri"] = { txn.f:path() or "/" }

    local ok, res = pcall(function()
        local hc = core.httpclient()
        return hc:get{ url = warden_url .. "/v1/ext_authz", headers = headers,
                       timeout = timeout_ms }
    end)
    local status = ok and res and tonumber(res.status) or 0
    if status ~= 200 and status ~= 403 and status ~= 429 then
        -- connection refused, timeout, 400 (no account header) or 5xx
        txn:set_var("txn.warden_action", "unavailable")
        txn:set_var("txn.warden_status", tostring(status))
        return
    end
    local h = res.headers
    txn:set_var("txn.warden_action", first(h, "x-warden-action") or
                 (status == 200 and "allow" or (status == 429 and "throttle" or "block")))
    txn:set_var("txn.warden_retry", first(h, "retry-after") or "60")
    txn:set_var("txn.warden_reasons", first(h, "x-warden-reasons") or "")
    txn:set_var("txn.warden_score", first(h, "x-warden-score") or "")
    txn:set_var("txn.warden_policy", first(h, "x-warden-policy") or "")
    txn:set_var("txn.warden_controls", first(h, "x-warden-controls") or "")
end)
