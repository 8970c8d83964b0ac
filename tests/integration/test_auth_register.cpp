// GET/POST /register: an active account with the default role, logged in at
// once; the refusals; client-supplied role hints ignored; hostile input
// escaped.

#include <boost/test/unit_test.hpp>

#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

// GET /register, then POST it with the form's token and `fields`.
HttpResponse register_with(HttpClient& client, Fields fields, const std::string& query = "") {
    const HttpResponse form = client.get("/register" + query);
    const std::string token = input_value(form.body, "csrf_token");
    if (form.status != 200 || token.empty()) {
        throw std::runtime_error("GET /register gave " + std::to_string(form.status) +
                                 " without a csrf_token");
    }
    fields.emplace_back("csrf_token", token);
    return client.post_form("/register" + query, fields);
}

HttpResponse register_account(HttpClient& client, const std::string& email,
                              const std::string& password, Fields extra = {}) {
    Fields fields{{"email", email}, {"password", password}, {"password_confirm", password}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return register_with(client, fields);
}

nlohmann::json roles_of(HttpClient& client) {
    const auto user = current_user(client);
    if (!user) throw std::runtime_error("not logged in");
    return user->at("roles");
}

void check_refused(const HttpResponse& r, HttpClient& client, const std::string& message) {
    BOOST_TEST(r.status == 200);
    BOOST_TEST(has(r.body, message), "no \"" << message << "\" in the page");
    BOOST_TEST(!cookie_in(r, kSessionCookie).has_value());
    BOOST_TEST(current_email(client).empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_register)

BOOST_AUTO_TEST_CASE(register_creates_an_active_user_with_the_default_role_and_logs_in) {
    const std::string email = fresh_email("reg");
    const std::string password = fresh_password();
    HttpClient client(shared_base_url());
    const HttpResponse r = register_account(client, email, password);
    BOOST_TEST(r.status == 302);
    BOOST_TEST(r.header("location") == "/");
    const auto session = cookie_in(r, kSessionCookie);
    BOOST_TEST_REQUIRE(session.has_value());
    BOOST_TEST(session->value.size() == 43u);
    BOOST_TEST(r.header("cache-control") == "no-store");

    BOOST_TEST(current_email(client) == email);
    BOOST_TEST(roles_of(client) == nlohmann::json::array({"User"}));
    const HttpResponse home = client.get("/");
    BOOST_TEST(home.status == 200);
    const HttpResponse admin = client.get("/admin");
    BOOST_TEST(admin.status == 403);
    BOOST_TEST(has(admin.body, "Sorry, you must be a Admin to access this page"));

    // Logged in: the form is not shown again.
    const HttpResponse again = client.get("/register");
    BOOST_TEST(again.status == 302);
    BOOST_TEST(again.header("location") == "/");

    // The account is active: a fresh login works.
    HttpClient other(shared_base_url());
    login_ok(other, email, password);
}

BOOST_AUTO_TEST_CASE(register_trims_the_email_and_lowercases_the_domain) {
    const std::string local = "T-Mixed-" + fresh_password();
    HttpClient client(shared_base_url());
    const HttpResponse r = register_account(client, "  " + local + "@Example.COM ", fresh_password());
    BOOST_TEST_REQUIRE(r.status == 302);
    BOOST_TEST(current_email(client) == local + "@example.com");
}

BOOST_AUTO_TEST_CASE(register_follows_a_local_next_only) {
    for (const std::string next : {"/?x=1", "/api/me"}) {
        BOOST_TEST_CONTEXT("next " << next) {
            HttpClient client(shared_base_url());
            const HttpResponse r =
                register_account(client, fresh_email("reg-next"), fresh_password(), {{"next", next}});
            BOOST_TEST(r.status == 302);
            BOOST_TEST(r.header("location") == next);
        }
    }
    const std::string base = shared_base_url();
    for (const std::string& next : hostile_nexts()) {
        BOOST_TEST_CONTEXT("next \"" << printable(next) << "\"") {
            HttpClient client(base);
            const HttpResponse r =
                register_account(client, fresh_email("reg-evil"), fresh_password(), {{"next", next}});
            BOOST_TEST(r.status == 302);
            std::string why;
            BOOST_TEST(same_origin_location(r.header("location"), base, why),
                       "Location \"" << printable(r.header("location")) << "\": " << why);
        }
    }
}

BOOST_AUTO_TEST_CASE(json_register_answers_json) {
    const std::string email = fresh_email("reg-json");
    const std::string password = fresh_password();
    HttpClient client(shared_base_url());
    const std::string token = nlohmann::json::parse(
        client.get("/login", {{"Accept", "application/json"}}).body)["response"]["csrf_token"];
    const HttpResponse r = client.post_json(
        "/register", nlohmann::json{{"email", email},
                                    {"password", password},
                                    {"password_confirm", password},
                                    {"csrf_token", token}}
                         .dump());
    BOOST_TEST(r.status == 200);
    BOOST_TEST(nlohmann::json::parse(r.body)["response"]["user"]["email"] == email);
    BOOST_TEST(cookie_in(r, kSessionCookie).has_value());
    BOOST_TEST(roles_of(client) == nlohmann::json::array({"User"}));
}

// ---- refusals -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_taken_email_is_refused) {
    const TestAccount existing = create_account("taken");
    HttpClient client(shared_base_url());
    const HttpResponse r = register_account(client, existing.email, fresh_password());
    check_refused(r, client, existing.email + " is already associated with an account.");

    // Another spelling of the same address is the same account.
    std::string upper_domain = existing.email;
    for (std::size_t i = existing.email.find('@'); i < upper_domain.size(); ++i) {
        upper_domain[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper_domain[i])));
    }
    std::string upper_local = existing.email;
    for (std::size_t i = 0; i < existing.email.find('@'); ++i) {
        upper_local[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper_local[i])));
    }
    HttpClient c2(shared_base_url());
    check_refused(register_account(c2, upper_domain, fresh_password()), c2,
                  existing.email + " is already associated with an account.");
    HttpClient c3(shared_base_url());
    const HttpResponse r3 = register_account(c3, upper_local, fresh_password());
    check_refused(r3, c3, "is already associated with an account.");

    // The original password still works (nothing was overwritten).
    HttpClient c4(shared_base_url());
    login_ok(c4, existing.email, existing.password);
}

BOOST_AUTO_TEST_CASE(weak_or_mismatched_passwords_are_refused) {
    const std::string email = fresh_email("reg-weak");
    HttpClient client(shared_base_url());
    check_refused(register_account(client, email, "password1"), client, "This password is too common");
    check_refused(register_account(client, email, "Short7!"), client,
                  "Password must be at least 8 characters");
    check_refused(register_with(client, {{"email", email},
                                         {"password", "Good-Pass-2026"},
                                         {"password_confirm", "Good-Pass-2027"}}),
                  client, "Passwords do not match");
    check_refused(register_with(client, {{"email", email}, {"password", "Good-Pass-2026"}}), client,
                  "Password not provided");
    // None of these created the account.
    const std::string password = fresh_password();
    const HttpResponse ok = register_account(client, email, password);
    BOOST_TEST(ok.status == 302);
}

// ---- client-supplied role hints ---------------------------------------------------

BOOST_AUTO_TEST_CASE(a_role_field_on_register_has_no_effect) {
    HttpClient client(shared_base_url());
    const HttpResponse r = register_account(
        client, fresh_email("reg-role"), fresh_password(),
        {{"role", "Admin"}, {"roles", "Admin"}, {"role[]", "Admin"}, {"active", "y"}});
    BOOST_TEST_REQUIRE(r.status == 302);
    BOOST_TEST(roles_of(client) == nlohmann::json::array({"User"}));
    BOOST_TEST(client.get("/admin").status == 403);
}

BOOST_AUTO_TEST_CASE(role_cookies_and_headers_have_no_effect) {
    const TestAccount user = create_account("hint");
    HttpClient client(shared_base_url());
    login_ok(client, user.email, user.password);
    client.set_cookie("role", "Admin");
    client.set_cookie("roles", "Admin");
    const Headers hints{{"X-User-Role", "Admin"}, {"X-Role", "Admin"}, {"X-Roles", "Admin"},
                        {"X-Forwarded-User", "admin@testmail.com"}, {"Remote-User", "admin@testmail.com"},
                        // nginx turns Basic credentials into REMOTE_USER even without auth_basic.
                        {"Authorization", "Basic YWRtaW5AdGVzdG1haWwuY29tOng="}};
    const HttpResponse admin = client.get("/admin", hints);
    BOOST_TEST(admin.status == 403);
    BOOST_TEST(has(admin.body, "Sorry, you must be a Admin to access this page"));
    BOOST_TEST(roles_of(client) == nlohmann::json::array({"User"}));

    HttpClient anonymous(shared_base_url());
    anonymous.set_cookie("role", "Admin");
    const HttpResponse r = anonymous.get("/admin", hints);
    BOOST_TEST(r.status == 302);
    BOOST_TEST(r.header("location") == "/login?next=%2Fadmin");
}

// ---- hostile input is shown escaped ---------------------------------------------------

BOOST_AUTO_TEST_CASE(invalid_hostile_emails_are_refused_and_shown_escaped) {
    HttpClient client(shared_base_url());
    for (const std::string email :
         {"\"<script>alert(1)</script>\"@x.com", "<script>x</script>@example.com",
          "\"><img src=x onerror=alert(1)>", "a+<b>@example.com"}) {
        BOOST_TEST_CONTEXT("email " << email) {
            const HttpResponse r = register_account(client, email, fresh_password());
            check_refused(r, client, "Invalid email address");
            BOOST_TEST(!has(r.body, "<script>"));
            BOOST_TEST(!has(r.body, "<img src=x"));
            BOOST_TEST(!has(r.body, "<b>"));
            BOOST_TEST(input_value(r.body, "email") == email);
        }
    }
}

// An address that is valid but full of HTML metacharacters (all allowed in
// the local part): shown escaped wherever the app prints it.
BOOST_AUTO_TEST_CASE(valid_hostile_email_is_shown_escaped) {
    const std::string unique = fresh_password();
    const std::string email = "t&amp'x{y}|z=" + unique + "@example.com";
    HttpClient client(shared_base_url());
    const HttpResponse r = register_account(client, email, fresh_password());
    BOOST_TEST_REQUIRE(r.status == 302);
    BOOST_TEST(current_email(client) == email);

    const HttpResponse home = client.get("/");
    BOOST_TEST(home.status == 200);
    BOOST_TEST(!has(home.body, email));                 // never raw
    BOOST_TEST(has(home.body, "t&amp;amp"));            // '&' escaped
    BOOST_TEST(!has(home.body, "t&amp'x"));

    HttpClient again(shared_base_url());
    const HttpResponse taken = register_account(again, email, fresh_password());
    BOOST_TEST(taken.status == 200);
    BOOST_TEST(!has(taken.body, email + " is already"));
    BOOST_TEST(has(taken.body, "is already associated with an account."));
    BOOST_TEST(input_value(taken.body, "email") == email);

    // And where an administrator sees it: the console's overview (recent
    // events) and its user list.
    const TestAccount admin = create_account("xss-admin", {"Admin"});
    HttpClient console(shared_base_url());
    login_ok(console, admin.email, admin.password);
    const HttpResponse overview = console.get("/admin");
    BOOST_TEST(overview.status == 200);
    BOOST_TEST(!has(overview.body, email));
    // (The console's search is by email prefix: the local part.)
    const HttpResponse users =
        console.get("/admin/users?q=" + url_encode(email.substr(0, email.find('@'))));
    BOOST_TEST(users.status == 200);
    BOOST_TEST(!has(users.body, email));
    BOOST_TEST(has(users.body, "t&amp;amp"));
}

BOOST_AUTO_TEST_SUITE_END()
