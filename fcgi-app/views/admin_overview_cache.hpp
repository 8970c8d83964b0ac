#pragma once
// The admin overview's figures and latest events, computed at most once per
// interval per worker process and shared by its threads. Each computation
// reads a bounded number of rows (admin_console_store.hpp); the cache keeps a
// dashboard left open by many admins from costing the database anything
// beyond the session lookup, at the price of figures up to `max_age` old
// (the page says as of when).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "views/admin_console_store.hpp"

namespace mfo {

struct OverviewSnapshot {
    ConsoleOverview overview;
    std::vector<AuditEvent> events;
    std::string as_of;  // "YYYY-MM-DD HH:MM:SS" UTC
    std::chrono::steady_clock::time_point taken{};
};

class OverviewCache {
  public:
    using Compute = std::function<OverviewSnapshot()>;
    explicit OverviewCache(std::chrono::milliseconds max_age) : max_age_(max_age) {}

    // The snapshot, recomputed by `compute` when older than max_age. One
    // thread computes while the others wait for it (a bounded read); when
    // it throws, the old snapshot stays and the error goes to the caller.
    std::shared_ptr<const OverviewSnapshot> get(const Compute& compute);

  private:
    std::chrono::milliseconds max_age_;
    std::mutex mutex_;
    std::shared_ptr<const OverviewSnapshot> snapshot_;
};

}  // namespace mfo
