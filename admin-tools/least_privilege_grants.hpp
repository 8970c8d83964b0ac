#pragma once
// `mfo-db grants`: the table grants of the worker's account and of the purge
// account, as SQL for the MariaDB root user to run after `mfo-db migrate`.

#include <string>

namespace mfo::cli {

struct GrantAccounts {
    std::string database;    // [database] name
    std::string app_user;    // [database] user: the worker and mfo-users / mfo-roles
    std::string purge_user;  // runs `mfo-db purge-sessions` (empty: none)
    std::string host = "localhost";
};

// The GRANT statements, one per line, with comments saying why. Throws
// std::invalid_argument for a name that is not a plain identifier.
std::string least_privilege_grants(const GrantAccounts& accounts);

}  // namespace mfo::cli
