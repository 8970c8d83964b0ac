#pragma once
// A minimal FastCGI client (one request per connection, any role) for
// talking to the worker pool's socket directly, past nginx: to see exactly
// what the worker writes (a HEAD answer without a body) and to send params
// nginx would never pass (a malformed CONTENT_LENGTH).

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mfo::test {

using FcgiParams = std::vector<std::pair<std::string, std::string>>;

struct FcgiReply {
    std::string raw;     // the FCGI_STDOUT stream: CGI headers, blank line, body
    std::string errors;  // the FCGI_STDERR stream
    int status = 0;      // from the Status: header (200 when absent)
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::string body;                                 // what follows the blank line
    bool has_blank_line = false;

    std::string header(const std::string& lower_name) const;
};

// The params nginx's fastcgi_params would send for METHOD URI (with
// QUERY_STRING split off), plus `extra` (which replace same-named ones).
FcgiParams fcgi_params(const std::string& method, const std::string& uri,
                       const FcgiParams& extra = {});

// Sends one request to the unix socket at `socket_path` and reads the whole
// answer. Throws std::runtime_error on connection or protocol errors.
// `role`: the FastCGI role (1 RESPONDER, 2 AUTHORIZER, 3 FILTER).
FcgiReply fcgi_request(const std::string& socket_path, const FcgiParams& params,
                       const std::string& body = "",
                       std::chrono::milliseconds timeout = std::chrono::seconds(10), int role = 1);

}  // namespace mfo::test
