#pragma once
// The administrators who can still run the admin console: active users with
// the Admin role and every permission conf/access.conf requires under
// /admin. A change that would leave none (a role's permissions, a role taken
// away, a deactivation) is refused, in the console and in mfo-roles, since
// only the command-line tools could undo it.

#include <cstdint>
#include <string>
#include <vector>

#include "access_rules.hpp"
#include "database.hpp"

namespace mfo {

inline constexpr const char* kConsoleRole = "Admin";

// The permissions the rules require on the console's paths (/admin and below).
std::vector<std::string> console_permissions(const AccessRules& rules);

// Active users with kConsoleRole and all of `permissions`, in a transaction,
// their rows locked (FOR UPDATE) so two changes cannot both pass the guard.
std::uint64_t count_console_admins(Database& db, const std::vector<std::string>& permissions);

// Runs `change` in the transaction `db` is in; throws `refusal` (and so rolls
// the change back) when it takes the last console administrator away.
template <typename Change, typename Refusal>
void keep_a_console_admin(Database& db, const std::vector<std::string>& permissions,
                          Change&& change, Refusal&& refusal) {
    const std::uint64_t before = count_console_admins(db, permissions);
    change();
    if (before > 0 && count_console_admins(db, permissions) == 0) throw refusal();
}

// The message both refusals show.
std::string last_console_admin_message(const std::vector<std::string>& permissions);

}  // namespace mfo
