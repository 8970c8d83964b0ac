#pragma once
// What the database tests share: the test server's configuration, running
// the built tools, unique names, and rows made directly for a test.
//
// MFO_TEST_CONFIG     an mfo.conf whose [database] points at the test server
//                     (accounts mfo_app: DML only, mfo_admin: DDL)
// MFO_TEST_SCRATCH_DB a database the admin account may drop tables in, for
//                     the migration tests

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config.hpp"
#include "database.hpp"

namespace mfo::test {

// Throw std::runtime_error with a clear message when the variable is unset.
const std::string& test_config_path();
const Config& test_config();
DatabaseConfig scratch_database_config();

// `SELECT 1` through db.read(): 1 when the server answered.
int select_one(Database& db);

// 8 random hex digits, so that tests sharing a database do not collide.
std::string unique_suffix();
std::string unique_email(const std::string& tag);

struct CommandResult {
    int status = -1;
    std::string out;
    std::string err;
};

struct ToolRun {
    std::vector<std::string> args;
    std::string input;              // standard input (default empty)
    std::vector<std::string> env;   // extra NAME=VALUE
    bool without_terminal = false;  // start in a new session: no /dev/tty
    bool with_config = true;        // prepend --config $MFO_TEST_CONFIG
    std::string cwd;                // working directory (default: the test's)
};

// Runs MFO_BIN_DIR/<tool> and waits for it.
CommandResult run_tool(const std::string& tool, const ToolRun& run);
CommandResult run_tool(const std::string& tool, const std::vector<std::string>& args);

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& text);

// Rows made directly, as the worker would.
std::string insert_session(Database& db, std::uint64_t user_id, const std::string& uniquifier,
                           int idle_seconds_left = 1800, int absolute_seconds_left = 43200);
std::uint64_t count_sessions(Database& db, std::uint64_t user_id);
bool session_exists(Database& db, const std::string& id);
std::uint64_t count_rows(Database& db, const std::string& table);
// Drops every table of the scratch database and applies sql/migrations anew.
void recreate_scratch_schema(Database& db);
// audit_log rows by `actor` (e.g. "cli:mfo-users") of `action` on `target`.
std::uint64_t count_audit_rows(Database& db, const std::string& actor, const std::string& action,
                               const std::string& target);

// Removes what a test made in the shared application database.
void delete_user(Database& db, const std::string& email);
void delete_role(Database& db, const std::string& name);

bool contains(const std::string& haystack, const std::string& needle);

}  // namespace mfo::test
