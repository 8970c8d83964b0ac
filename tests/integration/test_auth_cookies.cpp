// Cookie attributes of the session, pre-session (CSRF) and flash cookies, over
// plain http (the shared stack) and with cookie_secure=always (a private pool),
// where the names get the __Host- prefix.

#include <boost/test/unit_test.hpp>

#include "config.hpp"
#include "private_stack.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

bool is_base64url_token(const std::string& v) {
    return v.size() == 43 && std::all_of(v.begin(), v.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '_';
           });
}

// What every cookie of the app carries: HttpOnly, SameSite=Lax, Path=/ and
// no Domain (a host-only cookie).
void check_common_attributes(const CookieAttrs& c) {
    BOOST_TEST_CONTEXT("Set-Cookie " << c.name) {
        BOOST_TEST(c.has_attr("httponly"));
        BOOST_TEST(c.attr("samesite") == "Lax");
        BOOST_TEST(c.has_attr("path"));
        BOOST_TEST(c.attr("path") == "/");
        BOOST_TEST(!c.has_attr("domain"));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_cookies)

BOOST_AUTO_TEST_CASE(pre_session_cookie_is_a_browser_session_cookie) {
    HttpClient client(shared_base_url());
    const HttpResponse page = client.get("/login");
    BOOST_TEST(page.status == 200);
    const auto csrf = cookie_in(page, kCsrfCookie);
    BOOST_TEST_REQUIRE(csrf.has_value());
    check_common_attributes(*csrf);
    BOOST_TEST(!csrf->value.empty());
    BOOST_TEST(!csrf->has_attr("max-age"));
    BOOST_TEST(!csrf->has_attr("expires"));
    BOOST_TEST(!csrf->has_attr("secure"));  // plain http, cookie_secure = auto
    // Showing the form does not start a session.
    BOOST_TEST(!cookie_in(page, kSessionCookie).has_value());
}

BOOST_AUTO_TEST_CASE(session_cookie_attributes_without_remember) {
    const TestAccount account = create_account("cookie");
    HttpClient client(shared_base_url());
    const HttpResponse r = login_ok(client, account.email, account.password);
    const auto session = cookie_in(r, kSessionCookie);
    BOOST_TEST_REQUIRE(session.has_value());
    check_common_attributes(*session);
    BOOST_TEST(is_base64url_token(session->value), "token " << session->value);
    BOOST_TEST(!session->has_attr("max-age"));
    BOOST_TEST(!session->has_attr("expires"));
    BOOST_TEST(!session->has_attr("secure"));
    BOOST_TEST(r.header("cache-control") == "no-store");
    // The pre-login state is dropped at login.
    BOOST_TEST(clears_cookie(r, kCsrfCookie));
}

BOOST_AUTO_TEST_CASE(session_cookie_with_remember_has_the_remember_max_age) {
    const mfo::Config config = mfo::load_config(require_env("MFO_TEST_CONFIG"));
    const TestAccount account = create_account("remember");
    HttpClient client(shared_base_url());
    const HttpResponse r = login_ok(client, account.email, account.password, {{"remember", "y"}});
    const auto session = cookie_in(r, kSessionCookie);
    BOOST_TEST_REQUIRE(session.has_value());
    check_common_attributes(*session);
    BOOST_TEST(session->attr("max-age") == std::to_string(config.session_remember_timeout));
    BOOST_TEST(!session->has_attr("secure"));
    BOOST_TEST(current_email(client) == account.email);
}

BOOST_AUTO_TEST_CASE(logout_expires_the_session_cookie_with_the_same_attributes) {
    const TestAccount account = create_account("cookie-out");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const HttpResponse out = client.get("/logout", {{"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST(out.status == 302);
    const auto session = cookie_in(out, kSessionCookie);
    BOOST_TEST_REQUIRE(session.has_value());
    BOOST_TEST(session->value.empty());
    BOOST_TEST(session->attr("max-age") == "0");
    check_common_attributes(*session);
    BOOST_TEST(out.header("cache-control") == "no-store");
}

BOOST_AUTO_TEST_CASE(flash_cookie_attributes) {
    HttpClient client(shared_base_url());
    const HttpResponse r = client.get("/");
    BOOST_TEST(r.status == 302);
    const auto flash = cookie_in(r, kFlashCookie);
    BOOST_TEST_REQUIRE(flash.has_value());
    check_common_attributes(*flash);
    BOOST_TEST(!flash->has_attr("max-age"));
}

BOOST_AUTO_TEST_CASE(pages_with_user_data_are_not_cached) {
    const TestAccount account = create_account("nostore");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const HttpResponse home = client.get("/");
    BOOST_TEST(home.status == 200);
    BOOST_TEST(has(home.body, account.email));
    BOOST_TEST(home.header("cache-control") == "no-store");
    const HttpResponse me = client.get("/api/me");
    BOOST_TEST(me.status == 200);
    BOOST_TEST(me.header("cache-control") == "no-store");
}

// cookie_secure = always (what an https deployment gets from the front
// server's HTTPS param): every cookie is Secure and named __Host-..., which
// browsers only accept with Secure, Path=/ and no Domain.
BOOST_AUTO_TEST_CASE(secure_cookies_get_the_host_prefix) {
    const TestAccount account = create_account("secure");
    PrivateStack stack(Overrides{{"MFO_SECURITY_COOKIE_SECURE", "always"}});
    HttpClient client(stack.base_url());

    const HttpResponse page = client.get("/login");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(!cookie_in(page, kCsrfCookie).has_value());
    const auto csrf = cookie_in(page, "__Host-" + kCsrfCookie);
    BOOST_TEST_REQUIRE(csrf.has_value());
    check_common_attributes(*csrf);
    BOOST_TEST(csrf->has_attr("secure"));

    const HttpResponse r = client.post_form("/login", {{"email", account.email},
                                                       {"password", account.password},
                                                       {"csrf_token", input_value(page.body, "csrf_token")}});
    BOOST_TEST_REQUIRE(r.status == 302);
    BOOST_TEST(!cookie_in(r, kSessionCookie).has_value());
    const auto session = cookie_in(r, "__Host-" + kSessionCookie);
    BOOST_TEST_REQUIRE(session.has_value());
    check_common_attributes(*session);
    BOOST_TEST(session->has_attr("secure"));
    BOOST_TEST(is_base64url_token(session->value));
    BOOST_TEST(!session->has_attr("max-age"));
    BOOST_TEST(current_email(client) == account.email);

    // The unprefixed name is not read there: a cookie a sibling host or a
    // plain-http page could have set must not count as a session.
    HttpClient unprefixed = replay_client(stack.base_url(), session->value, kSessionCookie);
    BOOST_TEST(current_email(unprefixed).empty());

    const HttpResponse out = client.get("/logout", {{"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST(out.status == 302);
    const auto cleared = cookie_in(out, "__Host-" + kSessionCookie);
    BOOST_TEST_REQUIRE(cleared.has_value());
    BOOST_TEST(cleared->expires_now());
    BOOST_TEST(cleared->has_attr("secure"));
    BOOST_TEST(cleared->attr("path") == "/");
}

BOOST_AUTO_TEST_CASE(secure_remember_cookie_keeps_max_age) {
    const TestAccount account = create_account("secure-rem");
    PrivateStack stack(Overrides{{"MFO_SECURITY_COOKIE_SECURE", "always"},
                                 {"MFO_SECURITY_SESSION_REMEMBER_TIMEOUT", "4321"}});
    HttpClient client(stack.base_url());
    const HttpResponse r = login_ok(client, account.email, account.password, {{"remember", "y"}});
    const auto session = cookie_in(r, "__Host-" + kSessionCookie);
    BOOST_TEST_REQUIRE(session.has_value());
    BOOST_TEST(session->has_attr("secure"));
    BOOST_TEST(session->attr("max-age") == "4321");
}

BOOST_AUTO_TEST_SUITE_END()
