-- Write scenarios: POSTs the body template in $BENCH_PATHS (its first line is the path, the rest
-- the JSON body) with every `@N@` replaced by a number unique to the request, so that slugs never
-- collide; $BENCH_ITEMS articles are written per request (a batch), 1 otherwise.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

local path, template, headers, n, run = nil, nil, nil, 0, nil
function init(args)
  local file = assert(io.open(os.getenv("BENCH_PATHS")))
  path = file:read("*l")
  template = file:read("*a")
  file:close()
  headers = common.headers()
  headers["Content-Type"] = "application/json"
  run = tostring(os.time())
end

function request()
  n = n + 1
  local unique = run .. "-" .. thread_id .. "-" .. n
  local body = template:gsub("@N@", unique)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  common.done(summary, latency, tonumber(os.getenv("BENCH_ITEMS") or "1"))
end
