// The Cookie request header.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/cookies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view header(reinterpret_cast<const char*>(data), size);
    const auto cookies = mfo::parse_cookie_header(header);
    for (const auto& [name, value] : cookies) {
        // Names and values are substrings of the header, never invented.
        if (name.empty() || header.find(name) == std::string_view::npos) __builtin_trap();
        if (header.find(value) == std::string_view::npos) __builtin_trap();
        if (name.find_first_of(";= \t") != std::string::npos) __builtin_trap();
        if (value.find(';') != std::string::npos) __builtin_trap();
    }
    return 0;
}
