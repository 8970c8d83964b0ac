// mfo as the login and role gate of other applications on the same front
// server (README "Protecting other applications"): a static folder (/files,
// Admin only) and an upstream app (tests/protect/echo-upstream at
// /backoffice: any logged-in user; /backoffice/admin: Admin;
// /backoffice/public: anyone), protected by conf/nginx/mfo-protect.conf
// (auth_request) or conf/apache/mfo-protect.conf (mod_authnz_fcgi, FastCGI
// AUTHORIZER role); scripts/test adds the rules to its access.conf. Runs
// through nginx (integration_tests) and Apache (integration_apache).

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "crypto.hpp"
#include "database.hpp"
#include "fcgi_client.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

bool through_apache() {
    const char* front = std::getenv("MFO_TEST_FRONT");
    return front && std::string(front) == "apache";
}

std::string percent_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

// The Location of a redirect as a path (Apache may make it absolute).
std::string location_path(const HttpResponse& r, const std::string& base) {
    std::string loc = r.header("location");
    if (loc.rfind(base, 0) == 0) loc = loc.substr(base.size());
    const auto scheme = loc.find("://");
    if (scheme != std::string::npos) loc = loc.substr(loc.find('/', scheme + 3));
    return loc;
}

// The `next` target of a redirect to the login page, or "" for another answer.
std::string login_next(const HttpResponse& r, const std::string& base) {
    if (r.status != 302) return "";
    const std::string loc = location_path(r, base);
    const std::string prefix = "/login?next=";
    if (loc.rfind(prefix, 0) != 0) return "";
    return percent_decode(loc.substr(prefix.size()));
}

// The headers the upstream received: lower-case name -> every value.
std::multimap<std::string, std::string> upstream_headers(const HttpResponse& r) {
    std::multimap<std::string, std::string> out;
    const auto echo = nlohmann::json::parse(r.body);
    for (const auto& h : echo.at("headers")) {
        out.emplace(lowered(h.at(0).get<std::string>()), h.at(1).get<std::string>());
    }
    return out;
}

// Every header the upstream got whose name starts with x-mfo (any spelling).
std::vector<std::string> mfo_headers(const HttpResponse& r) {
    std::vector<std::string> out;
    for (const auto& [name, value] : upstream_headers(r)) {
        if (name.rfind("x-mfo", 0) == 0) out.push_back(name + ": " + value);
    }
    return out;
}

std::string only_value(const HttpResponse& r, const std::string& name) {
    const auto headers = upstream_headers(r);
    if (const auto n = headers.count(name); n != 1) {
        std::string what = "<";  // not "<" + temporary: GCC 12 -Wrestrict
        what += std::to_string(n);
        return what + " values>";
    }
    return headers.find(name)->second;
}

TestAccount admin_account() {
    return {require_env("MFO_ADMIN_EMAIL"), require_env("MFO_ADMIN_PASSWORD")};
}

const std::string kForbiddenText = "Sorry, you must be a Admin to access this page";

// Statement counters of the database, for the authorizer's cost, in one
// query (itself one prepared-statement execution, not a SELECT).
std::map<std::string, long long> db_counters(mfo::Database& db) {
    std::map<std::string, long long> out;
    auto& st = db.prepare(
        "SHOW GLOBAL STATUS WHERE Variable_name IN "
        "('Com_stmt_execute', 'Com_select', 'Com_insert', 'Com_update', 'Com_delete')");
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    while (rs->next()) out[rs->getString(1)] = std::stoll(rs->getString(2));
    return out;
}

mfo::Database app_db() {
    return mfo::Database(mfo::load_config(require_env("MFO_TEST_CONFIG")).database,
                         mfo::DbAccount::app);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(protect)

BOOST_AUTO_TEST_CASE(anonymous_goes_to_login_and_back_to_the_original_url) {
    const std::string base = shared_base_url();
    HttpClient browser(base);
    const std::string original = "/backoffice/reports/2026?year=2026&sort=name";
    const HttpResponse first = browser.get(original);
    BOOST_TEST_REQUIRE(login_next(first, base) == original,
                       first.status << " Location: " << first.header("location"));
    BOOST_TEST(!has(first.body, "echo"), "the upstream answered an anonymous request");

    const TestAccount user = create_account("protect-next");
    const HttpResponse in = login(browser, user.email, user.password, {{"next", original}});
    BOOST_TEST_REQUIRE(in.status == 302);
    BOOST_TEST(location_path(in, base) == original);

    const HttpResponse back = browser.get(original);
    BOOST_TEST_REQUIRE(back.status == 200, back.status << " " << back.body.substr(0, 300));
    const auto echo = nlohmann::json::parse(back.body);
    BOOST_TEST(echo.at("path").get<std::string>() == original);
    BOOST_TEST(only_value(back, "x-mfo-email") == user.email);
}

BOOST_AUTO_TEST_CASE(static_folder_is_admin_only) {
    const std::string base = shared_base_url();
    HttpClient anonymous(base);
    BOOST_TEST(login_next(anonymous.get("/files/lineup.txt"), base) == "/files/lineup.txt");

    const TestAccount user = create_account("protect-files");
    HttpClient as_user(base);
    login_ok(as_user, user.email, user.password);
    const HttpResponse denied = as_user.get("/files/lineup.txt");
    BOOST_TEST(denied.status == 403);
    BOOST_TEST(has(denied.body, kForbiddenText), denied.body.substr(0, 500));
    BOOST_TEST(!has(denied.body, "Festival line-up"));
    BOOST_TEST(as_user.get("/files/reports/budget.txt").status == 403);

    HttpClient as_admin(base);
    const TestAccount admin = admin_account();
    login_ok(as_admin, admin.email, admin.password);
    const HttpResponse file = as_admin.get("/files/lineup.txt");
    BOOST_TEST(file.status == 200);
    BOOST_TEST(file.body == "Festival line-up (protected)\n");
    BOOST_TEST(has(file.header("cache-control"), "private"), file.header("cache-control"));
    BOOST_TEST(as_admin.get("/files/reports/budget.txt").body == "Budget (protected)\n");
    // Dot-files and listings stay hidden even for an Admin.
    BOOST_TEST(as_admin.get("/files/.hidden").status == 404);
    BOOST_TEST(as_admin.get("/files/reports/").status != 200);
    // Granting the role takes effect once the workers read the revocation feed.
    grant_role(user.email, "Admin");
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(as_user.get("/files/lineup.txt").status == 200);
    remove_role(user.email, "Admin");
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(as_user.get("/files/lineup.txt").status == 403);
}

BOOST_AUTO_TEST_CASE(upstream_gets_the_identity_by_role) {
    const std::string base = shared_base_url();
    const TestAccount user = create_account("protect-roles");
    HttpClient as_user(base);
    login_ok(as_user, user.email, user.password);
    const HttpResponse page = as_user.get("/backoffice/orders");
    BOOST_TEST_REQUIRE(page.status == 200, page.status << " " << page.body.substr(0, 300));
    BOOST_TEST(only_value(page, "x-mfo-email") == user.email);
    BOOST_TEST(only_value(page, "x-mfo-roles") == "User");
    const std::string id = only_value(page, "x-mfo-user-id");
    BOOST_TEST((!id.empty() && id.find_first_not_of("0123456789") == std::string::npos), id);

    const HttpResponse admin_area = as_user.get("/backoffice/admin/settings");
    BOOST_TEST(admin_area.status == 403);
    BOOST_TEST(has(admin_area.body, kForbiddenText), admin_area.body.substr(0, 500));

    HttpClient as_admin(base);
    const TestAccount admin = admin_account();
    login_ok(as_admin, admin.email, admin.password);
    const HttpResponse settings = as_admin.get("/backoffice/admin/settings");
    BOOST_TEST_REQUIRE(settings.status == 200);
    BOOST_TEST(only_value(settings, "x-mfo-email") == admin.email);
    BOOST_TEST(has(only_value(settings, "x-mfo-roles"), "Admin"));
    // POST goes through the same rules; the body reaches the upstream.
    const HttpResponse post = as_user.post_form("/backoffice/orders", {{"item", "tent"}});
    BOOST_TEST(post.status == 200);
    BOOST_TEST(nlohmann::json::parse(post.body).at("method").get<std::string>() == "POST");
}

BOOST_AUTO_TEST_CASE(forged_identity_headers_never_reach_the_upstream) {
    const std::string base = shared_base_url();
    const Headers forged = {{"X-Mfo-Email", "admin@testmail.com"},
                            {"X-Mfo-User-Id", "1"},
                            {"X-Mfo-Roles", "Admin"},
                            {"X-Mfo_Email", "admin@testmail.com"},
                            {"X-Mfo_Roles", "Admin"},
                            {"x-mfo-roles", "Admin,Owner"}};
    // Anonymous on a public path: no identity at all.
    HttpClient anonymous(base);
    const HttpResponse pub = anonymous.get("/backoffice/public", forged);
    BOOST_TEST_REQUIRE(pub.status == 200, pub.status << " " << pub.body.substr(0, 300));
    const auto leaked = mfo_headers(pub);
    BOOST_TEST(leaked.empty(), "leaked: " << (leaked.empty() ? "" : leaked.front()));
    // Anonymous on a protected path: still the login redirect.
    BOOST_TEST(!login_next(anonymous.get("/backoffice/orders", forged), base).empty());
    BOOST_TEST(!login_next(anonymous.get("/files/lineup.txt", forged), base).empty());

    // Logged in: exactly mfo's values, once each.
    const TestAccount user = create_account("protect-forged");
    HttpClient as_user(base);
    login_ok(as_user, user.email, user.password);
    const HttpResponse page = as_user.get("/backoffice/orders", forged);
    BOOST_TEST_REQUIRE(page.status == 200);
    BOOST_TEST(only_value(page, "x-mfo-email") == user.email);
    BOOST_TEST(only_value(page, "x-mfo-roles") == "User");
    BOOST_TEST(mfo_headers(page).size() == 3u);
    BOOST_TEST(as_user.get("/backoffice/admin/settings", forged).status == 403);
    BOOST_TEST(as_user.get("/files/lineup.txt", forged).status == 403);
}

BOOST_AUTO_TEST_CASE(logout_and_revoked_sessions_end_access_on_the_next_request) {
    const std::string base = shared_base_url();
    const TestAccount user = create_account("protect-logout");
    HttpClient browser(base);
    login_ok(browser, user.email, user.password);
    BOOST_TEST_REQUIRE(browser.get("/backoffice/orders").status == 200);
    const std::string token = browser.cookies().at(kSessionCookie);
    const HttpResponse out = browser.post_form("/logout", {{"csrf_token", page_token(browser)}});
    BOOST_TEST_REQUIRE(out.status == 302);
    BOOST_TEST(!login_next(browser.get("/backoffice/orders"), base).empty());
    // A copy of the old cookie is dead too.
    HttpClient replay = replay_client(base, token);
    BOOST_TEST(!login_next(replay.get("/backoffice/orders"), base).empty());

    HttpClient again(base);
    login_ok(again, user.email, user.password);
    BOOST_TEST_REQUIRE(again.get("/backoffice/orders").status == 200);
    revoke_account_sessions(user.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(!login_next(again.get("/backoffice/orders"), base).empty());

    HttpClient deactivated(base);
    login_ok(deactivated, user.email, user.password);
    BOOST_TEST_REQUIRE(deactivated.get("/backoffice/orders").status == 200);
    deactivate_account(user.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(!login_next(deactivated.get("/backoffice/orders"), base).empty());
}

BOOST_AUTO_TEST_CASE(api_clients_get_401_json_and_mfo_pages_are_unchanged) {
    const std::string base = shared_base_url();
    HttpClient anonymous(base);
    const HttpResponse api = anonymous.get("/backoffice/orders", {{"Accept", "application/json"}});
    BOOST_TEST(api.status == 401);
    BOOST_TEST(has(api.body, "You are not authenticated"), api.body.substr(0, 300));
    // mfo's own pages do not change: a protected prefix is not a route.
    BOOST_TEST(anonymous.get("/login").status == 200);
    BOOST_TEST(login_next(anonymous.get("/"), base) == "/");
}

BOOST_AUTO_TEST_SUITE_END()

// Past the front server, straight to the pool's socket: the FastCGI role
// decides, never a param a page request could carry (nginx only: this is
// about the pool, not the front server).
BOOST_AUTO_TEST_SUITE(authorizer_roles)

BOOST_AUTO_TEST_CASE(each_role_is_answered_only_as_itself) {
    if (through_apache()) return;
    const std::string socket = require_env("MFO_TEST_FCGI_SOCKET");
    // AUTHORIZER for the public login page: allowed, an empty 200 (a
    // responder would have sent the login form).
    const FcgiReply authz =
        fcgi_request(socket, fcgi_params("GET", "/login"), "", std::chrono::seconds(10), 2);
    BOOST_TEST(authz.status == 200);
    BOOST_TEST(authz.body.empty(), authz.body.substr(0, 200));
    BOOST_TEST(authz.header("variable-mfo_email").empty());  // anonymous: no identity
    // AUTHORIZER for a protected path, anonymous: the login redirect.
    const FcgiReply authz_denied =
        fcgi_request(socket, fcgi_params("GET", "/files/a.txt"), "", std::chrono::seconds(10), 2);
    BOOST_TEST(authz_denied.status == 302);
    BOOST_TEST(authz_denied.header("location") == "/login?next=%2Ffiles%2Fa.txt");
    // AUTHORIZER with MFO_AUTHORIZE: refused, not answered as nginx's check.
    const FcgiReply mixed =
        fcgi_request(socket, fcgi_params("GET", "/login", {{"MFO_AUTHORIZE", "check"}}), "",
                     std::chrono::seconds(10), 2);
    BOOST_TEST(mixed.status == 400);

    // RESPONDER for the same paths: the pages (login form; no such page).
    const FcgiReply page = fcgi_request(socket, fcgi_params("GET", "/login"));
    BOOST_TEST(page.status == 200);
    BOOST_TEST(has(page.body, "<form"));
    BOOST_TEST(fcgi_request(socket, fcgi_params("GET", "/files/a.txt")).status == 404);

    // RESPONDER with nginx's MFO_AUTHORIZE=check: status only, no body.
    const FcgiReply check =
        fcgi_request(socket, fcgi_params("GET", "/login", {{"MFO_AUTHORIZE", "check"}}));
    BOOST_TEST(check.status == 204);
    BOOST_TEST(check.body.empty());
    const FcgiReply check_denied =
        fcgi_request(socket, fcgi_params("GET", "/files/a.txt", {{"MFO_AUTHORIZE", "check"}}));
    BOOST_TEST(check_denied.status == 401);
    BOOST_TEST(check_denied.header("location").empty());
    // A path the checks cannot read is denied, never a 4xx nginx would turn into 500.
    BOOST_TEST(fcgi_request(socket, fcgi_params("GET", "/files/%00", {{"MFO_AUTHORIZE", "check"}}))
                   .status == 403);
    BOOST_TEST(
        fcgi_request(socket, fcgi_params("GET", "/login", {{"MFO_AUTHORIZE", "yes"}})).status ==
        400);
    // FILTER: not a role mfo plays.
    BOOST_TEST(fcgi_request(socket, fcgi_params("GET", "/login"), "", std::chrono::seconds(10), 3)
                   .status == 400);
    // An authorizer never reads the original request's body.
    const FcgiReply with_body =
        fcgi_request(socket, fcgi_params("POST", "/login",
                                         {{"CONTENT_LENGTH", "999999"},
                                          {"CONTENT_TYPE", "application/x-www-form-urlencoded"},
                                          {"MFO_AUTHORIZE", "check"}}));
    BOOST_TEST(with_body.status == 204);
}

BOOST_AUTO_TEST_CASE(one_select_and_no_write_per_authorizer_call) {
    if (through_apache()) return;
    const std::string socket = require_env("MFO_TEST_FCGI_SOCKET");
    const TestAccount user = create_account("protect-cost");
    HttpClient browser(shared_base_url());
    login_ok(browser, user.email, user.password);
    const std::string token = browser.cookies().at(kSessionCookie);
    const FcgiParams params =
        fcgi_params("GET", "/backoffice/orders",
                    {{"HTTP_COOKIE", kSessionCookie + "=" + token}, {"MFO_AUTHORIZE", "check"}});

    mfo::Database db = app_db();
    // A session last written over a minute ago: a page request would write it now.
    auto& age =
        db.prepare("UPDATE sessions SET last_seen_at = NOW() - INTERVAL 90 SECOND WHERE id = ?");
    age.setString(1, mfo::crypto::sha256(token));
    age.executeUpdate();

    const auto before = db_counters(db);
    constexpr int kCalls = 20;
    for (int i = 0; i < kCalls; ++i) {
        const FcgiReply r = fcgi_request(socket, params);
        BOOST_TEST_REQUIRE(r.status == 204);
        BOOST_TEST_REQUIRE(r.header("x-mfo-email") == user.email);
    }
    const auto after = db_counters(db);
    auto delta = [&](const char* name) { return after.at(name) - before.at(name); };
    // At most one statement per check, a SELECT (none when the session
    // cache holds the session; the cache's feed reads count here too).
    BOOST_TEST(delta("Com_select") <= kCalls);
    BOOST_TEST(delta("Com_update") + delta("Com_insert") + delta("Com_delete") == 0);

    // last_seen_at was left alone; an mfo page (the control) writes it.
    auto& seen =
        db.prepare("SELECT TIMESTAMPDIFF(SECOND, last_seen_at, NOW()) FROM sessions WHERE id = ?");
    seen.setString(1, mfo::crypto::sha256(token));
    auto idle_for = [&] {
        std::unique_ptr<sql::ResultSet> rs(seen.executeQuery());
        return rs->next() ? rs->getInt64(1) : -1;
    };
    BOOST_TEST(idle_for() >= 89);
    BOOST_TEST(browser.get("/").status == 200);
    BOOST_TEST(idle_for() < 5);
}

BOOST_AUTO_TEST_SUITE_END()
