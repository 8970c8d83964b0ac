#pragma once
// One structured line per request on stderr, written with a single write(2)
// so lines from threads and processes never interleave. Never a password,
// a cookie value or a token: only the fields below are logged.

#include <cstdint>
#include <string>

#include "request_timing.hpp"

namespace mfo {

struct RequestLogEntry {
    std::string request_id;
    std::string method;
    std::string path;
    int status = 0;
    long long duration_us = 0;
    std::uint64_t user_id = 0;  // 0: anonymous
};

void log_request(const RequestLogEntry& entry);
// level=warn event=slow_request: the request line's fields and where its time
// went (see RequestTimings).
void log_slow_request(const RequestLogEntry& entry, const RequestTimings& timings);
// level=error event=request_timeout, written by the supervisor about a
// worker's request still running past request_timeout.
void log_request_timeout(long pid, const std::string& request_id, const std::string& method,
                         const std::string& path, long long running_ms);
void log_error(const std::string& request_id, const std::string& message);
void log_event(const std::string& message);    // supervisor and worker lifecycle
void log_warning(const std::string& message);  // something an operator must fix

// Points stderr (every log line) at `path`, opened for appending: at start
// with log_file set, and on SIGUSR1 after logrotate moved the file. False
// (stderr unchanged) when it cannot be opened.
bool reopen_log_file(const std::string& path);

// "<pid hex>-<counter hex>": unique per request across the pool's processes.
std::string next_request_id();

}  // namespace mfo
