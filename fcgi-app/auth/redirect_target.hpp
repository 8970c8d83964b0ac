#pragma once
// The `next` parameter: only a same-origin path may be a redirect target.

#include <string>
#include <string_view>

namespace mfo {

// True for a local path such as "/admin" or "/?x=1". False for absolute URLs,
// scheme-relative "//host", any backslash (browsers read "/\host" as
// "//host"), control characters or whitespace, "javascript:" and anything not
// starting with a single '/'.
bool is_safe_redirect(std::string_view next);

// `next` when safe, else "/".
std::string safe_redirect_or_home(std::string_view next);

}  // namespace mfo
