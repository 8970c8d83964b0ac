#include "views/admin_console_store.hpp"

#include <cppconn/resultset.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "console_admins.hpp"

namespace mfo {

namespace {

using Rows = std::unique_ptr<sql::ResultSet>;

std::string text(const sql::ResultSet& rs, unsigned column) {
    return rs.isNull(column) ? std::string() : rs.getString(column).asStdString();
}

// Stored lists are comma-separated.
std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < list.size()) {
        auto comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        if (comma > start) out.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// A LIKE pattern for emails starting with `prefix`, its wildcards escaped.
std::string prefix_pattern(const std::string& prefix) {
    std::string out;
    for (char c : prefix) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

// Where a session id lies in the id space, as a fraction in [0, 1): its
// first 8 bytes (ids are SHA-256 values, uniform over the space).
double key_position(const std::string& id) {
    double v = 0;
    for (std::size_t i = 0; i < 8 && i < id.size(); ++i) {
        v = v * 256.0 + static_cast<unsigned char>(id[i]);
    }
    return std::ldexp(v, -64);
}

AuditEvent event_from_row(const sql::ResultSet& rs) {
    return AuditEvent{text(rs, 1), text(rs, 2), text(rs, 3), text(rs, 4), text(rs, 5), text(rs, 6)};
}

constexpr const char* kEventColumns =
    "SELECT DATE_FORMAT(a.created_at, '%Y-%m-%d %H:%i:%s'), "
    "IF(u.email IS NULL, a.actor, CONCAT(u.email, ' (', a.actor, ')')), a.action, a.target, "
    "a.ip_address, a.detail, a.id FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id ";

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

ConsoleOverview console_overview(Database& db, std::uint64_t session_sample) {
    ConsoleOverview o;
    {
        Rows rs(
            db.prepare("SELECT users, active_users FROM user_counts WHERE id = 1").executeQuery());
        if (rs->next()) {
            o.users = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rs->getInt64(1)));
            o.active_users = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rs->getInt64(2)));
        }
    }
    o.sessions = count_live_sessions(db, session_sample);
    o.roles = console_roles(db);
    return o;
}

SessionCount count_live_sessions(Database& db, std::uint64_t sample) {
    // From the middle of the id space onwards in id order, wrapping round to
    // the start: one range read of the primary key, at most `sample` rows.
    // Ids are SHA-256 values of random tokens, so a fixed place is as good a
    // sample as a random one, and it keeps the figure steady between
    // workers and refreshes and its pages warm in the buffer pool.
    const std::string start = std::string(1, '\x80') + std::string(31, '\0');
    SessionCount count;
    std::string last;
    const auto read = [&](const char* sql, std::uint64_t limit) {
        auto& st = db.prepare(sql);
        st.setString(1, start);
        st.setUInt64(2, limit);
        Rows rs(st.executeQuery());
        std::uint64_t n = 0;
        while (rs->next()) {
            ++n;
            if (rs->getBoolean(2)) ++count.live;
            last = rs->getString(1).asStdString();
        }
        return n;
    };
    constexpr const char* kFrom =
        "SELECT id, idle_expires_at > NOW() AND absolute_expires_at > NOW() FROM sessions ";
    const std::uint64_t ahead =
        read((std::string(kFrom) + "WHERE id >= ? ORDER BY id LIMIT ?").c_str(), sample);
    std::uint64_t behind = 0;
    if (ahead < sample) {
        behind =
            read((std::string(kFrom) + "WHERE id < ? ORDER BY id LIMIT ?").c_str(), sample - ahead);
    }
    count.sampled = ahead + behind;
    count.stored = count.sampled;
    if (count.sampled < sample || sample < 2) return count;  // every row was read

    // The sample covers the id space from `start` to the last id read: the
    // table holds about (n - 1) / span rows (the gaps between random ids).
    double span = key_position(last) - key_position(start);
    if (behind > 0) span += 1.0;
    span = std::clamp(span, 1e-18, 1.0);
    const double rate = static_cast<double>(count.sampled - 1) / static_cast<double>(count.sampled);
    count.exact = false;
    count.stored = static_cast<std::uint64_t>(std::llround(count.sampled * rate / span));
    count.live = static_cast<std::uint64_t>(std::llround(count.live * rate / span));
    return count;
}

std::vector<RoleRecord> console_roles(Database& db) {
    Rows rs(db.prepare("SELECT r.id, r.name, r.description, r.permissions, "
                       "GREATEST(COALESCE(c.members, 0), 0) FROM roles r "
                       "LEFT JOIN role_member_counts c ON c.role_id = r.id ORDER BY r.name")
                .executeQuery());
    std::vector<RoleRecord> roles;
    while (rs->next()) {
        RoleRecord role;
        role.id = rs->getUInt64(1);
        role.name = text(*rs, 2);
        role.description = text(*rs, 3);
        role.permissions = split_list(text(*rs, 4));
        role.members = static_cast<std::uint64_t>(rs->getInt64(5));
        roles.push_back(std::move(role));
    }
    return roles;
}

std::vector<AuditEvent> latest_audit_events(Database& db, int limit) {
    auto& st = db.prepare(std::string(kEventColumns) + "ORDER BY a.id DESC LIMIT ?");
    st.setInt(1, limit);
    Rows rs(st.executeQuery());
    std::vector<AuditEvent> out;
    while (rs->next()) out.push_back(event_from_row(*rs));
    return out;
}

std::vector<AuditEvent> audit_events_of(Database& db, std::uint64_t user_id,
                                        const std::string& email, int limit) {
    // Each half reads at most `limit` rows from the end of its index
    // (ix_audit_log_target, ix_audit_log_actor).
    auto& st =
        db.prepare("SELECT * FROM ((" + std::string(kEventColumns) +
                   "WHERE a.target = ? ORDER BY a.id DESC LIMIT ?) UNION (" + kEventColumns +
                   "WHERE a.actor_user_id = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ?)) e "
                   "ORDER BY e.id DESC LIMIT ?");
    st.setString(1, email);
    st.setInt(2, limit);
    st.setUInt64(3, user_id);
    st.setInt(4, limit);
    st.setInt(5, limit);
    Rows rs(st.executeQuery());
    std::vector<AuditEvent> out;
    while (rs->next()) out.push_back(event_from_row(*rs));
    return out;
}

UserPage find_users(Database& db, const UserListQuery& q) {
    UserPage page;
    const bool backwards = !q.before.empty();
    const std::string& key = backwards ? q.before : q.after;
    // The statement text varies only with which conditions apply, so each
    // variant is prepared once per connection. The email index is forced:
    // read in its order, the LIMIT stops the read after a page (without
    // fresh statistics the optimizer may otherwise sort the whole table).
    std::string sql =
        "SELECT id, email, active, role_names, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), "
        "DATE_FORMAT(last_login_at, '%Y-%m-%d %H:%i:%s') FROM users FORCE INDEX (uq_users_email) "
        "WHERE 1";
    if (!q.prefix.empty()) sql += " AND email LIKE ?";
    if (!key.empty()) sql += backwards ? " AND email < ?" : " AND email > ?";
    sql += backwards ? " ORDER BY email DESC LIMIT ?" : " ORDER BY email LIMIT ?";
    auto& st = db.prepare(sql);
    int i = 1;
    if (!q.prefix.empty()) st.setString(i++, prefix_pattern(q.prefix));
    if (!key.empty()) st.setString(i++, key);
    st.setInt(i, q.limit + 1);  // one more: is there a page beyond?
    {
        Rows rs(st.executeQuery());
        while (rs->next()) {
            UserSummary u;
            u.id = rs->getUInt64(1);
            u.email = text(*rs, 2);
            u.active = rs->getBoolean(3);
            u.roles = split_list(text(*rs, 4));
            u.created_at = text(*rs, 5);
            u.last_login_at = text(*rs, 6);
            page.users.push_back(std::move(u));
        }
    }
    const bool beyond = page.users.size() > static_cast<std::size_t>(q.limit);
    if (beyond) page.users.pop_back();
    if (backwards) {
        std::reverse(page.users.begin(), page.users.end());
        page.has_prev = beyond;
        page.has_next = true;
    } else {
        page.has_next = beyond;
        page.has_prev = !key.empty();
    }

    if (q.prefix.empty()) {
        Rows rs(db.prepare("SELECT users FROM user_counts WHERE id = 1").executeQuery());
        if (rs->next()) {
            page.matches = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rs->getInt64(1)));
        }
    } else {
        auto& count = db.prepare(
            "SELECT COUNT(*) FROM (SELECT 1 FROM users FORCE INDEX (uq_users_email) "
            "WHERE email LIKE ? LIMIT ?) m");
        count.setString(1, prefix_pattern(q.prefix));
        count.setUInt64(2, kMatchCountCap + 1);
        Rows rs(count.executeQuery());
        if (rs->next()) page.matches = rs->getUInt64(1);
        if (page.matches > kMatchCountCap) {
            page.matches = kMatchCountCap;
            page.matches_capped = true;
        }
    }
    return page;
}

std::vector<SessionSummary> live_sessions_of(Database& db, std::uint64_t user_id) {
    // The user's newest kSessionScan rows by ix_sessions_user, then the live
    // ones among them: a user with thousands of expired rows still costs a
    // bounded read.
    auto& st = db.prepare(
        "SELECT DATE_FORMAT(s.created_at, '%Y-%m-%d %H:%i:%s'), "
        "DATE_FORMAT(s.last_seen_at, '%Y-%m-%d %H:%i:%s'), s.ip_address, s.user_agent, s.remember "
        "FROM (SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at DESC LIMIT ?) s "
        "JOIN users u ON u.id = s.user_id AND u.fs_uniquifier = s.user_uniquifier "
        "WHERE s.idle_expires_at > NOW() AND s.absolute_expires_at > NOW() "
        "ORDER BY s.created_at DESC");
    st.setUInt64(1, user_id);
    st.setInt(2, kSessionScan);
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
