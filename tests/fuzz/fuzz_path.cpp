// The routing path: what the router and the access checks both use.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/path_normalizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const auto path = mfo::normalize_path(raw);
    if (!path) return 0;
    const std::string& p = *path;
    // Canonical: starts with '/', no empty or dot segments, no trailing '/',
    // no control characters. "/admin" has exactly one spelling.
    if (p.empty() || p.front() != '/') __builtin_trap();
    if (p.size() > 1 && p.back() == '/') __builtin_trap();
    if (p.find("//") != std::string::npos) __builtin_trap();
    if (p.find("/./") != std::string::npos || p.find("/../") != std::string::npos) __builtin_trap();
    if (p.size() >= 2 && p.compare(p.size() - 2, 2, "/.") == 0) __builtin_trap();
    if (p.size() >= 3 && p.compare(p.size() - 3, 3, "/..") == 0) __builtin_trap();
    for (const unsigned char c : p) {
        if (c < 0x20 || c == 0x7f) __builtin_trap();
    }
    // Normalising again changes nothing (unless a decoded '%' starts a new escape).
    if (p.find('%') == std::string::npos) {
        const auto again = mfo::normalize_path(p);
        if (!again || *again != p) __builtin_trap();
    }
    return 0;
}
