// mfo-roles, run as a program: output, exit status and what it changed.

#include <boost/test/unit_test.hpp>

#include "app_data_fixture.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

CommandResult mfo_roles(const std::vector<std::string>& args) {
    return run_tool("mfo-roles", args);
}

// The actor of the audit rows the tool writes.
const std::string kActor = "cli:mfo-roles";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(roles_tool, AppData)

BOOST_AUTO_TEST_CASE(create_role_like_the_seed) {
    const auto name = role_name_for("create");
    const auto r = mfo_roles({"create", name, "-d", "Testers", "-p", "test,read"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Role \"" + name + "\" created successfully.\n");
    const auto role = find_role(app, name);
    BOOST_REQUIRE(role.has_value());
    BOOST_TEST(role->description == "Testers");
    BOOST_TEST((role->permissions == std::vector<std::string>{"read", "test"}));
    BOOST_TEST(count_audit_rows(app, kActor, "role.create", name) == 1u);

    const auto plain = role_name_for("plain");
    BOOST_TEST(mfo_roles({"create", plain}).status == 0);
    BOOST_TEST(find_role(app, plain)->permissions.empty());
}

BOOST_AUTO_TEST_CASE(duplicate_role_is_one_line_not_a_trace) {
    const auto name = make_role("dup");
    expect_failure(mfo_roles({"create", name}), 1,
                   "mfo-roles: error: Role \"" + name + "\" already exists.");
}

BOOST_AUTO_TEST_CASE(create_usage_and_name_errors) {
    const auto missing = mfo_roles({"create"});
    expect_failure(missing, 2, "mfo-roles: error: missing argument NAME");
    BOOST_TEST(contains(missing.err, "\nusage: mfo-roles create NAME"), missing.err);
    expect_failure(mfo_roles({"create", "Bad Name"}), 1,
                   "mfo-roles: error: invalid role name \"Bad Name\"");
    expect_failure(mfo_roles({"create", role_name_for("p"), "-p", "read,no way"}), 1,
                   "mfo-roles: error: invalid permission name \"no way\"");
}

BOOST_AUTO_TEST_CASE(add_and_remove_role_like_the_seed) {
    const auto role = make_role("member");
    make_user("member");
    const auto email = emails.back();

    auto r = mfo_roles({"add", email, role});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Role \"" + role + "\" added to user \"" + email + "\" successfully.\n");
    BOOST_TEST((user(email).roles == std::vector<std::string>{role}));
    // Again: nothing to do, no error (as `mfo-users deactivate` twice).
    r = mfo_roles({"add", email, role});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "User \"" + email + "\" already has role \"" + role + "\".\n");

    r = mfo_roles({"remove", email, role});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out ==
               "Role \"" + role + "\" removed from user \"" + email + "\" successfully.\n");
    BOOST_TEST(user(email).roles.empty());
    r = mfo_roles({"remove", email, role});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "User \"" + email + "\" does not have role \"" + role + "\".\n");
    BOOST_TEST(count_audit_rows(app, kActor, "role.add", email) == 1u);
    BOOST_TEST(count_audit_rows(app, kActor, "role.remove", email) == 1u);

    const auto nobody = "nobody-" + unique_suffix() + "@example.com";
    const auto no_role = "T_none_" + unique_suffix();
    expect_failure(mfo_roles({"add", nobody, role}), 1, "mfo-roles: error: User not found.");
    expect_failure(mfo_roles({"add", email, no_role}), 1, "mfo-roles: error: Cannot find role.");
    expect_failure(mfo_roles({"remove", nobody, role}), 1, "mfo-roles: error: User not found.");
    expect_failure(mfo_roles({"remove", email, no_role}), 1, "mfo-roles: error: Cannot find role.");
    expect_failure(mfo_roles({"add", email}), 2, "mfo-roles: error: missing argument ROLE");
}

BOOST_AUTO_TEST_CASE(list_shows_permissions_and_members) {
    const auto role = make_role("listed", {"b", "a"});
    const auto id = make_user("listed");
    add_role_to_user(app, id, role);
    const auto r = mfo_roles({"list"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out.rfind("NAME", 0) == 0u, r.out);
    const auto at = r.out.find(role);
    BOOST_REQUIRE(at != std::string::npos);
    const auto line = r.out.substr(at, r.out.find('\n', at) - at);
    BOOST_TEST(contains(line, "test role listed"), line);
    BOOST_TEST(contains(line, "a,b"), line);
    BOOST_TEST(line.back() == '1', line);
}

BOOST_AUTO_TEST_CASE(add_and_remove_permissions) {
    const auto role = make_role("perm", {"read"});
    auto r = mfo_roles({"add-permissions", role, "write,deploy", "audit"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out ==
               "Permissions of role \"" + role + "\" changed: read -> audit,deploy,read,write.\n");
    r = mfo_roles({"add_permissions", role, "read"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "already has these permissions"), r.out);
    r = mfo_roles({"remove-permissions", role, "deploy", "read"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Permissions of role \"" + role +
                            "\" changed: audit,deploy,read,write -> audit,write.\n");
    BOOST_TEST((find_role(app, role)->permissions == std::vector<std::string>{"audit", "write"}));
    BOOST_TEST(count_audit_rows(app, kActor, "role.permissions_add", role) == 1u);

    expect_failure(mfo_roles({"add-permissions", "T_none_" + unique_suffix(), "x"}), 1,
                   "mfo-roles: error: Cannot find role.");
    expect_failure(mfo_roles({"add-permissions", role}), 2,
                   "mfo-roles: error: missing argument PERMISSION...");
    expect_failure(mfo_roles({"add-permissions", role, "bad perm"}), 1,
                   "mfo-roles: error: invalid permission name");
}

BOOST_AUTO_TEST_CASE(help_for_every_command) {
    ToolRun run;
    run.with_config = false;
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--help"},
                                               {"create", "--help"},
                                               {"add", "--help"},
                                               {"remove", "--help"},
                                               {"list", "--help"},
                                               {"add-permissions", "--help"},
                                               {"remove-permissions", "-h"}}) {
        run.args = args;
        const auto r = run_tool("mfo-roles", run);
        BOOST_TEST(r.status == 0, args[0] << ": " << r.err);
        BOOST_TEST(r.out.rfind("usage: mfo-roles", 0) == 0u, r.out);
        BOOST_TEST(r.err.empty(), r.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()
