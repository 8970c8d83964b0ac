// 64 clients from 64 loopback addresses (127.0.0.2-65, 25 attempts a second
// each: nginx's per-address limit never binds) post wrong passwords while
// one logged-in user browses GET /: the per-process cap on sign-ins in flight
// sheds the excess at once, so the browsing user keeps p99 <= 150 ms with no
// failure; a real user's login during the flood succeeds or gets the "too
// many sign-ins" page at once, and succeeds within 5 s after the flood.

#include <boost/test/unit_test.hpp>
#include <thread>

#include "accounts.hpp"
#include "child_process.hpp"
#include "fault_support.hpp"
#include "private_stack.hpp"

using namespace mfo::test;
using namespace mfo::test::faults;
using namespace std::chrono_literals;

namespace {

constexpr int kFloodClients = 64;
constexpr int kAttemptsPerAddress = 25;
constexpr double kBrowseP99TargetMs = 150;
constexpr auto kFloodFor = 10s;

bool busy_page(const HttpResponse& r) {
    return r.status == 503 && r.body.find("Too many sign-ins right now") != std::string::npos &&
           r.has_header("retry-after");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(login_flood)

BOOST_AUTO_TEST_CASE(login_flood_is_shed_and_page_views_keep_their_speed) {
    PrivateStack stack(fault_stack_settings());
    const std::string url = stack.base_url();
    const HttpClient browser = logged_in_client(url, "browse");
    const TestAccount real = create_account("flood-real");

    Load browsing(
        1, [browser](int) { return browser; }, [](int, HttpClient& c) { return c.get("/"); });
    BOOST_REQUIRE(proc::wait_until([&] { return browsing.completed() >= 50; }, 20s));

    const auto flood_started = Clock::now();
    std::atomic<std::size_t> refused{0}, busy_without_page{0};
    std::vector<std::string> tokens(kFloodClients);
    std::vector<Clock::time_point> next_attempt(kFloodClients);
    Load flood(
        kFloodClients,
        [url](int i) {
            HttpClient c(url);
            c.local_address = "127.0.0." + std::to_string(2 + i);
            c.timeout_seconds = 30;
            return c;
        },
        [&](int i, HttpClient& c) {
            // One form token per client, fetched again only when refused,
            // as a scripted attacker would.
            // Paced at kAttemptsPerAddress a second: under the test nginx's
            // per-address limit (50 r/s), so only the server-wide caps bind,
            // as in the issue; 64 of them still ask for ~50x what argon2
            // can serve, without the clients (on the same 2 cores) eating
            // the CPU the test is about.
            auto& due = next_attempt[static_cast<std::size_t>(i)];
            if (due == Clock::time_point{}) due = Clock::now();
            due += std::chrono::milliseconds(1000 / kAttemptsPerAddress);
            std::this_thread::sleep_until(due);
            std::string& token = tokens[static_cast<std::size_t>(i)];
            if (token.empty()) token = login_form_token(c);
            HttpResponse r = c.post_form("/login", {{"email", fresh_email("flood")},
                                                    {"password", "wrong-password-123"},
                                                    {"csrf_token", token}});
            if (r.status == 400) token.clear();
            if (r.status == 503) {
                ++refused;
                if (!busy_page(r)) ++busy_without_page;
            }
            return r;
        });

    // A real user logs in while the flood runs: success, or the busy page at once.
    std::vector<std::string> real_results;
    double real_worst_ms = 0;
    proc::wait_until([&] { return flood.completed() >= 200; }, 20s, 20ms);
    for (int i = 0; i < 5; ++i) {
        HttpClient person(url);
        person.local_address = "127.0.1.1";
        const auto t = Clock::now();
        const HttpResponse r = login(person, real.email, real.password);
        const double took = ms_between(t, Clock::now());
        real_worst_ms = std::max(real_worst_ms, took);
        const bool ok = r.status == 302 && !r.set_cookie("mfo_session").empty();
        real_results.push_back(ok ? "ok" : busy_page(r) ? "busy" : std::to_string(r.status));
        BOOST_CHECK_MESSAGE(ok || busy_page(r),
                            "a real login during the flood answered " << r.status);
    }
    BOOST_CHECK_MESSAGE(real_worst_ms <= 2000,
                        "a real login during the flood took " << real_worst_ms << " ms");

    proc::wait_until([&] { return Clock::now() - flood_started >= kFloodFor; }, kFloodFor + 1s,
                     50ms);
    const auto flood_stopped = Clock::now();
    const auto flood_samples = flood.stop();
    const auto pages = browsing.stop();

    // After the flood: the real user gets in within 5 s.
    const auto after = Clock::now();
    bool in_after = false;
    proc::wait_until(
        [&] {
            HttpClient person(url);
            in_after = login(person, real.email, real.password).status == 302;
            return in_after;
        },
        5s, 100ms);
    const double after_ms = ms_between(after, Clock::now());

    const double seconds = ms_between(flood_started, flood_stopped) / 1000.0;
    const Figures browse = figures_of(pages, seconds, [&](const Sample& s) {
        return s.start >= flood_started && s.start <= flood_stopped;
    });
    const Figures flooded = figures_of(flood_samples, seconds);
    std::string reals;
    for (const auto& r : real_results) reals += (reals.empty() ? "" : ",") + r;
    figure("login flood (64 addresses)",
           "flood: " + describe(flooded) + "; statuses " + status_counts(flood_samples));
    figure("login flood (64 addresses)", "browsing user GET /: " + describe(browse));
    figure("login flood (64 addresses)",
           "real user's logins during the flood: " + reals + " (slowest " +
               std::to_string(static_cast<int>(real_worst_ms)) +
               " ms); after the flood: " + (in_after ? "logged in" : "FAILED") + " after " +
               std::to_string(static_cast<int>(after_ms)) + " ms");
    BOOST_CHECK_GT(refused.load(), 0u);
    BOOST_CHECK_EQUAL(busy_without_page.load(), 0u);
    BOOST_CHECK_EQUAL(browse.failed, 0u);
    // Under ASan + UBSan argon2 and every request cost several times more CPU
    // on the same 2 cores: the latency target is a release-build figure (the
    // sanitizer run still checks that nothing failed or crashed).
    if (!sanitized_build()) {
        BOOST_CHECK_MESSAGE(browse.p99_ms <= kBrowseP99TargetMs,
                            "browsing p99 " << browse.p99_ms << " ms during the flood (target "
                                            << kBrowseP99TargetMs << ")");
    }
    BOOST_CHECK(in_after);
}

BOOST_AUTO_TEST_SUITE_END()
