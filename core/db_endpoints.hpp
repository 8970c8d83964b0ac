#pragma once
// The database servers a connection may use, in order of preference: the
// `[database] hosts` list (several nodes of a Galera cluster), or the one
// server of socket / host / port.

#include <string>
#include <vector>

#include "config.hpp"

namespace mfo {

// Parses `hosts`: comma-separated entries, each `host:port`, `[v6addr]:port`,
// a bare host (port `default_port`) or a unix socket (`unix:PATH`, or a path
// starting with `/`, `./` or `../`; a relative one is taken from `base_dir`).
// Throws std::invalid_argument naming the bad entry; an empty value gives no
// hosts.
std::vector<DbEndpoint> parse_db_hosts(const std::string& value, int default_port,
                                       const std::string& base_dir);

// The servers to try, in order: `hosts`, else the single configured server.
std::vector<DbEndpoint> endpoints_of(const DatabaseConfig& config);

// "127.0.0.1:3306", "unix:/run/mysqld/mysqld.sock": for logs and errors.
std::string endpoint_label(const DbEndpoint& endpoint);
// The labels of `endpoints_of(config)`, comma-separated.
std::string endpoints_label(const DatabaseConfig& config);

}  // namespace mfo
