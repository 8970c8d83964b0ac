#include "migrations.hpp"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>

#include "crypto.hpp"
#include "migration_lock.hpp"
#include "os_user.hpp"

namespace mfo {

namespace {

namespace fs = std::filesystem;
using Rows = std::unique_ptr<sql::ResultSet>;

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "    version     INT NOT NULL PRIMARY KEY,\n"
    "    name        VARCHAR(255) NOT NULL,\n"
    "    checksum    CHAR(64) NOT NULL,\n"
    "    applied_at  DATETIME NOT NULL\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

// The history columns, added to the table of older installs in place (rows
// from before them keep NULL: unknown). success = FALSE marks a migration
// that failed or never finished; rows from before were all successes.
constexpr const char* kAddHistoryColumns =
    "ALTER TABLE schema_migrations\n"
    "    ADD COLUMN IF NOT EXISTS success BOOLEAN NOT NULL DEFAULT TRUE,\n"
    "    ADD COLUMN IF NOT EXISTS db_user VARCHAR(384) NULL,\n"
    "    ADD COLUMN IF NOT EXISTS os_user VARCHAR(255) NULL,\n"
    "    ADD COLUMN IF NOT EXISTS duration_ms BIGINT UNSIGNED NULL,\n"
    "    ADD COLUMN IF NOT EXISTS failed_statement INT NULL,\n"
    "    ADD COLUMN IF NOT EXISTS error VARCHAR(1024) NULL,\n"
    "    ADD COLUMN IF NOT EXISTS repaired_at DATETIME NULL";

// The last column kAddHistoryColumns adds: present means all are.
constexpr const char* kLastHistoryColumn = "repaired_at";

constexpr std::size_t kMaxErrorLength = 1000;

struct AppliedMigration {
    int version = 0;
    std::string name;
    std::string checksum;
    std::string applied_at;
    bool success = true;
    std::string db_user;
    std::string os_user;
    std::string duration_ms;
    int failed_statement = 0;
    std::string error;
    std::string repaired_at;
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

bool history_columns_exist(Database& db) {
    auto& st = db.prepare(
        "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() "
        "AND table_name = 'schema_migrations' AND column_name = ?");
    st.setString(1, kLastHistoryColumn);
    Rows rs(st.executeQuery());
    return rs->next() && rs->getInt(1) > 0;
}

// The table as this version needs it; a no-op when it is.
void ensure_migrations_table(Database& db) {
    if (!migrations_table_exists(db)) db.execute(kCreateMigrationsTable);
    if (!history_columns_exist(db)) db.execute(kAddHistoryColumns);
}

std::string string_or_empty(sql::ResultSet& rs, int column) {
    return rs.isNull(column) ? std::string() : rs.getString(column).asStdString();
}

std::vector<AppliedMigration> applied_migrations(Database& db) {
    std::vector<AppliedMigration> applied;
    if (!migrations_table_exists(db)) return applied;
    // Read-only (status, the pool's start check): a table without the
    // history columns yet reads as successes of unknown history.
    const std::string history =
        history_columns_exist(db)
            ? "success, db_user, os_user, duration_ms, failed_statement, error, "
              "DATE_FORMAT(repaired_at, '%Y-%m-%d %H:%i:%s') "
            : "TRUE, NULL, NULL, NULL, NULL, NULL, NULL ";
    Rows rs(db.prepare("SELECT version, name, checksum, "
                       "DATE_FORMAT(applied_at, '%Y-%m-%d %H:%i:%s'), " +
                       history + "FROM schema_migrations ORDER BY version")
                .executeQuery());
    while (rs->next()) {
        AppliedMigration row;
        row.version = rs->getInt(1);
        row.name = rs->getString(2).asStdString();
        row.checksum = rs->getString(3).asStdString();
        row.applied_at = rs->getString(4).asStdString();
        row.success = rs->getBoolean(5);
        row.db_user = string_or_empty(*rs, 6);
        row.os_user = string_or_empty(*rs, 7);
        row.duration_ms = string_or_empty(*rs, 8);
        row.failed_statement = rs->isNull(9) ? 0 : rs->getInt(9);
        row.error = string_or_empty(*rs, 10);
        row.repaired_at = string_or_empty(*rs, 11);
        applied.push_back(std::move(row));
    }
    return applied;
}

const MigrationFile* file_of(const std::vector<MigrationFile>& files, int version) {
    const auto it = std::find_if(files.begin(), files.end(),
                                 [&](const MigrationFile& f) { return f.version == version; });
    return it == files.end() ? nullptr : &*it;
}

// "statement 3 (0005_x.sql:12)": where a statement of a file starts, as far
// as the file can still be read.
std::string statement_lines(const MigrationFile* file, int first, int last) {
    std::vector<SqlStatement> statements;
    if (file != nullptr) {
        try {
            statements = split_sql_statements(read_file(file->path), file->path);
        } catch (const MigrationError&) {
            // The numbers alone still say it.
        }
    }
    const auto line = [&](int n) {
        return n >= 1 && static_cast<std::size_t>(n) <= statements.size()
                   ? std::to_string(statements[n - 1].line)
                   : std::string("?");
    };
    const std::string path = file != nullptr ? file->path : "its file";
    if (first == last) {
        return "statement " + std::to_string(first) + " (" + path + ":" + line(first) + ")";
    }
    return "statements " + std::to_string(first) + " to " + std::to_string(last) + " (" + path +
           " lines " + line(first) + " to " + line(last) + ")";
}

// What a DBA needs to resolve a failed migration, in one line: which
// statements ran (MariaDB DDL is not transactional), which failed and why.
std::string failed_message(const AppliedMigration& failed, const MigrationFile* file) {
    std::string message = "migration " + failed.name + " failed";
    if (failed.failed_statement > 0) {
        message += " on " + failed.applied_at + " at " +
                   statement_lines(file, failed.failed_statement, failed.failed_statement);
        if (!failed.error.empty()) message += ": " + failed.error;
        message += failed.failed_statement > 1
                       ? "; " + statement_lines(file, 1, failed.failed_statement - 1) +
                             " before it ran and DDL cannot be rolled back"
                       : "; no statement before it ran";
    } else {
        message += ": started on " + failed.applied_at + " (" +
                   (failed.db_user.empty() ? "-" : failed.db_user) + ", " +
                   (failed.os_user.empty() ? "-" : failed.os_user) +
                   ") and never finished (its connection was lost or mfo-db was stopped), so "
                   "any of its statements may have run";
    }
    return message +
           "; `mfo-db migrate` runs nothing until this is resolved: make the schema "
           "what " +
           failed.name +
           ".sql makes by hand (SHOW PROCESSLIST first: the server may still be running a "
           "statement), then `mfo-db repair " +
           std::to_string(failed.version) + "` records it as applied";
}

const AppliedMigration* failed_migration(const std::vector<AppliedMigration>& applied) {
    const auto it = std::find_if(applied.begin(), applied.end(),
                                 [](const AppliedMigration& m) { return !m.success; });
    return it == applied.end() ? nullptr : &*it;
}

// Refuses to go on when history and files disagree: applying on top of a
// changed or missing migration would leave a schema nobody can reproduce;
// on top of a failed one, a schema nobody knows.
std::vector<const MigrationFile*> pending_after_checks(const std::vector<AppliedMigration>& applied,
                                                       const std::vector<MigrationFile>& files,
                                                       const std::string& dir) {
    if (const AppliedMigration* failed = failed_migration(applied)) {
        throw MigrationError(failed_message(*failed, file_of(files, failed->version)));
    }
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

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    if (text.size() > kMaxErrorLength) {
        // Not in the middle of a UTF-8 sequence: the server would refuse it.
        std::size_t cut = kMaxErrorLength - 3;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut) + "...";
    }
    return text;
}

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

// Before the first statement: if this process or its connection dies, the
// row stays as it is (success = 0, no failed statement) and blocks the next
// migrate, which says the migration never finished.
void record_start(Database& db, const MigrationFile& file) {
    auto& st = db.prepare(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at, success, db_user, "
        "os_user) VALUES (?, ?, ?, NOW(), FALSE, CURRENT_USER(), ?)");
    st.setInt(1, file.version);
    st.setString(2, file.name);
    st.setString(3, file.checksum);
    st.setString(4, current_os_user());
    st.executeUpdate();
}

void record_outcome(Database& db, const MigrationFile& file, long long duration_ms,
                    int failed_statement, const std::string& error) {
    auto& st = db.prepare(
        "UPDATE schema_migrations SET success = ?, duration_ms = ?, failed_statement = ?, "
        "error = ? WHERE version = ?");
    st.setBoolean(1, failed_statement == 0);
    st.setInt64(2, duration_ms);
    if (failed_statement == 0) {
        st.setNull(3, sql::DataType::INTEGER);
        st.setNull(4, sql::DataType::VARCHAR);
    } else {
        st.setInt(3, failed_statement);
        st.setString(4, one_line(error));
    }
    st.setInt(5, file.version);
    st.executeUpdate();
}

void forget_start(Database& db, const MigrationFile& file) {
    auto& st = db.prepare("DELETE FROM schema_migrations WHERE version = ? AND success = FALSE");
    st.setInt(1, file.version);
    st.executeUpdate();
}

void apply(Database& db, const MigrationFile& file, const std::vector<SqlStatement>& statements) {
    record_start(db, file);
    const auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const int number = static_cast<int>(i) + 1;
        const std::string where = file.path + ":" + std::to_string(statements[i].line);
        try {
            db.execute(statements[i].text);
        } catch (const sql::SQLException& e) {
            const long long duration = elapsed_ms(started);
            if (is_connection_error(e.getErrorCode())) {
                // The server goes on with a statement whose client went away:
                // the outcome is unknown. Record that on a new connection; if
                // that fails too, the row of record_start says it.
                bool recorded = false;
                try {
                    db.disconnect();
                    record_outcome(db, file, duration, number,
                                   std::string("the connection was lost during this statement (") +
                                       e.what() + "); the server may still have run it");
                    recorded = true;
                } catch (const std::exception&) {
                    // The next migrate reports it as never finished.
                }
                throw MigrationError(
                    where + ": the connection to the database was lost during this statement (" +
                    e.what() + "); the server may still be running the statement; " +
                    (recorded ? "recorded as failed" : "could not record it, it stays as started") +
                    ": check (SHOW PROCESSLIST; the schema), make the schema what " + file.name +
                    ".sql makes by hand, then record it with `mfo-db repair " +
                    std::to_string(file.version) + "`");
            }
            if (i == 0) {
                // Nothing of it ran: fixing the file and running migrate again
                // is enough, there is nothing to repair.
                forget_start(db, file);
                throw MigrationError(where + ": statement failed: " + e.what() + "; nothing of " +
                                     file.name +
                                     ".sql was applied: fix it and run `mfo-db migrate` again");
            }
            bool recorded = true;
            try {
                record_outcome(db, file, duration, number, e.what());
            } catch (const std::exception&) {
                // The row of record_start still blocks the next migrate.
                recorded = false;
            }
            throw MigrationError(where + ": statement failed: " + e.what() + "; " +
                                 statement_lines(&file, 1, number - 1) +
                                 " before it were applied and DDL cannot be rolled back; " +
                                 (recorded ? "recorded as failed" : "recorded as not finished") +
                                 ": make the schema what " + file.name +
                                 ".sql makes by hand, then record it with `mfo-db "
                                 "repair " +
                                 std::to_string(file.version) + "`");
        }
    }
    record_outcome(db, file, elapsed_ms(started), 0, "");
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

namespace {

// The `mariadb` client's way of reading a script: statements end at the
// delimiter (";", or what a DELIMITER line sets) outside quotes and comments;
// "-- " and "#" comments run to the end of the line; /* */ comments are
// dropped, /*! */ and /*M! */ (executable comments) are kept.
class SqlSplitter {
  public:
    SqlSplitter(const std::string& text, const std::string& source)
        : text_(text), source_(source) {}

    std::vector<SqlStatement> split() {
        while (pos_ < text_.size()) {
            if (at_line_start_ && blank(current_) && delimiter_line()) continue;
            const char c = text_[pos_];
            if (c == '\'' || c == '"' || c == '`') {
                quoted(c);
            } else if (starts_with("--") &&
                       (pos_ + 2 == text_.size() ||
                        std::isspace(static_cast<unsigned char>(text_[pos_ + 2])))) {
                skip_line_comment();
            } else if (c == '#') {
                skip_line_comment();
            } else if (starts_with("/*")) {
                block_comment();
            } else if (starts_with(delimiter_)) {
                pos_ += delimiter_.size();
                finish_statement();
            } else {
                take(c);
            }
        }
        if (!blank(current_)) {
            throw MigrationError(source_ + ":" + std::to_string(start_line_) +
                                 ": statement does not end with '" + delimiter_ + "'");
        }
        return std::move(statements_);
    }

  private:
    static bool blank(const std::string& s) {
        return s.find_first_not_of(" \t\r\n") == std::string::npos;
    }
    bool starts_with(const std::string& s) const { return text_.compare(pos_, s.size(), s) == 0; }

    void take(char c) {
        if (blank(current_) && !std::isspace(static_cast<unsigned char>(c))) start_line_ = line_;
        current_ += c;
        advance();
    }
    void advance() {
        at_line_start_ = text_[pos_] == '\n';
        if (at_line_start_) ++line_;
        ++pos_;
    }

    // "DELIMITER xx" on a line of its own, between statements.
    bool delimiter_line() {
        std::size_t p = pos_;
        while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
        static const std::string keyword = "delimiter";
        if (text_.size() - p <= keyword.size()) return false;
        for (std::size_t i = 0; i < keyword.size(); ++i) {
            if (std::tolower(static_cast<unsigned char>(text_[p + i])) != keyword[i]) return false;
        }
        if (text_[p + keyword.size()] != ' ' && text_[p + keyword.size()] != '\t') return false;
        const auto eol = text_.find('\n', p);
        const std::string value =
            trim(text_.substr(p + keyword.size(), (eol == std::string::npos ? text_.size() : eol) -
                                                      p - keyword.size()));
        if (value.empty() || value.find_first_of(" \t'\"`") != std::string::npos) {
            throw MigrationError(source_ + ":" + std::to_string(line_) +
                                 ": DELIMITER needs one word (e.g. DELIMITER //)");
        }
        delimiter_ = value;
        pos_ = eol == std::string::npos ? text_.size() : eol + 1;
        ++line_;
        at_line_start_ = true;
        return true;
    }

    void quoted(char quote) {
        const int opened = line_;
        take(quote);
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\\' && quote != '`' && pos_ + 1 < text_.size()) {
                take(c);
                take(text_[pos_]);
                continue;
            }
            take(c);
            if (c == quote) {
                if (pos_ < text_.size() && text_[pos_] == quote) {  // '' inside ''
                    take(quote);
                    continue;
                }
                return;
            }
        }
        throw MigrationError(source_ + ":" + std::to_string(opened) + ": unclosed " +
                             std::string(1, quote) + " quote");
    }

    void skip_line_comment() {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        // The newline itself separates what was before from what follows.
    }

    void block_comment() {
        const int opened = line_;
        const bool executable = starts_with("/*!") || starts_with("/*M!");
        const auto end = text_.find("*/", pos_ + 2);
        if (end == std::string::npos) {
            throw MigrationError(source_ + ":" + std::to_string(opened) + ": unclosed /* comment");
        }
        if (executable) {
            while (pos_ < end + 2) take(text_[pos_]);
        } else {
            while (pos_ < end + 2) advance();
            current_ += ' ';
        }
    }

    void finish_statement() {
        const std::string statement = trim(current_);
        if (!statement.empty()) statements_.push_back(SqlStatement{statement, start_line_});
        current_.clear();
    }

    const std::string& text_;
    const std::string& source_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int start_line_ = 1;
    bool at_line_start_ = true;
    std::string delimiter_ = ";";
    std::string current_;
    std::vector<SqlStatement> statements_;
};

}  // namespace

std::vector<SqlStatement> split_sql_statements(const std::string& text, const std::string& source) {
    return SqlSplitter(text, source).split();
}

std::vector<MigrationStatus> migration_status(Database& db, const std::string& dir) {
    const auto files = list_migration_files(dir);
    const auto applied = applied_migrations(db);
    std::map<int, MigrationStatus> status;
    for (const auto& file : files) {
        MigrationStatus entry;
        entry.version = file.version;
        entry.name = file.name;
        status[file.version] = std::move(entry);
    }
    for (const auto& done : applied) {
        const auto it = std::find_if(files.begin(), files.end(), [&](const MigrationFile& f) {
            return f.version == done.version;
        });
        MigrationState state = MigrationState::applied;
        if (!done.success) {
            state = MigrationState::failed;
        } else if (it == files.end()) {
            state = MigrationState::missing;
        } else if (it->name != done.name || it->checksum != done.checksum) {
            state = MigrationState::changed;
        }
        MigrationStatus entry;
        entry.version = done.version;
        entry.name = done.name;
        entry.state = state;
        entry.applied_at = done.applied_at;
        entry.checksum = done.checksum;
        entry.db_user = done.db_user;
        entry.os_user = done.os_user;
        entry.duration_ms = done.duration_ms;
        entry.failed_statement = done.failed_statement;
        entry.error = done.error;
        entry.repaired_at = done.repaired_at;
        status[done.version] = std::move(entry);
    }
    std::vector<MigrationStatus> out;
    for (auto& [version, entry] : status) out.push_back(std::move(entry));
    return out;
}

MigrateResult migrate(Database& db, const std::string& dir, bool dry_run, std::ostream* log,
                      int lock_timeout_seconds) {
    const auto files = list_migration_files(dir);
    // A dry run changes nothing, so it neither waits for nor blocks a migrate.
    std::optional<MigrationLock> lock;
    if (!dry_run) lock.emplace(db, lock_timeout_seconds, log);
    MigrateResult result;
    if (!migrations_table_exists(db)) {
        result.sql += std::string(kCreateMigrationsTable) + ";\n\n" + kAddHistoryColumns + ";\n\n";
    } else if (!history_columns_exist(db)) {
        result.sql += std::string(kAddHistoryColumns) + ";\n\n";
    }
    if (!dry_run) ensure_migrations_table(db);
    const auto pending = pending_after_checks(applied_migrations(db), files, dir);
    for (const MigrationFile* file : pending) {
        const std::string text = read_file(file->path);
        if (crypto::hex(crypto::sha256(text)) != file->checksum) {
            throw MigrationError(file->path + " changed while migrating; run migrate again");
        }
        const auto statements = split_sql_statements(text, file->path);
        result.sql += "-- " + file->name + ".sql\n";
        for (const auto& statement : statements) {
            // As the mariadb client would need it to run the same statements.
            if (statement.text.find(';') != std::string::npos) {
                result.sql += "DELIMITER //\n" + statement.text + "//\nDELIMITER ;\n";
            } else {
                result.sql += statement.text + ";\n";
            }
        }
        result.sql += "-- recorded in schema_migrations as version " +
                      std::to_string(file->version) + ", sha256 " + file->checksum + "\n\n";
        if (!dry_run) {
            // The node may have left the cluster since the last one.
            if (db.galera()) require_primary_component(db);
            if (log) *log << "Applying " << file->name << " ..." << std::flush;
            apply(db, *file, statements);
            if (log) *log << " done." << std::endl;
        }
        result.applied.push_back(file->name);
    }
    return result;
}

std::vector<std::string> record_as_applied(Database& db, const std::string& dir, int version,
                                           bool through) {
    const auto files = list_migration_files(dir);
    MigrationLock lock(db, 0, nullptr);
    ensure_migrations_table(db);
    const auto applied = applied_migrations(db);
    if (const AppliedMigration* failed = failed_migration(applied)) {
        // Repairing a failed migration marks its row applied; the attempt's
        // history (who, when, which statement failed) stays.
        if (through || version != failed->version) {
            throw MigrationError("migration " + failed->name +
                                 " failed; finish it by hand and record it with `mfo-db repair " +
                                 std::to_string(failed->version) + "` first");
        }
        const MigrationFile* file = file_of(files, failed->version);
        if (file == nullptr || file->name != failed->name || file->checksum != failed->checksum) {
            throw MigrationError("migration " + failed->name + " failed and its file in " + dir +
                                 " is now missing or changed; restore the file that was run");
        }
        auto& st = db.prepare(
            "UPDATE schema_migrations SET success = TRUE, repaired_at = NOW() "
            "WHERE version = ? AND success = FALSE");
        st.setInt(1, failed->version);
        st.executeUpdate();
        return {failed->name};
    }
    const auto pending = pending_after_checks(applied, files, dir);
    std::vector<const MigrationFile*> chosen;
    for (const MigrationFile* file : pending) {
        if (through ? file->version <= version : file->version == version) chosen.push_back(file);
    }
    if (chosen.empty()) {
        throw MigrationError("no pending migration " + std::string(through ? "up to " : "") +
                             std::to_string(version) + " in " + dir + "; see `mfo-db status`");
    }
    if (!through && chosen.front() != pending.front()) {
        throw MigrationError("migration " + std::to_string(version) + " is not the next one (" +
                             pending.front()->name + " is); migrations apply in order");
    }
    std::vector<std::string> names;
    db.transaction([&](Database& tx) {
        for (const MigrationFile* file : chosen) {
            auto& record = tx.prepare(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at, success, "
                "db_user, os_user, repaired_at) VALUES (?, ?, ?, NOW(), TRUE, CURRENT_USER(), ?, "
                "NOW())");
            record.setInt(1, file->version);
            record.setString(2, file->name);
            record.setString(3, file->checksum);
            record.setString(4, current_os_user());
            record.executeUpdate();
            names.push_back(file->name);
        }
    });
    return names;
}

}  // namespace mfo
