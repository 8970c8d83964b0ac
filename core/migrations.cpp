#include "migrations.hpp"

#include <cppconn/exception.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include "crypto.hpp"

namespace mfo {

namespace {

namespace fs = std::filesystem;
using Rows = std::unique_ptr<sql::ResultSet>;

constexpr const char* kLockName = "mfo_migrate";
constexpr int kLockTimeoutSeconds = 30;

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "    version     INT NOT NULL PRIMARY KEY,\n"
    "    name        VARCHAR(255) NOT NULL,\n"
    "    checksum    CHAR(64) NOT NULL,\n"
    "    applied_at  DATETIME NOT NULL\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

struct AppliedMigration {
    int version = 0;
    std::string name;
    std::string checksum;
    std::string applied_at;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MigrationError(path + ": cannot read the migration");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool migrations_table_exists(Database& db) {
    Rows rs(db.prepare("SELECT COUNT(*) FROM information_schema.tables "
                       "WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'")
                .executeQuery());
    return rs->next() && rs->getInt(1) > 0;
}

std::vector<AppliedMigration> applied_migrations(Database& db) {
    std::vector<AppliedMigration> applied;
    if (!migrations_table_exists(db)) return applied;
    Rows rs(db.prepare("SELECT version, name, checksum, "
                       "DATE_FORMAT(applied_at, '%Y-%m-%d %H:%i:%s') "
                       "FROM schema_migrations ORDER BY version")
                .executeQuery());
    while (rs->next()) {
        applied.push_back(AppliedMigration{rs->getInt(1), rs->getString(2).asStdString(),
                                           rs->getString(3).asStdString(),
                                           rs->getString(4).asStdString()});
    }
    return applied;
}

// Serialises concurrent runs (two deploys at once) on the server.
class MigrationLock {
  public:
    explicit MigrationLock(Database& db) : db_(db) {
        auto& st = db_.prepare("SELECT GET_LOCK(?, ?)");
        st.setString(1, kLockName);
        st.setInt(2, kLockTimeoutSeconds);
        Rows rs(st.executeQuery());
        if (!rs->next() || rs->isNull(1) || rs->getInt(1) != 1) {
            throw MigrationError("another migration is running: could not get the lock '" +
                                 std::string(kLockName) + "' within " +
                                 std::to_string(kLockTimeoutSeconds) + " seconds");
        }
    }
    ~MigrationLock() {
        try {
            auto& st = db_.prepare("SELECT RELEASE_LOCK(?)");
            st.setString(1, kLockName);
            Rows rs(st.executeQuery());
        } catch (const std::exception&) {
            // A lost connection releases the lock by itself.
        }
    }
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

  private:
    Database& db_;
};

// Refuses to go on when history and files disagree: applying on top of a
// changed or missing migration would leave a schema nobody can reproduce.
std::vector<const MigrationFile*> pending_after_checks(const std::vector<AppliedMigration>& applied,
                                                       const std::vector<MigrationFile>& files,
                                                       const std::string& dir) {
    std::map<int, const MigrationFile*> by_version;
    for (const auto& file : files) by_version[file.version] = &file;
    int last_applied = 0;
    for (const auto& done : applied) {
        last_applied = std::max(last_applied, done.version);
        const auto it = by_version.find(done.version);
        if (it == by_version.end()) {
            throw MigrationError("migration " + done.name + " was applied on " + done.applied_at +
                                 " but its file is missing from " + dir +
                                 "; restore it (applied migrations must stay)");
        }
        const MigrationFile& file = *it->second;
        if (file.name != done.name) {
            throw MigrationError("migration " + done.name + " was applied on " + done.applied_at +
                                 " but its file is now " + file.path +
                                 "; restore the original name");
        }
        if (file.checksum != done.checksum) {
            throw MigrationError("migration " + file.path +
                                 " was changed after it was applied on " + done.applied_at +
                                 " (checksum differs); restore it and put the change in a new "
                                 "migration");
        }
        by_version.erase(it);
    }
    std::vector<const MigrationFile*> pending;
    for (const auto& [version, file] : by_version) {
        if (version < last_applied) {
            throw MigrationError("migration " + file->path + " is numbered before the applied " +
                                 std::to_string(last_applied) +
                                 "; give it a number after the last applied migration");
        }
        pending.push_back(file);
    }
    return pending;
}

void apply(Database& db, const MigrationFile& file, const std::vector<SqlStatement>& statements) {
    for (std::size_t i = 0; i < statements.size(); ++i) {
        try {
            db.execute(statements[i].text);
        } catch (const sql::SQLException& e) {
            if (is_connection_error(e.getErrorCode())) throw;
            std::string message = file.path + ":" + std::to_string(statements[i].line) +
                                  ": statement failed: " + e.what();
            if (i > 0) {
                message += "; the " + std::to_string(i) +
                           " statement(s) before it were applied and DDL cannot be rolled "
                           "back: repair the schema by hand, then migrate again";
            }
            throw MigrationError(message);
        }
    }
    auto& record = db.prepare(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
        "VALUES (?, ?, ?, NOW())");
    record.setInt(1, file.version);
    record.setString(2, file.name);
    record.setString(3, file.checksum);
    record.executeUpdate();
}

}  // namespace

std::vector<MigrationFile> list_migration_files(const std::string& dir) {
    static const std::regex pattern("([0-9]{4,9})_([A-Za-z0-9_-]+)\\.sql");
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) throw MigrationError("migrations directory " + dir + ": " + ec.message());
    std::vector<MigrationFile> files;
    for (const auto& entry : it) {
        const std::string file_name = entry.path().filename().string();
        if (file_name.front() == '.') continue;  // .gitkeep, editor swap files
        std::smatch m;
        if (!std::regex_match(file_name, m, pattern) || !entry.is_regular_file()) {
            throw MigrationError(entry.path().string() +
                                 ": not a migration (expected NNNN_name.sql, name of letters, "
                                 "digits, '_' and '-'); move it out of " +
                                 dir);
        }
        const std::string path = entry.path().string();
        files.push_back(MigrationFile{std::stoi(m[1].str()),
                                      file_name.substr(0, file_name.size() - 4), path,
                                      crypto::hex(crypto::sha256(read_file(path)))});
    }
    std::sort(files.begin(), files.end(),
              [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < files.size(); ++i) {
        if (files[i].version == files[i - 1].version) {
            throw MigrationError(files[i - 1].path + " and " + files[i].path +
                                 " have the same number");
        }
    }
    return files;
}

std::vector<SqlStatement> split_sql_statements(const std::string& text, const std::string& source) {
    std::vector<SqlStatement> statements;
    std::istringstream in(text);
    std::string line;
    std::string current;
    int line_number = 0;
    int start_line = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string trimmed = trim(line);
        if (trimmed.rfind("--", 0) == 0) continue;
        if (trimmed.empty() && current.empty()) continue;
        if (current.empty()) start_line = line_number;
        current += line;
        current += '\n';
        if (!trimmed.empty() && trimmed.back() == ';') {
            std::string statement = trim(current);
            statement.pop_back();  // the ';'
            statement = trim(statement);
            if (!statement.empty()) statements.push_back(SqlStatement{statement, start_line});
            current.clear();
        }
    }
    if (!trim(current).empty()) {
        throw MigrationError(source + ":" + std::to_string(start_line) +
                             ": statement does not end with ';' at the end of a line");
    }
    return statements;
}

std::vector<MigrationStatus> migration_status(Database& db, const std::string& dir) {
    const auto files = list_migration_files(dir);
    const auto applied = applied_migrations(db);
    std::map<int, MigrationStatus> status;
    for (const auto& file : files) {
        status[file.version] =
            MigrationStatus{file.version, file.name, MigrationState::pending, ""};
    }
    for (const auto& done : applied) {
        const auto it = std::find_if(files.begin(), files.end(), [&](const MigrationFile& f) {
            return f.version == done.version;
        });
        MigrationState state = MigrationState::applied;
        if (it == files.end()) {
            state = MigrationState::missing;
        } else if (it->name != done.name || it->checksum != done.checksum) {
            state = MigrationState::changed;
        }
        status[done.version] = MigrationStatus{done.version, done.name, state, done.applied_at};
    }
    std::vector<MigrationStatus> out;
    for (auto& [version, entry] : status) out.push_back(std::move(entry));
    return out;
}

MigrateResult migrate(Database& db, const std::string& dir, bool dry_run, std::ostream* log) {
    const auto files = list_migration_files(dir);
    MigrationLock lock(db);
    MigrateResult result;
    const bool have_table = migrations_table_exists(db);
    if (!have_table) {
        result.sql += std::string(kCreateMigrationsTable) + ";\n\n";
        if (!dry_run) db.execute(kCreateMigrationsTable);
    }
    const auto pending = pending_after_checks(applied_migrations(db), files, dir);
    for (const MigrationFile* file : pending) {
        const std::string text = read_file(file->path);
        if (crypto::hex(crypto::sha256(text)) != file->checksum) {
            throw MigrationError(file->path + " changed while migrating; run migrate again");
        }
        const auto statements = split_sql_statements(text, file->path);
        result.sql += "-- " + file->name + ".sql\n";
        for (const auto& statement : statements) result.sql += statement.text + ";\n";
        result.sql += "-- recorded in schema_migrations as version " +
                      std::to_string(file->version) + ", sha256 " + file->checksum + "\n\n";
        if (!dry_run) {
            if (log) *log << "Applying " << file->name << " ..." << std::flush;
            apply(db, *file, statements);
            if (log) *log << " done." << std::endl;
        }
        result.applied.push_back(file->name);
    }
    return result;
}

}  // namespace mfo
