// The admin console's guards, in a database of its own (the scratch schema),
// where "the last active Admin" can be set up without touching the app's users.

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
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
        std::set<std::string> names;
        {
            std::unique_ptr<sql::ResultSet> rs(
                db.prepare("SELECT table_name FROM information_schema.tables "
                           "WHERE table_schema = DATABASE()")
                    .executeQuery());
            while (rs->next()) names.insert(rs->getString(1).asStdString());
        }
        db.execute("SET FOREIGN_KEY_CHECKS = 0");
        for (const auto& table : names) db.execute("DROP TABLE `" + table + "`");
        db.execute("SET FOREIGN_KEY_CHECKS = 1");
        migrate(db, MFO_SOURCE_DIR "/sql/migrations", false, nullptr);
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

BOOST_AUTO_TEST_CASE(search_is_literal_and_paged) {
    for (int i = 0; i < 25; ++i) {
        create_user(db, "page" + std::to_string(100 + i) + "@example.com", "$argon2id$x", true);
    }
    create_user(db, "under_score@example.com", "$argon2id$x", true);
    auto page = find_users(db, "page", 0, 20);
    BOOST_TEST(page.total == 25u);
    BOOST_TEST(page.users.size() == 20u);
    BOOST_TEST(page.users.front().email == "page100@example.com");
    page = find_users(db, "page", 20, 20);
    BOOST_TEST(page.users.size() == 5u);
    BOOST_TEST(find_users(db, "_", 0, 20).total == 1u);  // '_' is not a wildcard
    BOOST_TEST(find_users(db, "%", 0, 20).total == 0u);
    BOOST_TEST(find_users(db, "PAGE1", 0, 20).total == 25u);  // case-insensitive
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
