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
}  // namespace

long LoginThrottle::locked_for(Database& db, const std::string& email) const {
    long seconds = 0;
    db.read([&](Database& d) {
        auto& st = d.prepare(
            "SELECT TIMESTAMPDIFF(SECOND, NOW(), locked_until) AS remaining FROM login_throttle "
            "WHERE account_key = ? AND locked_until > NOW()");
        st.setString(1, account_key(email));
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        if (rs->next()) seconds = std::max<long>(1, static_cast<long>(rs->getInt64(1)));
    });
    return seconds;
}

bool LoginThrottle::record_failure(Database& db, const std::string& email) const {
    bool locked = false;
    db.transaction([&](Database& d) {
        const std::string key = account_key(email);
        // A window that has run out starts again at this failure.
        auto& upsert = d.prepare(
            "INSERT INTO login_throttle (account_key, failures, window_start, locked_until) "
            "VALUES (?, 1, NOW(), NULL) ON DUPLICATE KEY UPDATE "
            "failures = IF(window_start < NOW() - INTERVAL ? SECOND, 1, failures + 1), "
            "window_start = IF(window_start < NOW() - INTERVAL ? SECOND, NOW(), window_start)");
        upsert.setString(1, key);
        upsert.setInt(2, policy_.window_seconds);
        upsert.setInt(3, policy_.window_seconds);
        upsert.executeUpdate();
        auto& lock = d.prepare(
            "UPDATE login_throttle SET locked_until = NOW() + INTERVAL ? SECOND, failures = 0, "
            "window_start = NOW() WHERE account_key = ? AND failures >= ?");
        lock.setInt(1, policy_.lockout_seconds);
        lock.setString(2, key);
        lock.setInt(3, policy_.max_failures);
        locked = lock.executeUpdate() > 0;
    });
    return locked;
}

void LoginThrottle::record_success(Database& db, const std::string& email) const {
    db.write([&](Database& d) {
        auto& st = d.prepare("DELETE FROM login_throttle WHERE account_key = ?");
        st.setString(1, account_key(email));
        st.executeUpdate();
    });
}

}  // namespace mfo
