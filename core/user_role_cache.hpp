#pragma once
// users.role_names / users.role_permissions: each user's roles and
// permissions copied onto the user row (migration 0002), so that resolving a
// session reads two tables by primary key. user_roles and roles remain the
// source of truth; every writer of either calls one of these in the same
// transaction, and `mfo-db seed` rebuilds all of them.

#include <cstdint>

#include "database.hpp"

namespace mfo {

void refresh_user_role_cache(Database& db, std::uint64_t user_id);
// Every user holding the role (after its permissions changed).
void refresh_role_holders_cache(Database& db, std::uint64_t role_id);
// Every user; returns the number of rows whose copy was out of date.
std::uint64_t rebuild_user_role_cache(Database& db);

}  // namespace mfo
