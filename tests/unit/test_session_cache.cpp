#include <boost/test/unit_test.hpp>

#include "auth/session_cache.hpp"

namespace {

using mfo::ResolvedSession;
using mfo::SessionCache;
using mfo::SessionCacheLimits;
using std::chrono::milliseconds;
using std::chrono::seconds;

const auto t0 = SessionCache::Clock::time_point{} + std::chrono::hours(1);

ResolvedSession session(const std::string& id, std::uint64_t user, long idle_left = 1800,
                        long absolute_left = 40000) {
    ResolvedSession s;
    s.id = id;
    s.principal.user_id = user;
    // Appended, not "literal" + string: GCC 12's -Wrestrict false positive.
    s.principal.email = "user";
    s.principal.email += std::to_string(user);
    s.principal.email += "@example.com";
    s.principal.roles = {"User"};
    s.csrf_secret = std::string(32, 'c');
    s.idle_left_seconds = idle_left;
    s.absolute_left_seconds = absolute_left;
    return s;
}

SessionCacheLimits limits() {
    SessionCacheLimits l;
    l.max_entries = 100;
    l.max_bytes = 1 << 20;
    l.max_age = seconds(60);
    l.stale_after = milliseconds(500);
    l.idle_seconds = 1800;
    return l;
}

// A cache whose feed was read at t0.
struct FreshCache {
    SessionCache cache{limits()};
    FreshCache() { cache.feed_read(t0); }
    bool put(const ResolvedSession& s, SessionCache::Clock::time_point at = t0) {
        return cache.insert(s, cache.generation(), at);
    }
    // A lookup at `at`, the feed having just been read.
    std::optional<ResolvedSession> found(const std::string& id,
                                         SessionCache::Clock::time_point at) {
        cache.feed_read(at);
        return cache.find(id, at);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(session_cache)

BOOST_FIXTURE_TEST_CASE(a_cached_session_is_found_with_what_the_request_needs, FreshCache) {
    auto s = session("a", 7);
    s.idle_for_seconds = 30;
    BOOST_TEST(put(s));
    const auto hit = found("a", t0 + seconds(10));
    BOOST_REQUIRE(hit);
    BOOST_TEST(hit->principal.user_id == 7u);
    BOOST_TEST(hit->principal.email == "user7@example.com");
    BOOST_TEST(hit->csrf_secret == std::string(32, 'c'));
    BOOST_TEST(hit->idle_for_seconds == 40);  // 30 when cached, 10 since
    BOOST_TEST(!cache.find("b", t0));
    const auto stats = cache.stats(t0);
    BOOST_TEST(stats.hits == 1u);
    BOOST_TEST(stats.misses == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_is_served_before_the_first_feed_read) {
    SessionCache cache(limits());
    BOOST_TEST(!cache.insert(session("a", 1), cache.generation(), t0));
    cache.feed_read(t0);
    BOOST_TEST(cache.insert(session("a", 1), cache.generation(), t0));
}

BOOST_FIXTURE_TEST_CASE(it_fails_closed_when_the_feed_is_not_read, FreshCache) {
    put(session("a", 1));
    BOOST_TEST(cache.find("a", t0 + milliseconds(499)).has_value());
    BOOST_TEST(!cache.find("a", t0 + milliseconds(500)));
    BOOST_TEST(!cache.stats(t0 + milliseconds(500)).serving);
    cache.feed_read(t0 + milliseconds(600));
    BOOST_TEST(cache.find("a", t0 + milliseconds(600)).has_value());
}

BOOST_FIXTURE_TEST_CASE(idle_and_absolute_expiry_are_never_overrun, FreshCache) {
    put(session("idle", 1, 30, 1000));
    put(session("absolute", 2, 1800, 50));
    // A second off for the database's whole-second times.
    BOOST_TEST(found("absolute", t0 + seconds(28)).has_value());
    BOOST_TEST(found("absolute", t0 + seconds(48)).has_value());
    BOOST_TEST(!found("absolute", t0 + seconds(49)));
    BOOST_TEST(found("idle", t0 + seconds(28)).has_value());
    BOOST_TEST(!found("idle", t0 + seconds(29)));
}

BOOST_FIXTURE_TEST_CASE(a_touch_slides_the_idle_expiry_but_not_past_the_absolute, FreshCache) {
    put(session("a", 1, 30, 50));
    cache.touched("a", t0 + seconds(20));
    const auto hit = found("a", t0 + seconds(45));
    BOOST_REQUIRE(hit);  // idle slid to 20 + 1800
    BOOST_TEST(hit->idle_for_seconds == 25);
    BOOST_TEST(!found("a", t0 + seconds(49)));  // absolute: 50 - 1
}

BOOST_FIXTURE_TEST_CASE(entries_older_than_max_age_go_back_to_the_database, FreshCache) {
    put(session("a", 1));
    BOOST_TEST(found("a", t0 + seconds(59)).has_value());
    BOOST_TEST(!found("a", t0 + seconds(60)));
}

BOOST_FIXTURE_TEST_CASE(events_evict_a_session_a_user_or_everything, FreshCache) {
    put(session("a1", 1));
    put(session("a2", 1));
    put(session("b1", 2));
    put(session("c1", 3));
    cache.evict_session("a1");
    BOOST_TEST(!cache.find("a1", t0));
    BOOST_TEST(cache.find("a2", t0).has_value());
    cache.evict_user(1);
    BOOST_TEST(!cache.find("a2", t0));
    BOOST_TEST(cache.find("b1", t0).has_value());
    cache.clear();
    BOOST_TEST(!cache.find("b1", t0));
    BOOST_TEST(!cache.find("c1", t0));
    BOOST_TEST(cache.stats(t0).entries == 0u);
    BOOST_TEST(cache.stats(t0).bytes == 0u);
}

// A request read the session from the database before a revocation and
// inserts it after the poller applied the revocation: refused.
BOOST_FIXTURE_TEST_CASE(an_answer_older_than_an_eviction_is_not_cached, FreshCache) {
    const auto before = cache.generation();
    cache.evict_user(1);
    BOOST_TEST(!cache.insert(session("a", 1), before, t0));
    BOOST_TEST(!cache.find("a", t0));
}

BOOST_AUTO_TEST_CASE(the_least_recently_used_goes_first_at_the_entry_bound) {
    auto l = limits();
    l.max_entries = 3;
    SessionCache cache(l);
    cache.feed_read(t0);
    for (const char* id : {"a", "b", "c"}) cache.insert(session(id, 1), cache.generation(), t0);
    BOOST_TEST(cache.find("a", t0).has_value());  // b is now the oldest use
    cache.insert(session("d", 2), cache.generation(), t0);
    BOOST_TEST(cache.stats(t0).entries == 3u);
    BOOST_TEST(!cache.find("b", t0));
    BOOST_TEST(cache.find("a", t0).has_value());
    BOOST_TEST(cache.find("d", t0).has_value());
    // The user index follows: evicting user 1 leaves d alone.
    cache.evict_user(1);
    BOOST_TEST(cache.stats(t0).entries == 1u);
}

BOOST_AUTO_TEST_CASE(the_byte_bound_holds) {
    auto l = limits();
    l.max_entries = 1000000;
    l.max_bytes = 4096;
    SessionCache cache(l);
    cache.feed_read(t0);
    for (int i = 0; i < 1000; ++i) {
        std::string id = "s";
        id += std::to_string(i);
        cache.insert(session(id, i + 1), cache.generation(), t0);
        BOOST_TEST_REQUIRE(cache.stats(t0).bytes <= 4096u);
    }
    BOOST_TEST(cache.stats(t0).entries > 3u);
    BOOST_TEST(cache.find("s999", t0).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_session_cached_again_replaces_its_entry, FreshCache) {
    put(session("a", 1, 30, 1000));
    put(session("a", 1, 500, 1000));
    BOOST_TEST(cache.stats(t0).entries == 1u);
    BOOST_TEST(found("a", t0 + seconds(45)).has_value());  // the second one's idle time
}

BOOST_AUTO_TEST_SUITE_END()
