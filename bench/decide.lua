-- decide.lua — wrk script: POST /v1/decide with a fresh event each time
-- (distinct request ids, 1000 accounts in turn, event time advancing), so
-- every request runs the detectors instead of hitting the de-duplication.
-- Request ids carry a salt (the script argument, else the clock) so a second
-- run against the same server is not all duplicates. For latency at a
-- fixed part load, bench/bench_loadgen --decide sends the same events at a
-- constant rate (wrk's delay hook cannot hold one).
local n = 0
local salt = tostring(os.time())
local thread_id = 0
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  thread_id = tid or 0
  if args[1] then salt = args[1] end
end
function request()
  n = n + 1
  local acct = (n * 7919 + thread_id * 104729) % 1000
  local ms = 1700000000000 + n * 5
  local body = string.format(
    '{"ts":%d,"account_id":"acct-%d","ip":"192.0.2.%d","api_key_id":"key-%d",' ..
    '"request_id":"%s-%d-%d","model":"m-large","endpoint":"/v1/messages",' ..
    '"input_tokens":420,"output_tokens":180,"prompt":"summarise the attached report"}',
    ms, acct, acct % 250 + 1, acct, salt, thread_id, n)
  return wrk.format("POST", "/v1/decide", {["Content-Type"] = "application/json"}, body)
end
