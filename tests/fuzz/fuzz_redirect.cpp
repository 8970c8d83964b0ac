// The `next` parameter of /login and /register.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/redirect_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view next(reinterpret_cast<const char*>(data), size);
    const bool safe = mfo::is_safe_redirect(next);
    const std::string target = mfo::safe_redirect_or_home(next);
    if (safe != (target == next) && !(next == "/" && target == "/")) __builtin_trap();
    if (!safe) {
        if (target != "/") __builtin_trap();
        return 0;
    }
    // A safe target is a path on this site: one leading '/', never "//" or
    // "/\" (both name another host in browsers), no whitespace or controls.
    if (next.empty() || next.front() != '/') __builtin_trap();
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) __builtin_trap();
    for (const unsigned char c : next) {
        if (c <= 0x20 || c == 0x7f || c == '\\') __builtin_trap();
    }
    return 0;
}
