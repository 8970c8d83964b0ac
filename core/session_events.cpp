#include "session_events.hpp"

#include <memory>

namespace mfo {

void publish_cache_flush(Database& db) {
    db.prepare("INSERT INTO session_events (kind) VALUES ('all')").executeUpdate();
}

std::vector<SessionEvent> read_session_events(Database& db, std::uint64_t after_id,
                                              std::size_t limit) {
    std::vector<SessionEvent> out;
    db.read([&](Database& d) {
        out.clear();
        auto& st = d.prepare(
            "SELECT id, kind, session_id, COALESCE(user_id, 0) FROM session_events "
            "WHERE id > ? ORDER BY id LIMIT ?");
        st.setUInt64(1, after_id);
        st.setUInt64(2, limit);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        while (rs->next()) {
            SessionEvent e;
            e.id = rs->getUInt64(1);
            const std::string kind = rs->getString(2);
            e.kind = kind == "session" ? SessionEventKind::session
                     : kind == "user"  ? SessionEventKind::user
                                       : SessionEventKind::all;
            if (!rs->isNull(3)) e.session_id = rs->getString(3);
            e.user_id = rs->getUInt64(4);
            // A row naming nothing usable is treated as the widest event.
            if ((e.kind == SessionEventKind::session && e.session_id.size() != 32) ||
                (e.kind == SessionEventKind::user && e.user_id == 0)) {
                e.kind = SessionEventKind::all;
            }
            out.push_back(std::move(e));
        }
    });
    return out;
}

std::uint64_t settled_session_event_id(Database& db, std::chrono::milliseconds settled) {
    // The newest settled row by its index: its id may be below the highest
    // settled id (ids and commit times differ slightly), which only makes
    // the poller re-read a few more rows.
    std::uint64_t id = 0;
    db.read([&](Database& d) {
        id = 0;
        auto& st = d.prepare(
            "SELECT id FROM session_events WHERE created_at < NOW(3) - INTERVAL ? MICROSECOND "
            "ORDER BY created_at DESC LIMIT 1");
        st.setInt64(1, static_cast<std::int64_t>(settled.count()) * 1000);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        if (rs->next()) id = rs->getUInt64(1);
    });
    return id;
}

}  // namespace mfo
