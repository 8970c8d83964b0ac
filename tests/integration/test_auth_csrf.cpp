// CSRF on every POST (login, register, logout): missing, wrong and another
// session's token -> 400 and nothing changed; cross-site (Fetch Metadata) or a
// foreign Origin -> 403. And the log-out rules for GET.

#include <boost/test/unit_test.hpp>
#include <ctime>

#include "auth/csrf.hpp"
#include "config.hpp"
#include "crypto.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

// A POST /login that must be refused before the credentials are looked at.
void check_refused_login(const HttpResponse& r, HttpClient& client, int status,
                         const std::string& message) {
    BOOST_TEST(r.status == status);
    if (!message.empty()) BOOST_TEST(has(r.body, message), "no \"" << message << "\" in the page");
    BOOST_TEST(!cookie_in(r, kSessionCookie).has_value());
    BOOST_TEST(current_email(client).empty());
}

// Whether an account with this email exists, asked the way a browser can:
// registering it again says it is taken.
bool email_taken(const std::string& email) {
    HttpClient c(shared_base_url());
    const std::string token = input_value(c.get("/register").body, "csrf_token");
    const HttpResponse r = c.post_form("/register", {{"email", email},
                                                     {"password", "Probe-Pass-2026"},
                                                     {"password_confirm", "Probe-Pass-2026"},
                                                     {"csrf_token", token}});
    if (r.status == 302) return false;
    return has(r.body, "is already associated with an account.");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_csrf)

// ---- login --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(login_without_token_is_400_missing) {
    const TestAccount account = create_account("csrf-miss");
    HttpClient client(shared_base_url());
    client.get("/login");
    const HttpResponse r =
        client.post_form("/login", {{"email", account.email}, {"password", account.password}});
    check_refused_login(r, client, 400, "The CSRF token is missing.");
}

BOOST_AUTO_TEST_CASE(login_with_wrong_token_is_400_invalid) {
    const TestAccount account = create_account("csrf-bad");
    HttpClient client(shared_base_url());
    const std::string good = login_form_token(client);
    std::string forged = good;
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    for (const std::string& token : {forged, std::string("x"), std::string(good.size(), 'A')}) {
        BOOST_TEST_CONTEXT("token " << token) {
            const HttpResponse r = client.post_form(
                "/login",
                {{"email", account.email}, {"password", account.password}, {"csrf_token", token}});
            check_refused_login(r, client, 400, "The CSRF token is invalid.");
        }
    }
}

BOOST_AUTO_TEST_CASE(login_with_another_browsers_token_is_400) {
    const TestAccount account = create_account("csrf-other");
    HttpClient attacker(shared_base_url());
    const std::string stolen = login_form_token(attacker);

    // A victim with their own pre-session cookie.
    HttpClient victim(shared_base_url());
    victim.get("/login");
    const HttpResponse r = victim.post_form(
        "/login",
        {{"email", account.email}, {"password", account.password}, {"csrf_token", stolen}});
    check_refused_login(r, victim, 400, "The CSRF token is invalid.");

    // A victim with no cookie at all.
    HttpClient bare(shared_base_url());
    const HttpResponse r2 = bare.post_form(
        "/login",
        {{"email", account.email}, {"password", account.password}, {"csrf_token", stolen}});
    check_refused_login(r2, bare, 400, "The CSRF token");

    // A logged-in session's token is not a pre-session token either.
    HttpClient logged_in(shared_base_url());
    login_ok(logged_in, account.email, account.password);
    const std::string session_token = page_token(logged_in);
    HttpClient third(shared_base_url());
    third.get("/login");
    const HttpResponse r3 = third.post_form(
        "/login",
        {{"email", account.email}, {"password", account.password}, {"csrf_token", session_token}});
    check_refused_login(r3, third, 400, "The CSRF token is invalid.");
}

BOOST_AUTO_TEST_CASE(json_login_takes_the_token_from_body_or_header) {
    const TestAccount account = create_account("csrf-json");
    const std::string creds =
        nlohmann::json{{"email", account.email}, {"password", account.password}}.dump();

    HttpClient none(shared_base_url());
    none.get("/login", {{"Accept", "application/json"}});
    const HttpResponse missing = none.post_json("/login", creds);
    BOOST_TEST(missing.status == 400);
    const auto body = nlohmann::json::parse(missing.body);
    BOOST_TEST(body["response"]["errors"][0] == "The CSRF token is missing.");
    BOOST_TEST(!cookie_in(missing, kSessionCookie).has_value());

    HttpClient header(shared_base_url());
    const HttpResponse form = header.get("/login", {{"Accept", "application/json"}});
    BOOST_TEST_REQUIRE(form.status == 200);
    const std::string token = nlohmann::json::parse(form.body)["response"]["csrf_token"];
    BOOST_TEST_REQUIRE(!token.empty());
    const HttpResponse ok = header.post_json("/login", creds, {{"X-CSRF-Token", token}});
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(nlohmann::json::parse(ok.body)["response"]["user"]["email"] == account.email);
    BOOST_TEST(current_email(header) == account.email);

    HttpClient in_body(shared_base_url());
    const std::string token2 = nlohmann::json::parse(
        in_body.get("/login", {{"Accept", "application/json"}}).body)["response"]["csrf_token"];
    const HttpResponse ok2 =
        in_body.post_json("/login", nlohmann::json{{"email", account.email},
                                                   {"password", account.password},
                                                   {"csrf_token", token2}}
                                        .dump());
    BOOST_TEST(ok2.status == 200);
    BOOST_TEST(current_email(in_body) == account.email);

    HttpClient wrong(shared_base_url());
    wrong.get("/login", {{"Accept", "application/json"}});
    const HttpResponse bad = wrong.post_json("/login", creds, {{"X-CSRF-Token", token}});
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(nlohmann::json::parse(bad.body)["response"]["errors"][0] ==
               "The CSRF token is invalid.");
    BOOST_TEST(current_email(wrong).empty());
}

// ---- register -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(register_without_or_with_wrong_token_creates_nothing) {
    const std::string email = fresh_email("csrf-reg");
    const std::string password = fresh_password();
    HttpClient client(shared_base_url());
    const std::string token = input_value(client.get("/register").body, "csrf_token");
    BOOST_TEST_REQUIRE(!token.empty());

    const HttpResponse missing = client.post_form(
        "/register", {{"email", email}, {"password", password}, {"password_confirm", password}});
    BOOST_TEST(missing.status == 400);
    BOOST_TEST(has(missing.body, "The CSRF token is missing."));
    BOOST_TEST(!cookie_in(missing, kSessionCookie).has_value());

    const HttpResponse wrong = client.post_form("/register", {{"email", email},
                                                              {"password", password},
                                                              {"password_confirm", password},
                                                              {"csrf_token", token + "x"}});
    BOOST_TEST(wrong.status == 400);
    BOOST_TEST(has(wrong.body, "The CSRF token is invalid."));
    BOOST_TEST(current_email(client).empty());
    BOOST_TEST(!email_taken(email));
}

// ---- logout -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(post_logout_needs_this_sessions_token) {
    const TestAccount account = create_account("csrf-out");
    const TestAccount other = create_account("csrf-out2");
    HttpClient client(shared_base_url()), other_client(shared_base_url());
    login_ok(client, account.email, account.password);
    login_ok(other_client, other.email, other.password);

    const HttpResponse missing = client.post_form("/logout", {});
    BOOST_TEST(missing.status == 400);
    BOOST_TEST(has(missing.body, "The CSRF token is missing."));
    BOOST_TEST(current_email(client) == account.email);

    const HttpResponse wrong = client.post_form("/logout", {{"csrf_token", "forged"}});
    BOOST_TEST(wrong.status == 400);
    BOOST_TEST(has(wrong.body, "The CSRF token is invalid."));
    BOOST_TEST(current_email(client) == account.email);

    const HttpResponse foreign =
        client.post_form("/logout", {{"csrf_token", page_token(other_client)}});
    BOOST_TEST(foreign.status == 400);
    BOOST_TEST(has(foreign.body, "The CSRF token is invalid."));
    BOOST_TEST(current_email(client) == account.email);
    BOOST_TEST(current_email(other_client) == other.email);

    const HttpResponse ok = client.post_form("/logout", {{"csrf_token", page_token(client)}});
    BOOST_TEST(ok.status == 302);
    BOOST_TEST(ok.header("location") == "/login");
    BOOST_TEST(current_email(client).empty());
    BOOST_TEST(current_email(other_client) == other.email);
    const HttpResponse next = client.get("/login");
    BOOST_TEST(has(next.body, "You have been logged out."));
}

BOOST_AUTO_TEST_CASE(get_logout_logs_out_for_the_users_own_navigation) {
    const TestAccount account = create_account("getout");
    for (const Headers& headers :
         {Headers{{"Sec-Fetch-Site", "none"}}, Headers{{"Sec-Fetch-Site", "same-origin"}}}) {
        BOOST_TEST_CONTEXT("headers " << headers[0].second) {
            HttpClient client(shared_base_url());
            login_ok(client, account.email, account.password);
            const HttpResponse r = client.get("/logout", headers);
            BOOST_TEST(r.status == 302);
            BOOST_TEST(r.header("location") == "/login");
            BOOST_TEST(clears_cookie(r, kSessionCookie));
            BOOST_TEST(current_email(client).empty());
        }
    }
}

// Without Fetch Metadata (browsers before 2020-2023 send none) a GET cannot
// be told from a cross-site link: it gets the button too (issue 19).
BOOST_AUTO_TEST_CASE(cross_site_get_logout_only_shows_a_button) {
    const TestAccount account = create_account("xs-getout");
    for (const std::string site : {"cross-site", "same-site", ""}) {
        BOOST_TEST_CONTEXT("Sec-Fetch-Site: " << (site.empty() ? "(none)" : site)) {
            HttpClient client(shared_base_url());
            login_ok(client, account.email, account.password);
            const HttpResponse r =
                client.get("/logout", site.empty() ? Headers{} : Headers{{"Sec-Fetch-Site", site}});
            BOOST_TEST(r.status == 200);
            BOOST_TEST(!cookie_in(r, kSessionCookie).has_value());
            BOOST_TEST(has(r.body, "action=\"/logout\""));
            const std::string token = input_value(r.body, "csrf_token");
            BOOST_TEST(!token.empty());
            BOOST_TEST(current_email(client) == account.email);
            // The button works.
            const HttpResponse out = client.post_form("/logout", {{"csrf_token", token}},
                                                      {{"Sec-Fetch-Site", "same-origin"}});
            BOOST_TEST(out.status == 302);
            BOOST_TEST(current_email(client).empty());
        }
    }
}

// ---- cross-site and foreign Origin ---------------------------------------------

BOOST_AUTO_TEST_CASE(cross_site_posts_are_403) {
    const TestAccount account = create_account("xs");
    HttpClient client(shared_base_url());
    const std::string token = login_form_token(client);
    const Fields creds{
        {"email", account.email}, {"password", account.password}, {"csrf_token", token}};

    const HttpResponse login =
        client.post_form("/login", creds, {{"Sec-Fetch-Site", "cross-site"}});
    BOOST_TEST(login.status == 403);
    BOOST_TEST(!cookie_in(login, kSessionCookie).has_value());
    BOOST_TEST(current_email(client).empty());

    const std::string email = fresh_email("xs-reg");
    const std::string password = fresh_password();
    const HttpResponse reg = client.post_form("/register",
                                              {{"email", email},
                                               {"password", password},
                                               {"password_confirm", password},
                                               {"csrf_token", token}},
                                              {{"Sec-Fetch-Site", "cross-site"}});
    BOOST_TEST(reg.status == 403);
    BOOST_TEST(!email_taken(email));

    // The same request from our own pages goes through.
    const HttpResponse same =
        client.post_form("/login", creds, {{"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST(same.status == 302);
    BOOST_TEST(current_email(client) == account.email);

    const HttpResponse out = client.post_form("/logout", {{"csrf_token", page_token(client)}},
                                              {{"Sec-Fetch-Site", "cross-site"}});
    BOOST_TEST(out.status == 403);
    BOOST_TEST(current_email(client) == account.email);
}

BOOST_AUTO_TEST_CASE(foreign_origin_posts_are_403) {
    const TestAccount account = create_account("origin");
    const std::string own = shared_base_url();
    // http:// or https:// (through tests/https/through-https): the same
    // host and port with the other scheme is another origin.
    const std::string scheme = own.substr(0, own.find("://") + 3);
    const std::string other_scheme = scheme == "https://" ? "http://" : "https://";
    const std::string host = own.substr(own.find("://") + 3);  // 127.0.0.1:PORT
    const std::string hostname = host.substr(0, host.find(':'));
    const std::string port = host.substr(host.find(':') + 1);
    // Same host on another port is another origin too (another app there).
    const std::string other_port = port == "1" ? "2" : "1";
    for (const std::string& origin :
         {scheme + "evil.example", std::string("null"), other_scheme + host, own + ".evil.example",
          scheme + "evil.example:" + port, scheme + hostname,
          scheme + hostname + ":" + other_port}) {
        expect_cross_origin_login_refused(shared_base_url(), account, origin, kSessionCookie);
    }
    // Logout from a foreign origin does nothing.
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const HttpResponse out = client.post_form("/logout", {{"csrf_token", page_token(client)}},
                                              {{"Origin", "http://evil.example"}});
    BOOST_TEST(out.status == 403);
    BOOST_TEST(current_email(client) == account.email);
}

// Browsers send Origin on every form POST, same-origin ones included: our
// own origin (scheme, host and port as the browser sees them) must pass.
BOOST_AUTO_TEST_CASE(own_origin_posts_are_accepted) {
    const TestAccount account = create_account("own-origin");
    const std::string own = shared_base_url();
    HttpClient client(own);
    const std::string token = login_form_token(client);
    const HttpResponse r = client.post_form(
        "/login", {{"email", account.email}, {"password", account.password}, {"csrf_token", token}},
        {{"Origin", own}, {"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST_REQUIRE(r.status == 302,
                       "POST /login with Origin: " << own << " answered " << r.status);
    BOOST_TEST(current_email(client) == account.email);
    const HttpResponse out = client.post_form("/logout", {{"csrf_token", page_token(client)}},
                                              {{"Origin", own}, {"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST(out.status == 302);
    BOOST_TEST(current_email(client).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the pre-login pair expires (issue 19) ---------------------------------------

BOOST_AUTO_TEST_CASE(a_pre_login_csrf_pair_older_than_an_hour_is_refused) {
    const mfo::Config config = mfo::load_config(require_env("MFO_TEST_CONFIG"));
    BOOST_TEST_REQUIRE(!config.secret_key.empty());
    const mfo::Signer signer(config.secret_key);
    const std::string nonce = mfo::crypto::random_bytes(16);
    const std::string token = signer.mac("csrf-pre-session", nonce);
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const std::int64_t lifetime = std::max(3600, config.session_idle_timeout);
    const Fields fields{
        {"email", fresh_email("csrf-age")}, {"password", "Wrong-Pass-2026"}, {"csrf_token", token}};
    {
        HttpClient client(shared_base_url());
        client.set_cookie(kCsrfCookie, mfo::sign_pre_session(signer, nonce, now - lifetime - 5));
        check_refused_login(client.post_form("/login", fields), client, 400,
                            "The CSRF tokens do not match.");
    }
    {
        // The same pair, issued a minute ago: accepted (the login itself fails).
        HttpClient client(shared_base_url());
        client.set_cookie(kCsrfCookie, mfo::sign_pre_session(signer, nonce, now - 60));
        const HttpResponse r = client.post_form("/login", fields);
        BOOST_TEST(r.status == 200);
        BOOST_TEST(has(r.body, "Invalid email or password"));
    }
}
