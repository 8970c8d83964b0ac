#include "roles_file.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "config.hpp"
#include "ini_file.hpp"
#include "role_names.hpp"

namespace mfo {

namespace {

struct RolesReader {
    std::string source;
    std::vector<RoleDefinition> roles;
    std::string last_key;  // of the current role, for continuation lines
    std::map<std::string, int> seen_keys;

    void on_section(const std::string& section, int line) {
        require_valid_rbac_name("role", section);
        for (const auto& role : roles) {
            if (role.name == section) {
                throw std::invalid_argument("role \"" + section + "\" is already defined at " +
                                            role.origin);
            }
        }
        roles.push_back(RoleDefinition{section, "", {}, source + ":" + std::to_string(line)});
        last_key.clear();
        seen_keys.clear();
    }

    void on_entry(const IniEntry& entry) {
        if (roles.empty()) {
            throw std::invalid_argument("\"" + std::string(entry.name) +
                                        "\" before the first [role] section");
        }
        RoleDefinition& role = roles.back();
        const std::string key(entry.name);
        if (entry.continuation) {
            append(role, last_key, entry.value);
            return;
        }
        if (key != "description" && key != "permissions") {
            throw std::invalid_argument("unknown key \"" + key + "\" in [" + role.name +
                                        "] (expected description or permissions)");
        }
        if (const auto it = seen_keys.find(key); it != seen_keys.end()) {
            throw std::invalid_argument("\"" + key + "\" repeated in [" + role.name +
                                        "] (first on line " + std::to_string(it->second) + ")");
        }
        seen_keys.emplace(key, entry.line);
        last_key = key;
        if (key == "description") {
            role.description = std::string(entry.value);
            require_valid_role_description(role.description);
        } else {
            role.permissions = normalize_permissions(parse_permission_list(entry.value));
        }
    }

    // An indented line continues the previous value (configparser style).
    static void append(RoleDefinition& role, const std::string& key, std::string_view value) {
        if (key == "description") {
            role.description += " ";
            role.description += value;
            require_valid_role_description(role.description);
        } else {
            auto more = parse_permission_list(value);
            more.insert(more.end(), role.permissions.begin(), role.permissions.end());
            role.permissions = normalize_permissions(std::move(more));
        }
    }
};

IniCallbacks callbacks_for(RolesReader& reader) {
    return IniCallbacks{
        [&reader](const std::string& section, int line) { reader.on_section(section, line); },
        [&reader](const IniEntry& entry) { reader.on_entry(entry); }};
}

}  // namespace

std::vector<RoleDefinition> parse_roles(std::string_view text, const std::string& source) {
    RolesReader reader{source, {}, {}, {}};
    parse_ini_text(text, source, callbacks_for(reader));
    return std::move(reader.roles);
}

std::vector<RoleDefinition> load_roles_file(const std::string& path) {
    RolesReader reader{path, {}, {}, {}};
    parse_ini_file(path, callbacks_for(reader));
    return std::move(reader.roles);
}

std::set<std::string> role_names(const std::vector<RoleDefinition>& roles) {
    std::set<std::string> names;
    for (const auto& role : roles) names.insert(role.name);
    return names;
}

std::set<std::string> permission_names(const std::vector<RoleDefinition>& roles) {
    std::set<std::string> names;
    for (const auto& role : roles) names.insert(role.permissions.begin(), role.permissions.end());
    return names;
}

}  // namespace mfo
