#pragma once
// Names of roles and permissions, and the comma lists permissions are kept in.

#include <string>
#include <string_view>
#include <vector>

namespace mfo {

// roles.name is VARCHAR(80); roles.permissions is VARCHAR(1024).
constexpr std::size_t kMaxRbacNameLength = 80;
constexpr std::size_t kMaxPermissionListLength = 1024;
constexpr std::size_t kMaxRoleDescriptionLength = 255;

// Letters, digits, '_' and '-' only, 1 to kMaxRbacNameLength characters.
bool is_valid_rbac_name(std::string_view name);
// Throws std::invalid_argument naming `kind` ("role", "permission").
void require_valid_rbac_name(std::string_view kind, std::string_view name);

// Valid UTF-8 of at most kMaxRoleDescriptionLength code points (roles.description);
// throws std::invalid_argument.
void require_valid_role_description(std::string_view description);

// "read, write" -> {"read", "write"} (items trimmed; "" is no permission; a
// trailing comma is allowed). Throws std::invalid_argument for an empty item
// or an invalid name.
std::vector<std::string> parse_permission_list(std::string_view text);
// Validated, sorted and de-duplicated; throws std::invalid_argument, also
// when the stored list would not fit roles.permissions.
std::vector<std::string> normalize_permissions(std::vector<std::string> names);
// {"read", "write"} -> "read,write".
std::string join_names(const std::vector<std::string>& names, std::string_view separator = ",");
// As join_names, but "(none)" for no permissions, for messages.
std::string describe_permissions(const std::vector<std::string>& permissions);

}  // namespace mfo
