// mfo-users: user accounts (the seed's `flask users ...`). Uses the
// application's account (data only).

#include <algorithm>
#include <iostream>

#include "cli_tool.hpp"
#include "email_address.hpp"
#include "last_admin_guard.hpp"
#include "password_hasher.hpp"
#include "password_input.hpp"
#include "password_policy.hpp"
#include "role_names.hpp"
#include "text_table.hpp"
#include "user_lookup.hpp"
#include "user_store.hpp"

namespace {

using namespace mfo;
using namespace mfo::cli;

// Reads the new password from the options (or the terminal) and applies the
// one password policy of the CLI and /register.
std::string new_password(ToolContext& ctx, const ParsedArgs& args) {
    const std::string password = password_from_options(args, std::cin);
    const std::string& list = ctx.config().common_passwords;
    const PasswordPolicy policy(list);
    if (!list.empty() && policy.common_count() == 0) {
        ctx.warn("the common-password list " + list + " is missing or empty; not checked");
    }
    if (const auto reason = policy.check(password)) throw ToolFailure(*reason);
    return password;
}

std::string hash_password(ToolContext& ctx, const std::string& password) {
    const Config& config = ctx.config();
    const PasswordHasher hasher(
        Argon2Params{config.argon2_memory_kib, config.argon2_iterations, config.argon2_parallelism},
        config.password_pepper);
    return hasher.hash(password);
}

int create_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string& given = args.positional[0];
    const auto email = normalize_email(given);
    if (!email) throw ToolFailure(quoted(given) + " is not a valid email address.");
    const bool active = args.has("--active");
    auto roles = args.values("--role");
    std::sort(roles.begin(), roles.end());
    roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
    if (args.value("--password") && args.has("--password-stdin")) {
        throw UsageError("give --password or --password-stdin, not both");
    }

    // Everything that can be refused is checked before asking for the
    // password; the transaction checks again.
    Database& db = app_db(ctx);
    db.read([&](Database& d) {
        if (find_user_by_email(d, *email)) {
            throw AlreadyExists(given + " is already associated with an account.");
        }
        for (const auto& role : roles) {
            if (!find_role(d, role)) throw NotFound("Cannot find role " + quoted(role) + ".");
        }
    });
    const std::string hash = hash_password(ctx, new_password(ctx, args));

    db.transaction([&](Database& tx) {
        const auto id = create_user(tx, *email, hash, active);
        audit(tx, std::nullopt, ctx.actor(), "user.create", *email, "",
              active ? "active" : "inactive");
        for (const auto& role : roles) {
            add_role_to_user(tx, id, role);
            audit(tx, std::nullopt, ctx.actor(), "role.add", *email, "", "role " + role);
        }
    });
    ctx.out() << "User created successfully.\n"
              << "{'email': '" << *email
              << "', 'password': '****', 'active': " << (active ? "True" : "False") << "}\n";
    for (const auto& role : roles) {
        ctx.out() << "Role " << quoted(role) << " added to user " << quoted(*email)
                  << " successfully.\n";
    }
    return kExitOk;
}

int set_active(ToolContext& ctx, const ParsedArgs& args, bool active) {
    const std::string& email = args.positional[0];
    bool changed = false;
    app_db(ctx).transaction([&](Database& tx) {
        const UserRecord user = require_user(tx, email);
        if (!active && is_last_active_admin(tx, user)) {
            throw ToolFailure("User " + quoted(email) +
                              " is the last active Admin: make another user an Admin first.");
        }
        changed = set_user_active(tx, user.id, active);
        if (changed) {
            audit(tx, std::nullopt, ctx.actor(), active ? "user.activate" : "user.deactivate",
                  user.email, "");
        }
    });
    ctx.out() << "User " << quoted(email) << (changed ? " has been " : " was already ")
              << (active ? "activated" : "deactivated") << ".\n";
    return kExitOk;
}

int activate_command(ToolContext& ctx, const ParsedArgs& args) {
    return set_active(ctx, args, true);
}

int deactivate_command(ToolContext& ctx, const ParsedArgs& args) {
    return set_active(ctx, args, false);
}

int change_password_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string& email = args.positional[0];
    if (args.value("--password") && args.has("--password-stdin")) {
        throw UsageError("give --password or --password-stdin, not both");
    }
    Database& db = app_db(ctx);
    db.read([&](Database& d) { require_user(d, email); });
    const std::string hash = hash_password(ctx, new_password(ctx, args));
    db.transaction([&](Database& tx) {
        const UserRecord user = require_user(tx, email);
        change_password(tx, user.id, hash);
        audit(tx, std::nullopt, ctx.actor(), "user.password_change", user.email, "");
    });
    ctx.out() << "Password of user " << quoted(email)
              << " changed successfully; their sessions were ended.\n";
    return kExitOk;
}

int list_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string role = args.value("--role").value_or("");
    std::vector<UserRecord> users;
    app_db(ctx).read([&](Database& d) {
        if (!role.empty() && !find_role(d, role)) throw NotFound("Cannot find role.");
        users = list_users(d, role);
    });
    TextTable table({"EMAIL", "ACTIVE", "ROLES", "CREATED (UTC)", "LAST LOGIN (UTC)"});
    for (const auto& user : users) {
        table.add_row({user.email, user.active ? "yes" : "no", join_names(user.roles),
                       user.created_at, user.last_login_at.empty() ? "never" : user.last_login_at});
    }
    table.print(ctx.out());
    return kExitOk;
}

int revoke_sessions_command(ToolContext& ctx, const ParsedArgs& args) {
    const bool all = args.has("--all");
    if (all == !args.positional.empty()) throw UsageError("give either EMAIL or --all");
    std::uint64_t ended = 0;
    app_db(ctx).transaction([&](Database& tx) {
        if (all) {
            ended = revoke_all_sessions(tx);
            audit(tx, std::nullopt, ctx.actor(), "sessions.revoke", "*", "",
                  std::to_string(ended) + " session(s), all users");
        } else {
            const UserRecord user = require_user(tx, args.positional[0]);
            ended = revoke_user_sessions(tx, user.id);
            audit(tx, std::nullopt, ctx.actor(), "sessions.revoke", user.email, "",
                  std::to_string(ended) + " session(s)");
        }
    });
    ctx.out() << "Ended " << ended << " session(s)"
              << (all ? " of all users" : " of user " + quoted(args.positional[0])) << ".\n";
    return kExitOk;
}

std::vector<OptionSpec> create_options() {
    auto options = password_options();
    options.push_back({"--active", "-a", "", "the user can log in at once (default: inactive)"});
    options.push_back({"--role", "", "R", "give the user this role (repeatable)", true});
    return options;
}

ToolSpec tool_spec() {
    return ToolSpec{
        "mfo-users",
        "User commands (uses the application's database account).",
        {
            {"create",
             {},
             "EMAIL",
             "Create a user (inactive unless --active).",
             "Without --password or --password-stdin the password is asked twice on the\n"
             "terminal. The user and its roles are created together or not at all.",
             create_options(),
             1,
             1,
             create_command},
            {"activate", {}, "EMAIL", "Activate a user.", "", {}, 1, 1, activate_command},
            {"deactivate",
             {},
             "EMAIL",
             "Deactivate a user.",
             "Also ends every session of the user.",
             {},
             1,
             1,
             deactivate_command},
            {"change-password",
             {"change_password"},
             "EMAIL",
             "Administratively change a user's password.",
             "Also ends every session of the user.",
             password_options(),
             1,
             1,
             change_password_command},
            {"list",
             {},
             "",
             "List the users with their roles.",
             "",
             {{"--role", "", "R", "only the users that have this role"}},
             0,
             0,
             list_command},
            {"revoke-sessions",
             {"revoke_sessions"},
             "[EMAIL]",
             "End every session of a user, or of all users.",
             "",
             {{"--all", "", "", "end the sessions of every user"}},
             0,
             1,
             revoke_sessions_command},
        }};
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool(tool_spec(), argc, argv);
}
