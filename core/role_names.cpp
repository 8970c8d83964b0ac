#include "role_names.hpp"

#include <algorithm>
#include <stdexcept>

#include "utf8_text.hpp"

namespace mfo {

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool is_valid_rbac_name(std::string_view name) {
    return !name.empty() && name.size() <= kMaxRbacNameLength &&
           std::all_of(name.begin(), name.end(), is_name_char);
}

void require_valid_rbac_name(std::string_view kind, std::string_view name) {
    if (is_valid_rbac_name(name)) return;
    std::string message = "invalid " + std::string(kind) + " name \"" + std::string(name) + "\": ";
    if (name.empty()) {
        message += "it is empty";
    } else if (name.size() > kMaxRbacNameLength) {
        message += "longer than " + std::to_string(kMaxRbacNameLength) + " characters";
    } else {
        message += "use letters, digits, '_' and '-' only";
    }
    throw std::invalid_argument(message);
}

void require_valid_role_description(std::string_view description) {
    const auto length = utf8_length(description);
    if (!length) throw std::invalid_argument("the role description is not valid UTF-8");
    if (*length > kMaxRoleDescriptionLength) {
        throw std::invalid_argument("the role description is longer than " +
                                    std::to_string(kMaxRoleDescriptionLength) + " characters");
    }
}

std::vector<std::string> parse_permission_list(std::string_view text) {
    std::vector<std::string> names;
    if (trim(text).empty()) return names;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        const auto item = trim(text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        // A trailing comma is allowed, for lists continued on the next line.
        if (item.empty() && comma == std::string_view::npos && !names.empty()) break;
        if (item.empty()) {
            throw std::invalid_argument("empty permission name in \"" + std::string(text) + "\"");
        }
        require_valid_rbac_name("permission", item);
        names.emplace_back(item);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return names;
}

std::vector<std::string> normalize_permissions(std::vector<std::string> names) {
    for (const auto& name : names) require_valid_rbac_name("permission", name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (join_names(names).size() > kMaxPermissionListLength) {
        throw std::invalid_argument("the permissions of a role must fit in " +
                                    std::to_string(kMaxPermissionListLength) + " characters");
    }
    return names;
}

std::string join_names(const std::vector<std::string>& names, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += separator;
        out += names[i];
    }
    return out;
}

std::string describe_permissions(const std::vector<std::string>& permissions) {
    return permissions.empty() ? "(none)" : join_names(permissions);
}

}  // namespace mfo
