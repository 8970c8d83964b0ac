#pragma once
// A small HTTP client for the integration tests (libcurl): never follows
// redirects, keeps cookies like a browser would for one origin.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mfo::test {

struct HttpResponse {
    long status = 0;
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::vector<std::string> set_cookies;             // raw Set-Cookie values
    std::string body;

    std::string header(const std::string& lower_name) const;
    bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
    // The raw Set-Cookie value for cookie `name`, or "" when not set.
    std::string set_cookie(const std::string& name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;
using Fields = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
  public:
    explicit HttpClient(std::string base_url);

    HttpResponse get(const std::string& path, const Headers& headers = {});
    HttpResponse head(const std::string& path, const Headers& headers = {});
    HttpResponse post_form(const std::string& path, const Fields& fields,
                           const Headers& headers = {});
    HttpResponse post_json(const std::string& path, const std::string& json,
                           const Headers& headers = {});
    // Any method and raw body; `content_type` empty for none.
    HttpResponse request(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& content_type,
                         const Headers& headers = {});

    // The cookie jar (name -> value), updated from every response.
    std::map<std::string, std::string>& cookies() { return cookies_; }
    void set_cookie(const std::string& name, const std::string& value) { cookies_[name] = value; }
    void clear_cookies() { cookies_.clear(); }
    const std::string& base_url() const { return base_url_; }
    long timeout_seconds = 30;
    // Source address of the connections (e.g. "127.0.0.7": loopback has all
    // of 127.0.0.0/8), so one process can look like many clients; "" = any.
    std::string local_address;
    // CURLOPT_RESOLVE entries ("mfo.test:PORT:127.0.0.1"): a host name of the
    // test certificate reached without DNS.
    std::vector<std::string> resolve;
    // https: the CA the server's certificate must chain to (verified, never
    // skipped); default $MFO_TEST_CA_FILE (scripts/test's test CA).
    std::string ca_file;

  private:
    std::string base_url_;
    std::map<std::string, std::string> cookies_;
};

std::string url_encode(const std::string& s);
// value="..." of the <input name="NAME"> in `html` (HTML entities decoded), or "".
std::string input_value(const std::string& html, const std::string& name);
// The environment variable or a std::runtime_error naming it.
std::string require_env(const char* name);

}  // namespace mfo::test
