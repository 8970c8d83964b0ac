#pragma once
// The application configuration: conf/mfo.conf + .env + MFO_* environment.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace mfo {

// A configuration problem; what() is "file:line: message" where a line is known.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class Environment { development, production };
enum class CookieSecure { automatic, always, never };

// One database server: a unix socket, or host and port.
struct DbEndpoint {
    std::string socket;
    std::string host;
    int port = 3306;
    bool operator==(const DbEndpoint&) const = default;
};

struct DatabaseConfig {
    // Several servers (a Galera cluster), in order of preference; empty: the
    // one server of socket / host / port. See db_endpoints.hpp.
    std::vector<DbEndpoint> hosts;
    std::string socket;
    std::string host = "127.0.0.1";
    int port = 3306;
    std::string name = "mfo";
    std::string user = "mfo_app";
    std::string password;
    std::string admin_user = "mfo_admin";
    std::string admin_password;
    // Why admin_password_file gave no password (missing, unreadable, empty):
    // only the tools that use the DDL account report it, the pool runs without.
    std::string admin_password_problem;
    // Seconds; 0 = no limit.
    int connect_timeout = 3;
    int read_timeout = 5;
    int write_timeout = 5;
    // Read timeout of the DDL account's connection (migrations, purge); 0: none.
    // A long ALTER must not be cut off client-side while the server completes it.
    int admin_read_timeout = 0;
    // Circuit breaker of the worker (per process): after `breaker_failures`
    // timed-out waits in a row, requests fail fast (503) and one request
    // re-probes every `breaker_retry` seconds.
    int breaker_failures = 3;
    int breaker_retry = 1;
    std::string migrations_dir;
};

// Where a setting's value came from, for errors and warnings.
struct SettingOrigin {
    enum class Kind { file, dotenv, environment };
    Kind kind = Kind::file;
    std::string where;  // "/etc/mfo/mfo.conf:12", "/srv/app/.env:3 (SECURITY_PASSWORD_SALT)",
                        // "environment MFO_DATABASE_NAME"
};

struct Config {
    std::string source;  // the config file that was read
    std::string base_dir;
    // "[section] key" -> where its value came from, for every value set.
    std::map<std::string, SettingOrigin> origins;
    // "file:line: " (or ".env:3 (NAME): ", "environment MFO_X: ") of a
    // setting, or the config file's name when it was not set: the prefix of
    // an error about that value.
    std::string origin_of(const std::string& section, const std::string& key) const;
    // "[security] password_pepper from /srv/app/.env:3 (SECURITY_PASSWORD_SALT)"
    // for each security-relevant value a .env file set (the tools warn).
    std::vector<std::string> dotenv_security_overrides() const;

    // [app]
    Environment environment = Environment::development;
    std::string secret_key;
    std::string secret_key_origin;  // where the key in use came from
    bool registerable = true;
    std::string default_role = "User";
    bool generic_register_errors = false;
    std::string templates_dir;
    std::string access_rules;
    std::string roles;
    bool test_routes = false;

    // [server]
    std::string listen;
    // A second address, loopback TCP, for front servers that cannot use a
    // unix socket (Apache's mod_authnz_fcgi); empty: none. It serves every
    // request the first one does.
    std::string authorizer_listen;
    unsigned socket_mode = 0660;
    std::string socket_group;
    int workers = 0;
    int threads = 8;
    int drain_timeout = 10;
    std::int64_t max_body_bytes = 16384;
    std::string pid_file;
    // POST /login and /register in flight per worker process; more get 503
    // at once, before any password hashing. 0: half the threads (at least 1).
    int max_sign_ins_in_flight = 0;
    int slow_request_ms = 1000;  // 0: no slow log
    int request_timeout = 60;    // seconds; 0: none
    int max_requests = 0;        // per worker, less up to a tenth; 0: no limit
    int max_rss_mb = 0;          // 0: no limit
    std::string log_file;        // empty: stderr

    DatabaseConfig database;

    // [security]
    std::uint32_t argon2_memory_kib = 19456;
    std::uint32_t argon2_iterations = 2;
    std::uint32_t argon2_parallelism = 1;
    unsigned argon2_max_concurrent = 0;  // per process; 0: the online CPUs
    std::string password_pepper;
    std::string session_cookie = "mfo_session";
    CookieSecure cookie_secure = CookieSecure::automatic;
    int session_idle_timeout = 1800;
    int session_absolute_timeout = 43200;
    int session_remember_timeout = 2592000;
    int login_max_failures = 5;
    int login_failure_window = 900;
    int login_lockout = 900;
    std::string common_passwords;
    // The pool's cache of validated sessions and its revocation feed
    // (fcgi-app/auth/session_cache.hpp).
    bool session_cache = true;
    int session_cache_entries = 100000;
    int session_cache_memory_mb = 128;
    int session_cache_max_age = 60;  // seconds
    int session_cache_poll_ms = 100;
    int session_cache_fail_closed_ms = 500;  // no good feed read for this long: off
};

// Reads `path`, then `.env` in the working directory, then the process
// environment. Throws ConfigError. Relative paths are resolved against the
// directory of `path`.
Config load_config(const std::string& path);

// The config path a program uses without --config: $MFO_CONFIG or conf/mfo.conf.
std::string default_config_path();

// Production checks (secret key present and not an example). Throws ConfigError.
void validate_for_start(const Config& config);

}  // namespace mfo
