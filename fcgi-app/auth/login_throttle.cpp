#include "auth/login_throttle.hpp"

#include <algorithm>
#include <memory>

#include "crypto.hpp"

namespace mfo {

namespace {
std::string account_key(const std::string& email) {
    std::string lowered = email;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c);
    });
    return crypto::sha256("login:" + lowered);
}

ThrottleState lock_row(Database& d, const std::string& key, const ThrottlePolicy& policy) {
    // Creates the row or takes its exclusive lock (ON DUPLICATE KEY UPDATE
    // locks an existing row for the rest of the transaction).
    auto& ensure = d.prepare(
        "INSERT INTO login_throttle (account_key, failures, window_start, locked_until, reserved) "
        "VALUES (?, 0, NOW(), NULL, 0) ON DUPLICATE KEY UPDATE account_key = account_key");
    ensure.setString(1, key);
    ensure.executeUpdate();
    auto& read = d.prepare(
        "SELECT failures, locked_until IS NOT NULL, "
        "IFNULL(TIMESTAMPDIFF(SECOND, NOW(), locked_until), 0), "
        "window_start < NOW() - INTERVAL ? SECOND, reserved "
        "FROM login_throttle WHERE account_key = ? FOR UPDATE");
    read.setInt(1, policy.window_seconds);
    read.setString(2, key);
    std::unique_ptr<sql::ResultSet> rs(read.executeQuery());
    ThrottleState row;
    if (rs->next()) {
        row.failures = static_cast<long>(rs->getInt64(1));
        row.lock_set = rs->getBoolean(2);
        row.lock_remaining = static_cast<long>(rs->getInt64(3));
        row.window_expired = rs->getBoolean(4);
        row.reserved = rs->getInt64(5);
    }
    return row;
}

}  // namespace

ThrottleStep plan_reservation(const ThrottleState& row, const ThrottlePolicy& policy) {
    ThrottleStep step;
    step.failures = row.failures;
    step.reserved = row.reserved;
    if (row.lock_set && row.lock_remaining > 0) {
        step.retry_after = row.lock_remaining;
        return step;
    }
    if (row.lock_set) {
        // The cooling-off period is over: a fresh window.
        step.clear_lock = true;
        step.reset_window = true;
        step.failures = 0;
    } else if (row.window_expired) {
        step.reset_window = true;
        step.failures = 0;
    }
    const long limit = std::max(1, policy.max_failures);
    if (step.failures >= limit) {
        // Only reachable if the lockout is configured shorter than it takes
        // the attempts in flight to finish; refuse until the window ends.
        step.retry_after = std::max(1, policy.lockout_seconds);
        return step;
    }
    step.allowed = true;
    step.failures += 1;
    step.reserved += 1;
    if (step.failures >= limit) {
        step.start_lock = true;
        step.clear_lock = false;
    }
    return step;
}

ThrottleTicket LoginThrottle::reserve(Database& db, const std::string& email) const {
    const std::string key = account_key(email);
    ThrottleTicket ticket;
    // Each transaction locks one row; a deadlock can only come from the
    // insert of a new row racing another (or, on Galera, two nodes reserving
    // at once), and Database::transaction runs it again from its start.
    db.transaction([&](Database& d) {
        const ThrottleStep step = plan_reservation(lock_row(d, key, policy_), policy_);
        ticket = ThrottleTicket{};
        if (!step.allowed) {
            ticket.retry_after = std::max(1L, step.retry_after);
            return;
        }
        auto& update = d.prepare(
            "UPDATE login_throttle SET failures = ?, reserved = ?, "
            "window_start = IF(?, NOW(), window_start), "
            "locked_until = IF(?, NOW() + INTERVAL ? SECOND, IF(?, NULL, locked_until)) "
            "WHERE account_key = ?");
        update.setInt64(1, step.failures);
        update.setInt64(2, step.reserved);
        update.setBoolean(3, step.reset_window);
        update.setBoolean(4, step.start_lock);
        update.setInt(5, policy_.lockout_seconds);
        update.setBoolean(6, step.clear_lock);
        update.setString(7, key);
        update.executeUpdate();
        ticket.allowed = true;
        ticket.number = step.reserved;
        ticket.locks_account = step.start_lock;
    });
    return ticket;
}

void LoginThrottle::record_success(Database& db, const std::string& email,
                                   const ThrottleTicket& ticket) const {
    // Attempts reserved after this one (numbers above it) stay counted. If
    // the row was purged and made again meanwhile, its numbers are not ours:
    // leave it alone.
    db.write([&](Database& d) {
        auto& st = d.prepare(
            "UPDATE login_throttle SET "
            "locked_until = IF(LEAST(failures, reserved - ?) < ?, NULL, locked_until), "
            "failures = LEAST(failures, reserved - ?) "
            "WHERE account_key = ? AND reserved >= ?");
        st.setInt64(1, ticket.number);
        st.setInt(2, std::max(1, policy_.max_failures));
        st.setInt64(3, ticket.number);
        st.setString(4, account_key(email));
        st.setInt64(5, ticket.number);
        st.executeUpdate();
    });
}

}  // namespace mfo
