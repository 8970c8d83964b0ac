#include "auth/redirect_target.hpp"

#include "http/form_parser.hpp"

namespace mfo {

bool is_safe_redirect(std::string_view next) {
    if (next.empty() || next.size() > 2048) return false;
    if (next[0] != '/') return false;
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return false;
    for (unsigned char c : next) {
        if (c <= 0x20 || c == 0x7f || c == '\\') return false;
    }
    if (!is_valid_utf8(next)) return false;
    // An encoded slash or backslash right after the first '/' can be decoded
    // by a later hop into "//host".
    if (next.size() >= 4 && next[1] == '%') {
        const std::string_view esc = next.substr(2, 2);
        if (esc == "2f" || esc == "2F" || esc == "5c" || esc == "5C") return false;
    }
    return true;
}

std::string safe_redirect_or_home(std::string_view next) {
    return is_safe_redirect(next) ? std::string(next) : std::string("/");
}

}  // namespace mfo
