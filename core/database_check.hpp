#pragma once
// Whether the database is usable with the configured accounts: what
// `mfo-fcgi --check-config --connect` reports and the pool checks at start.

#include <string>
#include <vector>

#include "config.hpp"
#include "database.hpp"

namespace mfo {

struct DatabaseCheck {
    std::string account;  // "mfo_app@unix:/run/mysqld/mysqld.sock/mfo"
    bool connected = false;
    std::vector<std::string> problems;  // one line each; empty: all good
};

// Connects with `account` and checks what that account's users need: for the
// application's, the schema is migrated and [app] default_role exists; for
// the DDL account, that its password could be read. Never throws.
DatabaseCheck check_database(const Config& config, DbAccount account);

}  // namespace mfo
