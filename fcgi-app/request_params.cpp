#include "request_params.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace mfo {

namespace {

constexpr std::array<std::string_view, RequestParams::count> kNames = {
    "REQUEST_METHOD",        "REQUEST_URI",
    "SCRIPT_NAME",           "PATH_INFO",
    "QUERY_STRING",          "CONTENT_TYPE",
    "CONTENT_LENGTH",        "REMOTE_ADDR",
    "SERVER_PORT",           "HTTPS",
    "HTTP_COOKIE",           "HTTP_ACCEPT",
    "HTTP_ORIGIN",           "HTTP_HOST",
    "HTTP_REFERER",          "HTTP_USER_AGENT",
    "HTTP_SEC_FETCH_SITE",   "HTTP_SEC_FETCH_MODE",
    "HTTP_SEC_FETCH_USER",   "HTTP_X_CSRF_TOKEN",
    "HTTP_X_REQUESTED_WITH",
};

constexpr std::size_t kLongestName = [] {
    std::size_t longest = 0;
    for (std::string_view name : kNames) longest = std::max(longest, name.size());
    return longest;
}();

// The params of each name length: an environment name is compared only with
// the few of its own length.
struct SameLength {
    std::array<std::uint8_t, 8> params{};
    std::size_t count = 0;
};

constexpr std::array<SameLength, kLongestName + 1> kByLength = [] {
    std::array<SameLength, kLongestName + 1> table{};
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        SameLength& same = table[kNames[i].size()];
        same.params[same.count++] = static_cast<std::uint8_t>(i);  // a full bucket fails to compile
    }
    return table;
}();

}  // namespace

std::string_view RequestParams::name_of(Name name) {
    return kNames[name];
}

RequestParams read_request_params(const char* const* envp) {
    RequestParams params;
    if (!envp) return params;
    for (; *envp; ++envp) {
        const char* entry = *envp;
        const char* eq = std::strchr(entry, '=');  // the name ends at the first '='
        if (!eq) continue;
        const auto length = static_cast<std::size_t>(eq - entry);
        if (length > kLongestName) continue;
        const std::string_view name(entry, length);
        const SameLength& same = kByLength[length];
        for (std::size_t k = 0; k < same.count; ++k) {
            const std::size_t i = same.params[k];
            // The last letter tells most names of one length apart.
            if (kNames[i].back() != name.back() || kNames[i] != name) continue;
            if (!params.values[i]) params.values[i] = eq + 1;
            break;
        }
    }
    return params;
}

}  // namespace mfo
