#include "request_log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace mfo {

namespace {

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(us % 1'000'000));
    return buf;
}

// Log values are quoted when needed; control characters never reach the log.
std::string quoted(const std::string& v) {
    std::string out = "\"";
    for (unsigned char c : v.substr(0, 512)) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\x%02x", c);
            out += esc;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

void write_line(std::string line) {
    line += '\n';
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) return;  // nowhere to log to: never fail a request for it
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace

void log_request(const RequestLogEntry& e) {
    write_line("ts=" + utc_now() + " level=info event=request rid=" + e.request_id +
               " method=" + quoted(e.method) + " path=" + quoted(e.path) +
               " status=" + std::to_string(e.status) + " dur_us=" + std::to_string(e.duration_us) +
               " uid=" + (e.user_id ? std::to_string(e.user_id) : std::string("-")));
}

void log_error(const std::string& request_id, const std::string& message) {
    write_line("ts=" + utc_now() + " level=error rid=" + request_id + " msg=" + quoted(message));
}

void log_event(const std::string& message) {
    write_line("ts=" + utc_now() + " level=info pid=" + std::to_string(::getpid()) +
               " msg=" + quoted(message));
}

std::string next_request_id() {
    static std::atomic<std::uint64_t> counter{0};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%x-%llx", static_cast<unsigned>(::getpid()),
                  static_cast<unsigned long long>(++counter));
    return buf;
}

}  // namespace mfo
