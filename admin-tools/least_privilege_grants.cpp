#include "least_privilege_grants.hpp"

#include <regex>
#include <stdexcept>

namespace mfo::cli {

namespace {

struct TableGrant {
    const char* table;
    const char* privileges;
    const char* why;
};

// What the worker and mfo-users / mfo-roles do to each table (a new table in
// a migration needs a line here). Nothing may delete or rewrite audit rows or
// the migration history; users and roles are never deleted by the app.
constexpr TableGrant kAppGrants[] = {
    {"users", "SELECT, INSERT, UPDATE", "register, login, role copy, activate"},
    {"roles", "SELECT, INSERT, UPDATE", "mfo-roles create / add-permissions"},
    {"user_roles", "SELECT, INSERT, DELETE", "role membership"},
    {"sessions", "SELECT, INSERT, UPDATE, DELETE", "server-side sessions"},
    {"login_throttle", "SELECT, INSERT, UPDATE, DELETE", "failed-login counters"},
    {"audit_log", "SELECT, INSERT", "append-only"},
    {"schema_migrations", "SELECT", "the schema check at start"},
    // Kept by triggers, which run with their definer's (the DDL account's)
    // rights: the worker only reads them.
    {"user_counts", "SELECT", "console figures (migration 0004)"},
    {"role_member_counts", "SELECT", "console figures (migration 0004)"},
    // Written by triggers too; INSERT for the 'all' rows of the tools.
    {"session_events", "SELECT, INSERT", "session cache revocation feed (migration 0005)"},
};

constexpr TableGrant kPurgeGrants[] = {
    {"sessions", "SELECT, DELETE", "expired sessions"},
    {"login_throttle", "SELECT, DELETE", "stale counters"},
    {"audit_log", "SELECT, DELETE", "retention (--audit-days)"},
    {"session_events", "SELECT, DELETE", "revocation feed rows older than a day"},
};

void require(const std::string& value, const std::regex& pattern, const std::string& what) {
    if (!std::regex_match(value, pattern)) {
        throw std::invalid_argument(what + " \"" + value + "\" is not a plain name");
    }
}

template <std::size_t N>
std::string grants_for(const TableGrant (&grants)[N], const GrantAccounts& a,
                       const std::string& user) {
    std::string sql;
    for (const auto& g : grants) {
        sql += "GRANT " + std::string(g.privileges) + " ON `" + a.database + "`.`" + g.table +
               "` TO '" + user + "'@'" + a.host + "';  -- " + g.why + "\n";
    }
    return sql;
}

}  // namespace

std::string least_privilege_grants(const GrantAccounts& a) {
    static const std::regex identifier("[A-Za-z0-9_]{1,64}");
    static const std::regex host("[A-Za-z0-9_.%:-]{1,255}");
    require(a.database, identifier, "database");
    require(a.app_user, identifier, "user");
    if (!a.purge_user.empty()) require(a.purge_user, identifier, "purge user");
    require(a.host, host, "host");
    std::string sql =
        "-- Least-privilege grants (mfo-db grants), for the MariaDB root user, after\n"
        "-- `mfo-db migrate` (a table grant needs its table). Running them again is harmless.\n";
    sql += "-- The worker and mfo-users / mfo-roles: '" + a.app_user + "'@'" + a.host + "'\n";
    sql += grants_for(kAppGrants, a, a.app_user);
    if (!a.purge_user.empty()) {
        sql += "-- mfo-db purge-sessions: '" + a.purge_user + "'@'" + a.host + "'\n";
        sql += grants_for(kPurgeGrants, a, a.purge_user);
    }
    return sql;
}

}  // namespace mfo::cli
