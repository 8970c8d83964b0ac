// mfo-roles routes: the audit of conf/access.conf, with and without a user.

#include <boost/test/unit_test.hpp>

#include "app_data_fixture.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

// The table line of the rule for `pattern` ("exact  /", "prefix /admin").
std::string line_of(const std::string& out, const std::string& pattern) {
    std::size_t start = 0;
    while (start < out.size()) {
        auto end = out.find('\n', start);
        if (end == std::string::npos) end = out.size();
        const std::string line = out.substr(start, end - start);
        if (line.rfind(pattern + " ", 0) == 0) return line;
        start = end + 1;
    }
    return "";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(routes_tool, AppData)

BOOST_AUTO_TEST_CASE(lists_every_rule_with_the_roles_that_pass) {
    const auto r = run_tool("mfo-roles", {"routes"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(line_of(r.out, "prefix /admin"), "roles_required=Admin"), r.out);
    BOOST_TEST(contains(line_of(r.out, "prefix /admin"), " Admin "), r.out);
    BOOST_TEST(contains(line_of(r.out, "exact  /login"), "anyone"), r.out);
    BOOST_TEST(contains(line_of(r.out, "exact  /  "), "any logged-in user"), r.out);
    BOOST_TEST(contains(r.out, "Paths that no rule matches are denied."));
}

BOOST_AUTO_TEST_CASE(per_user_verdicts_follow_the_database_roles) {
    const auto id = make_user("routes");
    const std::string email = emails.back();
    auto r = run_tool("mfo-roles", {"routes", "--user", email});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(line_of(r.out, "prefix /admin"), "denied"), r.out);
    BOOST_TEST(contains(line_of(r.out, "exact  /  "), "allowed"), r.out);

    BOOST_REQUIRE(add_role_to_user(app, id, "Admin"));
    r = run_tool("mfo-roles", {"routes", "--user", email});
    BOOST_TEST(contains(line_of(r.out, "prefix /admin"), "allowed"), r.out);
}

// Rules for other applications' paths (scripts/test's access.conf protects
// /files and /backoffice through the authorizer) are audited like mfo's own.
BOOST_AUTO_TEST_CASE(other_applications_paths_are_listed_too) {
    auto r = run_tool("mfo-roles", {"routes"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(line_of(r.out, "prefix /files"), "roles_required=Admin"), r.out);
    BOOST_TEST(contains(line_of(r.out, "prefix /backoffice"), "any logged-in user"), r.out);
    const auto id = make_user("routes-apps");
    r = run_tool("mfo-roles", {"routes", "--user", emails.back()});
    BOOST_TEST(contains(line_of(r.out, "prefix /files"), "denied"), r.out);
    BOOST_TEST(contains(line_of(r.out, "prefix /backoffice"), "allowed"), r.out);
    BOOST_REQUIRE(add_role_to_user(app, id, "Admin"));
    r = run_tool("mfo-roles", {"routes", "--user", emails.back()});
    BOOST_TEST(contains(line_of(r.out, "prefix /files"), "allowed"), r.out);
}

BOOST_AUTO_TEST_CASE(unknown_user_is_one_line) {
    expect_failure(run_tool("mfo-roles", {"routes", "--user", "nobody-routes@example.com"}), 1,
                   "mfo-roles: error: User not found.");
}

BOOST_AUTO_TEST_SUITE_END()
