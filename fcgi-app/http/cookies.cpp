#include "http/cookies.hpp"

#include <vector>

namespace mfo {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool valid_name(std::string_view name) {
    if (name.empty()) return false;
    for (unsigned char c : name) {
        if (c <= 0x20 || c >= 0x7f) return false;
        switch (c) {
            case '(':
            case ')':
            case '<':
            case '>':
            case '@':
            case ',':
            case ';':
            case ':':
            case '\\':
            case '"':
            case '/':
            case '[':
            case ']':
            case '?':
            case '=':
            case '{':
            case '}':
                return false;
            default:
                break;
        }
    }
    return true;
}

bool valid_value(std::string_view value) {
    for (unsigned char c : value) {
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') return false;
    }
    return true;
}
}  // namespace

std::map<std::string, std::string, std::less<>> parse_cookie_header(std::string_view header) {
    std::map<std::string, std::string, std::less<>> out;
    std::vector<std::string> ambiguous;
    while (!header.empty()) {
        const std::size_t semi = header.find(';');
        const std::string_view pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = trim(pair.substr(0, eq));
        std::string_view value = trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        if (!valid_name(name) || !valid_value(value)) continue;
        const auto [it, added] = out.emplace(std::string(name), std::string(value));
        if (!added && it->second != value) ambiguous.emplace_back(name);
    }
    for (const auto& name : ambiguous) out.erase(name);
    return out;
}

std::string SetCookie::header_value() const {
    std::string out = name + "=" + value + "; Path=/";
    if (max_age) out += "; Max-Age=" + std::to_string(*max_age);
    if (http_only) out += "; HttpOnly";
    if (secure) out += "; Secure";
    if (!same_site.empty()) out += "; SameSite=" + same_site;
    return out;
}

SetCookie SetCookie::expire(std::string name, bool secure) {
    SetCookie c;
    c.name = std::move(name);
    c.value = "";
    c.secure = secure;
    c.max_age = 0;
    return c;
}

}  // namespace mfo
