#include "schema_check.hpp"

#include <cppconn/resultset.h>

#include <memory>
#include <optional>

#include "session_events.hpp"
#include "user_role_cache.hpp"
#include "user_store.hpp"

namespace mfo {

namespace {

using Rows = std::unique_ptr<sql::ResultSet>;

// What user_role_cache.cpp writes, per user with roles: role names, and the
// non-empty permission lists, both in role-name order. The copy is compared
// byte for byte (its columns are utf8mb4_bin).
constexpr const char* kStaleRoleCopies =
    "FROM users u LEFT JOIN ("
    "SELECT ur.user_id, GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',') AS names, "
    "GROUP_CONCAT(CASE WHEN r.permissions <> '' THEN r.permissions END ORDER BY r.name "
    "SEPARATOR ',') AS permissions "
    "FROM user_roles ur JOIN roles r ON r.id = ur.role_id GROUP BY ur.user_id) e "
    "ON e.user_id = u.id "
    "WHERE u.role_names <> (COALESCE(e.names, '') COLLATE utf8mb4_bin) "
    "OR u.role_permissions <> (COALESCE(e.permissions, '') COLLATE utf8mb4_bin) ";

// A role without a counter row has no members to count (the console reads
// a missing row as 0), so only a number that differs is wrong.
constexpr const char* kWrongMemberCounts =
    "FROM roles r LEFT JOIN role_member_counts c ON c.role_id = r.id "
    "LEFT JOIN (SELECT role_id, COUNT(*) AS n FROM user_roles GROUP BY role_id) m "
    "ON m.role_id = r.id WHERE COALESCE(c.members, 0) <> COALESCE(m.n, 0) ";

// The recount statements at the end of sql/migrations/0004_console_counters.sql
// (the INSERT first, for a deleted counter row).
constexpr const char* kEnsureUserCountsRow = "INSERT IGNORE INTO user_counts (id) VALUES (1)";
constexpr const char* kRecountUsers =
    "UPDATE user_counts SET users = (SELECT COUNT(*) FROM users), "
    "active_users = (SELECT COALESCE(SUM(active), 0) FROM users) WHERE id = 1";
constexpr const char* kRecountMembers =
    "INSERT INTO role_member_counts (role_id, members) "
    "SELECT r.id, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) FROM roles r "
    "ON DUPLICATE KEY UPDATE members = VALUES(members)";

// user_roles rows pointing at a missing user or role are not checked:
// fk_user_roles_user and fk_user_roles_role (migration 0001, ON DELETE
// CASCADE) make them impossible, short of FOREIGN_KEY_CHECKS = 0, and the
// server would then refuse nothing we could check against either.

std::uint64_t count_of(Database& db, const std::string& from_where) {
    Rows rs(db.prepare("SELECT COUNT(*) " + from_where).executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

std::optional<InvariantFinding> stale_role_copies(Database& db) {
    InvariantFinding finding{"role_cache",
                             count_of(db, kStaleRoleCopies),
                             "user(s) whose copy of their roles (users.role_names, "
                             "role_permissions) disagrees with user_roles and roles",
                             {}};
    if (finding.count == 0) return std::nullopt;
    Rows rs(db.prepare(std::string("SELECT u.id, u.email ") + kStaleRoleCopies +
                       "ORDER BY u.id LIMIT " + std::to_string(kInvariantExamples))
                .executeQuery());
    while (rs->next()) {
        finding.examples.push_back(rs->getString(1).asStdString() + " " +
                                   rs->getString(2).asStdString());
    }
    return finding;
}

std::optional<InvariantFinding> wrong_user_counts(Database& db) {
    Rows rs(db.prepare("SELECT (SELECT COUNT(*) FROM users), "
                       "(SELECT COALESCE(SUM(active), 0) FROM users), c.users, c.active_users "
                       "FROM (SELECT 1 AS one) o LEFT JOIN user_counts c ON c.id = 1")
                .executeQuery());
    if (!rs->next()) return std::nullopt;
    const std::string users = rs->getString(1).asStdString();
    const std::string active = rs->getString(2).asStdString();
    InvariantFinding finding{
        "user_counts", 1, "counter row(s) of user_counts that disagree with users", {}};
    if (rs->isNull(3)) {
        finding.examples.push_back("the row is missing (users " + users + ", active " + active +
                                   ")");
        return finding;
    }
    const std::string counted = rs->getString(3).asStdString();
    const std::string counted_active = rs->getString(4).asStdString();
    if (counted == users && counted_active == active) return std::nullopt;
    finding.examples.push_back("users " + counted + " counted, " + users + " real");
    finding.examples.push_back("active users " + counted_active + " counted, " + active + " real");
    return finding;
}

std::optional<InvariantFinding> wrong_member_counts(Database& db) {
    InvariantFinding finding{"role_member_counts",
                             count_of(db, kWrongMemberCounts),
                             "role(s) whose member count in role_member_counts disagrees with "
                             "user_roles",
                             {}};
    if (finding.count == 0) return std::nullopt;
    Rows rs(db.prepare(std::string("SELECT r.name, COALESCE(c.members, 0), COALESCE(m.n, 0) ") +
                       kWrongMemberCounts + "ORDER BY r.name LIMIT " +
                       std::to_string(kInvariantExamples))
                .executeQuery());
    while (rs->next()) {
        finding.examples.push_back(rs->getString(1).asStdString() + " " +
                                   rs->getString(2).asStdString() + " counted, " +
                                   rs->getString(3).asStdString() + " real");
    }
    return finding;
}

std::vector<InvariantFinding> find_all(Database& db) {
    std::vector<InvariantFinding> findings;
    for (auto check : {stale_role_copies, wrong_user_counts, wrong_member_counts}) {
        if (auto finding = check(db)) findings.push_back(std::move(*finding));
    }
    return findings;
}

}  // namespace

std::vector<InvariantFinding> check_invariants(Database& db) {
    std::vector<InvariantFinding> findings;
    db.read([&](Database& d) { findings = find_all(d); });
    return findings;
}

std::vector<InvariantFinding> fix_invariants(Database& db, const std::string& actor) {
    std::vector<InvariantFinding> findings;
    db.transaction([&](Database& tx) {
        findings = find_all(tx);
        for (const auto& finding : findings) {
            if (finding.invariant == "role_cache") {
                rebuild_user_role_cache(tx);
            } else if (finding.invariant == "user_counts") {
                tx.execute(kEnsureUserCountsRow);
                tx.execute(kRecountUsers);
            } else if (finding.invariant == "role_member_counts") {
                tx.execute(kRecountMembers);
            }
            std::string detail = std::to_string(finding.count) + " " + finding.what;
            if (detail.size() > 255) detail.resize(255);
            audit(tx, std::nullopt, actor, "schema.fix", finding.invariant, "", detail);
        }
        // The pools' session caches forget everything (last statement).
        if (!findings.empty()) publish_cache_flush(tx);
    });
    return findings;
}

}  // namespace mfo
