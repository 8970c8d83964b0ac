#include "console_admins.hpp"

#include <cppconn/resultset.h>

#include <algorithm>
#include <memory>
#include <set>

#include "role_names.hpp"

namespace mfo {

std::vector<std::string> console_permissions(const AccessRules& rules) {
    std::set<std::string> needed;
    for (const auto& rule : rules.rules()) {
        const bool console = rule.path == "/admin" || rule.path.rfind("/admin/", 0) == 0;
        if (!console) continue;
        for (const auto& req : rule.requirements) {
            if (req.kind != RequirementKind::permissions_required) continue;
            needed.insert(req.names.begin(), req.names.end());
        }
    }
    return {needed.begin(), needed.end()};
}

std::uint64_t count_console_admins(Database& db, const std::vector<std::string>& permissions) {
    // role_permissions is the user's permissions cache (migration 0002),
    // rewritten in the same transaction as any change to roles.
    auto& st = db.prepare(
        "SELECT u.role_permissions FROM users u JOIN user_roles ur ON ur.user_id = u.id "
        "JOIN roles r ON r.id = ur.role_id WHERE r.name = ? AND u.active = 1 FOR UPDATE");
    st.setString(1, kConsoleRole);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    std::uint64_t count = 0;
    while (rs->next()) {
        // A comma-separated list ("read,write,database,read").
        const std::string held = "," + rs->getString(1).asStdString() + ",";
        const bool all = std::all_of(permissions.begin(), permissions.end(), [&](const auto& p) {
            return held.find("," + p + ",") != std::string::npos;
        });
        if (all) ++count;
    }
    return count;
}

std::string last_console_admin_message(const std::vector<std::string>& permissions) {
    return "This would leave no active Admin with the " +
           (permissions.empty() ? std::string("Admin role")
                                : "permission" + std::string(permissions.size() > 1 ? "s " : " ") +
                                      join_names(permissions, ", ")) +
           " the admin console needs: give them to another active Admin first.";
}

}  // namespace mfo
