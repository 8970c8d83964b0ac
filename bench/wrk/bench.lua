-- wrk script for scripts/bench: an optional form POST, and a one-line JSON
-- summary ("WRKJSON {...}") that scripts/bench reads instead of wrk's text.
--
-- Environment: MFO_BENCH_METHOD (default GET), MFO_BENCH_BODY (a form body,
-- sent as application/x-www-form-urlencoded). Other headers (Cookie) come
-- from wrk -H.

local method = os.getenv("MFO_BENCH_METHOD")
if method and method ~= "" then
    wrk.method = method
end
local body = os.getenv("MFO_BENCH_BODY")
if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
        '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
        '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p75": %d, ' ..
        '"p90": %d, "p99": %d, "p999": %d}}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.mean, latency.stdev, latency.max,
        latency:percentile(50), latency:percentile(75), latency:percentile(90),
        latency:percentile(99), latency:percentile(99.9)))
end
