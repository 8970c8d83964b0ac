#pragma once
// A parsed HTTP request, built from FastCGI params and the body.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/form_parser.hpp"
#include "http/request_params.hpp"

namespace mfo {

struct Request {
    std::string method;
    std::string raw_path;      // as sent, before '?'
    std::string path;          // normalised: what routing and access use
    std::string query_string;  // raw
    FormData query;
    std::map<std::string, std::string, std::less<>> headers;  // lower-case names
    std::map<std::string, std::string, std::less<>> cookies;
    std::string remote_addr;
    std::string server_port;  // the port the front server took the request on
    bool https = false;
    std::string content_type;  // media type only, lower-case
    std::string body;
    FormData form;  // for application/x-www-form-urlencoded bodies

    std::string header(std::string_view name) const;
    std::optional<std::string> cookie(std::string_view name) const;
    // The client prefers JSON (Accept or Content-Type application/json).
    bool wants_json() const;
    bool is_json_body() const { return content_type == "application/json"; }
    // "path?query" as the client sent it, for login redirects.
    std::string path_with_query() const;
    // "scheme://host[:port]" of this site as a browser names it in Origin.
    std::string own_origin() const;
};

// Reads up to `n` bytes of body into the buffer; returns the count read.
using BodyReader = std::function<std::size_t(char*, std::size_t)>;

// Builds a Request. Throws HttpError: 400 for a malformed path, query, length
// or body; 413 for a CONTENT_LENGTH over `max_body` (nothing is read then).
Request parse_request(const RequestParams& params, const BodyReader& read_body,
                      std::int64_t max_body);

}  // namespace mfo
