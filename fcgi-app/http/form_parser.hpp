#pragma once
// application/x-www-form-urlencoded bodies and query strings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mfo {

// Ordered name/value pairs; repeated names are kept.
class FormData {
public:
    void add(std::string name, std::string value);
    // The first value of `name`, if any.
    std::optional<std::string> get(std::string_view name) const;
    std::string get_or(std::string_view name, std::string fallback = "") const;
    std::vector<std::string> get_all(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// Percent-decodes `in` ('+' means space when `plus_is_space`). nullopt for a
// malformed escape or a result that is not valid UTF-8.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// Parses "a=1&b=2&a=3". nullopt on an invalid escape or invalid UTF-8.
std::optional<FormData> parse_urlencoded(std::string_view text);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string percent_encode(std::string_view in);

bool is_valid_utf8(std::string_view s);

}  // namespace mfo
