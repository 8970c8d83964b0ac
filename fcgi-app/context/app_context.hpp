#pragma once
// Everything a worker loads at start (and a SIGHUP reloads): configuration,
// access rules, templates, password machinery. Immutable and shared by the
// worker's threads.

#include <memory>

#include "access_rules.hpp"
#include "auth/login_throttle.hpp"
#include "auth/session_store.hpp"
#include "auth/signed_value.hpp"
#include "config.hpp"
#include "in_flight_limit.hpp"
#include "password_hasher.hpp"
#include "password_policy.hpp"
#include "render/renderer.hpp"

namespace mfo {

struct AppContext {
    Config config;
    AccessRules rules;
    std::unique_ptr<Renderer> renderer;
    std::unique_ptr<PasswordHasher> hasher;
    PasswordPolicy policy;
    Signer signer;
    SessionStore sessions;
    LoginThrottle throttle;
    bool test_routes = false;  // compiled in and enabled by config
    // POST /login and /register in flight in this worker process (each
    // forked worker has its own): [server] max_sign_ins_in_flight.
    std::unique_ptr<InFlightLimit> sign_ins;
};

// Loads and validates everything the config names. Throws ConfigError with
// file:line. In development without a secret key, a random one is made (it
// lasts as long as the supervisor). `test_routes_available`: the binary has
// the test-only routes, which config `test_routes` may then enable.
std::shared_ptr<const AppContext> load_app_context(const Config& config,
                                                   bool test_routes_available = false);

}  // namespace mfo
