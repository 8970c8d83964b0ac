#include "database_check.hpp"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <memory>

#include "db_endpoints.hpp"
#include "migrations.hpp"
#include "user_store.hpp"

namespace mfo {

namespace {

std::string describe(const DatabaseConfig& db, DbAccount account) {
    const std::string user = account == DbAccount::admin ? db.admin_user : db.user;
    std::string out = user + "@";
    const bool several = endpoints_of(db).size() > 1;
    if (several) out += "{";
    out += endpoints_label(db);
    if (several) out += "}";
    return out + "/" + db.name;
}

void check_schema(Database& db, const Config& config, DatabaseCheck& check) {
    std::vector<MigrationStatus> status;
    try {
        status = migration_status(db, config.database.migrations_dir);
    } catch (const MigrationError& e) {
        // The pool may run where the migrations are not installed.
        check.problems.push_back(std::string("schema not checked: ") + e.what());
        return;
    }
    int pending = 0;
    for (const auto& entry : status) {
        if (entry.state == MigrationState::pending) ++pending;
        if (entry.state == MigrationState::failed) {
            check.problems.push_back("migration " + entry.name +
                                     " failed half-way; see `mfo-db status`");
        }
        if (entry.state == MigrationState::changed || entry.state == MigrationState::missing) {
            check.problems.push_back("migration " + entry.name +
                                     " differs from its file; see `mfo-db status`");
        }
    }
    if (pending > 0) {
        check.problems.push_back(std::to_string(pending) +
                                 " migration(s) not applied; run `mfo-db migrate`");
    }
}

}  // namespace

DatabaseCheck check_database(const Config& config, DbAccount account) {
    DatabaseCheck check;
    check.account = describe(config.database, account);
    if (account == DbAccount::admin && config.database.admin_password.empty() &&
        !config.database.admin_password_problem.empty()) {
        check.problems.push_back(config.database.admin_password_problem);
        return check;
    }
    try {
        Database db(config.database, account);
        db.read([&](Database& d) {
            std::unique_ptr<sql::ResultSet> ping(d.prepare("SELECT 1").executeQuery());
            check.connected = ping->next();
            if (account != DbAccount::app) return;
            check_schema(d, config, check);
            const bool schema_ok = check.problems.empty();
            if (schema_ok && config.registerable && !config.default_role.empty() &&
                !find_role(d, config.default_role)) {
                check.problems.push_back("default_role \"" + config.default_role +
                                         "\" does not exist in the database (" +
                                         config.origin_of("app", "default_role") +
                                         "); run `mfo-db seed`");
            }
        });
    } catch (const sql::SQLException& e) {
        check.problems.push_back(std::string("database error: ") + e.what() + " (error " +
                                 std::to_string(e.getErrorCode()) + ")");
    } catch (const std::exception& e) {
        check.problems.push_back(e.what());
    }
    return check;
}

}  // namespace mfo
