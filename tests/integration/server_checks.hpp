#pragma once
// Helpers of the server-level integration tests (test_pages.cpp,
// test_pool.cpp): the headers every response must carry, logging in through
// the form, raw HTTP for what libcurl hides, and the shared stack's paths.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "http_client.hpp"

namespace mfo::test::server_tests {

inline std::string shared_url() {
    return require_env("MFO_TEST_BASE_URL");
}

// The shared pool's stderr (scripts/test: build/test-stack/log/mfo-fcgi.log).
inline std::string shared_pool_log_path() {
    if (const char* d = std::getenv("MFO_TEST_LOG_DIR"); d && *d) {
        return std::string(d) + "/mfo-fcgi.log";
    }
    return require_env("MFO_TEST_STACK_DIR") + "/log/mfo-fcgi.log";
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

inline std::size_t occurrences(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + needle.size())) {
        ++n;
    }
    return n;
}

inline std::string lower_case(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// 16 random hex digits: makes a request path unique in a log shared by runs.
inline std::string unique_suffix() {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (auto v = rng(); out.size() < 16; v >>= 4) out += digits[v & 15];
    return out;
}

// The headers the issue requires on every response: nosniff, same-origin
// referrers, a CSP that forbids framing and inline code, each exactly once
// (nginx replaces the app's copies), and no version banner. `charset`: the
// Content-Type names utf-8 (responses with an HTML or text body).
inline void check_response_headers(const HttpResponse& r, const std::string& what,
                                   bool charset = true) {
    BOOST_TEST_CONTEXT(what << " (status " << r.status << ")") {
        if (charset) {
            BOOST_CHECK_MESSAGE(contains(lower_case(r.header("content-type")), "charset=utf-8"),
                                "Content-Type: " << r.header("content-type"));
        }
        BOOST_CHECK_EQUAL(r.headers.count("x-content-type-options"), 1u);
        BOOST_CHECK_EQUAL(r.header("x-content-type-options"), "nosniff");
        BOOST_CHECK_EQUAL(r.headers.count("referrer-policy"), 1u);
        BOOST_CHECK_EQUAL(r.header("referrer-policy"), "same-origin");
        BOOST_CHECK_EQUAL(r.headers.count("content-security-policy"), 1u);
        const std::string csp = r.header("content-security-policy");
        BOOST_CHECK_MESSAGE(contains(csp, "frame-ancestors 'none'"), "CSP: " << csp);
        BOOST_CHECK_MESSAGE(!contains(csp, "'unsafe-inline'") && !contains(csp, "'unsafe-eval'"),
                            "CSP: " << csp);
        // nginx's bare "Server: nginx" is fine; a version or the app's name is not.
        if (r.has_header("server")) BOOST_CHECK_EQUAL(r.header("server"), "nginx");
        BOOST_CHECK(!r.has_header("x-powered-by"));
        for (const auto& [name, value] : r.headers) {
            BOOST_CHECK_MESSAGE(
                !contains(lower_case(value), "mfo/") && !contains(lower_case(value), "nginx/"),
                name << ": " << value);
        }
    }
}

// Logs `client` in through the form as a browser does: GET /login for the
// form's csrf_token (and its cookie), then POST /login. Requires the success
// redirect and a session cookie.
inline void log_in(HttpClient& client, const std::string& email, const std::string& password) {
    const HttpResponse form = client.get("/login");
    BOOST_REQUIRE_EQUAL(form.status, 200);
    const std::string token = input_value(form.body, "csrf_token");
    BOOST_REQUIRE(!token.empty());
    const HttpResponse r = client.post_form(
        "/login", {{"email", email}, {"password", password}, {"csrf_token", token}});
    BOOST_REQUIRE_MESSAGE(r.status == 302, "login as " << email << ": status " << r.status);
    BOOST_REQUIRE_MESSAGE(client.cookies().count("mfo_session") == 1,
                          "login as " << email << " set no session cookie");
}

// One HTTP/1.1 exchange over a plain TCP connection (Connection: close),
// returning every byte the server sent: shows what libcurl would hide, e.g.
// a body after a HEAD answer.
inline std::string raw_http(const std::string& base_url, const std::string& request) {
    const auto colon = base_url.rfind(':');
    const int port = std::stoi(base_url.substr(colon + 1));
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        throw std::runtime_error("connect to " + base_url + " failed");
    }
    for (std::size_t sent = 0; sent < request.size();) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send failed");
        sent += static_cast<std::size_t>(n);
    }
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

}  // namespace mfo::test::server_tests
