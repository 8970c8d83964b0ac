#pragma once
// Server-side sessions in MariaDB. The client holds a 256-bit random token;
// the table holds only its SHA-256.

#include <cstdint>
#include <optional>
#include <string>

#include "database.hpp"
#include "principal.hpp"

namespace mfo {

struct SessionTimeouts {
    int idle_seconds = 1800;
    int absolute_seconds = 43200;
    int remember_seconds = 2592000;
};

struct ResolvedSession {
    std::string id;  // SHA-256 of the token (raw bytes)
    Principal principal;
    std::string csrf_secret;  // raw bytes
    bool remember = false;
    long idle_for_seconds = 0;  // since last_seen_at was written
    // Seconds left until the idle and the absolute expiry, when resolved.
    long idle_left_seconds = 0;
    long absolute_left_seconds = 0;
};

struct NewSession {
    std::string token;  // for the cookie; never stored
    std::string csrf_secret;
};

// SHA-256 of a token as stored in sessions.id.
std::string session_id_of(const std::string& token);

class SessionStore {
public:
    explicit SessionStore(SessionTimeouts timeouts) : timeouts_(timeouts) {}

    // One round trip: session + active user + roles + permissions. nullopt for
    // an unknown, expired or revoked session or an inactive user.
    // `session_id`: session_id_of(token), which the caller has already made
    // (it is the cache's key too).
    std::optional<ResolvedSession> resolve(Database& db, const std::string& session_id) const;
    // Writes last_seen_at (and slides the idle expiry) at most once a minute.
    // `missed`: `session` said it was due but nothing was written (the row
    // is gone or another worker wrote it): a cached copy is out of date.
    enum class Touch { not_due, written, missed };
    Touch touch_if_due(Database& db, const ResolvedSession& session) const;
    NewSession create(Database& db, std::uint64_t user_id, bool remember,
                      const std::string& user_agent, const std::string& ip_address) const;
    void destroy(Database& db, const std::string& session_id) const;

    int cookie_max_age(bool remember) const {
        return remember ? timeouts_.remember_seconds : timeouts_.absolute_seconds;
    }

private:
    SessionTimeouts timeouts_;
};

}  // namespace mfo
