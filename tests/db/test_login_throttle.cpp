// auth/login_throttle against the server: reservations and what a success
// may clear. Keys are random addresses, so runs never share a row.

#include <boost/test/unit_test.hpp>

#include "app_data_fixture.hpp"
#include "auth/login_throttle.hpp"
#include "crypto.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {
const ThrottlePolicy kPolicy{5, 900, 600};

std::string random_email() {
    return "throttle-" + crypto::hex(crypto::random_bytes(9)) + "@example.org";
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(login_throttle_db, AppData)

BOOST_AUTO_TEST_CASE(reservations_stop_at_the_limit_before_any_check_finishes) {
    const LoginThrottle throttle(kPolicy);
    const std::string email = random_email();
    for (int i = 1; i <= kPolicy.max_failures; ++i) {
        const ThrottleTicket t = throttle.reserve(app, email);
        BOOST_TEST(t.allowed);
        BOOST_TEST(t.number == i);
        BOOST_TEST(t.locks_account == (i == kPolicy.max_failures));
    }
    const ThrottleTicket refused = throttle.reserve(app, email);
    BOOST_TEST(!refused.allowed);
    BOOST_TEST(refused.retry_after >= 1);
    BOOST_TEST(refused.retry_after <= kPolicy.lockout_seconds);
}

// Attempt 1 succeeds after attempts 2..5 were reserved: those four stay
// counted, so only one more attempt is left in the window.
BOOST_AUTO_TEST_CASE(a_success_keeps_the_attempts_reserved_after_it) {
    const LoginThrottle throttle(kPolicy);
    const std::string email = random_email();
    const ThrottleTicket first = throttle.reserve(app, email);
    for (int i = 2; i <= kPolicy.max_failures; ++i)
        BOOST_TEST(throttle.reserve(app, email).allowed);
    BOOST_TEST(!throttle.reserve(app, email).allowed);

    throttle.record_success(app, email, first);
    const ThrottleTicket next = throttle.reserve(app, email);
    BOOST_TEST(next.allowed, "the success lifted the lock its own reservation caused");
    BOOST_TEST(next.locks_account);
    BOOST_TEST(!throttle.reserve(app, email).allowed);
}

BOOST_AUTO_TEST_CASE(a_success_of_the_latest_attempt_clears_everything) {
    const LoginThrottle throttle(kPolicy);
    const std::string email = random_email();
    ThrottleTicket last;
    for (int i = 1; i <= kPolicy.max_failures; ++i) last = throttle.reserve(app, email);
    throttle.record_success(app, email, last);
    for (int i = 1; i <= kPolicy.max_failures; ++i) {
        BOOST_TEST(throttle.reserve(app, email).allowed, "attempt " << i);
    }
    BOOST_TEST(!throttle.reserve(app, email).allowed);
}

BOOST_AUTO_TEST_CASE(the_key_ignores_the_case_of_the_address) {
    const LoginThrottle throttle(kPolicy);
    const std::string email = random_email();
    std::string shouted = email;
    for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int i = 0; i < kPolicy.max_failures; ++i) throttle.reserve(app, i % 2 ? email : shouted);
    BOOST_TEST(!throttle.reserve(app, email).allowed);
    BOOST_TEST(!throttle.reserve(app, shouted).allowed);
}

BOOST_AUTO_TEST_SUITE_END()
