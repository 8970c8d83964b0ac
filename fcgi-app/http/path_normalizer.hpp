#pragma once
// The routing path: the one string both the router and the access checks use.

#include <optional>
#include <string>
#include <string_view>

namespace mfo {

// Percent-decodes the raw request path and removes dot segments, empty
// segments ('//') and a trailing '/': "//admin", "/a/../admin", "/%61dmin"
// and "/admin/" all become "/admin". nullopt (400) for a path that does not
// start with '/', a malformed escape, invalid UTF-8 or a control character.
std::optional<std::string> normalize_path(std::string_view raw_path);

}  // namespace mfo
