#include "http/response.hpp"

namespace mfo {

namespace {
// The same policy for every dynamic page: no inline script or style at all.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
}  // namespace

const char* status_text(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Content Too Large";
        case 415:
            return "Unsupported Media Type";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

void Response::add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
}

void Response::set_cookie(SetCookie cookie) {
    for (auto& existing : cookies) {
        if (existing.name == cookie.name) {
            existing = std::move(cookie);
            return;
        }
    }
    cookies.push_back(std::move(cookie));
}

std::string Response::serialize(bool head_only) const {
    std::string out;
    out.reserve(512 + (head_only ? 0 : body.size()));
    out += "Status: " + std::to_string(status) + " " + status_text(status) + "\r\n";
    out += "Content-Type: " + content_type + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    out += "Referrer-Policy: same-origin\r\n";
    out += "X-Frame-Options: DENY\r\n";
    out += std::string("Content-Security-Policy: ") + kContentSecurityPolicy + "\r\n";
    out += "Vary: Cookie\r\n";
    if (no_store || !cookies.empty()) out += "Cache-Control: no-store\r\n";
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    for (const auto& cookie : cookies) out += "Set-Cookie: " + cookie.header_value() + "\r\n";
    out += "\r\n";
    if (!head_only) out += body;
    return out;
}

Response Response::redirect(const std::string& location, int status) {
    Response r;
    r.status = status;
    r.add_header("Location", location);
    r.body = "";
    return r;
}

}  // namespace mfo
