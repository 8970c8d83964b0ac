#pragma once
// `mfo-db import-flask-security`: carries the users, roles, memberships and
// password hashes of a Flask-Security-Too database over into mfo's, in one
// transaction, and reports what it did (or, with dry_run, would do).

#include <map>
#include <string>
#include <vector>

#include "database.hpp"
#include "flask_source.hpp"
#include "roles_file.hpp"

namespace mfo::cli {

struct ImportOptions {
    bool dry_run = false;
    bool overwrite = false;
    std::string actor;       // "cli:mfo-db"
    std::string source;      // the URI, password redacted (audit, report)
    bool have_salt = false;  // [security] password_pepper is set
};

struct ImportCounts {
    unsigned added = 0, unchanged = 0, conflicting = 0, overwritten = 0, skipped = 0;
};

struct ImportReport {
    ImportCounts users, roles, memberships;
    unsigned duplicate_memberships = 0;      // collapsed source rows
    std::map<std::string, unsigned> hashes;  // scheme -> users
    unsigned unverifiable = 0;               // users whose hash will not verify
    std::vector<std::string> lines;          // one finding per line
    bool changed() const;
};

// Throws ToolFailure when the source has hashes that need the salt and none
// is configured. Rolls back everything when dry_run (the report is the same).
ImportReport import_flask_security(Database& db, const FlaskData& source,
                                   const std::vector<RoleDefinition>& configured_roles,
                                   const ImportOptions& options);

// The report as the tool prints it.
std::vector<std::string> format_import_report(const ImportReport& report,
                                              const ImportOptions& options);

}  // namespace mfo::cli
