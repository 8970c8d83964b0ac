#pragma once
// The FastCGI params a request is built from, found in one pass over the
// request's environment: FCGX_GetParam scans the whole environment for every
// name it is asked for (13-15k instructions per request).

#include <array>
#include <cstddef>
#include <string_view>

namespace mfo {

struct RequestParams {
    // Only the params mfo reads; everything else in the environment is ignored.
    enum Name : std::size_t {
        request_method,
        request_uri,
        script_name,
        path_info,
        query_string,
        content_type,
        content_length,
        remote_addr,
        server_port,
        https,
        http_cookie,
        // The request headers mfo uses (HTTP_*), see request.cpp.
        http_accept,
        http_origin,
        http_host,
        http_referer,
        http_user_agent,
        http_sec_fetch_site,
        http_sec_fetch_mode,
        http_sec_fetch_user,
        http_x_csrf_token,
        http_x_requested_with,
        // Set by an nginx auth_request location (conf/nginx/mfo-protect.conf):
        // "check" or "page" (pipeline/authorizer.hpp). A client cannot send it:
        // front servers pass client headers only as HTTP_*.
        mfo_authorize,
        count
    };

    // The FastCGI name of each param, e.g. "REQUEST_METHOD".
    static std::string_view name_of(Name name);

    // nullptr when absent, like FCGX_GetParam; an empty value is present.
    const char* get(Name name) const { return values[name]; }

    std::array<const char*, count> values{};
};

// Reads a FastCGI environment ("NAME=value" strings, nullptr-terminated; the
// strings must outlive the result). When a name repeats, the first one counts,
// as with FCGX_GetParam.
RequestParams read_request_params(const char* const* envp);

// The FastCGI role of a request (FCGI_BEGIN_REQUEST), as libfcgi reports it.
enum class FcgiRole { responder, authorizer, filter };

}  // namespace mfo
