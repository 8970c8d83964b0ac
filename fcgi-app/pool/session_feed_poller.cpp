#include "pool/session_feed_poller.hpp"

#include <optional>

#include "auth/revocation_cursor.hpp"
#include "database.hpp"
#include "http/request_log.hpp"
#include "ops/pool_stats.hpp"
#include "session_events.hpp"

namespace mfo {

namespace {

// How long a missing id is waited for. The transactions that write events
// are short (bounded by the write timeout); the long ones (import, role
// rebuild) end with an 'all' row whose id is taken just before commit.
constexpr std::chrono::seconds kGapGrace{10};
// Rows per read; a longer backlog clears the whole cache instead.
constexpr std::size_t kReadLimit = 5000;

}  // namespace

void SessionFeedPoller::publish_figures() {
    WorkerEntry* entry = own_worker_entry();
    if (!entry) return;
    const auto s = cache_.stats(SessionCache::Clock::now());
    entry->cache_serving = s.serving ? 1 : 0;
    entry->cache_entries = s.entries;
    entry->cache_bytes = s.bytes;
    entry->cache_hits = s.hits;
    entry->cache_misses = s.misses;
}

SessionFeedPoller::SessionFeedPoller(const Config& config, SessionCache& cache,
                                     DbCircuitBreaker* breaker)
    : config_(config), cache_(cache), breaker_(breaker), thread_([this] { run(); }) {}

SessionFeedPoller::~SessionFeedPoller() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SessionFeedPoller::run() {
    using Clock = SessionCache::Clock;
    DbThreadScope db_thread;
    // Not through the circuit breaker: a failing read here only turns the
    // cache off. A good one tells the breaker the database answers.
    Database db(config_.database, DbAccount::app);
    std::optional<RevocationCursor> cursor;
    bool failing = false;
    const auto interval = std::chrono::milliseconds(config_.session_cache_poll_ms);
    for (;;) {
        const auto started = Clock::now();
        try {
            if (!cursor) {
                cursor.emplace(settled_session_event_id(db, kGapGrace), kGapGrace);
            }
            const auto events = read_session_events(db, cursor->floor(), kReadLimit);
            std::vector<std::uint64_t> ids;
            ids.reserve(events.size());
            for (const auto& e : events) ids.push_back(e.id);
            const auto fresh = cursor->take(ids, started);
            // Back from an outage (or just started): nothing cached before
            // it can be trusted, whatever the feed says.
            if (!cache_.serving(Clock::now())) cache_.clear();
            std::size_t next = 0;
            for (const auto& e : events) {
                if (next == fresh.size() || fresh[next] != e.id) continue;
                ++next;
                switch (e.kind) {
                    case SessionEventKind::session:
                        cache_.evict_session(e.session_id);
                        break;
                    case SessionEventKind::user:
                        cache_.evict_user(e.user_id);
                        break;
                    case SessionEventKind::all:
                        cache_.clear();
                        break;
                }
            }
            if (events.size() == kReadLimit) {
                cache_.clear();
                cursor->skip_to(events.back().id);
            }
            // Whatever committed after `started` may not have been read.
            cache_.feed_read(started);
            if (WorkerEntry* entry = own_worker_entry()) {
                entry->feed_events += fresh.size();
                entry->feed_read_ns =
                    std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch())
                        .count();
            }
            if (failing) log_event("session cache: revocation feed readable again; cache on");
            failing = false;
            if (breaker_) breaker_->record_success(DbCircuitBreaker::Admission::go);
        } catch (const std::exception& e) {
            if (!failing) {
                log_event(std::string("session cache: cannot read the revocation feed "
                                      "(session_events); cache off until it can: ") +
                          e.what());
            }
            failing = true;
        }
        publish_figures();
        std::unique_lock lock(mutex_);
        if (wake_.wait_until(lock, started + interval, [this] { return stopping_; })) return;
    }
}

}  // namespace mfo
