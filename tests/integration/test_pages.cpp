// Pages, errors and headers through the shared stack's real nginx and worker
// pool (nothing here stops or reconfigures anything).

#include <boost/test/unit_test.hpp>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "fcgi_client.hpp"
#include "http_client.hpp"
#include "server_checks.hpp"

using namespace mfo::test;
using namespace mfo::test::proc;
using namespace mfo::test::server_tests;
using namespace std::chrono_literals;

namespace {

const std::string kStylesheet = "<link rel=\"stylesheet\" href=\"/static/css/styles.css\">";

std::string shared_log() {
    return read_text_file(shared_pool_log_path());
}

// The worker logs its request line before the answer leaves it, so once a
// response is in hand its line is in the log; the short wait only absorbs
// the write reaching the file.
bool pool_logged(const std::string& needle) {
    return wait_until([&] { return contains(shared_log(), needle); }, 2s);
}

std::string request_line_of(const std::string& method, const std::string& path) {
    return "method=\"" + method + "\" path=\"" + path + "\"";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pages)

BOOST_AUTO_TEST_CASE(anonymous_home_redirects_to_login) {
    HttpClient client(shared_url());
    const HttpResponse r = client.get("/");
    BOOST_CHECK_EQUAL(r.status, 302);
    BOOST_CHECK_EQUAL(r.header("location"), "/login?next=%2F");
    BOOST_CHECK(r.body.empty());
    check_response_headers(r, "GET / (anonymous)");
}

BOOST_AUTO_TEST_CASE(login_page_renders_the_form) {
    HttpClient client(shared_url());
    const HttpResponse r = client.get("/login");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    check_response_headers(r, "GET /login");
    BOOST_CHECK(contains(r.header("content-type"), "text/html"));
    BOOST_CHECK(contains(r.body, "<form"));
    BOOST_CHECK(contains(r.body, "action=\"/login"));
    BOOST_CHECK(contains(r.body, "name=\"email\""));
    BOOST_CHECK(contains(r.body, "name=\"password\""));
    BOOST_CHECK(!input_value(r.body, "csrf_token").empty());
    BOOST_CHECK(contains(r.body, kStylesheet));
    BOOST_CHECK(contains(r.body, "<title>Log in"));
}

BOOST_AUTO_TEST_CASE(logged_in_pages_render_with_their_stylesheets) {
    HttpClient user(shared_url());
    log_in(user, require_env("MFO_USER_EMAIL"), require_env("MFO_USER_PASSWORD"));
    const HttpResponse home = user.get("/");
    BOOST_REQUIRE_EQUAL(home.status, 200);
    check_response_headers(home, "GET / (user)");
    BOOST_CHECK(contains(home.body, kStylesheet));
    BOOST_CHECK(contains(home.body, "href=\"/home/static/css/styles.css\""));
    BOOST_CHECK(contains(home.body, require_env("MFO_USER_EMAIL")));
    BOOST_CHECK_EQUAL(home.header("cache-control"), "no-store");

    // A User is no Admin: the forbidden page, in the seed's words.
    const HttpResponse denied = user.get("/admin");
    BOOST_CHECK_EQUAL(denied.status, 403);
    BOOST_CHECK(contains(denied.body, "Access forbidden"));
    check_response_headers(denied, "GET /admin (user)");

    HttpClient admin(shared_url());
    log_in(admin, require_env("MFO_ADMIN_EMAIL"), require_env("MFO_ADMIN_PASSWORD"));
    const HttpResponse page = admin.get("/admin");
    BOOST_REQUIRE_EQUAL(page.status, 200);
    check_response_headers(page, "GET /admin (admin)");
    BOOST_CHECK(contains(page.body, kStylesheet));
    BOOST_CHECK(contains(page.body, "href=\"/admin/static/css/styles.css\""));
    BOOST_CHECK(contains(page.body, "<title>Admin"));
}

BOOST_AUTO_TEST_CASE(unknown_path_is_the_404_page) {
    HttpClient client(shared_url());
    const std::string path = "/no-such-page-" + unique_suffix();
    const HttpResponse r = client.get(path);
    BOOST_CHECK_EQUAL(r.status, 404);
    BOOST_CHECK(contains(r.body, "Page not found"));
    BOOST_CHECK(contains(r.body, kStylesheet));  // the site's page, not nginx's
    check_response_headers(r, "GET " + path);
    BOOST_CHECK(pool_logged(request_line_of("GET", path) + " status=404"));
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_allow) {
    HttpClient client(shared_url());
    const HttpResponse del = client.request("DELETE", "/login", "", "");
    BOOST_CHECK_EQUAL(del.status, 405);
    BOOST_CHECK_EQUAL(del.header("allow"), "GET, HEAD, POST");
    BOOST_CHECK(contains(del.body, "Method not allowed"));
    check_response_headers(del, "DELETE /login");

    const HttpResponse put = client.request("PUT", "/", "x=1", "application/x-www-form-urlencoded");
    BOOST_CHECK_EQUAL(put.status, 405);
    BOOST_CHECK_EQUAL(put.header("allow"), "GET, HEAD");
    check_response_headers(put, "PUT /");

    const HttpResponse post = client.post_form("/admin", {{"a", "b"}});
    BOOST_CHECK_EQUAL(post.status, 405);
    BOOST_CHECK_EQUAL(post.header("allow"), "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(head_answers_like_get_without_a_body) {
    for (const std::string path : {"/", "/login", "/no-such-page"}) {
        BOOST_TEST_CONTEXT("HEAD " << path) {
            HttpClient client(shared_url());
            const HttpResponse get = client.get(path);
            client.clear_cookies();
            const HttpResponse head = client.head(path);
            BOOST_CHECK_EQUAL(head.status, get.status);
            check_response_headers(head, "HEAD " + path);
            for (const char* name : {"content-type", "content-length", "location", "cache-control",
                                     "vary", "content-security-policy", "x-content-type-options",
                                     "referrer-policy", "x-frame-options", "server", "allow"}) {
                BOOST_CHECK_MESSAGE(head.header(name) == get.header(name),
                                    name << ": HEAD '" << head.header(name) << "' vs GET '"
                                         << get.header(name) << "'");
            }
            // Cookie values differ (fresh tokens); which cookies are set may not.
            auto names = [](const HttpResponse& r) {
                std::vector<std::string> out;
                for (const auto& c : r.set_cookies) out.push_back(c.substr(0, c.find('=')));
                return out;
            };
            BOOST_CHECK(names(head) == names(get));

            // libcurl does not read a HEAD body; a raw connection shows whether
            // any bytes follow the header block.
            const std::string raw = raw_http(
                shared_url(),
                "HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            const auto end = raw.find("\r\n\r\n");
            BOOST_REQUIRE(end != std::string::npos);
            BOOST_CHECK_EQUAL(raw.substr(end + 4), "");
        }
    }
}

// nginx never forwards a HEAD body, so only the worker's own socket shows
// that the worker itself sends none.
BOOST_AUTO_TEST_CASE(worker_answers_head_without_a_body) {
    const std::string socket = require_env("MFO_TEST_FCGI_SOCKET");
    for (const std::string path : {"/", "/login", "/no-such-page"}) {
        BOOST_TEST_CONTEXT("HEAD " << path << " on the FastCGI socket") {
            const FcgiReply get = fcgi_request(socket, fcgi_params("GET", path));
            const FcgiReply head = fcgi_request(socket, fcgi_params("HEAD", path));
            BOOST_CHECK_EQUAL(head.status, get.status);
            BOOST_CHECK(head.has_blank_line);
            BOOST_CHECK_EQUAL(head.body, "");
            BOOST_CHECK(!get.body.empty() || get.status == 302);
            BOOST_CHECK_EQUAL(head.header("content-type"), get.header("content-type"));
            BOOST_CHECK_EQUAL(head.header("content-length"), get.header("content-length"));
            BOOST_CHECK_EQUAL(head.header("location"), get.header("location"));
            // The worker's own headers: no banner, the security headers.
            for (const FcgiReply* r : {&get, &head}) {
                BOOST_CHECK(r->headers.count("server") == 0 &&
                            r->headers.count("x-powered-by") == 0);
                BOOST_CHECK(contains(r->header("content-type"), "charset=utf-8"));
                BOOST_CHECK_EQUAL(r->header("x-content-type-options"), "nosniff");
                BOOST_CHECK(
                    contains(r->header("content-security-policy"), "frame-ancestors 'none'"));
            }
        }
    }
}

// CONTENT_LENGTH that nginx would never pass on: only the socket can send it.
BOOST_AUTO_TEST_CASE(worker_refuses_a_bad_content_length_without_reading) {
    const std::string socket = require_env("MFO_TEST_FCGI_SOCKET");
    auto post_with_length = [&](const std::string& length) {
        return fcgi_request(socket,
                            fcgi_params("POST", "/login",
                                        {{"CONTENT_TYPE", "application/x-www-form-urlencoded"},
                                         {"CONTENT_LENGTH", length}}),
                            "email=x");
    };
    for (const std::string length : {"abc", "-1", "1e3", "7 ", "0x7"}) {
        const FcgiReply r = post_with_length(length);
        BOOST_CHECK_MESSAGE(r.status == 400, "CONTENT_LENGTH '" << length << "': " << r.status);
        BOOST_CHECK_MESSAGE(contains(r.body, "Content-Length"),
                            "not refused for its length: " << r.body);
    }
    // Far over the cap and far more than is sent: refused before any read.
    const FcgiReply r = post_with_length("99999999");
    BOOST_CHECK_EQUAL(r.status, 413);
    BOOST_CHECK(contains(r.body, "Request too large"));
    BOOST_CHECK_EQUAL(fcgi_request(socket, fcgi_params("GET", "/login")).status, 200);
}

BOOST_AUTO_TEST_CASE(static_css_is_served_by_nginx) {
    HttpClient client(shared_url());
    for (const std::string path : {"/static/css/styles.css", "/home/static/css/styles.css",
                                   "/admin/static/css/styles.css"}) {
        BOOST_TEST_CONTEXT("GET " << path) {
            const HttpResponse r = client.get(path);
            BOOST_CHECK_EQUAL(r.status, 200);
            BOOST_CHECK(lower_case(r.header("content-type")).rfind("text/css", 0) == 0);
            BOOST_CHECK(!r.body.empty());
            check_response_headers(r, "GET " + path);
        }
    }
    // Had the worker seen any of them, its log would have a request line, as
    // it has for this control request.
    const std::string control = "/no-such-page-" + unique_suffix();
    BOOST_CHECK_EQUAL(client.get(control).status, 404);
    BOOST_REQUIRE(pool_logged(request_line_of("GET", control)));
    const std::string log = shared_log();
    for (const char* prefix :
         {"path=\"/static/", "path=\"/home/static/", "path=\"/admin/static/"}) {
        BOOST_CHECK_MESSAGE(!contains(log, prefix), "the worker served " << prefix);
    }
}

BOOST_AUTO_TEST_CASE(missing_static_file_is_404_from_nginx) {
    HttpClient client(shared_url());
    const std::string name = "missing-" + unique_suffix() + ".css";
    for (const std::string dir : {"/static/css/", "/home/static/", "/admin/static/"}) {
        const HttpResponse r = client.get(dir + name);
        BOOST_CHECK_EQUAL(r.status, 404);
        BOOST_CHECK(!contains(r.body, kStylesheet));  // nginx's page, not the site's
        check_response_headers(r, "GET " + dir + name);
    }
    // A request that does reach the worker is logged (the control); the
    // missing files never were.
    const std::string control = "/no-such-page-" + unique_suffix();
    BOOST_CHECK_EQUAL(client.get(control).status, 404);
    BOOST_REQUIRE(pool_logged(request_line_of("GET", control)));
    BOOST_CHECK(!contains(shared_log(), name));
}

BOOST_AUTO_TEST_CASE(over_cap_body_is_413_from_nginx) {
    HttpClient client(shared_url());
    const std::string token = input_value(client.get("/login").body, "csrf_token");
    const std::string body = "csrf_token=" + token + "&email=" + std::string(20 * 1024, 'a');
    const HttpResponse r =
        client.request("POST", "/login", body, "application/x-www-form-urlencoded");
    BOOST_CHECK_EQUAL(r.status, 413);
    check_response_headers(r, "POST /login with 20 KiB");
    BOOST_CHECK_EQUAL(client.get("/login").status, 200);
}

BOOST_AUTO_TEST_CASE(malformed_query_or_path_is_400_and_the_pool_keeps_serving) {
    HttpClient client(shared_url());
    const std::size_t deaths = occurrences(shared_log(), " died (");
    for (const std::string target : {"/?a=%zz", "/login?x=%FF", "/%FF", "/login?next=%E0%80%80"}) {
        const HttpResponse r = client.get(target);
        BOOST_CHECK_MESSAGE(r.status == 400, "GET " << target << ": " << r.status);
        BOOST_CHECK(contains(r.body, "Bad request"));
        check_response_headers(r, "GET " + target);
    }
    // Logged like any request, with the path it was for.
    BOOST_CHECK(pool_logged(request_line_of("GET", "/login") + " status=400"));
    BOOST_CHECK_EQUAL(client.get("/login").status, 200);
    BOOST_CHECK_EQUAL(occurrences(shared_log(), " died ("), deaths);
}

// The normalisation list of the issues: none of these may reach the admin
// page for a User, whatever nginx and the worker make of them.
BOOST_AUTO_TEST_CASE(path_variants_never_reach_admin_as_a_user) {
    HttpClient user(shared_url());
    log_in(user, require_env("MFO_USER_EMAIL"), require_env("MFO_USER_PASSWORD"));
    BOOST_REQUIRE_EQUAL(user.get("/").status, 200);  // the session works
    for (const std::string path : {"/ADMIN", "//admin", "/admin/.", "/%61dmin", "/home/../admin",
                                   "/admin;x", "/admin%2f", "/admin/", "/./admin", "/%2561dmin"}) {
        const HttpResponse r = user.get(path);
        BOOST_CHECK_MESSAGE(r.status != 200, "GET " << path << " as a User: 200");
        BOOST_CHECK_MESSAGE(r.status != 302,
                            "GET " << path << " as a User: redirect to " << r.header("location"));
        BOOST_CHECK_MESSAGE(!contains(r.body, "<title>Admin"),
                            "GET " << path << " shows the admin page");
    }
    for (const std::string path : {"//admin", "/%61dmin", "/home/../admin"}) {
        const HttpResponse r = user.get(path);
        BOOST_CHECK_MESSAGE(r.status == 403, "GET " << path << ": " << r.status);
        BOOST_CHECK(contains(r.body, "Access forbidden"));
    }
}

BOOST_AUTO_TEST_CASE(throwing_handler_is_a_generic_500_and_the_next_request_works) {
    HttpClient client(shared_url());
    const std::size_t deaths = occurrences(shared_log(), " died (");
    const HttpResponse r = client.get("/__test/throw");
    BOOST_CHECK_EQUAL(r.status, 500);
    check_response_headers(r, "GET /__test/throw");
    BOOST_CHECK(contains(r.body, "Something went wrong"));
    BOOST_CHECK(!contains(r.body, "deliberate"));  // no exception text for the client
    std::smatch m;
    const std::regex rid_re("class=\"request-id\">([^<]+)<");
    BOOST_REQUIRE_MESSAGE(std::regex_search(r.body, m, rid_re), "no request id on the 500 page");
    const std::string rid = m.str(1);

    BOOST_CHECK_EQUAL(client.get("/login").status, 200);
    BOOST_CHECK(pool_logged("level=error rid=" + rid + " msg=\"test route: deliberate failure\""));
    BOOST_CHECK(
        pool_logged("rid=" + rid + " " + request_line_of("GET", "/__test/throw") + " status=500"));
    BOOST_CHECK_EQUAL(occurrences(shared_log(), " died ("), deaths);
}

BOOST_AUTO_TEST_SUITE_END()
