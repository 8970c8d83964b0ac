// mfo-roles remove-permissions keeps the permissions the admin console needs
// (conf/access.conf: `database` under /admin/roles) on an active Admin.

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "app_data_fixture.hpp"
#include "console_admins.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

BOOST_FIXTURE_TEST_SUITE(console_admins_tool, AppData)

BOOST_AUTO_TEST_CASE(remove_permissions_cannot_close_the_console) {
    // At least one console administrator exists, with the permission via Admin.
    const auto id = make_user("console-admin");
    add_role_to_user(app, id, "Admin");
    BOOST_TEST_REQUIRE(count_console_admins(app, {"database"}) >= 1u);
    const auto before = find_role(app, "Admin")->permissions;
    BOOST_TEST_REQUIRE(std::count(before.begin(), before.end(), "database") == 1);

    const CommandResult r = run_tool("mfo-roles", {"remove-permissions", "Admin", "database"});
    // Should the guard fail, put the permission back for the other tests.
    if (r.status == 0) run_tool("mfo-roles", {"add-permissions", "Admin", "database"});
    expect_failure(r, 1,
                   "mfo-roles: error: This would leave no active Admin with the permission "
                   "database the admin console needs: give them to another active Admin first.");
    BOOST_TEST((find_role(app, "Admin")->permissions == before));

    // Other permissions of the role may go.
    BOOST_TEST_REQUIRE(run_tool("mfo-roles", {"add-permissions", "Admin", "extra_perm"}).status ==
                       0);
    const CommandResult ok = run_tool("mfo-roles", {"remove-permissions", "Admin", "extra_perm"});
    BOOST_TEST(ok.status == 0, ok.err);
    BOOST_TEST((find_role(app, "Admin")->permissions == before));
}

BOOST_AUTO_TEST_SUITE_END()
