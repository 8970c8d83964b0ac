// The reservation rule of auth/login_throttle (the database part is in
// tests/db/test_login_throttle.cpp and the parallel bursts in integration).

#include <boost/test/unit_test.hpp>

#include "auth/login_throttle.hpp"

using namespace mfo;

namespace {
const ThrottlePolicy kPolicy{5, 900, 600};

// Applies a step to a row as the UPDATE does.
ThrottleState apply(ThrottleState row, const ThrottleStep& step) {
    row.failures = step.failures;
    row.reserved = step.reserved;
    if (step.reset_window) row.window_expired = false;
    if (step.start_lock) {
        row.lock_set = true;
        row.lock_remaining = kPolicy.lockout_seconds;
    } else if (step.clear_lock) {
        row.lock_set = false;
        row.lock_remaining = 0;
    }
    return row;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(login_throttle)

BOOST_AUTO_TEST_CASE(the_limit_is_reached_at_reservation_not_after_the_check) {
    ThrottleState row;
    for (int i = 1; i <= kPolicy.max_failures; ++i) {
        const ThrottleStep step = plan_reservation(row, kPolicy);
        BOOST_TEST_CONTEXT("attempt " << i) {
            BOOST_TEST(step.allowed);
            BOOST_TEST(step.reserved == i);
            BOOST_TEST(step.start_lock == (i == kPolicy.max_failures));
        }
        row = apply(row, step);  // no attempt has finished yet
    }
    for (int i = 0; i < 100; ++i) {
        const ThrottleStep refused = plan_reservation(row, kPolicy);
        BOOST_TEST(!refused.allowed);
        BOOST_TEST(refused.retry_after == kPolicy.lockout_seconds);
        BOOST_TEST(refused.reserved == kPolicy.max_failures);
    }
}

BOOST_AUTO_TEST_CASE(an_expired_lock_or_window_starts_afresh) {
    ThrottleState locked{5, true, 0, true, 42};
    const ThrottleStep after_lock = plan_reservation(locked, kPolicy);
    BOOST_TEST(after_lock.allowed);
    BOOST_TEST(after_lock.clear_lock);
    BOOST_TEST(after_lock.reset_window);
    BOOST_TEST(after_lock.failures == 1);
    BOOST_TEST(after_lock.reserved == 43);

    ThrottleState old_window{4, false, 0, true, 7};
    const ThrottleStep fresh = plan_reservation(old_window, kPolicy);
    BOOST_TEST(fresh.allowed);
    BOOST_TEST(fresh.reset_window);
    BOOST_TEST(fresh.failures == 1);
    BOOST_TEST(!fresh.start_lock);

    ThrottleState current{4, false, 0, false, 7};
    const ThrottleStep last = plan_reservation(current, kPolicy);
    BOOST_TEST(last.allowed);
    BOOST_TEST(!last.reset_window);
    BOOST_TEST(last.start_lock);
}

BOOST_AUTO_TEST_CASE(a_running_lock_refuses_with_its_remaining_time) {
    const ThrottleStep step = plan_reservation(ThrottleState{0, true, 17, false, 9}, kPolicy);
    BOOST_TEST(!step.allowed);
    BOOST_TEST(step.retry_after == 17);
}

BOOST_AUTO_TEST_CASE(a_full_window_without_a_lock_is_still_refused) {
    const ThrottleStep step = plan_reservation(ThrottleState{5, false, 0, false, 5}, kPolicy);
    BOOST_TEST(!step.allowed);
    BOOST_TEST(step.retry_after >= 1);
}

BOOST_AUTO_TEST_SUITE_END()
