#pragma once
// conf/roles.conf: the roles `mfo-db seed` makes sure exist, which are also
// the only roles and permissions conf/access.conf may name. No database.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mfo {

struct RoleDefinition {
    std::string name;
    std::string description;
    std::vector<std::string> permissions;  // sorted, unique
    std::string origin;                    // "file:line" of the [section]
};

// One section per role with the keys `description` and `permissions` (a
// comma list). Throws ConfigError("file:line: message") for an unknown key,
// a bad or repeated name, or a syntax error. Roles keep their file order.
std::vector<RoleDefinition> load_roles_file(const std::string& path);
std::vector<RoleDefinition> parse_roles(std::string_view text, const std::string& source);

std::set<std::string> role_names(const std::vector<RoleDefinition>& roles);
// The union of the permissions of all roles.
std::set<std::string> permission_names(const std::vector<RoleDefinition>& roles);

}  // namespace mfo
