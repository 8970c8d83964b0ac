#include "role_seeder.hpp"

#include <algorithm>

#include "role_names.hpp"
#include "session_events.hpp"
#include "user_role_cache.hpp"
#include "user_store.hpp"

namespace mfo::cli {

std::vector<std::string> seed_roles(Database& db, const std::vector<RoleDefinition>& roles,
                                    const std::string& actor) {
    std::vector<std::string> report;
    db.transaction([&](Database& tx) {
        report.clear();  // nothing of a rolled-back attempt is reported
        for (const auto& wanted : roles) {
            const std::string quoted = "Role \"" + wanted.name + "\"";
            const auto existing = find_role(tx, wanted.name);
            if (!existing) {
                create_role(tx, wanted.name, wanted.description, wanted.permissions);
                audit(tx, std::nullopt, actor, "role.create", wanted.name, "",
                      "permissions " + describe_permissions(wanted.permissions));
                report.push_back(quoted + " created.");
                continue;
            }
            std::vector<std::string> changes;
            if (existing->description != wanted.description) {
                changes.push_back("description \"" + existing->description + "\" -> \"" +
                                  wanted.description + "\"");
            }
            if (existing->permissions != wanted.permissions) {
                changes.push_back("permissions " + describe_permissions(existing->permissions) +
                                  " -> " + describe_permissions(wanted.permissions));
            }
            if (changes.empty()) {
                report.push_back(quoted + " unchanged.");
                continue;
            }
            update_role(tx, wanted.name, wanted.description, wanted.permissions);
            const std::string change_text = join_names(changes, ", ");
            audit(tx, std::nullopt, actor, "role.update", wanted.name, "", change_text);
            report.push_back(quoted + " updated: " + change_text + ".");
        }
        // Roles made with `mfo-roles create` exist only in the database:
        // access.conf may name only the roles of the roles file.
        for (const auto& role : list_roles(tx)) {
            const bool in_file = std::any_of(roles.begin(), roles.end(),
                                             [&](const auto& r) { return r.name == role.name; });
            if (!in_file) {
                report.push_back("Role \"" + role.name +
                                 "\" exists only in the database (not in the roles file): "
                                 "access.conf rules cannot name it.");
            }
        }
        // Also repairs copies that hand-made SQL changes to user_roles left stale.
        const auto repaired = rebuild_user_role_cache(tx);
        if (repaired > 0) {
            report.push_back("Roles copied onto " + std::to_string(repaired) +
                             " user row(s) that were out of date.");
            // The pools' session caches forget everything (last statement).
            publish_cache_flush(tx);
        }
    });
    return report;
}

}  // namespace mfo::cli
