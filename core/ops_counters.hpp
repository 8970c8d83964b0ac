#pragma once
// Operational counters that core code (database, passwords) and the worker
// bump, and /status reports. A worker attaches its slot of the pool's shared
// statistics; in the tools nothing is attached and a bump costs one load.

#include <atomic>
#include <cstdint>

namespace mfo {

enum class OpsCounter : unsigned {
    db_errors,       // statements or connects that failed (any cause)
    db_reconnects,   // connections made again after one was lost
    login_attempts,  // POST /login requests
    login_sheds,     // logins refused before any work because of load
    argon2_waiting,  // gauge: threads waiting for an argon2 slot
    argon2_running,  // gauge: argon2 computations running
    count_
};
inline constexpr unsigned kOpsCounterCount = static_cast<unsigned>(OpsCounter::count_);

// `slots` has kOpsCounterCount elements and outlives every bump (shared memory
// of the pool); nullptr detaches.
void ops_attach(std::atomic<std::int64_t>* slots);
void ops_count(OpsCounter counter, std::int64_t delta = 1);

// Adds 1 to a gauge for the scope's lifetime.
class OpsGaugeScope {
  public:
    explicit OpsGaugeScope(OpsCounter gauge) : gauge_(gauge) { ops_count(gauge_, 1); }
    ~OpsGaugeScope() { ops_count(gauge_, -1); }
    OpsGaugeScope(const OpsGaugeScope&) = delete;
    OpsGaugeScope& operator=(const OpsGaugeScope&) = delete;

  private:
    OpsCounter gauge_;
};

}  // namespace mfo
