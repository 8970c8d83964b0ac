#include "auth/session_cache.hpp"

#include <algorithm>

namespace mfo {

namespace {

// What an entry costs: its strings, its list and map nodes, with the
// allocator's rounding (measured RSS per entry is in README Performance).
std::size_t entry_bytes(const ResolvedSession& s) {
    std::size_t n = 512 + 2 * s.id.size() + s.principal.email.size() + s.csrf_secret.size();
    for (const auto& r : s.principal.roles) n += 32 + r.size();
    for (const auto& p : s.principal.permissions) n += 32 + p.size();
    return n;
}

// Database times are whole seconds (NOW() and DATETIME columns drop the
// fraction): one second off every deadline keeps the cache on the early side.
constexpr std::chrono::seconds kRounding{1};

}  // namespace

std::optional<ResolvedSession> SessionCache::find(const std::string& session_id,
                                                  Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto found = by_id_.find(session_id);
    if (found == by_id_.end() || !serving_locked(now)) {
        ++misses_;
        return std::nullopt;
    }
    const auto it = found->second;
    if (now >= it->idle_deadline || now >= it->absolute_deadline ||
        now - it->inserted >= limits_.max_age) {
        // The database decides: expired, or slid further by another worker.
        erase_locked(it);
        ++misses_;
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it);
    ++hits_;
    ResolvedSession out = it->session;
    out.idle_for_seconds = static_cast<long>(
        std::chrono::duration_cast<std::chrono::seconds>(now - it->last_seen).count());
    return out;
}

std::uint64_t SessionCache::generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

bool SessionCache::insert(const ResolvedSession& session, std::uint64_t generation,
                          Clock::time_point now) {
    const std::size_t bytes = entry_bytes(session);
    if (limits_.max_entries == 0 || bytes > limits_.max_bytes) return false;
    std::lock_guard lock(mutex_);
    if (generation != generation_ || !serving_locked(now)) return false;
    if (const auto old = by_id_.find(session.id); old != by_id_.end()) erase_locked(old->second);
    while (!lru_.empty() &&
           (by_id_.size() >= limits_.max_entries || bytes_ + bytes > limits_.max_bytes)) {
        erase_locked(std::prev(lru_.end()));
    }
    Entry e;
    e.session = session;
    e.inserted = now;
    e.last_seen = now - std::chrono::seconds(session.idle_for_seconds);
    e.absolute_deadline = now + std::chrono::seconds(session.absolute_left_seconds) - kRounding;
    e.idle_deadline = std::min(e.absolute_deadline,
                               now + std::chrono::seconds(session.idle_left_seconds) - kRounding);
    e.bytes = bytes;
    lru_.push_front(std::move(e));
    by_id_.emplace(session.id, lru_.begin());
    by_user_[session.principal.user_id].push_back(session.id);
    bytes_ += bytes;
    return true;
}

void SessionCache::touched(const std::string& session_id, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto found = by_id_.find(session_id);
    if (found == by_id_.end()) return;
    Entry& e = *found->second;
    e.last_seen = now;
    if (!e.session.remember) {
        e.idle_deadline = std::min(e.absolute_deadline,
                                   now + std::chrono::seconds(limits_.idle_seconds) - kRounding);
    }
}

void SessionCache::evict_session(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    bump_locked();
    if (const auto found = by_id_.find(session_id); found != by_id_.end()) {
        erase_locked(found->second);
    }
}

void SessionCache::evict_user(std::uint64_t user_id) {
    std::lock_guard lock(mutex_);
    bump_locked();
    const auto found = by_user_.find(user_id);
    if (found == by_user_.end()) return;
    // erase_locked edits by_user_[user_id]: work on a copy.
    const std::vector<std::string> ids = found->second;
    for (const auto& id : ids) {
        if (const auto it = by_id_.find(id); it != by_id_.end()) erase_locked(it->second);
    }
}

void SessionCache::clear() {
    std::lock_guard lock(mutex_);
    bump_locked();
    evicted_ += by_id_.size();
    lru_.clear();
    by_id_.clear();
    by_user_.clear();
    bytes_ = 0;
}

void SessionCache::feed_read(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    last_feed_read_ = now;
}

bool SessionCache::serving(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return serving_locked(now);
}

bool SessionCache::serving_locked(Clock::time_point now) const {
    return last_feed_read_ && now - *last_feed_read_ < limits_.stale_after;
}

void SessionCache::erase_locked(Lru::iterator it) {
    const auto user = by_user_.find(it->session.principal.user_id);
    if (user != by_user_.end()) {
        auto& ids = user->second;
        ids.erase(std::remove(ids.begin(), ids.end(), it->session.id), ids.end());
        if (ids.empty()) by_user_.erase(user);
    }
    bytes_ -= it->bytes;
    by_id_.erase(it->session.id);
    lru_.erase(it);
    ++evicted_;
}

SessionCacheStats SessionCache::stats(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return SessionCacheStats{by_id_.size(), bytes_, hits_, misses_, evicted_, serving_locked(now)};
}

}  // namespace mfo
