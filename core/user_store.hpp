#pragma once
// Users, roles and their links in the database: what the worker and the
// admin tools share. Every function takes the caller's Database (one per
// thread) and uses prepared statements only.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "database.hpp"

namespace mfo {

// The operation names something that does not exist, or would duplicate
// something that does (message is the one line shown to the user).
class NotFound : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};
class AlreadyExists : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct UserRecord {
    std::uint64_t id = 0;
    std::string email;
    std::string password_hash;
    bool active = false;
    std::string fs_uniquifier;
    std::string created_at;     // "YYYY-MM-DD HH:MM:SS" UTC
    std::string last_login_at;  // empty when never
    std::vector<std::string> roles;
};

struct RoleRecord {
    std::uint64_t id = 0;
    std::string name;
    std::string description;
    std::vector<std::string> permissions;  // sorted, unique
    std::uint64_t members = 0;
};

// A new random fs_uniquifier (256 bits, base64url).
std::string new_uniquifier();

// --- users ---
// `causal`: also sees a user registered a moment ago through another node of
// a Galera cluster (Database::causal); the sign-in form uses it.
std::optional<UserRecord> find_user_by_email(Database& db, const std::string& email,
                                             bool causal = false);
std::optional<UserRecord> find_user_by_id(Database& db, std::uint64_t id);
// Throws AlreadyExists when the email is taken (compared case-insensitively).
std::uint64_t create_user(Database& db, const std::string& email, const std::string& password_hash,
                          bool active);
// Returns false when the user already had that state. Deactivation also ends
// the user's sessions (new uniquifier, rows deleted).
bool set_user_active(Database& db, std::uint64_t user_id, bool active);
// New hash, new uniquifier, sessions deleted.
void change_password(Database& db, std::uint64_t user_id, const std::string& password_hash);
// Replaces the hash only (parameter upgrade at login); sessions stay.
void update_password_hash(Database& db, std::uint64_t user_id, const std::string& password_hash);
void record_login(Database& db, std::uint64_t user_id, const std::string& ip_address);
// Ends every session of one user (new uniquifier, rows deleted); returns the
// number of rows deleted.
std::uint64_t revoke_user_sessions(Database& db, std::uint64_t user_id);
std::uint64_t revoke_all_sessions(Database& db);
// Users with their roles, ordered by email; `role` filters when not empty.
std::vector<UserRecord> list_users(Database& db, const std::string& role = "");

// Users whose email contains `search` (case-insensitive; '%' and '_' are
// literal), ordered by email, `limit` from `offset`; and how many match.
std::vector<UserRecord> search_users(Database& db, const std::string& search, std::uint64_t offset,
                                     std::uint64_t limit);
std::uint64_t count_users(Database& db, const std::string& search);

// --- roles ---
std::optional<RoleRecord> find_role(Database& db, const std::string& name);
std::vector<RoleRecord> list_roles(Database& db);
// Throws AlreadyExists.
void create_role(Database& db, const std::string& name, const std::string& description,
                 const std::vector<std::string>& permissions);
void update_role(Database& db, const std::string& name, const std::string& description,
                 const std::vector<std::string>& permissions);
// Returns false when the user already has / does not have the role; throws
// NotFound for an unknown role.
bool add_role_to_user(Database& db, std::uint64_t user_id, const std::string& role);
bool remove_role_from_user(Database& db, std::uint64_t user_id, const std::string& role);

// --- audit log ---
void audit(Database& db, std::optional<std::uint64_t> actor_user_id, const std::string& actor,
           const std::string& action, const std::string& target, const std::string& ip_address,
           const std::string& detail = "");

}  // namespace mfo
