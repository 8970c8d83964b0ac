#include "auth/session_store.hpp"

#include <algorithm>
#include <memory>

#include "crypto.hpp"

namespace mfo {

namespace {

constexpr long kTouchInterval = 60;

std::vector<std::string> split_sorted_unique(const std::string& csv) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < csv.size()) {
        std::size_t end = csv.find(',', start);
        if (end == std::string::npos) end = csv.size();
        if (end > start) out.push_back(csv.substr(start, end - start));
        start = end + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Display-only text (user agent): printable ASCII, so that a hostile header
// can neither break the utf8mb4 column nor inject anything into the admin UI.
std::string printable_ascii(const std::string& in, std::size_t max) {
    std::string out;
    for (unsigned char c : in) {
        if (out.size() == max) break;
        out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
    }
    return out;
}

}  // namespace

std::string session_id_of(const std::string& token) {
    return crypto::sha256(token);
}

std::optional<ResolvedSession> SessionStore::resolve(Database& db, const std::string& id) const {
    std::optional<ResolvedSession> out;
    db.read([&](Database& d) {
        // Every logged-in request runs this: two primary-key lookups and one
        // row. Roles and permissions come from their copy on the user row
        // (core/user_role_cache.hpp), not from a join over user_roles/roles.
        // A causal read on a Galera cluster: a session made through another
        // app host (another node) a moment ago is found; cache hits run none.
        auto& st = d.prepare(d.causal(
            "SELECT s.user_id, u.email, s.csrf_secret, s.remember, "
            "TIMESTAMPDIFF(SECOND, s.last_seen_at, NOW()) AS idle_for, "
            "u.role_names AS roles, u.role_permissions AS permissions, "
            "TIMESTAMPDIFF(SECOND, NOW(), s.idle_expires_at) AS idle_left, "
            "TIMESTAMPDIFF(SECOND, NOW(), s.absolute_expires_at) AS absolute_left "
            "FROM sessions s "
            "JOIN users u ON u.id = s.user_id AND u.active = 1 "
            "AND u.fs_uniquifier = s.user_uniquifier "
            "WHERE s.id = ? AND s.idle_expires_at > NOW() AND s.absolute_expires_at > NOW()"));
        st.setString(1, id);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        if (!rs->next()) return;
        ResolvedSession s;
        s.id = id;
        s.principal.user_id = rs->getUInt64(1);
        s.principal.email = rs->getString(2);
        s.csrf_secret = rs->getString(3);
        s.remember = rs->getBoolean(4);
        s.idle_for_seconds = static_cast<long>(rs->getInt64(5));
        s.principal.roles = split_sorted_unique(rs->getString(6));
        s.principal.permissions = split_sorted_unique(rs->getString(7));
        s.idle_left_seconds = static_cast<long>(rs->getInt64(8));
        s.absolute_left_seconds = static_cast<long>(rs->getInt64(9));
        out = std::move(s);
    });
    return out;
}

SessionStore::Touch SessionStore::touch_if_due(Database& db, const ResolvedSession& session) const {
    if (session.idle_for_seconds < kTouchInterval) return Touch::not_due;
    int written = 0;
    db.write([&](Database& d) {
        // The last_seen_at condition keeps it to one write a minute when
        // several workers hold the session in their caches.
        auto& st = d.prepare(
            "UPDATE sessions SET last_seen_at = NOW(), idle_expires_at = IF(remember, "
            "absolute_expires_at, LEAST(NOW() + INTERVAL ? SECOND, absolute_expires_at)) "
            "WHERE id = ? AND last_seen_at <= NOW() - INTERVAL ? SECOND "
            "AND idle_expires_at > NOW() AND absolute_expires_at > NOW()");
        st.setInt(1, timeouts_.idle_seconds);
        st.setString(2, session.id);
        st.setInt(3, static_cast<int>(kTouchInterval));
        written = st.executeUpdate();
    });
    return written > 0 ? Touch::written : Touch::missed;
}

NewSession SessionStore::create(Database& db, std::uint64_t user_id, bool remember,
                                const std::string& user_agent,
                                const std::string& ip_address) const {
    NewSession created;
    created.token = crypto::base64url(crypto::random_bytes(32));
    created.csrf_secret = crypto::random_bytes(32);
    const int absolute = remember ? timeouts_.remember_seconds : timeouts_.absolute_seconds;
    const int idle = remember ? absolute : std::min(timeouts_.idle_seconds, absolute);
    db.write([&](Database& d) {
        auto& st = d.prepare(
            "INSERT INTO sessions (id, user_id, user_uniquifier, csrf_secret, remember, "
            "created_at, last_seen_at, idle_expires_at, absolute_expires_at, user_agent, "
            "ip_address) SELECT ?, u.id, u.fs_uniquifier, ?, ?, NOW(), NOW(), "
            "NOW() + INTERVAL ? SECOND, NOW() + INTERVAL ? SECOND, ?, ? "
            "FROM users u WHERE u.id = ?");
        st.setString(1, session_id_of(created.token));
        st.setString(2, created.csrf_secret);
        st.setBoolean(3, remember);
        st.setInt(4, idle);
        st.setInt(5, absolute);
        st.setString(6, printable_ascii(user_agent, 255));
        st.setString(7, printable_ascii(ip_address, 45));
        st.setUInt64(8, user_id);
        st.executeUpdate();
    });
    return created;
}

void SessionStore::destroy(Database& db, const std::string& session_id) const {
    db.write([&](Database& d) {
        auto& st = d.prepare("DELETE FROM sessions WHERE id = ?");
        st.setString(1, session_id);
        st.executeUpdate();
    });
}

}  // namespace mfo
