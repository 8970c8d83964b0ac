#include "http/request_params.hpp"

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
    "HTTP_X_REQUESTED_WITH", "MFO_AUTHORIZE",
};

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
        const std::string_view name(entry, static_cast<std::size_t>(eq - entry));
        for (std::size_t i = 0; i < kNames.size(); ++i) {
            if (kNames[i] != name) continue;
            if (!params.values[i]) params.values[i] = eq + 1;
            break;
        }
    }
    return params;
}

}  // namespace mfo
