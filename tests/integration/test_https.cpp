// The shipped https server blocks (conf/nginx/mfo-https.conf,
// conf/apache/mfo-https.conf), as scripts/test renders and starts them with
// its test CA: run through tests/https/through-https, which points
// MFO_TEST_BASE_URL at nginx's or Apache's https port and
// MFO_TEST_HTTPS_REDIRECT_URL at that server's plain-http redirect port.
// Every request verifies the certificate against the test CA.
//
// Disabled in the plain integration run (its front servers speak http):
// ctest runs it by name (--run_test=https_front), which enables it.

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

const std::string kHsts = "max-age=31536000; includeSubDomains";

std::string https_url() {
    const std::string url = shared_base_url();
    if (url.rfind("https://", 0) != 0) {
        throw std::runtime_error("MFO_TEST_BASE_URL is " + url +
                                 ": run this suite through tests/https/through-https");
    }
    return url;
}

std::string port_of(const std::string& url) {
    return url.substr(url.rfind(':') + 1);
}

// HSTS exactly once with the shipped value, and the other fixed headers once.
void check_once(const HttpResponse& r, const std::string& what) {
    BOOST_TEST_CONTEXT(what << " (status " << r.status << ")") {
        BOOST_TEST(r.headers.count("strict-transport-security") == 1u);
        BOOST_TEST(r.header("strict-transport-security") == kHsts);
        BOOST_TEST(r.headers.count("x-frame-options") == 1u);
        BOOST_TEST(r.headers.count("x-content-type-options") == 1u);
        BOOST_TEST(r.headers.count("content-security-policy") == 1u);
    }
}

// Every cookie the response sets is Secure, HttpOnly, Path=/, host-only and
// named __Host-... (browsers keep such a cookie only with exactly these).
void check_secure_cookies(const HttpResponse& r, const std::string& what) {
    BOOST_TEST_CONTEXT(what) {
        BOOST_TEST(!r.set_cookies.empty());
        for (const auto& raw : r.set_cookies) {
            const CookieAttrs c = parse_set_cookie(raw);
            BOOST_TEST_CONTEXT("Set-Cookie: " << raw) {
                BOOST_TEST(c.name.rfind("__Host-", 0) == 0u);
                BOOST_TEST(c.has_attr("secure"));
                BOOST_TEST(c.has_attr("httponly"));
                BOOST_TEST(c.attr("path") == "/");
                BOOST_TEST(!c.has_attr("domain"));
            }
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(https_front, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(cookies_are_secure_and_host_prefixed) {
    HttpClient client(https_url());
    const HttpResponse form = client.get("/login");
    BOOST_TEST_REQUIRE(form.status == 200);
    check_secure_cookies(form, "GET /login");
    BOOST_TEST(cookie_in(form, "__Host-mfo_csrf").has_value());
    BOOST_TEST(!cookie_in(form, "mfo_csrf").has_value());

    const TestAccount account = create_account("https-cookie");
    const HttpResponse r = login_ok(client, account.email, account.password);
    check_secure_cookies(r, "POST /login");
    const auto session = cookie_in(r, "__Host-mfo_session");
    BOOST_TEST_REQUIRE(session.has_value());
    BOOST_TEST(!session->value.empty());
    BOOST_TEST(!cookie_in(r, "mfo_session").has_value());
    BOOST_TEST(current_email(client) == account.email);
}

// HSTS on the app's pages and redirects, on static files and on the front
// server's own error pages (404 for a missing static file, 413 for a body
// over the limit), exactly once each: hidden from the app, added "always".
BOOST_AUTO_TEST_CASE(hsts_appears_exactly_once) {
    HttpClient client(https_url());
    check_once(client.get("/login"), "the login page");
    const HttpResponse redirect = client.get("/admin");
    BOOST_TEST(redirect.status == 302);
    check_once(redirect, "the app's login redirect");
    const HttpResponse css = client.get("/static/favicon.svg");
    check_once(css, "a static file");
    const HttpResponse missing = client.get("/static/no-such-file.css");
    BOOST_TEST(missing.status == 404);
    check_once(missing, "the front server's 404");
    const HttpResponse big =
        client.post_form("/login", {{"email", std::string(20000, 'a')}, {"password", "x"}});
    BOOST_TEST(big.status == 413);
    check_once(big, "the front server's 413");
    const HttpResponse forbidden = client.get("/static/.hidden");
    BOOST_TEST(forbidden.status == 404);
    check_once(forbidden, "a dot-file");
}

// The plain-http port of the https configs sends every request to the same
// path and query on the https origin, port included (not 443 here).
BOOST_AUTO_TEST_CASE(http_port_redirects_to_https_keeping_path_and_query) {
    const std::string https = https_url();
    HttpClient plain(require_env("MFO_TEST_HTTPS_REDIRECT_URL"));
    const std::vector<std::string> paths{"/", "/login?next=%2Fadmin",
                                         "/admin/users?q=festival%20crew&page=2",
                                         "/static/favicon.svg"};
    for (const std::string& path : paths) {
        BOOST_TEST_CONTEXT("GET " << path) {
            const HttpResponse r = plain.get(path);
            BOOST_TEST(r.status == 301);
            BOOST_TEST(r.header("location") == https + path);
            BOOST_TEST(r.set_cookies.empty());
        }
    }
    // A POST is redirected too, never served over plain http.
    const HttpResponse post = plain.post_form("/login", {{"email", "a@b.c"}, {"password", "x"}});
    BOOST_TEST(post.status == 301);
    BOOST_TEST(post.header("location") == https + "/login");
    BOOST_TEST(post.set_cookies.empty());
    // And where it points answers over https.
    HttpClient client(https);
    BOOST_TEST(client.get("/login?next=%2Fadmin").status == 200);
}

// Anonymous /admin -> /login?next=/admin -> log in with the browser's
// headers (Origin: the https origin) -> back on /admin. Off-site `next`
// values with an https scheme end on the home page.
BOOST_AUTO_TEST_CASE(login_round_trip_with_next) {
    const std::string own = https_url();
    const std::string email = require_env("MFO_ADMIN_EMAIL");
    const std::string password = require_env("MFO_ADMIN_PASSWORD");
    const Headers browser{{"Origin", own}, {"Sec-Fetch-Site", "same-origin"}};

    HttpClient client(own);
    const HttpResponse asked = client.get("/admin");
    BOOST_TEST_REQUIRE(asked.status == 302);
    const std::string to_login = asked.header("location");
    BOOST_TEST(to_login.rfind("/login?next=", 0) == 0u, "Location: " << to_login);
    const HttpResponse form = client.get(to_login);
    BOOST_TEST_REQUIRE(form.status == 200);
    const std::string next = input_value(form.body, "next");
    BOOST_TEST(next == "/admin");
    const HttpResponse in = client.post_form("/login",
                                             {{"email", email},
                                              {"password", password},
                                              {"next", next},
                                              {"csrf_token", input_value(form.body, "csrf_token")}},
                                             browser);
    BOOST_TEST_REQUIRE(in.status == 302);
    BOOST_TEST(in.header("location") == "/admin");
    check_secure_cookies(in, "the login answer");
    const HttpResponse admin = client.get("/admin");
    BOOST_TEST(admin.status == 200);
    check_once(admin, "/admin");

    const std::vector<std::string> hostiles{"https://evil.example/", "https:evil.example",
                                            "//evil.example", own + "/admin",
                                            "https:/" + own.substr(8) + "/admin"};
    for (const std::string& hostile : hostiles) {
        BOOST_TEST_CONTEXT("next=" << hostile) {
            HttpClient c(own);
            const HttpResponse r = login(c, email, password, {{"next", hostile}});
            BOOST_TEST(r.status == 302);
            std::string why;
            BOOST_TEST(same_origin_location(r.header("location"), own, why),
                       "Location " << r.header("location") << ": " << why);
            BOOST_TEST(r.header("location") == "/");
        }
    }
}

// The Origin check compares the https origin with its non-default port: the
// same host over http, on the default port or on another host is refused;
// the own origin, also under the certificate's host name, is accepted.
BOOST_AUTO_TEST_CASE(cross_origin_posts_are_refused_with_the_https_origin) {
    const std::string own = https_url();
    const std::string port = port_of(own);
    const TestAccount account = create_account("https-origin");
    for (const std::string& origin :
         {"http://127.0.0.1:" + port, std::string("https://127.0.0.1"),
          "https://127.0.0.1:1" + port, std::string("https://evil.example"),
          "https://evil.example:" + port,
          "https://" + require_env("MFO_TEST_TLS_HOST") + ":" + port, std::string("null")}) {
        expect_cross_origin_login_refused(own, account, origin, "__Host-mfo_session");
    }
    // The same site under the certificate's host name: its own origin passes
    // (the certificate is verified for that name).
    const std::string host = require_env("MFO_TEST_TLS_HOST");
    const std::string named = "https://" + host + ":" + port;
    HttpClient client(named);
    client.resolve.push_back(host + ":" + port + ":127.0.0.1");
    const std::string token = login_form_token(client);
    const HttpResponse r = client.post_form(
        "/login", {{"email", account.email}, {"password", account.password}, {"csrf_token", token}},
        {{"Origin", named}, {"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST(r.status == 302);
    BOOST_TEST(current_email(client) == account.email);
}

// Cookie tossing: a plain-http page or a sibling host can plant a cookie
// named mfo_session (without Secure, for a sibling path or a parent domain),
// but never a __Host- one. Under https the app reads only
// __Host-mfo_session: the planted cookie, even with another user's valid
// session, neither replaces the victim's session nor logs anyone in.
BOOST_AUTO_TEST_CASE(a_planted_plain_cookie_cannot_replace_the_session) {
    const std::string own = https_url();
    const TestAccount victim = create_account("https-victim");
    const TestAccount attacker = create_account("https-attacker");
    HttpClient attacker_client(own);
    login_ok(attacker_client, attacker.email, attacker.password);
    const std::string attacker_token = attacker_client.cookies().at("__Host-mfo_session");

    HttpClient client(own);
    login_ok(client, victim.email, victim.password);
    client.set_cookie("mfo_session", attacker_token);
    BOOST_TEST(current_email(client) == victim.email);
    BOOST_TEST(client.get("/").status == 200);

    HttpClient planted_only(own);
    planted_only.set_cookie("mfo_session", attacker_token);
    BOOST_TEST(current_email(planted_only).empty());
    const HttpResponse home = planted_only.get("/");
    BOOST_TEST(home.status == 302);
}

BOOST_AUTO_TEST_SUITE_END()
