#include "session_purge.hpp"

namespace mfo::cli {

namespace {

// Rows are only purged an hour after they stopped mattering, so a row the
// site is updating at the edge of its window is never pulled from under it.
constexpr int kStaleMarginSeconds = 3600;

std::uint64_t delete_in_batches(Database& db, const std::string& statement,
                                const std::function<void(sql::PreparedStatement&)>& bind) {
    std::uint64_t total = 0;
    while (true) {
        std::uint64_t removed = 0;
        db.write([&](Database& d) {
            auto& st = d.prepare(statement);
            bind(st);
            removed = static_cast<std::uint64_t>(st.executeUpdate());
        });
        if (removed == 0) return total;
        total += removed;
    }
}

}  // namespace

PurgeCounts purge_expired(Database& db, std::uint64_t batch, int failure_window_seconds,
                          int audit_days) {
    PurgeCounts counts;
    // One pass per expiry column: `absolute < NOW() OR idle < NOW()` gets a
    // full scan per batch (when many rows have expired) or an index merge
    // that reads both whole ranges per batch; each statement below is a range
    // on its column's index that stops after the batch (oldest first). A row
    // with both times past goes in the first pass and is counted once.
    const auto by_limit = [&](sql::PreparedStatement& st) { st.setUInt64(1, batch); };
    counts.sessions = delete_in_batches(db,
                                        "DELETE FROM sessions WHERE absolute_expires_at < NOW() "
                                        "ORDER BY absolute_expires_at LIMIT ?",
                                        by_limit);
    counts.sessions += delete_in_batches(db,
                                         "DELETE FROM sessions WHERE idle_expires_at < NOW() "
                                         "ORDER BY idle_expires_at LIMIT ?",
                                         by_limit);
    counts.throttle_rows = delete_in_batches(
        db,
        "DELETE FROM login_throttle WHERE window_start < NOW() - INTERVAL ? SECOND "
        "AND (locked_until IS NULL OR locked_until < NOW() - INTERVAL ? SECOND) LIMIT ?",
        [&](sql::PreparedStatement& st) {
            st.setInt(1, failure_window_seconds + kStaleMarginSeconds);
            st.setInt(2, kStaleMarginSeconds);
            st.setUInt64(3, batch);
        });
    if (audit_days > 0) {
        counts.audit_rows =
            delete_in_batches(db,
                              "DELETE FROM audit_log WHERE created_at < NOW() - INTERVAL ? DAY "
                              "ORDER BY created_at LIMIT ?",
                              [&](sql::PreparedStatement& st) {
                                  st.setInt(1, audit_days);
                                  st.setUInt64(2, batch);
                              });
    }
    // Far beyond what a poller re-reads (seconds) or a cache entry lives.
    counts.feed_rows = delete_in_batches(db,
                                         "DELETE FROM session_events WHERE created_at < "
                                         "NOW() - INTERVAL 1 DAY ORDER BY created_at LIMIT ?",
                                         by_limit);
    return counts;
}

}  // namespace mfo::cli
