#pragma once
// Reads the users, roles and memberships of a Flask-Security-Too database
// (fsqla models: tables `user`, `role`, `roles_users`), given the Flask
// app's SQLALCHEMY_DATABASE_URI: SQLite (libsqlite3, read-only) or
// MySQL/MariaDB (Connector/C++).

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mfo::cli {

// A URI we cannot use, or a source we cannot read: one line for the tool.
class SourceError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct SourceUri {
    enum class Kind { sqlite, mysql } kind = Kind::sqlite;
    std::string path;  // sqlite
    std::string user, password, host, database, unix_socket;
    int port = 3306;
};

// sqlite:///relative, sqlite:////absolute; mysql://, mysql+pymysql://,
// mysql+mysqldb://, mysql+mysqlconnector://, mariadb[+driver]:// with
// user[:password]@host[:port]/database[?unix_socket=PATH] (percent-encoded
// parts decoded; other query parameters ignored). Throws SourceError.
SourceUri parse_source_uri(const std::string& uri);
// The URI with its password replaced by "***", for messages.
std::string redacted_uri(const std::string& uri);

struct FlaskUser {
    std::int64_t id = 0;
    std::string email;
    bool active = false;
    std::optional<std::string> password;  // fsqla_v3: nullable
    std::string created_at;               // "YYYY-MM-DD HH:MM:SS" UTC
    std::string last_login_at;            // empty when never (or not tracked)
};

struct FlaskRole {
    std::int64_t id = 0;
    std::string name;
    std::string description;  // NULL read as ""
    std::string permissions;  // AsaList text: "a,b"; NULL read as ""
};

struct FlaskData {
    std::vector<FlaskUser> users;
    std::vector<FlaskRole> roles;
    std::vector<std::pair<std::int64_t, std::int64_t>> memberships;  // (user, role), as stored
};

// Throws SourceError (no such file or database, not a Flask-Security
// database, cannot connect).
FlaskData read_flask_source(const SourceUri& uri, int connect_timeout_seconds);

}  // namespace mfo::cli
