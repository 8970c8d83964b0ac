#pragma once
// A circuit breaker for one process's database connections. When the server
// stops answering within the timeouts (hung, frozen, partitioned), every
// request would otherwise wait out its own timeout and the threads pile up
// behind a dead server. After `failures_to_open` timed-out waits in a row the
// circuit opens: callers are refused at once (503) and one caller at a time
// re-probes the server every `retry_interval`. A success closes it again.
// Failures that come back at once (connection refused while the server is
// down) do not open it: they cost no waiting, and the first request after
// the server is back should simply succeed.
//
// Logs once per outage (first failure, opening, recovery), not per request.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace mfo {

class DbCircuitBreaker {
  public:
    using Clock = std::chrono::steady_clock;
    using Logger = std::function<void(const std::string&)>;

    enum class Admission { go, probe, refuse };

    DbCircuitBreaker(int failures_to_open, std::chrono::milliseconds retry_interval, Logger log);

    // Before a database call: go ahead (closed), go ahead as the one probe
    // (open and due), or fail fast (open).
    Admission admit(Clock::time_point now = Clock::now());
    // The server answered (even with an SQL error).
    void record_success(Admission admission, Clock::time_point now = Clock::now());
    // The call failed for lack of a server; `timed_out`: after waiting out a
    // timeout rather than being refused at once.
    void record_failure(Admission admission, bool timed_out, const std::string& what,
                        Clock::time_point now = Clock::now());
    // The call ended for a reason that says nothing about the server.
    void record_neutral(Admission admission);

    bool is_open() const;
    std::chrono::milliseconds retry_interval() const { return retry_interval_; }

  private:
    void log(const std::string& line) const;

    const int failures_to_open_;
    const std::chrono::milliseconds retry_interval_;
    const Logger log_;

    mutable std::mutex mutex_;
    bool open_ = false;
    bool probing_ = false;
    int timeouts_in_a_row_ = 0;
    bool failing_ = false;  // an outage is being reported
    Clock::time_point failing_since_{};
    Clock::time_point next_probe_{};
    std::uint64_t refused_ = 0;
};

}  // namespace mfo
