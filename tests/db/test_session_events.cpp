// The revocation feed (migration 0005): the triggers write what the pools'
// session caches must forget, in the writer's own transaction, and nothing
// for what they need not (expired rows, the once-a-minute last_seen write).

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <memory>

#include "app_data_fixture.hpp"
#include "session_events.hpp"
#include "user_role_cache.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

std::uint64_t newest_event_id(Database& db) {
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT COALESCE(MAX(id), 0) FROM session_events").executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

std::string uniquifier_of(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare("SELECT fs_uniquifier FROM users WHERE id = ?");
    st.setUInt64(1, user_id);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() ? rs->getString(1).asStdString() : "";
}

void run(Database& db, const std::string& sql, std::uint64_t id_param) {
    auto& st = db.prepare(sql);
    st.setUInt64(1, id_param);
    st.executeUpdate();
}

void run(Database& db, const std::string& sql, const std::string& param) {
    auto& st = db.prepare(sql);
    st.setString(1, param);
    st.executeUpdate();
}

// Events after `after`, as the pollers read them.
struct Feed {
    Database& db;
    std::uint64_t after;
    explicit Feed(Database& d) : db(d), after(newest_event_id(d)) {}
    std::vector<SessionEvent> read() { return read_session_events(db, after, 100); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(session_events, AppData)

BOOST_AUTO_TEST_CASE(deleting_a_live_session_names_it) {
    const auto user = make_user("ev-del");
    const std::string session = insert_session(app, user, uniquifier_of(app, user));
    Feed feed(app);
    run(app, "DELETE FROM sessions WHERE id = ?", session);
    const auto events = feed.read();
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == SessionEventKind::session));
    BOOST_TEST(events[0].session_id == session);
    BOOST_TEST(events[0].user_id == user);
}

BOOST_AUTO_TEST_CASE(purging_an_expired_session_writes_nothing) {
    const auto user = make_user("ev-exp");
    const std::string session = insert_session(app, user, uniquifier_of(app, user), -10, 100);
    Feed feed(app);
    run(app, "DELETE FROM sessions WHERE id = ?", session);
    BOOST_TEST(feed.read().empty());
}

BOOST_AUTO_TEST_CASE(the_last_seen_write_writes_nothing_but_shortening_does) {
    const auto user = make_user("ev-touch");
    const std::string session = insert_session(app, user, uniquifier_of(app, user));
    Feed feed(app);
    run(app,
        "UPDATE sessions SET last_seen_at = NOW(), idle_expires_at = NOW() + INTERVAL 1800 "
        "SECOND WHERE id = ?",
        session);
    BOOST_TEST(feed.read().empty());
    run(app, "UPDATE sessions SET idle_expires_at = NOW() WHERE id = ?", session);
    const auto events = feed.read();
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == SessionEventKind::session));
}

BOOST_AUTO_TEST_CASE(what_a_session_holds_of_its_user_changing_names_the_user) {
    const auto user = make_user("ev-user");
    const auto role = make_role("ev", {"read"});
    Feed feed(app);
    run(app, "UPDATE users SET last_login_ip = '192.0.2.1' WHERE id = ?", user);
    BOOST_TEST(feed.read().empty());  // not something a session holds
    run(app, "UPDATE users SET active = 0 WHERE id = ?", user);
    BOOST_REQUIRE(add_role_to_user(app, user, role));
    const auto events = feed.read();
    BOOST_REQUIRE_EQUAL(events.size(), 2u);
    for (const auto& e : events) {
        BOOST_TEST((e.kind == SessionEventKind::user));
        BOOST_TEST(e.user_id == user);
    }
}

BOOST_AUTO_TEST_CASE(a_rolled_back_change_writes_no_event) {
    const auto user = make_user("ev-rb");
    Feed feed(app);
    try {
        app.transaction([&](Database& tx) {
            run(tx, "UPDATE users SET active = 0 WHERE id = ?", user);
            throw std::runtime_error("abandon");
        });
    } catch (const std::runtime_error&) {
    }
    BOOST_TEST(feed.read().empty());
}

BOOST_AUTO_TEST_CASE(a_flush_is_one_row_for_everything) {
    Feed feed(app);
    app.transaction([](Database& tx) { publish_cache_flush(tx); });
    const auto events = feed.read();
    BOOST_REQUIRE_EQUAL(events.size(), 1u);
    BOOST_TEST((events[0].kind == SessionEventKind::all));
}

BOOST_AUTO_TEST_SUITE_END()
