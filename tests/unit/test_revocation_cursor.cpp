#include <boost/test/unit_test.hpp>

#include "auth/revocation_cursor.hpp"

namespace {

using mfo::RevocationCursor;
using Ids = std::vector<std::uint64_t>;
using std::chrono::milliseconds;

const auto t0 = RevocationCursor::Clock::time_point{} + std::chrono::hours(1);

}  // namespace

BOOST_AUTO_TEST_SUITE(revocation_cursor)

BOOST_AUTO_TEST_CASE(contiguous_ids_are_applied_once_and_move_the_floor) {
    RevocationCursor c(10, milliseconds(1000));
    BOOST_TEST(c.take({11, 12, 13}, t0) == Ids({11, 12, 13}));
    BOOST_TEST(c.floor() == 13u);
    BOOST_TEST(c.pending() == 0u);
    BOOST_TEST(c.take({14}, t0).size() == 1u);
    BOOST_TEST(c.floor() == 14u);
}

// Id 12 was taken by a transaction that commits after the one holding 13:
// the first read sees 11 and 13, the next one 12 and 13.
BOOST_AUTO_TEST_CASE(a_late_commit_below_a_seen_id_is_not_missed) {
    RevocationCursor c(10, milliseconds(1000));
    BOOST_TEST(c.take({11, 13}, t0) == Ids({11, 13}));
    BOOST_TEST(c.floor() == 11u);  // stays below the gap, so 12 is read again
    BOOST_TEST(c.take({12, 13}, t0 + milliseconds(100)) == Ids({12}));
    BOOST_TEST(c.floor() == 13u);
    BOOST_TEST(c.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(an_id_read_again_is_not_applied_again) {
    RevocationCursor c(0, milliseconds(1000));
    BOOST_TEST(c.take({1, 3, 4}, t0).size() == 3u);
    BOOST_TEST(c.take({3, 4}, t0 + milliseconds(100)).empty());
    BOOST_TEST(c.take({3, 4, 5}, t0 + milliseconds(200)) == Ids({5}));
}

// A rolled-back transaction's id, or another Galera node's, never comes.
BOOST_AUTO_TEST_CASE(a_gap_is_given_up_after_the_grace) {
    RevocationCursor c(0, milliseconds(1000));
    c.take({1, 3}, t0);
    BOOST_TEST(c.floor() == 1u);
    c.take({3}, t0 + milliseconds(999));
    BOOST_TEST(c.floor() == 1u);
    c.take({3}, t0 + milliseconds(1000));
    BOOST_TEST(c.floor() == 3u);
    BOOST_TEST(c.pending() == 0u);
}

// Galera with auto_increment_increment=3: one node writes 1, 4, 7; another
// commits 5 late. 2, 3 and 6 never come.
BOOST_AUTO_TEST_CASE(interleaved_sequences_are_read_in_full) {
    RevocationCursor c(0, milliseconds(500));
    BOOST_TEST(c.take({1, 4, 7}, t0) == Ids({1, 4, 7}));
    BOOST_TEST(c.take({4, 5, 7}, t0 + milliseconds(200)) == Ids({5}));
    BOOST_TEST(c.floor() == 1u);
    c.take({4, 5, 7}, t0 + milliseconds(500));
    BOOST_TEST(c.floor() == 7u);
    BOOST_TEST(c.take({8}, t0 + milliseconds(600)) == Ids({8}));
}

// The gap below 9 was already visible when 7 was read: it is not waited
// for again from the time 9 was read.
BOOST_AUTO_TEST_CASE(a_gap_is_timed_from_when_it_was_first_visible) {
    RevocationCursor c(0, milliseconds(1000));
    c.take({1, 7}, t0);
    c.take({7, 9}, t0 + milliseconds(900));
    c.take({7, 9}, t0 + milliseconds(1000));
    BOOST_TEST(c.floor() == 7u);  // the gap 2..6 is over; 8 is still awaited
    c.take({9}, t0 + milliseconds(1900));
    BOOST_TEST(c.floor() == 9u);
}

BOOST_AUTO_TEST_CASE(rows_at_or_below_the_floor_are_ignored) {
    RevocationCursor c(50, milliseconds(1000));
    BOOST_TEST(c.take({49, 50, 51}, t0) == Ids({51}));
}

BOOST_AUTO_TEST_CASE(skip_to_forgets_what_is_below) {
    RevocationCursor c(0, milliseconds(1000));
    c.take({1, 5, 9}, t0);
    c.skip_to(5);
    BOOST_TEST(c.floor() == 5u);
    BOOST_TEST(c.pending() == 1u);  // 9
    BOOST_TEST(c.take({9, 10}, t0) == Ids({10}));
}

BOOST_AUTO_TEST_SUITE_END()
