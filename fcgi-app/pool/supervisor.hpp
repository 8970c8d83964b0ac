#pragma once
// The supervisor: owns the listening socket, forks the worker processes,
// respawns any that die (with back-off when one keeps dying), reloads on
// SIGHUP (fresh workers first, then the old ones drain) and drains everything
// on SIGTERM/SIGINT.

#include <memory>
#include <string>

#include "context/app_context.hpp"

namespace mfo {

// Returns the process exit status. `test_routes_available` is passed on to
// load_app_context when a SIGHUP reloads.
int run_supervisor(const std::string& config_path, std::shared_ptr<const AppContext> app,
                   bool test_routes_available);

}  // namespace mfo
