#pragma once
// Nobody may lock the site out of its own administration: the last active
// Admin cannot be deactivated or lose the Admin role (the admin tools; the
// console has the same rule).

#include <string>

#include "database.hpp"
#include "user_store.hpp"

namespace mfo {

inline constexpr const char* kAdminRoleName = "Admin";

// True when `user` is active, has the Admin role and no other active user
// has it. Locks the Admins' rows (FOR UPDATE): call inside the transaction
// that makes the change, so two concurrent changes cannot both pass.
bool is_last_active_admin(Database& db, const UserRecord& user);

}  // namespace mfo
