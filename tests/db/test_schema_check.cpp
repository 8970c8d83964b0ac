// mfo-db check [--fix], in the scratch database (MFO_TEST_SCRATCH_DB) with
// the real migrations: inconsistencies made by hand-written SQL, as a DBA
// might, then found, fixed and found no more.

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <memory>
#include <set>

#include "db_test_support.hpp"
#include "migrations.hpp"
#include "schema_check.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

struct CheckedDatabase {
    CheckedDatabase() : db(scratch_database_config(), DbAccount::admin) {
        recreate_scratch_schema(db);
        // Consistent to start with: the triggers and the role copy see these.
        db.execute(
            "INSERT INTO users (id, email, password_hash, active, fs_uniquifier) VALUES "
            "(1, 'a@x.test', 'h', 1, REPEAT('a', 43)), (2, 'b@x.test', 'h', 0, REPEAT('b', 43)), "
            "(3, 'c@x.test', 'h', 1, REPEAT('c', 43))");
        db.execute(
            "INSERT INTO roles (id, name, permissions) VALUES "
            "(1, 'User', 'read'), (2, 'Admin', 'database,write')");
        db.execute("INSERT INTO user_roles (user_id, role_id) VALUES (1, 1), (1, 2), (2, 1)");
        rebuild_role_copies();
    }

    void rebuild_role_copies() { fix_invariants(db, "test"); }

    CommandResult tool(const std::vector<std::string>& args) {
        ToolRun run;
        run.args = args;
        run.env = {"MFO_DATABASE_NAME=" + scratch_database_config().name,
                   "MFO_DATABASE_MIGRATIONS_DIR=" MFO_SOURCE_DIR "/sql/migrations"};
        return run_tool("mfo-db", run);
    }

    Database db;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(schema_check, CheckedDatabase)

BOOST_AUTO_TEST_CASE(a_consistent_database_passes) {
    BOOST_TEST(check_invariants(db).empty());
    const auto r = tool({"check"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "OK: role copies and counters agree with user_roles and users.\n");
    const auto fix = tool({"check", "--fix"});
    BOOST_TEST(fix.status == 0, fix.err);
    BOOST_TEST(fix.out == "Nothing to fix: role copies and counters agree.\n");
}

BOOST_AUTO_TEST_CASE(each_broken_invariant_is_reported_then_fixed) {
    // Role copies edited by hand (names, permissions), a grant behind the
    // copy's back (the trigger still counts it), the user counter and a
    // role's member counter off (as after a load with triggers bypassed).
    db.execute("UPDATE users SET role_permissions = 'x' WHERE id = 1");
    db.execute("UPDATE users SET role_names = 'Admin' WHERE id = 2");
    db.execute("INSERT INTO user_roles (user_id, role_id) VALUES (3, 2)");
    db.execute("UPDATE user_counts SET users = 7 WHERE id = 1");
    db.execute("UPDATE role_member_counts SET members = 9 WHERE role_id = 1");

    const auto r = tool({"check"});
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(contains(r.out, "role_cache: 3 user(s) whose copy of their roles"), r.out);
    BOOST_TEST(contains(r.out, "(e.g. 1 a@x.test; 2 b@x.test; 3 c@x.test)"), r.out);
    BOOST_TEST(contains(r.out, "user_counts: 1 counter row(s)"), r.out);
    BOOST_TEST(contains(r.out, "users 7 counted, 3 real"), r.out);
    BOOST_TEST(contains(r.out, "role_member_counts: 1 role(s)"), r.out);
    BOOST_TEST(contains(r.out, "(e.g. User 9 counted, 2 real)"), r.out);
    BOOST_TEST(contains(r.out, "3 broken invariant(s); nothing was changed."), r.out);
    BOOST_TEST(tool({"check"}).out == r.out, "check changes nothing");

    const auto fix = tool({"check", "--fix"});
    BOOST_TEST(fix.status == 0, fix.err);
    BOOST_TEST(contains(fix.out, "Fixed role_cache: 3 user(s)"), fix.out);
    BOOST_TEST(contains(fix.out, "Fixed user_counts: "), fix.out);
    BOOST_TEST(contains(fix.out, "Fixed role_member_counts: "), fix.out);
    BOOST_TEST(contains(fix.out, "Fixed 3 invariant(s) in one transaction"), fix.out);
    for (const auto& invariant : {"role_cache", "user_counts", "role_member_counts"}) {
        BOOST_TEST(count_audit_rows(db, "cli:mfo-db", "schema.fix", invariant) == 1u, invariant);
    }

    const auto again = tool({"check"});
    BOOST_TEST(again.status == 0, again.out);
    BOOST_TEST(check_invariants(db).empty());
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT role_names, role_permissions FROM users WHERE id = 3").executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getString(1).asStdString() == "Admin");
    BOOST_TEST(rs->getString(2).asStdString() == "database,write");
}

BOOST_AUTO_TEST_CASE(a_deleted_user_counts_row_is_found_and_restored) {
    db.execute("DELETE FROM user_counts");
    const auto r = tool({"check"});
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(contains(r.out, "the row is missing (users 3, active 2)"), r.out);
    BOOST_TEST(tool({"check", "--fix"}).status == 0);
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT users, active_users FROM user_counts WHERE id = 1").executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getInt(1) == 3);
    BOOST_TEST(rs->getInt(2) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
