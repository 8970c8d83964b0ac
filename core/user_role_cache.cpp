#include "user_role_cache.hpp"

#include <string>

namespace mfo {

namespace {

// Both lists in role-name order; `updated_at` is kept, since the user's own
// fields did not change. Rows already up to date are not counted by MariaDB.
constexpr const char* kRefresh =
    "UPDATE users u SET "
    "u.role_names = COALESCE((SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',') "
    "FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), ''), "
    "u.role_permissions = COALESCE((SELECT GROUP_CONCAT(r.permissions ORDER BY r.name "
    "SEPARATOR ',') FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
    "WHERE ur.user_id = u.id AND r.permissions <> ''), ''), "
    "u.updated_at = u.updated_at ";

}  // namespace

void refresh_user_role_cache(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare(std::string(kRefresh) + "WHERE u.id = ?");
    st.setUInt64(1, user_id);
    st.executeUpdate();
}

void refresh_role_holders_cache(Database& db, std::uint64_t role_id) {
    auto& st = db.prepare(std::string(kRefresh) +
                          "WHERE u.id IN (SELECT h.user_id FROM user_roles h WHERE h.role_id = ?)");
    st.setUInt64(1, role_id);
    st.executeUpdate();
}

std::uint64_t rebuild_user_role_cache(Database& db) {
    return static_cast<std::uint64_t>(db.prepare(kRefresh).executeUpdate());
}

}  // namespace mfo
