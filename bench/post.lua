-- wrk script for bench/run.sh: POST /api/v1/container/namespaces, a new
-- namespace per request, named PREFIX-THREAD-COUNTER.
--   wrk ... -s bench/post.lua http://HOST:PORT -- PREFIX
-- Counts answers outside 2xx and prints one machine-readable "BENCH" line
-- at the end.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1] or "b"
  counter = 0
  non2xx = 0
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"%s-%d-%d","description":"bench"}', prefix, id, counter)
  return wrk.format("POST", "/api/v1/container/namespaces",
                    { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
