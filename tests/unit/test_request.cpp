#include <boost/test/unit_test.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "http/http_error.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

using namespace mfo;

namespace {

struct FakeParams {
    std::map<std::string, std::string> params;
    std::string body;
    std::size_t read_pos = 0;
    std::size_t bytes_read = 0;

    Request parse(std::int64_t cap = 16384) {
        // The environment as libfcgi hands it over: "NAME=value" strings.
        std::vector<std::string> entries;
        for (const auto& [name, value] : params) entries.push_back(name + "=" + value);
        std::vector<const char*> envp;
        for (const auto& e : entries) envp.push_back(e.c_str());
        envp.push_back(nullptr);
        return parse_request(
            read_request_params(envp.data()),
            [this](char* buf, std::size_t n) {
                const std::size_t k = std::min(n, body.size() - read_pos);
                std::memcpy(buf, body.data() + read_pos, k);
                read_pos += k;
                bytes_read += k;
                return k;
            },
            cap);
    }
};

int status_of(FakeParams& p, std::int64_t cap = 16384) {
    try {
        p.parse(cap);
    } catch (const HttpError& e) {
        return e.status();
    }
    return 200;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request)

BOOST_AUTO_TEST_CASE(builds_request_from_params) {
    FakeParams p;
    p.params = {{"REQUEST_METHOD", "POST"},
                {"REQUEST_URI", "//admin/../login?next=%2Fadmin&x=1"},
                {"HTTP_COOKIE", "mfo_session=abc; other=1"},
                {"HTTP_ACCEPT", "application/json"},
                {"REMOTE_ADDR", "127.0.0.1"},
                {"HTTPS", "on"},
                {"CONTENT_TYPE", "application/x-www-form-urlencoded; charset=UTF-8"},
                {"CONTENT_LENGTH", "22"}};
    p.body = "email=a%40b.c&password";
    const Request r = p.parse();
    BOOST_TEST(r.method == "POST");
    BOOST_TEST(r.path == "/login");
    BOOST_TEST(*r.query.get("next") == "/admin");
    BOOST_TEST(*r.cookie("mfo_session") == "abc");
    BOOST_TEST(r.https);
    BOOST_TEST(r.wants_json());
    BOOST_TEST(*r.form.get("email") == "a@b.c");
    BOOST_TEST(r.path_with_query() == "/login?next=%2Fadmin&x=1");
}

BOOST_AUTO_TEST_CASE(content_length_is_checked_before_reading) {
    FakeParams p;
    p.params = {{"REQUEST_METHOD", "POST"}, {"REQUEST_URI", "/login"}, {"CONTENT_LENGTH", "20000"}};
    p.body = std::string(20000, 'a');
    BOOST_TEST(status_of(p) == 413);
    BOOST_TEST(p.bytes_read == 0u);
    for (const char* bad : {"-1", "abc", "1e3", " 5", "99999999999999999999"}) {
        FakeParams q;
        q.params = {{"REQUEST_METHOD", "POST"}, {"REQUEST_URI", "/login"}, {"CONTENT_LENGTH", bad}};
        BOOST_TEST_INFO(bad);
        BOOST_TEST(status_of(q) == 400);
        BOOST_TEST(q.bytes_read == 0u);
    }
}

BOOST_AUTO_TEST_CASE(malformed_input_is_400) {
    FakeParams q1;
    q1.params = {{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/?a=%zz"}};
    BOOST_TEST(status_of(q1) == 400);
    FakeParams q2;
    q2.params = {{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/%FF"}};
    BOOST_TEST(status_of(q2) == 400);
    FakeParams q3;
    q3.params = {{"REQUEST_METHOD", "POST"},
                 {"REQUEST_URI", "/login"},
                 {"CONTENT_TYPE", "application/x-www-form-urlencoded"},
                 {"CONTENT_LENGTH", "5"}};
    q3.body = "a=%C3";
    BOOST_TEST(status_of(q3) == 400);
    FakeParams q4;  // body shorter than announced
    q4.params = {{"REQUEST_METHOD", "POST"}, {"REQUEST_URI", "/login"}, {"CONTENT_LENGTH", "10"}};
    q4.body = "abc";
    BOOST_TEST(status_of(q4) == 400);
}

BOOST_AUTO_TEST_CASE(response_has_security_headers_and_head_has_no_body) {
    Response r;
    r.body = "<p>hi</p>";
    const std::string full = r.serialize(false);
    for (const char* h :
         {"Content-Type: text/html; charset=utf-8", "X-Content-Type-Options: nosniff",
          "Referrer-Policy: same-origin", "frame-ancestors 'none'", "Content-Length: 9"}) {
        BOOST_TEST_INFO(h);
        BOOST_TEST(full.find(h) != std::string::npos);
    }
    BOOST_TEST(full.find("unsafe-inline") == std::string::npos);
    BOOST_TEST(full.substr(full.size() - 9) == "<p>hi</p>");
    const std::string head = r.serialize(true);
    BOOST_TEST(head.find("<p>hi</p>") == std::string::npos);
    BOOST_TEST(head.find("Content-Length: 9") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(request_origin)

BOOST_AUTO_TEST_CASE(own_origin_includes_non_default_ports) {
    Request r;
    r.headers["host"] = "Example.COM";
    r.server_port = "8080";
    BOOST_TEST(r.own_origin() == "http://example.com:8080");
    r.headers["host"] = "example.com:8080";  // Apache passes the client's Host
    BOOST_TEST(r.own_origin() == "http://example.com:8080");
    r.server_port = "80";
    r.headers["host"] = "example.com";
    BOOST_TEST(r.own_origin() == "http://example.com");
    r.https = true;
    r.server_port = "443";
    BOOST_TEST(r.own_origin() == "https://example.com");
    r.server_port = "8443";
    BOOST_TEST(r.own_origin() == "https://example.com:8443");
    r.headers["host"] = "[::1]:8443";
    BOOST_TEST(r.own_origin() == "https://[::1]:8443");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(request_params)

BOOST_AUTO_TEST_CASE(finds_the_params_in_one_pass) {
    const char* envp[] = {"SERVER_SOFTWARE=nginx/1.22.1",
                          "REQUEST_METHOD=GET",
                          "REQUEST_URI=/login?next=%2F",
                          "HTTP_ACCEPT_LANGUAGE=en",  // not read by mfo
                          "HTTP_ACCEPT=text/html",
                          "HTTPS=",
                          "HTTP_COOKIE=a=b=c",  // only the first '=' ends the name
                          "NOEQUALS",
                          "=nameless",
                          "HTTP_X_REQUESTED_WITH=XMLHttpRequest",
                          "REQUEST_METHOD=POST",  // a repeat: the first one counts
                          nullptr};
    const RequestParams p = read_request_params(envp);
    BOOST_TEST(std::string(p.get(RequestParams::request_method)) == "GET");
    BOOST_TEST(std::string(p.get(RequestParams::request_uri)) == "/login?next=%2F");
    BOOST_TEST(std::string(p.get(RequestParams::http_accept)) == "text/html");
    BOOST_TEST(std::string(p.get(RequestParams::http_cookie)) == "a=b=c");
    BOOST_TEST(std::string(p.get(RequestParams::http_x_requested_with)) == "XMLHttpRequest");
    BOOST_REQUIRE(p.get(RequestParams::https) != nullptr);  // present, empty
    BOOST_TEST(std::string(p.get(RequestParams::https)).empty());
    BOOST_TEST(p.get(RequestParams::http_origin) == nullptr);
    BOOST_TEST(p.get(RequestParams::content_length) == nullptr);
    BOOST_TEST(read_request_params(nullptr).get(RequestParams::request_method) == nullptr);
}

BOOST_AUTO_TEST_CASE(every_name_is_found) {
    std::vector<std::string> entries;
    for (std::size_t i = 0; i < RequestParams::count; ++i) {
        const auto name = static_cast<RequestParams::Name>(i);
        const std::string text(RequestParams::name_of(name));
        entries.push_back(text + "=" + text);  // each value names its param
    }
    std::vector<const char*> envp;
    for (const auto& e : entries) envp.push_back(e.c_str());
    envp.push_back(nullptr);
    const RequestParams p = read_request_params(envp.data());
    for (std::size_t i = 0; i < RequestParams::count; ++i) {
        const auto name = static_cast<RequestParams::Name>(i);
        BOOST_TEST_INFO(RequestParams::name_of(name));
        BOOST_REQUIRE(p.get(name) != nullptr);
        BOOST_TEST(p.get(name) == RequestParams::name_of(name));
    }
}

BOOST_AUTO_TEST_SUITE_END()
