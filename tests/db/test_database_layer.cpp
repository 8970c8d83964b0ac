// The Database class against the server: account privileges, unavailability
// and reconnection.

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "db_test_support.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

// Skips the restart test, visibly, where no command to restart is given.
struct RestartCommandGiven {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
        const char* cmd = std::getenv("MFO_TEST_RESTART_DB_CMD");
        if (cmd && *cmd) return true;
        const char* why =
            "SKIPPED: MFO_TEST_RESTART_DB_CMD is not set (a shell command that restarts "
            "mariadbd and waits until it accepts connections)";
        std::cerr << why << std::endl;
        boost::test_tools::assertion_result result(false);
        result.message() << why;
        return result;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(database_layer)

BOOST_AUTO_TEST_CASE(app_account_cannot_change_the_schema) {
    Database admin(test_config().database, DbAccount::admin);
    Database app(test_config().database, DbAccount::app);
    const std::string canary = "mfo_t_canary_" + unique_suffix();
    // Identifiers cannot be parameters; the name is made here.
    admin.execute("CREATE TABLE " + canary + " (id INT)");

    BOOST_CHECK_THROW(app.execute("CREATE TABLE mfo_t_nope_" + unique_suffix() + " (id INT)"),
                      sql::SQLException);
    BOOST_CHECK_THROW(app.execute("DROP TABLE " + canary), sql::SQLException);
    BOOST_CHECK_THROW(app.execute("ALTER TABLE users ADD COLUMN mfo_t_nope INT"),
                      sql::SQLException);
    BOOST_CHECK_THROW(app.execute("DROP TABLE users"), sql::SQLException);

    // The canary is still there, and the admin account may drop it.
    auto& exists = admin.prepare(
        "SELECT COUNT(*) FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = ?");
    exists.setString(1, canary);
    std::unique_ptr<sql::ResultSet> rs(exists.executeQuery());
    BOOST_TEST((rs->next() && rs->getInt(1) == 1));
    rs.reset();
    BOOST_CHECK_NO_THROW(admin.execute("DROP TABLE " + canary));
    // Data changes are what the app account is for.
    BOOST_CHECK_NO_THROW(app.execute("DELETE FROM sessions WHERE user_id = 0"));
}

BOOST_AUTO_TEST_CASE(unreachable_server_is_db_unavailable) {
    DatabaseConfig config = test_config().database;
    config.socket = "/nonexistent/mfo-test/mysql.sock";
    config.connect_timeout = 1;
    Database db(config, DbAccount::app);
    BOOST_CHECK_THROW(select_one(db), DbUnavailable);

    ToolRun run;
    run.args = {"list"};
    run.env = {"MFO_DATABASE_SOCKET=/nonexistent/mfo-test/mysql.sock"};
    for (const char* tool : {"mfo-users", "mfo-roles"}) {
        const auto result = run_tool(tool, run);
        BOOST_TEST(result.status == 1);
        BOOST_TEST(
            contains(result.err, std::string(tool) + ": error: cannot connect to the database ("),
            result.err);
        BOOST_TEST(result.err.find('\n') == result.err.size() - 1, "one line: " << result.err);
    }
    run.args = {"status"};
    const auto db_tool = run_tool("mfo-db", run);
    BOOST_TEST(db_tool.status == 1);
    BOOST_TEST(contains(db_tool.err, "mfo-db: error: cannot connect to the database ("),
               db_tool.err);
}

BOOST_AUTO_TEST_CASE(a_killed_connection_is_replaced_on_read) {
    Database db(test_config().database, DbAccount::app);
    BOOST_TEST(select_one(db) == 1);
    // Kill our own connection from a second one, as a server restart would.
    std::uint64_t id = 0;
    db.read([&](Database& d) {
        std::unique_ptr<sql::ResultSet> rs(d.prepare("SELECT CONNECTION_ID()").executeQuery());
        if (rs->next()) id = rs->getUInt64(1);
    });
    // An account may always kill its own threads.
    Database other(test_config().database, DbAccount::app);
    auto& kill = other.prepare("KILL CONNECTION ?");
    kill.setUInt64(1, id);
    kill.execute();
    BOOST_TEST(select_one(db) == 1);
}

BOOST_AUTO_TEST_CASE(survives_a_server_restart,
                     *boost::unit_test::precondition(RestartCommandGiven())) {
    Database db(test_config().database, DbAccount::app);
    BOOST_TEST(select_one(db) == 1);
    const auto restart = [] {
        const int rc = std::system(std::getenv("MFO_TEST_RESTART_DB_CMD"));
        BOOST_REQUIRE_MESSAGE(rc == 0, "MFO_TEST_RESTART_DB_CMD failed with status " << rc);
    };
    restart();
    // The old connection is dead; the next read reconnects and succeeds.
    BOOST_TEST(select_one(db) == 1);
    // And writes work again on the new connection.
    BOOST_CHECK_NO_THROW(db.write(
        [](Database& d) { d.prepare("DELETE FROM sessions WHERE user_id = 0").executeUpdate(); }));

    // A write as the first statement after a restart: writes are never
    // retried, so the connection must be found dead (ping) and replaced
    // before the statement is sent, not fail the user's request.
    restart();
    BOOST_CHECK_NO_THROW(db.write(
        [](Database& d) { d.prepare("DELETE FROM sessions WHERE user_id = 0").executeUpdate(); }));
    BOOST_TEST(select_one(db) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
