#include "route_audit.hpp"

#include <algorithm>
#include <ostream>

#include "access_rules.hpp"
#include "roles_file.hpp"
#include "text_table.hpp"
#include "user_lookup.hpp"
#include "user_store.hpp"

namespace mfo::cli {

namespace {

std::string rule_pattern(const AccessRule& rule) {
    std::string methods;
    for (const auto& m : rule.methods) methods += (methods.empty() ? "" : ",") + m;
    return std::string(rule.match == MatchKind::exact ? "exact  " : "prefix ") + rule.path +
           (methods.empty() ? "" : "  [" + methods + "]");
}

std::string networks_of(const AccessRule& rule) {
    std::string out;
    for (const auto& n : rule.networks) {
        if (!out.empty()) out += ',';  // not "," + temporary: GCC 12 -Wrestrict
        out += n.text();
    }
    return out;
}

// Which roles of roles.conf pass the rule on their own (from= aside).
std::string passing_principals(const AccessRule& rule, const std::vector<RoleDefinition>& roles) {
    if (rule.is_public) return "anyone";
    Principal no_role;
    no_role.user_id = 1;
    if (check_principal(&rule, no_role) == AccessDecision::allow) return "any logged-in user";
    std::string out;
    for (const auto& role : roles) {
        Principal p;
        p.user_id = 1;
        p.roles = {role.name};
        p.permissions = role.permissions;
        if (check_principal(&rule, p) == AccessDecision::allow)
            out += (out.empty() ? "" : ", ") + role.name;
    }
    return out.empty() ? "no single role (needs a combination)" : out;
}

std::string passing_roles(const AccessRule& rule, const std::vector<RoleDefinition>& roles) {
    if (rule.networks.empty()) return passing_principals(rule, roles);
    return passing_principals(rule, roles) + " from " + networks_of(rule);
}

const char* verdict(AccessDecision d) {
    switch (d) {
        case AccessDecision::allow:
            return "allowed";
        case AccessDecision::login_required:
            return "login required";
        case AccessDecision::forbidden:
            return "denied";
    }
    return "";
}

}  // namespace

int routes_command(ToolContext& ctx, const ParsedArgs& args) {
    const Config& config = ctx.config();
    const auto roles = load_roles_file(config.roles);
    const AccessRules rules =
        AccessRules::load(config.access_rules, role_names(roles), permission_names(roles));

    const auto email = args.value("--user");
    if (!email) {
        TextTable table({"RULE", "REQUIRES", "PASSES", "LINE"});
        for (const auto& rule : rules.rules()) {
            table.add_row(
                {rule_pattern(rule), describe_rule(rule), passing_roles(rule, roles), rule.origin});
        }
        table.print(ctx.out());
        ctx.out() << "Paths that no rule matches are denied.\n";
        return kExitOk;
    }

    // The user's roles and permissions as the worker sees them: from the database.
    Principal who;
    ctx.database(DbAccount::app).read([&](Database& db) {
        const UserRecord user = require_user(db, *email);
        who.user_id = user.active ? user.id : 0;
        who.email = user.email;
        who.roles = user.roles;
        for (const auto& role : list_roles(db)) {
            if (std::find(user.roles.begin(), user.roles.end(), role.name) == user.roles.end())
                continue;
            who.permissions.insert(who.permissions.end(), role.permissions.begin(),
                                   role.permissions.end());
        }
    });
    std::sort(who.roles.begin(), who.roles.end());
    std::sort(who.permissions.begin(), who.permissions.end());
    who.permissions.erase(std::unique(who.permissions.begin(), who.permissions.end()),
                          who.permissions.end());

    std::string role_list;
    for (const auto& r : who.roles) role_list += (role_list.empty() ? "" : ",") + r;
    ctx.out() << "User \"" << who.email << "\"" << (who.user_id ? "" : " (inactive: cannot log in)")
              << ", roles: " << (role_list.empty() ? "(none)" : role_list) << "\n";
    TextTable table({"RULE", "REQUIRES", "RESULT", "LINE"});
    for (const auto& rule : rules.rules()) {
        std::string result = verdict(check_principal(&rule, who));
        if (!rule.networks.empty()) result += " (from " + networks_of(rule) + " only)";
        table.add_row({rule_pattern(rule), describe_rule(rule), result, rule.origin});
    }
    table.print(ctx.out());
    return kExitOk;
}

}  // namespace mfo::cli
