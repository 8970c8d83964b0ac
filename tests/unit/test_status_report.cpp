// /status formatting from a PoolStats filled by hand (the integration suite
// reads the real one through nginx).

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ops/pool_stats.hpp"
#include "ops/status_report.hpp"

using namespace mfo;

namespace {

struct FreeStats {
    void operator()(PoolStats* p) const { std::free(p); }
};
using StatsPtr = std::unique_ptr<PoolStats, FreeStats>;

// PoolStats has room for every thread of every worker (~70 MB): zero pages
// from calloc, as the pool's own mapping, touched only where written.
StatsPtr sample_stats() {
    StatsPtr stats(static_cast<PoolStats*>(std::calloc(1, sizeof(PoolStats))));
    BOOST_REQUIRE(stats);
    stats->started_unix = 1000;
    stats->supervisor_pid = 42;
    stats->workers_configured = 2;
    stats->threads_configured = 8;
    stats->listen_queue = 3;
    stats->listen_backlog = 1024;
    stats->restarts[static_cast<unsigned>(RestartCause::max_requests)] = 4;
    stats->restarts[static_cast<unsigned>(RestartCause::crash)] = 1;
    stats->gone_requests = 100;
    stats->gone_by_status[1] = 90;  // 2xx
    stats->gone_by_status[4] = 10;  // 5xx
    stats->gone_counters[static_cast<unsigned>(OpsCounter::db_errors)] = 5;
    WorkerEntry& w = stats->entries[3];
    w.state = static_cast<int>(WorkerStage::running);
    w.pid = 4711;
    w.slot = 1;
    w.threads = 8;
    w.busy_threads = 2;
    w.requests = 7;
    w.by_status[2] = 7;  // 3xx
    w.rss_kb = 2048;
    w.counters[static_cast<unsigned>(OpsCounter::db_errors)] = 1;
    w.counters[static_cast<unsigned>(OpsCounter::login_attempts)] = 3;
    w.counters[static_cast<unsigned>(OpsCounter::argon2_running)] = 1;
    return stats;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(status_report)

BOOST_AUTO_TEST_CASE(snapshot_adds_gone_and_live_workers) {
    const auto stats = sample_stats();
    const StatusSnapshot s = take_status_snapshot(*stats, 1060);
    BOOST_TEST(s.requests == 107u);
    BOOST_TEST(s.by_status[1] == 90u);
    BOOST_TEST(s.by_status[2] == 7u);
    BOOST_TEST(s.counters[static_cast<unsigned>(OpsCounter::db_errors)] == 6);
    BOOST_REQUIRE(s.workers.size() == 1u);
    BOOST_TEST(s.workers[0].idle_threads == 6);
}

BOOST_AUTO_TEST_CASE(json_has_every_field) {
    const auto stats = sample_stats();
    const auto j = nlohmann::json::parse(status_json(take_status_snapshot(*stats, 1060)));
    BOOST_TEST(j["pool"]["uptime_seconds"].get<int>() == 60);
    BOOST_TEST(j["pool"]["listen_queue"].get<int>() == 3);
    BOOST_TEST(j["pool"]["busy_threads"].get<int>() == 2);
    BOOST_TEST(j["pool"]["idle_threads"].get<int>() == 6);
    BOOST_TEST(j["pool"]["restarts"]["max_requests"].get<int>() == 4);
    BOOST_TEST(j["pool"]["restarts"]["request_timeout"].get<int>() == 0);
    BOOST_TEST(j["requests"]["total"].get<int>() == 107);
    BOOST_TEST(j["requests"]["by_status"]["5xx"].get<int>() == 10);
    BOOST_TEST(j["database"]["errors"].get<int>() == 6);
    BOOST_TEST(j["login"]["attempts"].get<int>() == 3);
    BOOST_TEST(j["argon2"]["running"].get<int>() == 1);
    BOOST_TEST(j["workers"][0]["pid"].get<int>() == 4711);
    BOOST_TEST(j["workers"][0]["rss_bytes"].get<long>() == 2048L * 1024);
}

BOOST_AUTO_TEST_CASE(prometheus_text_is_well_formed) {
    const auto stats = sample_stats();
    const std::string text = status_prometheus(take_status_snapshot(*stats, 1060));
    BOOST_TEST(text.find("mfo_uptime_seconds 60\n") != std::string::npos);
    BOOST_TEST(text.find("mfo_requests_total{status=\"2xx\"} 90\n") != std::string::npos);
    BOOST_TEST(text.find("mfo_worker_restarts_total{cause=\"max_requests\"} 4\n") !=
               std::string::npos);
    BOOST_TEST(text.find("mfo_worker_requests_total{pid=\"4711\",slot=\"1\"} 7\n") !=
               std::string::npos);
    BOOST_TEST(text.find("mfo_db_errors_total 6\n") != std::string::npos);
    // Every sample line belongs to a family announced with HELP and TYPE.
    std::istringstream lines(text);
    std::string line, family;
    int samples = 0;
    while (std::getline(lines, line)) {
        BOOST_REQUIRE(!line.empty());
        if (line.rfind("# TYPE ", 0) == 0) {
            family = line.substr(7, line.find(' ', 7) - 7);
            continue;
        }
        if (line[0] == '#') continue;
        ++samples;
        BOOST_TEST(line.rfind(family, 0) == 0, line);
    }
    BOOST_TEST(samples > 20);
}

BOOST_AUTO_TEST_CASE(session_cache_figures_per_worker) {
    auto stats = sample_stats();
    WorkerEntry& w = stats->entries[3];
    w.cache_serving = 1;
    w.cache_entries = 1000;
    w.cache_hits = 90;
    w.cache_misses = 10;
    w.feed_read_ns = 5'000'000'000;
    const StatusSnapshot s = take_status_snapshot(*stats, 1060, 5'120'000'000);
    const auto j = nlohmann::json::parse(status_json(s));
    const auto& cache = j["workers"][0]["session_cache"];
    BOOST_TEST(cache["serving"].get<bool>());
    BOOST_TEST(cache["entries"].get<int>() == 1000);
    BOOST_TEST(cache["hits"].get<int>() == 90);
    BOOST_TEST(cache["feed_read_age_ms"].get<int>() == 120);
    const std::string text = status_prometheus(s);
    BOOST_TEST(text.find("mfo_session_cache_entries{pid=\"4711\",slot=\"1\"} 1000\n") !=
               std::string::npos);
    BOOST_TEST(text.find("mfo_session_cache_feed_age_seconds{pid=\"4711\",slot=\"1\"} 0.12\n") !=
               std::string::npos);
    // Off: null in JSON, no samples in Prometheus.
    w.cache_serving = -1;
    const StatusSnapshot off = take_status_snapshot(*stats, 1060, 5'120'000'000);
    BOOST_TEST(nlohmann::json::parse(status_json(off))["workers"][0]["session_cache"].is_null());
    BOOST_TEST(status_prometheus(off).find("mfo_session_cache_entries{") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(retired_entry_keeps_its_counts_in_the_totals) {
    auto stats = sample_stats();
    retire_worker_entry(*stats, stats->entries[3]);
    const StatusSnapshot s = take_status_snapshot(*stats, 1060);
    BOOST_TEST(s.workers.empty());
    BOOST_TEST(s.requests == 107u);
    BOOST_TEST(s.counters[static_cast<unsigned>(OpsCounter::login_attempts)] == 3);
    BOOST_TEST(s.counters[static_cast<unsigned>(OpsCounter::argon2_running)] == 0);  // a gauge
}

BOOST_AUTO_TEST_SUITE_END()
