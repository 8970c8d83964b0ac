// Loads Config from the INI file, .env and the environment, keeping the origin
// (file:line) of every value so errors point at the line to fix.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "config.hpp"
#include "db_endpoints.hpp"
#include "ini_file.hpp"

extern char** environ;

namespace mfo {
namespace {

namespace fs = std::filesystem;

struct Setting {
    std::string value;
    SettingOrigin origin;
};

using SettingKey = std::pair<std::string, std::string>;  // section, key
using Settings = std::map<SettingKey, Setting>;

struct Loader {
    Config& config;
    std::string dir;
    std::string path_of(const std::string& value) const {
        if (value.empty() || value.front() == '/') return value;
        return (fs::path(dir) / value).lexically_normal().string();
    }
};

using Setter = std::function<void(Loader&, const std::string&)>;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool parse_bool(const std::string& v) {
    const std::string l = lower(v);
    if (l == "true" || l == "yes" || l == "on" || l == "1") return true;
    if (l == "false" || l == "no" || l == "off" || l == "0") return false;
    throw std::invalid_argument("expected true or false, got \"" + v + "\"");
}

long long parse_int(const std::string& v, long long min, long long max) {
    if (v.empty()) throw std::invalid_argument("expected a number");
    std::size_t used = 0;
    long long n = 0;
    try {
        n = std::stoll(v, &used, 10);
    } catch (const std::exception&) {
        throw std::invalid_argument("expected a number, got \"" + v + "\"");
    }
    if (used != v.size()) throw std::invalid_argument("expected a number, got \"" + v + "\"");
    if (n < min || n > max) {
        throw std::invalid_argument("must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    }
    return n;
}

// A missing, unreadable or empty file is an error: taking it for an empty
// secret would start a pool that connects with "using password: NO".
std::string read_secret_file(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw std::invalid_argument(path + " does not exist");
    if (::access(path.c_str(), R_OK) != 0) {
        throw std::invalid_argument("cannot read " + path +
                                    " (permission denied for this user; see its owner and mode)");
    }
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read " + path);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (line.empty()) throw std::invalid_argument(path + " is empty");
    return line;
}

// Every known key. Values are applied in file order, then overrides.
const std::map<SettingKey, Setter>& setters() {
    static const std::map<SettingKey, Setter> table = {
        {{"app", "environment"},
         [](Loader& l, const std::string& v) {
             if (v == "development") {
                 l.config.environment = Environment::development;
             } else if (v == "production") {
                 l.config.environment = Environment::production;
             } else {
                 throw std::invalid_argument("expected development or production");
             }
         }},
        {{"app", "secret_key"},
         [](Loader& l, const std::string& v) {
             if (!v.empty()) l.config.secret_key = v;
         }},
        {{"app", "secret_key_file"},
         [](Loader& l, const std::string& v) {
             if (!v.empty() && l.config.secret_key.empty())
                 l.config.secret_key = read_secret_file(l.path_of(v));
         }},
        {{"app", "registerable"},
         [](Loader& l, const std::string& v) { l.config.registerable = parse_bool(v); }},
        {{"app", "default_role"},
         [](Loader& l, const std::string& v) { l.config.default_role = v; }},
        {{"app", "generic_register_errors"},
         [](Loader& l, const std::string& v) { l.config.generic_register_errors = parse_bool(v); }},
        {{"app", "templates_dir"},
         [](Loader& l, const std::string& v) { l.config.templates_dir = l.path_of(v); }},
        {{"app", "access_rules"},
         [](Loader& l, const std::string& v) { l.config.access_rules = l.path_of(v); }},
        {{"app", "roles"}, [](Loader& l, const std::string& v) { l.config.roles = l.path_of(v); }},
        {{"app", "test_routes"},
         [](Loader& l, const std::string& v) { l.config.test_routes = parse_bool(v); }},
        {{"server", "listen"},
         [](Loader& l, const std::string& v) {
             if (v.rfind("unix:", 0) == 0) {
                 if (v.size() == 5) throw std::invalid_argument("unix: needs a path");
                 l.config.listen = "unix:" + l.path_of(v.substr(5));
             } else if (v == "fd:0" || v.rfind("127.0.0.1:", 0) == 0) {
                 if (v != "fd:0") parse_int(v.substr(10), 1, 65535);
                 l.config.listen = v;
             } else {
                 throw std::invalid_argument("expected unix:PATH, 127.0.0.1:PORT or fd:0");
             }
         }},
        {{"server", "socket_mode"},
         [](Loader& l, const std::string& v) {
             std::size_t used = 0;
             unsigned long m = 0;
             try {
                 m = std::stoul(v, &used, 8);
             } catch (const std::exception&) {
                 used = 0;
             }
             if (used == 0 || used != v.size() || m > 0777)
                 throw std::invalid_argument("expected an octal mode such as 0660");
             if (m & 0007) throw std::invalid_argument("must not give access to others");
             l.config.socket_mode = static_cast<unsigned>(m);
         }},
        {{"server", "socket_group"},
         [](Loader& l, const std::string& v) { l.config.socket_group = v; }},
        {{"server", "workers"},
         [](Loader& l, const std::string& v) {
             l.config.workers = static_cast<int>(parse_int(v, 0, 256));
         }},
        {{"server", "threads"},
         [](Loader& l, const std::string& v) {
             l.config.threads = static_cast<int>(parse_int(v, 1, 1024));
         }},
        {{"server", "drain_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.drain_timeout = static_cast<int>(parse_int(v, 0, 3600));
         }},
        {{"server", "max_body_bytes"},
         [](Loader& l, const std::string& v) {
             l.config.max_body_bytes = parse_int(v, 1024, 64 * 1024 * 1024);
         }},
        {{"server", "authorizer_listen"},
         [](Loader& l, const std::string& v) {
             // Apache's mod_authnz_fcgi connects over TCP only.
             if (!v.empty()) {
                 if (v.rfind("127.0.0.1:", 0) != 0)
                     throw std::invalid_argument("expected 127.0.0.1:PORT or nothing");
                 parse_int(v.substr(10), 1, 65535);
             }
             l.config.authorizer_listen = v;
         }},
        {{"server", "pid_file"},
         [](Loader& l, const std::string& v) { l.config.pid_file = l.path_of(v); }},
        {{"server", "max_sign_ins_in_flight"},
         [](Loader& l, const std::string& v) {
             l.config.max_sign_ins_in_flight = static_cast<int>(parse_int(v, 0, 1024));
         }},
        {{"server", "slow_request_ms"},
         [](Loader& l, const std::string& v) {
             l.config.slow_request_ms = static_cast<int>(parse_int(v, 0, 3'600'000));
         }},
        {{"server", "request_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.request_timeout = static_cast<int>(parse_int(v, 0, 86'400));
         }},
        {{"server", "max_requests"},
         [](Loader& l, const std::string& v) {
             l.config.max_requests = static_cast<int>(parse_int(v, 0, 1'000'000'000));
         }},
        {{"server", "max_rss_mb"},
         [](Loader& l, const std::string& v) {
             l.config.max_rss_mb = static_cast<int>(parse_int(v, 0, 1'048'576));
         }},
        {{"server", "log_file"},
         [](Loader& l, const std::string& v) {
             l.config.log_file = v.empty() ? std::string() : l.path_of(v);
         }},
        {{"database", "socket"},
         [](Loader& l, const std::string& v) { l.config.database.socket = l.path_of(v); }},
        {{"database", "host"}, [](Loader& l, const std::string& v) { l.config.database.host = v; }},
        {{"database", "hosts"},
         [](Loader& l, const std::string& v) {
             l.config.database.hosts = parse_db_hosts(v, l.config.database.port, l.dir);
         }},
        {{"database", "port"},
         [](Loader& l, const std::string& v) {
             l.config.database.port = static_cast<int>(parse_int(v, 1, 65535));
         }},
        {{"database", "name"},
         [](Loader& l, const std::string& v) {
             if (v.empty()) throw std::invalid_argument("must not be empty");
             l.config.database.name = v;
         }},
        {{"database", "user"}, [](Loader& l, const std::string& v) { l.config.database.user = v; }},
        {{"database", "password"},
         [](Loader& l, const std::string& v) {
             if (!v.empty()) l.config.database.password = v;
         }},
        {{"database", "password_file"},
         [](Loader& l, const std::string& v) {
             if (!v.empty() && l.config.database.password.empty())
                 l.config.database.password = read_secret_file(l.path_of(v));
         }},
        {{"database", "admin_user"},
         [](Loader& l, const std::string& v) { l.config.database.admin_user = v; }},
        {{"database", "admin_password"},
         [](Loader& l, const std::string& v) {
             if (!v.empty()) l.config.database.admin_password = v;
         }},
        {{"database", "admin_password_file"},
         [](Loader& l, const std::string& v) {
             // Only the tools' DDL connection needs it: the worker runs without
             // access to it, and a tool reports the problem when it connects.
             if (!v.empty() && l.config.database.admin_password.empty()) {
                 try {
                     l.config.database.admin_password = read_secret_file(l.path_of(v));
                 } catch (const std::invalid_argument& e) {
                     l.config.database.admin_password_problem = e.what();
                 }
             }
         }},
        {{"database", "migrations_dir"},
         [](Loader& l, const std::string& v) { l.config.database.migrations_dir = l.path_of(v); }},
        {{"database", "admin_read_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.database.admin_read_timeout = static_cast<int>(parse_int(v, 0, 604800));
         }},
        {{"database", "connect_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.database.connect_timeout = static_cast<int>(parse_int(v, 1, 300));
         }},
        {{"database", "read_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.database.read_timeout = static_cast<int>(parse_int(v, 1, 3600));
         }},
        {{"database", "write_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.database.write_timeout = static_cast<int>(parse_int(v, 1, 3600));
         }},
        {{"database", "breaker_failures"},
         [](Loader& l, const std::string& v) {
             l.config.database.breaker_failures = static_cast<int>(parse_int(v, 1, 1000));
         }},
        {{"database", "breaker_retry"},
         [](Loader& l, const std::string& v) {
             l.config.database.breaker_retry = static_cast<int>(parse_int(v, 1, 300));
         }},
        {{"security", "argon2_memory_kib"},
         [](Loader& l, const std::string& v) {
             l.config.argon2_memory_kib = static_cast<std::uint32_t>(parse_int(v, 8, 4194304));
         }},
        {{"security", "argon2_iterations"},
         [](Loader& l, const std::string& v) {
             l.config.argon2_iterations = static_cast<std::uint32_t>(parse_int(v, 1, 100));
         }},
        {{"security", "argon2_parallelism"},
         [](Loader& l, const std::string& v) {
             l.config.argon2_parallelism = static_cast<std::uint32_t>(parse_int(v, 1, 64));
         }},
        {{"security", "argon2_max_concurrent"},
         [](Loader& l, const std::string& v) {
             l.config.argon2_max_concurrent = static_cast<unsigned>(parse_int(v, 0, 1024));
         }},
        {{"security", "password_pepper"},
         [](Loader& l, const std::string& v) { l.config.password_pepper = v; }},
        {{"security", "session_cookie"},
         [](Loader& l, const std::string& v) {
             if (v.empty() || !std::all_of(v.begin(), v.end(), [](unsigned char c) {
                     return std::isalnum(c) || c == '_' || c == '-';
                 }))
                 throw std::invalid_argument("letters, digits, '_' and '-' only");
             l.config.session_cookie = v;
         }},
        {{"security", "cookie_secure"},
         [](Loader& l, const std::string& v) {
             if (v == "auto") {
                 l.config.cookie_secure = CookieSecure::automatic;
             } else if (v == "always") {
                 l.config.cookie_secure = CookieSecure::always;
             } else if (v == "never") {
                 l.config.cookie_secure = CookieSecure::never;
             } else {
                 throw std::invalid_argument("expected auto, always or never");
             }
         }},
        {{"security", "session_idle_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.session_idle_timeout = static_cast<int>(parse_int(v, 1, 31536000));
         }},
        {{"security", "session_absolute_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.session_absolute_timeout = static_cast<int>(parse_int(v, 1, 31536000));
         }},
        {{"security", "session_remember_timeout"},
         [](Loader& l, const std::string& v) {
             l.config.session_remember_timeout = static_cast<int>(parse_int(v, 1, 31536000));
         }},
        {{"security", "login_max_failures"},
         [](Loader& l, const std::string& v) {
             l.config.login_max_failures = static_cast<int>(parse_int(v, 1, 1000));
         }},
        {{"security", "login_failure_window"},
         [](Loader& l, const std::string& v) {
             l.config.login_failure_window = static_cast<int>(parse_int(v, 1, 86400));
         }},
        {{"security", "login_lockout"},
         [](Loader& l, const std::string& v) {
             l.config.login_lockout = static_cast<int>(parse_int(v, 1, 86400));
         }},
        {{"security", "common_passwords"},
         [](Loader& l, const std::string& v) { l.config.common_passwords = l.path_of(v); }},
        {{"security", "session_cache"},
         [](Loader& l, const std::string& v) { l.config.session_cache = parse_bool(v); }},
        {{"security", "session_cache_entries"},
         [](Loader& l, const std::string& v) {
             l.config.session_cache_entries = static_cast<int>(parse_int(v, 0, 10000000));
         }},
        {{"security", "session_cache_memory_mb"},
         [](Loader& l, const std::string& v) {
             l.config.session_cache_memory_mb = static_cast<int>(parse_int(v, 1, 65536));
         }},
        {{"security", "session_cache_max_age"},
         [](Loader& l, const std::string& v) {
             l.config.session_cache_max_age = static_cast<int>(parse_int(v, 1, 3600));
         }},
        {{"security", "session_cache_poll_ms"},
         [](Loader& l, const std::string& v) {
             l.config.session_cache_poll_ms = static_cast<int>(parse_int(v, 10, 10000));
         }},
        {{"security", "session_cache_fail_closed_ms"},
         [](Loader& l, const std::string& v) {
             l.config.session_cache_fail_closed_ms = static_cast<int>(parse_int(v, 20, 600000));
         }},
    };
    return table;
}

// Variables of the seed's .env that mean the same as ours.
const std::map<std::string, SettingKey>& seed_aliases() {
    static const std::map<std::string, SettingKey> aliases = {
        {"FLASK_SECRET_KEY", {"app", "secret_key"}},
        {"SECURITY_PASSWORD_SALT", {"security", "password_pepper"}},
    };
    return aliases;
}

std::string env_name(const SettingKey& key) {
    std::string name = "MFO_" + key.first + "_" + key.second;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    return name;
}

// Maps an environment-style name to a known key, if it is one.
bool key_for_env_name(const std::string& name, SettingKey& out) {
    if (auto alias = seed_aliases().find(name); alias != seed_aliases().end()) {
        out = alias->second;
        return true;
    }
    for (const auto& [key, setter] : setters()) {
        if (env_name(key) == name) {
            out = key;
            return true;
        }
    }
    return false;
}

void read_ini(const std::string& path, Settings& settings) {
    IniCallbacks callbacks;
    callbacks.on_entry = [&](const IniEntry& entry) {
        const SettingKey key{lower(entry.section), lower(std::string(entry.name))};
        if (entry.continuation) throw std::invalid_argument("unexpected indented line");
        if (!setters().count(key)) {
            throw std::invalid_argument("unknown setting [" + key.first + "] " + key.second);
        }
        settings[key] =
            Setting{std::string(entry.value),
                    {SettingOrigin::Kind::file, path + ":" + std::to_string(entry.line)}};
    };
    parse_ini_file(path, callbacks);
}

std::string unquote(std::string v) {
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        return v.substr(1, v.size() - 2);
    return v;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// python-dotenv style: KEY=VALUE lines, '#' comments, optional `export ` and quotes.
void read_dotenv(const std::string& path, Settings& settings) {
    std::ifstream in(path);
    if (!in) return;
    std::error_code ec;
    const std::string shown = fs::absolute(path, ec).lexically_normal().string();
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
        const auto eq = t.find('=');
        if (eq == std::string::npos) {
            throw ConfigError(shown + ":" + std::to_string(lineno) + ": expected NAME=VALUE");
        }
        const std::string name = trim(t.substr(0, eq));
        SettingKey key;
        if (!key_for_env_name(name, key)) continue;  // other programs' variables
        settings[key] = Setting{unquote(trim(t.substr(eq + 1))),
                                {SettingOrigin::Kind::dotenv,
                                 shown + ":" + std::to_string(lineno) + " (" + name + ")"}};
    }
}

void read_environment(Settings& settings) {
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        const auto eq = entry.find('=');
        if (eq == std::string::npos) continue;
        const std::string name = entry.substr(0, eq);
        SettingKey key;
        if (!key_for_env_name(name, key)) continue;
        settings[key] = Setting{entry.substr(eq + 1),
                                {SettingOrigin::Kind::environment, "environment " + name}};
    }
}

std::string origin_key(const SettingKey& key) {
    return "[" + key.first + "] " + key.second;
}

void apply_settings(Loader& loader, const Settings& settings) {
    for (const auto& [key, setting] : settings)
        loader.config.origins[origin_key(key)] = setting.origin;
    // Inline secrets first so that *_file only fills what is still empty;
    // the port before `hosts`, whose bare host names take it.
    const SettingKey first[] = {{"app", "secret_key"},
                                {"database", "password"},
                                {"database", "admin_password"},
                                {"database", "port"}};
    auto apply = [&](const SettingKey& key, const Setting& setting) {
        const bool had_key = !loader.config.secret_key.empty();
        try {
            setters().at(key)(loader, setting.value);
        } catch (const std::invalid_argument& e) {
            throw ConfigError(setting.origin.where + ": " + key.second + ": " + e.what());
        }
        if (!had_key && !loader.config.secret_key.empty())
            loader.config.secret_key_origin = setting.origin.where;
    };
    for (const auto& key : first) {
        if (auto it = settings.find(key); it != settings.end()) apply(key, it->second);
    }
    for (const auto& [key, setting] : settings) {
        if (std::find(std::begin(first), std::end(first), key) != std::end(first)) continue;
        apply(key, setting);
    }
    std::string& problem = loader.config.database.admin_password_problem;
    if (!problem.empty()) {
        problem = loader.config.origin_of("database", "admin_password_file") +
                  ": admin_password_file: " + problem;
    }
}

}  // namespace

std::string Config::origin_of(const std::string& section, const std::string& key) const {
    const auto it = origins.find(origin_key({section, key}));
    return it == origins.end() ? source : it->second.where;
}

std::vector<std::string> Config::dotenv_security_overrides() const {
    std::vector<std::string> found;
    for (const auto& [key, origin] : origins) {
        if (origin.kind != SettingOrigin::Kind::dotenv) continue;
        const bool security = key.rfind("[security] ", 0) == 0 || key == "[app] secret_key" ||
                              key == "[app] secret_key_file" ||
                              key.find("password") != std::string::npos;
        if (security) found.push_back(key + " from " + origin.where);
    }
    return found;
}

std::string default_config_path() {
    if (const char* p = std::getenv("MFO_CONFIG"); p && *p) return p;
    return "conf/mfo.conf";
}

Config load_config(const std::string& path) {
    Config config;
    config.source = path;
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec);
    config.base_dir = abs.parent_path().lexically_normal().string();

    Loader loader{config, config.base_dir};
    // Defaults that are paths are relative to the config file too.
    config.templates_dir = loader.path_of("../templates");
    config.access_rules = loader.path_of("access.conf");
    config.roles = loader.path_of("roles.conf");
    config.database.migrations_dir = loader.path_of("../sql/migrations");
    config.listen = "unix:" + loader.path_of("../var/run/mfo-fcgi.sock");
    config.common_passwords = "/usr/share/john/password.lst";

    Settings settings;
    read_ini(path, settings);
    read_dotenv(".env", settings);
    read_environment(settings);
    apply_settings(loader, settings);

    if (config.workers == 0) {
        config.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    // Sign-ins take at most half the threads by default, so page views keep
    // the rest whatever the login traffic.
    if (config.max_sign_ins_in_flight == 0) {
        config.max_sign_ins_in_flight = std::max(1, config.threads / 2);
    }
    if (config.session_cache &&
        config.session_cache_fail_closed_ms < 2 * config.session_cache_poll_ms) {
        throw ConfigError(path +
                          ": session_cache_fail_closed_ms must be at least twice "
                          "session_cache_poll_ms (one slow read would turn the cache off)");
    }
    if (config.session_idle_timeout > config.session_absolute_timeout) {
        throw ConfigError(path + ": session_idle_timeout is longer than session_absolute_timeout");
    }
    return config;
}

void validate_for_start(const Config& config) {
    if (config.environment != Environment::production) return;
    static const char* const examples[] = {"abcdFakeKey1234",
                                           "LGBoUEDCCpgwxy5jZxpu9e01MTnRVqnG6A8ceD7Z4YU",
                                           "change-me", "changeme", "secret"};
    if (config.secret_key.empty()) {
        throw ConfigError(config.source + ": production needs [app] secret_key or secret_key_file");
    }
    const std::string& origin = config.secret_key_origin;
    for (const char* example : examples) {
        if (config.secret_key == example) {
            throw ConfigError(origin +
                              ": the secret key is an example; generate one with "
                              "`openssl rand -base64 48`");
        }
    }
    if (config.secret_key.size() < 32) {
        throw ConfigError(origin + ": the secret key must be at least 32 characters");
    }
}

}  // namespace mfo
