#pragma once
// Where one request's time went, per thread: the slow log prints it. The
// pipeline resets it per request; the database and the renderer add to it.

#include <chrono>
#include <cstdint>

namespace mfo {

struct RequestTimings {
    std::int64_t session_us = 0;  // session lookup (its DB time included)
    std::int64_t handler_us = 0;  // the handler (its render and DB time included)
    std::int64_t render_us = 0;   // templates
    std::int64_t db_us = 0;       // every database call of the request
    int db_calls = 0;
};

// The calling thread's timings.
RequestTimings& request_timings();

// Adds the scope's duration to `slot` (a field of request_timings()).
class PhaseTimer {
  public:
    explicit PhaseTimer(std::int64_t& slot)
        : slot_(slot), started_(std::chrono::steady_clock::now()) {}
    ~PhaseTimer() {
        slot_ += std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - started_)
                     .count();
    }
    PhaseTimer(const PhaseTimer&) = delete;
    PhaseTimer& operator=(const PhaseTimer&) = delete;

  private:
    std::int64_t& slot_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace mfo
