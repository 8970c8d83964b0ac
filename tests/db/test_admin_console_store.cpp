// The admin console's guards, in a database of its own (the scratch schema),
// where "the last active Admin" can be set up without touching the app's users.

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <functional>
#include <memory>
#include <set>

#include "console_admins.hpp"
#include "db_test_support.hpp"
#include "migrations.hpp"
#include "views/admin_console_store.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

struct ConsoleDatabase {
    ConsoleDatabase() : db(scratch_database_config(), DbAccount::admin) {
        recreate_scratch_schema(db);
        create_role(db, "Admin", "Administrators", {"database", "read", "write"});
        create_role(db, "User", "Normal users", {"read", "write"});
        admin = create_user(db, "admin@example.com", "$argon2id$x", true);
        add_role_to_user(db, admin, "Admin");
        user = create_user(db, "user@example.com", "$argon2id$x", true);
        add_role_to_user(db, user, "User");
    }

    int refusal_status(const std::function<void()>& change) {
        try {
            change();
        } catch (const ConsoleRefusal& r) {
            return r.status();
        }
        return 0;
    }

    Database db;
    std::uint64_t admin = 0;
    std::uint64_t user = 0;
    ConsoleActor actor() const { return ConsoleActor{admin, "admin@example.com", "127.0.0.1", {}}; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_console_store, ConsoleDatabase)

BOOST_AUTO_TEST_CASE(the_last_active_admin_cannot_lose_the_role) {
    BOOST_TEST(refusal_status([&] { console_revoke_role(db, actor(), admin, "Admin"); }) == 409);
    BOOST_TEST(find_user_by_id(db, admin)->roles == std::vector<std::string>{"Admin"});
    // With a second active Admin, the first may step down.
    console_grant_role(db, actor(), user, "Admin");
    BOOST_TEST(refusal_status([&] { console_revoke_role(db, actor(), admin, "Admin"); }) == 0);
    BOOST_TEST(find_user_by_id(db, admin)->roles.empty());
}

BOOST_AUTO_TEST_CASE(an_inactive_admin_does_not_count) {
    const auto other = create_user(db, "other@example.com", "$argon2id$x", false);
    add_role_to_user(db, other, "Admin");
    BOOST_TEST(refusal_status([&] { console_revoke_role(db, actor(), admin, "Admin"); }) == 409);
}

BOOST_AUTO_TEST_CASE(nobody_deactivates_themselves_or_the_last_admin) {
    BOOST_TEST(refusal_status([&] { console_set_active(db, actor(), admin, false); }) == 409);
    const ConsoleActor someone{user, "user@example.com", "127.0.0.1", {}};
    BOOST_TEST(refusal_status([&] { console_set_active(db, someone, admin, false); }) == 409);
    BOOST_TEST(find_user_by_id(db, admin)->active);
    BOOST_TEST(refusal_status([&] { console_set_active(db, actor(), user, false); }) == 0);
    BOOST_TEST(!find_user_by_id(db, user)->active);
}

BOOST_AUTO_TEST_CASE(changes_are_audited_and_refusals_change_nothing) {
    console_grant_role(db, actor(), user, "Admin");
    BOOST_TEST(refusal_status([&] { console_grant_role(db, actor(), user, "Admin"); }) == 409);
    BOOST_TEST(refusal_status([&] { console_grant_role(db, actor(), user, "Nope"); }) == 404);
    BOOST_TEST(refusal_status([&] { console_grant_role(db, actor(), 999999, "User"); }) == 404);
    const auto events = latest_audit_events(db, 10);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.front().action == "role.add");
    BOOST_TEST(events.front().target == "user@example.com");
    BOOST_TEST(events.front().ip_address == "127.0.0.1");
    BOOST_TEST(count_rows(db, "audit_log") == 1u);
}

BOOST_AUTO_TEST_CASE(roles_are_created_and_edited) {
    console_create_role(db, actor(), "Tester", "Testers", {"read", "test"});
    BOOST_TEST(refusal_status([&] { console_create_role(db, actor(), "Tester", "", {}); }) == 409);
    BOOST_TEST(refusal_status([&] { console_create_role(db, actor(), "bad name", "", {}); }) ==
               400);
    console_update_role(db, actor(), "Tester", "Quality", {"read"});
    const auto role = find_role(db, "Tester");
    BOOST_TEST(role->description == "Quality");
    BOOST_TEST(role->permissions == std::vector<std::string>{"read"});
    BOOST_TEST(refusal_status([&] { console_update_role(db, actor(), "Ghost", "", {}); }) == 404);
}

BOOST_AUTO_TEST_CASE(search_is_a_literal_prefix_and_pages_by_email) {
    for (int i = 0; i < 25; ++i) {
        create_user(db, "page" + std::to_string(100 + i) + "@example.com", "$argon2id$x", true);
    }
    create_user(db, "under_score@example.com", "$argon2id$x", true);
    create_user(db, "xpage@example.com", "$argon2id$x", true);
    UserListQuery q;
    q.prefix = "page";
    auto page = find_users(db, q);
    BOOST_TEST(page.matches == 25u);
    BOOST_TEST(!page.matches_capped);
    BOOST_TEST(page.users.size() == 20u);
    BOOST_TEST(page.users.front().email == "page100@example.com");
    BOOST_TEST(!page.has_prev);
    BOOST_TEST(page.has_next);

    q.after = page.users.back().email;  // the next page starts after it
    page = find_users(db, q);
    BOOST_TEST(page.users.size() == 5u);
    BOOST_TEST(page.users.front().email == "page120@example.com");
    BOOST_TEST(page.has_prev);
    BOOST_TEST(!page.has_next);

    q.after.clear();
    q.before = page.users.front().email;  // and back again
    page = find_users(db, q);
    BOOST_TEST(page.users.size() == 20u);
    BOOST_TEST(page.users.front().email == "page100@example.com");
    BOOST_TEST(page.users.back().email == "page119@example.com");
    BOOST_TEST(!page.has_prev);
    BOOST_TEST(page.has_next);

    const auto matches = [&](const std::string& prefix) {
        UserListQuery p;
        p.prefix = prefix;
        return find_users(db, p).matches;
    };
    BOOST_TEST(matches("under_") == 1u);  // '_' is not a wildcard
    BOOST_TEST(matches("u_der") == 0u);
    BOOST_TEST(matches("%") == 0u);
    BOOST_TEST(matches("PAGE1") == 25u);   // case-insensitive
    BOOST_TEST(matches("example") == 0u);  // a prefix, not a substring

    UserListQuery all;
    const auto everyone = find_users(db, all);
    BOOST_TEST(everyone.matches == 29u);  // from the counter
    BOOST_TEST(everyone.users.front().email == "admin@example.com");
}

BOOST_AUTO_TEST_CASE(counters_follow_every_change_to_users_and_roles) {
    const auto check = [&](const char* when) {
        BOOST_TEST_CONTEXT(when) {
            const auto overview = console_overview(db);
            BOOST_TEST(overview.users == count_rows(db, "users"));
            std::unique_ptr<sql::ResultSet> rs(
                db.prepare("SELECT COUNT(*) FROM users WHERE active").executeQuery());
            rs->next();
            BOOST_TEST(overview.active_users == rs->getUInt64(1));
            for (const auto& role : overview.roles) {
                auto& st = db.prepare("SELECT COUNT(*) FROM user_roles WHERE role_id = ?");
                st.setUInt64(1, role.id);
                std::unique_ptr<sql::ResultSet> m(st.executeQuery());
                m->next();
                BOOST_TEST_INFO(role.name);
                BOOST_TEST(role.members == m->getUInt64(1));
            }
        }
    };
    check("after the fixture");
    const auto a = create_user(db, "count-a@example.com", "$argon2id$x", false);
    const auto b = create_user(db, "count-b@example.com", "$argon2id$x", true);
    add_role_to_user(db, a, "Admin");
    add_role_to_user(db, b, "User");
    add_role_to_user(db, b, "Admin");
    check("after creating and granting");
    BOOST_TEST(console_overview(db).users == 4u);
    BOOST_TEST(console_overview(db).active_users == 3u);
    set_user_active(db, a, true);
    set_user_active(db, b, false);
    record_login(db, a, "127.0.0.1");
    check("after activating, deactivating and a login");
    remove_role_from_user(db, b, "User");
    check("after a revoke");
    auto& del = db.prepare("DELETE FROM users WHERE id = ?");  // cascades to user_roles
    del.setUInt64(1, b);
    del.executeUpdate();
    check("after deleting a user with roles");
    console_create_role(db, actor(), "Crew", "", {"read"});
    add_role_to_user(db, a, "Crew");
    db.execute("DELETE FROM roles WHERE name = 'Crew'");
    check("after deleting a role with members");
    BOOST_TEST(console_roles(db).size() == 2u);
}

BOOST_AUTO_TEST_CASE(live_sessions_are_counted_when_few_and_estimated_when_many) {
    // 2,000 sessions, one in four live, ids spread like SHA-256 tokens.
    db.execute(
        "INSERT INTO sessions (id, user_id, user_uniquifier, csrf_secret, idle_expires_at, "
        "absolute_expires_at) SELECT UNHEX(SHA2(CONCAT('est-', seq), 256)), u.id, "
        "u.fs_uniquifier, UNHEX(SHA2(seq, 256)), "
        "IF(seq % 4 = 0, NOW() + INTERVAL 1 HOUR, NOW() - INTERVAL 1 HOUR), "
        "NOW() + INTERVAL 2 HOUR FROM seq_1_to_2000 JOIN users u ON u.email = 'user@example.com'");
    const auto exact = count_live_sessions(db, 5000);
    BOOST_TEST(exact.exact);
    BOOST_TEST(exact.live == 500u);
    BOOST_TEST(exact.stored == 2000u);
    // 800 rows hold about 200 live: a standard error near 7%, so 40% is
    // more than five of them (and the ids here are fixed: no flakiness).
    const auto estimate = count_live_sessions(db, 800);
    BOOST_TEST(!estimate.exact);
    BOOST_TEST(estimate.sampled == 800u);
    BOOST_TEST(estimate.live > 300u);
    BOOST_TEST(estimate.live < 700u);
    BOOST_TEST(estimate.stored > 1400u);
    BOOST_TEST(estimate.stored < 2600u);
    // A sample that wraps round the end of the id space reads every row.
    BOOST_TEST(count_live_sessions(db, 2000).exact == false);
    BOOST_TEST(count_live_sessions(db, 2000).sampled == 2000u);
}

namespace {

// Rows the server read for this connection (index lookups, index and table
// scans, temporary tables: each row can count two or three times) while
// `body` ran, less the measurement's own.
std::uint64_t rows_read(Database& db, const std::function<void()>& body) {
    const auto reads = [&] {
        std::unique_ptr<sql::ResultSet> rs(
            db.prepare("SELECT SUM(VARIABLE_VALUE) FROM information_schema.SESSION_STATUS "
                       "WHERE VARIABLE_NAME LIKE 'HANDLER\\_READ\\_%'")
                .executeQuery());
        rs->next();
        return rs->getUInt64(1);
    };
    const auto r0 = reads();
    const auto r1 = reads();
    body();
    const auto r2 = reads();
    return r2 - r1 - (r1 - r0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(console_pages_read_a_bounded_number_of_rows) {
    // 3,000 users, 20,000 sessions (a quarter live), 400 of them one user's,
    // and 3,000 audit rows: each console read stays within a bound that does
    // not grow with the tables.
    db.execute(
        "INSERT INTO users (email, password_hash, active, fs_uniquifier) "
        "SELECT CONCAT('bulk-', LPAD(seq, 5, '0'), '@example.com'), 'x', seq % 10 <> 0, "
        "CONCAT('bulk', LPAD(seq, 39, '0')) FROM seq_1_to_3000");
    db.execute(
        "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u "
        "JOIN roles r ON r.name = 'User' WHERE u.email LIKE 'bulk-%'");
    db.execute(
        "INSERT INTO sessions (id, user_id, user_uniquifier, csrf_secret, created_at, "
        "idle_expires_at, absolute_expires_at) SELECT UNHEX(SHA2(CONCAT('b-', seq), 256)), "
        "u.id, u.fs_uniquifier, UNHEX(SHA2(seq, 256)), NOW() - INTERVAL seq SECOND, "
        "IF(seq % 4 = 0, NOW() + INTERVAL 1 HOUR, NOW() - INTERVAL 1 HOUR), "
        "NOW() + INTERVAL 2 HOUR FROM seq_1_to_20000 s JOIN users u "
        "ON u.email = CONCAT('bulk-', LPAD(IF(s.seq <= 400, 1, s.seq % 3000 + 1), 5, '0'), "
        "'@example.com')");
    db.execute(
        "INSERT INTO audit_log (actor_user_id, actor, action, target) "
        "SELECT IF(seq % 2, NULL, u.id), 'web', 'login', u.email FROM seq_1_to_3000 s "
        "JOIN users u ON u.email = CONCAT('bulk-', LPAD(IF(seq % 3 = 0, 1, seq), 5, '0'), "
        "'@example.com')");
    const auto bulk1 = find_user_by_email(db, "bulk-00001@example.com")->id;

    const auto bounded = [&](const char* what, std::uint64_t bound,
                             const std::function<void()>& body) {
        const auto n = rows_read(db, body);
        BOOST_TEST_INFO(what << ": " << n << " rows read");
        BOOST_TEST(n <= bound);
    };
    bounded("overview with a 500-row session sample", 600,
            [&] { BOOST_TEST(!console_overview(db, 500).sessions.exact); });
    bounded("latest events", 60, [&] { BOOST_TEST(latest_audit_events(db, 20).size() == 20u); });
    bounded("roles", 20, [&] { console_roles(db); });
    UserListQuery q;
    bounded("first page", 60, [&] { BOOST_TEST(find_users(db, q).users.size() == 20u); });
    q.after = "bulk-02500@example.com";
    bounded("deep page", 60, [&] { BOOST_TEST(find_users(db, q).users.size() == 20u); });
    q.after.clear();
    q.before = "bulk-02500@example.com";
    bounded("deep page backwards", 60, [&] { BOOST_TEST(find_users(db, q).has_prev); });
    q.before.clear();
    q.prefix = "bulk-0299";
    bounded("narrow search", 60, [&] { BOOST_TEST(find_users(db, q).matches == 10u); });
    q.prefix = "bulk-";
    bounded("broad search (count capped)", 2 * kMatchCountCap + 100, [&] {
        const auto page = find_users(db, q);
        BOOST_TEST(page.matches_capped);
        BOOST_TEST(page.users.size() == 20u);
    });
    bounded("a user's sessions (400 rows of theirs)", 3 * kSessionScan + 60,
            [&] { BOOST_TEST(live_sessions_of(db, bulk1).size() == 50u); });
    bounded("a user's events (1,000 about them)", 200, [&] {
        BOOST_TEST(audit_events_of(db, bulk1, "bulk-00001@example.com", 20).size() == 20u);
    });
}

// Issue 19: saving the Admin role without `database` closed /admin/roles to
// everyone. The console's permissions must stay with an active Admin.
BOOST_AUTO_TEST_CASE(the_console_permissions_stay_with_an_active_admin) {
    ConsoleActor guarded = actor();
    guarded.console_permissions = {"database"};
    BOOST_TEST(refusal_status([&] {
                   console_update_role(db, guarded, "Admin", "Administrators", {"read", "write"});
               }) == 409);
    BOOST_TEST((find_role(db, "Admin")->permissions ==
                std::vector<std::string>{"database", "read", "write"}));
    BOOST_TEST(count_console_admins(db, {"database"}) == 1u);

    // The permission may come from another role: taking that role away is guarded too.
    create_role(db, "Dba", "Database", {"database"});
    add_role_to_user(db, admin, "Dba");
    console_update_role(db, guarded, "Admin", "Administrators", {"read", "write"});
    BOOST_TEST(count_console_admins(db, {"database"}) == 1u);
    BOOST_TEST(refusal_status([&] { console_revoke_role(db, guarded, admin, "Dba"); }) == 409);
    BOOST_TEST(count_console_admins(db, {"database"}) == 1u);

    // A second console administrator: now the first may lose it.
    console_grant_role(db, guarded, user, "Admin");
    console_grant_role(db, guarded, user, "Dba");
    BOOST_TEST(refusal_status([&] { console_revoke_role(db, guarded, admin, "Dba"); }) == 0);
    BOOST_TEST(count_console_admins(db, {"database"}) == 1u);
    // ... but not by deactivating the second one.
    BOOST_TEST(refusal_status([&] { console_set_active(db, guarded, user, false); }) == 409);
    BOOST_TEST(find_user_by_id(db, user)->active);
}

BOOST_AUTO_TEST_SUITE_END()
