#pragma once
// An HTTP response and its serialisation as a FastCGI (CGI-style) reply.

#include <string>
#include <utility>
#include <vector>

#include "http/cookies.hpp"

namespace mfo {

struct Response {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<SetCookie> cookies;
    std::string body;
    // Cache-Control: no-store (pages with user data, or setting a session).
    bool no_store = false;

    void add_header(std::string name, std::string value);
    // Replaces a cookie of the same name set earlier in this response.
    void set_cookie(SetCookie cookie);
    // Status line, fixed security headers, then the body unless `head_only`.
    std::string serialize(bool head_only) const;

    static Response redirect(const std::string& location, int status = 302);
};

const char* status_text(int status);

}  // namespace mfo
