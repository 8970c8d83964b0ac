#pragma once
// One worker process: M threads accepting FastCGI requests on the shared
// listening socket, until SIGTERM; then in-flight requests finish (within the
// drain timeout) and the process exits 0.

#include <memory>

#include "context/app_context.hpp"

namespace mfo {

// Never returns: exits the process. `authorizer_fd`: a second listening
// socket served the same way ([server] authorizer_listen), or -1. The worker
// writes its figures to its entry of the pool statistics
// (set_own_worker_entry) and writes to `notify_fd` (the supervisor's
// eventfd) when it asks to be replaced. SIGUSR1 reopens the log file.
[[noreturn]] void run_worker_process(std::shared_ptr<const AppContext> app, int listen_fd,
                                     int authorizer_fd, int notify_fd);

}  // namespace mfo
