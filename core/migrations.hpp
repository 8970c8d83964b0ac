#pragma once
// The SQL migration runner of `mfo-db`: NNNN_name.sql files applied in order
// and recorded with their SHA-256 in schema_migrations, with who ran them,
// when, how long they took and whether they failed (the history of
// `mfo-db status`).

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "database.hpp"

namespace mfo {

// The migrations cannot be applied as they are (bad file name, an applied
// file changed or missing, a failed statement); what() says what to do.
class MigrationError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct MigrationFile {
    int version = 0;
    std::string name;  // "0001_initial_schema" (the file name without .sql)
    std::string path;
    std::string checksum;  // SHA-256 of the file, lower-case hex
};

// The NNNN_name.sql files of `dir`, sorted by version. Any other regular file
// (or a repeated version) is a MigrationError, so a misnamed migration is
// never skipped silently.
std::vector<MigrationFile> list_migration_files(const std::string& dir);

struct SqlStatement {
    std::string text;  // without the final ';'
    int line = 0;      // where it starts in the file
};

// Splits a migration the way the `mariadb` client reads a script: statements
// end at ';' outside quotes ('', "", ``) and comments ("-- ", "#", /* */);
// a line "DELIMITER //" changes the delimiter (for BEGIN ... END bodies of
// triggers and procedures) until "DELIMITER ;". Executable comments (/*! */)
// are kept. Throws MigrationError (naming `source` and the line) for text
// after the last delimiter, an unclosed quote or comment.
std::vector<SqlStatement> split_sql_statements(const std::string& text, const std::string& source);

// failed: a row with success = 0, a migration that failed half-way or never
// finished (lost connection, killed tool); `migrate` stops there until
// `mfo-db repair` records it as applied.
enum class MigrationState { applied, pending, changed, missing, failed };

struct MigrationStatus {
    int version = 0;
    std::string name;
    MigrationState state = MigrationState::pending;
    // The history of a recorded one; "" where unknown (rows written before
    // the history columns existed) and for a pending one.
    std::string applied_at;  // "YYYY-MM-DD HH:MM:SS" UTC, when applied or tried
    std::string checksum;
    std::string db_user;       // CURRENT_USER() of the session that ran it
    std::string os_user;       // see current_os_user()
    std::string duration_ms;   // of its statements
    int failed_statement = 0;  // 1-based; 0: none, or unknown (never finished)
    std::string error;         // the server's message for the failed statement
    std::string repaired_at;   // when `repair` or `baseline` recorded it
};

// Every migration, applied or on disk, by version. Changes nothing.
std::vector<MigrationStatus> migration_status(Database& db, const std::string& dir);

struct MigrateResult {
    std::vector<std::string> applied;  // names of the migrations applied (or due)
    std::string sql;                   // what was run (or would be, for a dry run)
};

// Applies the pending migrations in order under the migration lock
// (migration_lock.hpp: GET_LOCK, or a cluster-wide lock row on Galera),
// after checking that every applied one is unchanged and present and none
// has failed; waits up
// to `lock_timeout_seconds` for another run's lock (saying so on `log`).
// With `dry_run`, only says what it would do, without the lock. Progress
// lines go to `log`. A migration is recorded (success = 0) before its first
// statement and marked done after its last, so that one that fails half-way,
// or whose connection or process dies, stays recorded as failed and blocks
// the next run. Throws MigrationError; `db` must use the DDL account.
MigrateResult migrate(Database& db, const std::string& dir, bool dry_run, std::ostream* log,
                      int lock_timeout_seconds = 30);

// Records migrations as applied without running them: `version` only
// (`through` false: `mfo-db repair`, after a migration was finished by hand;
// it must be the failed one if there is one, else the next pending one), or
// every pending one up to `version` (`through` true: `mfo-db baseline`, for a
// schema made another way; refused while one has failed). Returns their
// names. Throws MigrationError.
std::vector<std::string> record_as_applied(Database& db, const std::string& dir, int version,
                                           bool through);

}  // namespace mfo
