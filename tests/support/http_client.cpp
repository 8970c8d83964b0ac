#include "http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <regex>
#include <stdexcept>

namespace mfo::test {

namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
};

void ensure_curl() {
    static CurlGlobal global;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* r = static_cast<HttpResponse*>(user);
    const std::string line(data, size * n);
    const auto colon = line.find(':');
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (e.g. after 100-continue)
        r->headers.clear();
        r->set_cookies.clear();
    } else if (colon != std::string::npos) {
        const std::string name = lower(trim(line.substr(0, colon)));
        const std::string value = trim(line.substr(colon + 1));
        r->headers.emplace(name, value);
        if (name == "set-cookie") r->set_cookies.push_back(value);
    }
    return size * n;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string HttpResponse::set_cookie(const std::string& name) const {
    for (const auto& c : set_cookies) {
        if (c.rfind(name + "=", 0) == 0) return c;
    }
    return "";
}

HttpClient::HttpClient(std::string base_url) : base_url_(std::move(base_url)) {
    ensure_curl();
    if (const char* ca = std::getenv("MFO_TEST_CA_FILE"); ca && *ca) ca_file = ca;
}

HttpResponse HttpClient::get(const std::string& path, const Headers& headers) {
    return request("GET", path, "", "", headers);
}

HttpResponse HttpClient::head(const std::string& path, const Headers& headers) {
    return request("HEAD", path, "", "", headers);
}

HttpResponse HttpClient::post_form(const std::string& path, const Fields& fields,
                                   const Headers& headers) {
    std::string body;
    for (const auto& [k, v] : fields) {
        if (!body.empty()) body += '&';
        body += url_encode(k) + "=" + url_encode(v);
    }
    return request("POST", path, body, "application/x-www-form-urlencoded", headers);
}

HttpResponse HttpClient::post_json(const std::string& path, const std::string& json,
                                   const Headers& headers) {
    Headers h = headers;
    h.emplace_back("Accept", "application/json");
    return request("POST", path, json, "application/json", h);
}

HttpResponse HttpClient::request(const std::string& method, const std::string& path,
                                 const std::string& body, const std::string& content_type,
                                 const Headers& headers) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw std::runtime_error("curl_easy_init failed");
    HttpResponse r;
    const std::string url = base_url_ + path;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout_seconds);
    const std::string interface = "host!" + local_address;
    if (!local_address.empty()) curl_easy_setopt(curl.get(), CURLOPT_INTERFACE, interface.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PATH_AS_IS, 1L);  // send //admin and /a/../b as given
    // Verification stays on (libcurl's default): a test CA, not "insecure".
    if (!ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file.c_str());
    curl_slist* resolve_raw = nullptr;
    for (const auto& entry : resolve) resolve_raw = curl_slist_append(resolve_raw, entry.c_str());
    std::unique_ptr<curl_slist, SlistDeleter> resolve_list(resolve_raw);
    if (resolve_raw) curl_easy_setopt(curl.get(), CURLOPT_RESOLVE, resolve_raw);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &r);
    if (method == "HEAD") {
        curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
    } else if (method == "POST") {
        curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    } else if (method != "GET") {
        curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
        if (!body.empty()) {
            curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
            curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        }
    }
    curl_slist* raw = nullptr;
    raw = curl_slist_append(raw, "Expect:");
    if (!content_type.empty())
        raw = curl_slist_append(raw, ("Content-Type: " + content_type).c_str());
    for (const auto& [k, v] : headers) raw = curl_slist_append(raw, (k + ": " + v).c_str());
    if (!cookies_.empty()) {
        std::string cookie = "Cookie: ";
        bool first = true;
        for (const auto& [k, v] : cookies_) {
            cookie += (first ? "" : "; ") + k + "=" + v;
            first = false;
        }
        raw = curl_slist_append(raw, cookie.c_str());
    }
    std::unique_ptr<curl_slist, SlistDeleter> list(raw);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list.get());
    const CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK) {
        throw std::runtime_error(method + " " + url + ": " + curl_easy_strerror(rc));
    }
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &r.status);

    for (const auto& c : r.set_cookies) {
        const auto semi = c.find(';');
        const std::string pair = c.substr(0, semi);
        const auto eq = pair.find('=');
        if (eq == std::string::npos) continue;
        const std::string name = pair.substr(0, eq);
        const std::string value = pair.substr(eq + 1);
        const std::string attrs = lower(semi == std::string::npos ? "" : c.substr(semi));
        if (value.empty() || attrs.find("max-age=0") != std::string::npos) {
            cookies_.erase(name);
        } else {
            cookies_[name] = value;
        }
    }
    return r;
}

std::string url_encode(const std::string& s) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

std::string input_value(const std::string& html, const std::string& name) {
    const std::regex input("<input[^>]*name=\"" + name + "\"[^>]*>");
    std::smatch m;
    if (!std::regex_search(html, m, input)) return "";
    static const std::regex value("value=\"([^\"]*)\"");
    std::smatch v;
    const std::string tag = m.str();
    if (!std::regex_search(tag, v, value)) return "";
    std::string out = v.str(1);
    const std::pair<const char*, const char*> entities[] = {
        {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
    for (const auto& [from, to] : entities) {
        for (std::size_t p; (p = out.find(from)) != std::string::npos;)
            out.replace(p, std::strlen(from), to);
    }
    return out;
}

std::string require_env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) {
        throw std::runtime_error(std::string(name) +
                                 " is not set: run the integration tests through scripts/test");
    }
    return v;
}

}  // namespace mfo::test
