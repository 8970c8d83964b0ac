// The admin console through nginx and the real pool: each action and its
// effect on the target's next requests (once the workers read the
// revocation feed), CSRF, the User's 403 on every console
// route, escaping, and the bounds of search and paging.

#include <boost/test/unit_test.hpp>

#include <regex>

#include "accounts.hpp"
#include "database.hpp"
#include "config.hpp"
#include "http_client.hpp"
#include "session_feed_wait.hpp"
#include "user_store.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

std::string base_url() { return require_env("MFO_TEST_BASE_URL"); }

bool has(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// A logged-in client and the CSRF token of its session (from the nav's form).
struct Session {
    HttpClient client{base_url()};
    std::string csrf;
    std::string email;

    explicit Session(const TestAccount& account) : email(account.email) {
        login_ok(client, account.email, account.password);
        csrf = input_value(client.get("/").body, "csrf_token");
        BOOST_REQUIRE(!csrf.empty());
    }
    HttpResponse post(const std::string& path, Fields fields) {
        fields.emplace_back("csrf_token", csrf);
        return client.post_form(path, fields);
    }
    bool logged_in() { return client.get("/").status == 200; }
};

std::uint64_t user_id(const std::string& email) {
    Database db(load_config(require_env("MFO_TEST_CONFIG")).database, DbAccount::app);
    std::uint64_t id = 0;
    db.read([&](Database& d) { id = find_user_by_email(d, email)->id; });
    return id;
}

std::string user_path(const std::string& email) { return "/admin/users/" + std::to_string(user_id(email)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_console)

BOOST_AUTO_TEST_CASE(overview_lists_counts_roles_and_recent_events) {
    Session admin(create_account("console-ov", {"Admin"}));
    const auto page = admin.client.get("/admin");
    BOOST_TEST(page.status == 200);
    for (const char* text : {"<h1>Admin</h1>", "active users", "live sessions", "Administrators",
                             "Normal users", "Latest security events", "login", "UTC (refreshed every"}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(has(page.body, text));
    }
    // The figures may be up to 10 s old (one snapshot per worker), so the
    // admin's own login is checked on the user page (read fresh), not here.
    BOOST_TEST(page.header("cache-control") == "no-store");
}

BOOST_AUTO_TEST_CASE(a_user_gets_403_on_every_console_route) {
    Session user(create_account("console-user", {"User"}));
    const std::string self = user_path(user.email);
    for (const std::string& path :
         std::vector<std::string>{"/admin", "/admin/users", "/admin/users?q=a", self, "/admin/roles"}) {
        BOOST_TEST_INFO(path);
        BOOST_TEST(user.client.get(path).status == 403);
    }
    const std::vector<std::pair<std::string, Fields>> posts = {
        {self + "/activate", {}},
        {self + "/deactivate", {}},
        {self + "/sessions/end", {}},
        {"/admin/roles", {{"name", "Sneaky"}}},
        {"/admin/roles/User/edit", {{"description", "x"}, {"permissions", "read"}}},
        {"/admin/roles/grant", {{"user_id", std::to_string(user_id(user.email))}, {"role", "Admin"}}},
        {"/admin/roles/revoke", {{"user_id", std::to_string(user_id(user.email))}, {"role", "User"}}},
    };
    for (const auto& [path, fields] : posts) {
        BOOST_TEST_INFO(path);
        BOOST_TEST(user.post(path, fields).status == 403);
    }
    BOOST_TEST(user.client.get("/admin").status == 403);  // still no Admin role
    BOOST_TEST(user.logged_in());                          // and nothing else changed
}

BOOST_AUTO_TEST_CASE(deactivate_and_activate_apply_on_the_next_request) {
    Session admin(create_account("console-adm", {"Admin"}));
    const auto target_account = create_account("console-target", {"User"});
    Session target(target_account);
    const std::string path = user_path(target.email);

    auto r = admin.post(path + "/deactivate", {});
    BOOST_TEST(r.status == 303);
    BOOST_TEST(r.header("location") == path);
    BOOST_REQUIRE(wait_for_session_feed(base_url()));
    BOOST_TEST(!target.logged_in());
    BOOST_TEST(has(admin.client.get(path).body, "inactive"));
    BOOST_TEST(login(target.client, target_account.email, target_account.password).status == 200);

    BOOST_TEST(admin.post(path + "/activate", {}).status == 303);
    HttpClient again(base_url());
    BOOST_TEST(login(again, target_account.email, target_account.password).status == 302);
}

BOOST_AUTO_TEST_CASE(granting_and_removing_roles_apply_on_the_next_request) {
    Session admin(create_account("console-grant", {"Admin"}));
    Session target(create_account("console-grantee", {"User"}));
    const std::string id = std::to_string(user_id(target.email));
    BOOST_TEST(target.client.get("/admin").status == 403);

    BOOST_TEST(admin.post("/admin/roles/grant", {{"user_id", id}, {"role", "Admin"}}).status == 303);
    BOOST_REQUIRE(wait_for_session_feed(base_url()));
    BOOST_TEST(target.client.get("/admin").status == 200);
    BOOST_TEST(admin.post("/admin/roles/grant", {{"user_id", id}, {"role", "Admin"}}).status == 409);

    BOOST_TEST(admin.post("/admin/roles/revoke", {{"user_id", id}, {"role", "Admin"}}).status == 303);
    BOOST_REQUIRE(wait_for_session_feed(base_url()));
    BOOST_TEST(target.client.get("/admin").status == 403);
    BOOST_TEST(admin.post("/admin/roles/grant", {{"user_id", id}, {"role", "NoSuchRole"}}).status == 404);
    BOOST_TEST(admin.post("/admin/roles/grant", {{"user_id", "999999999"}, {"role", "User"}}).status == 404);
    BOOST_TEST(admin.post("/admin/roles/grant", {{"user_id", "abc"}, {"role", "User"}}).status == 404);
    BOOST_TEST(admin.post("/admin/roles/grant", {{"role", "User"}}).status == 404);
}

BOOST_AUTO_TEST_CASE(ending_sessions_logs_the_user_out_everywhere) {
    Session admin(create_account("console-end", {"Admin"}));
    const auto account = create_account("console-ended", {"User"});
    Session first(account);
    Session second(account);
    const std::string path = user_path(account.email);
    const auto page = admin.client.get(path);
    BOOST_TEST(has(page.body, "browser session"));
    BOOST_TEST(!has(page.body, first.client.cookies()["mfo_session"]));  // never the token
    BOOST_TEST(admin.post(path + "/sessions/end", {}).status == 303);
    BOOST_REQUIRE(wait_for_session_feed(base_url()));
    BOOST_TEST(!first.logged_in());
    BOOST_TEST(!second.logged_in());
    BOOST_TEST(has(admin.client.get(path).body, "No active sessions."));
}

BOOST_AUTO_TEST_CASE(an_admin_cannot_deactivate_themselves) {
    Session admin(create_account("console-self", {"Admin"}));
    const auto r = admin.post(user_path(admin.email) + "/deactivate", {});
    BOOST_TEST(r.status == 409);
    BOOST_TEST(has(r.body, "You cannot deactivate your own account."));
    BOOST_TEST(admin.logged_in());
}

BOOST_AUTO_TEST_CASE(changes_without_a_valid_csrf_token_are_refused) {
    Session admin(create_account("console-csrf", {"Admin"}));
    Session target(create_account("console-csrf-t", {"User"}));
    const std::string path = user_path(target.email) + "/deactivate";
    auto r = admin.client.post_form(path, {});
    BOOST_TEST(r.status == 400);
    BOOST_TEST(has(r.body, "The CSRF token is missing."));
    r = admin.client.post_form(path, {{"csrf_token", "forged"}});
    BOOST_TEST(r.status == 400);
    // Another session's token is no good either.
    r = admin.client.post_form(path, {{"csrf_token", target.csrf}});
    BOOST_TEST(r.status == 400);
    // A valid token, but the browser says the request comes from another site.
    r = admin.client.post_form(path, {{"csrf_token", admin.csrf}}, {{"Sec-Fetch-Site", "cross-site"}});
    BOOST_TEST(r.status == 403);
    BOOST_TEST(target.logged_in());  // nothing was changed by the refused requests
    BOOST_TEST(admin.post(path, {}).status == 303);
    BOOST_REQUIRE(wait_for_session_feed(base_url()));
    BOOST_TEST(!target.logged_in());
}

BOOST_AUTO_TEST_CASE(roles_can_be_created_and_edited) {
    Session admin(create_account("console-roles", {"Admin"}));
    const std::string name = "T_console_" + fresh_email("r").substr(4, 8);
    auto r = admin.post("/admin/roles", {{"name", name}, {"description", "Testers"}, {"permissions", "read, test"}});
    BOOST_TEST(r.status == 303);
    auto page = admin.client.get("/admin/roles");
    BOOST_TEST(has(page.body, name));
    BOOST_TEST(has(page.body, "read,test"));
    r = admin.post("/admin/roles/" + name + "/edit", {{"description", "Quality"}, {"permissions", "read"}});
    BOOST_TEST(r.status == 303);
    page = admin.client.get("/admin/roles");
    BOOST_TEST(has(page.body, "value=\"Quality\""));
    BOOST_TEST(admin.post("/admin/roles", {{"name", name}}).status == 409);
    BOOST_TEST(admin.post("/admin/roles", {{"name", "bad name!"}}).status == 400);
    BOOST_TEST(admin.post("/admin/roles", {{"name", ""}}).status == 400);
    BOOST_TEST(admin.post("/admin/roles/NoSuchRole_x/edit", {{"description", "x"}}).status == 404);
    run_admin_tool("mfo-roles", {"remove-permissions", name, "read"});
}

BOOST_AUTO_TEST_CASE(hostile_emails_are_shown_escaped) {
    Session admin(create_account("console-xss", {"Admin"}));
    // Stored data the console did not validate itself (e.g. an old import).
    const std::string hostile = "<script>alert(1)</script>" + fresh_email("xss");
    Database db(load_config(require_env("MFO_TEST_CONFIG")).database, DbAccount::app);
    db.write([&](Database& d) { create_user(d, hostile, "$argon2id$x", true); });
    const auto list = admin.client.get("/admin/users?q=" + url_encode("<script>"));
    BOOST_TEST(list.status == 200);
    BOOST_TEST(!has(list.body, "<script>alert(1)"));
    BOOST_TEST(has(list.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    const auto detail = admin.client.get(user_path(hostile));
    BOOST_TEST(!has(detail.body, "<script>alert(1)"));
}

// The href of the page's rel="next" / rel="prev" link, unescaped.
std::string link(const std::string& body, const std::string& rel) {
    std::smatch m;
    const std::regex re("rel=\"" + rel + "\" href=\"([^\"]*)\"");
    if (!std::regex_search(body, m, re)) return "";
    return std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
}

BOOST_AUTO_TEST_CASE(search_by_prefix_and_keyset_paging) {
    Session admin(create_account("console-page", {"Admin"}));
    const std::string tag = "pg" + fresh_email("x").substr(4, 10);
    const std::string prefix = "t-" + tag;
    for (int i = 0; i < 23; ++i) create_account(tag, {});
    auto page = admin.client.get("/admin/users?q=" + prefix);
    BOOST_TEST(page.status == 200);
    BOOST_TEST(has(page.body, "23 users whose email starts with &quot;" + prefix + "&quot;"));
    BOOST_TEST(has(page.body, "start with the text"));  // the form says it is a prefix search
    const std::string next = link(page.body, "next");
    BOOST_TEST(next.find("after=") != std::string::npos);
    BOOST_TEST(link(page.body, "prev").empty());

    page = admin.client.get(next);
    BOOST_TEST(page.status == 200);
    const auto rows = [&](const std::string& body) {
        std::size_t n = 0;
        for (auto at = body.find("\">" + prefix); at != std::string::npos;
             at = body.find("\">" + prefix, at + 1)) {
            ++n;
        }
        return n;
    };
    BOOST_TEST(rows(page.body) == 3u);  // 23 = 20 + 3
    BOOST_TEST(link(page.body, "next").empty());
    const std::string prev = link(page.body, "prev");
    BOOST_TEST(prev.find("before=") != std::string::npos);
    page = admin.client.get(prev);
    BOOST_TEST(rows(page.body) == 20u);
    BOOST_TEST(has(page.body, "rel=\"next\""));
    BOOST_TEST(link(page.body, "prev").empty());

    // A substring in the middle finds nothing; the whole list counts everyone.
    BOOST_TEST(has(admin.client.get("/admin/users?q=" + tag).body, "No users match."));
    BOOST_TEST(has(admin.client.get("/admin/users").body, " users, by email"));
    BOOST_TEST(has(admin.client.get("/admin/users?after=zzzz").body, "No users match."));
    BOOST_TEST(admin.client.get("/admin/users?page=500").status == 200);  // old links: page 1

    BOOST_TEST(admin.client.get("/admin/users?q=" + std::string(300, 'a')).status == 400);
    BOOST_TEST(admin.client.get("/admin/users?after=" + std::string(300, 'a')).status == 400);
    BOOST_TEST(admin.client.get("/admin/users?after=a&before=b").status == 400);
    BOOST_TEST(admin.client.get("/admin/users?q=%25").status == 200);  // '%' is literal
    BOOST_TEST(has(admin.client.get("/admin/users?q=%25").body, "No users match."));
    BOOST_TEST(admin.client.get("/admin/users/0").status == 404);
    BOOST_TEST(admin.client.get("/admin/users/abc").status == 404);
    BOOST_TEST(admin.client.get("/admin/users/99999999999").status == 404);
}

BOOST_AUTO_TEST_CASE(a_users_page_lists_its_security_events) {
    Session admin(create_account("console-events", {"Admin"}));
    const auto account = create_account("console-evt", {"User"});
    Session target(account);
    const auto page = admin.client.get(user_path(account.email));
    BOOST_TEST(page.status == 200);
    BOOST_TEST(has(page.body, "Recent security events"));
    BOOST_TEST(has(page.body, "<td>login</td><td>" + account.email + "</td>"));
    // The admin's own page shows what the admin did (the visit above is no event;
    // ending the target's sessions is).
    BOOST_TEST(admin.post(user_path(account.email) + "/sessions/end", {}).status == 303);
    const auto own = admin.client.get(user_path(admin.email));
    BOOST_TEST(has(own.body, "sessions.revoke"));
}

BOOST_AUTO_TEST_SUITE_END()
