#pragma once
// `mfo-db purge-sessions`: removes expired sessions and stale throttle rows.

#include <cstdint>

#include "database.hpp"

namespace mfo::cli {

struct PurgeCounts {
    std::uint64_t sessions = 0;
    std::uint64_t throttle_rows = 0;
    std::uint64_t audit_rows = 0;
    std::uint64_t feed_rows = 0;  // session_events older than a day
};

// Deletes in batches of `batch` rows, each its own short statement, so the
// running site never waits long on a lock. A login_throttle row goes once
// both its failure window (`failure_window_seconds`) and its lock are over.
// With `audit_days` > 0, audit_log rows older than that many days go too
// (the retention of the audit log; 0 keeps them all). Revocation feed rows
// go after a day: the pools read them within a second.
PurgeCounts purge_expired(Database& db, std::uint64_t batch, int failure_window_seconds,
                          int audit_days = 0);

}  // namespace mfo::cli
