-- wrk script for scripts/bench: an optional form POST, and a one-line JSON
-- summary ("WRKJSON {...}") that scripts/bench reads instead of wrk's text.
--
-- Environment: MFO_BENCH_METHOD (default GET), MFO_BENCH_BODY (a form body,
-- sent as application/x-www-form-urlencoded), MFO_BENCH_SESSIONS_FILE (one
-- session token per line: each request carries the next one, each thread
-- starting at its own offset). Other headers (Cookie) come from wrk -H.

local method = os.getenv("MFO_BENCH_METHOD")
if method and method ~= "" then
    wrk.method = method
end
local body = os.getenv("MFO_BENCH_BODY")
if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local sessions_file = os.getenv("MFO_BENCH_SESSIONS_FILE")
if sessions_file and sessions_file ~= "" then
    local threads = 0
    setup = function(thread)
        thread:set("thread_index", threads)
        threads = threads + 1
    end

    local requests_by_token = {}
    local next_index = 1
    init = function(args)
        -- Built once per thread: request() only picks the next one.
        for token in io.lines(sessions_file) do
            if token ~= "" then
                local headers = {}
                for k, v in pairs(wrk.headers) do headers[k] = v end
                headers["Cookie"] = "mfo_session=" .. token
                requests_by_token[#requests_by_token + 1] = wrk.format(nil, nil, headers)
            end
        end
        local n = #requests_by_token
        next_index = ((thread_index or 0) * 7919) % n + 1
    end

    request = function()
        local r = requests_by_token[next_index]
        next_index = next_index % #requests_by_token + 1
        return r
    end
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
