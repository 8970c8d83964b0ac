#include "ops/pool_stats.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace mfo {

namespace {

PoolStats* mapped = nullptr;
WorkerEntry* own_entry = nullptr;

void copy_field(char* dest, std::size_t size, const char* src) {
    std::size_t n = 0;
    if (src) {
        for (; n + 1 < size && src[n] != '\0'; ++n) dest[n] = src[n];
    }
    dest[n] = '\0';
}

}  // namespace

const char* restart_cause_name(RestartCause cause) {
    switch (cause) {
        case RestartCause::crash:
            return "crash";
        case RestartCause::max_requests:
            return "max_requests";
        case RestartCause::max_rss:
            return "max_rss";
        case RestartCause::request_timeout:
            return "request_timeout";
        case RestartCause::reload:
            return "reload";
        case RestartCause::count_:
            break;
    }
    return "unknown";
}

const char* worker_stage_name(WorkerStage state) {
    switch (state) {
        case WorkerStage::free:
            return "free";
        case WorkerStage::starting:
            return "starting";
        case WorkerStage::running:
            return "running";
        case WorkerStage::retiring:
            return "retiring";
        case WorkerStage::draining:
            return "draining";
    }
    return "unknown";
}

PoolStats* pool_stats() {
    return mapped;
}

PoolStats& create_pool_stats() {
    if (mapped) return *mapped;
    // Shared with the workers across fork. The zero pages are a valid,
    // all-zero PoolStats (atomics of integers); untouched thread slots cost
    // no memory (MAP_NORESERVE, faulted on first use).
    void* p = ::mmap(nullptr, sizeof(PoolStats), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("cannot map the pool statistics");
    mapped = static_cast<PoolStats*>(p);
    mapped->started_unix.store(static_cast<std::int64_t>(std::time(nullptr)));
    mapped->supervisor_pid.store(::getpid());
    return *mapped;
}

void set_own_worker_entry(WorkerEntry* entry) {
    own_entry = entry;
    ops_attach(entry ? entry->counters : nullptr);
}

WorkerEntry* own_worker_entry() {
    return own_entry;
}

void retire_worker_entry(PoolStats& stats, WorkerEntry& entry) {
    stats.gone_requests += entry.requests.exchange(0);
    for (int i = 0; i < kStatusClasses; ++i)
        stats.gone_by_status[i] += entry.by_status[i].exchange(0);
    stats.gone_slow_requests += entry.slow_requests.exchange(0);
    stats.gone_timed_out_requests += entry.timed_out_requests.exchange(0);
    for (unsigned i = 0; i < kOpsCounterCount; ++i) {
        const auto kind = static_cast<OpsCounter>(i);
        const std::int64_t v = entry.counters[i].exchange(0);
        // Gauges of a dead process are gone with it.
        if (kind != OpsCounter::argon2_waiting && kind != OpsCounter::argon2_running) {
            stats.gone_counters[i] += v;
        }
    }
    const int threads = std::min(entry.threads.load(), WorkerEntry::kMaxThreads);
    for (int i = 0; i < threads; ++i) entry.inflight[i].started_ns.store(0);
    entry.busy_threads = 0;
    entry.threads = 0;
    entry.rss_kb = 0;
    entry.request_limit = 0;
    entry.retire_cause = -1;
    entry.pid = 0;
    entry.state.store(static_cast<int>(WorkerStage::free), std::memory_order_release);
}

void begin_inflight(WorkerEntry& entry, int thread_index, const std::string& request_id,
                    const char* method, const char* path) {
    if (thread_index < 0 || thread_index >= WorkerEntry::kMaxThreads) return;
    InflightRequest& r = entry.inflight[thread_index];
    copy_field(r.request_id, sizeof r.request_id, request_id.c_str());
    copy_field(r.method, sizeof r.method, method);
    copy_field(r.path, sizeof r.path, path);
    r.started_ns.store(steady_now_ns(), std::memory_order_release);
}

void end_inflight(WorkerEntry& entry, int thread_index) {
    if (thread_index < 0 || thread_index >= WorkerEntry::kMaxThreads) return;
    entry.inflight[thread_index].started_ns.store(0, std::memory_order_release);
}

std::int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace mfo
