#include "http/request.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include "http/cookies.hpp"
#include "http/http_error.hpp"
#include "http/path_normalizer.hpp"

namespace mfo {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string param_or(const RequestParams& params, RequestParams::Name name) {
    const char* v = params.get(name);
    return v ? v : "";
}

// The HTTP_* params are the request headers; these are the ones mfo uses.
constexpr std::pair<RequestParams::Name, const char*> kHeaderParams[] = {
    {RequestParams::http_accept, "accept"},
    {RequestParams::http_origin, "origin"},
    {RequestParams::http_host, "host"},
    {RequestParams::http_referer, "referer"},
    {RequestParams::http_user_agent, "user-agent"},
    {RequestParams::http_sec_fetch_site, "sec-fetch-site"},
    {RequestParams::http_sec_fetch_mode, "sec-fetch-mode"},
    {RequestParams::http_sec_fetch_user, "sec-fetch-user"},
    {RequestParams::http_x_csrf_token, "x-csrf-token"},
    {RequestParams::http_x_requested_with, "x-requested-with"},
};

std::int64_t parse_content_length(const std::string& text) {
    if (text.empty()) return 0;
    if (text.size() > 18 ||
        !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        throw HttpError(400, "Invalid Content-Length.");
    }
    return std::stoll(text);
}

}  // namespace

std::string Request::header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
    auto it = cookies.find(name);
    if (it == cookies.end()) return std::nullopt;
    return it->second;
}

bool Request::wants_json() const {
    const std::string accept = lower(header("accept"));
    if (accept.find("application/json") != std::string::npos &&
        accept.find("text/html") == std::string::npos)
        return true;
    return is_json_body();
}

std::string Request::path_with_query() const {
    return query_string.empty() ? path : path + "?" + query_string;
}

std::string Request::own_origin() const {
    // nginx's fastcgi_params passes $host (no port) as HTTP_HOST; Apache passes
    // the client's Host. Either way the port comes from SERVER_PORT, left out
    // where the browser leaves it out (the scheme's default).
    std::string host = header("host");
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);  // [IPv6]:port
    } else {
        host = host.substr(0, host.find(':'));
    }
    std::string origin = (https ? "https://" : "http://") + lower(host);
    const bool default_port =
        server_port.empty() || (https && server_port == "443") || (!https && server_port == "80");
    if (!default_port) origin += ":" + server_port;
    return origin;
}

Request parse_request(const RequestParams& params, const BodyReader& read_body,
                      std::int64_t max_body) {
    Request req;
    req.method = param_or(params, RequestParams::request_method);
    if (req.method.empty()) throw HttpError(400, "Missing request method.");

    std::string uri = param_or(params, RequestParams::request_uri);
    if (uri.empty())
        uri = param_or(params, RequestParams::script_name) +
              param_or(params, RequestParams::path_info);
    const std::size_t q = uri.find('?');
    req.raw_path = uri.substr(0, q);
    req.query_string =
        q == std::string::npos ? param_or(params, RequestParams::query_string) : uri.substr(q + 1);

    auto path = normalize_path(req.raw_path);
    if (!path) throw HttpError(400, "Malformed request path.");
    req.path = std::move(*path);
    auto query = parse_urlencoded(req.query_string);
    if (!query) throw HttpError(400, "Malformed query string.");
    req.query = std::move(*query);

    for (const auto& [param_name, header_name] : kHeaderParams) {
        if (const char* v = params.get(param_name)) req.headers.emplace(header_name, v);
    }
    req.cookies = parse_cookie_header(param_or(params, RequestParams::http_cookie));
    req.remote_addr = param_or(params, RequestParams::remote_addr);
    req.server_port = param_or(params, RequestParams::server_port);
    const std::string https = lower(param_or(params, RequestParams::https));
    req.https = !https.empty() && https != "off";

    const std::string content_type = param_or(params, RequestParams::content_type);
    req.content_type = lower(content_type.substr(0, content_type.find(';')));
    while (!req.content_type.empty() && req.content_type.back() == ' ') req.content_type.pop_back();

    const std::int64_t length =
        parse_content_length(param_or(params, RequestParams::content_length));
    if (length > max_body) throw HttpError(413, "The request body is too large.");
    if (length > 0) {
        req.body.resize(static_cast<std::size_t>(length));
        std::size_t got = 0;
        while (got < req.body.size()) {
            const std::size_t n = read_body(req.body.data() + got, req.body.size() - got);
            if (n == 0) break;
            got += n;
        }
        if (got != req.body.size()) throw HttpError(400, "The request body is incomplete.");
    }
    if (req.content_type == "application/x-www-form-urlencoded") {
        auto form = parse_urlencoded(req.body);
        if (!form) throw HttpError(400, "Malformed form data.");
        req.form = std::move(*form);
    }
    return req;
}

}  // namespace mfo
