// The access rules of conf/access.conf as a client meets them: anonymous ->
// login redirect with a one-time flash (401 JSON for API clients), logged in
// without the role -> 403 page (403 JSON), with the role -> 200.

#include <boost/test/unit_test.hpp>

#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

constexpr const char* kPleaseLogIn = "Please log in to access this page.";
constexpr const char* kForbidden = "Sorry, you must be a Admin to access this page";

const Headers kJson{{"Accept", "application/json"}};

// The first message of a JSON error reply, after checking its envelope.
std::string json_error_of(const HttpResponse& r) {
    BOOST_TEST(has(r.header("content-type"), "application/json"));
    const auto body = nlohmann::json::parse(r.body);
    BOOST_TEST(body["meta"]["code"] == r.status);
    return body["response"]["errors"][0].get<std::string>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_access)

BOOST_AUTO_TEST_CASE(anonymous_pages_redirect_to_login_with_next) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/", "/login?next=%2F"},
        {"/?x=1", "/login?next=%2F%3Fx%3D1"},
        {"/admin", "/login?next=%2Fadmin"},
        {"/admin?tab=a&b=c", "/login?next=%2Fadmin%3Ftab%3Da%26b%3Dc"},
    };
    for (const auto& [path, location] : cases) {
        BOOST_TEST_CONTEXT("GET " << path) {
            HttpClient client(shared_base_url());
            const HttpResponse r = client.get(path);
            BOOST_TEST(r.status == 302);
            BOOST_TEST(r.header("location") == location);
            BOOST_TEST(cookie_in(r, kFlashCookie).has_value());
            BOOST_TEST(!has(r.body, "Home"));
        }
    }
}

BOOST_AUTO_TEST_CASE(the_login_flash_is_shown_exactly_once) {
    HttpClient client(shared_base_url());
    const HttpResponse r = client.get("/");
    BOOST_TEST_REQUIRE(r.status == 302);
    const HttpResponse first = client.get(r.header("location"));
    BOOST_TEST(first.status == 200);
    BOOST_TEST(has(first.body, kPleaseLogIn));
    BOOST_TEST(clears_cookie(first, kFlashCookie));
    BOOST_TEST(input_value(first.body, "next") == "/");

    const HttpResponse second = client.get("/login?next=%2F");
    BOOST_TEST(second.status == 200);
    BOOST_TEST(!has(second.body, kPleaseLogIn));
}

// A forged flash cookie (not signed by the app) shows nothing.
BOOST_AUTO_TEST_CASE(an_unsigned_flash_cookie_is_ignored) {
    HttpClient client(shared_base_url());
    client.set_cookie(kFlashCookie, "W1siZXJyb3IiLCI8c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+Il1d");
    const HttpResponse r = client.get("/login");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(!has(r.body, "<script>alert(1)</script>"));
    BOOST_TEST(!has(r.body, "flash-error"));
}

BOOST_AUTO_TEST_CASE(anonymous_api_clients_get_401_json) {
    for (const std::string path : {"/", "/admin", "/api/me"}) {
        BOOST_TEST_CONTEXT("GET " << path) {
            HttpClient client(shared_base_url());
            const HttpResponse r = client.get(path, kJson);
            BOOST_TEST(r.status == 401);
            BOOST_TEST(json_error_of(r) ==
                       "You are not authenticated. Please supply the correct credentials.");
            BOOST_TEST(!r.has_header("location"));
        }
    }
    // /api/me is an API route: 401 even without Accept: application/json.
    HttpClient client(shared_base_url());
    const HttpResponse r = client.get("/api/me");
    BOOST_TEST(r.status == 401);
    BOOST_TEST(json_error_of(r) == "You are not authenticated. Please supply the correct credentials.");
}

BOOST_AUTO_TEST_CASE(a_user_without_the_role_gets_403) {
    const TestAccount user = create_account("access-user", {"User"});
    HttpClient client(shared_base_url());
    login_ok(client, user.email, user.password);

    const HttpResponse page = client.get("/admin");
    BOOST_TEST(page.status == 403);
    BOOST_TEST(has(page.body, kForbidden));
    BOOST_TEST(has(page.header("content-type"), "text/html"));

    const HttpResponse json = client.get("/admin", kJson);
    BOOST_TEST(json.status == 403);
    BOOST_TEST(json_error_of(json) == "You do not have permission to view this resource.");

    BOOST_TEST(client.get("/").status == 200);
    const auto me = current_user(client);
    BOOST_TEST_REQUIRE(me.has_value());
    BOOST_TEST(me->at("email") == user.email);
    BOOST_TEST(me->at("roles") == nlohmann::json::array({"User"}));
}

BOOST_AUTO_TEST_CASE(a_user_without_any_role_may_use_login_required_pages_only) {
    const TestAccount nobody = create_account("access-none", {});
    HttpClient client(shared_base_url());
    login_ok(client, nobody.email, nobody.password);
    BOOST_TEST(client.get("/").status == 200);
    BOOST_TEST(client.get("/admin").status == 403);
    const auto me = current_user(client);
    BOOST_TEST_REQUIRE(me.has_value());
    BOOST_TEST(me->at("roles") == nlohmann::json::array());
}

BOOST_AUTO_TEST_CASE(an_admin_gets_the_admin_page) {
    const TestAccount admin = create_account("access-admin", {"Admin"});
    HttpClient client(shared_base_url());
    const HttpResponse r = login_ok(client, admin.email, admin.password, {{"next", "/admin"}});
    BOOST_TEST(r.header("location") == "/admin");
    const HttpResponse page = client.get("/admin");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(has(page.body, "<h1>Admin</h1>"));
    BOOST_TEST(has(page.body, admin.email));

    const auto me = current_user(client);
    BOOST_TEST_REQUIRE(me.has_value());
    BOOST_TEST(me->at("roles") == nlohmann::json::array({"Admin"}));
    const auto& permissions = me->at("permissions");
    BOOST_TEST((std::find(permissions.begin(), permissions.end(), "database") != permissions.end()));
}

BOOST_AUTO_TEST_CASE(logged_in_users_skip_the_login_form) {
    const TestAccount user = create_account("access-form");
    HttpClient client(shared_base_url());
    login_ok(client, user.email, user.password);
    const HttpResponse r = client.get("/login");
    BOOST_TEST(r.status == 302);
    BOOST_TEST(r.header("location") == "/");
}

BOOST_AUTO_TEST_SUITE_END()
