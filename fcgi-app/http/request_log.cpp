#include "http/request_log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string_view>

namespace mfo {

namespace {

constexpr std::size_t kMaxQuotedInput = 512;  // longer values are cut

// getpid() is a system call and the request id needs the pid on every
// request. The pid only changes across fork() (workers are forked from the
// supervisor): the child handler forgets it there. It is registered before
// the first pid is remembered, so a remembered pid is always current.
std::atomic<pid_t> remembered_pid{0};

void forget_pid() {
    remembered_pid.store(0, std::memory_order_relaxed);
}

pid_t process_id() {
    static const bool registered = ::pthread_atfork(nullptr, nullptr, forget_pid) == 0;
    pid_t pid = remembered_pid.load(std::memory_order_relaxed);
    if (pid == 0) {
        pid = ::getpid();
        if (registered) remembered_pid.store(pid, std::memory_order_relaxed);
    }
    return pid;
}

// Text built in place in a fixed buffer: no allocation. What does not fit is
// cut (a log line fits: see kLineBytes).
template <std::size_t Capacity>
class FixedText {
  public:
    FixedText& text(std::string_view s) {
        const std::size_t n = std::min(s.size(), room());
        if (n > 0) std::memcpy(buf_.data() + size_, s.data(), n);
        size_ += n;
        return *this;
    }

    template <typename Int>
    FixedText& number(Int value, int min_digits = 1) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        const auto n = static_cast<int>(end - digits);
        for (int i = n; i < min_digits; ++i) text("0");
        return text(std::string_view(digits, static_cast<std::size_t>(n)));
    }

    // A value in quotes, escaped: control characters never reach the log.
    FixedText& quoted(std::string_view v) {
        static constexpr char kHex[] = "0123456789abcdef";
        text("\"");
        for (unsigned char c : v.substr(0, kMaxQuotedInput)) {
            if (c == '"' || c == '\\') {
                const char esc[] = {'\\', static_cast<char>(c)};
                text(std::string_view(esc, 2));
            } else if (c < 0x20 || c == 0x7f) {
                const char esc[] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
                text(std::string_view(esc, 4));
            } else if (room() > 0) {
                buf_[size_++] = static_cast<char>(c);
            }
        }
        return text("\"");
    }

    // "ts=2024-01-31T12:34:56.123456Z"
    FixedText& timestamp() {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
        const auto secs = static_cast<std::time_t>(us / 1'000'000);
        // The date and time change once a second, and gmtime_r takes glibc's
        // time zone lock: each thread keeps the last second it formatted.
        thread_local std::time_t cached_secs = -1;
        thread_local FixedText<32> cached;
        if (secs != cached_secs) {
            std::tm tm{};
            gmtime_r(&secs, &tm);
            cached.clear();
            cached.number(tm.tm_year + 1900, 4).text("-").number(tm.tm_mon + 1, 2).text("-");
            cached.number(tm.tm_mday, 2).text("T").number(tm.tm_hour, 2).text(":");
            cached.number(tm.tm_min, 2).text(":").number(tm.tm_sec, 2);
            cached_secs = secs;
        }
        text("ts=").text(cached.view()).text(".");
        return number(us % 1'000'000, 6).text("Z");
    }

    std::string_view view() const { return std::string_view(buf_.data(), size_); }
    void clear() { size_ = 0; }

    // Ends the line and writes it with a single write(2), so lines from
    // threads and processes never interleave.
    void write_line_to_stderr() {
        buf_[size_++] = '\n';  // room() always keeps a byte for it
        const char* p = buf_.data();
        std::size_t left = size_;
        while (left > 0) {
            const ssize_t n = ::write(STDERR_FILENO, p, left);
            if (n <= 0) return;  // nowhere to log to: never fail a request for it
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    }

  private:
    std::size_t room() const { return buf_.size() - 1 - size_; }

    std::array<char, Capacity> buf_;
    std::size_t size_ = 0;
};

// Two quoted values at their longest (4 bytes per input byte) and the rest.
constexpr std::size_t kLineBytes = 8192;
static_assert(kLineBytes > 2 * (4 * kMaxQuotedInput + 2) + 512);
using LogLine = FixedText<kLineBytes>;

}  // namespace

void log_request(const RequestLogEntry& e) {
    LogLine line;
    line.timestamp().text(" level=info event=request rid=").text(e.request_id);
    line.text(" method=").quoted(e.method).text(" path=").quoted(e.path);
    line.text(" status=").number(e.status).text(" dur_us=").number(e.duration_us).text(" uid=");
    if (e.user_id) {
        line.number(e.user_id);
    } else {
        line.text("-");
    }
    line.write_line_to_stderr();
}

void log_slow_request(const RequestLogEntry& e, const RequestTimings& t) {
    LogLine line;
    line.timestamp().text(" level=warn event=slow_request rid=").text(e.request_id);
    line.text(" method=").quoted(e.method).text(" path=").quoted(e.path);
    line.text(" status=").number(e.status).text(" dur_us=").number(e.duration_us);
    line.text(" session_us=").number(t.session_us).text(" handler_us=").number(t.handler_us);
    line.text(" render_us=").number(t.render_us).text(" db_us=").number(t.db_us);
    line.text(" db_calls=").number(t.db_calls).text(" uid=");
    if (e.user_id) {
        line.number(e.user_id);
    } else {
        line.text("-");
    }
    line.write_line_to_stderr();
}

void log_request_timeout(long pid, const std::string& request_id, const std::string& method,
                         const std::string& path, long long running_ms) {
    LogLine line;
    line.timestamp().text(" level=error event=request_timeout pid=").number(pid);
    line.text(" rid=").text(request_id).text(" method=").quoted(method);
    line.text(" path=").quoted(path).text(" running_ms=").number(running_ms);
    line.write_line_to_stderr();
}

bool reopen_log_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return false;
    // dup2 swaps fd 2 atomically: a line being written goes to one file or
    // the other, whole.
    const bool ok = ::dup2(fd, STDERR_FILENO) >= 0;
    ::close(fd);
    return ok;
}

void log_error(const std::string& request_id, const std::string& message) {
    LogLine line;
    line.timestamp().text(" level=error rid=").text(request_id).text(" msg=").quoted(message);
    line.write_line_to_stderr();
}

void log_event(const std::string& message) {
    LogLine line;
    line.timestamp().text(" level=info pid=").number(process_id()).text(" msg=").quoted(message);
    line.write_line_to_stderr();
}

void log_warning(const std::string& message) {
    LogLine line;
    line.timestamp().text(" level=warn pid=").number(process_id()).text(" msg=").quoted(message);
    line.write_line_to_stderr();
}

std::string next_request_id() {
    static std::atomic<std::uint64_t> counter{0};
    char buf[48];
    char* end = std::to_chars(buf, buf + sizeof buf, static_cast<unsigned>(process_id()), 16).ptr;
    *end++ = '-';
    end = std::to_chars(end, buf + sizeof buf, ++counter, 16).ptr;
    return std::string(buf, end);
}

}  // namespace mfo
