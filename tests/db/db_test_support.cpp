#include "db_test_support.hpp"

#include <cppconn/resultset.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "crypto.hpp"
#include "migrations.hpp"

extern char** environ;

namespace mfo::test {

namespace {

std::string required_env(const char* name, const char* what) {
    const char* value = std::getenv(name);
    if (!value || !*value) {
        throw std::runtime_error(std::string(name) + " is not set: it must name " + what +
                                 " (see tests/db/db_test_support.hpp)");
    }
    return value;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

const std::string& test_config_path() {
    static const std::string path = required_env(
        "MFO_TEST_CONFIG", "an mfo.conf whose [database] section points at the test server");
    return path;
}

const Config& test_config() {
    static const Config config = load_config(test_config_path());
    return config;
}

DatabaseConfig scratch_database_config() {
    DatabaseConfig config = test_config().database;
    config.name = required_env("MFO_TEST_SCRATCH_DB",
                               "a scratch database where the admin account may create and drop "
                               "tables (the migration tests empty it)");
    return config;
}

int select_one(Database& db) {
    int value = 0;
    db.read([&](Database& d) {
        std::unique_ptr<sql::ResultSet> rs(d.prepare("SELECT 1").executeQuery());
        if (rs->next()) value = rs->getInt(1);
    });
    return value;
}

std::string unique_suffix() {
    return crypto::hex(crypto::random_bytes(4));
}

std::string unique_email(const std::string& tag) {
    return "t-" + tag + "-" + unique_suffix() + "@example.com";
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mfo-db-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

CommandResult run_tool(const std::string& tool, const ToolRun& run) {
    const TempDir io;
    const auto in_path = io.path() / "stdin";
    const auto out_path = io.path() / "stdout";
    const auto err_path = io.path() / "stderr";
    write_file(in_path, run.input);

    std::vector<std::string> argv{std::string(MFO_BIN_DIR) + "/" + tool};
    if (::access(argv[0].c_str(), X_OK) != 0) {
        throw std::runtime_error(argv[0] +
                                 " is not built (build the mfo-db, mfo-users and "
                                 "mfo-roles targets before db_tests)");
    }
    if (run.with_config) {
        argv.push_back("--config");
        argv.push_back(test_config_path());
    }
    argv.insert(argv.end(), run.args.begin(), run.args.end());
    std::vector<char*> argv_ptrs;
    for (auto& a : argv) argv_ptrs.push_back(a.data());
    argv_ptrs.push_back(nullptr);

    // The environment is built before fork: the child only execs.
    std::vector<std::string> env;
    std::set<std::string> overridden;
    for (const auto& entry : run.env) overridden.insert(entry.substr(0, entry.find('=')));
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        if (!overridden.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
    }
    env.insert(env.end(), run.env.begin(), run.env.end());
    std::vector<char*> env_ptrs;
    for (auto& e : env) env_ptrs.push_back(e.data());
    env_ptrs.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (run.without_terminal) ::setsid();
        if (!run.cwd.empty() && ::chdir(run.cwd.c_str()) != 0) ::_exit(125);
        const int in = ::open(in_path.c_str(), O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0) ::_exit(126);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    CommandResult result;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_all(out_path);
    result.err = read_all(err_path);
    return result;
}

CommandResult run_tool(const std::string& tool, const std::vector<std::string>& args) {
    ToolRun run;
    run.args = args;
    return run_tool(tool, run);
}

std::string insert_session(Database& db, std::uint64_t user_id, const std::string& uniquifier,
                           int idle_seconds_left, int absolute_seconds_left) {
    const std::string id = crypto::random_bytes(32);
    auto& st = db.prepare(
        "INSERT INTO sessions (id, user_id, user_uniquifier, csrf_secret, idle_expires_at, "
        "absolute_expires_at) VALUES (?, ?, ?, ?, NOW() + INTERVAL ? SECOND, "
        "NOW() + INTERVAL ? SECOND)");
    st.setString(1, id);
    st.setUInt64(2, user_id);
    st.setString(3, uniquifier);
    st.setString(4, crypto::random_bytes(32));
    st.setInt(5, idle_seconds_left);
    st.setInt(6, absolute_seconds_left);
    st.executeUpdate();
    return id;
}

void recreate_scratch_schema(Database& db) {
    std::set<std::string> names;
    {
        std::unique_ptr<sql::ResultSet> rs(
            db.prepare("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = DATABASE()")
                .executeQuery());
        while (rs->next()) names.insert(rs->getString(1).asStdString());
    }
    // Identifiers cannot be parameters; these come from the server itself.
    db.execute("SET FOREIGN_KEY_CHECKS = 0");
    for (const auto& table : names) db.execute("DROP TABLE `" + table + "`");
    db.execute("SET FOREIGN_KEY_CHECKS = 1");
    migrate(db, MFO_SOURCE_DIR "/sql/migrations", false, nullptr);
}

std::uint64_t count_sessions(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare("SELECT COUNT(*) FROM sessions WHERE user_id = ?");
    st.setUInt64(1, user_id);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

bool session_exists(Database& db, const std::string& id) {
    auto& st = db.prepare("SELECT COUNT(*) FROM sessions WHERE id = ?");
    st.setString(1, id);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() && rs->getUInt64(1) > 0;
}

std::uint64_t count_rows(Database& db, const std::string& table) {
    static const std::set<std::string> known = {
        "users",          "roles",     "user_roles",       "sessions",
        "login_throttle", "audit_log", "schema_migrations"};
    if (!known.count(table)) throw std::invalid_argument("count_rows: unknown table " + table);
    std::unique_ptr<sql::ResultSet> rs(db.prepare("SELECT COUNT(*) FROM " + table).executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

std::uint64_t count_audit_rows(Database& db, const std::string& actor, const std::string& action,
                               const std::string& target) {
    auto& st =
        db.prepare("SELECT COUNT(*) FROM audit_log WHERE actor = ? AND action = ? AND target = ?");
    st.setString(1, actor);
    st.setString(2, action);
    st.setString(3, target);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

void delete_user(Database& db, const std::string& email) {
    auto& st = db.prepare("DELETE FROM users WHERE email = ?");
    st.setString(1, email);
    st.executeUpdate();
}

void delete_role(Database& db, const std::string& name) {
    auto& st = db.prepare("DELETE FROM roles WHERE name = ?");
    st.setString(1, name);
    st.executeUpdate();
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace mfo::test
