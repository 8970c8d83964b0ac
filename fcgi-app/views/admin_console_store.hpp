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

struct ConsoleOverview {
    std::uint64_t users = 0;
    std::uint64_t active_users = 0;
    std::uint64_t live_sessions = 0;
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

struct UserPage {
    std::vector<UserRecord> users;
    std::uint64_t total = 0;  // matching users
};

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

ConsoleOverview console_overview(Database& db);
std::vector<AuditEvent> latest_audit_events(Database& db, int limit);
// Users whose email contains `search` (case-insensitive), by email.
UserPage find_users(Database& db, const std::string& search, int offset, int limit);
std::vector<SessionSummary> live_sessions_of(Database& db, std::uint64_t user_id);

void console_set_active(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                        bool active);
void console_grant_role(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                        const std::string& role);
void console_revoke_role(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                         const std::string& role);
std::uint64_t console_end_sessions(Database& db, const ConsoleActor& actor,
                                   std::uint64_t user_id);
void console_create_role(Database& db, const ConsoleActor& actor, const std::string& name,
                         const std::string& description,
                         const std::vector<std::string>& permissions);
void console_update_role(Database& db, const ConsoleActor& actor, const std::string& name,
                         const std::string& description,
                         const std::vector<std::string>& permissions);

// The role whose members are the administrators the guards protect.
inline constexpr const char* kAdminRole = "Admin";

}  // namespace mfo
