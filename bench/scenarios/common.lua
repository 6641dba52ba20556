-- Shared by the scenario scripts: the Authorization header, and one JSON line of results that
-- bench/run.py reads (wrk's own summary has no p95).
local M = {}

function M.headers()
  local headers = {}
  local key = os.getenv("BENCH_KEY")
  if key and key ~= "" then
    headers["Authorization"] = "Bearer " .. key
  end
  return headers
end

function M.done(summary, latency, items_per_request)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH-JSON {"rps": %.2f, "items_per_s": %.2f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "errors": %d, "requests": %d}\n',
    summary.requests / seconds, summary.requests * items_per_request / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.requests))
end

return M
