#pragma once
// /status: a snapshot of the pool's shared statistics, as JSON or as
// Prometheus text exposition (version 0.0.4).

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/pool_stats.hpp"

namespace mfo {

struct WorkerSnapshot {
    pid_t pid = 0;
    int slot = 0;
    std::string state;
    std::int64_t started_unix = 0;
    std::uint64_t requests = 0;
    std::uint64_t request_limit = 0;
    int busy_threads = 0;
    int idle_threads = 0;
    std::int64_t rss_kb = 0;
    int cache_serving = -1;  // -1: off
    std::uint64_t cache_entries = 0;
    std::uint64_t cache_bytes = 0;
    std::uint64_t cache_hits = 0;
    std::uint64_t cache_misses = 0;
    std::uint64_t feed_events = 0;
    std::int64_t feed_read_age_ms = -1;  // -1: never read
};

struct StatusSnapshot {
    std::int64_t now_unix = 0;
    std::int64_t started_unix = 0;
    pid_t supervisor_pid = 0;
    int workers_configured = 0;
    int threads_configured = 0;
    std::int64_t listen_queue = -1;
    std::int64_t listen_backlog = -1;
    int crash_looping_slots = 0;
    std::array<std::uint64_t, kRestartCauseCount> restarts{};
    std::uint64_t requests = 0;
    std::array<std::uint64_t, kStatusClasses> by_status{};
    std::uint64_t slow_requests = 0;
    std::uint64_t timed_out_requests = 0;
    std::array<std::int64_t, kOpsCounterCount> counters{};
    std::vector<WorkerSnapshot> workers;
};

// `now_steady_ns`: steady_now_ns(), for the age of each worker's last feed read.
StatusSnapshot take_status_snapshot(const PoolStats& stats, std::int64_t now_unix,
                                    std::int64_t now_steady_ns = 0);
std::string status_json(const StatusSnapshot& s);
std::string status_prometheus(const StatusSnapshot& s);

}  // namespace mfo
