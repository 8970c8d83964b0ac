#pragma once
// The application configuration: conf/mfo.conf + .env + MFO_* environment.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mfo {

// A configuration problem; what() is "file:line: message" where a line is known.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class Environment { development, production };
enum class CookieSecure { automatic, always, never };

struct DatabaseConfig {
    std::string socket;
    std::string host = "127.0.0.1";
    int port = 3306;
    std::string name = "mfo";
    std::string user = "mfo_app";
    std::string password;
    std::string admin_user = "mfo_admin";
    std::string admin_password;
    int connect_timeout = 3;
    std::string migrations_dir;
};

struct Config {
    std::string source;  // the config file that was read
    std::string base_dir;

    // [app]
    Environment environment = Environment::development;
    std::string secret_key;
    bool registerable = true;
    std::string default_role = "User";
    bool generic_register_errors = false;
    std::string templates_dir;
    std::string access_rules;
    std::string roles;
    bool test_routes = false;

    // [server]
    std::string listen;
    unsigned socket_mode = 0660;
    std::string socket_group;
    int workers = 0;
    int threads = 8;
    int drain_timeout = 10;
    std::int64_t max_body_bytes = 16384;
    std::string pid_file;
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
