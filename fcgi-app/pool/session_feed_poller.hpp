#pragma once
// The thread of a worker process that reads the revocation feed
// (session_events) every [security] session_cache_poll_ms over its own
// connection and evicts from the worker's session cache what the new rows
// name. While reads fail the cache stops serving by itself (it is told of
// each good read); the first good read after that starts it empty.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "auth/session_cache.hpp"
#include "config.hpp"

namespace mfo {

class SessionFeedPoller {
  public:
    SessionFeedPoller(const Config& config, SessionCache& cache);
    ~SessionFeedPoller();  // stops and joins
    SessionFeedPoller(const SessionFeedPoller&) = delete;
    SessionFeedPoller& operator=(const SessionFeedPoller&) = delete;

  private:
    void run();
    // The cache's figures into this worker's /status entry.
    void publish_figures();

    const Config& config_;
    SessionCache& cache_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace mfo
