#include "db_circuit_breaker.hpp"

#include <algorithm>

namespace mfo {

namespace {

long long whole_ms(std::chrono::steady_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

DbCircuitBreaker::DbCircuitBreaker(int failures_to_open, std::chrono::milliseconds retry_interval,
                                   Logger log)
    : failures_to_open_(std::max(1, failures_to_open)),
      retry_interval_(retry_interval),
      log_(std::move(log)) {}

void DbCircuitBreaker::log(const std::string& line) const {
    if (log_) log_(line);
}

DbCircuitBreaker::Admission DbCircuitBreaker::admit(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (!open_) return Admission::go;
    if (!probing_ && now >= next_probe_) {
        probing_ = true;
        return Admission::probe;
    }
    ++refused_;
    return Admission::refuse;
}

void DbCircuitBreaker::record_success(Admission admission, Clock::time_point now) {
    if (admission == Admission::refuse) return;
    std::string line;
    {
        std::lock_guard lock(mutex_);
        if (admission == Admission::probe) probing_ = false;
        timeouts_in_a_row_ = 0;
        if (failing_) {
            line = "database answering again after " +
                   std::to_string(whole_ms(now - failing_since_)) + " ms (" +
                   std::to_string(refused_) +
                   " requests refused at once while the circuit was open)";
        }
        open_ = false;
        failing_ = false;
        refused_ = 0;
    }
    if (!line.empty()) log(line);
}

void DbCircuitBreaker::record_failure(Admission admission, bool timed_out, const std::string& what,
                                      Clock::time_point now) {
    if (admission == Admission::refuse) return;
    std::string first, opened;
    {
        std::lock_guard lock(mutex_);
        if (admission == Admission::probe) probing_ = false;
        if (!failing_) {
            failing_ = true;
            failing_since_ = now;
            first = "database unavailable: " + what;
        }
        if (timed_out) {
            ++timeouts_in_a_row_;
        } else {
            timeouts_in_a_row_ = 0;
        }
        if (open_) {
            next_probe_ = now + retry_interval_;
        } else if (timeouts_in_a_row_ >= failures_to_open_) {
            open_ = true;
            next_probe_ = now + retry_interval_;
            opened =
                "database circuit open after " + std::to_string(timeouts_in_a_row_) +
                " timed-out waits in a row: answering 503 at once, one request re-probing every " +
                std::to_string(retry_interval_.count()) + " ms";
        }
    }
    if (!first.empty()) log(first);
    if (!opened.empty()) log(opened);
}

void DbCircuitBreaker::record_neutral(Admission admission) {
    if (admission != Admission::probe) return;
    std::lock_guard lock(mutex_);
    probing_ = false;
}

bool DbCircuitBreaker::is_open() const {
    std::lock_guard lock(mutex_);
    return open_;
}

}  // namespace mfo
