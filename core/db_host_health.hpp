#pragma once
// What the connections of one process know about the database servers of
// `[database] hosts`: which failed lately (connection refused or lost, timed
// out, not a synced member of the Galera Primary component). A connection
// tries the servers in the configured order but puts those that failed in
// the last `down_for` at the end, so that a dead node costs one failed
// connect per process, not one per connection. Logs a change of server once
// per process, not per connection. Thread-safe.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "config.hpp"

namespace mfo {

class DbHostHealth {
  public:
    using Clock = std::chrono::steady_clock;
    using Logger = std::function<void(const std::string&)>;

    explicit DbHostHealth(std::chrono::milliseconds down_for = std::chrono::seconds(10));

    // The process's instance (what Database uses).
    static DbHostHealth& process();

    // Where the change-of-server lines go (default: stderr).
    void set_logger(Logger log);

    // Indices into `endpoints` in the order to try them.
    std::vector<std::size_t> order(const std::vector<DbEndpoint>& endpoints,
                                   Clock::time_point now = Clock::now()) const;
    // `endpoint` failed: tried last for `down_for`.
    void mark_down(const DbEndpoint& endpoint, const std::string& why,
                   Clock::time_point now = Clock::now());
    bool is_down(const DbEndpoint& endpoint, Clock::time_point now = Clock::now()) const;
    // A connection of the list `endpoints` now uses endpoints[index]: logged
    // when that differs from the last one reported for the list.
    void report_choice(const std::vector<DbEndpoint>& endpoints, std::size_t index);

  private:
    const std::chrono::milliseconds down_for_;
    mutable std::mutex mutex_;
    Logger log_;
    std::map<std::string, Clock::time_point> down_until_;  // by endpoint label
    std::map<std::string, std::string> why_;               // by endpoint label
    std::map<std::string, std::string> chosen_;            // by list label
};

}  // namespace mfo
