#pragma once
// Cookie header parsing and Set-Cookie building.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mfo {

// Name -> value from a Cookie header. Malformed pairs are skipped. A name
// sent twice with different values is dropped altogether: the browser sends
// a cookie "tossed" by a sibling subdomain (Domain=.example.com, or a longer
// Path to come first) next to ours, and nothing tells which is which, so
// neither is trusted (README, "Security model").
std::map<std::string, std::string, std::less<>> parse_cookie_header(std::string_view header);

struct SetCookie {
    std::string name;
    std::string value;
    bool http_only = true;
    bool secure = false;
    std::string same_site = "Lax";
    std::optional<long> max_age;  // nullopt: a browser-session cookie

    std::string header_value() const;
    // A cookie that tells the browser to drop `name` now.
    static SetCookie expire(std::string name, bool secure);
};

}  // namespace mfo
