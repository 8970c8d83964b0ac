// mfo-roles: roles and their members (the seed's `flask roles ...`). Uses the
// application's account (data only).

#include <algorithm>

#include "cli_tool.hpp"
#include "console_admins.hpp"
#include "last_admin_guard.hpp"
#include "role_names.hpp"
#include "roles_file.hpp"
#include "route_audit.hpp"
#include "text_table.hpp"
#include "user_lookup.hpp"
#include "user_store.hpp"

namespace {

using namespace mfo;
using namespace mfo::cli;

// "a,b" "c" -> {a, b, c}: each argument may itself be a comma list.
std::vector<std::string> permissions_of(const std::vector<std::string>& args, std::size_t from) {
    std::vector<std::string> names;
    for (std::size_t i = from; i < args.size(); ++i) {
        const auto more = parse_permission_list(args[i]);
        names.insert(names.end(), more.begin(), more.end());
    }
    return normalize_permissions(std::move(names));
}

int create_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string& name = args.positional[0];
    const std::string description = args.value("--description").value_or("");
    const auto permissions =
        normalize_permissions(parse_permission_list(args.value("--permissions").value_or("")));
    app_db(ctx).transaction([&](Database& tx) {
        create_role(tx, name, description, permissions);
        audit(tx, std::nullopt, ctx.actor(), "role.create", name, "",
              "permissions " + describe_permissions(permissions));
    });
    ctx.out() << "Role " << quoted(name) << " created successfully.\n";
    return kExitOk;
}

// Adding a role the user has, or removing one they lack, changes nothing and
// is no error (as `mfo-users deactivate` of an inactive user): scripts can
// run it again.
int add_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string& email = args.positional[0];
    const std::string& role = args.positional[1];
    bool changed = false;
    app_db(ctx).transaction([&](Database& tx) {
        const UserRecord user = require_user(tx, email);
        changed = add_role_to_user(tx, user.id, role);
        if (changed)
            audit(tx, std::nullopt, ctx.actor(), "role.add", user.email, "", "role " + role);
    });
    if (changed) {
        ctx.out() << "Role " << quoted(role) << " added to user " << quoted(email)
                  << " successfully.\n";
    } else {
        ctx.out() << "User " << quoted(email) << " already has role " << quoted(role) << ".\n";
    }
    return kExitOk;
}

int remove_command(ToolContext& ctx, const ParsedArgs& args) {
    const std::string& email = args.positional[0];
    const std::string& role = args.positional[1];
    bool changed = false;
    app_db(ctx).transaction([&](Database& tx) {
        const UserRecord user = require_user(tx, email);
        if (role == kAdminRoleName && is_last_active_admin(tx, user)) {
            throw ToolFailure("User " + quoted(email) +
                              " is the last active Admin: make another user an Admin first.");
        }
        changed = remove_role_from_user(tx, user.id, role);
        if (changed) {
            audit(tx, std::nullopt, ctx.actor(), "role.remove", user.email, "", "role " + role);
        }
    });
    if (changed) {
        ctx.out() << "Role " << quoted(role) << " removed from user " << quoted(email)
                  << " successfully.\n";
    } else {
        ctx.out() << "User " << quoted(email) << " does not have role " << quoted(role) << ".\n";
    }
    return kExitOk;
}

int list_command(ToolContext& ctx, const ParsedArgs&) {
    std::vector<RoleRecord> roles;
    app_db(ctx).read([&](Database& d) { roles = list_roles(d); });
    TextTable table({"NAME", "DESCRIPTION", "PERMISSIONS", "MEMBERS"});
    for (const auto& role : roles) {
        table.add_row({role.name, role.description, join_names(role.permissions),
                       std::to_string(role.members)});
    }
    table.print(ctx.out());
    return kExitOk;
}

// What conf/access.conf requires under /admin (the worker's rules).
std::vector<std::string> console_permissions_of(const Config& config) {
    const auto roles = load_roles_file(config.roles);
    return console_permissions(
        AccessRules::load(config.access_rules, role_names(roles), permission_names(roles)));
}

// Adds (`add` true) or removes the permissions named after the role name.
int change_permissions(ToolContext& ctx, const ParsedArgs& args, bool add) {
    const std::string& name = args.positional[0];
    const auto given = permissions_of(args.positional, 1);
    // A removal must leave the console's permissions on an active Admin.
    const std::vector<std::string> needed =
        add ? std::vector<std::string>{} : console_permissions_of(ctx.config());
    std::vector<std::string> before, after;
    app_db(ctx).transaction([&](Database& tx) {
        const auto role = find_role(tx, name);
        if (!role) throw NotFound("Cannot find role.");
        before = role->permissions;
        after.clear();
        if (add) {
            std::set_union(before.begin(), before.end(), given.begin(), given.end(),
                           std::back_inserter(after));
        } else {
            std::set_difference(before.begin(), before.end(), given.begin(), given.end(),
                                std::back_inserter(after));
        }
        if (after == before) return;
        if (add) {
            update_role(tx, name, role->description, after);
        } else {
            keep_a_console_admin(
                tx, needed, [&] { update_role(tx, name, role->description, after); },
                [&] { return ToolFailure(last_console_admin_message(needed)); });
        }
        audit(tx, std::nullopt, ctx.actor(),
              add ? "role.permissions_add" : "role.permissions_remove", name, "",
              "permissions " + describe_permissions(before) + " -> " + describe_permissions(after));
    });
    if (after == before) {
        ctx.out() << "Role " << quoted(name) << (add ? " already has" : " has none of")
                  << " these permissions (" << describe_permissions(before) << ").\n";
    } else {
        ctx.out() << "Permissions of role " << quoted(name)
                  << " changed: " << describe_permissions(before) << " -> "
                  << describe_permissions(after) << ".\n";
    }
    return kExitOk;
}

int add_permissions_command(ToolContext& ctx, const ParsedArgs& args) {
    return change_permissions(ctx, args, true);
}

int remove_permissions_command(ToolContext& ctx, const ParsedArgs& args) {
    return change_permissions(ctx, args, false);
}

ToolSpec tool_spec() {
    return ToolSpec{
        "mfo-roles",
        "Role commands (uses the application's database account).",
        {
            {"create",
             {},
             "NAME",
             "Create a role.",
             "Names of roles and permissions: letters, digits, '_' and '-'.",
             {{"--description", "-d", "D", "what the role is for"},
              {"--permissions", "-p", "P1,P2", "comma-separated permissions of the role"}},
             1,
             1,
             create_command},
            {"add",
             {},
             "EMAIL ROLE",
             "Add role to user.",
             "A role the user already has is reported and changes nothing (exit 0).",
             {},
             2,
             2,
             add_command},
            {"remove",
             {},
             "EMAIL ROLE",
             "Remove role from user.",
             "A role the user does not have is reported and changes nothing (exit 0).\n"
             "The last active Admin keeps the Admin role.",
             {},
             2,
             2,
             remove_command},
            {"list",
             {},
             "",
             "List the roles with their permissions and number of members.",
             "",
             {},
             0,
             0,
             list_command},
            {"add-permissions",
             {"add_permissions"},
             "NAME PERMISSION...",
             "Add permissions to role.",
             "Each PERMISSION may also be a comma-separated list.",
             {},
             2,
             kAnyNumber,
             add_permissions_command},
            {"remove-permissions",
             {"remove_permissions"},
             "NAME PERMISSION...",
             "Remove permissions from role.",
             "Each PERMISSION may also be a comma-separated list.",
             {},
             2,
             kAnyNumber,
             remove_permissions_command},
            {"routes",
             {},
             "",
             "Show what conf/access.conf lets through.",
             "For every rule: what it requires and which roles of roles.conf pass it. With\n"
             "--user, whether that user (roles read from the database) is allowed or denied.",
             {{"--user", "-u", "EMAIL", "check the rules for this user", false}},
             0,
             0,
             routes_command},
        }};
}

}  // namespace

int main(int argc, char** argv) {
    return run_tool(tool_spec(), argc, argv);
}
