#include "ops/status_report.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace mfo {

namespace {

const char* const kStatusClassNames[kStatusClasses] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

std::int64_t counter(const StatusSnapshot& s, OpsCounter c) {
    return s.counters[static_cast<unsigned>(c)];
}

}  // namespace

StatusSnapshot take_status_snapshot(const PoolStats& stats, std::int64_t now_unix,
                                    std::int64_t now_steady_ns) {
    StatusSnapshot s;
    s.now_unix = now_unix;
    s.started_unix = stats.started_unix.load();
    s.supervisor_pid = stats.supervisor_pid.load();
    s.workers_configured = stats.workers_configured.load();
    s.threads_configured = stats.threads_configured.load();
    s.listen_queue = stats.listen_queue.load();
    s.listen_backlog = stats.listen_backlog.load();
    s.crash_looping_slots = stats.crash_looping_slots.load();
    for (unsigned i = 0; i < kRestartCauseCount; ++i) s.restarts[i] = stats.restarts[i].load();
    s.requests = stats.gone_requests.load();
    for (int i = 0; i < kStatusClasses; ++i) s.by_status[i] = stats.gone_by_status[i].load();
    s.slow_requests = stats.gone_slow_requests.load();
    s.timed_out_requests = stats.gone_timed_out_requests.load();
    for (unsigned i = 0; i < kOpsCounterCount; ++i) s.counters[i] = stats.gone_counters[i].load();
    for (const WorkerEntry& e : stats.entries) {
        const auto state = static_cast<WorkerStage>(e.state.load(std::memory_order_acquire));
        if (state == WorkerStage::free) continue;
        WorkerSnapshot w;
        w.pid = e.pid.load();
        w.slot = e.slot.load();
        w.state = worker_stage_name(state);
        w.started_unix = e.started_unix.load();
        w.requests = e.requests.load();
        w.request_limit = e.request_limit.load();
        w.busy_threads = e.busy_threads.load();
        w.idle_threads = std::max(0, e.threads.load() - w.busy_threads);
        w.rss_kb = e.rss_kb.load();
        w.cache_serving = e.cache_serving.load();
        w.cache_entries = e.cache_entries.load();
        w.cache_bytes = e.cache_bytes.load();
        w.cache_hits = e.cache_hits.load();
        w.cache_misses = e.cache_misses.load();
        w.feed_events = e.feed_events.load();
        if (const std::int64_t read = e.feed_read_ns.load(); read > 0 && now_steady_ns >= read) {
            w.feed_read_age_ms = (now_steady_ns - read) / 1000000;
        }
        s.requests += w.requests;
        for (int i = 0; i < kStatusClasses; ++i) s.by_status[i] += e.by_status[i].load();
        s.slow_requests += e.slow_requests.load();
        s.timed_out_requests += e.timed_out_requests.load();
        for (unsigned i = 0; i < kOpsCounterCount; ++i) s.counters[i] += e.counters[i].load();
        s.workers.push_back(std::move(w));
    }
    return s;
}

std::string status_json(const StatusSnapshot& s) {
    using nlohmann::json;
    json restarts = json::object();
    for (unsigned i = 0; i < kRestartCauseCount; ++i) {
        restarts[restart_cause_name(static_cast<RestartCause>(i))] = s.restarts[i];
    }
    json by_status = json::object();
    for (int i = 0; i < kStatusClasses; ++i) by_status[kStatusClassNames[i]] = s.by_status[i];
    int busy = 0, idle = 0;
    json workers = json::array();
    for (const auto& w : s.workers) {
        busy += w.busy_threads;
        idle += w.idle_threads;
        json cache = nullptr;  // off
        if (w.cache_serving >= 0) {
            cache = {{"serving", w.cache_serving == 1},
                     {"entries", w.cache_entries},
                     {"bytes", w.cache_bytes},
                     {"hits", w.cache_hits},
                     {"misses", w.cache_misses},
                     {"feed_events", w.feed_events},
                     {"feed_read_age_ms", w.feed_read_age_ms}};
        }
        workers.push_back({{"pid", w.pid},
                           {"slot", w.slot},
                           {"state", w.state},
                           {"started", w.started_unix},
                           {"requests", w.requests},
                           {"request_limit", w.request_limit},
                           {"busy_threads", w.busy_threads},
                           {"idle_threads", w.idle_threads},
                           {"rss_bytes", w.rss_kb * 1024},
                           {"session_cache", cache}});
    }
    const json out = {{"pool",
                       {{"started", s.started_unix},
                        {"uptime_seconds", s.now_unix - s.started_unix},
                        {"supervisor_pid", s.supervisor_pid},
                        {"workers_configured", s.workers_configured},
                        {"threads_per_worker", s.threads_configured},
                        {"busy_threads", busy},
                        {"idle_threads", idle},
                        {"listen_queue", s.listen_queue},
                        {"listen_queue_max", s.listen_backlog},
                        {"crash_looping_slots", s.crash_looping_slots},
                        {"restarts", restarts}}},
                      {"requests",
                       {{"total", s.requests},
                        {"by_status", by_status},
                        {"slow", s.slow_requests},
                        {"over_timeout", s.timed_out_requests}}},
                      {"database",
                       {{"errors", counter(s, OpsCounter::db_errors)},
                        {"reconnects", counter(s, OpsCounter::db_reconnects)}}},
                      {"login",
                       {{"attempts", counter(s, OpsCounter::login_attempts)},
                        {"sheds", counter(s, OpsCounter::login_sheds)}}},
                      {"argon2",
                       {{"waiting", counter(s, OpsCounter::argon2_waiting)},
                        {"running", counter(s, OpsCounter::argon2_running)}}},
                      {"workers", workers}};
    return out.dump(2) + "\n";
}

std::string status_prometheus(const StatusSnapshot& s) {
    std::ostringstream o;
    auto family = [&](const char* name, const char* type, const char* help) {
        o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    };
    family("mfo_start_time_seconds", "gauge", "Unix time the supervisor started.");
    o << "mfo_start_time_seconds " << s.started_unix << '\n';
    family("mfo_uptime_seconds", "gauge", "Seconds since the supervisor started.");
    o << "mfo_uptime_seconds " << (s.now_unix - s.started_unix) << '\n';
    family("mfo_workers_configured", "gauge", "Worker processes the pool keeps.");
    o << "mfo_workers_configured " << s.workers_configured << '\n';
    family("mfo_listen_queue", "gauge", "Connections waiting in the listen queue (-1: unknown).");
    o << "mfo_listen_queue " << s.listen_queue << '\n';
    family("mfo_listen_queue_max", "gauge", "Size of the listen queue (-1: unknown).");
    o << "mfo_listen_queue_max " << s.listen_backlog << '\n';
    family("mfo_crash_looping_slots", "gauge", "Worker slots respawning with back-off.");
    o << "mfo_crash_looping_slots " << s.crash_looping_slots << '\n';
    family("mfo_worker_restarts_total", "counter", "Workers replaced, by cause.");
    for (unsigned i = 0; i < kRestartCauseCount; ++i) {
        o << "mfo_worker_restarts_total{cause=\""
          << restart_cause_name(static_cast<RestartCause>(i)) << "\"} " << s.restarts[i] << '\n';
    }
    family("mfo_requests_total", "counter", "Requests answered, by status class.");
    for (int i = 0; i < kStatusClasses; ++i) {
        o << "mfo_requests_total{status=\"" << kStatusClassNames[i] << "\"} " << s.by_status[i]
          << '\n';
    }
    family("mfo_slow_requests_total", "counter", "Requests slower than slow_request_ms.");
    o << "mfo_slow_requests_total " << s.slow_requests << '\n';
    family("mfo_requests_over_timeout_total", "counter", "Requests that ran past request_timeout.");
    o << "mfo_requests_over_timeout_total " << s.timed_out_requests << '\n';
    family("mfo_db_errors_total", "counter", "Failed database calls.");
    o << "mfo_db_errors_total " << counter(s, OpsCounter::db_errors) << '\n';
    family("mfo_db_reconnects_total", "counter", "Database connections made again.");
    o << "mfo_db_reconnects_total " << counter(s, OpsCounter::db_reconnects) << '\n';
    family("mfo_login_attempts_total", "counter", "POST /login requests.");
    o << "mfo_login_attempts_total " << counter(s, OpsCounter::login_attempts) << '\n';
    family("mfo_login_sheds_total", "counter", "Logins refused because of load.");
    o << "mfo_login_sheds_total " << counter(s, OpsCounter::login_sheds) << '\n';
    family("mfo_argon2_waiting", "gauge", "Password hashes waiting for a slot.");
    o << "mfo_argon2_waiting " << counter(s, OpsCounter::argon2_waiting) << '\n';
    family("mfo_argon2_running", "gauge", "Password hashes being computed.");
    o << "mfo_argon2_running " << counter(s, OpsCounter::argon2_running) << '\n';
    family("mfo_worker_requests_total", "counter", "Requests served by a live worker.");
    for (const auto& w : s.workers) {
        o << "mfo_worker_requests_total{pid=\"" << w.pid << "\",slot=\"" << w.slot << "\"} "
          << w.requests << '\n';
    }
    family("mfo_worker_busy_threads", "gauge", "Threads of a worker serving a request.");
    for (const auto& w : s.workers) {
        o << "mfo_worker_busy_threads{pid=\"" << w.pid << "\",slot=\"" << w.slot << "\"} "
          << w.busy_threads << '\n';
    }
    family("mfo_worker_idle_threads", "gauge", "Threads of a worker waiting for a request.");
    for (const auto& w : s.workers) {
        o << "mfo_worker_idle_threads{pid=\"" << w.pid << "\",slot=\"" << w.slot << "\"} "
          << w.idle_threads << '\n';
    }
    family("mfo_worker_resident_memory_bytes", "gauge", "Resident memory of a worker.");
    for (const auto& w : s.workers) {
        o << "mfo_worker_resident_memory_bytes{pid=\"" << w.pid << "\",slot=\"" << w.slot << "\"} "
          << w.rss_kb * 1024 << '\n';
    }
    // The session cache, for workers that have it on.
    auto per_cache = [&](const char* name, const char* type, const char* help, auto value) {
        family(name, type, help);
        for (const auto& w : s.workers) {
            if (w.cache_serving < 0) continue;
            o << name << "{pid=\"" << w.pid << "\",slot=\"" << w.slot << "\"} " << value(w)
              << '\n';
        }
    };
    per_cache("mfo_session_cache_serving", "gauge",
              "1 while the worker's session cache serves (its revocation feed is read).",
              [](const WorkerSnapshot& w) { return w.cache_serving; });
    per_cache("mfo_session_cache_entries", "gauge", "Sessions in the worker's cache.",
              [](const WorkerSnapshot& w) { return w.cache_entries; });
    per_cache("mfo_session_cache_hits_total", "counter", "Sessions resolved from the cache.",
              [](const WorkerSnapshot& w) { return w.cache_hits; });
    per_cache("mfo_session_cache_misses_total", "counter", "Sessions resolved from the database.",
              [](const WorkerSnapshot& w) { return w.cache_misses; });
    per_cache("mfo_session_cache_feed_age_seconds", "gauge",
              "Seconds since the worker's last good read of the revocation feed.",
              [](const WorkerSnapshot& w) {
                  return w.feed_read_age_ms < 0 ? -1.0
                                                : static_cast<double>(w.feed_read_age_ms) / 1000;
              });
    return o.str();
}

}  // namespace mfo
