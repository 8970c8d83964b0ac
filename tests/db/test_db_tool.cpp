// mfo-db against the application database: seed, create, purge-sessions.
// (Migrations are tested in the scratch database: test_migrations.cpp.)

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <memory>

#include "app_data_fixture.hpp"
#include "crypto.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

const std::string kOnlyInDatabase = "\" exists only in the database";

struct SeedFixture : AppData {
    // A roles file of this test's own roles, for `mfo-db seed`. The lines
    // about roles of the shared database missing from that file (all the
    // others) are kept apart in `only_in_database`.
    CommandResult seed(const std::string& roles_text, const std::string& command = "seed") {
        write_file(roles_file, roles_text);
        ToolRun run;
        run.args = {command};
        run.env = {"MFO_APP_ROLES=" + roles_file.string()};
        CommandResult r = run_tool("mfo-db", run);
        std::string kept;
        only_in_database.clear();
        std::size_t start = 0;
        while (start < r.out.size()) {
            auto end = r.out.find('\n', start);
            end = end == std::string::npos ? r.out.size() : end + 1;
            const std::string line = r.out.substr(start, end - start);
            (line.find(kOnlyInDatabase) == std::string::npos ? kept : only_in_database) += line;
            start = end;
        }
        r.out = kept;
        return r;
    }

    std::string only_in_database;

    TempDir dir;
    std::filesystem::path roles_file = dir.path() / "roles.conf";
};

std::string insert_throttle(Database& db, int window_age_seconds, int lock_seconds_left) {
    const std::string key = crypto::random_bytes(32);
    auto& st = db.prepare(
        "INSERT INTO login_throttle (account_key, failures, window_start, locked_until) "
        "VALUES (?, 3, NOW() - INTERVAL ? SECOND, NOW() + INTERVAL ? SECOND)");
    st.setString(1, key);
    st.setInt(2, window_age_seconds);
    st.setInt(3, lock_seconds_left);
    st.executeUpdate();
    return key;
}

bool throttle_exists(Database& db, const std::string& key) {
    auto& st = db.prepare("SELECT COUNT(*) FROM login_throttle WHERE account_key = ?");
    st.setString(1, key);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() && rs->getInt(1) > 0;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_tool, SeedFixture)

BOOST_AUTO_TEST_CASE(seed_is_find_or_create_and_reports_changes) {
    const auto a = role_name_for("seedA");
    const auto b = role_name_for("seedB");
    const std::string original = "[" + a +
                                 "]\ndescription = Normal users\npermissions = read, write\n\n[" +
                                 b + "]\ndescription = Administrators\npermissions = read,write\n";
    auto r = seed(original);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Role \"" + a + "\" created.\nRole \"" + b + "\" created.\n");
    BOOST_TEST((find_role(app, a)->permissions == std::vector<std::string>{"read", "write"}));

    r = seed(original);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Role \"" + a + "\" unchanged.\nRole \"" + b + "\" unchanged.\n");

    r = seed("[" + a + "]\ndescription = Normal users\npermissions = read, write\n\n[" + b +
             "]\ndescription = Administrators\npermissions = read,write,database\n");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Role \"" + a + "\" unchanged.\nRole \"" + b +
                            "\" updated: permissions read,write -> database,read,write.\n");
    BOOST_TEST(
        (find_role(app, b)->permissions == std::vector<std::string>{"database", "read", "write"}));

    r = seed("[" + a + "]\ndescription = Plain users\npermissions = read\n");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Role \"" + a +
                            "\" updated: description \"Normal users\" -> \"Plain users\", "
                            "permissions read,write -> read.\n");
    BOOST_TEST(find_role(app, b).has_value(), "roles missing from the file stay");
    // ... and are reported: access.conf may name only the file's roles.
    BOOST_TEST(contains(only_in_database, "Role \"" + b + kOnlyInDatabase +
                                              " (not in the roles file): access.conf rules "
                                              "cannot name it.\n"),
               only_in_database);
    BOOST_TEST(!contains(only_in_database, "Role \"" + a + "\""), only_in_database);
}

BOOST_AUTO_TEST_CASE(seed_reports_roles_file_errors_with_line) {
    std::string text = "[";
    text.append(role_name_for("bad")).append("]\ncolour = blue\n");
    const auto r = seed(text);
    expect_failure(r, 1, "mfo-db: error: " + roles_file.string() + ":2: unknown key \"colour\"");
}

BOOST_AUTO_TEST_CASE(create_migrates_then_seeds) {
    const auto a = role_name_for("create");
    const auto r = seed("[" + a + "]\npermissions = read\n", "create");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out ==
               "Nothing to apply: the database is up to date.\nRole \"" + a + "\" created.\n");
}

BOOST_AUTO_TEST_CASE(migrate_and_status_on_an_up_to_date_database) {
    auto r = run_tool("mfo-db", {"migrate"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Nothing to apply: the database is up to date.\n");
    r = run_tool("mfo-db", {"migrate", "--dry-run"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "no migration would be applied"), r.out);
    r = run_tool("mfo-db", {"status"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "0001_initial_schema"), r.out);
    BOOST_TEST(contains(r.out, " 0 pending."), r.out);
}

BOOST_AUTO_TEST_CASE(purge_removes_only_expired_rows) {
    const auto id = make_user("purge");
    const auto uq = user(emails.back()).fs_uniquifier;
    const auto live = insert_session(app, id, uq);
    const auto idle_expired = insert_session(app, id, uq, -60, 3600);
    const auto absolute_expired = insert_session(app, id, uq, 600, -60);
    const auto more_expired = insert_session(app, id, uq, -1, -1);
    const auto stale = insert_throttle(app, 3 * 86400, -2 * 86400);
    const auto locked = insert_throttle(app, 3 * 86400, 600);
    const auto recent = insert_throttle(app, 10, -10);

    const auto r = run_tool("mfo-db", {"purge-sessions", "--batch", "1"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out.rfind("Removed ", 0) == 0u, r.out);
    BOOST_TEST(contains(r.out, "expired session(s) and "), r.out);
    BOOST_TEST(session_exists(app, live));
    BOOST_TEST(!session_exists(app, idle_expired));
    BOOST_TEST(!session_exists(app, absolute_expired));
    BOOST_TEST(!session_exists(app, more_expired));
    BOOST_TEST(!throttle_exists(app, stale));
    BOOST_TEST(throttle_exists(app, locked), "an account still locked keeps its row");
    BOOST_TEST(throttle_exists(app, recent), "a window still open keeps its row");
    // At least our three sessions were counted.
    const auto count = std::stoull(r.out.substr(8));
    BOOST_TEST(count >= 3u);

    const auto again = run_tool("mfo-db", {"purge_sessions"});
    BOOST_TEST(again.status == 0, again.err);

    expect_failure(run_tool("mfo-db", {"purge-sessions", "--batch", "0"}), 2,
                   "mfo-db: error: --batch must be a number");
    expect_failure(run_tool("mfo-db", {"purge-sessions", "--batch", "x"}), 2,
                   "mfo-db: error: --batch must be a number");
    for (const auto& key : {locked, recent}) {
        auto& st = app.prepare("DELETE FROM login_throttle WHERE account_key = ?");
        st.setString(1, key);
        st.executeUpdate();
    }
}

BOOST_AUTO_TEST_CASE(help_for_every_command) {
    ToolRun run;
    run.with_config = false;
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--help"},
                                               {"migrate", "--help"},
                                               {"status", "--help"},
                                               {"repair", "--help"},
                                               {"baseline", "--help"},
                                               {"check", "--help"},
                                               {"seed", "--help"},
                                               {"create", "--help"},
                                               {"purge-sessions", "--help"}}) {
        run.args = args;
        const auto r = run_tool("mfo-db", run);
        BOOST_TEST(r.status == 0, args[0] << ": " << r.err);
        BOOST_TEST(r.out.rfind("usage: mfo-db", 0) == 0u, r.out);
        BOOST_TEST(r.err.empty(), r.err);
    }
    expect_failure(run_tool("mfo-db", {"migrate", "extra"}), 2,
                   "mfo-db: error: unexpected argument 'extra'");
}

BOOST_AUTO_TEST_SUITE_END()
