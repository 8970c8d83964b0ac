#pragma once
// UTF-8 text helpers shared by the worker's parsers, the password policy and
// the tools' tables.

#include <cstddef>
#include <optional>
#include <string_view>

namespace mfo {

// Number of Unicode code points, or nullopt when `s` is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF included).
std::optional<std::size_t> utf8_length(std::string_view s);

}  // namespace mfo
