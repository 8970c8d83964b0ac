#pragma once
// The revocation feed (table session_events, migration 0005): what the
// pools' session caches must forget. Rows are written by triggers on
// sessions and users; long transactions add an 'all' row as their last
// statement (see the migration for why).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "database.hpp"

namespace mfo {

enum class SessionEventKind { session, user, all };

struct SessionEvent {
    std::uint64_t id = 0;
    SessionEventKind kind = SessionEventKind::all;
    std::string session_id;  // raw SHA-256, for kind == session
    std::uint64_t user_id = 0;
};

// Every pool's cache forgets everything: the last statement of a
// transaction that changed many users at once (import, role cache rebuild).
void publish_cache_flush(Database& db);

// Events with id > after_id, in id order, at most `limit`.
std::vector<SessionEvent> read_session_events(Database& db, std::uint64_t after_id,
                                              std::size_t limit);

// The highest id written more than `settled` ago (0 when none): where a
// poller that starts with an empty cache may begin, since rows younger than
// that may still be followed by lower ids of transactions not yet committed.
std::uint64_t settled_session_event_id(Database& db, std::chrono::milliseconds settled);

}  // namespace mfo
