#pragma once
// The pool's figures for /status, in one shared anonymous mapping made by the
// supervisor before it forks: each worker process writes its own entry (and
// its threads their in-flight request), the supervisor writes the pool's
// figures and reads the entries to enforce request_timeout and max_rss_mb.
// No database, no pipe round trip: /status reads the mapping directly.

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ops_counters.hpp"

namespace mfo {

enum class RestartCause : unsigned {
    crash,            // died on its own (signal or non-zero exit)
    max_requests,     // served its share of requests
    max_rss,          // grew past max_rss_mb
    request_timeout,  // a request ran past request_timeout
    reload,           // SIGHUP
    count_
};
inline constexpr unsigned kRestartCauseCount = static_cast<unsigned>(RestartCause::count_);
const char* restart_cause_name(RestartCause cause);

enum class WorkerStage : int { free = 0, starting, running, retiring, draining };
const char* worker_stage_name(WorkerStage stage);

// One thread's request in flight. `started_ns` (steady clock) is 0 while
// idle; it is stored last (release) after the other fields, so a reader that
// sees the same non-zero value before and after copying them has a
// consistent copy.
struct InflightRequest {
    std::atomic<std::int64_t> started_ns{0};
    char request_id[24] = {};
    char method[12] = {};
    char path[88] = {};
};

inline constexpr int kStatusClasses = 5;  // 1xx..5xx

struct WorkerEntry {
    std::atomic<int> state{0};  // WorkerState
    std::atomic<pid_t> pid{0};
    std::atomic<int> slot{0};
    std::atomic<std::int64_t> started_unix{0};
    std::atomic<int> threads{0};
    std::atomic<int> busy_threads{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> request_limit{0};  // 0: none
    std::atomic<std::uint64_t> by_status[kStatusClasses] = {};
    std::atomic<std::uint64_t> slow_requests{0};
    std::atomic<std::uint64_t> timed_out_requests{0};  // answered after request_timeout
    std::atomic<std::int64_t> counters[kOpsCounterCount] = {};
    std::atomic<std::int64_t> rss_kb{0};      // written by the supervisor
    std::atomic<int> retire_cause{-1};        // set by the worker: RestartCause, -1 none
    // The session cache, written by the feed poller after each read.
    std::atomic<int> cache_serving{-1};  // -1: [security] session_cache off
    std::atomic<std::uint64_t> cache_entries{0};
    std::atomic<std::uint64_t> cache_bytes{0};
    std::atomic<std::uint64_t> cache_hits{0};
    std::atomic<std::uint64_t> cache_misses{0};
    std::atomic<std::uint64_t> feed_events{0};       // revocation events applied
    std::atomic<std::int64_t> feed_read_ns{0};       // steady clock: last good read began
    static constexpr int kMaxThreads = 1024;  // config threads <= 1024
    InflightRequest inflight[kMaxThreads];
};

struct PoolStats {
    std::atomic<std::int64_t> started_unix{0};
    std::atomic<pid_t> supervisor_pid{0};
    std::atomic<int> workers_configured{0};
    std::atomic<int> threads_configured{0};
    std::atomic<std::int64_t> listen_queue{-1};  // -1: unknown
    std::atomic<std::int64_t> listen_backlog{-1};
    std::atomic<int> crash_looping_slots{0};
    std::atomic<std::uint64_t> restarts[kRestartCauseCount] = {};
    // Figures of the workers that are gone, so that totals never go back.
    std::atomic<std::uint64_t> gone_requests{0};
    std::atomic<std::uint64_t> gone_by_status[kStatusClasses] = {};
    std::atomic<std::uint64_t> gone_slow_requests{0};
    std::atomic<std::uint64_t> gone_timed_out_requests{0};
    std::atomic<std::int64_t> gone_counters[kOpsCounterCount] = {};

    // Enough entries for every worker plus those draining after a reload or a
    // replacement.
    static constexpr int kMaxEntries = 2 * 256 + 16;
    WorkerEntry entries[kMaxEntries];
};

// The process's mapping: made once by the supervisor (create_pool_stats),
// inherited by the workers across fork. nullptr before (e.g. in unit tests).
PoolStats* pool_stats();
PoolStats& create_pool_stats();

// Worker side: the entry of this process (set after fork).
void set_own_worker_entry(WorkerEntry* entry);
WorkerEntry* own_worker_entry();

// Folds an entry's figures into the pool's "gone" totals and frees it.
void retire_worker_entry(PoolStats& stats, WorkerEntry& entry);

// Marks the calling thread's request in flight / done in `entry`.
void begin_inflight(WorkerEntry& entry, int thread_index, const std::string& request_id,
                    const char* method, const char* path);
void end_inflight(WorkerEntry& entry, int thread_index);

std::int64_t steady_now_ns();

}  // namespace mfo
