-- delay.lua — wrk script: plain GETs, each connection waiting
-- WARDEN_BENCH_DELAY_MS between requests (wrk's delay hook), so a static
-- server can be measured at the same capped rate as warden's /v1/decide.
local delay_ms = tonumber(os.getenv("WARDEN_BENCH_DELAY_MS") or "")
if delay_ms then
  function delay() return delay_ms end
end
