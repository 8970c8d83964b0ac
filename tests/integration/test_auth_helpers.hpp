#pragma once
// What the test_auth_*.cpp files share: reading Set-Cookie attributes, asking
// the app who the client is, and waiting on the clock with a deadline.

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "http_client.hpp"
#include "session_feed_wait.hpp"

namespace mfo::test::auth_tests {

// The app's cookie names as the shared front server makes them: under https
// (tests/https/through-https) every cookie is Secure and named __Host-NAME.
inline std::string app_cookie_name(const std::string& name) {
    const char* base = std::getenv("MFO_TEST_BASE_URL");
    const bool https = base && std::string_view(base).starts_with("https://");
    return (https ? "__Host-" : "") + name;
}
inline const std::string kSessionCookie = app_cookie_name("mfo_session");
inline const std::string kCsrfCookie = app_cookie_name("mfo_csrf");
inline const std::string kFlashCookie = app_cookie_name("mfo_flash");

// Extra MFO_<SECTION>_<KEY> settings for a PrivateStack's pool.
using Overrides = std::vector<std::pair<std::string, std::string>>;

inline std::string shared_base_url() {
    return require_env("MFO_TEST_BASE_URL");
}

inline bool has(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

inline std::string lowered(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// One Set-Cookie header, split into name, value and attributes (attribute
// names lower-cased; flags such as HttpOnly map to "").
struct CookieAttrs {
    std::string name;
    std::string value;
    std::map<std::string, std::string> attrs;

    bool has_attr(const std::string& lower_name) const { return attrs.count(lower_name) > 0; }
    std::string attr(const std::string& lower_name) const {
        auto it = attrs.find(lower_name);
        return it == attrs.end() ? std::string() : it->second;
    }
    // Max-Age=0 (or an empty value): the server asks the browser to drop it.
    bool expires_now() const { return value.empty() || attr("max-age") == "0"; }
};

inline std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

inline CookieAttrs parse_set_cookie(const std::string& raw) {
    CookieAttrs c;
    std::size_t start = 0;
    bool first = true;
    while (start <= raw.size()) {
        std::size_t end = raw.find(';', start);
        if (end == std::string::npos) end = raw.size();
        const std::string part = trimmed(raw.substr(start, end - start));
        const auto eq = part.find('=');
        const std::string key = trimmed(part.substr(0, eq));
        const std::string value = eq == std::string::npos ? "" : trimmed(part.substr(eq + 1));
        if (first) {
            c.name = key;
            c.value = value;
            first = false;
        } else if (!key.empty()) {
            c.attrs[lowered(key)] = value;
        }
        start = end + 1;
    }
    return c;
}

// The Set-Cookie for `name` in `r`, if any.
inline std::optional<CookieAttrs> cookie_in(const HttpResponse& r, const std::string& name) {
    for (const auto& raw : r.set_cookies) {
        CookieAttrs c = parse_set_cookie(raw);
        if (c.name == name) return c;
    }
    return std::nullopt;
}

// A Set-Cookie that drops `name` in the browser.
inline bool clears_cookie(const HttpResponse& r, const std::string& name) {
    const auto c = cookie_in(r, name);
    return c && c->expires_now();
}

// GET /api/me: the JSON "user" object when the client is logged in, nullopt
// when the app answers 401. Anything else throws: the test should not guess.
inline std::optional<nlohmann::json> current_user(HttpClient& client) {
    const HttpResponse r = client.get("/api/me", {{"Accept", "application/json"}});
    if (r.status == 401) return std::nullopt;
    if (r.status != 200) {
        throw std::runtime_error("GET /api/me answered " + std::to_string(r.status) + ": " +
                                 r.body.substr(0, 500));
    }
    return nlohmann::json::parse(r.body).at("response").at("user");
}

// The logged-in email, or "" when anonymous.
inline std::string current_email(HttpClient& client) {
    const auto user = current_user(client);
    return user ? user->at("email").get<std::string>() : std::string();
}

// The CSRF token of a logged-in client, from the log-out form every page
// carries (what a browser would submit).
inline std::string page_token(HttpClient& client) {
    return form_token(client, "/");
}

// A fresh client (empty jar) holding only the session cookie `token`: a
// replay of a saved cookie, as an attacker who copied it would send it.
inline HttpClient replay_client(const std::string& base_url, const std::string& token,
                                const std::string& cookie_name = kSessionCookie) {
    HttpClient c(base_url);
    c.set_cookie(cookie_name, token);
    return c;
}

// Calls `probe` every `interval` until it returns true or `deadline` has
// passed since the call. Returns the time from `since` to the first probe
// that returned true, or nullopt if it never did. For waiting on behaviour
// that is about time itself (session expiry).
template <typename Probe>
std::optional<std::chrono::milliseconds> poll_until(std::chrono::steady_clock::time_point since,
                                                    std::chrono::milliseconds deadline,
                                                    std::chrono::milliseconds interval,
                                                    Probe&& probe) {
    const auto give_up = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        const auto before = std::chrono::steady_clock::now();
        if (probe()) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(before - since);
        }
        if (std::chrono::steady_clock::now() >= give_up) return std::nullopt;
        std::this_thread::sleep_until(before + interval);
    }
}

inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Whether a browser would stay on our origin for this Location. Strict on
// purpose: no whitespace or control characters at all (browsers drop tabs and
// newlines and trim leading controls, which turns "/\t/host" into "//host");
// no scheme unless it is our own absolute origin; '\' counts as '/' (as in
// http(s) URLs); the path must not start with "//"; and its percent-decoded
// form must not either, since a later hop (proxy, framework) may decode it.
inline bool same_origin_location(std::string loc, const std::string& base, std::string& why) {
    if (loc.rfind(base + "/", 0) == 0) loc = loc.substr(base.size());
    for (unsigned char c : loc) {
        if (c <= 0x20 || c == 0x7f) {
            why = "contains whitespace or control characters";
            return false;
        }
    }
    if (std::regex_search(loc, std::regex("^[A-Za-z][A-Za-z0-9+.-]*:"))) {
        why = "has a scheme";
        return false;
    }
    std::replace(loc.begin(), loc.end(), '\\', '/');
    if (loc.empty() || loc[0] != '/') {
        why = "not an absolute path";
        return false;
    }
    if (loc.size() > 1 && loc[1] == '/') {
        why = "starts with // (another host)";
        return false;
    }
    std::string decoded;
    for (std::size_t i = 0; i < loc.size(); ++i) {
        if (loc[i] == '%' && i + 2 < loc.size() &&
            std::isxdigit(static_cast<unsigned char>(loc[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(loc[i + 2]))) {
            decoded += static_cast<char>(std::stoi(loc.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            decoded += loc[i];
        }
    }
    std::replace(decoded.begin(), decoded.end(), '\\', '/');
    if (decoded.size() > 1 && decoded[1] == '/') {
        why = "decodes to //host";
        return false;
    }
    return true;
}

// The `next` values of the open-redirect list: every one must end on a
// same-origin Location.
inline const std::vector<std::string>& hostile_nexts() {
    static const std::vector<std::string> values{
        "http://evil.example/", "https://evil.example/",
        "HTTP://evil.example/", "http:evil.example",
        "https:/evil.example",  "//evil.example",
        "//evil.example/%2F..", "///evil.example",
        "////evil.example",     "/\\evil.example",
        "\\/evil.example",      "\\\\evil.example",
        "/\\/evil.example",     "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",  "data:text/html,<script>alert(1)</script>",
        "/%2F%2Fevil.example",  "/%2f%2fevil.example",
        "/%5Cevil.example",     "/%5cevil.example",
        "%2F%2Fevil.example",   "/\t/evil.example",
        "/\n/evil.example",     "/\r\n/evil.example",
        " //evil.example",      "\t//evil.example",
        "\n//evil.example",     std::string("\x00//evil.example", 15),
        "\x01//evil.example",   "evil.example",
        "@evil.example",
    };
    return values;
}

inline std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// A right login POSTed from `origin` through `base`: refused with 403, no
// session cookie (`session_cookie`: its name there), still anonymous.
inline void expect_cross_origin_login_refused(const std::string& base, const TestAccount& account,
                                              const std::string& origin,
                                              const std::string& session_cookie) {
    BOOST_TEST_CONTEXT("Origin: " << origin) {
        HttpClient client(base);
        const std::string token = login_form_token(client);
        const HttpResponse r = client.post_form(
            "/login",
            {{"email", account.email}, {"password", account.password}, {"csrf_token", token}},
            {{"Origin", origin}});
        BOOST_TEST(r.status == 403);
        BOOST_TEST(!cookie_in(r, session_cookie).has_value());
        BOOST_TEST(current_email(client).empty());
    }
}

}  // namespace mfo::test::auth_tests
