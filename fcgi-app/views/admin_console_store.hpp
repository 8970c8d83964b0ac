#pragma once
// The admin console's queries and changes. Each change is one transaction,
// checks its guards inside it (the last active Admin, self-deactivation) and
// writes its audit row.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "database.hpp"
#include "user_store.hpp"

namespace mfo {

// The change is refused as it stands (4xx with this message).
class ConsoleRefusal : public std::runtime_error {
  public:
    ConsoleRefusal(int status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    int status() const { return status_; }

  private:
    int status_;
};

// Live sessions: counted when the table holds at most the sample's size,
// else estimated from a sample of consecutive session ids (SHA-256 values of
// random tokens, so any run of them is a uniform sample of the table): the
// relative error is about 1 / sqrt(live sessions in the sample), 5% for
// 100,000 live among 1.1 million rows and a sample of 5,000.
struct SessionCount {
    std::uint64_t live = 0;
    std::uint64_t stored = 0;  // rows, live or expired and not yet purged
    bool exact = true;
    std::uint64_t sampled = 0;  // rows read
};

// What the overview shows. Each figure reads a bounded number of rows:
// users and role members from the counters of migration 0004, sessions from
// a sample of at most `session_sample` rows.
struct ConsoleOverview {
    std::uint64_t users = 0;
    std::uint64_t active_users = 0;
    SessionCount sessions;
    std::vector<RoleRecord> roles;  // with member counts
};

struct AuditEvent {
    std::string created_at;
    std::string actor;
    std::string action;
    std::string target;
    std::string ip_address;
    std::string detail;
};

// One row of the user list.
struct UserSummary {
    std::uint64_t id = 0;
    std::string email;
    bool active = false;
    std::vector<std::string> roles;
    std::string created_at;
    std::string last_login_at;  // empty when never
};

// A page of the user list: keyset pagination by email (the unique index),
// never OFFSET. `after`/`before` are the last/first email of the neighbour
// page; at most one is set.
struct UserListQuery {
    std::string prefix;  // emails starting with it (case-insensitive)
    std::string after;
    std::string before;
    int limit = 20;
};

struct UserPage {
    std::vector<UserSummary> users;
    bool has_prev = false;
    bool has_next = false;
    std::uint64_t matches = 0;    // all users without a prefix, else capped
    bool matches_capped = false;  // more than kMatchCountCap match
};

// A prefix search counts its matches up to this many (the index range read
// stops there); more shows as "1,000+".
inline constexpr std::uint64_t kMatchCountCap = 1000;

struct SessionSummary {
    std::string created_at;
    std::string last_seen_at;
    std::string ip_address;
    std::string user_agent;
    bool remember = false;
};

// Who acts: for the audit log and the guards.
struct ConsoleActor {
    std::uint64_t user_id = 0;
    std::string email;
    std::string ip_address;
    // What conf/access.conf requires under /admin: kept on an active Admin.
    std::vector<std::string> console_permissions;
};

ConsoleOverview console_overview(Database& db, std::uint64_t session_sample = 5000);
SessionCount count_live_sessions(Database& db, std::uint64_t sample);
// Roles by name with their member counts (the counters, not a COUNT).
std::vector<RoleRecord> console_roles(Database& db);
std::vector<AuditEvent> latest_audit_events(Database& db, int limit);
// The newest events about the account (target is its email) or by it.
std::vector<AuditEvent> audit_events_of(Database& db, std::uint64_t user_id,
                                        const std::string& email, int limit);
UserPage find_users(Database& db, const UserListQuery& query);
// Live sessions among the user's newest kSessionScan, newest first.
std::vector<SessionSummary> live_sessions_of(Database& db, std::uint64_t user_id);
inline constexpr int kSessionScan = 200;

void console_set_active(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                        bool active);
void console_grant_role(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                        const std::string& role);
void console_revoke_role(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                         const std::string& role);
std::uint64_t console_end_sessions(Database& db, const ConsoleActor& actor, std::uint64_t user_id);
void console_create_role(Database& db, const ConsoleActor& actor, const std::string& name,
                         const std::string& description,
                         const std::vector<std::string>& permissions);
void console_update_role(Database& db, const ConsoleActor& actor, const std::string& name,
                         const std::string& description,
                         const std::vector<std::string>& permissions);

// The role whose members are the administrators the guards protect.
inline constexpr const char* kAdminRole = "Admin";

}  // namespace mfo
