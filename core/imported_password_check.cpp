#include "imported_password_check.hpp"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <memory>

#include "database.hpp"

namespace mfo {

std::string missing_salt_warning(const Config& config) {
    if (!config.password_pepper.empty()) return "";
    std::uint64_t bcrypt = 0, imported = 0;
    try {
        Database db(config.database, DbAccount::app);
        db.read([&](Database& d) {
            std::unique_ptr<sql::ResultSet> rs(
                d.prepare("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$2_$%'")
                    .executeQuery());
            bcrypt = rs->next() ? rs->getUInt64(1) : 0;
            rs.reset(d.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'user.import'")
                         .executeQuery());
            imported = rs->next() ? rs->getUInt64(1) : 0;
        });
    } catch (const std::exception&) {
        return "";
    }
    if (bcrypt == 0 && imported == 0) return "";
    return "no [security] password_pepper (SECURITY_PASSWORD_SALT) is set, but the database has " +
           std::to_string(bcrypt) + " bcrypt hash(es) and " + std::to_string(imported) +
           " user import(s) from Flask-Security-Too: those users cannot log in until it is set "
           "to the Flask app's SECURITY_PASSWORD_SALT";
}

}  // namespace mfo
