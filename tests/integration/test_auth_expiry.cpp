// Idle, absolute and "remember me" expiry, on a private pool configured in
// seconds (idle 3 s, absolute 8 s, remember 6 s).
//
// How the app keeps time (fcgi-app/auth/session_store.cpp): a session is created
// with idle_expires_at = now + idle (capped by the absolute expiry) and
// absolute_expires_at = now + absolute; a request writes last_seen_at, and
// slides idle_expires_at to now + idle (still capped), only when the last
// write is a minute old. A remember-me session has no idle timeout.
// Timestamps have whole-second resolution, so an expiry of N s falls between
// N-1 and N s after the login; the bounds below allow for that.
//
// The tests wait on the clock by polling GET /api/me every 200 ms with a
// deadline: the behaviour under test is time itself.

#include <boost/test/unit_test.hpp>

#include "config.hpp"
#include "crypto.hpp"
#include "database.hpp"
#include "private_stack.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kIdle = 3;
constexpr int kAbsolute = 8;
constexpr int kRemember = 6;
constexpr auto kPoll = 200ms;

struct ShortSessions {
    PrivateStack stack{Overrides{
        {"MFO_SECURITY_SESSION_IDLE_TIMEOUT", std::to_string(kIdle)},
        {"MFO_SECURITY_SESSION_ABSOLUTE_TIMEOUT", std::to_string(kAbsolute)},
        {"MFO_SECURITY_SESSION_REMEMBER_TIMEOUT", std::to_string(kRemember)}}};
};

double seconds(std::chrono::milliseconds ms) { return ms.count() / 1000.0; }

// Pretends the session was last written a minute ago, so that its next
// request is the once-a-minute one that slides the idle expiry (a stand-in
// for a user who keeps using the site for minutes).
class LastSeen {
public:
    LastSeen()
        : db_(mfo::load_config(require_env("MFO_TEST_CONFIG")).database, mfo::DbAccount::app) {}
    void age(const std::string& token) {
        auto& st = db_.prepare(
            "UPDATE sessions SET last_seen_at = NOW() - INTERVAL 61 SECOND WHERE id = ?");
        st.setString(1, mfo::crypto::sha256(token));
        st.executeUpdate();
    }

private:
    mfo::Database db_;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(auth_expiry, ShortSessions)

// Not using the session for longer than the idle timeout ends it, long
// before the absolute timeout. (Requests in between do not slide the expiry:
// last_seen is only written once a minute, by design.)
BOOST_AUTO_TEST_CASE(idle_session_expires_after_the_idle_timeout) {
    const TestAccount account = create_account("idle");
    HttpClient client(stack.base_url());
    const auto start = Clock::now();
    login_ok(client, account.email, account.password);
    BOOST_TEST_REQUIRE(current_email(client) == account.email);
    const std::string token = client.cookies().at(kSessionCookie);

    HttpResponse last;
    const auto flipped = poll_until(start, std::chrono::seconds(kIdle + 4), kPoll, [&] {
        HttpClient replay = replay_client(stack.base_url(), token);
        last = replay.get("/api/me");
        return last.status == 401;
    });
    BOOST_TEST_REQUIRE(flipped.has_value(), "still logged in " << kIdle + 4 << " s after login");
    BOOST_TEST_MESSAGE("idle session expired after " << seconds(*flipped) << " s");
    BOOST_TEST(seconds(*flipped) >= kIdle - 1.5, "expired after " << seconds(*flipped) << " s");
    BOOST_TEST(seconds(*flipped) < kAbsolute - 1.0, "expired after " << seconds(*flipped) << " s");
    BOOST_TEST(clears_cookie(last, kSessionCookie));
    BOOST_TEST(current_email(client).empty());
    // The expired session stays expired (no resurrection by a later write).
    BOOST_TEST(client.get("/").status == 302);
}

// A user who keeps using the site stays logged in past the idle timeout, but
// not past the absolute timeout.
BOOST_AUTO_TEST_CASE(active_session_ends_at_the_absolute_timeout) {
    const TestAccount account = create_account("absolute");
    LastSeen last_seen;
    HttpClient client(stack.base_url());
    const auto start = Clock::now();
    login_ok(client, account.email, account.password);
    const std::string token = client.cookies().at(kSessionCookie);

    double alive_at = 0;  // the latest time a request was still authenticated
    const auto flipped = poll_until(start, std::chrono::seconds(kAbsolute + 4), kPoll, [&] {
        last_seen.age(token);
        const double t = seconds_since(start);
        HttpClient replay = replay_client(stack.base_url(), token);
        if (replay.get("/api/me").status == 200) {
            alive_at = t;
            return false;
        }
        return true;
    });
    BOOST_TEST_REQUIRE(flipped.has_value(), "still logged in " << kAbsolute + 4 << " s after login");
    BOOST_TEST_MESSAGE("active session last alive at " << alive_at << " s, expired after "
                                                       << seconds(*flipped) << " s");
    BOOST_TEST(alive_at > kIdle + 1.0, "activity did not keep the session past the idle timeout "
                                           "(last alive at " << alive_at << " s)");
    BOOST_TEST(seconds(*flipped) >= kAbsolute - 1.5, "expired after " << seconds(*flipped) << " s");
}

// Remember me: no idle timeout, but the (shorter here) remember lifetime.
BOOST_AUTO_TEST_CASE(remembered_session_has_no_idle_timeout_but_expires) {
    const TestAccount account = create_account("remember-exp");
    HttpClient client(stack.base_url());
    const auto start = Clock::now();
    const HttpResponse r = login_ok(client, account.email, account.password, {{"remember", "y"}});
    const auto cookie = cookie_in(r, kSessionCookie);
    BOOST_TEST_REQUIRE(cookie.has_value());
    BOOST_TEST(cookie->attr("max-age") == std::to_string(kRemember));
    const std::string token = cookie->value;

    double alive_at = 0;
    const auto flipped = poll_until(start, std::chrono::seconds(kRemember + 4), kPoll, [&] {
        const double t = seconds_since(start);
        HttpClient replay = replay_client(stack.base_url(), token);
        if (replay.get("/api/me").status == 200) {
            alive_at = t;
            return false;
        }
        return true;
    });
    BOOST_TEST_REQUIRE(flipped.has_value(), "still logged in " << kRemember + 4 << " s after login");
    BOOST_TEST_MESSAGE("remembered session last alive at " << alive_at << " s, expired after "
                                                           << seconds(*flipped) << " s");
    BOOST_TEST(alive_at > kIdle + 1.0, "a remembered session expired at the idle timeout "
                                           "(last alive at " << alive_at << " s)");
    BOOST_TEST(seconds(*flipped) >= kRemember - 1.5, "expired after " << seconds(*flipped) << " s");
}

BOOST_AUTO_TEST_SUITE_END()
