#pragma once
// One worker process: M threads accepting FastCGI requests on the shared
// listening socket, until SIGTERM; then in-flight requests finish (within the
// drain timeout) and the process exits 0.

#include <memory>

#include "context/app_context.hpp"

namespace mfo {

// Never returns: exits the process. `authorizer_fd`: a second listening
// socket served the same way ([server] authorizer_listen), or -1.
[[noreturn]] void run_worker_process(std::shared_ptr<const AppContext> app, int listen_fd,
                                     int authorizer_fd = -1);

}  // namespace mfo
