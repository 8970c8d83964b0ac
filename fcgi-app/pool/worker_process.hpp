#pragma once
// One worker process: M threads accepting FastCGI requests on the shared
// listening socket, until SIGTERM; then in-flight requests finish (within the
// drain timeout) and the process exits 0.

#include <memory>

#include "context/app_context.hpp"

namespace mfo {

// Never returns: exits the process.
[[noreturn]] void run_worker_process(std::shared_ptr<const AppContext> app, int listen_fd);

}  // namespace mfo
