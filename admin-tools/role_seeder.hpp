#pragma once
// `mfo-db seed`: makes the database's roles match conf/roles.conf.

#include <string>
#include <vector>

#include "database.hpp"
#include "roles_file.hpp"

namespace mfo::cli {

// Find-or-create every role, in one transaction; a changed description or
// permission set is written. Roles not in the file are left alone. Returns
// one line per role: `Role "User" created.`, `Role "Admin" updated:
// permissions read,write -> database,read,write.`, `Role "User" unchanged.`
std::vector<std::string> seed_roles(Database& db, const std::vector<RoleDefinition>& roles,
                                    const std::string& actor);

}  // namespace mfo::cli
