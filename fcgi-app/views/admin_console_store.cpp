#include "views/admin_console_store.hpp"

#include <cppconn/resultset.h>

#include <memory>
#include <utility>

#include "console_admins.hpp"

namespace mfo {

namespace {

using Rows = std::unique_ptr<sql::ResultSet>;

std::string text(const sql::ResultSet& rs, unsigned column) {
    return rs.isNull(column) ? std::string() : rs.getString(column).asStdString();
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

UserRecord require_user(Database& db, std::uint64_t user_id) {
    auto user = find_user_by_id(db, user_id);
    if (!user) throw ConsoleRefusal(404, "No such user.");
    return *user;
}

bool has_role(const UserRecord& user, const std::string& role) {
    for (const auto& r : user.roles) {
        if (r == role) return true;
    }
    return false;
}

// Active Admins other than `user_id`, counted under a lock so two
// administrators cannot remove each other's Admin role at the same moment.
std::uint64_t other_active_admins(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare(
        "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id "
        "JOIN roles r ON r.id = ur.role_id WHERE r.name = ? AND u.active = 1 FOR UPDATE");
    st.setString(1, kAdminRole);
    Rows rs(st.executeQuery());
    std::uint64_t others = 0;
    while (rs->next()) {
        if (rs->getUInt64(1) != user_id) ++others;
    }
    return others;
}

void guard_last_admin(Database& db, const UserRecord& target) {
    if (target.active && has_role(target, kAdminRole) && other_active_admins(db, target.id) == 0) {
        throw ConsoleRefusal(409,
                             "This would leave no active Admin: make another user an Admin first.");
    }
}

// Beyond the Admin role itself: the permissions the console needs must stay
// with at least one active Admin (else /admin/roles is closed to everyone).
template <typename Change>
void keep_console_admin(Database& tx, const ConsoleActor& actor, Change&& change) {
    keep_a_console_admin(tx, actor.console_permissions, std::forward<Change>(change), [&] {
        return ConsoleRefusal(409, last_console_admin_message(actor.console_permissions));
    });
}

void record(Database& db, const ConsoleActor& actor, const std::string& action,
            const std::string& target, const std::string& detail = "") {
    audit(db, actor.user_id, "web", action, target, actor.ip_address, detail);
}

}  // namespace

ConsoleOverview console_overview(Database& db) {
    ConsoleOverview o;
    {
        Rows rs(db.prepare("SELECT COUNT(*), COALESCE(SUM(active), 0) FROM users").executeQuery());
        if (rs->next()) {
            o.users = rs->getUInt64(1);
            o.active_users = rs->getUInt64(2);
        }
    }
    {
        Rows rs(db.prepare("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                           "AND u.active = 1 AND u.fs_uniquifier = s.user_uniquifier "
                           "WHERE s.idle_expires_at > NOW() AND s.absolute_expires_at > NOW()")
                    .executeQuery());
        if (rs->next()) o.live_sessions = rs->getUInt64(1);
    }
    o.roles = list_roles(db);
    return o;
}

std::vector<AuditEvent> latest_audit_events(Database& db, int limit) {
    auto& st = db.prepare(
        "SELECT DATE_FORMAT(a.created_at, '%Y-%m-%d %H:%i:%s'), "
        "IF(u.email IS NULL, a.actor, CONCAT(u.email, ' (', a.actor, ')')), a.action, a.target, "
        "a.ip_address, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id "
        "ORDER BY a.id DESC LIMIT ?");
    st.setInt(1, limit);
    Rows rs(st.executeQuery());
    std::vector<AuditEvent> out;
    while (rs->next()) {
        out.push_back(AuditEvent{text(*rs, 1), text(*rs, 2), text(*rs, 3), text(*rs, 4),
                                 text(*rs, 5), text(*rs, 6)});
    }
    return out;
}

UserPage find_users(Database& db, const std::string& search, int offset, int limit) {
    UserPage page;
    page.total = count_users(db, search);
    page.users = search_users(db, search, static_cast<std::uint64_t>(offset),
                              static_cast<std::uint64_t>(limit));
    return page;
}

std::vector<SessionSummary> live_sessions_of(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare(
        "SELECT DATE_FORMAT(s.created_at, '%Y-%m-%d %H:%i:%s'), "
        "DATE_FORMAT(s.last_seen_at, '%Y-%m-%d %H:%i:%s'), s.ip_address, s.user_agent, s.remember "
        "FROM sessions s JOIN users u ON u.id = s.user_id AND u.fs_uniquifier = s.user_uniquifier "
        "WHERE s.user_id = ? AND s.idle_expires_at > NOW() AND s.absolute_expires_at > NOW() "
        "ORDER BY s.created_at DESC LIMIT 100");
    st.setUInt64(1, user_id);
    Rows rs(st.executeQuery());
    std::vector<SessionSummary> out;
    while (rs->next()) {
        out.push_back(SessionSummary{text(*rs, 1), text(*rs, 2), text(*rs, 3), text(*rs, 4),
                                     rs->getBoolean(5)});
    }
    return out;
}

void console_set_active(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                        bool active) {
    db.transaction([&](Database& tx) {
        const UserRecord target = require_user(tx, user_id);
        if (!active) {
            if (target.id == actor.user_id) {
                throw ConsoleRefusal(409, "You cannot deactivate your own account.");
            }
            guard_last_admin(tx, target);
        }
        keep_console_admin(tx, actor, [&] {
            if (!set_user_active(tx, user_id, active)) {
                throw ConsoleRefusal(
                    409, std::string("The user is already ") + (active ? "active." : "inactive."));
            }
        });
        record(tx, actor, active ? "user.activate" : "user.deactivate", target.email);
    });
}

void console_grant_role(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                        const std::string& role) {
    db.transaction([&](Database& tx) {
        const UserRecord target = require_user(tx, user_id);
        if (!find_role(tx, role)) throw ConsoleRefusal(404, "No such role.");
        if (!add_role_to_user(tx, user_id, role)) {
            throw ConsoleRefusal(409, "The user already has this role.");
        }
        record(tx, actor, "role.add", target.email, "role " + role);
    });
}

void console_revoke_role(Database& db, const ConsoleActor& actor, std::uint64_t user_id,
                         const std::string& role) {
    db.transaction([&](Database& tx) {
        const UserRecord target = require_user(tx, user_id);
        if (!find_role(tx, role)) throw ConsoleRefusal(404, "No such role.");
        if (!has_role(target, role)) throw ConsoleRefusal(409, "The user does not have this role.");
        if (role == kAdminRole) guard_last_admin(tx, target);
        keep_console_admin(tx, actor, [&] { remove_role_from_user(tx, user_id, role); });
        record(tx, actor, "role.remove", target.email, "role " + role);
    });
}

std::uint64_t console_end_sessions(Database& db, const ConsoleActor& actor, std::uint64_t user_id) {
    std::uint64_t ended = 0;
    db.transaction([&](Database& tx) {
        const UserRecord target = require_user(tx, user_id);
        ended = revoke_user_sessions(tx, user_id);
        record(tx, actor, "sessions.revoke", target.email, std::to_string(ended) + " sessions");
    });
    return ended;
}

void console_create_role(Database& db, const ConsoleActor& actor, const std::string& name,
                         const std::string& description,
                         const std::vector<std::string>& permissions) {
    db.transaction([&](Database& tx) {
        try {
            create_role(tx, name, description, permissions);
        } catch (const AlreadyExists&) {
            throw ConsoleRefusal(409, "A role named \"" + name + "\" already exists.");
        } catch (const std::invalid_argument& e) {
            throw ConsoleRefusal(400, e.what());
        }
        record(tx, actor, "role.create", name, "permissions " + join(permissions));
    });
}

void console_update_role(Database& db, const ConsoleActor& actor, const std::string& name,
                         const std::string& description,
                         const std::vector<std::string>& permissions) {
    db.transaction([&](Database& tx) {
        if (!find_role(tx, name)) throw ConsoleRefusal(404, "No such role.");
        keep_console_admin(tx, actor, [&] {
            try {
                update_role(tx, name, description, permissions);
            } catch (const std::invalid_argument& e) {
                throw ConsoleRefusal(400, e.what());
            }
        });
        record(tx, actor, "role.update", name, "permissions " + join(permissions));
    });
}

}  // namespace mfo
