// The migration runner, in the scratch database (MFO_TEST_SCRATCH_DB), which
// every test empties first.

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "db_test_support.hpp"
#include "migrations.hpp"
#include "tool_expectations.hpp"

namespace fs = std::filesystem;
using namespace mfo;
using namespace mfo::test;

namespace {

const std::string kRealMigrations = MFO_SOURCE_DIR "/sql/migrations";

std::set<std::string> tables(Database& db) {
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = DATABASE()")
            .executeQuery());
    std::set<std::string> names;
    while (rs->next()) names.insert(rs->getString(1).asStdString());
    return names;
}

struct ScratchDatabase {
    ScratchDatabase() : db(scratch_database_config(), DbAccount::admin) {
        // Identifiers cannot be parameters; these come from the server itself.
        db.execute("SET FOREIGN_KEY_CHECKS = 0");
        for (const auto& table : tables(db)) db.execute("DROP TABLE `" + table + "`");
        db.execute("SET FOREIGN_KEY_CHECKS = 1");
    }

    // The real migrations copied, so that a test may change them.
    void copy_real_migrations() {
        for (const auto& entry : fs::directory_iterator(kRealMigrations)) {
            fs::copy_file(entry.path(), dir.path() / entry.path().filename());
        }
    }

    std::string message_of_failed_migrate() {
        try {
            migrate(db, dir.path().string(), false, nullptr);
        } catch (const MigrationError& e) {
            return e.what();
        }
        return "";
    }

    // The same through the tool, pointed at the scratch database.
    CommandResult tool(const std::vector<std::string>& args) {
        ToolRun run;
        run.args = args;
        run.env = {"MFO_DATABASE_NAME=" + scratch_database_config().name,
                   "MFO_DATABASE_MIGRATIONS_DIR=" + dir.path().string()};
        return run_tool("mfo-db", run);
    }

    Database db;
    TempDir dir;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(migrations, ScratchDatabase)

BOOST_AUTO_TEST_CASE(every_migration_applies_on_an_empty_database) {
    const auto result = migrate(db, kRealMigrations, false, nullptr);
    BOOST_TEST(result.applied.size() == list_migration_files(kRealMigrations).size());
    const auto names = tables(db);
    for (const char* table : {"schema_migrations", "users", "roles", "user_roles", "sessions",
                              "login_throttle", "audit_log"}) {
        BOOST_TEST(names.count(table) == 1u, "missing table " << table);
    }
    BOOST_TEST(count_rows(db, "schema_migrations") == result.applied.size());
    for (const auto& entry : migration_status(db, kRealMigrations)) {
        BOOST_TEST((entry.state == MigrationState::applied), entry.name);
        BOOST_TEST(entry.applied_at.size() == 19u);
    }
}

BOOST_AUTO_TEST_CASE(migrate_twice_is_a_no_op) {
    migrate(db, kRealMigrations, false, nullptr);
    const auto before = count_rows(db, "schema_migrations");
    const auto again = migrate(db, kRealMigrations, false, nullptr);
    BOOST_TEST(again.applied.empty());
    BOOST_TEST(again.sql.empty());
    BOOST_TEST(count_rows(db, "schema_migrations") == before);
}

BOOST_AUTO_TEST_CASE(recorded_checksum_is_the_files_sha256) {
    copy_real_migrations();
    migrate(db, dir.path().string(), false, nullptr);
    const auto files = list_migration_files(dir.path().string());
    BOOST_REQUIRE(!files.empty());
    auto& st = db.prepare("SELECT checksum, name FROM schema_migrations WHERE version = ?");
    st.setInt(1, files.front().version);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getString(1).asStdString() == files.front().checksum);
    BOOST_TEST(rs->getString(1).asStdString().size() == 64u);
    BOOST_TEST(rs->getString(2).asStdString() == files.front().name);
}

BOOST_AUTO_TEST_CASE(a_changed_applied_migration_is_refused) {
    copy_real_migrations();
    migrate(db, dir.path().string(), false, nullptr);
    const auto first = list_migration_files(dir.path().string()).front();
    std::ofstream(first.path, std::ios::app) << "-- an edit after the fact\n";
    write_file(dir.path() / "9999_never_applied.sql", "CREATE TABLE never_applied (id INT);\n");

    const std::string message = message_of_failed_migrate();
    BOOST_TEST(contains(message, first.path + " was changed after it was applied"), message);
    BOOST_TEST(tables(db).count("never_applied") == 0u, "nothing may be applied after a refusal");

    const auto status = migration_status(db, dir.path().string());
    BOOST_TEST((status.front().state == MigrationState::changed));

    const auto cli = tool({"migrate"});
    BOOST_TEST(cli.status == 1);
    BOOST_TEST(contains(cli.err, "mfo-db: error: migration "), cli.err);
    BOOST_TEST(contains(cli.err, "was changed after it was applied"), cli.err);
    const auto cli_status = tool({"status"});
    BOOST_TEST(cli_status.status == 1);
    BOOST_TEST(contains(cli_status.out, "CHANGED"), cli_status.out);
}

BOOST_AUTO_TEST_CASE(a_missing_applied_migration_is_refused) {
    copy_real_migrations();
    write_file(dir.path() / "9000_extra.sql", "CREATE TABLE extra_table (id INT);\n");
    migrate(db, dir.path().string(), false, nullptr);
    fs::remove(dir.path() / "9000_extra.sql");

    const std::string message = message_of_failed_migrate();
    BOOST_TEST(contains(message, "migration 9000_extra was applied on"), message);
    BOOST_TEST(contains(message, "its file is missing"), message);
    const auto status = migration_status(db, dir.path().string());
    BOOST_TEST((status.back().state == MigrationState::missing));
    BOOST_TEST(tool({"migrate"}).status == 1);
}

BOOST_AUTO_TEST_CASE(dry_run_changes_nothing) {
    copy_real_migrations();
    const auto plan = migrate(db, dir.path().string(), true, nullptr);
    BOOST_TEST(tables(db).empty(), "a dry run created tables");
    BOOST_TEST(contains(plan.sql, "CREATE TABLE IF NOT EXISTS schema_migrations"));
    BOOST_TEST(contains(plan.sql, "CREATE TABLE users"));
    BOOST_TEST(plan.applied.size() == list_migration_files(dir.path().string()).size());

    // With some applied: only the pending one is shown, and it stays pending.
    migrate(db, dir.path().string(), false, nullptr);
    write_file(dir.path() / "9001_pending.sql", "CREATE TABLE pending_table (id INT);\n");
    const auto cli = tool({"migrate", "--dry-run"});
    BOOST_TEST(cli.status == 0, cli.err);
    BOOST_TEST(contains(cli.out, "CREATE TABLE pending_table (id INT);"), cli.out);
    BOOST_TEST(!contains(cli.out, "CREATE TABLE users"), cli.out);
    BOOST_TEST(tables(db).count("pending_table") == 0u);
    BOOST_TEST((migration_status(db, dir.path().string()).back().state == MigrationState::pending));

    const auto applied = tool({"migrate"});
    BOOST_TEST(applied.status == 0, applied.err);
    BOOST_TEST(contains(applied.out, "Applying 9001_pending ... done."), applied.out);
    BOOST_TEST(tables(db).count("pending_table") == 1u);
    const auto again = tool({"migrate"});
    BOOST_TEST(contains(again.out, "Nothing to apply"), again.out);
}

BOOST_AUTO_TEST_CASE(pending_migrations_apply_in_order_with_comments) {
    write_file(
        dir.path() / "0002_fill.sql",
        "-- fills the table\nINSERT INTO ordered (id, note) VALUES\n"
        "    (1, 'a;b'),\n    -- inside\n    (2, 'c');\n\nINSERT INTO ordered (id) VALUES (3);\n");
    write_file(dir.path() / "0001_create.sql",
               "-- a comment line; with a semicolon;\nCREATE TABLE ordered (\n"
               "    id INT PRIMARY KEY,\n    note VARCHAR(10) NULL\n);\n");
    std::ostringstream log;
    const auto result = migrate(db, dir.path().string(), false, &log);
    BOOST_TEST((result.applied == std::vector<std::string>{"0001_create", "0002_fill"}));
    BOOST_TEST(contains(log.str(), "Applying 0001_create ... done."));
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT COUNT(*), MAX(note) FROM ordered").executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getInt(1) == 3);
    BOOST_TEST(rs->getString(2).asStdString() == "c");
}

// 0002 copies the roles of existing users onto their rows: a database
// upgraded from 0001 must authorise exactly as before.
BOOST_AUTO_TEST_CASE(role_cache_migration_fills_existing_users) {
    fs::copy_file(fs::path(kRealMigrations) / "0001_initial_schema.sql",
                  dir.path() / "0001_initial_schema.sql");
    migrate(db, dir.path().string(), false, nullptr);
    db.execute(
        "INSERT INTO users (id, email, password_hash, active, fs_uniquifier) VALUES "
        "(1, 'a@x.test', 'h', 1, REPEAT('a', 43)), (2, 'b@x.test', 'h', 1, REPEAT('b', 43))");
    db.execute(
        "INSERT INTO roles (id, name, permissions) VALUES "
        "(1, 'User', 'read'), (2, 'Admin', 'database,write'), (3, 'Empty', '')");
    db.execute("INSERT INTO user_roles (user_id, role_id) VALUES (1, 1), (1, 2), (1, 3)");

    fs::copy_file(fs::path(kRealMigrations) / "0002_user_role_cache.sql",
                  dir.path() / "0002_user_role_cache.sql");
    const auto result = migrate(db, dir.path().string(), false, nullptr);
    BOOST_TEST((result.applied == std::vector<std::string>{"0002_user_role_cache"}));
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT id, role_names, role_permissions FROM users ORDER BY id")
            .executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getString(2).asStdString() == "Admin,Empty,User");
    BOOST_TEST(rs->getString(3).asStdString() == "database,write,read");
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getString(2).asStdString() == "");
    BOOST_TEST(rs->getString(3).asStdString() == "");
}

BOOST_AUTO_TEST_CASE(a_failing_statement_names_file_and_line) {
    write_file(dir.path() / "0001_broken.sql",
               "CREATE TABLE fine (id INT);\n\nCREATE TABLE broken (id NOSUCHTYPE);\n");
    const std::string message = message_of_failed_migrate();
    BOOST_TEST(contains(message, "0001_broken.sql:3: statement failed"), message);
    BOOST_TEST(contains(message, "cannot be rolled back"), message);
    BOOST_TEST(contains(message, "recorded as failed"), message);
    BOOST_TEST((migration_status(db, dir.path().string()).front().state == MigrationState::failed));
}

// Nothing of it ran: nothing to repair, the fixed file simply runs.
BOOST_AUTO_TEST_CASE(a_failing_first_statement_is_not_recorded) {
    write_file(dir.path() / "0001_broken.sql", "CREATE TABLE broken (id NOSUCHTYPE);\n");
    const std::string message = message_of_failed_migrate();
    BOOST_TEST(contains(message, "0001_broken.sql:1: statement failed"), message);
    BOOST_TEST(contains(message, "nothing of 0001_broken.sql was applied"), message);
    BOOST_TEST(
        (migration_status(db, dir.path().string()).front().state == MigrationState::pending));
    write_file(dir.path() / "0001_broken.sql", "CREATE TABLE broken (id INT);\n");
    BOOST_TEST(migrate(db, dir.path().string(), false, nullptr).applied.size() == 1u);
}

BOOST_AUTO_TEST_CASE(history_columns_are_filled_by_migrate_and_shown_by_status) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    const auto r = tool({"migrate"});
    BOOST_TEST(r.status == 0, r.err);
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT success, db_user, os_user, duration_ms, failed_statement, error, "
                   "checksum, CURRENT_USER() FROM schema_migrations WHERE version = 1")
            .executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getBoolean(1));
    const std::string db_user = rs->getString(2).asStdString();
    BOOST_TEST(db_user == rs->getString(8).asStdString());  // the same admin account
    const std::string os_user = rs->getString(3).asStdString();
    BOOST_TEST(!os_user.empty());
    BOOST_TEST(!rs->isNull(4));
    BOOST_TEST(rs->isNull(5));
    BOOST_TEST(rs->isNull(6));
    const std::string checksum = rs->getString(7).asStdString();

    const auto status = tool({"status"});
    BOOST_TEST(status.status == 0, status.err);
    for (const auto& column : {"DB USER", "OS USER", "MS", "SHA-256"}) {
        BOOST_TEST(contains(status.out, column), status.out);
    }
    for (const auto& value : {db_user, os_user, checksum}) {
        BOOST_TEST(contains(status.out, value), status.out);
    }
    BOOST_TEST(contains(status.out, "1 applied, 0 pending."), status.out);
}

// An install from before the history: its table gains the columns in place,
// its rows show "-" (unknown), and status alone changes nothing.
BOOST_AUTO_TEST_CASE(an_older_history_table_is_upgraded_in_place) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    write_file(dir.path() / "0002_b.sql", "CREATE TABLE b_t (id INT);\n");
    const auto files = list_migration_files(dir.path().string());
    db.execute(
        "CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, "
        "name VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL, applied_at DATETIME NOT NULL)");
    db.execute("CREATE TABLE a_t (id INT)");
    auto& st = db.prepare(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
        "VALUES (1, '0001_a', ?, NOW())");
    st.setString(1, files.front().checksum);
    st.executeUpdate();

    const auto before = tool({"status"});
    BOOST_TEST(before.status == 0, before.err);
    BOOST_TEST(contains(before.out, "1 applied, 1 pending."), before.out);
    BOOST_TEST(contains(before.out, " - "), before.out);

    const auto r = tool({"migrate"});
    BOOST_TEST(r.status == 0, r.err);
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT version, success, db_user, duration_ms FROM schema_migrations "
                   "ORDER BY version")
            .executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getBoolean(2));
    BOOST_TEST(rs->isNull(3));
    BOOST_TEST(rs->isNull(4));
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getBoolean(2));
    BOOST_TEST(!rs->isNull(3));
    BOOST_TEST(!rs->isNull(4));
}

// A good statement, then a bad one: recorded as failed with the statement
// and the server's message; migrate, baseline and a repair of another
// version refuse; once finished by hand, repair marks it applied.
BOOST_AUTO_TEST_CASE(a_half_applied_migration_blocks_until_repaired) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    write_file(dir.path() / "0002_bad.sql",
               "CREATE TABLE good_t (id INT);\n"
               "CREATE TABLE bad_t (id NOSUCHTYPE);\n"
               "CREATE TABLE after_t (id INT);\n");
    write_file(dir.path() / "0003_c.sql", "CREATE TABLE c_t (id INT);\n");
    const auto first = tool({"migrate"});
    BOOST_TEST(first.status == 1);
    BOOST_TEST(contains(first.err, "0002_bad.sql:2: statement failed"), first.err);
    BOOST_TEST(contains(first.err, "statement 1 (" + (dir.path() / "0002_bad.sql").string() +
                                       ":1) before it were applied"),
               first.err);
    BOOST_TEST(contains(first.err, "recorded as failed"), first.err);
    BOOST_TEST(tables(db).count("good_t") == 1u);
    BOOST_TEST(tables(db).count("after_t") == 0u);
    {
        std::unique_ptr<sql::ResultSet> rs(
            db.prepare("SELECT success, failed_statement, error FROM schema_migrations "
                       "WHERE version = 2")
                .executeQuery());
        BOOST_REQUIRE(rs->next());
        BOOST_TEST(!rs->getBoolean(1));
        BOOST_TEST(rs->getInt(2) == 2);
        BOOST_TEST(contains(rs->getString(3).asStdString(), "NOSUCHTYPE"));
    }

    const auto blocked = tool({"migrate"});
    expect_failure(blocked, 1, "mfo-db: error: migration 0002_bad failed on ");
    BOOST_TEST(contains(blocked.err,
                        "at statement 2 (" + (dir.path() / "0002_bad.sql").string() + ":2): "),
               blocked.err);
    BOOST_TEST(contains(blocked.err, "NOSUCHTYPE"), blocked.err);
    BOOST_TEST(contains(blocked.err, "statement 1 (" + (dir.path() / "0002_bad.sql").string() +
                                         ":1) before it ran"),
               blocked.err);
    BOOST_TEST(contains(blocked.err, "by hand"), blocked.err);
    BOOST_TEST(contains(blocked.err, "`mfo-db repair 2` records it as applied"), blocked.err);
    BOOST_TEST(contains(tool({"migrate", "--dry-run"}).err, "migration 0002_bad failed"));

    const auto status = tool({"status"});
    BOOST_TEST(status.status == 1);
    BOOST_TEST(contains(status.out, "FAILED at statement 2"), status.out);
    BOOST_TEST(contains(status.out, "1 applied, 1 failed, 1 pending."), status.out);
    BOOST_TEST(contains(status.out, "Failed: 0002_bad: "), status.out);
    BOOST_TEST(contains(status.err, "migration 0002_bad FAILED at statement 2"), status.err);

    expect_failure(tool({"baseline", "3"}), 1,
                   "mfo-db: error: migration 0002_bad failed; finish it by hand and record it "
                   "with `mfo-db repair 2` first");
    expect_failure(tool({"repair", "3"}), 1, "mfo-db: error: migration 0002_bad failed;");

    db.execute("CREATE TABLE bad_t (id INT)");  // by hand, as the DBA would
    db.execute("CREATE TABLE after_t (id INT)");
    const auto repaired = tool({"repair", "2"});
    BOOST_TEST(repaired.status == 0, repaired.err);
    BOOST_TEST(repaired.out == "Recorded 0002_bad as applied (not run).\n");
    const auto after = tool({"status"});
    BOOST_TEST(after.status == 0, after.err);
    BOOST_TEST(contains(after.out, "applied (repaired)"), after.out);
    const auto rest = tool({"migrate"});
    BOOST_TEST(rest.status == 0, rest.err);
    BOOST_TEST(contains(rest.out, "Applying 0003_c ... done."), rest.out);
    expect_failure(tool({"repair", "2"}), 1, "mfo-db: error: no pending migration 2");
}

// What a migrate whose process died leaves: the row of its start.
BOOST_AUTO_TEST_CASE(a_migration_that_never_finished_blocks_migrate) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    migrate(db, dir.path().string(), false, nullptr);
    db.execute("UPDATE schema_migrations SET success = FALSE, duration_ms = NULL");
    const std::string message = message_of_failed_migrate();
    BOOST_TEST(contains(message, "migration 0001_a failed: started on "), message);
    BOOST_TEST(contains(message, "never finished"), message);
    BOOST_TEST(contains(message, "`mfo-db repair 1`"), message);
    const auto status = tool({"status"});
    BOOST_TEST(status.status == 1);
    BOOST_TEST(contains(status.out, "NOT FINISHED"), status.out);
    BOOST_TEST(tool({"repair", "1"}).status == 0);
    BOOST_TEST(tool({"migrate"}).status == 0);
}

BOOST_AUTO_TEST_CASE(an_older_unapplied_migration_is_refused) {
    write_file(dir.path() / "0002_second.sql", "CREATE TABLE second_t (id INT);\n");
    migrate(db, dir.path().string(), false, nullptr);
    write_file(dir.path() / "0001_late.sql", "CREATE TABLE late_t (id INT);\n");
    const std::string message = message_of_failed_migrate();
    BOOST_TEST(contains(message, "numbered before the applied 2"), message);
}

BOOST_AUTO_TEST_CASE(badly_named_files_are_refused) {
    write_file(dir.path() / "0001_ok.sql", "CREATE TABLE ok_t (id INT);\n");
    write_file(dir.path() / "notes.txt", "not sql\n");
    BOOST_CHECK_THROW(list_migration_files(dir.path().string()), MigrationError);
    fs::remove(dir.path() / "notes.txt");
    write_file(dir.path() / "1_short.sql", "SELECT 1;\n");
    BOOST_CHECK_THROW(list_migration_files(dir.path().string()), MigrationError);
    fs::remove(dir.path() / "1_short.sql");
    write_file(dir.path() / "0001_same.sql", "SELECT 1;\n");
    BOOST_CHECK_THROW(list_migration_files(dir.path().string()), MigrationError);
    fs::remove(dir.path() / "0001_same.sql");
    write_file(dir.path() / ".gitkeep", "");
    BOOST_TEST(list_migration_files(dir.path().string()).size() == 1u);
    BOOST_CHECK_THROW(list_migration_files((dir.path() / "nope").string()), MigrationError);
}

BOOST_AUTO_TEST_CASE(status_lists_applied_and_pending) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    migrate(db, dir.path().string(), false, nullptr);
    write_file(dir.path() / "0002_b.sql", "CREATE TABLE b_t (id INT);\n");
    const auto cli = tool({"status"});
    BOOST_TEST(cli.status == 0, cli.err);
    BOOST_TEST(contains(cli.out, "0001_a"), cli.out);
    BOOST_TEST(contains(cli.out, "applied"), cli.out);
    BOOST_TEST(contains(cli.out, "0002_b"), cli.out);
    BOOST_TEST(contains(cli.out, "1 applied, 1 pending."), cli.out);
}

BOOST_AUTO_TEST_CASE(trigger_bodies_and_trailing_comments_apply) {
    // Split on the trigger's inner ';' (and on a trailing comment) before.
    write_file(dir.path() / "0001_counter.sql",
               "CREATE TABLE counter (n INT NOT NULL); -- counts\n"
               "DELIMITER //\n"
               "CREATE TRIGGER counter_bi BEFORE INSERT ON counter FOR EACH ROW\n"
               "BEGIN\n  SET NEW.n = NEW.n + 1;\n  SET NEW.n = NEW.n * 10;\nEND//\n"
               "DELIMITER ;\n"
               "INSERT INTO counter VALUES (1); # fires the trigger\n");
    const auto dry = tool({"migrate", "--dry-run"});
    BOOST_TEST(dry.status == 0, dry.err);
    BOOST_TEST(contains(dry.out, "DELIMITER //\nCREATE TRIGGER counter_bi"), dry.out);
    const auto r = tool({"migrate"});
    BOOST_TEST(r.status == 0, r.err);
    std::unique_ptr<sql::ResultSet> rs(db.prepare("SELECT n FROM counter").executeQuery());
    BOOST_REQUIRE(rs->next());
    BOOST_TEST(rs->getInt(1) == 20);
}

// A statement that outlives the client's read timeout: the server goes on,
// the tool says so and how to record the migration once it is done.
BOOST_AUTO_TEST_CASE(a_lost_connection_during_a_statement_says_check_then_repair) {
    write_file(dir.path() / "0001_slow.sql", "CREATE TABLE slow_t AS SELECT SLEEP(6) AS s;\n");
    ToolRun run;
    run.args = {"migrate"};
    run.env = {"MFO_DATABASE_NAME=" + scratch_database_config().name,
               "MFO_DATABASE_MIGRATIONS_DIR=" + dir.path().string(),
               "MFO_DATABASE_ADMIN_READ_TIMEOUT=1"};
    const auto r = run_tool("mfo-db", run);
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(contains(r.err, "0001_slow.sql:1: the connection to the database was lost"), r.err);
    BOOST_TEST(contains(r.err, "the server may still be running the statement"), r.err);
    BOOST_TEST(contains(r.err, "`mfo-db repair 1`"), r.err);
    BOOST_TEST(!contains(r.err, "cannot connect"), r.err);

    // The server finishes the statement (bounded wait for the table).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (tables(db).count("slow_t") == 0 && std::chrono::steady_clock::now() < deadline) {
        std::unique_ptr<sql::ResultSet> wait(db.prepare("SELECT SLEEP(0.2)").executeQuery());
    }
    BOOST_REQUIRE(tables(db).count("slow_t") == 1u);
    // Recorded as failed on a new connection: migrate does not run it again.
    const auto status = migration_status(db, dir.path().string()).front();
    BOOST_TEST((status.state == MigrationState::failed));
    BOOST_TEST(status.failed_statement == 1);
    BOOST_TEST(contains(status.error, "the connection was lost"), status.error);
    BOOST_TEST(contains(r.err, "recorded as failed"), r.err);
    const auto blocked = tool({"migrate"});
    BOOST_TEST(contains(blocked.err, "migration 0001_slow failed on "), blocked.err);
    BOOST_TEST(contains(blocked.err, "SHOW PROCESSLIST"), blocked.err);

    const auto repaired = tool({"repair", "1"});
    BOOST_TEST(repaired.status == 0, repaired.err);
    BOOST_TEST(repaired.out == "Recorded 0001_slow as applied (not run).\n");
    BOOST_TEST(
        (migration_status(db, dir.path().string()).front().state == MigrationState::applied));
    BOOST_TEST(contains(tool({"migrate"}).out, "Nothing to apply"));
    expect_failure(tool({"repair", "1"}), 1, "mfo-db: error: no pending migration 1");
}

BOOST_AUTO_TEST_CASE(repair_takes_the_next_only_and_baseline_records_up_to_a_version) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    write_file(dir.path() / "0002_b.sql", "CREATE TABLE b_t (id INT);\n");
    write_file(dir.path() / "0003_c.sql", "CREATE TABLE c_t (id INT);\n");
    expect_failure(tool({"repair", "2"}), 1,
                   "mfo-db: error: migration 2 is not the next one (0001_a is)");
    const auto base = tool({"baseline", "2"});
    BOOST_TEST(base.status == 0, base.err);
    BOOST_TEST(base.out ==
               "Recorded 0001_a as applied (not run).\n"
               "Recorded 0002_b as applied (not run).\n");
    BOOST_TEST(tables(db).count("a_t") == 0u);  // recorded, not run
    const auto rest = tool({"migrate"});
    BOOST_TEST(contains(rest.out, "Applying 0003_c ... done."), rest.out);
    BOOST_TEST(tables(db).count("c_t") == 1u);
}

BOOST_AUTO_TEST_CASE(a_blocked_migrate_says_it_waits_and_a_dry_run_does_not_wait) {
    write_file(dir.path() / "0001_a.sql", "CREATE TABLE a_t (id INT);\n");
    // Another session holds the lock (as a running migrate would).
    Database other(scratch_database_config(), DbAccount::admin);
    std::unique_ptr<sql::ResultSet> got(
        other.prepare("SELECT GET_LOCK('mfo_migrate', 0), CONNECTION_ID()").executeQuery());
    BOOST_REQUIRE(got->next());
    BOOST_REQUIRE(got->getInt(1) == 1);
    const std::string holder = got->getString(2).asStdString();

    const auto dry = tool({"migrate", "--dry-run"});
    BOOST_TEST(dry.status == 0, dry.err);
    BOOST_TEST(contains(dry.out, "CREATE TABLE a_t"), dry.out);

    const auto blocked = tool({"migrate", "--lock-timeout", "1"});
    BOOST_TEST(blocked.status == 1);
    BOOST_TEST(contains(blocked.out,
                        "Waiting for the migration lock 'mfo_migrate' (held by "
                        "connection " +
                            holder),
               blocked.out);
    BOOST_TEST(contains(blocked.err, "another migration is running (connection " + holder),
               blocked.err);
    BOOST_TEST(tables(db).count("a_t") == 0u);

    std::unique_ptr<sql::ResultSet> released(
        other.prepare("SELECT RELEASE_LOCK('mfo_migrate')").executeQuery());
    const auto r = tool({"migrate", "--lock-timeout", "1"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(!contains(r.out, "Waiting"), r.out);
    BOOST_TEST(tables(db).count("a_t") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sql_splitting)

std::vector<std::string> texts(const std::vector<SqlStatement>& statements) {
    std::vector<std::string> out;
    for (const auto& s : statements) out.push_back(s.text);
    return out;
}

std::string split_error(const std::string& text) {
    try {
        split_sql_statements(text, "x.sql");
    } catch (const MigrationError& e) {
        return e.what();
    }
    return "";
}

BOOST_AUTO_TEST_CASE(statements_end_at_a_semicolon_outside_quotes_and_comments) {
    const auto statements = split_sql_statements(
        "-- header\n\nCREATE TABLE t (\n  -- a column; with a semicolon\n  a INT -- inline\n);\n"
        "INSERT INTO t VALUES (1); \r\nUPDATE t SET a = ';'\n  WHERE a = 1;\n",
        "x.sql");
    BOOST_REQUIRE(statements.size() == 3u);
    BOOST_TEST(statements[0].text == "CREATE TABLE t (\n  \n  a INT \n)");
    BOOST_TEST(statements[0].line == 3);
    BOOST_TEST(statements[1].text == "INSERT INTO t VALUES (1)");
    BOOST_TEST(statements[1].line == 7);
    BOOST_TEST(statements[2].text == "UPDATE t SET a = ';'\n  WHERE a = 1");
    BOOST_TEST(statements[2].line == 8);
}

BOOST_AUTO_TEST_CASE(a_trailing_comment_after_the_semicolon_belongs_to_no_statement) {
    // Once broke the next statement (the comment line was glued to it).
    const auto statements = split_sql_statements(
        "CREATE TABLE a (id INT); -- the first\nCREATE TABLE b (id INT); # the second\n"
        "INSERT INTO a VALUES (1); /* done */\n",
        "x.sql");
    BOOST_TEST((texts(statements) == std::vector<std::string>{"CREATE TABLE a (id INT)",
                                                              "CREATE TABLE b (id INT)",
                                                              "INSERT INTO a VALUES (1)"}));
    BOOST_TEST(statements[1].line == 2);
}

BOOST_AUTO_TEST_CASE(quotes_escapes_and_block_comments) {
    const auto statements = split_sql_statements(
        "INSERT INTO t VALUES ('it''s; fine', \"a \\\" ; b\", 'back\\\\');\n"
        "SELECT `odd;name` FROM t /* a; comment\n spanning lines */ WHERE 1;\n"
        "/*!40101 SET NAMES utf8mb4 */;\nSELECT 1--1;\n",
        "x.sql");
    BOOST_TEST((
        texts(statements) ==
        std::vector<std::string>{"INSERT INTO t VALUES ('it''s; fine', \"a \\\" ; b\", 'back\\\\')",
                                 "SELECT `odd;name` FROM t   WHERE 1",
                                 "/*!40101 SET NAMES utf8mb4 */", "SELECT 1--1"}));
}

BOOST_AUTO_TEST_CASE(delimiter_blocks_keep_begin_end_bodies_whole) {
    const auto statements = split_sql_statements(
        "CREATE TABLE c (n INT);\n"
        "DELIMITER //\n"
        "CREATE TRIGGER c_bi BEFORE INSERT ON c FOR EACH ROW\nBEGIN\n"
        "  SET NEW.n = NEW.n + 1;\n  SET NEW.n = NEW.n * 2;\nEND//\n"
        "delimiter ;\n"
        "INSERT INTO c VALUES (1);\n",
        "x.sql");
    BOOST_REQUIRE(statements.size() == 3u);
    BOOST_TEST(statements[1].text ==
               "CREATE TRIGGER c_bi BEFORE INSERT ON c FOR EACH ROW\nBEGIN\n"
               "  SET NEW.n = NEW.n + 1;\n  SET NEW.n = NEW.n * 2;\nEND");
    BOOST_TEST(statements[1].line == 3);
    BOOST_TEST(statements[2].text == "INSERT INTO c VALUES (1)");
    BOOST_TEST(statements[2].line == 9);
}

BOOST_AUTO_TEST_CASE(unfinished_text_is_an_error_with_its_line) {
    BOOST_TEST(split_error("SELECT 1;\n\nSELECT 2\n-- end\n") ==
               "x.sql:3: statement does not end with ';'");
    BOOST_TEST(split_error("SELECT 'open;\n") == "x.sql:1: unclosed ' quote");
    BOOST_TEST(split_error("SELECT 1;\n/* never closed\n") == "x.sql:2: unclosed /* comment");
    BOOST_TEST(split_error("DELIMITER\n") == "x.sql:1: statement does not end with ';'");
    BOOST_TEST(split_error("DELIMITER //\nSELECT 1;\n") ==
               "x.sql:2: statement does not end with '//'");
    BOOST_TEST(split_sql_statements("-- only comments\n\n# and these\n", "x.sql").empty());
}

BOOST_AUTO_TEST_SUITE_END()
