// Brute-force defences under parallel requests (issue 19): the per-account
// limit holds however many guesses arrive at once, and a success in the
// middle of a burst does not wipe the failures counted after it. Runs
// through nginx and, in integration_apache, through Apache.

#include <boost/test/unit_test.hpp>
#include <latch>
#include <thread>

#include "config.hpp"
#include "crypto.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

constexpr const char* kInvalid = "Invalid email or password";

// A 127.x.y.z network of its own per call: every client of a burst gets its
// own address, as from a botnet (and stays clear of nginx's per-address limit).
std::string fresh_loopback_prefix() {
    const std::string r = mfo::crypto::random_bytes(2);
    return "127." + std::to_string(100 + static_cast<unsigned char>(r[0]) % 100) + "." +
           std::to_string(static_cast<unsigned char>(r[1])) + ".";
}

struct Outcome {
    int checked_failures = 0;  // 200 "Invalid email or password": a password was checked
    int refused = 0;           // 429 with Retry-After
    int logged_in = 0;         // 302 with a session
    int shed = 0;              // 503: the pool's cap on sign-ins in flight (no check either)
    std::vector<std::string> other;
};

// `passwords.size()` clients, each with the login form's token already in
// hand, POST /login for `email` at the same moment.
Outcome burst(const std::string& email, const std::vector<std::string>& passwords) {
    const std::string prefix = fresh_loopback_prefix();
    const std::size_t n = passwords.size();
    std::vector<HttpResponse> answers(n);
    std::vector<std::string> errors(n);
    std::latch ready(static_cast<std::ptrdiff_t>(n));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            bool arrived = false;
            try {
                HttpClient c(shared_base_url());
                c.local_address = prefix + std::to_string(i + 1);
                const std::string token = login_form_token(c);
                ready.arrive_and_wait();
                arrived = true;
                answers[i] = c.post_form(
                    "/login",
                    {{"email", email}, {"password", passwords[i]}, {"csrf_token", token}});
            } catch (const std::exception& e) {
                errors[i] = e.what();
                if (!arrived) ready.count_down();
            }
        });
    }
    for (auto& t : threads) t.join();
    Outcome out;
    for (std::size_t i = 0; i < n; ++i) {
        const HttpResponse& r = answers[i];
        if (!errors[i].empty()) {
            out.other.push_back("client " + std::to_string(i) + ": " + errors[i]);
        } else if (r.status == 200 && has(r.body, kInvalid)) {
            ++out.checked_failures;
        } else if (r.status == 429 && r.has_header("retry-after")) {
            ++out.refused;
        } else if (r.status == 302 && cookie_in(r, kSessionCookie)) {
            ++out.logged_in;
        } else if (r.status == 503) {
            ++out.shed;
        } else {
            out.other.push_back("client " + std::to_string(i) + ": status " +
                                std::to_string(r.status));
        }
    }
    return out;
}

int login_limit() {
    return mfo::load_config(require_env("MFO_TEST_CONFIG")).login_max_failures;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(brute_force)

// Before: the lock was read, the password checked (~60 ms), and only then
// the failure counted, so 40 parallel guesses got about 19 checks.
BOOST_AUTO_TEST_CASE(forty_parallel_guesses_get_at_most_the_limit_of_checks) {
    const int limit = login_limit();
    const TestAccount target = create_account("burst");
    const Outcome out = burst(target.email, std::vector<std::string>(40, "Wrong-Pass-2026"));
    BOOST_TEST_MESSAGE("40 parallel wrong guesses: " << out.checked_failures << " checked, "
                                                     << out.refused << " refused (429), "
                                                     << out.shed << " shed (503)");
    BOOST_TEST(out.other.empty(), out.other.size() << " unexpected answers, first: "
                                                   << (out.other.empty() ? "" : out.other[0]));
    BOOST_TEST(out.checked_failures <= limit);
    BOOST_TEST(out.checked_failures >= 1);
    BOOST_TEST(out.refused + out.shed == 40 - out.checked_failures);
    BOOST_TEST(out.logged_in == 0);
    // Once the window's attempts are used up, the right password is refused too.
    HttpClient owner(shared_base_url());
    if (out.checked_failures == limit) {
        BOOST_TEST(login(owner, target.email, target.password).status == 429);
    }
}

// Before: 15 wrong and 1 right in parallel: all 15 checked, and the right one
// logged in and erased the failures.
BOOST_AUTO_TEST_CASE(a_right_password_inside_a_burst_does_not_reset_the_count) {
    const int limit = login_limit();
    const TestAccount target = create_account("burst-right");
    std::vector<std::string> passwords(16, "Wrong-Pass-2026");
    passwords[7] = target.password;
    const Outcome out = burst(target.email, passwords);
    BOOST_TEST_MESSAGE("15 wrong + 1 right in parallel: "
                       << out.checked_failures << " failures checked, " << out.logged_in
                       << " logged in, " << out.refused << " refused, " << out.shed << " shed");
    BOOST_TEST(out.other.empty(), out.other.size() << " unexpected answers, first: "
                                                   << (out.other.empty() ? "" : out.other[0]));
    BOOST_TEST(out.logged_in <= 1);
    // Without the success, the limit. With it, the success may clear the
    // attempts reserved before its own (at most limit - 1) once it is done.
    if (out.logged_in == 0) BOOST_TEST(out.checked_failures <= limit);
    BOOST_TEST(out.checked_failures <= 2 * limit - 1);
    BOOST_TEST(out.refused + out.shed == 16 - out.checked_failures - out.logged_in);
    // Afterwards, from elsewhere: however the burst was ordered, the wrong
    // guesses checked in the window (burst and after) stay within the limit
    // plus those the success was entitled to clear (reserved before it).
    HttpClient attacker(shared_base_url());
    int later = 0;
    for (int i = 0; i < limit + 1; ++i) {
        const HttpResponse r = login(attacker, target.email, "Wrong-Pass-2026");
        if (r.status == 429) break;
        BOOST_TEST_REQUIRE(r.status == 200);
        ++later;
    }
    BOOST_TEST(later <= limit);
    if (out.logged_in == 0 && out.shed == 0) BOOST_TEST(later == 0);
    BOOST_TEST(out.checked_failures + later <= 2 * limit - 1);
}

BOOST_AUTO_TEST_SUITE_END()
