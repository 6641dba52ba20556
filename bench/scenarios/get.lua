-- GET scenarios: each thread cycles through the request paths in $BENCH_PATHS (one per line),
-- starting at its own offset.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

local paths, headers, n = {}, nil, 0
function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    paths[#paths + 1] = line
  end
  headers = common.headers()
  n = tonumber(offset) or 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end

function done(summary, latency, requests)
  common.done(summary, latency, 1)
end
