#include "user_store.hpp"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>

#include <algorithm>
#include <memory>

#include "crypto.hpp"
#include "role_names.hpp"
#include "session_events.hpp"
#include "user_role_cache.hpp"

namespace mfo {

namespace {

constexpr int kErrDuplicateKey = 1062;
constexpr int kErrNoReferencedRow = 1452;

using Rows = std::unique_ptr<sql::ResultSet>;

constexpr const char* kUserColumns =
    "SELECT u.id, u.email, u.password_hash, u.active, u.fs_uniquifier, "
    "DATE_FORMAT(u.created_at, '%Y-%m-%d %H:%i:%s'), "
    "DATE_FORMAT(u.last_login_at, '%Y-%m-%d %H:%i:%s'), "
    "GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',') "
    "FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id "
    "LEFT JOIN roles r ON r.id = ur.role_id ";

constexpr const char* kRoleColumns =
    "SELECT r.id, r.name, r.description, r.permissions, "
    "(SELECT COUNT(*) FROM user_roles m WHERE m.role_id = r.id) FROM roles r ";

std::string text(const sql::ResultSet& rs, unsigned column) {
    return rs.isNull(column) ? std::string() : rs.getString(column).asStdString();
}

// Stored lists are split leniently: rows written by the seed may be unsorted.
std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const auto end = comma == std::string::npos ? list.size() : comma;
        if (end > start) out.push_back(list.substr(start, end - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

UserRecord user_from_row(const sql::ResultSet& rs) {
    UserRecord user;
    user.id = rs.getUInt64(1);
    user.email = text(rs, 2);
    user.password_hash = text(rs, 3);
    user.active = rs.getBoolean(4);
    user.fs_uniquifier = text(rs, 5);
    user.created_at = text(rs, 6);
    user.last_login_at = text(rs, 7);
    user.roles = split_list(text(rs, 8));
    return user;
}

RoleRecord role_from_row(const sql::ResultSet& rs) {
    RoleRecord role;
    role.id = rs.getUInt64(1);
    role.name = text(rs, 2);
    role.description = text(rs, 3);
    role.permissions = split_list(text(rs, 4));
    role.members = rs.getUInt64(5);
    return role;
}

// At most `max_chars` code points, cut on a character boundary, so a long
// value fits its column under STRICT_TRANS_TABLES instead of failing.
std::string clip(const std::string& s, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
        if (chars++ == max_chars) return s.substr(0, i);
    }
    return s;
}

// Runs `body` in a transaction, or in the caller's when one is open, so the
// tools can make a change and its audit row one unit. @@in_transaction is
// MariaDB's.
void atomically(Database& db, const std::function<void(Database&)>& body) {
    bool inside = false;
    {
        Rows rs(db.prepare("SELECT @@in_transaction").executeQuery());
        inside = rs->next() && rs->getInt(1) != 0;
    }
    if (inside) {
        body(db);
    } else {
        db.transaction(body);
    }
}

std::uint64_t last_insert_id(Database& db) {
    Rows rs(db.prepare("SELECT LAST_INSERT_ID()").executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

std::uint64_t delete_sessions_of(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare("DELETE FROM sessions WHERE user_id = ?");
    st.setUInt64(1, user_id);
    return static_cast<std::uint64_t>(st.executeUpdate());
}

std::optional<std::uint64_t> role_id(Database& db, const std::string& name) {
    auto& st = db.prepare("SELECT id FROM roles WHERE name = ?");
    st.setString(1, name);
    Rows rs(st.executeQuery());
    if (!rs->next()) return std::nullopt;
    return rs->getUInt64(1);
}

struct RoleFields {
    std::string description;
    std::string permissions;
};

RoleFields validated_role(const std::string& name, const std::string& description,
                          const std::vector<std::string>& permissions) {
    require_valid_rbac_name("role", name);
    require_valid_role_description(description);
    return RoleFields{description, join_names(normalize_permissions(permissions))};
}

}  // namespace

std::string new_uniquifier() {
    return crypto::base64url(crypto::random_bytes(32));
}

// --- users ---

std::optional<UserRecord> find_user_by_email(Database& db, const std::string& email, bool causal) {
    const std::string text = std::string(kUserColumns) + "WHERE u.email = ? GROUP BY u.id";
    auto& st = db.prepare(causal ? db.causal(text) : text);
    st.setString(1, email);
    Rows rs(st.executeQuery());
    if (!rs->next()) return std::nullopt;
    return user_from_row(*rs);
}

std::optional<UserRecord> find_user_by_id(Database& db, std::uint64_t id) {
    auto& st = db.prepare(std::string(kUserColumns) + "WHERE u.id = ? GROUP BY u.id");
    st.setUInt64(1, id);
    Rows rs(st.executeQuery());
    if (!rs->next()) return std::nullopt;
    return user_from_row(*rs);
}

std::uint64_t create_user(Database& db, const std::string& email, const std::string& password_hash,
                          bool active) {
    auto& st = db.prepare(
        "INSERT INTO users (email, password_hash, active, fs_uniquifier) VALUES (?, ?, ?, ?)");
    st.setString(1, email);
    st.setString(2, password_hash);
    st.setBoolean(3, active);
    st.setString(4, new_uniquifier());
    try {
        st.executeUpdate();
    } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kErrDuplicateKey) {
            throw AlreadyExists(email + " is already associated with an account.");
        }
        throw;
    }
    return last_insert_id(db);
}

bool set_user_active(Database& db, std::uint64_t user_id, bool active) {
    bool changed = false;
    atomically(db, [&](Database& tx) {
        {
            auto& st = tx.prepare("SELECT active FROM users WHERE id = ? FOR UPDATE");
            st.setUInt64(1, user_id);
            Rows rs(st.executeQuery());
            if (!rs->next()) throw NotFound("User not found.");
            if (rs->getBoolean(1) == active) return;
        }
        if (active) {
            auto& st = tx.prepare("UPDATE users SET active = TRUE WHERE id = ?");
            st.setUInt64(1, user_id);
            st.executeUpdate();
        } else {
            auto& st =
                tx.prepare("UPDATE users SET active = FALSE, fs_uniquifier = ? WHERE id = ?");
            st.setString(1, new_uniquifier());
            st.setUInt64(2, user_id);
            st.executeUpdate();
            delete_sessions_of(tx, user_id);
        }
        changed = true;
    });
    return changed;
}

void change_password(Database& db, std::uint64_t user_id, const std::string& password_hash) {
    atomically(db, [&](Database& tx) {
        auto& st = tx.prepare("UPDATE users SET password_hash = ?, fs_uniquifier = ? WHERE id = ?");
        st.setString(1, password_hash);
        st.setString(2, new_uniquifier());
        st.setUInt64(3, user_id);
        if (st.executeUpdate() == 0) throw NotFound("User not found.");
        delete_sessions_of(tx, user_id);
    });
}

void update_password_hash(Database& db, std::uint64_t user_id, const std::string& password_hash) {
    auto& st = db.prepare("UPDATE users SET password_hash = ? WHERE id = ?");
    st.setString(1, password_hash);
    st.setUInt64(2, user_id);
    st.executeUpdate();
}

void record_login(Database& db, std::uint64_t user_id, const std::string& ip_address) {
    auto& st = db.prepare("UPDATE users SET last_login_at = NOW(), last_login_ip = ? WHERE id = ?");
    st.setString(1, clip(ip_address, 45));
    st.setUInt64(2, user_id);
    st.executeUpdate();
}

std::uint64_t revoke_user_sessions(Database& db, std::uint64_t user_id) {
    std::uint64_t removed = 0;
    atomically(db, [&](Database& tx) {
        auto& st = tx.prepare("UPDATE users SET fs_uniquifier = ? WHERE id = ?");
        st.setString(1, new_uniquifier());
        st.setUInt64(2, user_id);
        if (st.executeUpdate() == 0) throw NotFound("User not found.");
        removed = delete_sessions_of(tx, user_id);
    });
    return removed;
}

std::uint64_t revoke_all_sessions(Database& db) {
    std::uint64_t removed = 0;
    atomically(db, [&](Database& tx) {
        // One statement for every user: each new uniquifier is
        // base64url(SHA-256(random seed ':' id)), unique per user and
        // unpredictable without the seed, which is never stored.
        auto& st = tx.prepare(
            "UPDATE users SET fs_uniquifier = REPLACE(REPLACE(REPLACE(TO_BASE64(UNHEX(SHA2("
            "CONCAT(?, ':', id), 256))), '+', '-'), '/', '_'), '=', '')");
        st.setString(1, crypto::hex(crypto::random_bytes(32)));
        st.executeUpdate();
        removed = static_cast<std::uint64_t>(tx.prepare("DELETE FROM sessions").executeUpdate());
        // The triggers wrote a row per user and session; one 'all' row, last,
        // is what the pools' feed readers can rely on for a change this long.
        publish_cache_flush(tx);
    });
    return removed;
}

std::vector<UserRecord> list_users(Database& db, const std::string& role) {
    auto& st = db.prepare(std::string(kUserColumns) +
                          "WHERE (? = '' OR EXISTS (SELECT 1 FROM user_roles fr "
                          "JOIN roles f ON f.id = fr.role_id "
                          "WHERE fr.user_id = u.id AND f.name = ?)) "
                          "GROUP BY u.id ORDER BY u.email");
    st.setString(1, role);
    st.setString(2, role);
    Rows rs(st.executeQuery());
    std::vector<UserRecord> users;
    while (rs->next()) users.push_back(user_from_row(*rs));
    return users;
}

namespace {
// A LIKE pattern that matches `search` anywhere, with its wildcards escaped.
std::string contains_pattern(const std::string& search) {
    std::string out = "%";
    for (char c : search) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}
}  // namespace

std::vector<UserRecord> search_users(Database& db, const std::string& search, std::uint64_t offset,
                                     std::uint64_t limit) {
    auto& st = db.prepare(std::string(kUserColumns) +
                          "WHERE u.email LIKE ? GROUP BY u.id ORDER BY u.email LIMIT ? OFFSET ?");
    st.setString(1, contains_pattern(search));
    st.setUInt64(2, limit);
    st.setUInt64(3, offset);
    Rows rs(st.executeQuery());
    std::vector<UserRecord> users;
    while (rs->next()) users.push_back(user_from_row(*rs));
    return users;
}

std::uint64_t count_users(Database& db, const std::string& search) {
    auto& st = db.prepare("SELECT COUNT(*) FROM users u WHERE u.email LIKE ?");
    st.setString(1, contains_pattern(search));
    Rows rs(st.executeQuery());
    return rs->next() ? rs->getUInt64(1) : 0;
}

// --- roles ---

std::optional<RoleRecord> find_role(Database& db, const std::string& name) {
    auto& st = db.prepare(std::string(kRoleColumns) + "WHERE r.name = ?");
    st.setString(1, name);
    Rows rs(st.executeQuery());
    if (!rs->next()) return std::nullopt;
    return role_from_row(*rs);
}

std::vector<RoleRecord> list_roles(Database& db) {
    Rows rs(db.prepare(std::string(kRoleColumns) + "ORDER BY r.name").executeQuery());
    std::vector<RoleRecord> roles;
    while (rs->next()) roles.push_back(role_from_row(*rs));
    return roles;
}

void create_role(Database& db, const std::string& name, const std::string& description,
                 const std::vector<std::string>& permissions) {
    const RoleFields fields = validated_role(name, description, permissions);
    auto& st = db.prepare("INSERT INTO roles (name, description, permissions) VALUES (?, ?, ?)");
    st.setString(1, name);
    st.setString(2, fields.description);
    st.setString(3, fields.permissions);
    try {
        st.executeUpdate();
    } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kErrDuplicateKey) {
            throw AlreadyExists("Role \"" + name + "\" already exists.");
        }
        throw;
    }
}

void update_role(Database& db, const std::string& name, const std::string& description,
                 const std::vector<std::string>& permissions) {
    const RoleFields fields = validated_role(name, description, permissions);
    const auto id = role_id(db, name);
    if (!id) throw NotFound("Cannot find role.");
    auto& st = db.prepare("UPDATE roles SET description = ?, permissions = ? WHERE id = ?");
    st.setString(1, fields.description);
    st.setString(2, fields.permissions);
    st.setUInt64(3, *id);
    st.executeUpdate();
    refresh_role_holders_cache(db, *id);
}

bool add_role_to_user(Database& db, std::uint64_t user_id, const std::string& role) {
    const auto id = role_id(db, role);
    if (!id) throw NotFound("Cannot find role.");
    auto& st = db.prepare("INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)");
    st.setUInt64(1, user_id);
    st.setUInt64(2, *id);
    try {
        st.executeUpdate();
    } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kErrDuplicateKey) return false;
        if (e.getErrorCode() == kErrNoReferencedRow) throw NotFound("User not found.");
        throw;
    }
    refresh_user_role_cache(db, user_id);
    return true;
}

bool remove_role_from_user(Database& db, std::uint64_t user_id, const std::string& role) {
    const auto id = role_id(db, role);
    if (!id) throw NotFound("Cannot find role.");
    auto& st = db.prepare("DELETE FROM user_roles WHERE user_id = ? AND role_id = ?");
    st.setUInt64(1, user_id);
    st.setUInt64(2, *id);
    if (st.executeUpdate() == 0) return false;
    refresh_user_role_cache(db, user_id);
    return true;
}

// --- audit log ---

void audit(Database& db, std::optional<std::uint64_t> actor_user_id, const std::string& actor,
           const std::string& action, const std::string& target, const std::string& ip_address,
           const std::string& detail) {
    auto& st = db.prepare(
        "INSERT INTO audit_log (actor_user_id, actor, action, target, ip_address, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (actor_user_id) {
        st.setUInt64(1, *actor_user_id);
    } else {
        st.setNull(1, sql::DataType::BIGINT);
    }
    st.setString(2, clip(actor, 80));
    st.setString(3, clip(action, 64));
    st.setString(4, clip(target, 255));
    st.setString(5, clip(ip_address, 45));
    st.setString(6, clip(detail, 255));
    st.executeUpdate();
}

}  // namespace mfo
