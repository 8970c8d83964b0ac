// Syntax only: whether mail can be delivered is not checked (no DNS), as in
// Flask-Security with check_deliverability off. The local part is ASCII: an
// internationalised one needs SMTPUTF8 to be deliverable and invites
// look-alike addresses; domains must be given in their ASCII (punycode) form.

#include "email_address.hpp"

#include <algorithm>

namespace mfo {

namespace {

constexpr std::size_t kMaxAddressLength = 254;
constexpr std::size_t kMaxLocalLength = 64;
constexpr std::size_t kMaxLabelLength = 63;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext.
bool is_atext(char c) {
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return is_alnum(c) || specials.find(c) != std::string_view::npos;
}

// Runs of atext separated by single dots, not starting or ending with one.
bool is_dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '.') {
            if (s[i + 1] == '.') return false;
        } else if (!is_atext(s[i])) {
            return false;
        }
    }
    return true;
}

// Letters, digits and hyphens, not at either end of a label.
bool is_ldh_label(std::string_view label) {
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_domain(std::string_view domain) {
    if (domain.find('.') == std::string_view::npos) return false;
    std::size_t start = 0;
    while (true) {
        const auto dot = domain.find('.', start);
        const auto label = domain.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!is_ldh_label(label)) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view input) {
    while (!input.empty() && is_space(input.front())) input.remove_prefix(1);
    while (!input.empty() && is_space(input.back())) input.remove_suffix(1);
    if (input.empty() || input.size() > kMaxAddressLength) return std::nullopt;

    const auto at = input.find('@');
    if (at == std::string_view::npos || input.find('@', at + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    const auto local = input.substr(0, at);
    const auto domain = input.substr(at + 1);
    // Every character is checked against an ASCII whitelist below, which
    // also keeps out spaces, control characters and non-ASCII bytes.
    if (local.size() > kMaxLocalLength || !is_dot_atom(local) || !is_domain(domain)) {
        return std::nullopt;
    }

    std::string out(local);
    out += '@';
    for (char c : domain) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return out;
}

}  // namespace mfo
