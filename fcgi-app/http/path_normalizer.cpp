#include "http/path_normalizer.hpp"

#include <vector>

#include "http/form_parser.hpp"

namespace mfo {

std::optional<std::string> normalize_path(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
    auto decoded = percent_decode(raw_path, false);
    if (!decoded) return std::nullopt;
    for (unsigned char c : *decoded) {
        if (c < 0x20 || c == 0x7f) return std::nullopt;
    }
    std::vector<std::string_view> segments;
    std::string_view rest(*decoded);
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
            continue;
        }
        segments.push_back(segment);
    }
    if (segments.empty()) return std::string(1, '/');
    std::string out;
    for (const auto& segment : segments) {
        out.push_back('/');
        out.append(segment);
    }
    return out;
}

}  // namespace mfo
