// The per-process cap on sign-ins in flight: reserve, then work.

#include <boost/test/unit_test.hpp>
#include <utility>

#include "in_flight_limit.hpp"

BOOST_AUTO_TEST_SUITE(in_flight_limit)

BOOST_AUTO_TEST_CASE(refuses_over_the_cap_and_frees_on_scope_exit) {
    mfo::InFlightLimit limit(2);
    {
        auto a = limit.try_enter();
        auto b = limit.try_enter();
        auto c = limit.try_enter();
        BOOST_TEST(static_cast<bool>(a));
        BOOST_TEST(static_cast<bool>(b));
        BOOST_TEST(!c);
        BOOST_TEST(limit.in_flight() == 2);
        auto moved = std::move(a);
        BOOST_TEST(limit.in_flight() == 2);
    }
    BOOST_TEST(limit.in_flight() == 0);
    BOOST_TEST(static_cast<bool>(limit.try_enter()));
}

BOOST_AUTO_TEST_SUITE_END()
