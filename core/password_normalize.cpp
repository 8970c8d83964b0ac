#include "password_normalize.hpp"

#include <uninorm.h>
#include <unistr.h>

#include <cstdlib>
#include <memory>

namespace mfo {

std::string normalize_password(std::string_view password) {
    std::size_t length = 0;
    const auto* in = reinterpret_cast<const std::uint8_t*>(password.data());
    // u8_normalize would replace invalid sequences with U+FFFD.
    if (u8_check(in, password.size()) != nullptr) return std::string(password);
    std::unique_ptr<std::uint8_t, decltype(&std::free)> out(
        u8_normalize(UNINORM_NFKD, in, password.size(), nullptr, &length), &std::free);
    // NULL: out of memory; an empty input may also come back as NULL.
    if (!out) return std::string(password);
    return std::string(reinterpret_cast<const char*>(out.get()), length);
}

}  // namespace mfo
