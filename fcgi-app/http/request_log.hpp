#pragma once
// One structured line per request on stderr, written with a single write(2)
// so lines from threads and processes never interleave. Never a password,
// a cookie value or a token: only the fields below are logged.

#include <cstdint>
#include <string>

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
void log_error(const std::string& request_id, const std::string& message);
void log_event(const std::string& message);    // supervisor and worker lifecycle
void log_warning(const std::string& message);  // something an operator must fix

// "<pid hex>-<counter hex>": unique per request across the pool's processes.
std::string next_request_id();

}  // namespace mfo
