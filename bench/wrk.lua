-- wrk script for bench/run.py: each thread sends the requests listed in a file, round robin, and the run ends
-- with one JSON line of figures. A line of the file is: METHOD <tab> PATH <tab> COOKIE <tab> TARGET <tab> BODY
-- <tab> FRESH (COOKIE, TARGET (the element id an htmx request targets; empty for a whole page), BODY and FRESH may
-- be empty). Every request also carries a random X-Forwarded-For, so that the per-address sign-in limit sees many
-- families, as behind nginx in production. With FRESH ("fresh"), each request's path gets a query parameter never
-- sent before (fresh=<n>), so that no worker can have kept the page (portal/page_cache.py).

local requests = {}
local next_index = 1
local fresh_prefix = 0

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
    table.insert(requests, {method = f[1], path = f[2], headers = headers, body = f[5] ~= "" and f[5] or nil,
                            fresh = f[6] == "fresh"})
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  next_index = math.random(#requests)
  fresh_prefix = math.random(1, 1000000000)
end

local sent = 0

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  r.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local path = r.path
  if r.fresh then
    sent = sent + 1
    path = string.format("%s%sfresh=%d-%d", path, path:find("?", 1, true) and "&" or "?", fresh_prefix, sent)
  end
  return wrk.format(r.method, path, r.headers, r.body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "bytes": %d, ' ..
    '"non_2xx_3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.bytes, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
