#pragma once
// Sessions this worker process has validated, so that most requests ask the
// database nothing ([security] session_cache). One per worker process,
// shared by its threads. An entry is served only while
// - the revocation feed was read recently (fail closed: `stale_after`),
// - it is younger than `max_age` (even if the feed says nothing),
// - its idle and absolute expiry, as the database gave them, are ahead
//   (rounded down: the cache may send a request to the database early,
//   never serve one late).
// Bounded in entries and in bytes; the least recently used goes first.

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/session_store.hpp"

namespace mfo {

struct SessionCacheLimits {
    std::size_t max_entries = 100000;
    std::size_t max_bytes = 128u << 20;
    std::chrono::milliseconds max_age{60000};
    std::chrono::milliseconds stale_after{500};  // since the last good feed read
    int idle_seconds = 1800;                     // [security] session_idle_timeout
};

struct SessionCacheStats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evicted = 0;  // by events, bounds and local logouts
    bool serving = false;
};

class SessionCache {
  public:
    using Clock = std::chrono::steady_clock;

    explicit SessionCache(SessionCacheLimits limits) : limits_(limits) {}
    SessionCache(const SessionCache&) = delete;
    SessionCache& operator=(const SessionCache&) = delete;

    // A copy of the cached session, or nullopt (not cached, too old, near an
    // expiry, or the cache is not serving): then ask the database.
    std::optional<ResolvedSession> find(const std::string& session_id, Clock::time_point now);

    // Read before asking the database; insert() refuses the answer if an
    // eviction happened since, because the answer may predate it.
    std::uint64_t generation() const;
    // `session` as SessionStore::resolve returned it at `now`.
    bool insert(const ResolvedSession& session, std::uint64_t generation, Clock::time_point now);
    // last_seen_at was written at `now` (the idle expiry slid).
    void touched(const std::string& session_id, Clock::time_point now);

    void evict_session(const std::string& session_id);
    void evict_user(std::uint64_t user_id);
    void clear();

    // The revocation feed was read (and applied) at `now`.
    void feed_read(Clock::time_point now);
    bool serving(Clock::time_point now) const;

    SessionCacheStats stats(Clock::time_point now) const;

  private:
    struct Entry {
        ResolvedSession session;
        Clock::time_point inserted;
        Clock::time_point last_seen;
        Clock::time_point idle_deadline;
        Clock::time_point absolute_deadline;
        std::size_t bytes = 0;
    };
    using Lru = std::list<Entry>;

    bool serving_locked(Clock::time_point now) const;
    void erase_locked(Lru::iterator it);
    void bump_locked() { ++generation_; }

    const SessionCacheLimits limits_;
    mutable std::mutex mutex_;
    Lru lru_;  // most recently used first
    std::unordered_map<std::string, Lru::iterator> by_id_;
    std::unordered_map<std::uint64_t, std::vector<std::string>> by_user_;
    std::size_t bytes_ = 0;
    std::uint64_t generation_ = 0;
    std::optional<Clock::time_point> last_feed_read_;
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
    std::uint64_t evicted_ = 0;
};

}  // namespace mfo
