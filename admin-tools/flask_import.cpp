#include "flask_import.hpp"

#include <cppconn/resultset.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <stdexcept>

#include "cli_tool.hpp"
#include "email_address.hpp"
#include "flask_password.hpp"
#include "role_names.hpp"
#include "session_events.hpp"
#include "user_role_cache.hpp"
#include "user_store.hpp"

namespace mfo::cli {

namespace {

using Rows = std::unique_ptr<sql::ResultSet>;

// Thrown at the end of a dry run to roll the transaction back.
struct DryRunRollback {};

std::string lower_ascii(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string q(const std::string& s) {
    return quoted(s);
}

struct SourceRole {
    const FlaskRole* row = nullptr;
    std::vector<std::string> permissions;
};

// A hash that the login can verify (with the salt set), or why not.
std::string unverifiable_reason(const std::string& hash) {
    switch (identify_hash(hash)) {
        case HashScheme::bcrypt: {
            const auto cost = bcrypt_cost(hash);
            if (!cost) return "malformed bcrypt hash";
            if (*cost > kMaxBcryptCost) {
                return "bcrypt cost " + std::to_string(*cost) + " is above " +
                       std::to_string(kMaxBcryptCost);
            }
            return "";
        }
        case HashScheme::argon2id:
            return "";  // cost bounds are checked at login (4x ours, or Flask's profile)
        case HashScheme::unknown:
            break;
    }
    return hash.empty() ? "no password" : "unsupported hash scheme";
}

std::string hash_label(const std::string& hash) {
    if (hash.empty()) return "none";
    const auto scheme = identify_hash(hash);
    if (scheme != HashScheme::unknown) return scheme_name(scheme);
    if (hash[0] == '$') {
        const auto end = hash.find('$', 1);
        return "unknown (" + hash.substr(0, std::min<std::size_t>(end + 1, 24)) + ")";
    }
    return "unknown";
}

bool came_from_import(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare(
        "SELECT 1 FROM audit_log WHERE action = 'user.import' AND actor_user_id IS NULL "
        "AND target = (SELECT email FROM users WHERE id = ?) LIMIT 1");
    st.setUInt64(1, user_id);
    Rows rs(st.executeQuery());
    return rs->next();
}

void set_user_times(Database& db, std::uint64_t user_id, const FlaskUser& u) {
    auto& st = db.prepare(
        "UPDATE users SET created_at = COALESCE(STR_TO_DATE(?, '%Y-%m-%d %H:%i:%s'), created_at), "
        "last_login_at = STR_TO_DATE(NULLIF(?, ''), '%Y-%m-%d %H:%i:%s') WHERE id = ?");
    st.setString(1, u.created_at);
    st.setString(2, u.last_login_at);
    st.setUInt64(3, user_id);
    st.executeUpdate();
}

class Importer {
  public:
    Importer(Database& db, const FlaskData& source, const std::vector<RoleDefinition>& configured,
             const ImportOptions& options)
        : db_(db), source_(source), options_(options) {
        for (const auto& role : configured) configured_[role.name] = &role;
    }

    ImportReport run() {
        check_salt();
        import_roles();
        import_users();
        report_.memberships.added = memberships_added_;
        if (report_.changed()) {
            rebuild_user_role_cache(db_);
            audit(db_, std::nullopt, options_.actor, "import.flask-security", options_.source, "",
                  summary());
        }
        return report_;
    }

  private:
    void note(std::string line) { report_.lines.push_back(std::move(line)); }

    void check_salt() {
        if (options_.have_salt) return;
        for (const auto& u : source_.users) {
            if (u.password && identify_hash(*u.password) != HashScheme::unknown) {
                throw ToolFailure(
                    "the source's password hashes need the Flask app's SECURITY_PASSWORD_SALT: "
                    "set it (environment, .env or [security] password_pepper) to the Flask "
                    "app's value, for this tool and for mfo-fcgi, then run again");
            }
        }
    }

    void import_roles() {
        for (const auto& row : source_.roles) {
            const std::string name = row.name;
            SourceRole role{&row, {}};
            try {
                require_valid_rbac_name("role", name);
                require_valid_role_description(row.description);
                role.permissions = normalize_permissions(parse_permission_list(row.permissions));
            } catch (const std::invalid_argument& e) {
                ++report_.roles.skipped;
                note("Role " + q(name) + " skipped: " + e.what() + ".");
                continue;
            }
            roles_by_id_[row.id] = role;
            const auto existing = find_role(db_, name);
            if (!existing) {
                create_role(db_, name, row.description, role.permissions);
                ++report_.roles.added;
                continue;
            }
            std::vector<std::string> diff;
            if (existing->description != row.description) {
                diff.push_back("description mfo \"" + existing->description + "\", Flask \"" +
                               row.description + "\"");
            }
            if (existing->permissions != role.permissions) {
                diff.push_back("permissions mfo " + describe_permissions(existing->permissions) +
                               ", Flask " + describe_permissions(role.permissions));
            }
            if (diff.empty()) {
                ++report_.roles.unchanged;
                continue;
            }
            const bool configured = configured_.count(name) > 0;
            const std::string what = join_names(diff, "; ");
            if (options_.overwrite) {
                update_role(db_, name, row.description, role.permissions);
                ++report_.roles.overwritten;
                note("Role " + q(name) + " overwritten with the Flask definition: " + what + ".");
            } else {
                ++report_.roles.conflicting;
                note("Role " + q(name) +
                     (configured ? " keeps mfo's definition (conf/roles.conf)"
                                 : " differs, left alone") +
                     ": " + what + " (--overwrite takes Flask's).");
            }
        }
    }

    // The valid roles of each source user, duplicates collapsed.
    std::map<std::int64_t, std::set<std::string>> roles_of_users() {
        std::map<std::int64_t, std::set<std::string>> out;
        std::set<std::pair<std::int64_t, std::int64_t>> seen;
        for (const auto& m : source_.memberships) {
            if (!seen.insert(m).second) {
                ++report_.duplicate_memberships;
                continue;
            }
            const auto role = roles_by_id_.find(m.second);
            if (role == roles_by_id_.end()) {
                ++report_.memberships.skipped;  // a skipped role or a dangling row
                continue;
            }
            out[m.first].insert(role->second.row->name);
        }
        return out;
    }

    void import_users() {
        auto roles_of = roles_of_users();
        // Emails unique only case-sensitively in the source: such pairs are
        // reported and neither is imported (which one is the person?).
        std::map<std::string, std::vector<const FlaskUser*>> by_email;
        for (const auto& u : source_.users) by_email[lower_ascii(u.email)].push_back(&u);

        for (const auto& u : source_.users) {
            const auto& same = by_email[lower_ascii(u.email)];
            if (same.size() > 1) {
                ++report_.users.skipped;
                if (same.front() == &u) {
                    std::vector<std::string> emails;
                    for (const auto* other : same) emails.push_back(q(other->email));
                    note("Users " + join_names(emails, ", ") +
                         " skipped: their emails differ only in case (mfo compares emails "
                         "case-insensitively); merge them in the Flask database and run again.");
                }
                continue;
            }
            const auto email = normalize_email(u.email);
            if (!email) {
                ++report_.users.skipped;
                note("User " + q(u.email) + " skipped: not a valid email address.");
                continue;
            }
            const std::string hash = u.password.value_or("");
            ++report_.hashes[hash_label(hash)];
            if (const std::string why = unverifiable_reason(hash); !why.empty()) {
                ++report_.unverifiable;
                note("User " + q(*email) + ": " + why +
                     ": cannot log in until an admin sets a password (mfo-users change-password).");
            }
            import_user(*email, u, hash, roles_of[u.id]);
        }
    }

    void import_user(const std::string& email, const FlaskUser& u, const std::string& hash,
                     const std::set<std::string>& roles) {
        const auto existing = find_user_by_email(db_, email);
        if (!existing) {
            const auto id = create_user(db_, email, hash, u.active);
            set_user_times(db_, id, u);
            for (const auto& role : roles) {
                add_role_to_user(db_, id, role);
                ++memberships_added_;
            }
            audit(db_, std::nullopt, options_.actor, "user.import", email, "",
                  "from Flask-Security, hash " + hash_label(hash));
            ++report_.users.added;
            return;
        }
        const std::set<std::string> current(existing->roles.begin(), existing->roles.end());
        // After an import the password is mfo's: the rehash at login (or a
        // change) must not make a second run see a conflict.
        const bool same_password =
            existing->password_hash == hash || came_from_import(db_, existing->id);
        std::vector<std::string> diff;
        if (!same_password) diff.push_back("password");
        if (existing->active != u.active) {
            diff.push_back(std::string("active mfo ") + (existing->active ? "yes" : "no") +
                           ", Flask " + (u.active ? "yes" : "no"));
        }
        if (current != roles) {
            diff.push_back("roles mfo " + describe_roles(current) + ", Flask " +
                           describe_roles(roles));
        }
        for (const auto& role : roles) {
            if (current.count(role)) ++report_.memberships.unchanged;
        }
        if (diff.empty()) {
            ++report_.users.unchanged;
            return;
        }
        const std::string what = join_names(diff, "; ");
        if (!options_.overwrite) {
            ++report_.users.conflicting;
            for (const auto& role : roles) {
                if (!current.count(role)) ++report_.memberships.conflicting;
            }
            note("User " + q(email) + " already in mfo with other data (" + what +
                 "): left alone (--overwrite takes Flask's).");
            return;
        }
        if (!same_password) change_password(db_, existing->id, hash);  // ends its sessions
        set_user_active(db_, existing->id, u.active);
        for (const auto& role : roles) {
            if (add_role_to_user(db_, existing->id, role)) ++memberships_added_;
        }
        for (const auto& role : current) {
            if (!roles.count(role)) remove_role_from_user(db_, existing->id, role);
        }
        audit(db_, std::nullopt, options_.actor, "user.import", email, "",
              "overwritten from Flask-Security: " + what);
        ++report_.users.overwritten;
        note("User " + q(email) + " overwritten with the Flask data: " + what + ".");
    }

    static std::string describe_roles(const std::set<std::string>& roles) {
        return roles.empty() ? "(none)"
                             : join_names(std::vector<std::string>(roles.begin(), roles.end()));
    }

    std::string summary() const {
        const auto& r = report_;
        std::string text = "users +" + std::to_string(r.users.added) + " ~" +
                           std::to_string(r.users.overwritten) + ", roles +" +
                           std::to_string(r.roles.added) + " ~" +
                           std::to_string(r.roles.overwritten) + ", memberships +" +
                           std::to_string(r.memberships.added);
        return text.substr(0, 255);
    }

    Database& db_;
    const FlaskData& source_;
    const ImportOptions& options_;
    std::map<std::string, const RoleDefinition*> configured_;
    std::map<std::int64_t, SourceRole> roles_by_id_;
    unsigned memberships_added_ = 0;
    ImportReport report_;
};

std::string counts_line(const std::string& what, const ImportCounts& c) {
    std::string line = what + ": " + std::to_string(c.added) + " new, " +
                       std::to_string(c.unchanged) + " unchanged, " +
                       std::to_string(c.conflicting) + " conflicting";
    if (c.overwritten) line += ", " + std::to_string(c.overwritten) + " overwritten";
    if (c.skipped) line += ", " + std::to_string(c.skipped) + " skipped";
    return line + ".";
}

}  // namespace

bool ImportReport::changed() const {
    return users.added + users.overwritten + roles.added + roles.overwritten + memberships.added >
           0;
}

ImportReport import_flask_security(Database& db, const FlaskData& source,
                                   const std::vector<RoleDefinition>& configured_roles,
                                   const ImportOptions& options) {
    ImportReport report;
    try {
        db.transaction([&](Database& tx) {
            report = Importer(tx, source, configured_roles, options).run();
            if (options.dry_run) throw DryRunRollback{};
            // Last, so that its id is taken just before the commit (the
            // pools' feed readers do not wait long for lower ids).
            if (report.changed()) publish_cache_flush(tx);
        });
    } catch (const DryRunRollback&) {
    }
    return report;
}

std::vector<std::string> format_import_report(const ImportReport& report,
                                              const ImportOptions& options) {
    std::vector<std::string> out;
    if (options.dry_run) out.push_back("Dry run: nothing was written. The import would do:");
    out.push_back("Source: " + options.source);
    out.insert(out.end(), report.lines.begin(), report.lines.end());
    out.push_back(counts_line("Users", report.users));
    out.push_back(counts_line("Roles", report.roles));
    std::string memberships = counts_line("Memberships", report.memberships);
    if (report.duplicate_memberships) {
        memberships += " " + std::to_string(report.duplicate_memberships) +
                       " duplicate row(s) in roles_users collapsed.";
    }
    out.push_back(memberships);
    std::vector<std::string> schemes;
    for (const auto& [scheme, n] : report.hashes)
        schemes.push_back(scheme + " " + std::to_string(n));
    out.push_back("Password hashes of the users read: " +
                  (schemes.empty() ? std::string("(none)") : join_names(schemes, ", ")) + ".");
    if (report.unverifiable) {
        out.push_back(std::to_string(report.unverifiable) +
                      " user(s) cannot log in with their old password (see above).");
    }
    if (!report.changed()) {
        out.push_back(options.dry_run ? "Nothing would change: mfo already has this data."
                                      : "Nothing to import: mfo already has this data.");
    }
    return out;
}

}  // namespace mfo::cli
