#include "context/app_context.hpp"

#include <fstream>
#include <sstream>

#include "crypto.hpp"
#include "roles_file.hpp"

namespace mfo {

namespace {

AccessRules load_rules(const Config& config, bool test_routes) {
    std::set<std::string> roles;
    std::set<std::string> permissions;
    for (const auto& role : load_roles_file(config.roles)) {
        roles.insert(role.name);
        permissions.insert(role.permissions.begin(), role.permissions.end());
    }
    // /register gives new users this role: one that `mfo-db seed` never
    // creates would leave every new user without a role.
    if (config.registerable && !config.default_role.empty() && !roles.count(config.default_role)) {
        std::string known;
        for (const auto& name : roles) known += (known.empty() ? "" : ", ") + name;
        throw ConfigError(config.origin_of("app", "default_role") + ": default_role: role \"" +
                          config.default_role + "\" is not in " + config.roles + " (" + known +
                          ")");
    }
    std::ifstream in(config.access_rules);
    if (!in) throw ConfigError(config.access_rules + ": cannot open the access rules");
    std::stringstream text;
    text << in.rdbuf();
    // The test-only routes exist only in test builds; they need no rule file.
    if (test_routes) text << "\nprefix /__test public\n";
    return AccessRules::parse(text.str(), config.access_rules, roles, permissions);
}

}  // namespace

std::shared_ptr<const AppContext> load_app_context(const Config& config,
                                                   bool test_routes_available) {
    validate_for_start(config);
    std::string secret = config.secret_key;
    if (secret.empty()) secret = crypto::base64url(crypto::random_bytes(32));

    const bool test_routes = config.test_routes && test_routes_available;
    auto ctx = std::make_shared<AppContext>(AppContext{
        config,
        load_rules(config, test_routes),
        std::make_unique<Renderer>(config.templates_dir),
        std::make_unique<PasswordHasher>(
            Argon2Params{config.argon2_memory_kib, config.argon2_iterations,
                         config.argon2_parallelism, config.argon2_max_concurrent},
            config.password_pepper),
        PasswordPolicy(config.common_passwords),
        Signer(secret),
        SessionStore(SessionTimeouts{config.session_idle_timeout, config.session_absolute_timeout,
                                     config.session_remember_timeout}),
        LoginThrottle(ThrottlePolicy{config.login_max_failures, config.login_failure_window,
                                     config.login_lockout}),
        test_routes,
        std::make_unique<InFlightLimit>(config.max_sign_ins_in_flight),
    });
    if (ctx->policy.common_count() == 0) {
        throw ConfigError(config.source + ": common_passwords: cannot read " +
                          config.common_passwords + " (install john-data or point it elsewhere)");
    }
    return ctx;
}

}  // namespace mfo
