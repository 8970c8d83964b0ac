// The worker's database circuit breaker: opens after timed-out waits in a
// row (not after refused connections), refuses while open, lets one probe
// through per retry interval, closes on success, logs once per outage.

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "db_circuit_breaker.hpp"

using mfo::DbCircuitBreaker;
using Admission = DbCircuitBreaker::Admission;
using namespace std::chrono_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(mfo::DbCircuitBreaker::Admission)

namespace {

struct Fixture {
    std::vector<std::string> lines;
    DbCircuitBreaker breaker{3, 1000ms, [this](const std::string& l) { lines.push_back(l); }};
    DbCircuitBreaker::Clock::time_point t0 = DbCircuitBreaker::Clock::now();

    void time_out(DbCircuitBreaker::Clock::time_point at) {
        const Admission a = breaker.admit(at);
        breaker.record_failure(a, true, "read timed out", at);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(db_circuit_breaker)

BOOST_FIXTURE_TEST_CASE(opens_after_timeouts_in_a_row_and_logs_once, Fixture) {
    time_out(t0);
    time_out(t0);
    BOOST_TEST(!breaker.is_open());
    BOOST_TEST(breaker.admit(t0) == Admission::go);
    time_out(t0);
    BOOST_TEST(breaker.is_open());
    for (int i = 0; i < 100; ++i) BOOST_TEST(breaker.admit(t0 + 10ms) == Admission::refuse);
    BOOST_REQUIRE_EQUAL(lines.size(), 2u);
    BOOST_TEST(lines[0] == "database unavailable: read timed out");
    BOOST_TEST(lines[1].find("database circuit open") == 0u);
}

BOOST_FIXTURE_TEST_CASE(refused_connections_do_not_open_it, Fixture) {
    for (int i = 0; i < 10; ++i) {
        const Admission a = breaker.admit(t0);
        BOOST_TEST(a == Admission::go);
        breaker.record_failure(a, false, "connection refused", t0);
    }
    BOOST_TEST(!breaker.is_open());
    BOOST_TEST(lines.size() == 1u);  // the first failure only
    breaker.record_success(breaker.admit(t0 + 5s), t0 + 5s);
    BOOST_REQUIRE_EQUAL(lines.size(), 2u);
    BOOST_TEST(lines[1].find("database answering again after 5000 ms") == 0u);
}

BOOST_FIXTURE_TEST_CASE(one_probe_per_interval_and_success_closes, Fixture) {
    for (int i = 0; i < 3; ++i) time_out(t0);
    BOOST_TEST(breaker.admit(t0 + 999ms) == Admission::refuse);
    const Admission probe = breaker.admit(t0 + 1s);
    BOOST_TEST(probe == Admission::probe);
    BOOST_TEST(breaker.admit(t0 + 1500ms) == Admission::refuse);  // one probe at a time
    breaker.record_failure(probe, true, "read timed out", t0 + 2s);
    BOOST_TEST(breaker.is_open());
    BOOST_TEST(breaker.admit(t0 + 2500ms) == Admission::refuse);
    const Admission second = breaker.admit(t0 + 3s);
    BOOST_TEST(second == Admission::probe);
    breaker.record_success(second, t0 + 3100ms);
    BOOST_TEST(!breaker.is_open());
    BOOST_TEST(breaker.admit(t0 + 3200ms) == Admission::go);
    BOOST_REQUIRE_EQUAL(lines.size(), 3u);
    BOOST_TEST(lines[2].find("database answering again after 3100 ms") == 0u);
    BOOST_TEST(lines[2].find("(3 requests refused") != std::string::npos, lines[2]);
}

BOOST_FIXTURE_TEST_CASE(a_neutral_probe_frees_the_probe_place, Fixture) {
    for (int i = 0; i < 3; ++i) time_out(t0);
    const Admission probe = breaker.admit(t0 + 1s);
    BOOST_TEST(probe == Admission::probe);
    breaker.record_neutral(probe);
    BOOST_TEST(breaker.admit(t0 + 1s) == Admission::probe);
}

BOOST_AUTO_TEST_SUITE_END()
