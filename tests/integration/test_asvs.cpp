// OWASP ASVS 5.0 level 2, chapters V6 (authentication), V7 (session
// management) and V8 (authorisation), as black-box checks through nginx: one
// test per applicable requirement, named by its id (asvs_6_2_1 is 6.2.1).
// README "Security" has the table of every id: tested here, tested by another
// suite (named there), not applicable (why), or open.

#include <boost/test/unit_test.hpp>
#include <regex>
#include <set>

#include "crypto.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

const std::string kInvalidLogin = "Invalid email or password";

std::string token_of(HttpClient& client) {
    const auto it = client.cookies().find(kSessionCookie);
    return it == client.cookies().end() ? std::string() : it->second;
}

// Who a copied session cookie authenticates ("" for nobody).
std::string replayed_email(const std::string& token) {
    HttpClient c = replay_client(shared_base_url(), token);
    return current_email(c);
}

// GET /register, then POST it with the form's token.
HttpResponse register_account(HttpClient& client, const std::string& email,
                              const std::string& password) {
    const HttpResponse form = client.get("/register");
    const std::string token = input_value(form.body, "csrf_token");
    if (form.status != 200 || token.empty()) throw std::runtime_error("GET /register: no form");
    return client.post_form("/register", {{"email", email},
                                          {"password", password},
                                          {"password_confirm", password},
                                          {"csrf_token", token}});
}

// Registers a fresh address with `password`; true when the account was made
// and logged in (the success redirect), false when the form came back.
bool registers_with(const std::string& password) {
    HttpClient client(shared_base_url());
    const std::string email = fresh_email("asvs-reg");
    const HttpResponse r = register_account(client, email, password);
    if (r.status != 302) return false;
    // And the password works for a later login, exactly as given.
    HttpClient again(shared_base_url());
    return login(again, email, password).status == 302 && current_email(again) == email;
}

// Every <input ...> tag of a page.
std::vector<std::string> input_tags(const std::string& html) {
    static const std::regex tag("<input\\b[^>]*>", std::regex::icase);
    std::vector<std::string> out;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), tag);
         it != std::sregex_iterator(); ++it)
        out.push_back(it->str());
    return out;
}

std::string attr_of(const std::string& tag, const std::string& name) {
    const std::regex re("\\b" + name + "=\"([^\"]*)\"", std::regex::icase);
    std::smatch m;
    return std::regex_search(tag, m, re) ? m[1].str() : std::string();
}

// A logged-in client and its page CSRF token.
struct LoggedIn {
    HttpClient client{shared_base_url()};
    std::string csrf;
    explicit LoggedIn(const TestAccount& account) {
        login_ok(client, account.email, account.password);
        csrf = page_token(client);
    }
    HttpResponse post(const std::string& path, Fields fields) {
        fields.emplace_back("csrf_token", csrf);
        return client.post_form(path, fields);
    }
};

// The console's link to an account ("/admin/users/ID"), found by searching.
std::string console_user_path(HttpClient& admin, const std::string& email) {
    const HttpResponse page = admin.get("/admin/users?q=" + url_encode(email));
    std::smatch m;
    static const std::regex link("/admin/users/([0-9]+)");
    if (page.status != 200 || !std::regex_search(page.body, m, link))
        throw std::runtime_error("no console link for " + email);
    return m[0].str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(asvs)

// ---- V6.2 password security ----------------------------------------------------

BOOST_AUTO_TEST_CASE(asvs_6_2_1_passwords_need_at_least_8_characters) {
    const std::string eight = mfo::crypto::hex(mfo::crypto::random_bytes(4));  // 8 characters
    BOOST_TEST(!registers_with(eight.substr(0, 7)));
    BOOST_TEST(registers_with(eight));
    // Characters, not bytes: 7 two-byte letters are still too short.
    BOOST_TEST(!registers_with("\xC3\xA9\xC3\xA8\xC3\xAA\xC3\xAB\xC3\xA0\xC3\xA2\xC3\xA4"));
}

BOOST_AUTO_TEST_CASE(asvs_6_2_4_common_passwords_are_refused) {
    HttpClient client(shared_base_url());
    for (const std::string password : {"password1", "PASSWORD1", "qwertyuiop", "iloveyou"}) {
        BOOST_TEST_CONTEXT(password) {
            const HttpResponse r = register_account(client, fresh_email("asvs-common"), password);
            BOOST_TEST(r.status == 200);
            BOOST_TEST(has(r.body, "This password is too common"));
        }
    }
}

BOOST_AUTO_TEST_CASE(asvs_6_2_5_passwords_of_any_composition_are_accepted) {
    const std::string salt = mfo::crypto::hex(mfo::crypto::random_bytes(3));
    // Only lower-case letters and spaces, only digits, only symbols, non-ASCII.
    BOOST_TEST(registers_with("plain lower case words " + std::string(salt.size(), 'q')));
    std::string digits = std::to_string(std::stoul(salt, nullptr, 16));
    digits += "31415926";
    BOOST_TEST(registers_with(digits));
    BOOST_TEST(registers_with("!@#$%^&*()_+-=[]{};:,.<>/?~" + std::string(3, '|')));
    BOOST_TEST(
        registers_with("\xD0\xBF\xD0\xB0\xD1\x80\xD0\xBE\xD0\xBB\xD1\x8C \xE6\x97\xA5\xE6"
                       "\x9C\xAC \xF0\x9F\x8E\xB5 " +
                       salt));
}

BOOST_AUTO_TEST_CASE(asvs_6_2_6_password_inputs_are_masked) {
    HttpClient client(shared_base_url());
    for (const std::string page : {"/login", "/register"}) {
        BOOST_TEST_CONTEXT(page) {
            const HttpResponse r = client.get(page);
            BOOST_TEST_REQUIRE(r.status == 200);
            int password_fields = 0;
            for (const auto& tag : input_tags(r.body)) {
                if (attr_of(tag, "name").rfind("password", 0) != 0) continue;
                ++password_fields;
                BOOST_TEST(attr_of(tag, "type") == "password", tag);
            }
            BOOST_TEST(password_fields >= 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(asvs_6_2_7_paste_and_password_managers_are_allowed) {
    HttpClient client(shared_base_url());
    for (const std::string page : {"/login", "/register"}) {
        BOOST_TEST_CONTEXT(page) {
            const std::string body = lowered(client.get(page).body);
            for (const std::string blocker :
                 {"onpaste", "oncopy", "ondrop", "oncut", "autocomplete=\"off\"", "readonly"}) {
                BOOST_TEST(!has(body, blocker), "the page has " << blocker);
            }
            // The hints password managers look for.
            BOOST_TEST((has(body, "autocomplete=\"current-password\"") ||
                        has(body, "autocomplete=\"new-password\"")));
        }
    }
}

BOOST_AUTO_TEST_CASE(asvs_6_2_8_the_password_is_verified_exactly_as_given) {
    const TestAccount account = create_account("asvs-exact");
    std::string upper = account.password;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    // Fewer than the lock-out limit (5), so the right password still works after.
    const std::vector<std::string> near_misses = {
        upper, account.password.substr(0, account.password.size() - 1), account.password + "x",
        " " + account.password};
    for (const auto& guess : near_misses) {
        BOOST_TEST_CONTEXT("\"" << guess << "\"") {
            HttpClient client(shared_base_url());
            const HttpResponse r = login(client, account.email, guess);
            BOOST_TEST(r.status == 200);
            BOOST_TEST(has(r.body, kInvalidLogin));
        }
    }
    HttpClient client(shared_base_url());
    BOOST_TEST(login(client, account.email, account.password).status == 302);
}

BOOST_AUTO_TEST_CASE(asvs_6_2_9_passwords_of_64_characters_and_more_work) {
    const std::string hex = mfo::crypto::hex(mfo::crypto::random_bytes(64));  // 128 characters
    BOOST_TEST(registers_with(hex.substr(0, 64)));
    BOOST_TEST(registers_with(hex));
    // Beyond 128 the form says so (an argon2 cost bound), it does not truncate.
    HttpClient client(shared_base_url());
    const HttpResponse r = register_account(client, fresh_email("asvs-long"), hex + "x");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.body, "at most 128 characters"));
}

// ---- V6.3 general authentication security ---------------------------------------

BOOST_AUTO_TEST_CASE(asvs_6_3_2_there_are_no_default_accounts) {
    // mfo-db create makes roles only; accounts come from mfo-users or /register.
    const std::vector<std::pair<std::string, std::string>> defaults = {
        {"admin", "admin"},
        {"root", "root"},
        {"sa", "sa"},
        {"admin@localhost", "admin"},
        {"admin@example.com", "password"},
        {"admin@example.com", "admin"}};
    for (const auto& [email, password] : defaults) {
        BOOST_TEST_CONTEXT(email << " / " << password) {
            HttpClient client(shared_base_url());
            const HttpResponse r = login(client, email, password);
            BOOST_TEST(r.status != 302);
            BOOST_TEST(current_email(client).empty());
        }
    }
}

// The form and the JSON login are the two pathways: same checks in both.
BOOST_AUTO_TEST_CASE(asvs_6_3_4_form_and_json_logins_enforce_the_same_checks) {
    const TestAccount active = create_account("asvs-path");
    const TestAccount inactive = create_account("asvs-path-off", {"User"}, false);
    const auto json_login = [](const std::string& email, const std::string& password,
                               bool with_token) {
        HttpClient c(shared_base_url());
        const HttpResponse form = c.get("/login", {{"Accept", "application/json"}});
        nlohmann::json body{{"email", email}, {"password", password}};
        if (with_token)
            body["csrf_token"] = nlohmann::json::parse(form.body)["response"]["csrf_token"];
        const HttpResponse r = c.post_json("/login", body.dump(), {{"Accept", "application/json"}});
        return std::make_pair(r.status, current_email(c));
    };
    // Wrong password, inactive account, no CSRF token: refused both ways.
    BOOST_TEST(json_login(active.email, "Wrong-Pass-2026", true).second.empty());
    BOOST_TEST(json_login(inactive.email, inactive.password, true).second.empty());
    BOOST_TEST(json_login(active.email, active.password, false).second.empty());
    HttpClient form_client(shared_base_url());
    BOOST_TEST(login(form_client, active.email, "Wrong-Pass-2026").status == 200);
    BOOST_TEST(login(form_client, inactive.email, inactive.password).status == 200);
    BOOST_TEST(
        form_client.post_form("/login", {{"email", active.email}, {"password", active.password}})
            .status != 302);
    BOOST_TEST(current_email(form_client).empty());
    // And the right credentials pass both ways.
    const auto ok = json_login(active.email, active.password, true);
    BOOST_TEST(ok.first == 200);
    BOOST_TEST(ok.second == active.email);
    BOOST_TEST(json_login(active.email, "Wrong-Pass-2026", true).first == 400);
    HttpClient c(shared_base_url());
    BOOST_TEST(login(c, active.email, active.password).status == 302);
}

// ---- V6.4 factor lifecycle ------------------------------------------------------

BOOST_AUTO_TEST_CASE(asvs_6_4_2_no_password_hints_or_secret_questions) {
    HttpClient client(shared_base_url());
    const std::set<std::string> allowed = {"next",     "csrf_token",       "email",
                                           "password", "password_confirm", "remember"};
    for (const std::string page : {"/login", "/register"}) {
        const std::string body = client.get(page).body;
        for (const auto& tag : input_tags(body)) {
            BOOST_TEST(allowed.count(attr_of(tag, "name")) == 1u, page << ": " << tag);
        }
        for (const std::string word : {"password hint", "question", "mother", "first pet"}) {
            BOOST_TEST(!has(lowered(body), word), page << " mentions \"" << word << "\"");
        }
    }
}

// ---- V7.2 fundamental session security -------------------------------------------

BOOST_AUTO_TEST_CASE(asvs_7_2_1_session_tokens_are_checked_by_the_server) {
    const TestAccount account = create_account("asvs-forge");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string token = token_of(client);
    BOOST_TEST_REQUIRE(replayed_email(token) == account.email);
    // One character changed, a random token of the same shape, an empty one.
    std::string flipped = token;
    flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
    for (const std::string& forged :
         {flipped, mfo::crypto::base64url(mfo::crypto::random_bytes(32)), std::string("")}) {
        BOOST_TEST(replayed_email(forged).empty(), "\"" << forged << "\" authenticates");
    }
}

BOOST_AUTO_TEST_CASE(asvs_7_2_2_session_tokens_are_generated_per_login) {
    const TestAccount account = create_account("asvs-dyn");
    HttpClient first(shared_base_url());
    HttpClient second(shared_base_url());
    login_ok(first, account.email, account.password);
    login_ok(second, account.email, account.password);
    BOOST_TEST(token_of(first) != token_of(second));
    BOOST_TEST(!has(token_of(first), account.email));
}

BOOST_AUTO_TEST_CASE(asvs_7_2_3_session_tokens_are_random_with_at_least_128_bits) {
    const TestAccount account = create_account("asvs-entropy");
    std::set<std::string> tokens;
    static const std::regex base64url("^[A-Za-z0-9_-]+$");
    for (int i = 0; i < 8; ++i) {
        HttpClient client(shared_base_url());
        login_ok(client, account.email, account.password);
        const std::string token = token_of(client);
        BOOST_TEST(std::regex_match(token, base64url), token);
        BOOST_TEST(token.size() * 6 >= 128u, token);  // 256 bits: 43 characters
        tokens.insert(token);
    }
    BOOST_TEST(tokens.size() == 8u);
    // No shared prefix either (a counter or a timestamp would show up there).
    std::set<std::string> prefixes;
    for (const auto& t : tokens) prefixes.insert(t.substr(0, 4));
    BOOST_TEST(prefixes.size() >= 7u);
}

BOOST_AUTO_TEST_CASE(asvs_7_2_4_login_issues_a_new_token_and_ends_the_old_one) {
    const TestAccount account = create_account("asvs-rotate");
    HttpClient client(shared_base_url());
    // Before login: a planted (fixated) value is never adopted.
    const std::string planted = mfo::crypto::base64url(mfo::crypto::random_bytes(32));
    client.set_cookie(kSessionCookie, planted);
    login_ok(client, account.email, account.password);
    const std::string first = token_of(client);
    BOOST_TEST(first != planted);
    BOOST_TEST(replayed_email(planted).empty());
    // Re-authentication from the logged-in browser: a new token, the old one ends.
    const HttpResponse again = client.post_form("/login", {{"email", account.email},
                                                           {"password", account.password},
                                                           {"csrf_token", page_token(client)}});
    BOOST_TEST_REQUIRE(again.status == 302);
    BOOST_TEST(token_of(client) != first);
    BOOST_TEST(replayed_email(first).empty());
    BOOST_TEST(current_email(client) == account.email);
}

// ---- V7.4 session termination -----------------------------------------------------

BOOST_AUTO_TEST_CASE(asvs_7_4_1_logout_ends_the_session_for_good) {
    const TestAccount account = create_account("asvs-logout");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string token = token_of(client);
    // Pages of a session are not kept by the browser's cache (back button).
    const HttpResponse home = client.get("/");
    BOOST_TEST_REQUIRE(home.status == 200);
    BOOST_TEST(has(lowered(home.header("cache-control")), "no-store"));
    const HttpResponse out = client.post_form("/logout", {{"csrf_token", page_token(client)}});
    BOOST_TEST(out.status == 302);
    BOOST_TEST(clears_cookie(out, kSessionCookie));
    // A copy of the cookie taken before logout is dead on the server.
    HttpClient copy = replay_client(shared_base_url(), token);
    BOOST_TEST(copy.get("/").status == 302);
    BOOST_TEST(copy.get("/api/me").status == 401);
}

BOOST_AUTO_TEST_CASE(asvs_7_4_2_disabling_an_account_ends_all_its_sessions) {
    const TestAccount account = create_account("asvs-disable");
    HttpClient one(shared_base_url());
    HttpClient two(shared_base_url());
    login_ok(one, account.email, account.password);
    login_ok(two, account.email, account.password);
    deactivate_account(account.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(current_email(one).empty());
    BOOST_TEST(current_email(two).empty());
    HttpClient again(shared_base_url());
    BOOST_TEST(login(again, account.email, account.password).status != 302);
}

BOOST_AUTO_TEST_CASE(asvs_7_4_4_every_logged_in_page_offers_logout) {
    LoggedIn admin(create_account("asvs-nav", {"Admin"}));
    for (const std::string page : {"/", "/admin", "/admin/users", "/admin/roles"}) {
        BOOST_TEST_CONTEXT(page) {
            const HttpResponse r = admin.client.get(page);
            BOOST_TEST_REQUIRE(r.status == 200);
            BOOST_TEST(has(r.body, "action=\"/logout\""));
            BOOST_TEST(has(r.body, "Log out"));
        }
    }
}

BOOST_AUTO_TEST_CASE(asvs_7_4_5_admins_can_end_a_users_sessions) {
    LoggedIn admin(create_account("asvs-end-adm", {"Admin"}));
    const TestAccount account = create_account("asvs-end");
    LoggedIn user(account);
    const std::string path = console_user_path(admin.client, account.email);
    BOOST_TEST(admin.post(path + "/sessions/end", {}).status == 303);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(current_email(user.client).empty());
    // The operator's tool ends them too (mfo-users revoke-sessions EMAIL|--all).
    LoggedIn again(account);
    revoke_account_sessions(account.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(current_email(again.client).empty());
    BOOST_TEST(current_email(admin.client) != "");
}

// ---- V8 authorisation ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(asvs_8_2_1_functions_need_an_explicit_permission) {
    HttpClient anonymous(shared_base_url());
    for (const std::string page : {"/", "/admin", "/admin/users", "/admin/roles"}) {
        const HttpResponse r = anonymous.get(page);
        BOOST_TEST(r.status == 302, page);
        BOOST_TEST(has(r.header("location"), "/login"), page);
    }
    BOOST_TEST(anonymous.get("/api/me").status == 401);
    LoggedIn user(create_account("asvs-fn"));
    for (const std::string page : {"/admin", "/admin/users", "/admin/roles"}) {
        BOOST_TEST(user.client.get(page).status == 403, page);
    }
    BOOST_TEST(user.client.get("/").status == 200);
}

BOOST_AUTO_TEST_CASE(asvs_8_2_2_a_user_cannot_reach_another_accounts_record) {
    LoggedIn admin(create_account("asvs-idor-adm", {"Admin"}));
    const TestAccount victim = create_account("asvs-idor-vic");
    LoggedIn victim_session(victim);
    const std::string path = console_user_path(admin.client, victim.email);
    LoggedIn user(create_account("asvs-idor"));
    BOOST_TEST(user.client.get(path).status == 403);
    BOOST_TEST(user.post(path + "/deactivate", {}).status == 403);
    BOOST_TEST(user.post(path + "/sessions/end", {}).status == 403);
    BOOST_TEST(current_email(victim_session.client) == victim.email);
    // The user's own record is the only one /api/me shows, whatever the query asks.
    const std::string email = current_email(user.client);
    for (const std::string& query :
         std::vector<std::string>{"?id=1", "?email=" + url_encode(victim.email), "?user=1"}) {
        const HttpResponse r = user.client.get("/api/me" + query, {{"Accept", "application/json"}});
        BOOST_TEST(r.status == 200);
        BOOST_TEST(!has(r.body, victim.email), query);
        BOOST_TEST(has(r.body, email), query);
    }
}

BOOST_AUTO_TEST_CASE(asvs_8_3_1_authorisation_is_decided_on_the_server) {
    const TestAccount account = create_account("asvs-srv");
    LoggedIn user(account);
    // Claims a client could make about itself change nothing.
    const Headers claims = {{"X-Role", "Admin"},        {"X-Roles", "Admin"},
                            {"X-Remote-User", "admin"}, {"X-Forwarded-User", "admin"},
                            {"Remote-User", "admin"},   {"X-Original-URL", "/"},
                            {"X-Rewrite-URL", "/"}};
    BOOST_TEST(user.client.get("/admin", claims).status == 403);
    user.client.set_cookie("roles", "Admin");
    user.client.set_cookie("role", "Admin");
    BOOST_TEST(user.client.get("/admin").status == 403);
    // Calling a console action directly (no button shown) is refused too.
    BOOST_TEST(
        user.post("/admin/roles/grant", {{"email", account.email}, {"role", "Admin"}}).status ==
        403);
    BOOST_TEST(user.client.get("/admin").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
