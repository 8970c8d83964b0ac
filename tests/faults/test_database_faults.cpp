// The database hangs (SIGSTOP) or stops (SIGTERM) while a logged-in user
// browses GET / from 6 clients and anonymous clients load GET /login: no
// request waits longer than the read timeout + 1 s, every answer is 200 or
// 503, the anonymous pages keep answering, and GET / answers 200 again
// within 2 s of the server answering. The worker logs the outage once.

#include <boost/test/unit_test.hpp>
#include <thread>

#include "child_process.hpp"
#include "fault_support.hpp"
#include "private_stack.hpp"

using namespace mfo::test;
using namespace mfo::test::faults;
using namespace std::chrono_literals;

namespace {

constexpr double kBoundMs = (kReadTimeoutS + 1) * 1000.0;
constexpr double kRecoveryMs = 2000.0;

struct Browsing {
    Load pages;
    Load anonymous;
    Browsing(const std::string& url, const HttpClient& user)
        : pages(
              6, [user](int) { return user; }, [](int, HttpClient& c) { return c.get("/"); }),
          anonymous(
              2, [url](int) { return HttpClient(url); },
              [](int, HttpClient& c) { return c.get("/login"); }) {}
};

// The first GET / that started after `from` and answered 200: ms from
// `from` to its answer, or -1.
double first_200_after(const std::vector<Sample>& samples, Clock::time_point from) {
    double best = -1;
    for (const Sample& s : samples) {
        if (s.status != 200 || s.start < from) continue;
        const double done = ms_between(from, s.start) + s.latency_ms;
        if (best < 0 || done < best) best = done;
    }
    return best;
}

void check_fault_window(const std::string& name, const std::vector<Sample>& pages,
                        const std::vector<Sample>& anonymous, Clock::time_point from,
                        Clock::time_point to) {
    auto in_window = [&](const Sample& s) { return s.start >= from && s.start <= to; };
    const double seconds = ms_between(from, to) / 1000.0;
    const Figures during = figures_of(pages, seconds, in_window);
    const Figures anon = figures_of(anonymous, seconds, in_window);
    figure(name, "GET / during the fault: " + describe(during));
    figure(name, "GET /login (anonymous) during the fault: " + describe(anon));
    figure(name, "GET / statuses, whole run: " + status_counts(pages));
    BOOST_CHECK_MESSAGE(during.max_ms <= kBoundMs, name << ": a GET / took " << during.max_ms
                                                        << " ms (bound " << kBoundMs << ")");
    BOOST_CHECK_MESSAGE(anon.max_ms <= kBoundMs,
                        name << ": a GET /login took " << anon.max_ms << " ms");
    for (const auto* samples : {&pages, &anonymous}) {
        for (const Sample& s : *samples) {
            BOOST_CHECK_MESSAGE(s.status == 200 || s.status == 503,
                                name << ": status " << s.status << " " << s.error);
        }
    }
    std::size_t anon_ok = 0;
    for (const Sample& s : anonymous) anon_ok += in_window(s) && s.status == 200;
    BOOST_CHECK_MESSAGE(anon_ok > 0, name << ": GET /login never answered 200 during the fault");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(database_faults)

BOOST_AUTO_TEST_CASE(frozen_database_is_503_within_the_timeout_and_heals_at_once) {
    PrivateStack stack(fault_stack_settings());
    const HttpClient user = logged_in_client(stack.base_url(), "freeze");
    Browsing load(stack.base_url(), user);
    BOOST_REQUIRE(proc::wait_until([&] { return load.pages.completed() >= 50; }, 20s));

    const auto frozen_at = Clock::now();
    Clock::time_point thawed_at;
    {
        FrozenDatabase frozen;
        // Frozen for twice the read timeout, and at least until the circuit
        // opened (the pool gave up waiting and answers at once).
        const bool opened = proc::wait_until(
            [&] {
                return stack.pool_log().find("database circuit open") != std::string::npos &&
                       Clock::now() - frozen_at >= std::chrono::seconds(2 * kReadTimeoutS);
            },
            30s, 50ms);
        BOOST_CHECK_MESSAGE(opened, "the circuit never opened:\n" << stack.pool_log());
        frozen.thaw();
        thawed_at = Clock::now();
    }
    // Keep browsing until a GET / started after the thaw succeeded (bounded),
    // then for 100 more requests.
    proc::wait_until([&] { return load.pages.succeeded_since(thawed_at); }, 10s, 5ms);
    const std::size_t after_recovery = load.pages.completed();
    proc::wait_until([&] { return load.pages.completed() >= after_recovery + 100; }, 10s);
    // Every worker that logged the outage logs its end (its probe is due
    // within breaker_retry = 1 s).
    proc::wait_until(
        [&] {
            const std::string log = stack.pool_log();
            return count_of(log, "database answering again") >=
                   count_of(log, "database unavailable");
        },
        10s, 20ms);
    const auto pages = load.pages.stop();
    const auto anonymous = load.anonymous.stop();

    const std::string name =
        "db freeze " + std::to_string(ms_between(frozen_at, thawed_at) / 1000.0).substr(0, 4) +
        " s";
    check_fault_window(name, pages, anonymous, frozen_at, thawed_at);
    const double recovery = first_200_after(pages, thawed_at);
    figure(name, "first GET / answered 200 " + std::to_string(static_cast<int>(recovery)) +
                     " ms after SIGCONT");
    BOOST_CHECK_MESSAGE(recovery >= 0 && recovery <= kRecoveryMs,
                        "GET / answered 200 again after " << recovery << " ms (target 2000)");

    const std::string log = stack.pool_log();
    const std::size_t opened = count_of(log, "database circuit open");
    const std::size_t unavailable = count_of(log, "database unavailable");
    const std::size_t recovered = count_of(log, "database answering again");
    figure(name, "log lines: " + std::to_string(unavailable) + " 'database unavailable', " +
                     std::to_string(opened) + " 'circuit open', " + std::to_string(recovered) +
                     " 'answering again' (2 workers)");
    BOOST_CHECK_LE(opened, 2u);
    BOOST_CHECK_LE(unavailable, 2u);
    BOOST_CHECK_GE(unavailable, 1u);
    BOOST_CHECK_EQUAL(recovered, unavailable);
}

BOOST_AUTO_TEST_CASE(stopped_database_is_503_and_heals_when_it_answers) {
    PrivateStack stack(fault_stack_settings());
    const HttpClient user = logged_in_client(stack.base_url(), "dbstop");
    Browsing load(stack.base_url(), user);
    BOOST_REQUIRE(proc::wait_until([&] { return load.pages.completed() >= 50; }, 20s));

    const auto stopped_at = Clock::now();
    Clock::time_point answering_at;
    {
        StoppedDatabase stopped;
        // Down until the pool has answered 503 for a while.
        const std::size_t at_stop = load.pages.completed();
        proc::wait_until(
            [&] {
                return load.pages.completed() >= at_stop + 100 && Clock::now() - stopped_at >= 2s;
            },
            20s, 20ms);
        // What a browser and an API client get while it is down.
        HttpClient probe = user;
        const HttpResponse page = probe.get("/");
        BOOST_CHECK_EQUAL(page.status, 503);
        BOOST_CHECK_EQUAL(page.header("retry-after"), "2");
        BOOST_CHECK(page.body.find("Service unavailable") != std::string::npos);
        const HttpResponse api = probe.get("/api/me", {{"Accept", "application/json"}});
        BOOST_CHECK_EQUAL(api.status, 503);
        BOOST_CHECK_EQUAL(api.header("retry-after"), "2");
        BOOST_CHECK(api.header("content-type").rfind("application/json", 0) == 0);
        stopped.start();  // returns once the server answers a ping
        answering_at = Clock::now();
    }
    proc::wait_until([&] { return load.pages.succeeded_since(answering_at); }, 10s, 5ms);
    const std::size_t after_recovery = load.pages.completed();
    proc::wait_until([&] { return load.pages.completed() >= after_recovery + 100; }, 10s);
    const auto pages = load.pages.stop();
    const auto anonymous = load.anonymous.stop();

    const std::string name = "db stop/start";
    check_fault_window(name, pages, anonymous, stopped_at, answering_at);
    const double recovery = first_200_after(pages, answering_at);
    figure(name, "down " + std::to_string(static_cast<int>(ms_between(stopped_at, answering_at))) +
                     " ms; first GET / answered 200 " + std::to_string(static_cast<int>(recovery)) +
                     " ms after the server answered");
    BOOST_CHECK_MESSAGE(recovery >= 0 && recovery <= kRecoveryMs,
                        "GET / answered 200 again after " << recovery << " ms (target 2000)");
    std::size_t answered_503 = 0;
    for (const Sample& s : pages) answered_503 += s.status == 503;
    BOOST_CHECK_GT(answered_503, 0u);
}

BOOST_AUTO_TEST_SUITE_END()
