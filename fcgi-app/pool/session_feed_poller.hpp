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
#include "db_circuit_breaker.hpp"

namespace mfo {

class SessionFeedPoller {
  public:
    // `breaker`: the worker's database circuit breaker (may be null); a good
    // read closes it, so a worker whose pages get no traffic after an
    // outage still knows, and logs, that the database is back.
    SessionFeedPoller(const Config& config, SessionCache& cache, DbCircuitBreaker* breaker);
    ~SessionFeedPoller();  // stops and joins
    SessionFeedPoller(const SessionFeedPoller&) = delete;
    SessionFeedPoller& operator=(const SessionFeedPoller&) = delete;

  private:
    void run();
    // The cache's figures into this worker's /status entry.
    void publish_figures();

    const Config& config_;
    SessionCache& cache_;
    DbCircuitBreaker* breaker_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace mfo
