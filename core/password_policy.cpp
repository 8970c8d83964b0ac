#include "password_policy.hpp"

#include <algorithm>
#include <fstream>

#include "utf8_text.hpp"

namespace mfo {

namespace {
std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c);
    });
    return out;
}
}  // namespace

PasswordPolicy::PasswordPolicy(const std::string& common_passwords_file) {
    std::ifstream in(common_passwords_file);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        common_.insert(ascii_lower(line));
    }
}

std::optional<std::string> PasswordPolicy::check(std::string_view password) const {
    const auto length = utf8_length(password);
    if (!length) return "Password is not valid UTF-8";
    if (*length == 0) return "Password not provided";
    if (*length < kMinLength) return "Password must be at least 8 characters";
    if (*length > kMaxLength) return "Password must be at most 128 characters";
    if (common_.count(ascii_lower(password))) return "This password is too common";
    return std::nullopt;
}

}  // namespace mfo
