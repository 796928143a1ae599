-- wrk script for bench/run.py: each thread sends the requests listed in a file, round robin, and the run ends
-- with one JSON line of figures. A line of the file is: METHOD <tab> PATH <tab> COOKIE <tab> TARGET <tab> BODY
-- (COOKIE, TARGET (the element id an htmx request targets; empty for a whole page) and BODY may be empty). Every
-- request also carries a random X-Forwarded-For, so that the per-address sign-in limit sees many families, as
-- behind nginx in production.

local requests = {}
local next_index = 1

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  for line in io.lines(args[1]) do
    local f = split(line)
    local headers = {}
    if f[3] ~= "" then headers["Cookie"] = f[3] end
    if f[4] ~= "" then
      headers["HX-Request"] = "true"
      headers["HX-Target"] = f[4]
    end
    if f[5] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    table.insert(requests, {method = f[1], path = f[2], headers = headers, body = f[5] ~= "" and f[5] or nil})
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  next_index = math.random(#requests)
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  r.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format(r.method, r.path, r.headers, r.body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "bytes": %d, ' ..
    '"non_2xx_3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.bytes, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
