#pragma once
// The supervisor: owns the listening socket, forks the worker processes,
// respawns any that die (with back-off when one keeps dying), reloads on
// SIGHUP (fresh workers first, then the old ones drain) and drains everything
// on SIGTERM/SIGINT.

#include <memory>
#include <string>

#include "app_context.hpp"

namespace mfo {

// Returns the process exit status.
int run_supervisor(const std::string& config_path, std::shared_ptr<const AppContext> app);

}  // namespace mfo
