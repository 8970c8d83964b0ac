// The tools in a database of their own (the scratch one, migrated and seeded
// by mfo-db): the last active Admin stays, and a .env in the working
// directory is announced.

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <memory>

#include "db_test_support.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

// The scratch database with the real schema and roles; the tools log in as
// the DDL account there (the application account has no rights on it).
struct ScratchApp {
    ScratchApp() : db(scratch_database_config(), DbAccount::admin) {
        db.execute("SET FOREIGN_KEY_CHECKS = 0");
        std::unique_ptr<sql::ResultSet> rs(
            db.prepare("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = DATABASE()")
                .executeQuery());
        std::vector<std::string> names;
        while (rs->next()) names.push_back(rs->getString(1).asStdString());
        for (const auto& table : names) db.execute("DROP TABLE `" + table + "`");
        db.execute("SET FOREIGN_KEY_CHECKS = 1");
        const auto created = tool("mfo-db", {"create"});
        BOOST_REQUIRE_MESSAGE(created.status == 0, created.err);
    }

    CommandResult tool(const std::string& name, const std::vector<std::string>& args,
                       const std::vector<std::string>& extra_env = {}) {
        ToolRun run;
        run.args = args;
        run.env = {"MFO_DATABASE_NAME=" + scratch_database_config().name,
                   "MFO_DATABASE_MIGRATIONS_DIR=" MFO_SOURCE_DIR "/sql/migrations",
                   "MFO_DATABASE_USER=" + test_config().database.admin_user,
                   "MFO_DATABASE_PASSWORD=" + test_config().database.admin_password,
                   "MFO_SECURITY_ARGON2_MEMORY_KIB=64",
                   "MFO_SECURITY_ARGON2_ITERATIONS=1"};
        run.env.insert(run.env.end(), extra_env.begin(), extra_env.end());
        return run_tool(name, run);
    }

    CommandResult make_admin(const std::string& email) {
        return tool("mfo-users", {"create", email, "--active", "--role", "Admin", "--password",
                                  "Fest1val-Adm1n-" + unique_suffix()});
    }

    Database db;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(last_admin, ScratchApp)

BOOST_AUTO_TEST_CASE(the_last_active_admin_cannot_be_deactivated_or_lose_the_role) {
    const std::string first = "first-admin@example.com";
    const std::string second = "second-admin@example.com";
    BOOST_REQUIRE(make_admin(first).status == 0);

    expect_failure(tool("mfo-users", {"deactivate", first}), 1,
                   "mfo-users: error: User \"" + first +
                       "\" is the last active Admin: make another user an Admin first.");
    expect_failure(tool("mfo-roles", {"remove", first, "Admin"}), 1,
                   "mfo-roles: error: User \"" + first +
                       "\" is the last active Admin: make another user an Admin first.");
    BOOST_TEST(count_rows(db, "user_roles") == 1u);

    // With a second active Admin, either may go.
    BOOST_REQUIRE(make_admin(second).status == 0);
    auto r = tool("mfo-users", {"deactivate", first});
    BOOST_TEST(r.status == 0, r.err);
    expect_failure(tool("mfo-users", {"deactivate", second}), 1,
                   "mfo-users: error: User \"" + second + "\" is the last active Admin");
    r = tool("mfo-roles", {"add", first, "User"});
    BOOST_TEST(r.status == 0, r.err);
    // An inactive Admin may lose the role: the active one remains.
    r = tool("mfo-roles", {"remove", first, "Admin"});
    BOOST_TEST(r.status == 0, r.err);
}

BOOST_AUTO_TEST_CASE(a_dotenv_that_changes_a_security_setting_is_announced) {
    // The Flask project's .env: its salt would pepper the hash silently.
    TempDir cwd;
    write_file(cwd.path() / ".env", "SECURITY_PASSWORD_SALT=flask-salt\nOTHER=1\n");
    ToolRun run;
    run.args = {"list"};
    run.env = {"MFO_DATABASE_NAME=" + scratch_database_config().name,
               "MFO_DATABASE_USER=" + test_config().database.admin_user,
               "MFO_DATABASE_PASSWORD=" + test_config().database.admin_password};
    run.cwd = cwd.path().string();
    const auto r = run_tool("mfo-users", run);
    BOOST_TEST(r.status == 0, r.err);
    const std::string dotenv = (cwd.path() / ".env").string();
    BOOST_TEST(contains(r.err, "mfo-users: warning: [security] password_pepper from " + dotenv +
                                   ":1 (SECURITY_PASSWORD_SALT)"),
               r.err);

    // Without a .env: no warning.
    run.cwd.clear();
    const auto plain = run_tool("mfo-users", run);
    BOOST_TEST(plain.status == 0, plain.err);
    BOOST_TEST(!contains(plain.err, "warning"), plain.err);
}

BOOST_AUTO_TEST_CASE(purge_keeps_the_audit_log_for_the_days_given) {
    db.execute(
        "INSERT INTO audit_log (created_at, actor, action, target) VALUES "
        "(NOW() - INTERVAL 40 DAY, 'test', 'old.row', 'a'), "
        "(NOW() - INTERVAL 20 DAY, 'test', 'kept.row', 'b'), (NOW(), 'test', 'new.row', 'c')");
    auto r = tool("mfo-db", {"purge-sessions"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(count_rows(db, "audit_log") >= 3u);  // kept without --audit-days
    r = tool("mfo-db", {"purge-sessions", "--audit-days", "30", "--batch", "1"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "Removed 1 audit log row(s) older than 30 day(s)."), r.out);
    BOOST_TEST(count_audit_rows(db, "test", "old.row", "a") == 0u);
    BOOST_TEST(count_audit_rows(db, "test", "kept.row", "b") == 1u);
    BOOST_TEST(count_audit_rows(db, "test", "new.row", "c") == 1u);
    expect_failure(tool("mfo-db", {"purge-sessions", "--audit-days", "x"}), 2,
                   "mfo-db: error: --audit-days must be a number");
}

BOOST_AUTO_TEST_SUITE_END()

// The accounts of README Deployment, made by scripts/test from `mfo-db
// grants`: the tools work through them, and the worker's may not delete
// audit rows or touch the migration history.
BOOST_AUTO_TEST_SUITE(least_privilege)

BOOST_AUTO_TEST_CASE(the_tools_work_with_the_granted_tables_only) {
    const char* lp_user = std::getenv("MFO_TEST_LP_APP_USER");
    const char* purge_user = std::getenv("MFO_TEST_LP_PURGE_USER");
    BOOST_REQUIRE_MESSAGE(lp_user && purge_user, "scripts/test makes the least-privilege accounts");
    const std::string password = test_config().database.password;
    Database app(test_config().database, DbAccount::app);
    const std::string email = unique_email("lp");
    const std::string role = "T_lp_" + unique_suffix();
    auto as_lp = [&](const std::string& tool, const std::vector<std::string>& args) {
        ToolRun run;
        run.args = args;
        run.env = {std::string("MFO_DATABASE_USER=") + lp_user, "MFO_DATABASE_PASSWORD=" + password,
                   "MFO_SECURITY_ARGON2_MEMORY_KIB=64", "MFO_SECURITY_ARGON2_ITERATIONS=1"};
        return run_tool(tool, run);
    };
    struct Cleanup {
        Database& db;
        std::string email, role;
        ~Cleanup() {
            try {
                delete_user(db, email);
                delete_role(db, role);
            } catch (const std::exception&) {
            }
        }
    } cleanup{app, email, role};

    for (const auto& [tool, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"mfo-users", {"create", email, "--active", "--password", "Least-Priv-" + role}},
             {"mfo-roles", {"create", role, "-p", "read"}},
             {"mfo-roles", {"add", email, role}},
             {"mfo-roles", {"add-permissions", role, "write"}},
             {"mfo-roles", {"remove", email, role}},
             {"mfo-users", {"deactivate", email}},
             {"mfo-users", {"activate", email}},
             {"mfo-users", {"change-password", email, "--password", "Least-Priv-2-" + role}},
             {"mfo-users", {"revoke-sessions", email}},
             {"mfo-users", {"list"}},
             {"mfo-roles", {"list"}}}) {
        const auto r = as_lp(tool, args);
        BOOST_TEST(r.status == 0, tool << " " << args[0] << ": " << r.err);
    }

    ToolRun purge;
    purge.args = {"purge-sessions", "--audit-days", "3650"};
    purge.env = {std::string("MFO_DATABASE_ADMIN_USER=") + purge_user,
                 "MFO_DATABASE_ADMIN_PASSWORD=" + password};
    const auto purged = run_tool("mfo-db", purge);
    BOOST_TEST(purged.status == 0, purged.err);

    DatabaseConfig lp = test_config().database;
    lp.user = lp_user;
    lp.password = password;
    Database worker(lp, DbAccount::app);
    for (const std::string statement :
         {"DELETE FROM audit_log WHERE id = 0", "UPDATE schema_migrations SET name = name",
          "DELETE FROM users WHERE id = 0", "CREATE TABLE lp_t (id INT)"}) {
        int code = 0;
        try {
            worker.execute(statement);
        } catch (const sql::SQLException& e) {
            code = e.getErrorCode();
        }
        BOOST_TEST((code == 1142 || code == 1044), statement << ": error " << code);
    }
}

BOOST_AUTO_TEST_SUITE_END()
