#include "last_admin_guard.hpp"

#include <cppconn/resultset.h>

#include <algorithm>
#include <memory>

namespace mfo {

bool is_last_active_admin(Database& db, const UserRecord& user) {
    if (!user.active ||
        std::find(user.roles.begin(), user.roles.end(), kAdminRoleName) == user.roles.end()) {
        return false;
    }
    auto& st = db.prepare(
        "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id "
        "JOIN roles r ON r.id = ur.role_id WHERE r.name = ? AND u.active = 1 FOR UPDATE");
    st.setString(1, kAdminRoleName);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    while (rs->next()) {
        if (rs->getUInt64(1) != user.id) return false;
    }
    return true;
}

}  // namespace mfo
